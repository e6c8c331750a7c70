CREATE SCHEMA "evaluations";
--> statement-breakpoint
CREATE TYPE "evaluations"."appeal_decision" AS ENUM('UPHELD', 'REJECTED');--> statement-breakpoint
CREATE TYPE "evaluations"."contest_level" AS ENUM('CITY', 'SYSTEM', 'INTERNAL');--> statement-breakpoint
CREATE TYPE "evaluations"."contest_status" AS ENUM('OPEN', 'CLOSED', 'PUBLISHED');--> statement-breakpoint
CREATE TYPE "evaluations"."review_action_kind" AS ENUM('ANSWER', 'RECTIFY', 'FOLLOW_UP', 'APPEAL', 'APPEAL_DECISION');--> statement-breakpoint
CREATE TYPE "evaluations"."review_channel" AS ENUM('ONLINE', 'WINDOW', 'HOTLINE', 'MOBILE', 'SELF_SERVICE', 'SMS');--> statement-breakpoint
CREATE TYPE "evaluations"."review_level" AS ENUM('VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED', 'VERY_UNSATISFIED');--> statement-breakpoint
CREATE TYPE "evaluations"."review_status" AS ENUM('NO_ACTION', 'AWAITING_ANSWER', 'AWAITING_RECTIFICATION', 'AWAITING_FOLLOW_UP', 'DONE', 'EXCLUDED');--> statement-breakpoint
CREATE TYPE "evaluations"."reviewer_kind" AS ENUM('PUBLIC', 'ENTERPRISE', 'SIGNED_IN');--> statement-breakpoint
CREATE TABLE "evaluations"."contest_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contest_id" uuid NOT NULL,
	"unit_id" uuid,
	"entrant_name" text NOT NULL,
	"problems" text NOT NULL,
	"goals" text NOT NULL,
	"ideas" text NOT NULL,
	"measures" text NOT NULL,
	"carried_from_contest_id" uuid,
	"added_by" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."contest_judges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"contest_id" uuid NOT NULL,
	"subject" text NOT NULL,
	"name" text NOT NULL,
	"assigned_by" text NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."contest_results" (
	"contest_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"rank" integer NOT NULL,
	"score" numeric(7, 3),
	"judges_counted" integer NOT NULL,
	"judge_totals" jsonb NOT NULL,
	"contests_again" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."contest_scores" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"contest_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"judge_id" uuid NOT NULL,
	"criterion" smallint NOT NULL,
	"score" numeric(5, 2) NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "contest_scores_range" CHECK ("evaluations"."contest_scores"."score" between 0 and 100 and "evaluations"."contest_scores"."criterion" >= 0)
);
--> statement-breakpoint
CREATE TABLE "evaluations"."contests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"level" "evaluations"."contest_level" NOT NULL,
	"domain_code" text,
	"unit_id" uuid,
	"held_on" date NOT NULL,
	"status" "evaluations"."contest_status" DEFAULT 'OPEN' NOT NULL,
	"criteria" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_by_unit_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	CONSTRAINT "contests_scope" CHECK (("evaluations"."contests"."level" = 'SYSTEM') = ("evaluations"."contests"."domain_code" is not null) and ("evaluations"."contests"."level" = 'INTERNAL') = ("evaluations"."contests"."unit_id" is not null))
);
--> statement-breakpoint
CREATE TABLE "evaluations"."review_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" uuid NOT NULL,
	"kind" "evaluations"."review_action_kind" NOT NULL,
	"text" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"level" "evaluations"."review_level",
	"reached" boolean,
	"decision" "evaluations"."appeal_decision",
	"by_subject" text NOT NULL,
	"by_unit_id" uuid
);
--> statement-breakpoint
CREATE TABLE "evaluations"."service_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"service_item" text NOT NULL,
	"channel" "evaluations"."review_channel" NOT NULL,
	"level" "evaluations"."review_level" NOT NULL,
	"comment" text,
	"reviewer_kind" "evaluations"."reviewer_kind" NOT NULL,
	"reviewer_subject" text,
	"reviewer_key" text NOT NULL,
	"client_request_id" text NOT NULL,
	"reviewed_at" timestamp with time zone NOT NULL,
	"answer_due_at" timestamp with time zone,
	"rectify_due_at" timestamp with time zone,
	"pending_calendar_year" integer,
	"status" "evaluations"."review_status" NOT NULL,
	"appeal_pending" boolean DEFAULT false NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluations"."contest_entries" ADD CONSTRAINT "contest_entries_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "evaluations"."contests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."contest_judges" ADD CONSTRAINT "contest_judges_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "evaluations"."contests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."contest_results" ADD CONSTRAINT "contest_results_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "evaluations"."contests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."contest_results" ADD CONSTRAINT "contest_results_entry_id_contest_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "evaluations"."contest_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."contest_scores" ADD CONSTRAINT "contest_scores_contest_id_contests_id_fk" FOREIGN KEY ("contest_id") REFERENCES "evaluations"."contests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."contest_scores" ADD CONSTRAINT "contest_scores_entry_id_contest_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "evaluations"."contest_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."contest_scores" ADD CONSTRAINT "contest_scores_judge_id_contest_judges_id_fk" FOREIGN KEY ("judge_id") REFERENCES "evaluations"."contest_judges"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."review_actions" ADD CONSTRAINT "review_actions_review_id_service_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "evaluations"."service_reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contest_entries_contest_idx" ON "evaluations"."contest_entries" USING btree ("contest_id");--> statement-breakpoint
CREATE UNIQUE INDEX "contest_entries_unit_once" ON "evaluations"."contest_entries" USING btree ("contest_id","unit_id") WHERE "evaluations"."contest_entries"."unit_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "contest_entries_name_once" ON "evaluations"."contest_entries" USING btree ("contest_id","entrant_name");--> statement-breakpoint
CREATE UNIQUE INDEX "contest_judges_once" ON "evaluations"."contest_judges" USING btree ("contest_id","subject");--> statement-breakpoint
CREATE UNIQUE INDEX "contest_results_pk" ON "evaluations"."contest_results" USING btree ("contest_id","entry_id");--> statement-breakpoint
CREATE INDEX "contest_scores_latest_idx" ON "evaluations"."contest_scores" USING btree ("contest_id","judge_id","entry_id","criterion","id");--> statement-breakpoint
CREATE INDEX "contests_scope_idx" ON "evaluations"."contests" USING btree ("level","domain_code","unit_id","held_on");--> statement-breakpoint
CREATE INDEX "contests_held_on_idx" ON "evaluations"."contests" USING btree ("held_on","id");--> statement-breakpoint
CREATE INDEX "review_actions_review_idx" ON "evaluations"."review_actions" USING btree ("review_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "review_actions_once" ON "evaluations"."review_actions" USING btree ("review_id","kind") WHERE "evaluations"."review_actions"."kind" <> 'FOLLOW_UP';--> statement-breakpoint
CREATE INDEX "service_reviews_open_idx" ON "evaluations"."service_reviews" USING btree ("status","answer_due_at","rectify_due_at") WHERE "evaluations"."service_reviews"."status" in ('AWAITING_ANSWER', 'AWAITING_RECTIFICATION');--> statement-breakpoint
CREATE UNIQUE INDEX "service_reviews_idempotent" ON "evaluations"."service_reviews" USING btree ("reviewer_key","client_request_id");--> statement-breakpoint
CREATE INDEX "service_reviews_unit_idx" ON "evaluations"."service_reviews" USING btree ("unit_id","reviewed_at","id");--> statement-breakpoint
CREATE INDEX "service_reviews_time_idx" ON "evaluations"."service_reviews" USING btree ("reviewed_at","id");--> statement-breakpoint
CREATE INDEX "service_reviews_limits_idx" ON "evaluations"."service_reviews" USING btree ("reviewer_key","reviewed_at");