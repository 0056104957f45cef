-- Issue 26, findings 1 and 12: the commit a pipeline built (`release.created` data.commit_sha)
-- is a per-environment release attribute, like the author (0012): a rollout records the commit
-- its own environment's registration sent, fixed once recorded there, and a GitHub deployment in
-- that environment is tied to the release only by it (never while the rollout is provisional).
-- Hand-written, additive only. IF NOT EXISTS: 0011 once put this column on releases instead;
-- a database that applied that draft keeps its unused releases.commit_sha.
ALTER TABLE "rollouts" ADD COLUMN IF NOT EXISTS "commit_sha" text;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "rollouts_environment_id_commit_sha_index" ON "rollouts" USING btree ("environment_id","commit_sha");
