-- The statements Rollgate sends for one accepted slo.snapshot, one for one, for pgbench (see ingest.bench.ts):
-- the token lookup, then one transaction with the delivery claim, the rollout lock, the event and
-- the snapshot. The rate limit is admitted from a replica's reserved share in memory, so the
-- server writes its counter once per share, not per event: no statement for it here.
-- A snapshot changes no state, so it neither updates the rollout nor appends to the audit chain.
\set r random(0, :rollouts - 1)
SELECT t.id, t.service_id, s.slug, t.name, t.environments, t.scopes, t.secret_ciphertext, t.last_used_at
  FROM api_tokens t JOIN services s ON s.id = t.service_id WHERE t.token_hash = 'TOKEN_HASH' AND t.revoked_at IS NULL LIMIT 1;
BEGIN;
INSERT INTO webhook_deliveries (token_id, webhook_id, event_type, status, http_status, event_id)
  VALUES ('TOKEN_ID', 'pgbench_' || gen_random_uuid(), 'slo.snapshot', 'accepted', 202, gen_random_uuid())
  ON CONFLICT (token_id, webhook_id) DO NOTHING RETURNING id AS delivery_id, event_id \gset
SELECT r.id, r.state, r.environment_id, e.policy FROM rollouts r
  JOIN releases l ON l.id = r.release_id JOIN environments e ON e.id = r.environment_id JOIN services s ON s.id = e.service_id
  WHERE s.slug = 'SERVICE_SLUG' AND e.name = 'staging' AND l.key = 'b' || :r LIMIT 1
  FOR UPDATE OF r \gset rollout_
INSERT INTO rollout_events (id, rollout_id, type, occurred_at, received_at, data, delivery_id, state_before, state_after)
  VALUES (:event_id, :rollout_id, 'slo.snapshot', now(), now(), '{"availability": 99.9, "error_budget_remaining": 0.8, "burn_rate": 0.5, "latency_p99_ms": 120}', :delivery_id, :rollout_state, :rollout_state);
INSERT INTO slo_snapshots (rollout_id, observed_at, availability, error_budget_remaining, burn_rate, latency_p99_ms)
  VALUES (:rollout_id, now(), 99.9, 0.8, 0.5, 120);
COMMIT;
