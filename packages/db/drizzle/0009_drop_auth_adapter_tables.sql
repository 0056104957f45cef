-- rollgate: contract
-- next-auth's Drizzle-adapter tables. Rollgate signs in with JWT sessions (the credentials
-- provider requires them) and has never configured the adapter: no release has read or
-- written these tables, so an app rollback to any earlier version still finds everything it
-- uses (docs/migrations.md). Hand-written; the drizzle schema drops them in the same commit.
-- No lock_timeout: nothing queries these tables, so the ACCESS EXCLUSIVE locks wait for no one,
-- and a SET LOCAL would outlive this file in the migrator's single transaction.
DROP TABLE IF EXISTS "accounts";--> statement-breakpoint
DROP TABLE IF EXISTS "sessions";--> statement-breakpoint
DROP TABLE IF EXISTS "verification_tokens";
