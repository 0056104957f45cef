-- Trust (issue 12). Additive only: scripts move to the rollout that owns them (the release's
-- columns stay until a later contract migration), leases remember the script they were
-- granted for, overrides carry a second person's confirmation, people have several identities,
-- and audit entries say which hash they use.
ALTER TABLE "rollouts" ADD COLUMN "expand_sql" text;
--> statement-breakpoint
ALTER TABLE "rollouts" ADD COLUMN "contract_sql" text;
--> statement-breakpoint
UPDATE "rollouts" SET "expand_sql" = r."expand_sql" FROM "releases" r WHERE r."id" = "rollouts"."release_id" AND r."expand_checksum" IS NOT DISTINCT FROM "rollouts"."expand_checksum";
--> statement-breakpoint
UPDATE "rollouts" SET "contract_sql" = r."contract_sql" FROM "releases" r WHERE r."id" = "rollouts"."release_id" AND r."contract_checksum" IS NOT DISTINCT FROM "rollouts"."contract_checksum";
--> statement-breakpoint
ALTER TABLE "rollout_events" ADD COLUMN "clock_skew_seconds" integer;
--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "kind" text DEFAULT 'gate' NOT NULL;
--> statement-breakpoint
ALTER TABLE "leases" ADD COLUMN "checksum" text;
--> statement-breakpoint
ALTER TABLE "overrides" ADD COLUMN "kind" text DEFAULT 'break_glass' NOT NULL;
--> statement-breakpoint
ALTER TABLE "overrides" ADD COLUMN "confirmed_by" uuid;
--> statement-breakpoint
ALTER TABLE "overrides" ADD COLUMN "confirmed_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "overrides" ADD COLUMN "phase" text;
--> statement-breakpoint
ALTER TABLE "overrides" ADD COLUMN "fix_name" text;
--> statement-breakpoint
ALTER TABLE "overrides" ADD COLUMN "fix_sql" text;
--> statement-breakpoint
ALTER TABLE "overrides" ADD COLUMN "fix_checksum" text;
--> statement-breakpoint
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_confirmed_by_users_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action NOT VALID;
--> statement-breakpoint
CREATE TABLE "user_identities" (
	"identity" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_identities_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action
);
--> statement-breakpoint
CREATE INDEX "user_identities_user_id_index" ON "user_identities" USING btree ("user_id");
--> statement-breakpoint
INSERT INTO "user_identities" ("identity", "user_id") SELECT 'email:' || lower("email"), "id" FROM "users" ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "alg" text DEFAULT 'sha256' NOT NULL;
