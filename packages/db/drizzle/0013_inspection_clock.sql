-- Inspections carry the database's own clock and identity (issue 26, finding 5): `now()` and
-- `pg_control_system().system_identifier` as `rollgate inspect` read them. Rollgate refuses an
-- inspection of a database that is not newer than the newest one it holds of it, looked up by
-- this index. Hand-written, additive only: nullable columns (older CLIs send neither) and an index.
ALTER TABLE "inspections" ADD COLUMN IF NOT EXISTS "taken_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "inspections" ADD COLUMN IF NOT EXISTS "system_identifier" text;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inspections_environment_id_system_identifier_taken_at_index" ON "inspections" USING btree ("environment_id", "system_identifier", "taken_at");
