-- The writes Rollgate makes for one accepted slo.snapshot, for pgbench (see ingest.bench.ts).
-- A snapshot changes no state, so it neither updates the rollout nor appends to the audit chain.
\set r random(0, :rollouts - 1)
BEGIN;
SET LOCAL synchronous_commit = off;
INSERT INTO rate_limits (bucket, window_start, count) VALUES ('token:TOKEN_ID', date_trunc('minute', now()), 1)
  ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1;
COMMIT;
BEGIN;
INSERT INTO webhook_deliveries (token_id, webhook_id, event_type, status, http_status)
  VALUES ('TOKEN_ID', 'pgbench_' || gen_random_uuid(), 'slo.snapshot', 'processing', 0);
SELECT r.id FROM rollouts r JOIN releases l ON l.id = r.release_id
  WHERE l.service_id = 'SERVICE_ID' AND l.key = 'b' || :r AND r.environment_id = (SELECT id FROM environments WHERE service_id = 'SERVICE_ID' AND name = 'staging')
  FOR UPDATE OF r;
INSERT INTO rollout_events (rollout_id, type, occurred_at, data, state_before, state_after)
  SELECT r.id, 'slo.snapshot', now(), '{"availability": 99.9, "error_budget_remaining": 0.8, "burn_rate": 0.5}', 'planned', 'planned'
  FROM rollouts r JOIN releases l ON l.id = r.release_id JOIN environments e ON e.id = r.environment_id WHERE l.service_id = 'SERVICE_ID' AND l.key = 'b' || :r AND e.name = 'staging';
INSERT INTO slo_snapshots (rollout_id, observed_at, availability, error_budget_remaining, burn_rate, latency_p99_ms)
  SELECT r.id, now(), 99.9, 0.8, 0.5, 120
  FROM rollouts r JOIN releases l ON l.id = r.release_id JOIN environments e ON e.id = r.environment_id WHERE l.service_id = 'SERVICE_ID' AND l.key = 'b' || :r AND e.name = 'staging';
UPDATE webhook_deliveries SET status = 'accepted', http_status = 202
  WHERE id = (SELECT id FROM webhook_deliveries WHERE token_id = 'TOKEN_ID' ORDER BY received_at DESC LIMIT 1);
COMMIT;
