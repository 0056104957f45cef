import "server-only";

// The token type the use cases take; the edge that authenticates it is `serve.ts`.
export type { ApiToken } from "@rollgate/db/queries/tokens";
