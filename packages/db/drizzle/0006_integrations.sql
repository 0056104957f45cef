-- Integrations (second wave): the GitHub App's settings, GitHub environment → Rollgate
-- environment links, and the deployment protection rule callbacks GitHub waits on.
-- Hand-written (additive only); 0004 and 0005 belong to other branches.
CREATE TABLE "github_app" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"app_id" bigint NOT NULL,
	"private_key_ciphertext" text NOT NULL,
	"webhook_secret_ciphertext" text NOT NULL,
	"api_base_url" text DEFAULT 'https://api.github.com' NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "github_app_single_row" CHECK ("github_app"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "github_environment_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"repository" text NOT NULL,
	"github_environment" text NOT NULL,
	"environment_id" uuid NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "github_environment_links" ADD CONSTRAINT "github_environment_links_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "github_environment_links_repo_env" ON "github_environment_links" USING btree ("repository","github_environment");
--> statement-breakpoint
CREATE TABLE "github_deployment_callbacks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"delivery_id" text NOT NULL,
	"installation_id" bigint NOT NULL,
	"repository" text NOT NULL,
	"github_environment" text NOT NULL,
	"callback_url" text NOT NULL,
	"deployment_id" bigint,
	"sha" text,
	"ref" text,
	"service" text,
	"environment" text,
	"release" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"decision" text,
	"comment" text,
	"received_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"answered_at" timestamp with time zone,
	CONSTRAINT "github_deployment_callbacks_delivery_id_unique" UNIQUE("delivery_id")
);
--> statement-breakpoint
CREATE INDEX "github_deployment_callbacks_due" ON "github_deployment_callbacks" USING btree ("next_attempt_at") WHERE "github_deployment_callbacks"."state" = 'pending';
