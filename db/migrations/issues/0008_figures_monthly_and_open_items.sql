CREATE TABLE "issues"."issue_figures_monthly" (
	"axis" "issues"."figure_axis" NOT NULL,
	"key" text NOT NULL,
	"month" date NOT NULL,
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
	"open_contact" integer DEFAULT 0 NOT NULL,
	"open_feedback" integer DEFAULT 0 NOT NULL,
	"open_resolution" integer DEFAULT 0 NOT NULL,
	"open_milestone" integer DEFAULT 0 NOT NULL,
	"running" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "issue_figures_monthly_axis_key_month_pk" PRIMARY KEY("axis","key","month")
);
--> statement-breakpoint
ALTER TABLE "issues"."issue_figures" ADD COLUMN "open_contact" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "issues"."issue_figures" ADD COLUMN "open_feedback" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "issues"."issue_figures" ADD COLUMN "open_resolution" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "issues"."issue_figures" ADD COLUMN "open_milestone" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "issues"."issue_figures" ADD COLUMN "running" integer DEFAULT 0 NOT NULL;