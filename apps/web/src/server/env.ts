import "server-only";
import { z } from "zod";

// The web app's settings, parsed once on first use. Database settings live in
// @rollgate/db's env (DATABASE_URL, ROLLGATE_DATA_DIR, ROLLGATE_MIGRATIONS_DIR).
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  ROLLGATE_READY_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
});

let cached: z.infer<typeof schema> | undefined;

export function env(): z.infer<typeof schema> {
  cached ??= schema.parse(process.env);
  return cached;
}
