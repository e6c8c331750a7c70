CREATE TYPE "issues"."case_kind" AS ENUM('POSITIVE', 'NEGATIVE');--> statement-breakpoint
CREATE TYPE "issues"."deadline_close_reason" AS ENUM('REASSIGNED', 'RETURNED', 'MERGED', 'REPLANNED', 'REJECTED');--> statement-breakpoint
CREATE TYPE "issues"."note_audience" AS ENUM('INTERNAL', 'ENTERPRISE');--> statement-breakpoint
CREATE TYPE "issues"."resolution_outcome" AS ENUM('SOLVED', 'SERVICE_CONFIRMED');--> statement-breakpoint
CREATE TYPE "issues"."supervision_outcome_kind" AS ENUM('REMINDER', 'CRITICISM', 'ADMONITION', 'CIRCULATED', 'COMMENDATION');--> statement-breakpoint
ALTER TYPE "issues"."issue_source" ADD VALUE 'UNIT_WINDOW';--> statement-breakpoint
CREATE TABLE "issues"."issue_follow_ups" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"issue_id" uuid NOT NULL,
	"round" smallint NOT NULL,
	"unit_id" uuid,
	"reached" boolean NOT NULL,
	"rating" "issues"."rating",
	"solved" boolean,
	"note" text,
	"actor_subject" text NOT NULL,
	"actor_unit_id" uuid,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "issue_follow_ups_result" CHECK ("issues"."issue_follow_ups"."reached" = ("issues"."issue_follow_ups"."rating" is not null))
);
--> statement-breakpoint
CREATE TABLE "issues"."issue_ratings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"issue_id" uuid NOT NULL,
	"round" smallint NOT NULL,
	"unit_id" uuid,
	"rating" "issues"."rating" NOT NULL,
	"solved" boolean NOT NULL,
	"comment" text,
	"rater_subject" text NOT NULL,
	"rater_role" text NOT NULL,
	"rated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."supervision_outcomes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" "issues"."supervision_outcome_kind" NOT NULL,
	"unit_id" uuid NOT NULL,
	"issue_id" uuid,
	"reason" text NOT NULL,
	"decided_on" date NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "issues"."issue_deadlines_pending_calendar_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_escalated_idx";--> statement-breakpoint
ALTER TABLE "issues"."issue_deadlines" ADD COLUMN "unit_id" uuid;--> statement-breakpoint
ALTER TABLE "issues"."issue_deadlines" ADD COLUMN "close_reason" "issues"."deadline_close_reason";--> statement-breakpoint
ALTER TABLE "issues"."issue_deadlines" ADD COLUMN "judged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "issues"."issue_events" ADD COLUMN "note_audience" "issues"."note_audience";--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "co_handler_unit_ids" uuid[] DEFAULT '{}' NOT NULL;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "intake_unit_id" uuid;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "contact_name" text;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "contact_phone" text;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "first_assigned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "assigned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "resolution_outcome" "issues"."resolution_outcome";--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "supervision_ended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "replan_milestones" jsonb;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "replan_reason" text;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "replan_requested_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "published_kind" "issues"."case_kind";--> statement-breakpoint
ALTER TABLE "issues"."issue_follow_ups" ADD CONSTRAINT "issue_follow_ups_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."issue_ratings" ADD CONSTRAINT "issue_ratings_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."supervision_outcomes" ADD CONSTRAINT "supervision_outcomes_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "issue_follow_ups_issue_idx" ON "issues"."issue_follow_ups" USING btree ("issue_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "issue_ratings_round_key" ON "issues"."issue_ratings" USING btree ("issue_id","round");--> statement-breakpoint
CREATE INDEX "issue_ratings_unit_idx" ON "issues"."issue_ratings" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "supervision_outcomes_unit_idx" ON "issues"."supervision_outcomes" USING btree ("unit_id","decided_on" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "supervision_outcomes_issue_idx" ON "issues"."supervision_outcomes" USING btree ("issue_id");--> statement-breakpoint
CREATE INDEX "issue_deadlines_unit_idx" ON "issues"."issue_deadlines" USING btree ("unit_id");--> statement-breakpoint
CREATE INDEX "issues_co_handlers_idx" ON "issues"."issues" USING gin ("co_handler_unit_ids");--> statement-breakpoint
CREATE INDEX "issues_intake_unit_idx" ON "issues"."issues" USING btree ("intake_unit_id") WHERE "issues"."issues"."intake_unit_id" is not null;--> statement-breakpoint
CREATE INDEX "issue_deadlines_pending_calendar_idx" ON "issues"."issue_deadlines" USING btree ("pending_calendar_year") WHERE "issues"."issue_deadlines"."pending_calendar_year" is not null;--> statement-breakpoint
CREATE INDEX "issues_escalated_idx" ON "issues"."issues" USING btree ("escalated_at") WHERE "issues"."issues"."escalated_at" is not null and "issues"."issues"."supervision_ended_at" is null;