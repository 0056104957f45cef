// The dashboard API's answers (`/api/dashboard/*`): written by the server, read by the client
// fetchers; the types of the schemas that describe them (`@rollgate/core/contract/dashboard`).
import type { z } from "zod";
import type { attentionSchema, gateSummarySchema, overviewResponseSchema } from "@rollgate/core/contract/dashboard";

export type GateSummaryJson = z.infer<typeof gateSummarySchema>;
export type AttentionJson = z.infer<typeof attentionSchema>;
export type OverviewJson = z.infer<typeof overviewResponseSchema>;
