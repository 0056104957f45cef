-- Issue 26, finding 7: an Alertmanager resolve closes an incident only when it is about the same
-- firing (fingerprint and start). The start of the firing that opened (or last refreshed) the
-- incident is kept here; null for incidents opened before this migration, which still close by
-- fingerprint. Hand-written, additive only (a nullable column: a catalog change, no rewrite; no
-- lock_timeout, since a SET LOCAL would outlive this file in the migrator's single transaction).
ALTER TABLE "incidents" ADD COLUMN IF NOT EXISTS "alert_starts_at" timestamp with time zone;
