-- Trigram indexes back the free-text filter on 100k+ issues (pg_trgm is a trusted extension).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE SCHEMA "issues";
--> statement-breakpoint
CREATE TYPE "issues"."appeal_kind" AS ENUM('CONSULTATION', 'HELP', 'COMPLAINT', 'REPORT', 'SUGGESTION');--> statement-breakpoint
CREATE TYPE "issues"."deadline_stage" AS ENUM('CONTACT', 'FEEDBACK', 'RESOLUTION', 'MILESTONE');--> statement-breakpoint
CREATE TYPE "issues"."environment" AS ENUM('POLICY', 'SERVICE', 'FACTOR', 'MARKET', 'RULE_OF_LAW', 'HUMANISTIC');--> statement-breakpoint
CREATE TYPE "issues"."issue_source" AS ENUM('SELF_INSPECTION', 'DIRECTOR_IN_HALL', 'SIGNED_NOT_LANDED', 'MONITORING_POINT', 'RECEPTION_ROOM', 'DISCIPLINE_INSPECTION', 'SUPERVISION', 'UNDERCOVER_VISIT', 'ENTERPRISE_APPEAL', 'HOTLINE_12345', 'DISCIPLINE_REPORT', 'SURVEY', 'MEDIA', 'THIRD_PARTY', 'COMMAND_OFFICE_REFERRAL');--> statement-breakpoint
CREATE TYPE "issues"."issue_status" AS ENUM('SUBMITTED', 'REJECTED', 'ACCEPTED', 'ASSIGNED', 'RETURNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'CLOSED', 'REOPENED', 'MERGED');--> statement-breakpoint
CREATE TYPE "issues"."rating" AS ENUM('SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED');--> statement-breakpoint
CREATE TYPE "issues"."rectification_mode" AS ENUM('IMMEDIATE', 'ONGOING');--> statement-breakpoint
CREATE TABLE "issues"."calendar_years" (
	"year" integer PRIMARY KEY NOT NULL,
	"notice" text,
	"off" date[] NOT NULL,
	"workdays" date[] NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."issue_deadlines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"issue_id" uuid NOT NULL,
	"stage" "issues"."deadline_stage" NOT NULL,
	"round" smallint DEFAULT 1 NOT NULL,
	"title" text,
	"starts_at" timestamp with time zone NOT NULL,
	"hours" smallint,
	"working_days" smallint,
	"due_on" date,
	"due_at" timestamp with time zone,
	"pending_calendar_year" smallint,
	"warn_at" timestamp with time zone,
	"met_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "issues"."issue_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"issue_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" "issues"."issue_status",
	"to_status" "issues"."issue_status" NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_unit_id" uuid,
	"note" text,
	"details" jsonb,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."issues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" bigserial NOT NULL,
	"source" "issues"."issue_source" NOT NULL,
	"environment" "issues"."environment" NOT NULL,
	"appeal_kind" "issues"."appeal_kind",
	"title" text NOT NULL,
	"description" text NOT NULL,
	"enterprise_credit_code" text,
	"district_code" text,
	"proposed_unit_id" uuid,
	"responsible_unit_id" uuid,
	"responsible_leader" text,
	"rectification_mode" "issues"."rectification_mode",
	"immediate_working_days" smallint,
	"status" "issues"."issue_status" DEFAULT 'SUBMITTED' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"reporter_subject" text NOT NULL,
	"reporter_role" text NOT NULL,
	"reporter_unit_id" uuid,
	"reporter_enterprise" text,
	"client_request_id" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"rejection_reason" text,
	"resolution" text,
	"rating" "issues"."rating",
	"rating_solved" boolean,
	"rating_comment" text,
	"rated_at" timestamp with time zone,
	"reopen_count" smallint DEFAULT 0 NOT NULL,
	"enterprise_reopen_used" boolean DEFAULT false NOT NULL,
	"escalated_at" timestamp with time zone,
	"supervising_leader" text,
	"merged_into_id" uuid,
	"absorbed_count" integer DEFAULT 0 NOT NULL,
	"reminder_count" integer DEFAULT 0 NOT NULL,
	"extension_requested_working_days" smallint,
	"extension_reason" text,
	"extension_requested_at" timestamp with time zone,
	"extension_granted_working_days" smallint,
	"published_at" timestamp with time zone,
	"published_title" text,
	"published_summary" text,
	"next_due_at" timestamp with time zone,
	"next_warn_at" timestamp with time zone,
	"sample" boolean DEFAULT false NOT NULL,
	CONSTRAINT "issues_immediate_limit" CHECK ("issues"."issues"."immediate_working_days" is null or "issues"."issues"."immediate_working_days" between 1 and 30),
	CONSTRAINT "issues_extension_limit" CHECK ("issues"."issues"."extension_granted_working_days" is null or "issues"."issues"."extension_granted_working_days" <= 30)
);
--> statement-breakpoint
ALTER TABLE "issues"."issue_deadlines" ADD CONSTRAINT "issue_deadlines_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."issue_events" ADD CONSTRAINT "issue_events_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "issue_deadlines_issue_idx" ON "issues"."issue_deadlines" USING btree ("issue_id","stage","round");--> statement-breakpoint
CREATE INDEX "issue_deadlines_open_warn_idx" ON "issues"."issue_deadlines" USING btree ("warn_at") WHERE "issues"."issue_deadlines"."met_at" is null and "issues"."issue_deadlines"."cancelled_at" is null;--> statement-breakpoint
CREATE INDEX "issue_deadlines_pending_calendar_idx" ON "issues"."issue_deadlines" USING btree ("issue_id") WHERE "issues"."issue_deadlines"."due_at" is null and "issues"."issue_deadlines"."met_at" is null and "issues"."issue_deadlines"."cancelled_at" is null;--> statement-breakpoint
CREATE INDEX "issue_events_issue_idx" ON "issues"."issue_events" USING btree ("issue_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "issues_number_key" ON "issues"."issues" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "issues_client_request_key" ON "issues"."issues" USING btree ("reporter_subject","client_request_id");--> statement-breakpoint
CREATE INDEX "issues_received_idx" ON "issues"."issues" USING btree ("received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_unit_received_idx" ON "issues"."issues" USING btree ("responsible_unit_id","received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_reporter_unit_idx" ON "issues"."issues" USING btree ("reporter_unit_id","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_reporter_enterprise_idx" ON "issues"."issues" USING btree ("reporter_enterprise","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_reporter_subject_idx" ON "issues"."issues" USING btree ("reporter_subject","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_enterprise_idx" ON "issues"."issues" USING btree ("enterprise_credit_code");--> statement-breakpoint
CREATE INDEX "issues_district_idx" ON "issues"."issues" USING btree ("district_code","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_environment_idx" ON "issues"."issues" USING btree ("environment","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_source_idx" ON "issues"."issues" USING btree ("source","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_status_idx" ON "issues"."issues" USING btree ("status","received_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_next_due_idx" ON "issues"."issues" USING btree ("next_due_at");--> statement-breakpoint
CREATE INDEX "issues_escalated_idx" ON "issues"."issues" USING btree ("escalated_at") WHERE "issues"."issues"."escalated_at" is not null;--> statement-breakpoint
CREATE INDEX "issues_published_idx" ON "issues"."issues" USING btree ("published_at" DESC NULLS LAST) WHERE "issues"."issues"."published_at" is not null;--> statement-breakpoint
CREATE INDEX "issues_merged_into_idx" ON "issues"."issues" USING btree ("merged_into_id") WHERE "issues"."issues"."merged_into_id" is not null;--> statement-breakpoint
CREATE INDEX "issues_text_trgm_idx" ON "issues"."issues" USING gin (("title" || ' ' || "description") gin_trgm_ops);