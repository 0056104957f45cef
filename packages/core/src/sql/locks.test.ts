import { describe, expect, it } from "vitest";
import { analyseSql } from "./index.ts";
import type { LockMode } from "./types.ts";

// The lock each statement takes, as PostgreSQL documents it, whether it rewrites the table,
// and on which table: the input of the lock-risk view.
const cases: Array<[sql: string, lock: LockMode | null, rewrites: boolean, table: string | null]> = [
  ["ALTER TABLE users ADD COLUMN IF NOT EXISTS a int;", "ACCESS EXCLUSIVE", false, "users"],
  [
    "ALTER TABLE app.users ADD COLUMN IF NOT EXISTS t uuid DEFAULT gen_random_uuid();",
    "ACCESS EXCLUSIVE",
    true,
    "app.users",
  ],
  ["ALTER TABLE users ALTER COLUMN id TYPE bigint;", "ACCESS EXCLUSIVE", true, "users"],
  ["ALTER TABLE users SET TABLESPACE fast;", "ACCESS EXCLUSIVE", true, "users"],
  ["ALTER TABLE users VALIDATE CONSTRAINT users_age_check;", "SHARE UPDATE EXCLUSIVE", false, "users"],
  [
    "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    "SHARE ROW EXCLUSIVE",
    false,
    "orders",
  ],
  ["ALTER TABLE users SET (fillfactor = 70);", "SHARE UPDATE EXCLUSIVE", false, "users"],
  ["ALTER VIEW v SET (security_barrier = true);", "ACCESS EXCLUSIVE", false, "v"],
  ["ALTER TABLE events DETACH PARTITION e1 CONCURRENTLY;", "SHARE UPDATE EXCLUSIVE", false, "events"],
  ["ALTER TABLE events ATTACH PARTITION e1 FOR VALUES IN (1);", "SHARE UPDATE EXCLUSIVE", false, "events"],
  ["ALTER TABLE users ALTER COLUMN a SET STATISTICS 100, DISABLE TRIGGER t;", "SHARE ROW EXCLUSIVE", false, "users"],
  ["ALTER TYPE address ADD ATTRIBUTE country text;", null, false, "address"],
  ["CREATE INDEX IF NOT EXISTS i ON users (email);", "SHARE", false, "users"],
  ["CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON users (email);", "SHARE UPDATE EXCLUSIVE", false, "users"],
  ["DROP INDEX IF EXISTS i;", "ACCESS EXCLUSIVE", false, "i"],
  ["DROP INDEX CONCURRENTLY IF EXISTS i;", "SHARE UPDATE EXCLUSIVE", false, "i"],
  ["DROP TRIGGER IF EXISTS t ON app.users;", "ACCESS EXCLUSIVE", false, "app.users"],
  ["REINDEX TABLE users;", "SHARE", false, "users"],
  ["REINDEX TABLE CONCURRENTLY users;", "SHARE UPDATE EXCLUSIVE", false, "users"],
  ["VACUUM FULL users;", "ACCESS EXCLUSIVE", true, "users"],
  ["VACUUM (ANALYZE) users;", "SHARE UPDATE EXCLUSIVE", false, "users"],
  ["CLUSTER users USING users_pkey;", "ACCESS EXCLUSIVE", true, "users"],
  ["REFRESH MATERIALIZED VIEW stats;", "ACCESS EXCLUSIVE", true, "stats"],
  ["REFRESH MATERIALIZED VIEW CONCURRENTLY stats;", "EXCLUSIVE", false, "stats"],
  ["LOCK TABLE users IN SHARE MODE;", "SHARE", false, "users"],
  ["CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();", "SHARE ROW EXCLUSIVE", false, "users"],
  ["CREATE POLICY p ON orders USING (true);", "ACCESS EXCLUSIVE", false, "orders"],
  ["COMMENT ON COLUMN users.email IS 'x';", "SHARE UPDATE EXCLUSIVE", false, "users"],
  ["COMMENT ON TYPE mood IS 'x';", null, false, null],
  ["TRUNCATE sessions, tokens;", "ACCESS EXCLUSIVE", false, "sessions"],
  ["UPDATE users SET a = 1 WHERE id = 1;", "ROW EXCLUSIVE", false, "users"],
  ["SELECT * FROM users;", "ACCESS SHARE", false, "users"],
  ["SELECT * FROM users FOR UPDATE;", "ROW SHARE", false, "users"],
  ["CREATE TABLE IF NOT EXISTS e2 PARTITION OF events FOR VALUES IN (2);", "ACCESS EXCLUSIVE", false, "events"],
  ["CREATE TYPE mood AS ENUM ('ok');", null, false, null],
  [
    "DO $$ BEGIN ALTER TABLE users ADD COLUMN x int; UPDATE users SET x = 1 WHERE id = 1; END $$;",
    "ACCESS EXCLUSIVE",
    false,
    "users",
  ],
  [
    "CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE sql AS $$ ALTER TABLE users ADD COLUMN x int $$;",
    null,
    false,
    null,
  ],
];

describe("lock level, rewrite and table of each statement", () => {
  it.each(cases)("%s → %s", async (sql, lock, rewrites, table) => {
    const [statement] = (await analyseSql(sql)).statements;
    expect(statement).toMatchObject({ lock, rewrites, table });
  });

  it("asks for a lock_timeout before any lock that queues writes, not before weaker ones", async () => {
    const rules = async (sql: string) => (await analyseSql(sql)).findings.map((f) => f.rule);
    expect(await rules("CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION f();")).toContain(
      "missing-lock-timeout",
    );
    expect(await rules("DO $$ BEGIN ALTER TABLE users ADD COLUMN IF NOT EXISTS x int; END $$;")).toContain(
      "missing-lock-timeout",
    );
    expect(await rules("COMMENT ON TABLE users IS 'x';\nALTER TABLE users VALIDATE CONSTRAINT c;")).not.toContain(
      "missing-lock-timeout",
    );
    expect(
      await rules("CREATE TABLE IF NOT EXISTS t (id int);\nALTER TABLE t ADD COLUMN IF NOT EXISTS a int;"),
    ).not.toContain("missing-lock-timeout");
  });
});
