CREATE TYPE "issues"."plan_duty_kind" AS ENUM('PLAN_DOCUMENT', 'SELF_CHECK_LIST');--> statement-breakpoint
CREATE TABLE "issues"."issue_origins" (
	"issue_id" uuid PRIMARY KEY NOT NULL,
	"plan_duty_filing_id" uuid
);
--> statement-breakpoint
CREATE TABLE "issues"."plan_duties" (
	"code" text PRIMARY KEY NOT NULL,
	"kind" "issues"."plan_duty_kind" NOT NULL,
	"title" text NOT NULL,
	"due_on" date NOT NULL,
	"declared_by" text NOT NULL,
	"declared_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."plan_duty_filings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"duty_code" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"document_reference" text NOT NULL,
	"note" text,
	"filed_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"late" boolean NOT NULL,
	"filer_issuer" text NOT NULL,
	"filer_role" text NOT NULL,
	"filer_subject" text NOT NULL,
	"client_request_id" text NOT NULL,
	"request_fingerprint" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "issues"."issue_origins" ADD CONSTRAINT "issue_origins_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."issue_origins" ADD CONSTRAINT "issue_origins_plan_duty_filing_id_plan_duty_filings_id_fk" FOREIGN KEY ("plan_duty_filing_id") REFERENCES "issues"."plan_duty_filings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."plan_duty_filings" ADD CONSTRAINT "plan_duty_filings_duty_code_plan_duties_code_fk" FOREIGN KEY ("duty_code") REFERENCES "issues"."plan_duties"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "issue_origins_filing_idx" ON "issues"."issue_origins" USING btree ("plan_duty_filing_id");--> statement-breakpoint
CREATE INDEX "plan_duties_due_idx" ON "issues"."plan_duties" USING btree ("due_on");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_duty_filings_version_key" ON "issues"."plan_duty_filings" USING btree ("duty_code","unit_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_duty_filings_request_key" ON "issues"."plan_duty_filings" USING btree ("filer_issuer","filer_role","filer_subject","client_request_id");--> statement-breakpoint
CREATE INDEX "plan_duty_filings_unit_idx" ON "issues"."plan_duty_filings" USING btree ("unit_id","duty_code");--> statement-breakpoint
-- The plan's duties, the units' filings and the issues a filing brought in are evidence: INSERT only.
CREATE TRIGGER "plan_duties_append_only" BEFORE UPDATE OR DELETE ON "issues"."plan_duties"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "plan_duties_no_truncate" BEFORE TRUNCATE ON "issues"."plan_duties"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "plan_duty_filings_append_only" BEFORE UPDATE OR DELETE ON "issues"."plan_duty_filings"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "plan_duty_filings_no_truncate" BEFORE TRUNCATE ON "issues"."plan_duty_filings"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_origins_append_only" BEFORE UPDATE OR DELETE ON "issues"."issue_origins"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_origins_no_truncate" BEFORE TRUNCATE ON "issues"."issue_origins"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
