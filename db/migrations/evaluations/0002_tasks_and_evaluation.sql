CREATE TYPE "evaluations"."decision_kind" AS ENUM('COMMENDATION', 'ACCOUNTABILITY');--> statement-breakpoint
CREATE TYPE "evaluations"."evaluation_status" AS ENUM('DRAFT', 'PUBLISHED');--> statement-breakpoint
CREATE TYPE "evaluations"."grade" AS ENUM('EXCELLENT', 'GOOD', 'FAIR', 'POOR');--> statement-breakpoint
CREATE TYPE "evaluations"."grading_method" AS ENUM('THRESHOLDS', 'QUOTAS');--> statement-breakpoint
CREATE TYPE "evaluations"."task_kind" AS ENUM('TACKLING', 'PLAN_DUTY');--> statement-breakpoint
CREATE TABLE "evaluations"."evaluation_decisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"kind" "evaluations"."decision_kind" NOT NULL,
	"text" text NOT NULL,
	"decided_by" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."evaluation_results" (
	"evaluation_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"score" numeric(7, 3) NOT NULL,
	"rank" integer NOT NULL,
	"grade" "evaluations"."grade" NOT NULL,
	"inputs" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"period" text NOT NULL,
	"status" "evaluations"."evaluation_status" DEFAULT 'DRAFT' NOT NULL,
	"indicators" jsonb NOT NULL,
	"grading_method" "evaluations"."grading_method" NOT NULL,
	"grade_cutoffs" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"published_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	CONSTRAINT "evaluations_period_unique" UNIQUE("period")
);
--> statement-breakpoint
CREATE TABLE "evaluations"."indicator_values" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"indicator" text NOT NULL,
	"value" numeric(14, 4) NOT NULL,
	"source" text NOT NULL,
	"entered_by" text NOT NULL,
	"entered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."milestone_completions" (
	"milestone_id" uuid PRIMARY KEY NOT NULL,
	"note" text NOT NULL,
	"done_at" timestamp with time zone NOT NULL,
	"late" boolean NOT NULL,
	"by_subject" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."milestones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"title" text NOT NULL,
	"due_on" date NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."quarterly_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"quarter" text NOT NULL,
	"version" integer NOT NULL,
	"content" text NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"late" boolean NOT NULL,
	"by_subject" text NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "evaluations"."task_kind" NOT NULL,
	"unit_id" uuid,
	"domain_code" text,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"due_on" date NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"reference_key" text,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_decisions" ADD CONSTRAINT "evaluation_decisions_evaluation_id_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "evaluations"."evaluations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_results" ADD CONSTRAINT "evaluation_results_evaluation_id_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "evaluations"."evaluations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."indicator_values" ADD CONSTRAINT "indicator_values_evaluation_id_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "evaluations"."evaluations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."milestone_completions" ADD CONSTRAINT "milestone_completions_milestone_id_milestones_id_fk" FOREIGN KEY ("milestone_id") REFERENCES "evaluations"."milestones"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."milestones" ADD CONSTRAINT "milestones_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "evaluations"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_results_pk" ON "evaluations"."evaluation_results" USING btree ("evaluation_id","unit_id");--> statement-breakpoint
CREATE INDEX "indicator_values_latest_idx" ON "evaluations"."indicator_values" USING btree ("evaluation_id","unit_id","indicator","id");--> statement-breakpoint
CREATE INDEX "milestones_task_idx" ON "evaluations"."milestones" USING btree ("task_id","sequence");--> statement-breakpoint
CREATE INDEX "milestones_due_idx" ON "evaluations"."milestones" USING btree ("due_on");--> statement-breakpoint
CREATE UNIQUE INDEX "quarterly_reports_version" ON "evaluations"."quarterly_reports" USING btree ("unit_id","quarter","version");--> statement-breakpoint
CREATE INDEX "quarterly_reports_quarter_idx" ON "evaluations"."quarterly_reports" USING btree ("quarter");--> statement-breakpoint
CREATE INDEX "tasks_unit_idx" ON "evaluations"."tasks" USING btree ("unit_id","due_on");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_reference_once" ON "evaluations"."tasks" USING btree ("reference_key");