import { contract, locking, safe, type Labelled } from "./labelled.ts";

// Code inside code: DO blocks, function bodies, dynamic SQL, data changes nested in CTEs.
export const code: Labelled[] = [
  contract("DO $$ BEGIN EXECUTE 'DROP TABLE legacy'; END $$;", "a literal EXECUTE is analysed"),
  contract("DO $$ BEGIN DROP TABLE legacy; END $$;"),
  contract("DO $$ BEGIN ALTER TABLE users DROP COLUMN email; END $$;"),
  contract("DO $$ BEGIN EXECUTE $q$ALTER TABLE users RENAME TO accounts$q$; END $$;"),
  contract("DO $$ BEGIN EXECUTE E'DROP VIEW active_users'; END $$;"),
  contract("DO $$ BEGIN EXECUTE 'TRUNCATE sessions'::text; END $$;"),
  contract(
    "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'tmp' LOOP EXECUTE format('DROP TABLE tmp.%I', t); END LOOP; END $$;",
    "dynamic SQL",
  ),
  contract("DO $$ BEGIN EXECUTE 'ALTER TABLE users ' || 'DROP COLUMN email'; END $$;", "built, even from literals"),
  contract("DO $$ DECLARE c refcursor; BEGIN OPEN c FOR EXECUTE 'SELECT ' || '1'; END $$;"),
  contract("DO $$ DECLARE r record; BEGIN FOR r IN EXECUTE 'SELECT 1' || '' LOOP END LOOP; END $$;"),
  contract(
    "DO $$ DECLARE n int; BEGIN LOOP DELETE FROM sessions WHERE id IN (SELECT id FROM sessions LIMIT 1000); GET DIAGNOSTICS n = ROW_COUNT; EXIT WHEN n = 0; END LOOP; END $$;",
  ),
  contract(
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'legacy') THEN TRUNCATE legacy; END IF; END $$;",
  ),
  contract("DO $$ BEGIN EXECUTE 'DO $i$ BEGIN DROP TABLE legacy; END $i$'; END $$;", "a DO block inside a DO block"),
  contract("DO $$ BEGIN BEGIN DROP TYPE mood; EXCEPTION WHEN undefined_object THEN NULL; END; END $$;"),
  contract("DO LANGUAGE plpython3u $$ plpy.execute('DROP TABLE legacy') $$;", "another language cannot be read"),
  contract(
    "DO $$ BEGIN SELECT 1 INTO undeclared_var; END $$;",
    "the PL/pgSQL parser rejects it: nothing can be verified",
  ),
  contract(
    "CREATE OR REPLACE FUNCTION purge_sessions() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM sessions; END $$;",
  ),
  contract("CREATE OR REPLACE FUNCTION purge_audit() RETURNS void LANGUAGE sql AS $$ TRUNCATE audit $$;"),
  contract(
    "CREATE OR REPLACE FUNCTION purge_expired() RETURNS void LANGUAGE sql BEGIN ATOMIC DELETE FROM sessions WHERE expires < now(); END;",
  ),
  contract(
    "CREATE OR REPLACE PROCEDURE drop_legacy() LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE users DROP COLUMN legacy; COMMIT; END $$;",
  ),
  contract(
    "CREATE OR REPLACE FUNCTION drop_named(t text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident(t); END $$;",
  ),
  contract(
    "CREATE OR REPLACE FUNCTION audit_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM audit WHERE row_id = OLD.id; RETURN OLD; END $$;",
  ),
  contract(
    "CREATE OR REPLACE FUNCTION broken() RETURNS void LANGUAGE plpgsql AS $$ BEGIN FOR r IN SELECT 1 LOOP END LOOP; END $$;",
    "r is not declared: PL/pgSQL rejects the body",
  ),
  contract(
    "CREATE OR REPLACE FUNCTION reset_ids() RETURNS void LANGUAGE sql AS 'ALTER SEQUENCE invoice_no_seq RESTART';",
  ),
  contract("WITH d AS (DELETE FROM sessions RETURNING *) INSERT INTO sessions_archive SELECT * FROM d;"),
  contract("WITH d AS (DELETE FROM sessions WHERE expires < now() RETURNING id) SELECT count(*) FROM d;"),
  contract(
    "INSERT INTO orders_archive WITH d AS (DELETE FROM orders WHERE created_at < '2020-01-01' RETURNING *) SELECT * FROM d;",
  ),
  contract(
    "UPDATE users SET tier = 1 FROM (WITH d AS (DELETE FROM pending RETURNING user_id) SELECT user_id FROM d) p WHERE users.id = p.user_id;",
  ),
  contract("WITH a AS (WITH b AS (DELETE FROM tokens RETURNING id) SELECT id FROM b) SELECT * FROM a;"),
  contract(
    "WITH m AS (MERGE INTO users u USING banned b ON u.id = b.id WHEN MATCHED THEN DELETE RETURNING u.id) SELECT count(*) FROM m;",
  ),
  contract("COPY (DELETE FROM sessions RETURNING *) TO STDOUT;"),
  contract("EXPLAIN ANALYZE DELETE FROM sessions;"),
  contract("EXPLAIN (ANALYZE, BUFFERS) WITH d AS (DELETE FROM tokens RETURNING id) SELECT count(*) FROM d;"),
  contract("PREPARE purge AS DELETE FROM sessions;\nEXECUTE purge;"),
  locking("DO $$ BEGIN CREATE INDEX IF NOT EXISTS users_email_idx ON users (email); END $$;"),
  locking("DO $$ BEGIN UPDATE users SET tier = 0; END $$;"),
  locking("WITH u AS (UPDATE users SET tier = 1 RETURNING id) SELECT count(*) FROM u;"),
  locking(
    "CREATE OR REPLACE FUNCTION rebuild() RETURNS void LANGUAGE plpgsql AS $$ BEGIN REINDEX TABLE users; END $$;",
  ),
  safe("DO $$ BEGIN CREATE TYPE mood AS ENUM ('ok', 'sad'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;"),
  safe(
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN CREATE TYPE mood AS ENUM ('ok'); END IF; END $$;",
  ),
  safe("DO $$ BEGIN ALTER TABLE users ADD COLUMN nickname text; EXCEPTION WHEN duplicate_column THEN NULL; END $$;"),
  safe("DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN IF NOT EXISTS nickname text'; END $$;"),
  safe("DO $$ BEGIN RAISE NOTICE 'starting migration 42: DROP TABLE comes later'; END $$;"),
  safe("DO $$ BEGIN PERFORM pg_notify('migrations', 'v42'); END $$;"),
  safe(
    "DO $$ DECLARE n int; BEGIN SELECT count(*) INTO n FROM users; IF n > 1000000 THEN RAISE EXCEPTION 'too big for one step'; END IF; END $$;",
  ),
  safe("DO $$ BEGIN UPDATE users SET tier = 0 WHERE tier IS NULL AND id < 1000; END $$;"),
  safe("DO $$ BEGIN INSERT INTO settings (k, v) VALUES ('x', '1') ON CONFLICT DO NOTHING; END $$;"),
  safe(
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_user_fk') THEN ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID; END IF; END $$;",
  ),
  safe("DO $$ BEGIN CREATE TABLE staging (id int); DROP TABLE staging; END $$;"),
  safe(
    "CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;",
  ),
  safe(
    "CREATE OR REPLACE FUNCTION sync_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.email_address := coalesce(NEW.email_address, NEW.email); RETURN NEW; END $$;",
  ),
  safe(
    "CREATE OR REPLACE FUNCTION dual_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO accounts (id, email) VALUES (NEW.id, NEW.email) ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email; RETURN NEW; END $$;",
  ),
  safe(
    "CREATE OR REPLACE FUNCTION full_name(u users) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT u.first_name || ' ' || u.last_name $$;",
  ),
  safe("CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql IMMUTABLE RETURN a + b;"),
  safe("CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;"),
  safe("CREATE OR REPLACE FUNCTION c_hash(text) RETURNS int LANGUAGE c AS 'hashlib', 'c_hash';"),
  safe(
    "CREATE OR REPLACE FUNCTION py_len(t text) RETURNS int LANGUAGE plpython3u AS $$ return len(t) $$;",
    "not run by CREATE",
  ),
  safe(
    "CREATE OR REPLACE FUNCTION user_count() RETURNS bigint LANGUAGE plpgsql AS $$ DECLARE n bigint; BEGIN EXECUTE 'SELECT count(*) FROM users' INTO n; RETURN n; END $$;",
    "a literal that parses",
  ),
  safe(
    "CREATE OR REPLACE FUNCTION recent(since timestamptz) RETURNS SETOF users LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY SELECT * FROM users WHERE created_at > since; END $$;",
  ),
  safe(
    "CREATE OR REPLACE PROCEDURE backfill_tier(batch int) LANGUAGE plpgsql AS $$ BEGIN UPDATE users SET tier = 0 WHERE id IN (SELECT id FROM users WHERE tier IS NULL LIMIT batch); COMMIT; END $$;",
  ),
  safe(
    "WITH recent AS (SELECT * FROM users WHERE created_at > now() - interval '1 day') INSERT INTO digest SELECT id FROM recent;",
  ),
  safe(
    "WITH moved AS (UPDATE users SET tier = 1 WHERE tier = 0 AND id < 1000 RETURNING id) INSERT INTO tier_log SELECT id FROM moved;",
  ),
  safe(
    "WITH ins AS (INSERT INTO accounts (id) SELECT id FROM users WHERE id < 1000 RETURNING id) SELECT count(*) FROM ins;",
  ),
  safe("INSERT INTO orders_archive SELECT * FROM orders WHERE created_at < '2020-01-01';"),
  safe("UPDATE orders o SET user_email = u.email FROM users u WHERE o.user_id = u.id AND o.id BETWEEN 1 AND 5000;"),
  safe(
    "SELECT created_at AT TIME ZONE 'UTC' FROM users WHERE created_at > now() - interval '1 hour';",
    "timestamp with time zone is not a CTE",
  ),
  safe("EXPLAIN DELETE FROM sessions;", "EXPLAIN without ANALYZE runs nothing"),
  safe("EXPLAIN (ANALYZE false) DELETE FROM sessions;"),
  safe("PREPARE user_by_id AS SELECT * FROM users WHERE id = $1;"),
  safe("CALL backfill_tier(1000);"),
];
