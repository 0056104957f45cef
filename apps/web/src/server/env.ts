import "server-only";
import { DEVELOPMENT_SECRET_KEY, readDbEnv } from "@rollgate/db/env";
import { z } from "zod";

// The web app's settings, parsed once on first use. Database settings and the secret key
// come from @rollgate/db's env, which the CLI shares.
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  ROLLGATE_READY_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  ROLLGATE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  ROLLGATE_ALLOW_DEV_SECRET_KEY: z.enum(["0", "1"]).default("0"),
});

export type WebEnv = z.infer<typeof schema> & { secretKey: string };
let cached: WebEnv | undefined;

export function env(): WebEnv {
  if (!cached) {
    const web = schema.parse(process.env);
    const secretKey = readDbEnv().ROLLGATE_SECRET_KEY;
    if (web.NODE_ENV === "production" && secretKey === DEVELOPMENT_SECRET_KEY && web.ROLLGATE_ALLOW_DEV_SECRET_KEY !== "1")
      throw new Error("ROLLGATE_SECRET_KEY must be set in production: it encrypts the webhook signing secrets (see .env.example).");
    cached = { ...web, secretKey };
  }
  return cached;
}
