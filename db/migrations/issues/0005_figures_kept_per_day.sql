CREATE TYPE "issues"."figure_axis" AS ENUM('UNIT', 'ENVIRONMENT', 'SOURCE', 'DISTRICT');--> statement-breakpoint
CREATE TABLE "issues"."issue_figure_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"txid" bigint DEFAULT txid_current() NOT NULL,
	"day" date NOT NULL,
	"unit_key" text NOT NULL,
	"environment" text NOT NULL,
	"source" text NOT NULL,
	"district" text NOT NULL,
	"part" text NOT NULL,
	"amount" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."issue_figures" (
	"axis" "issues"."figure_axis" NOT NULL,
	"key" text NOT NULL,
	"day" date NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"accepted" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	"reopened" integer DEFAULT 0 NOT NULL,
	"dispatched" integer DEFAULT 0 NOT NULL,
	"dispatch_ms" bigint DEFAULT 0 NOT NULL,
	"resolved_solved" integer DEFAULT 0 NOT NULL,
	"resolved_service_confirmed" integer DEFAULT 0 NOT NULL,
	"contact_due" integer DEFAULT 0 NOT NULL,
	"contact_on_time" integer DEFAULT 0 NOT NULL,
	"feedback_due" integer DEFAULT 0 NOT NULL,
	"feedback_on_time" integer DEFAULT 0 NOT NULL,
	"resolution_due" integer DEFAULT 0 NOT NULL,
	"resolution_on_time" integer DEFAULT 0 NOT NULL,
	"milestone_due" integer DEFAULT 0 NOT NULL,
	"milestone_on_time" integer DEFAULT 0 NOT NULL,
	"rated" integer DEFAULT 0 NOT NULL,
	"rated_solved" integer DEFAULT 0 NOT NULL,
	"rated_satisfied" integer DEFAULT 0 NOT NULL,
	"first_rated" integer DEFAULT 0 NOT NULL,
	"first_rated_solved" integer DEFAULT 0 NOT NULL,
	"first_rated_satisfied" integer DEFAULT 0 NOT NULL,
	"followed_up" integer DEFAULT 0 NOT NULL,
	"follow_up_satisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "issue_figures_axis_key_day_pk" PRIMARY KEY("axis","key","day")
);
--> statement-breakpoint
ALTER TABLE "issues"."issue_deadlines" ADD COLUMN "received_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "issue_figure_changes_txid_idx" ON "issues"."issue_figure_changes" USING btree ("txid");--> statement-breakpoint
CREATE INDEX "issue_deadlines_open_due_idx" ON "issues"."issue_deadlines" USING btree ("due_at","id","warn_at","unit_id","stage","received_at") WHERE "issues"."issue_deadlines"."met_at" is null and "issues"."issue_deadlines"."cancelled_at" is null;--> statement-breakpoint
CREATE INDEX "issues_open_due_idx" ON "issues"."issues" USING btree ("next_due_at","responsible_unit_id","received_at") WHERE "issues"."issues"."next_due_at" is not null;