CREATE TABLE "backfills" (
	"rollout_id" uuid NOT NULL,
	"backfill_id" uuid NOT NULL,
	"table_name" text,
	"set_list" text,
	"where_clause" text,
	"key_columns" jsonb,
	"check_name" text,
	"check_sql" text,
	"state" text NOT NULL,
	"rows_done" bigint DEFAULT 0 NOT NULL,
	"rows_written" bigint DEFAULT 0 NOT NULL,
	"estimate_rows" bigint,
	"batch_size" integer,
	"rate_per_s" double precision,
	"eta_s" double precision,
	"replica_lag_ms" double precision,
	"throttle" text,
	"pause_cause" text,
	"duration_ms" bigint,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"control" text DEFAULT 'run' NOT NULL,
	"control_requested_by" uuid,
	"control_requested_at" timestamp with time zone,
	CONSTRAINT "backfills_rollout_id_backfill_id_pk" PRIMARY KEY("rollout_id","backfill_id")
);
--> statement-breakpoint
ALTER TABLE "backfills" ADD CONSTRAINT "backfills_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "backfills" ADD CONSTRAINT "backfills_control_requested_by_users_id_fk" FOREIGN KEY ("control_requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backfills_rollout_id_started_at_index" ON "backfills" USING btree ("rollout_id","started_at");