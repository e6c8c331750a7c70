CREATE TABLE "financing"."figure_totals" (
	"dimension" "financing"."figure_dimension" NOT NULL,
	"key" text NOT NULL,
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
	"version" bigint DEFAULT 1 NOT NULL,
	CONSTRAINT "figure_totals_dimension_key_pk" PRIMARY KEY("dimension","key")
);
--> statement-breakpoint
CREATE INDEX "figures_group_day" ON "financing"."figures" USING btree ("dimension","key","day");--> statement-breakpoint
CREATE INDEX "figures_monthly_group_month" ON "financing"."figures_monthly" USING btree ("dimension","key","month");