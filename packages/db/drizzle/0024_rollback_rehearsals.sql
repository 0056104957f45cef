CREATE TABLE "rollback_rehearsals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"environment_id" uuid NOT NULL,
	"rollout_id" uuid NOT NULL,
	"version" text NOT NULL,
	"contract_checksum" text NOT NULL,
	"source" text NOT NULL,
	"statements" bigint NOT NULL,
	"passed" bigint NOT NULL,
	"noise" bigint NOT NULL,
	"unverifiable" bigint NOT NULL,
	"proof_count" bigint NOT NULL,
	"proofs" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rollback_rehearsals_source" CHECK ("rollback_rehearsals"."source" in ('observed', 'file'))
);
--> statement-breakpoint
ALTER TABLE "rollback_rehearsals" ADD CONSTRAINT "rollback_rehearsals_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollback_rehearsals" ADD CONSTRAINT "rollback_rehearsals_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rollback_rehearsals_environment_id_version_received_at_index" ON "rollback_rehearsals" USING btree ("environment_id","version","received_at");--> statement-breakpoint
CREATE INDEX "rollback_rehearsals_rollout_id_received_at_index" ON "rollback_rehearsals" USING btree ("rollout_id","received_at");