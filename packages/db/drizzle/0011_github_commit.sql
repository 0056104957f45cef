-- Issue 26, findings 1 and 8 (GitHub deployment protection rules). Hand-written, additive only.
-- A release records the commit its pipeline builds (`release.created` data.commit_sha): a GitHub
-- deployment is tied to a release by that sha, never by a branch or tag name.
ALTER TABLE "releases" ADD COLUMN "commit_sha" text;
--> statement-breakpoint
CREATE INDEX "releases_service_id_commit_sha_index" ON "releases" USING btree ("service_id","commit_sha");
--> statement-breakpoint
-- The workflow run a protection rule belongs to (from its callback URL): the same deployment and
-- run is one callback, whatever X-GitHub-Delivery a replay carries.
ALTER TABLE "github_deployment_callbacks" ADD COLUMN "run_id" bigint;
--> statement-breakpoint
CREATE UNIQUE INDEX "github_deployment_callbacks_run" ON "github_deployment_callbacks" USING btree ("repository","deployment_id","run_id") WHERE "deployment_id" IS NOT NULL AND "run_id" IS NOT NULL;
