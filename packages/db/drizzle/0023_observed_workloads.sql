CREATE TABLE "observed_workloads" (
	"environment_id" uuid NOT NULL,
	"version" text NOT NULL,
	"statements" jsonb NOT NULL,
	"covered_from" timestamp with time zone NOT NULL,
	"covered_to" timestamp with time zone NOT NULL,
	"complete" boolean NOT NULL,
	"intervals" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "observed_workloads_environment_id_version_pk" PRIMARY KEY("environment_id","version")
);
--> statement-breakpoint
ALTER TABLE "inspections" ADD COLUMN "workload" jsonb;--> statement-breakpoint
ALTER TABLE "observed_workloads" ADD CONSTRAINT "observed_workloads_environment_id_fkey" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;