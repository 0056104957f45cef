-- Issue 26, findings 1 and 12: the commit a pipeline built (`release.created` data.commit_sha)
-- is a per-environment release attribute, like the author (0012): a rollout records the commit
-- its own environment's registration sent, fixed once recorded there, and a GitHub deployment in
-- that environment is tied to the release only by it (never while the rollout is provisional).
-- Hand-written, additive only.
ALTER TABLE "rollouts" ADD COLUMN "commit_sha" text;
--> statement-breakpoint
CREATE INDEX "rollouts_environment_id_commit_sha_index" ON "rollouts" USING btree ("environment_id","commit_sha");
