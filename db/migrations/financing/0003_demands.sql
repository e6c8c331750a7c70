CREATE TYPE "financing"."credit_record_category" AS ENUM('TAX', 'SOCIAL_INSURANCE', 'HOUSING_FUND', 'UTILITIES', 'COURT_JUDGMENT', 'ADMINISTRATIVE_PENALTY', 'CREDIT_COMMITMENT');--> statement-breakpoint
CREATE TYPE "financing"."decline_reason" AS ENUM('NOT_ELIGIBLE', 'POOR_CREDIT', 'INSUFFICIENT_GUARANTEE', 'WEAK_FINANCES', 'INCOMPLETE_MATERIALS', 'ENTERPRISE_DECLINED', 'OTHER');--> statement-breakpoint
CREATE TYPE "financing"."demand_event_kind" AS ENUM('POSTED', 'IMPORTED', 'ROUTED', 'CLAIMED', 'CHOSEN', 'DISPATCHED', 'RETURNED', 'CONTACTED', 'APPROVED', 'DISBURSED', 'DECLINED', 'WITHDRAWN', 'RECEIVED', 'RATED');--> statement-breakpoint
CREATE TYPE "financing"."demand_source" AS ENUM('PLATFORM', 'XINYIDAI', 'RONGZITONG', 'JINNONGTONG', 'OFFLINE');--> statement-breakpoint
CREATE TYPE "financing"."demand_status" AS ENUM('OPEN', 'CLAIMED', 'CONTACTED', 'APPROVED', 'DISBURSED', 'DECLINED', 'WITHDRAWN');--> statement-breakpoint
CREATE TYPE "financing"."financing_rating" AS ENUM('VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED', 'VERY_UNSATISFIED');--> statement-breakpoint
CREATE TYPE "financing"."hold_kind" AS ENUM('CLAIMED', 'DISPATCHED', 'CHOSEN');--> statement-breakpoint
CREATE TYPE "financing"."limit_kind" AS ENUM('CLAIM', 'CONTACT', 'DECISION');--> statement-breakpoint
CREATE TABLE "financing"."credit_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"credit_code" text NOT NULL,
	"category" "financing"."credit_record_category" NOT NULL,
	"source" text NOT NULL,
	"external_ref" text NOT NULL,
	"recorded_on" date NOT NULL,
	"summary" text NOT NULL,
	"adverse" boolean NOT NULL,
	"imported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "financing"."credit_report_reads" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"report_id" uuid NOT NULL,
	"demand_id" uuid NOT NULL,
	"credit_code" text NOT NULL,
	"institution_id" uuid NOT NULL,
	"branch_id" uuid,
	"reader_issuer" text,
	"reader_subject" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "financing"."credit_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"demand_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"credit_code" text NOT NULL,
	"content" jsonb NOT NULL,
	"hash" text NOT NULL,
	"generated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "financing"."demand_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"demand_id" uuid NOT NULL,
	"kind" "financing"."demand_event_kind" NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"institution_id" uuid,
	"branch_id" uuid,
	"actor_issuer" text,
	"actor_role" text NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_unit_id" uuid,
	"note" text,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "financing"."demand_limits" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"demand_id" uuid NOT NULL,
	"kind" "financing"."limit_kind" NOT NULL,
	"institution_id" uuid,
	"branch_id" uuid,
	"starts_at" timestamp with time zone NOT NULL,
	"working_days" integer NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"warn_at" timestamp with time zone NOT NULL,
	"pending_calendar_year" integer,
	"met_at" timestamp with time zone,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "financing"."demand_routes" (
	"demand_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"branch_id" uuid,
	"routed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "demand_routes_demand_id_institution_id_pk" PRIMARY KEY("demand_id","institution_id")
);
--> statement-breakpoint
CREATE TABLE "financing"."demands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" "financing"."demand_source" NOT NULL,
	"external_ref" text,
	"client_request_id" text,
	"credit_code" text NOT NULL,
	"enterprise_name" text NOT NULL,
	"contact" text NOT NULL,
	"industry_code" text NOT NULL,
	"district_code" text NOT NULL,
	"size_class" text NOT NULL,
	"amount" bigint NOT NULL,
	"term_months" integer NOT NULL,
	"purpose" text NOT NULL,
	"guarantee_offered" "financing"."guarantee_mode" NOT NULL,
	"first_loan" boolean NOT NULL,
	"wanted_product_ids" uuid[] NOT NULL,
	"category" "financing"."product_category" NOT NULL,
	"credit_report_consent" boolean NOT NULL,
	"status" "financing"."demand_status" DEFAULT 'OPEN' NOT NULL,
	"routed_count" integer DEFAULT 0 NOT NULL,
	"institution_id" uuid,
	"branch_id" uuid,
	"held_by" "financing"."hold_kind",
	"held_at" timestamp with time zone,
	"approved_amount" bigint,
	"decline_reason" "financing"."decline_reason",
	"decline_text" text,
	"rating" "financing"."financing_rating",
	"rating_comment" text,
	"closed_at" timestamp with time zone,
	"posted_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "financing"."limit_settings" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"claim_working_days" integer NOT NULL,
	"contact_working_days" integer NOT NULL,
	"decision_working_days" integer NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_unit_id" uuid
);
--> statement-breakpoint
CREATE TABLE "financing"."loans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"demand_id" uuid NOT NULL,
	"credit_code" text NOT NULL,
	"institution_id" uuid NOT NULL,
	"branch_id" uuid,
	"amount" bigint NOT NULL,
	"disbursed_on" date NOT NULL,
	"rate_bp" integer NOT NULL,
	"term_months" integer NOT NULL,
	"guarantee_mode" "financing"."guarantee_mode" NOT NULL,
	"pure_credit" boolean NOT NULL,
	"first_loan" boolean NOT NULL,
	"loan_ref" text NOT NULL,
	"received_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "financing"."credit_report_reads" ADD CONSTRAINT "credit_report_reads_report_id_credit_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "financing"."credit_reports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."credit_reports" ADD CONSTRAINT "credit_reports_demand_id_demands_id_fk" FOREIGN KEY ("demand_id") REFERENCES "financing"."demands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."credit_reports" ADD CONSTRAINT "credit_reports_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "financing"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."demand_events" ADD CONSTRAINT "demand_events_demand_id_demands_id_fk" FOREIGN KEY ("demand_id") REFERENCES "financing"."demands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."demand_limits" ADD CONSTRAINT "demand_limits_demand_id_demands_id_fk" FOREIGN KEY ("demand_id") REFERENCES "financing"."demands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."demand_routes" ADD CONSTRAINT "demand_routes_demand_id_demands_id_fk" FOREIGN KEY ("demand_id") REFERENCES "financing"."demands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."demand_routes" ADD CONSTRAINT "demand_routes_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "financing"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."demand_routes" ADD CONSTRAINT "demand_routes_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "financing"."branches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."demands" ADD CONSTRAINT "demands_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "financing"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."demands" ADD CONSTRAINT "demands_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "financing"."branches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."loans" ADD CONSTRAINT "loans_demand_id_demands_id_fk" FOREIGN KEY ("demand_id") REFERENCES "financing"."demands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."loans" ADD CONSTRAINT "loans_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "financing"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financing"."loans" ADD CONSTRAINT "loans_branch_id_branches_id_fk" FOREIGN KEY ("branch_id") REFERENCES "financing"."branches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "credit_records_source_ref_key" ON "financing"."credit_records" USING btree ("source","external_ref");--> statement-breakpoint
CREATE INDEX "credit_records_enterprise_idx" ON "financing"."credit_records" USING btree ("credit_code","recorded_on");--> statement-breakpoint
CREATE INDEX "credit_report_reads_enterprise_idx" ON "financing"."credit_report_reads" USING btree ("credit_code","at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_reports_demand_institution_key" ON "financing"."credit_reports" USING btree ("demand_id","institution_id");--> statement-breakpoint
CREATE INDEX "demand_events_demand_idx" ON "financing"."demand_events" USING btree ("demand_id","id");--> statement-breakpoint
CREATE INDEX "demand_events_at_idx" ON "financing"."demand_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "demand_limits_demand_idx" ON "financing"."demand_limits" USING btree ("demand_id","id");--> statement-breakpoint
CREATE INDEX "demand_limits_running_idx" ON "financing"."demand_limits" USING btree ("due_at") WHERE "financing"."demand_limits"."met_at" is null and "financing"."demand_limits"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "demand_limits_institution_idx" ON "financing"."demand_limits" USING btree ("institution_id","due_at");--> statement-breakpoint
CREATE INDEX "demand_routes_institution_idx" ON "financing"."demand_routes" USING btree ("institution_id","routed_at");--> statement-breakpoint
CREATE INDEX "demand_routes_branch_idx" ON "financing"."demand_routes" USING btree ("branch_id","routed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "demands_source_ref_key" ON "financing"."demands" USING btree ("source","external_ref") WHERE "financing"."demands"."external_ref" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "demands_client_request_key" ON "financing"."demands" USING btree ("credit_code","client_request_id") WHERE "financing"."demands"."client_request_id" is not null;--> statement-breakpoint
CREATE INDEX "demands_posted_idx" ON "financing"."demands" USING btree ("posted_at","id");--> statement-breakpoint
CREATE INDEX "demands_enterprise_idx" ON "financing"."demands" USING btree ("credit_code","posted_at");--> statement-breakpoint
CREATE INDEX "demands_institution_idx" ON "financing"."demands" USING btree ("institution_id","posted_at");--> statement-breakpoint
CREATE INDEX "demands_status_idx" ON "financing"."demands" USING btree ("status","posted_at");--> statement-breakpoint
CREATE UNIQUE INDEX "loans_demand_key" ON "financing"."loans" USING btree ("demand_id");--> statement-breakpoint
CREATE UNIQUE INDEX "loans_institution_ref_key" ON "financing"."loans" USING btree ("institution_id","loan_ref");--> statement-breakpoint
CREATE INDEX "loans_enterprise_idx" ON "financing"."loans" USING btree ("credit_code","disbursed_on");--> statement-breakpoint
-- History that cannot be rewritten: a demand's steps, the reads of credit reports and the limits the regulator set accept INSERT only.
CREATE TRIGGER "demand_events_append_only" BEFORE UPDATE OR DELETE ON "financing"."demand_events"
  FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "demand_events_no_truncate" BEFORE TRUNCATE ON "financing"."demand_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "credit_report_reads_append_only" BEFORE UPDATE OR DELETE ON "financing"."credit_report_reads"
  FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "credit_report_reads_no_truncate" BEFORE TRUNCATE ON "financing"."credit_report_reads"
  FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "credit_reports_append_only" BEFORE UPDATE OR DELETE ON "financing"."credit_reports"
  FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "limit_settings_append_only" BEFORE UPDATE OR DELETE ON "financing"."limit_settings"
  FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
INSERT INTO "financing"."limit_settings" ("claim_working_days", "contact_working_days", "decision_working_days", "since", "actor_subject")
  VALUES (2, 1, 10, '2020-01-01T00:00:00Z', 'default');
--> statement-breakpoint
CREATE TRIGGER "credit_reports_no_truncate" BEFORE TRUNCATE ON "financing"."credit_reports"
  FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "limit_settings_no_truncate" BEFORE TRUNCATE ON "financing"."limit_settings"
  FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
-- Demands, their routes, limits and loans are never deleted (their history is demand_events).
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['demands', 'demand_routes', 'demand_limits', 'loans', 'credit_records'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON "financing".%I FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"()', name || '_never_deleted', name);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON "financing".%I FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"()', name || '_no_truncate', name);
  END LOOP;
END;
$$;
--> statement-breakpoint
-- A limit is evidence once judged: met or stopped, it never changes again; while it runs, only its due time
-- may be recomputed (a provisional one, when the calendar gains its year), and it is met or stopped once.
CREATE FUNCTION "financing"."guard_demand_limit"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.met_at IS NOT NULL OR OLD.ended_at IS NOT NULL
     OR NEW.demand_id IS DISTINCT FROM OLD.demand_id OR NEW.kind IS DISTINCT FROM OLD.kind
     OR NEW.institution_id IS DISTINCT FROM OLD.institution_id OR NEW.starts_at IS DISTINCT FROM OLD.starts_at
     OR NEW.working_days IS DISTINCT FROM OLD.working_days
     OR ((NEW.due_at IS DISTINCT FROM OLD.due_at OR NEW.warn_at IS DISTINCT FROM OLD.warn_at) AND OLD.pending_calendar_year IS NULL) THEN
    RAISE EXCEPTION 'financing.demand_limits: a judged limit, or what a limit was set to, cannot be rewritten' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "demand_limits_guarded" BEFORE UPDATE ON "financing"."demand_limits"
  FOR EACH ROW EXECUTE FUNCTION "financing"."guard_demand_limit"();
--> statement-breakpoint
-- A loan as disbursed is evidence: only the enterprise's confirmation of receipt is added, once.
CREATE FUNCTION "financing"."guard_loan"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.received_at IS NOT NULL OR (to_jsonb(NEW) - 'received_at') IS DISTINCT FROM (to_jsonb(OLD) - 'received_at') THEN
    RAISE EXCEPTION 'financing.loans: a disbursed loan cannot be rewritten' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "loans_guarded" BEFORE UPDATE ON "financing"."loans"
  FOR EACH ROW EXECUTE FUNCTION "financing"."guard_loan"();
