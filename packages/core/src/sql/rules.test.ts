import { describe, expect, it } from "vitest";
import { analyseSql } from "./index.ts";

// Every rule: one script it flags, one near miss it must not flag.
const cases: Array<{ rule: string; flags: string; nearMiss: string }> = [
  { rule: "drop-table", flags: "DROP TABLE IF EXISTS users;", nearMiss: "-- DROP TABLE users;\nSELECT 'DROP TABLE users';" },
  { rule: "drop-column", flags: "ALTER TABLE users DROP COLUMN IF EXISTS email;", nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text; /* DROP COLUMN email */" },
  { rule: "drop-schema", flags: "DROP SCHEMA IF EXISTS legacy;", nearMiss: "CREATE SCHEMA IF NOT EXISTS legacy;" },
  { rule: "drop-type", flags: "DROP TYPE IF EXISTS mood;", nearMiss: "CREATE TYPE mood AS ENUM ('ok');" },
  { rule: "drop-view", flags: "DROP VIEW IF EXISTS active_users;", nearMiss: "CREATE OR REPLACE VIEW active_users AS SELECT 1;" },
  { rule: "rename-table", flags: "ALTER TABLE users RENAME TO accounts;", nearMiss: "CREATE TABLE IF NOT EXISTS accounts (id int);" },
  { rule: "rename-column", flags: "ALTER TABLE users RENAME COLUMN email TO email_address;", nearMiss: "COMMENT ON COLUMN users.email IS 'RENAME COLUMN email later';" },
  { rule: "rename-schema", flags: "ALTER SCHEMA legacy RENAME TO old;", nearMiss: "CREATE SCHEMA IF NOT EXISTS old;" },
  { rule: "rename-type", flags: "ALTER TYPE mood RENAME TO feeling;", nearMiss: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'sad';" },
  { rule: "rename-view", flags: "ALTER VIEW active_users RENAME TO current_users;", nearMiss: "CREATE OR REPLACE VIEW current_users AS SELECT 1;" },
  { rule: "change-column-type", flags: "ALTER TABLE users ALTER COLUMN id TYPE bigint;", nearMiss: "ALTER TABLE users ALTER COLUMN id SET DEFAULT 0;" },
  { rule: "set-not-null", flags: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", nearMiss: "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;" },
  { rule: "add-column-not-null-without-default", flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int NOT NULL;", nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int NOT NULL DEFAULT 0;" },
  { rule: "truncate", flags: "TRUNCATE sessions;", nearMiss: "SELECT 'TRUNCATE sessions';" },
  { rule: "delete", flags: "DELETE FROM sessions WHERE expires < now();", nearMiss: "INSERT INTO sessions (id) VALUES (1);" },
  { rule: "move-to-schema", flags: "ALTER TABLE users SET SCHEMA archive;", nearMiss: "ALTER TABLE users SET (fillfactor = 90);" },
  { rule: "revoke-privileges", flags: "REVOKE SELECT ON users FROM reporting;", nearMiss: "GRANT SELECT ON users TO reporting;" },
  { rule: "drop-constraint", flags: "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_key;", nearMiss: "ALTER TABLE users VALIDATE CONSTRAINT users_email_check;" },
  { rule: "create-index-non-concurrently", flags: "CREATE INDEX IF NOT EXISTS i ON users (email);", nearMiss: "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);" },
  { rule: "drop-index-non-concurrently", flags: "DROP INDEX IF EXISTS i;", nearMiss: "DROP INDEX CONCURRENTLY IF EXISTS i;" },
  { rule: "reindex-non-concurrently", flags: "REINDEX INDEX i;", nearMiss: "REINDEX INDEX CONCURRENTLY i;" },
  { rule: "add-foreign-key-without-not-valid", flags: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);", nearMiss: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;" },
  { rule: "add-check-without-not-valid", flags: "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0);", nearMiss: "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID;" },
  { rule: "add-unique-without-using-index", flags: "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);", nearMiss: "ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX users_email_idx;" },
  { rule: "add-primary-key", flags: "ALTER TABLE users ADD PRIMARY KEY (id);", nearMiss: "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;" },
  { rule: "volatile-default", flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS token uuid DEFAULT gen_random_uuid();", nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS created timestamptz DEFAULT now();" },
  { rule: "stored-generated-column", flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS n int GENERATED ALWAYS AS (id * 2) STORED;", nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS n int;" },
  { rule: "vacuum-full", flags: "VACUUM FULL users;", nearMiss: "VACUUM (ANALYZE) users;" },
  { rule: "cluster", flags: "CLUSTER users USING users_pkey;", nearMiss: "ANALYZE users;" },
  { rule: "explicit-lock", flags: "LOCK TABLE users IN ACCESS EXCLUSIVE MODE;", nearMiss: "SELECT 'LOCK TABLE users';" },
  { rule: "concurrently-in-transaction", flags: "BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);\nCOMMIT;", nearMiss: "BEGIN;\nCOMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);" },
  { rule: "missing-lock-timeout", flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;", nearMiss: "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;" },
  { rule: "update-without-where", flags: "UPDATE users SET tier = 0;", nearMiss: "UPDATE users SET tier = 0 WHERE id BETWEEN 1 AND 1000;" },
  { rule: "create-without-if-not-exists", flags: "CREATE TABLE audit (id int);", nearMiss: "CREATE TABLE IF NOT EXISTS audit (id int);" },
  { rule: "drop-without-if-exists", flags: "DROP TABLE audit;", nearMiss: "DROP TABLE IF EXISTS audit;" },
  { rule: "add-column-without-if-not-exists", flags: "ALTER TABLE users ADD COLUMN tier int;", nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;" },
  { rule: "syntax-error", flags: "ALTER TABLE users ADD COLUMN;", nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;" },
];

const rulesOf = async (sql: string) => (await analyseSql(sql)).findings.map((f) => f.rule);

describe("SQL analyser rules", () => {
  it.each(cases)("$rule: flags its statement", async ({ rule, flags }) => {
    expect(await rulesOf(flags)).toContain(rule);
  });

  it.each(cases)("$rule: leaves the near miss alone", async ({ rule, nearMiss }) => {
    expect(await rulesOf(nearMiss)).not.toContain(rule);
  });
});
