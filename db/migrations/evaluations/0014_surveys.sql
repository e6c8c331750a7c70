CREATE TYPE "evaluations"."respondent_kind" AS ENUM('ENTERPRISE', 'PUBLIC');--> statement-breakpoint
CREATE TYPE "evaluations"."survey_audience" AS ENUM('ENTERPRISES', 'PUBLIC');--> statement-breakpoint
CREATE TYPE "evaluations"."survey_subject" AS ENUM('UNIT', 'DISTRICT', 'ENVIRONMENT');--> statement-breakpoint
CREATE TABLE "evaluations"."survey_answers" (
	"response_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"question" smallint NOT NULL,
	"rating" smallint,
	"choices" smallint[],
	"text" text,
	"answered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "survey_answers_response_id_question_pk" PRIMARY KEY("response_id","question"),
	CONSTRAINT "survey_answers_rating_range" CHECK ("evaluations"."survey_answers"."rating" is null or "evaluations"."survey_answers"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "evaluations"."survey_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"survey_id" uuid NOT NULL,
	"respondent_kind" "evaluations"."respondent_kind" NOT NULL,
	"credit_code" text,
	"respondent_key" text NOT NULL,
	"client_request_id" text NOT NULL,
	"answered_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."surveys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"audience" "evaluations"."survey_audience" NOT NULL,
	"subject" "evaluations"."survey_subject" NOT NULL,
	"unit_id" uuid,
	"district_code" text,
	"environment_code" text,
	"questions" jsonb NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"closes_at" timestamp with time zone NOT NULL,
	"publisher_issuer" text NOT NULL,
	"publisher_role" text NOT NULL,
	"publisher_subject" text NOT NULL,
	"publisher_unit_id" uuid,
	"client_request_id" text NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	CONSTRAINT "surveys_closes_after_opening" CHECK ("evaluations"."surveys"."closes_at" > "evaluations"."surveys"."opens_at")
);
--> statement-breakpoint
ALTER TABLE "evaluations"."survey_answers" ADD CONSTRAINT "survey_answers_response_id_survey_responses_id_fk" FOREIGN KEY ("response_id") REFERENCES "evaluations"."survey_responses"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evaluations"."survey_responses" ADD CONSTRAINT "survey_responses_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "evaluations"."surveys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "survey_answers_question_idx" ON "evaluations"."survey_answers" USING btree ("survey_id","question");--> statement-breakpoint
CREATE INDEX "survey_answers_text_idx" ON "evaluations"."survey_answers" USING btree ("survey_id","answered_at","response_id","question") WHERE "evaluations"."survey_answers"."text" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_enterprise_key" ON "evaluations"."survey_responses" USING btree ("survey_id","credit_code");--> statement-breakpoint
CREATE UNIQUE INDEX "survey_responses_request_key" ON "evaluations"."survey_responses" USING btree ("respondent_key","client_request_id");--> statement-breakpoint
CREATE INDEX "survey_responses_limits_idx" ON "evaluations"."survey_responses" USING btree ("respondent_key","answered_at");--> statement-breakpoint
CREATE INDEX "survey_responses_survey_idx" ON "evaluations"."survey_responses" USING btree ("survey_id","answered_at");--> statement-breakpoint
CREATE INDEX "surveys_time_idx" ON "evaluations"."surveys" USING btree ("opens_at","id");--> statement-breakpoint
CREATE INDEX "surveys_unit_idx" ON "evaluations"."surveys" USING btree ("unit_id","audience","opens_at");--> statement-breakpoint
CREATE UNIQUE INDEX "surveys_request_key" ON "evaluations"."surveys" USING btree ("publisher_issuer","publisher_role","publisher_subject","client_request_id");--> statement-breakpoint
-- Surveys, their answer sheets and answers are evidence: INSERT only (a correction is another survey).
CREATE TRIGGER "surveys_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."surveys"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "surveys_no_truncate" BEFORE TRUNCATE ON "evaluations"."surveys"
  FOR EACH STATEMENT EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "survey_responses_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."survey_responses"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "survey_responses_no_truncate" BEFORE TRUNCATE ON "evaluations"."survey_responses"
  FOR EACH STATEMENT EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "survey_answers_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."survey_answers"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "survey_answers_no_truncate" BEFORE TRUNCATE ON "evaluations"."survey_answers"
  FOR EACH STATEMENT EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
