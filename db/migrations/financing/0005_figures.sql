CREATE TYPE "financing"."figure_dimension" AS ENUM('CITY', 'INSTITUTION', 'BRANCH', 'DISTRICT', 'CATEGORY');--> statement-breakpoint
CREATE TABLE "financing"."figures" (
	"dimension" "financing"."figure_dimension" NOT NULL,
	"key" text NOT NULL,
	"day" date NOT NULL,
	"posted" integer DEFAULT 0 NOT NULL,
	"routed" integer DEFAULT 0 NOT NULL,
	"claimed" integer DEFAULT 0 NOT NULL,
	"dispatched" integer DEFAULT 0 NOT NULL,
	"chosen" integer DEFAULT 0 NOT NULL,
	"approved" integer DEFAULT 0 NOT NULL,
	"disbursed" integer DEFAULT 0 NOT NULL,
	"declined" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"amount_asked" bigint DEFAULT 0 NOT NULL,
	"amount_lent" bigint DEFAULT 0 NOT NULL,
	"first_loans" integer DEFAULT 0 NOT NULL,
	"first_loan_amount" bigint DEFAULT 0 NOT NULL,
	"pure_credit_loans" integer DEFAULT 0 NOT NULL,
	"pure_credit_amount" bigint DEFAULT 0 NOT NULL,
	"rate_bp_sum" bigint DEFAULT 0 NOT NULL,
	"past_limit" integer DEFAULT 0 NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"rating_score_sum" integer DEFAULT 0 NOT NULL,
	"claim_bands" integer[] DEFAULT '{}' NOT NULL,
	"decision_days" integer[] DEFAULT '{}' NOT NULL,
	CONSTRAINT "figures_day_dimension_key_pk" PRIMARY KEY("day","dimension","key")
);
--> statement-breakpoint
CREATE TABLE "financing"."figures_monthly" (
	"dimension" "financing"."figure_dimension" NOT NULL,
	"key" text NOT NULL,
	"month" date NOT NULL,
	"posted" integer DEFAULT 0 NOT NULL,
	"routed" integer DEFAULT 0 NOT NULL,
	"claimed" integer DEFAULT 0 NOT NULL,
	"dispatched" integer DEFAULT 0 NOT NULL,
	"chosen" integer DEFAULT 0 NOT NULL,
	"approved" integer DEFAULT 0 NOT NULL,
	"disbursed" integer DEFAULT 0 NOT NULL,
	"declined" integer DEFAULT 0 NOT NULL,
	"withdrawn" integer DEFAULT 0 NOT NULL,
	"amount_asked" bigint DEFAULT 0 NOT NULL,
	"amount_lent" bigint DEFAULT 0 NOT NULL,
	"first_loans" integer DEFAULT 0 NOT NULL,
	"first_loan_amount" bigint DEFAULT 0 NOT NULL,
	"pure_credit_loans" integer DEFAULT 0 NOT NULL,
	"pure_credit_amount" bigint DEFAULT 0 NOT NULL,
	"rate_bp_sum" bigint DEFAULT 0 NOT NULL,
	"past_limit" integer DEFAULT 0 NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"rating_score_sum" integer DEFAULT 0 NOT NULL,
	"claim_bands" integer[] DEFAULT '{}' NOT NULL,
	"decision_days" integer[] DEFAULT '{}' NOT NULL,
	CONSTRAINT "figures_monthly_month_dimension_key_pk" PRIMARY KEY("month","dimension","key")
);
--> statement-breakpoint
CREATE TABLE "financing"."limit_lateness" (
	"limit_id" bigint PRIMARY KEY NOT NULL,
	"demand_id" uuid NOT NULL,
	"kind" "financing"."limit_kind" NOT NULL,
	"institution_id" uuid,
	"branch_id" uuid,
	"due_at" timestamp with time zone NOT NULL,
	"stopped_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "financing"."limit_lateness" ADD CONSTRAINT "limit_lateness_limit_id_demand_limits_id_fk" FOREIGN KEY ("limit_id") REFERENCES "financing"."demand_limits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "limit_lateness_institution_idx" ON "financing"."limit_lateness" USING btree ("institution_id","stopped_at");--> statement-breakpoint
-- Lateness is evidence: once a limit is recorded as stopped past its due time, it stays so.
CREATE TRIGGER "limit_lateness_append_only" BEFORE UPDATE OR DELETE ON "financing"."limit_lateness"
  FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "limit_lateness_no_truncate" BEFORE TRUNCATE ON "financing"."limit_lateness"
  FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
