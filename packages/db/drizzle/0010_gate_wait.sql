-- Gate waiters (issue 16): every write that can change a rollout's gate sends a NOTIFY on
-- channel `rollgate_gate`, so a long-poll waiting on any replica re-evaluates at once, whoever
-- wrote (another replica, the worker, an admin). The payload names what changed:
-- `r:<rollout id>`, `rel:<release id>` (a rollout of the release in any environment: promotion
-- order), `e:<environment id>` (policy, backups, incidents, inspections) or `*` (people and
-- roles). PostgreSQL folds identical notifications of one transaction into one. Hand-written,
-- additive only (triggers and functions); 0009 belongs to another branch.
CREATE FUNCTION rollgate_gate_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  changed jsonb := to_jsonb(CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END);
BEGIN
  IF TG_ARGV[0] = '*' THEN
    PERFORM pg_notify('rollgate_gate', '*');
  ELSIF changed ->> TG_ARGV[1] IS NOT NULL THEN
    PERFORM pg_notify('rollgate_gate', TG_ARGV[0] || ':' || (changed ->> TG_ARGV[1]));
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION rollgate_gate_snapshots_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Statement-level: a bulk insert notifies once per rollout, not once per row.
  PERFORM pg_notify('rollgate_gate', 'r:' || rollout_id) FROM (SELECT DISTINCT rollout_id FROM new_rows) AS changed;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER slo_snapshots_gate_changed AFTER INSERT ON "slo_snapshots" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollgate_gate_snapshots_added();
--> statement-breakpoint
CREATE TRIGGER rollouts_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "rollouts" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('rel', 'release_id');
--> statement-breakpoint
CREATE TRIGGER releases_gate_changed AFTER UPDATE ON "releases" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('rel', 'id');
--> statement-breakpoint
CREATE TRIGGER approvals_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "approvals" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('r', 'rollout_id');
--> statement-breakpoint
CREATE TRIGGER overrides_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "overrides" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('r', 'rollout_id');
--> statement-breakpoint
CREATE TRIGGER leases_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "leases" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('r', 'rollout_id');
--> statement-breakpoint
CREATE TRIGGER slo_pulls_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "slo_pulls" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('r', 'rollout_id');
--> statement-breakpoint
CREATE TRIGGER environments_gate_changed AFTER UPDATE OR DELETE ON "environments" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('e', 'id');
--> statement-breakpoint
CREATE TRIGGER backups_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "backups" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('e', 'environment_id');
--> statement-breakpoint
CREATE TRIGGER incidents_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "incidents" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('e', 'environment_id');
--> statement-breakpoint
CREATE TRIGGER inspections_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "inspections" FOR EACH ROW EXECUTE FUNCTION rollgate_gate_changed('e', 'environment_id');
--> statement-breakpoint
CREATE TRIGGER user_roles_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "user_roles" FOR EACH STATEMENT EXECUTE FUNCTION rollgate_gate_changed('*');
--> statement-breakpoint
CREATE TRIGGER user_identities_gate_changed AFTER INSERT OR UPDATE OR DELETE ON "user_identities" FOR EACH STATEMENT EXECUTE FUNCTION rollgate_gate_changed('*');
--> statement-breakpoint
CREATE TRIGGER users_gate_changed AFTER INSERT OR DELETE OR UPDATE OF "email" ON "users" FOR EACH STATEMENT EXECUTE FUNCTION rollgate_gate_changed('*');
