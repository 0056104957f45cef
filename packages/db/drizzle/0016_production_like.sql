-- Production-like environments (issue 26, finding 16): a flag on the environment, not its name,
-- decides production's defaults and the second person for overrides. Hand-written, additive
-- only. Existing environments get the flag a new one of that name would be proposed
-- (`PRODUCTION_LIKE_NAME` in @rollgate/core/policy: production, prod*, prd*, live), so none
-- that the old name rule (`^prod(uction)?$`) treated as production loses it.
ALTER TABLE "environments" ADD COLUMN "production_like" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
UPDATE "environments" SET "production_like" = true WHERE btrim("name") ~* '^(prod|prd)|^live($|[^a-z0-9])';
