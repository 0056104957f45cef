-- Facts from the application's database (issue 13). Additive only: inspections sent by
-- `rollgate inspect` (the summary, and the usage map apart so the gate never reads it), the
-- manifests observed per app version, and per-statement results of the lock-safe executor.
CREATE TABLE IF NOT EXISTS "inspections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"environment_id" uuid NOT NULL REFERENCES "environments"("id") ON DELETE cascade,
	"rollout_id" uuid REFERENCES "rollouts"("id") ON DELETE set null,
	"event_id" uuid NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"window_start" boolean DEFAULT false NOT NULL,
	"summary" jsonb NOT NULL,
	"usage" jsonb
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inspections_environment_id_received_at_index" ON "inspections" USING btree ("environment_id", "received_at");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "observed_manifests" (
	"environment_id" uuid NOT NULL REFERENCES "environments"("id") ON DELETE cascade,
	"version" text NOT NULL,
	"entries" jsonb NOT NULL,
	"covered_from" timestamp with time zone NOT NULL,
	"covered_to" timestamp with time zone NOT NULL,
	"intervals" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "observed_manifests_environment_id_version_pk" PRIMARY KEY ("environment_id", "version")
);
--> statement-breakpoint
ALTER TABLE "migration_runs" ADD COLUMN IF NOT EXISTS "statements" jsonb;
