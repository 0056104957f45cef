-- Signals pulled, and jobs (issue 14). Additive only: new tables, nullable or defaulted columns,
-- and indexes on small tables. `slo_snapshots` (the large one) only gains a nullable column,
-- which is a catalogue change without a rewrite.
ALTER TABLE "slo_snapshots" ADD COLUMN "source" text;
--> statement-breakpoint
CREATE TABLE "slo_pulls" (
	"rollout_id" uuid NOT NULL,
	"slot_at" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"pulled_at" timestamp with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"error" text,
	"duration_ms" integer,
	CONSTRAINT "slo_pulls_rollout_id_slot_at_pk" PRIMARY KEY("rollout_id","slot_at")
);
--> statement-breakpoint
ALTER TABLE "slo_pulls" ADD CONSTRAINT "slo_pulls_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "slo_pulls_pulled_at_index" ON "slo_pulls" USING btree ("pulled_at");
--> statement-breakpoint
CREATE TABLE "slo_source_secrets" (
	"environment_id" uuid PRIMARY KEY NOT NULL,
	"secret_ciphertext" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "slo_source_secrets" ADD CONSTRAINT "slo_source_secrets_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "source" text DEFAULT 'manual' NOT NULL;
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "external_key" text;
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "url" text;
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "endpoint_id" uuid;
--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_open_external_index" ON "incidents" USING btree ("environment_id","source","external_key") WHERE "incidents"."closed_at" is null and "incidents"."external_key" is not null;
--> statement-breakpoint
CREATE TABLE "integration_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"service_id" uuid NOT NULL,
	"environment_id" uuid,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"token_prefix" text,
	"token_hash" text,
	"secret_ciphertext" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "integration_endpoints_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "integration_endpoints" ADD CONSTRAINT "integration_endpoints_service_id_services_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."services"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "integration_endpoints" ADD CONSTRAINT "integration_endpoints_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE TABLE "integration_deliveries" (
	"endpoint_id" uuid NOT NULL,
	"delivery_id" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"outcome" text NOT NULL,
	CONSTRAINT "integration_deliveries_endpoint_id_delivery_id_pk" PRIMARY KEY("endpoint_id","delivery_id")
);
--> statement-breakpoint
ALTER TABLE "integration_deliveries" ADD CONSTRAINT "integration_deliveries_endpoint_id_integration_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."integration_endpoints"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "integration_deliveries_received_at_index" ON "integration_deliveries" USING btree ("received_at");
--> statement-breakpoint
CREATE TABLE "job_status" (
	"job" text PRIMARY KEY NOT NULL,
	"next_run_at" timestamp with time zone,
	"last_started_at" timestamp with time zone,
	"last_finished_at" timestamp with time zone,
	"last_succeeded_at" timestamp with time zone,
	"last_failed_at" timestamp with time zone,
	"last_error" text,
	"last_summary" text,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"runs" bigint DEFAULT 0 NOT NULL,
	"failures" bigint DEFAULT 0 NOT NULL
);
