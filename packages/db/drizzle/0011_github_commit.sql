-- Issue 26, finding 8 (GitHub deployment protection rules). Hand-written, additive only.
-- The commit a release's pipeline built is recorded per rollout (migration 0018), not here.
-- The workflow run a protection rule belongs to (from its callback URL): the same deployment and
-- run is one callback, whatever X-GitHub-Delivery a replay carries.
ALTER TABLE "github_deployment_callbacks" ADD COLUMN "run_id" bigint;
--> statement-breakpoint
CREATE UNIQUE INDEX "github_deployment_callbacks_run" ON "github_deployment_callbacks" USING btree ("repository","deployment_id","run_id") WHERE "deployment_id" IS NOT NULL AND "run_id" IS NOT NULL;
