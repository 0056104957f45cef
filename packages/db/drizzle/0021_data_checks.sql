CREATE TABLE "data_check_runs" (
	"inspection_id" uuid NOT NULL,
	"environment_id" uuid NOT NULL,
	"name" text NOT NULL,
	"checksum" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"rows" bigint NOT NULL,
	"sample_keys" jsonb NOT NULL,
	"duration_ms" integer NOT NULL,
	"error" text,
	CONSTRAINT "data_check_runs_inspection_id_name_pk" PRIMARY KEY("inspection_id","name")
);
--> statement-breakpoint
CREATE TABLE "data_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rollout_id" uuid NOT NULL,
	"name" text NOT NULL,
	"sql" text NOT NULL,
	"checksum" text NOT NULL,
	"source" text NOT NULL,
	"declared_at" timestamp with time zone NOT NULL,
	CONSTRAINT "data_checks_source" CHECK ("data_checks"."source" in ('release', 'inspect', 'backfill'))
);
--> statement-breakpoint
ALTER TABLE "data_check_runs" ADD CONSTRAINT "data_check_runs_inspection_id_inspections_id_fk" FOREIGN KEY ("inspection_id") REFERENCES "public"."inspections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_checks" ADD CONSTRAINT "data_checks_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "data_check_runs_environment_id_checksum_name_received_at_index" ON "data_check_runs" USING btree ("environment_id","checksum","name","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "data_checks_rollout_id_name_index" ON "data_checks" USING btree ("rollout_id","name");