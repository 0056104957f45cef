import { z } from "zod";
import { rolloutKeySchema } from "./rollout-key.ts";

// What the dashboard's live panels read (`/api/dashboard/…`): not part of /api/v1, but
// described and checked like it (`endpoints.ts`).

const isoTime = z.iso.datetime({ offset: true });
const key = rolloutKeySchema.shape;

export const gateSummarySchema = z.object({
  allowed: z.boolean(),
  /** Checks still open (not passing, not overridden). */
  open: z.number().int(),
  window_ends_at: isoTime.nullable(),
});

export const attentionSchema = z.discriminatedUnion("kind", [
  z.object({ ...key, kind: z.literal("approval"), have: z.number().int(), need: z.number().int() }),
  z.object({ ...key, kind: z.literal("window"), ends_at: isoTime }),
  z.object({ ...key, kind: z.literal("failed"), state: z.string() }),
  z.object({
    ...key,
    kind: z.literal("refused"),
    count: z.number().int(),
    last_at: isoTime,
    last_message: z.string().nullable(),
  }),
  z.object({
    ...key,
    kind: z.literal("override"),
    actor: z.string(),
    checks: z.array(z.string()),
    justification: z.string(),
  }),
]);

export const overviewResponseSchema = z.object({
  now: isoTime,
  signed_in: z.boolean(),
  attention: z.array(attentionSchema),
  services: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      environments: z.array(
        z.object({
          name: z.string(),
          production_like: z.boolean(),
          rollout: z
            .object({
              release: z.string(),
              title: z.string(),
              state: z.string(),
              current_version: z.string().nullable(),
              flag_percent: z.number(),
            })
            .nullable(),
          gate: gateSummarySchema.nullable(),
        }),
      ),
    }),
  ),
});

export const healthResponseSchema = z.object({ status: z.literal("ok") });

export const readyResponseSchema = z.object({ status: z.literal("ready"), database: z.string() });
export const notReadyResponseSchema = z.object({ status: z.literal("unavailable"), reason: z.string() });
