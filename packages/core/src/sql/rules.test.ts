import { describe, expect, it } from "vitest";
import { analyseSql } from "./index.ts";

// Every rule: one script it flags, one near miss it must not flag.
const cases: Array<{ rule: string; flags: string; nearMiss: string }> = [
  {
    rule: "drop-table",
    flags: "DROP TABLE IF EXISTS users;",
    nearMiss: "-- DROP TABLE users;\nSELECT 'DROP TABLE users';",
  },
  {
    rule: "drop-column",
    flags: "ALTER TABLE users DROP COLUMN IF EXISTS email;",
    nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS email_address text; /* DROP COLUMN email */",
  },
  { rule: "drop-schema", flags: "DROP SCHEMA IF EXISTS legacy;", nearMiss: "CREATE SCHEMA IF NOT EXISTS legacy;" },
  { rule: "drop-type", flags: "DROP TYPE IF EXISTS mood;", nearMiss: "CREATE TYPE mood AS ENUM ('ok');" },
  {
    rule: "drop-view",
    flags: "DROP VIEW IF EXISTS active_users;",
    nearMiss: "CREATE OR REPLACE VIEW active_users AS SELECT 1;",
  },
  {
    rule: "rename-table",
    flags: "ALTER TABLE users RENAME TO accounts;",
    nearMiss: "CREATE TABLE IF NOT EXISTS accounts (id int);",
  },
  {
    rule: "rename-column",
    flags: "ALTER TABLE users RENAME COLUMN email TO email_address;",
    nearMiss: "COMMENT ON COLUMN users.email IS 'RENAME COLUMN email later';",
  },
  { rule: "rename-schema", flags: "ALTER SCHEMA legacy RENAME TO old;", nearMiss: "CREATE SCHEMA IF NOT EXISTS old;" },
  {
    rule: "rename-type",
    flags: "ALTER TYPE mood RENAME TO feeling;",
    nearMiss: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'sad';",
  },
  {
    rule: "rename-view",
    flags: "ALTER VIEW active_users RENAME TO current_users;",
    nearMiss: "CREATE OR REPLACE VIEW current_users AS SELECT 1;",
  },
  {
    rule: "change-column-type",
    flags: "ALTER TABLE users ALTER COLUMN id TYPE bigint;",
    nearMiss: "ALTER TABLE users ALTER COLUMN id SET DEFAULT 0;",
  },
  {
    rule: "set-not-null",
    flags: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    nearMiss: "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
  },
  {
    rule: "add-column-not-null-without-default",
    flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int NOT NULL;",
    nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int NOT NULL DEFAULT 0;",
  },
  { rule: "truncate", flags: "TRUNCATE sessions;", nearMiss: "SELECT 'TRUNCATE sessions';" },
  {
    rule: "delete",
    flags: "DELETE FROM sessions WHERE expires < now();",
    nearMiss: "INSERT INTO sessions (id) VALUES (1);",
  },
  {
    rule: "move-to-schema",
    flags: "ALTER TABLE users SET SCHEMA archive;",
    nearMiss: "ALTER TABLE users SET (fillfactor = 90);",
  },
  {
    rule: "revoke-privileges",
    flags: "REVOKE SELECT ON users FROM reporting;",
    nearMiss: "GRANT SELECT ON users TO reporting;",
  },
  {
    rule: "drop-constraint",
    flags: "ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_key;",
    nearMiss: "ALTER TABLE users VALIDATE CONSTRAINT users_email_check;",
  },
  {
    rule: "create-index-non-concurrently",
    flags: "CREATE INDEX IF NOT EXISTS i ON users (email);",
    nearMiss: "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);",
  },
  {
    rule: "drop-index-non-concurrently",
    flags: "DROP INDEX IF EXISTS i;",
    nearMiss: "DROP INDEX CONCURRENTLY IF EXISTS i;",
  },
  { rule: "reindex-non-concurrently", flags: "REINDEX INDEX i;", nearMiss: "REINDEX INDEX CONCURRENTLY i;" },
  {
    rule: "add-foreign-key-without-not-valid",
    flags: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
    nearMiss: "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
  },
  {
    rule: "add-check-without-not-valid",
    flags: "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0);",
    nearMiss: "ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID;",
  },
  {
    rule: "add-unique-without-using-index",
    flags: "ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);",
    nearMiss: "ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX users_email_idx;",
  },
  {
    rule: "add-primary-key",
    flags: "ALTER TABLE users ADD PRIMARY KEY (id);",
    nearMiss: "ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_id_idx;",
  },
  {
    rule: "volatile-default",
    flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS token uuid DEFAULT gen_random_uuid();",
    nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS created timestamptz DEFAULT now();",
  },
  {
    rule: "stored-generated-column",
    flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS n int GENERATED ALWAYS AS (id * 2) STORED;",
    nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS n int;",
  },
  { rule: "vacuum-full", flags: "VACUUM FULL users;", nearMiss: "VACUUM (ANALYZE) users;" },
  { rule: "cluster", flags: "CLUSTER users USING users_pkey;", nearMiss: "ANALYZE users;" },
  {
    rule: "explicit-lock",
    flags: "LOCK TABLE users IN ACCESS EXCLUSIVE MODE;",
    nearMiss: "SELECT 'LOCK TABLE users';",
  },
  {
    rule: "concurrently-in-transaction",
    flags: "BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);\nCOMMIT;",
    nearMiss: "BEGIN;\nCOMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);",
  },
  {
    rule: "missing-lock-timeout",
    flags: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;",
    nearMiss: "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;",
  },
  {
    rule: "update-without-where",
    flags: "UPDATE users SET tier = 0;",
    nearMiss: "UPDATE users SET tier = 0 WHERE id BETWEEN 1 AND 1000;",
  },
  {
    rule: "create-without-if-not-exists",
    flags: "CREATE TABLE audit (id int);",
    nearMiss: "CREATE TABLE IF NOT EXISTS audit (id int);",
  },
  { rule: "drop-without-if-exists", flags: "DROP TABLE audit;", nearMiss: "DROP TABLE IF EXISTS audit;" },
  {
    rule: "add-column-without-if-not-exists",
    flags: "ALTER TABLE users ADD COLUMN tier int;",
    nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;",
  },
  {
    rule: "syntax-error",
    flags: "ALTER TABLE users ADD COLUMN;",
    nearMiss: "ALTER TABLE users ADD COLUMN IF NOT EXISTS tier int;",
  },
  // Catalog objects other than tables and columns.
  {
    rule: "drop-sequence",
    flags: "DROP SEQUENCE IF EXISTS s;",
    nearMiss: "CREATE SEQUENCE IF NOT EXISTS s;\nDROP SEQUENCE IF EXISTS s;",
  },
  {
    rule: "drop-function",
    flags: "DROP FUNCTION IF EXISTS f();",
    nearMiss: "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;\nDROP FUNCTION IF EXISTS f();",
  },
  {
    rule: "drop-trigger",
    flags: "DROP TRIGGER IF EXISTS t ON users;",
    nearMiss: "ALTER TRIGGER t ON users RENAME TO t2;",
  },
  {
    rule: "drop-policy",
    flags: "DROP POLICY IF EXISTS p ON users;",
    nearMiss: "CREATE POLICY p ON users USING (true);",
  },
  { rule: "drop-rule", flags: "DROP RULE IF EXISTS r ON users;", nearMiss: "ALTER TABLE users ENABLE RULE r;" },
  {
    rule: "drop-extension",
    flags: "DROP EXTENSION IF EXISTS pg_trgm;",
    nearMiss: "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
  },
  { rule: "drop-role", flags: "DROP ROLE IF EXISTS reporting;", nearMiss: "CREATE ROLE reporting;" },
  { rule: "drop-database", flags: "DROP DATABASE IF EXISTS analytics;", nearMiss: "CREATE DATABASE analytics;" },
  { rule: "drop-object", flags: "DROP SERVER IF EXISTS legacy;", nearMiss: "DROP STATISTICS IF EXISTS s;" },
  { rule: "drop-owned", flags: "DROP OWNED BY legacy;", nearMiss: "GRANT legacy TO app;" },
  {
    rule: "rename-function",
    flags: "ALTER FUNCTION f() RENAME TO g;",
    nearMiss: "ALTER FUNCTION f() SECURITY INVOKER;",
  },
  { rule: "rename-sequence", flags: "ALTER SEQUENCE s RENAME TO s2;", nearMiss: "ALTER SEQUENCE s CACHE 10;" },
  {
    rule: "rename-attribute",
    flags: "ALTER TYPE address RENAME ATTRIBUTE zip TO postcode;",
    nearMiss: "ALTER TYPE address ADD ATTRIBUTE country text;",
  },
  { rule: "rename-role", flags: "ALTER ROLE app RENAME TO app2;", nearMiss: "ALTER ROLE app LOGIN;" },
  {
    rule: "rename-database",
    flags: "ALTER DATABASE app RENAME TO app2;",
    nearMiss: "ALTER DATABASE app SET work_mem = '64MB';",
  },
  { rule: "rename-object", flags: "ALTER COLLATION de RENAME TO german;", nearMiss: "ALTER INDEX i RENAME TO j;" },
  {
    rule: "rename-enum-value",
    flags: "ALTER TYPE mood RENAME VALUE 'ok' TO 'fine';",
    nearMiss: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'fine';",
  },
  {
    rule: "add-enum-value-without-if-not-exists",
    flags: "ALTER TYPE mood ADD VALUE 'fine';",
    nearMiss: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'fine';",
  },
  { rule: "alter-sequence", flags: "ALTER SEQUENCE s RESTART WITH 1;", nearMiss: "ALTER SEQUENCE s OWNED BY t.id;" },
  {
    rule: "restrictive-policy",
    flags: "CREATE POLICY p ON users AS RESTRICTIVE USING (true);",
    nearMiss: "CREATE POLICY p ON users AS PERMISSIVE USING (true);",
  },
  {
    rule: "alter-policy",
    flags: "ALTER POLICY p ON users USING (false);",
    nearMiss: "ALTER POLICY p ON users RENAME TO q;",
  },
  {
    rule: "instead-rule",
    flags: "CREATE RULE r AS ON DELETE TO users DO INSTEAD NOTHING;",
    nearMiss: "CREATE RULE r AS ON DELETE TO users DO ALSO NOTIFY users;",
  },
  { rule: "alter-role", flags: "ALTER ROLE app NOLOGIN;", nearMiss: "ALTER ROLE app LOGIN;" },
  { rule: "alter-search-path", flags: "ALTER ROLE app SET search_path = v2;", nearMiss: "SET search_path = v2;" },
  {
    rule: "alter-database-connections",
    flags: "ALTER DATABASE app CONNECTION LIMIT 1;",
    nearMiss: "ALTER DATABASE app IS_TEMPLATE false;",
  },
  {
    rule: "alter-extension-update",
    flags: "ALTER EXTENSION postgis UPDATE;",
    nearMiss: "ALTER EXTENSION postgis ADD FUNCTION f();",
  },
  {
    rule: "alter-publication",
    flags: "ALTER PUBLICATION p DROP TABLE users;",
    nearMiss: "ALTER PUBLICATION p ADD TABLE users;",
  },
  {
    rule: "alter-text-search",
    flags: "ALTER TEXT SEARCH CONFIGURATION c DROP MAPPING FOR word;",
    nearMiss: "ALTER TEXT SEARCH CONFIGURATION c ADD MAPPING FOR word WITH simple;",
  },
  {
    rule: "change-owner",
    flags: "ALTER FUNCTION f() OWNER TO admin;",
    nearMiss: "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;\nALTER FUNCTION f() OWNER TO admin;",
  },
  {
    rule: "refresh-materialized-view-non-concurrently",
    flags: "REFRESH MATERIALIZED VIEW stats;",
    nearMiss: "REFRESH MATERIALIZED VIEW CONCURRENTLY stats;",
  },
  // ALTER TABLE sub-commands beyond columns.
  {
    rule: "drop-default",
    flags: "ALTER TABLE users ALTER COLUMN tier DROP DEFAULT;",
    nearMiss: "ALTER TABLE users ALTER COLUMN tier SET DEFAULT 0;",
  },
  {
    rule: "drop-expression",
    flags: "ALTER TABLE users ALTER COLUMN n DROP EXPRESSION;",
    nearMiss: "ALTER TABLE users ALTER COLUMN n SET STATISTICS 100;",
  },
  {
    rule: "set-expression",
    flags: "ALTER TABLE users ALTER COLUMN n SET EXPRESSION AS (id * 3);",
    nearMiss: "ALTER TABLE users ALTER COLUMN n SET STORAGE MAIN;",
  },
  {
    rule: "disable-trigger",
    flags: "ALTER TABLE users DISABLE TRIGGER t;",
    nearMiss: "ALTER TABLE users ENABLE TRIGGER t;",
  },
  { rule: "disable-rule", flags: "ALTER TABLE users DISABLE RULE r;", nearMiss: "ALTER TABLE users ENABLE RULE r;" },
  {
    rule: "drop-inherit",
    flags: "ALTER TABLE users NO INHERIT people;",
    nearMiss: "ALTER TABLE users INHERIT people;",
  },
  {
    rule: "enable-row-security",
    flags: "ALTER TABLE users ENABLE ROW LEVEL SECURITY;",
    nearMiss: "ALTER TABLE users DISABLE ROW LEVEL SECURITY;",
  },
  {
    rule: "detach-partition",
    flags: "ALTER TABLE events DETACH PARTITION e1;",
    nearMiss: "ALTER TABLE events ATTACH PARTITION e1 FOR VALUES IN (1);",
  },
  {
    rule: "identity-always",
    flags: "ALTER TABLE users ALTER COLUMN id SET GENERATED ALWAYS;",
    nearMiss: "ALTER TABLE users ALTER COLUMN id SET GENERATED BY DEFAULT;",
  },
  {
    rule: "restart-sequence",
    flags: "ALTER TABLE users ALTER COLUMN id RESTART;",
    nearMiss: "ALTER TABLE users ALTER COLUMN id SET INCREMENT BY 1;",
  },
  {
    rule: "drop-identity",
    flags: "ALTER TABLE users ALTER COLUMN id DROP IDENTITY;",
    nearMiss: "ALTER TABLE users ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;",
  },
  {
    rule: "set-logged",
    flags: "ALTER TABLE users SET UNLOGGED;",
    nearMiss: "ALTER TABLE users SET (fillfactor = 90);",
  },
  {
    rule: "set-access-method",
    flags: "ALTER TABLE users SET ACCESS METHOD heap;",
    nearMiss: "ALTER TABLE users CLUSTER ON users_pkey;",
  },
  {
    rule: "set-tablespace",
    flags: "ALTER TABLE users SET TABLESPACE fast;",
    nearMiss: "ALTER TABLESPACE fast SET (random_page_cost = 1);",
  },
  {
    rule: "add-exclusion-constraint",
    flags: "ALTER TABLE b ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&);",
    nearMiss: "CREATE TABLE IF NOT EXISTS b (r int4range, EXCLUDE USING gist (r WITH &&));",
  },
  // Code inside code.
  {
    rule: "dynamic-sql",
    flags: "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'x'; END $$;",
    nearMiss: "DO $$ BEGIN EXECUTE 'SELECT 1'; END $$;",
  },
  {
    rule: "unverifiable-code",
    flags: "DO LANGUAGE plv8 $$ plv8.execute('DROP TABLE x') $$;",
    nearMiss: "CREATE FUNCTION f() RETURNS int LANGUAGE plv8 AS $$ return 1 $$;",
  },
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
