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
ALTER TABLE "data_checks" ADD CONSTRAINT "data_checks_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "data_checks_rollout_id_name_index" ON "data_checks" USING btree ("rollout_id","name");