-- Audit downgrade (issue 26, finding 6). Additive only. The key record says where keyed hashing
-- began (the first keyed entry's sequence number and hash), MACed with the audit key, which the
-- database never holds; unkeyed entries verify only before the entry it names. One row, written
-- with the first keyed entry, append-only like the chain. New entries are keyed: the column's
-- default is no longer the legacy algorithm.
ALTER TABLE "audit_events" ALTER COLUMN "alg" SET DEFAULT 'hmac-sha256';
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "audit_key_records" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"first_keyed_seq" bigint NOT NULL,
	"first_keyed_hash" text NOT NULL,
	"mac" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_key_records_one_row" CHECK ("id")
);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_key_records_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_key_records is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_key_records_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_key_records
  FOR EACH ROW EXECUTE FUNCTION audit_key_records_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE TRIGGER audit_key_records_no_truncate
  BEFORE TRUNCATE ON audit_key_records
  FOR EACH STATEMENT EXECUTE FUNCTION audit_key_records_refuse_change();
