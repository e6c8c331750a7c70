CREATE SCHEMA "policies";
--> statement-breakpoint
CREATE TYPE "policies"."amount_kind" AS ENUM('FIXED', 'CAPPED', 'RATE');--> statement-breakpoint
CREATE TYPE "policies"."application_source" AS ENUM('ONLINE', 'IMPORTED', 'AUTOMATIC');--> statement-breakpoint
CREATE TYPE "policies"."application_status" AS ENUM('DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'RETURNED', 'RESUBMITTED', 'APPROVED', 'REJECTED', 'PUBLIC_NOTICE', 'STOPPED', 'DISBURSED');--> statement-breakpoint
CREATE TYPE "policies"."environment" AS ENUM('POLICY', 'SERVICE', 'FACTOR', 'MARKET', 'RULE_OF_LAW', 'HUMANISTIC');--> statement-breakpoint
CREATE TYPE "policies"."item_kind" AS ENUM('GRANT', 'SUBSIDY', 'REWARD', 'TAX_RELIEF', 'FEE_RELIEF', 'SERVICE');--> statement-breakpoint
CREATE TYPE "policies"."item_status" AS ENUM('DRAFT', 'PUBLISHED', 'CLOSED');--> statement-breakpoint
CREATE TYPE "policies"."policy_level" AS ENUM('NATIONAL', 'PROVINCIAL', 'MUNICIPAL', 'DISTRICT');--> statement-breakpoint
CREATE TYPE "policies"."policy_status" AS ENUM('DRAFT', 'CONSULTATION', 'PUBLISHED', 'REPEALED');--> statement-breakpoint
CREATE TYPE "policies"."qualification" AS ENUM('HIGH_TECH', 'TECH_SME', 'SPECIALIZED_SME', 'LITTLE_GIANT', 'GAZELLE', 'MANUFACTURING_CHAMPION');--> statement-breakpoint
CREATE TYPE "policies"."qualification_match" AS ENUM('ANY', 'ALL');--> statement-breakpoint
CREATE TYPE "policies"."review_level" AS ENUM('VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED', 'VERY_UNSATISFIED');--> statement-breakpoint
CREATE TYPE "policies"."size_class" AS ENUM('LARGE', 'MEDIUM', 'SMALL', 'MICRO');--> statement-breakpoint
CREATE TABLE "policies"."application_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" "policies"."application_status",
	"to_status" "policies"."application_status" NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_unit_id" uuid,
	"note" text,
	"details" jsonb,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"number" bigserial NOT NULL,
	"item_id" uuid NOT NULL,
	"policy_id" uuid NOT NULL,
	"reviewing_unit_id" uuid NOT NULL,
	"issuing_unit_id" uuid NOT NULL,
	"enterprise_credit_code" text NOT NULL,
	"source" "policies"."application_source" NOT NULL,
	"status" "policies"."application_status" NOT NULL,
	"submitter_subject" text NOT NULL,
	"client_request_id" text,
	"request_fingerprint" text,
	"source_system" text,
	"external_reference" text,
	"declared_base" numeric(16, 2),
	"requested_amount" numeric(16, 2),
	"approved_amount" numeric(16, 2),
	"materials" jsonb DEFAULT '[]' NOT NULL,
	"missing_materials" text[] DEFAULT '{}' NOT NULL,
	"eligibility" jsonb DEFAULT '[]' NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone,
	"review_clock_at" timestamp with time zone,
	"review_started_at" timestamp with time zone,
	"reviewer_subject" text,
	"return_reason" text,
	"decided_at" timestamp with time zone,
	"approved_at" timestamp with time zone,
	"rejection_reason" text,
	"notice_starts_at" timestamp with time zone,
	"notice_ends_on" date,
	"notice_ends_at" timestamp with time zone,
	"disbursed_amount" numeric(16, 2),
	"paid_on" date,
	"payment_reference" text,
	"disbursed_at" timestamp with time zone,
	"cycle_working_days" smallint,
	"review_due_at" timestamp with time zone,
	"payment_due_at" timestamp with time zone,
	"pending_calendar_year" smallint,
	"next_due_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."objections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"body" text NOT NULL,
	"contact" text,
	"objector_subject" text,
	"objector_role" text NOT NULL,
	"filed_at" timestamp with time zone NOT NULL,
	"answer" text,
	"upheld" boolean,
	"answered_at" timestamp with time zone,
	"answered_by" text
);
--> statement-breakpoint
CREATE TABLE "policies"."policies" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"level" "policies"."policy_level" NOT NULL,
	"issuing_unit_id" uuid NOT NULL,
	"district_code" text,
	"environment" "policies"."environment" NOT NULL,
	"status" "policies"."policy_status" DEFAULT 'DRAFT' NOT NULL,
	"revision" smallint DEFAULT 1 NOT NULL,
	"title" text NOT NULL,
	"document_number" text,
	"summary" text,
	"body" text NOT NULL,
	"issued_on" date NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"consultation_ends_on" date,
	"published_at" timestamp with time zone,
	"repealed_at" timestamp with time zone,
	"repeal_reason" text,
	"head_terms" "tsvector" NOT NULL,
	"body_terms" "tsvector" NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	CONSTRAINT "policies_validity" CHECK ("policies"."policies"."valid_until" is null or "policies"."policies"."valid_until" >= "policies"."policies"."valid_from"),
	CONSTRAINT "policies_district_level" CHECK (("policies"."policies"."level" = 'DISTRICT') = ("policies"."policies"."district_code" is not null))
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_comments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"policy_id" uuid NOT NULL,
	"body" text NOT NULL,
	"author_subject" text NOT NULL,
	"author_role" text NOT NULL,
	"author_unit_id" uuid,
	"author_enterprise" text,
	"created_at" timestamp with time zone NOT NULL,
	"answer" text,
	"adopted" boolean,
	"answered_at" timestamp with time zone,
	"answered_by" text
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"policy_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" "policies"."policy_status",
	"to_status" "policies"."policy_status" NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_unit_id" uuid,
	"note" text,
	"details" jsonb,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_interpretations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"policy_id" uuid NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"author_subject" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"policy_id" uuid NOT NULL,
	"issuing_unit_id" uuid NOT NULL,
	"level" "policies"."policy_level" NOT NULL,
	"environment" "policies"."environment" NOT NULL,
	"name" text NOT NULL,
	"kind" "policies"."item_kind" NOT NULL,
	"description" text NOT NULL,
	"amount_kind" "policies"."amount_kind",
	"amount" numeric(16, 2),
	"rate" numeric(7, 6),
	"amount_base" text,
	"opens_on" date,
	"closes_on" date,
	"required_materials" text[] DEFAULT '{}' NOT NULL,
	"reviewing_unit_id" uuid NOT NULL,
	"review_working_days" smallint NOT NULL,
	"payment_working_days" smallint NOT NULL,
	"notice_working_days" smallint DEFAULT 5 NOT NULL,
	"industry_prefixes" text[] DEFAULT '{}' NOT NULL,
	"size_classes" "policies"."size_class"[] DEFAULT '{}' NOT NULL,
	"district_codes" text[] DEFAULT '{}' NOT NULL,
	"min_years" smallint,
	"max_years" smallint,
	"qualifications" "policies"."qualification"[] DEFAULT '{}' NOT NULL,
	"qualification_match" "policies"."qualification_match" DEFAULT 'ANY' NOT NULL,
	"automatic" boolean DEFAULT false NOT NULL,
	"status" "policies"."item_status" DEFAULT 'DRAFT' NOT NULL,
	"published_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"sort_at" timestamp with time zone NOT NULL,
	"head_terms" "tsvector" NOT NULL,
	"body_terms" "tsvector" NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	CONSTRAINT "policy_items_window" CHECK ("policies"."policy_items"."closes_on" is null or "policies"."policy_items"."opens_on" is null or "policies"."policy_items"."closes_on" >= "policies"."policy_items"."opens_on"),
	CONSTRAINT "policy_items_years" CHECK ("policies"."policy_items"."min_years" is null or "policies"."policy_items"."max_years" is null or "policies"."policy_items"."max_years" >= "policies"."policy_items"."min_years"),
	CONSTRAINT "policy_items_limits" CHECK ("policies"."policy_items"."review_working_days" between 1 and 365 and "policies"."policy_items"."payment_working_days" between 1 and 365 and "policies"."policy_items"."notice_working_days" between 1 and 60)
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_news" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"unit_id" uuid NOT NULL,
	"policy_ids" uuid[] DEFAULT '{}' NOT NULL,
	"author_subject" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"head_terms" "tsvector" NOT NULL,
	"body_terms" "tsvector" NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_notices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" uuid NOT NULL,
	"enterprise_credit_code" text NOT NULL,
	"sent_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_revisions" (
	"policy_id" uuid NOT NULL,
	"revision" smallint NOT NULL,
	"title" text NOT NULL,
	"document_number" text,
	"summary" text,
	"body" text NOT NULL,
	"issued_on" date NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"change_note" text,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" text NOT NULL,
	"superseded_at" timestamp with time zone,
	CONSTRAINT "policy_revisions_policy_id_revision_pk" PRIMARY KEY("policy_id","revision")
);
--> statement-breakpoint
CREATE TABLE "policies"."service_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"reviewing_unit_id" uuid NOT NULL,
	"enterprise_credit_code" text NOT NULL,
	"level" "policies"."review_level" NOT NULL,
	"comment" text,
	"reviewed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policies"."application_events" ADD CONSTRAINT "application_events_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "policies"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."applications" ADD CONSTRAINT "applications_item_id_policy_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "policies"."policy_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."objections" ADD CONSTRAINT "objections_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "policies"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."policy_comments" ADD CONSTRAINT "policy_comments_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "policies"."policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."policy_events" ADD CONSTRAINT "policy_events_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "policies"."policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."policy_interpretations" ADD CONSTRAINT "policy_interpretations_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "policies"."policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."policy_items" ADD CONSTRAINT "policy_items_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "policies"."policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."policy_notices" ADD CONSTRAINT "policy_notices_item_id_policy_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "policies"."policy_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."policy_revisions" ADD CONSTRAINT "policy_revisions_policy_id_policies_id_fk" FOREIGN KEY ("policy_id") REFERENCES "policies"."policies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."service_reviews" ADD CONSTRAINT "service_reviews_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "policies"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_events_application_idx" ON "policies"."application_events" USING btree ("application_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_number_key" ON "policies"."applications" USING btree ("number");--> statement-breakpoint
CREATE UNIQUE INDEX "applications_client_request_key" ON "policies"."applications" USING btree ("submitter_subject","client_request_id") WHERE "policies"."applications"."client_request_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "applications_external_key" ON "policies"."applications" USING btree ("source_system","external_reference") WHERE "policies"."applications"."external_reference" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "applications_one_live_key" ON "policies"."applications" USING btree ("item_id","enterprise_credit_code") WHERE "policies"."applications"."status" not in ('REJECTED', 'STOPPED');--> statement-breakpoint
CREATE INDEX "applications_entered_idx" ON "policies"."applications" USING btree ("entered_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "applications_reviewing_unit_idx" ON "policies"."applications" USING btree ("reviewing_unit_id","entered_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "applications_issuing_unit_idx" ON "policies"."applications" USING btree ("issuing_unit_id","entered_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "applications_enterprise_idx" ON "policies"."applications" USING btree ("enterprise_credit_code","entered_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "applications_item_idx" ON "policies"."applications" USING btree ("item_id","enterprise_credit_code");--> statement-breakpoint
CREATE INDEX "applications_next_due_idx" ON "policies"."applications" USING btree ("next_due_at") WHERE "policies"."applications"."next_due_at" is not null;--> statement-breakpoint
CREATE INDEX "applications_pending_calendar_idx" ON "policies"."applications" USING btree ("pending_calendar_year") WHERE "policies"."applications"."pending_calendar_year" is not null;--> statement-breakpoint
CREATE INDEX "applications_notice_idx" ON "policies"."applications" USING btree ("notice_ends_at") WHERE "policies"."applications"."status" = 'PUBLIC_NOTICE';--> statement-breakpoint
CREATE INDEX "objections_application_idx" ON "policies"."objections" USING btree ("application_id","filed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "policies_document_number_key" ON "policies"."policies" USING btree ("document_number") WHERE "policies"."policies"."document_number" is not null;--> statement-breakpoint
CREATE INDEX "policies_issued_idx" ON "policies"."policies" USING btree ("issued_on" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "policies_unit_idx" ON "policies"."policies" USING btree ("issuing_unit_id","issued_on" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "policies_head_terms_idx" ON "policies"."policies" USING gin ("head_terms");--> statement-breakpoint
CREATE INDEX "policies_body_terms_idx" ON "policies"."policies" USING gin ("body_terms");--> statement-breakpoint
CREATE INDEX "policy_comments_policy_idx" ON "policies"."policy_comments" USING btree ("policy_id","created_at");--> statement-breakpoint
CREATE INDEX "policy_events_policy_idx" ON "policies"."policy_events" USING btree ("policy_id","id");--> statement-breakpoint
CREATE INDEX "policy_interpretations_policy_idx" ON "policies"."policy_interpretations" USING btree ("policy_id","created_at");--> statement-breakpoint
CREATE INDEX "policy_items_policy_idx" ON "policies"."policy_items" USING btree ("policy_id");--> statement-breakpoint
CREATE INDEX "policy_items_sort_idx" ON "policies"."policy_items" USING btree ("sort_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "policy_items_reviewing_unit_idx" ON "policies"."policy_items" USING btree ("reviewing_unit_id");--> statement-breakpoint
CREATE INDEX "policy_items_head_terms_idx" ON "policies"."policy_items" USING gin ("head_terms");--> statement-breakpoint
CREATE INDEX "policy_items_body_terms_idx" ON "policies"."policy_items" USING gin ("body_terms");--> statement-breakpoint
CREATE INDEX "policy_news_published_idx" ON "policies"."policy_news" USING btree ("published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "policy_news_policies_idx" ON "policies"."policy_news" USING gin ("policy_ids");--> statement-breakpoint
CREATE INDEX "policy_news_head_terms_idx" ON "policies"."policy_news" USING gin ("head_terms");--> statement-breakpoint
CREATE INDEX "policy_news_body_terms_idx" ON "policies"."policy_news" USING gin ("body_terms");--> statement-breakpoint
CREATE UNIQUE INDEX "policy_notices_once" ON "policies"."policy_notices" USING btree ("item_id","enterprise_credit_code");--> statement-breakpoint
CREATE INDEX "policy_notices_enterprise_idx" ON "policies"."policy_notices" USING btree ("enterprise_credit_code","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "service_reviews_once" ON "policies"."service_reviews" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "service_reviews_unit_idx" ON "policies"."service_reviews" USING btree ("reviewing_unit_id","reviewed_at" DESC NULLS LAST,"id" DESC NULLS LAST);