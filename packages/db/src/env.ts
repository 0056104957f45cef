import { z } from "zod";

// The database settings, read from the environment on first use, never at import time.
export const DEVELOPMENT_SECRET_KEY = "rollgate-insecure-development-key";
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  ROLLGATE_DATA_DIR: z.string().min(1).default(".rollgate/pglite"),
  ROLLGATE_MIGRATIONS_DIR: z.string().min(1).optional(),
  /** Encrypts webhook signing secrets at rest. The web app refuses the default in production. */
  ROLLGATE_SECRET_KEY: z.string().min(16, "use at least 16 characters").default(DEVELOPMENT_SECRET_KEY),
});

export type DbEnv = z.infer<typeof schema>;

export function readDbEnv(source: Record<string, string | undefined> = process.env): DbEnv {
  const parsed = schema.safeParse({
    DATABASE_URL: source.DATABASE_URL || undefined,
    ROLLGATE_DATA_DIR: source.ROLLGATE_DATA_DIR || undefined,
    ROLLGATE_MIGRATIONS_DIR: source.ROLLGATE_MIGRATIONS_DIR || undefined,
    ROLLGATE_SECRET_KEY: source.ROLLGATE_SECRET_KEY || undefined,
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid database configuration (${fields}). See .env.example.`);
  }
  return parsed.data;
}
