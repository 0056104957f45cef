-- Release attributes per environment (issue 26, finding 12): a release.created fixes the
-- author and app version only for the environments its token may act on. A rollout created by
-- another environment's registration is provisional (its author counts as nobody known) until
-- a token that may act on its environment registers the release; then `author` and
-- `release_version` hold what that registration said. Rows from before stay bound to the
-- release's author (provisional false, author null). Hand-written, additive only.
ALTER TABLE "rollouts" ADD COLUMN "author" text;--> statement-breakpoint
ALTER TABLE "rollouts" ADD COLUMN "provisional" boolean DEFAULT false NOT NULL;
