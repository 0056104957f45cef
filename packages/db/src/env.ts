import type { AuthorMatching } from "@rollgate/core/access/identity";
import { z } from "zod";
import { processDefaultDataDir } from "./data-dir.ts";

// The database settings, read from the environment on first use, never at import time.
export const DEVELOPMENT_SECRET_KEY = "rollgate-insecure-development-key";
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** Default: `.rollgate/pglite` in the checkout or the standalone server's folder, whatever the working directory (data-dir.ts). */
  ROLLGATE_DATA_DIR: z.string().min(1).default(processDefaultDataDir),
  ROLLGATE_MIGRATIONS_DIR: z.string().min(1).optional(),
  /** Encrypts webhook signing secrets at rest. The web app refuses the default in production. */
  ROLLGATE_SECRET_KEY: z.string().min(16, "use at least 16 characters").default(DEVELOPMENT_SECRET_KEY),
  /** Keys the audit chain's HMAC; the database never holds it. Defaults to one derived from ROLLGATE_SECRET_KEY. */
  ROLLGATE_AUDIT_KEY: z.string().min(16, "use at least 16 characters").optional(),
  /** The operator's copy of the audit key record, `N:hash` (the start-up log prints it): unkeyed entries verify only before entry N. */
  ROLLGATE_AUDIT_KEYED_FROM: z
    .string()
    .regex(
      /^\d{1,15}:[0-9a-f]{64}$/,
      "the sequence number and hash of the first keyed entry, N:hash, as the log prints it",
    )
    .optional(),
  /** A database role the migrator grants the app's privileges to: read and write, but only insert and read the audit trail. */
  ROLLGATE_APP_DB_ROLE: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, "a plain lower-case role name")
    .optional(),
  /** `0` when a separate migration job (as the owner role) applies migrations and the app must not. */
  ROLLGATE_MIGRATE_ON_START: z.enum(["0", "1"]).default("1"),
  /** `1` (default): a release author `a+tag@x` is the person with `a@x`; `0` when tags name other mailboxes. */
  ROLLGATE_AUTHOR_PLUS_ADDRESSING: z.enum(["0", "1"]).default("1"),
  /** Tests only: a dump of a fresh PGlite cluster that `memory://` databases start from (client.ts). */
  ROLLGATE_PGLITE_TEMPLATE: z.string().min(1).optional(),
});

export type DbEnv = z.infer<typeof schema>;

export function readDbEnv(source: Record<string, string | undefined> = process.env): DbEnv {
  const parsed = schema.safeParse({
    DATABASE_URL: source.DATABASE_URL || undefined,
    ROLLGATE_DATA_DIR: source.ROLLGATE_DATA_DIR || undefined,
    ROLLGATE_MIGRATIONS_DIR: source.ROLLGATE_MIGRATIONS_DIR || undefined,
    ROLLGATE_SECRET_KEY: source.ROLLGATE_SECRET_KEY || undefined,
    ROLLGATE_AUDIT_KEY: source.ROLLGATE_AUDIT_KEY || undefined,
    ROLLGATE_AUDIT_KEYED_FROM: source.ROLLGATE_AUDIT_KEYED_FROM?.trim() || undefined,
    ROLLGATE_APP_DB_ROLE: source.ROLLGATE_APP_DB_ROLE || undefined,
    ROLLGATE_MIGRATE_ON_START: source.ROLLGATE_MIGRATE_ON_START || undefined,
    ROLLGATE_AUTHOR_PLUS_ADDRESSING: source.ROLLGATE_AUTHOR_PLUS_ADDRESSING || undefined,
    ROLLGATE_PGLITE_TEMPLATE: source.ROLLGATE_PGLITE_TEMPLATE || undefined,
  });
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid database configuration (${fields}). See .env.example.`);
  }
  return parsed.data;
}

/** How release authors are matched to people (the setting, as core's rules take it). */
export function authorMatching(source?: Record<string, string | undefined>): AuthorMatching {
  return { plusAddressing: readDbEnv(source).ROLLGATE_AUTHOR_PLUS_ADDRESSING === "1" };
}
