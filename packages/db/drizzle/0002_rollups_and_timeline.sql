CREATE TABLE "slo_hours" (
	"rollout_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"min_availability" double precision NOT NULL,
	"min_error_budget_remaining" double precision NOT NULL,
	"max_burn_rate" double precision NOT NULL,
	CONSTRAINT "slo_hours_rollout_id_hour_pk" PRIMARY KEY("rollout_id","hour")
);
--> statement-breakpoint
CREATE TABLE "slo_minutes" (
	"rollout_id" uuid NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"min_availability" double precision NOT NULL,
	"min_error_budget_remaining" double precision NOT NULL,
	"max_burn_rate" double precision NOT NULL,
	CONSTRAINT "slo_minutes_rollout_id_minute_pk" PRIMARY KEY("rollout_id","minute")
);
--> statement-breakpoint
ALTER TABLE "slo_hours" ADD CONSTRAINT "slo_hours_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "slo_minutes" ADD CONSTRAINT "slo_minutes_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_rejected_idx" ON "webhook_deliveries" USING btree ("rollout_id","received_at") WHERE "webhook_deliveries"."status" = 'rejected';--> statement-breakpoint
CREATE INDEX "rollout_events_timeline_idx" ON "rollout_events" USING btree ("rollout_id","occurred_at","id") WHERE "rollout_events"."type" <> 'slo.snapshot';--> statement-breakpoint
-- The rollups are kept by the database itself: every insert into slo_snapshots (one row
-- from an event or a million from a backfill) adds its per-minute and per-hour aggregates in
-- the same statement. Periods are binned from a fixed UTC origin, so the session time zone
-- never matters.
CREATE FUNCTION slo_rollups_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO slo_minutes AS m (rollout_id, minute, samples, min_availability, min_error_budget_remaining, max_burn_rate)
  SELECT rollout_id, date_bin('1 minute', observed_at, timestamptz '2000-01-01 00:00:00+00'),
         count(*), min(availability), min(error_budget_remaining), max(burn_rate)
  FROM new_rows
  GROUP BY 1, 2
  ON CONFLICT (rollout_id, minute) DO UPDATE SET
    samples = m.samples + excluded.samples,
    min_availability = least(m.min_availability, excluded.min_availability),
    min_error_budget_remaining = least(m.min_error_budget_remaining, excluded.min_error_budget_remaining),
    max_burn_rate = greatest(m.max_burn_rate, excluded.max_burn_rate);
  INSERT INTO slo_hours AS h (rollout_id, hour, samples, min_availability, min_error_budget_remaining, max_burn_rate)
  SELECT rollout_id, date_bin('1 hour', observed_at, timestamptz '2000-01-01 00:00:00+00'),
         count(*), min(availability), min(error_budget_remaining), max(burn_rate)
  FROM new_rows
  GROUP BY 1, 2
  ON CONFLICT (rollout_id, hour) DO UPDATE SET
    samples = h.samples + excluded.samples,
    min_availability = least(h.min_availability, excluded.min_availability),
    min_error_budget_remaining = least(h.min_error_budget_remaining, excluded.min_error_budget_remaining),
    max_burn_rate = greatest(h.max_burn_rate, excluded.max_burn_rate);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER slo_snapshots_roll_up
  AFTER INSERT ON slo_snapshots
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION slo_rollups_add();
--> statement-breakpoint
-- Snapshots are append-only: a change would leave the rollups wrong, so it is refused.
CREATE FUNCTION slo_snapshots_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'slo_snapshots is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER slo_snapshots_no_update
  BEFORE UPDATE ON slo_snapshots
  FOR EACH ROW EXECUTE FUNCTION slo_snapshots_refuse_change();
--> statement-breakpoint
INSERT INTO slo_minutes (rollout_id, minute, samples, min_availability, min_error_budget_remaining, max_burn_rate)
SELECT rollout_id, date_bin('1 minute', observed_at, timestamptz '2000-01-01 00:00:00+00'),
       count(*), min(availability), min(error_budget_remaining), max(burn_rate)
FROM slo_snapshots
GROUP BY 1, 2;
--> statement-breakpoint
INSERT INTO slo_hours (rollout_id, hour, samples, min_availability, min_error_budget_remaining, max_burn_rate)
SELECT rollout_id, date_bin('1 hour', observed_at, timestamptz '2000-01-01 00:00:00+00'),
       count(*), min(availability), min(error_budget_remaining), max(burn_rate)
FROM slo_snapshots
GROUP BY 1, 2;
