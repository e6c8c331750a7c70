CREATE TYPE "issues"."monitoring_point_kind" AS ENUM('ENTERPRISE', 'PROJECT');--> statement-breakpoint
CREATE TYPE "issues"."signed_project_status" AS ENUM('NOT_STARTED', 'STARTED', 'IN_PRODUCTION', 'TERMINATED');--> statement-breakpoint
CREATE TYPE "issues"."visit_frequency" AS ENUM('MONTHLY', 'QUARTERLY');--> statement-breakpoint
CREATE TABLE "issues"."hall_visits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"leader_id" uuid NOT NULL,
	"hall" text NOT NULL,
	"served_on" date NOT NULL,
	"quarter" text NOT NULL,
	"handled" text NOT NULL,
	"found" text,
	"recorder_issuer" text NOT NULL,
	"recorder_role" text NOT NULL,
	"recorder_subject" text NOT NULL,
	"client_request_id" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."issue_monitoring_tags" (
	"issue_id" uuid NOT NULL,
	"point_id" uuid NOT NULL,
	CONSTRAINT "issue_monitoring_tags_issue_id_point_id_pk" PRIMARY KEY("issue_id","point_id")
);
--> statement-breakpoint
CREATE TABLE "issues"."monitoring_points" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "issues"."monitoring_point_kind" NOT NULL,
	"name" text NOT NULL,
	"enterprise_credit_code" text NOT NULL,
	"project_id" uuid,
	"responsible_unit_id" uuid NOT NULL,
	"leader_id" uuid NOT NULL,
	"frequency" "issues"."visit_frequency" NOT NULL,
	"last_visited_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"recorder_issuer" text NOT NULL,
	"recorder_role" text NOT NULL,
	"recorder_subject" text NOT NULL,
	"client_request_id" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."monitoring_visits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"point_id" uuid NOT NULL,
	"visited_on" date NOT NULL,
	"leader_id" uuid,
	"summary" text NOT NULL,
	"recorder_issuer" text NOT NULL,
	"recorder_role" text NOT NULL,
	"recorder_subject" text NOT NULL,
	"client_request_id" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."signed_project_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" "issues"."signed_project_status",
	"to_status" "issues"."signed_project_status" NOT NULL,
	"note" text,
	"actor" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."signed_projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"investor_credit_code" text NOT NULL,
	"amount_wan_yuan" numeric(14, 2) NOT NULL,
	"signed_on" date NOT NULL,
	"industry" text NOT NULL,
	"district_code" text NOT NULL,
	"status" "issues"."signed_project_status" NOT NULL,
	"obstacle" text,
	"responsible_unit_id" uuid NOT NULL,
	"leader_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"recorder_issuer" text NOT NULL,
	"recorder_role" text NOT NULL,
	"recorder_subject" text NOT NULL,
	"client_request_id" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."unit_leaders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"post" text NOT NULL,
	"principal" boolean NOT NULL,
	"recorder_issuer" text NOT NULL,
	"recorder_role" text NOT NULL,
	"recorder_subject" text NOT NULL,
	"client_request_id" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "issues"."issue_origins" ADD COLUMN "hall_visit_id" uuid;--> statement-breakpoint
ALTER TABLE "issues"."issue_origins" ADD COLUMN "signed_project_id" uuid;--> statement-breakpoint
ALTER TABLE "issues"."hall_visits" ADD CONSTRAINT "hall_visits_leader_id_unit_leaders_id_fk" FOREIGN KEY ("leader_id") REFERENCES "issues"."unit_leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."issue_monitoring_tags" ADD CONSTRAINT "issue_monitoring_tags_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."issue_monitoring_tags" ADD CONSTRAINT "issue_monitoring_tags_point_id_monitoring_points_id_fk" FOREIGN KEY ("point_id") REFERENCES "issues"."monitoring_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."monitoring_points" ADD CONSTRAINT "monitoring_points_project_id_signed_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "issues"."signed_projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."monitoring_points" ADD CONSTRAINT "monitoring_points_leader_id_unit_leaders_id_fk" FOREIGN KEY ("leader_id") REFERENCES "issues"."unit_leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."monitoring_visits" ADD CONSTRAINT "monitoring_visits_point_id_monitoring_points_id_fk" FOREIGN KEY ("point_id") REFERENCES "issues"."monitoring_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."monitoring_visits" ADD CONSTRAINT "monitoring_visits_leader_id_unit_leaders_id_fk" FOREIGN KEY ("leader_id") REFERENCES "issues"."unit_leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."signed_project_events" ADD CONSTRAINT "signed_project_events_project_id_signed_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "issues"."signed_projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."signed_projects" ADD CONSTRAINT "signed_projects_leader_id_unit_leaders_id_fk" FOREIGN KEY ("leader_id") REFERENCES "issues"."unit_leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hall_visits_quarter_idx" ON "issues"."hall_visits" USING btree ("quarter","unit_id");--> statement-breakpoint
CREATE INDEX "hall_visits_newest_idx" ON "issues"."hall_visits" USING btree ("served_on","id");--> statement-breakpoint
CREATE UNIQUE INDEX "hall_visits_request_key" ON "issues"."hall_visits" USING btree ("recorder_issuer","recorder_role","recorder_subject","client_request_id");--> statement-breakpoint
CREATE INDEX "issue_monitoring_tags_point_idx" ON "issues"."issue_monitoring_tags" USING btree ("point_id","issue_id");--> statement-breakpoint
CREATE INDEX "monitoring_points_code_idx" ON "issues"."monitoring_points" USING btree ("enterprise_credit_code");--> statement-breakpoint
CREATE INDEX "monitoring_points_list_idx" ON "issues"."monitoring_points" USING btree ("recorded_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_points_enterprise_key" ON "issues"."monitoring_points" USING btree ("enterprise_credit_code") WHERE "issues"."monitoring_points"."kind" = 'ENTERPRISE';--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_points_project_key" ON "issues"."monitoring_points" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_points_request_key" ON "issues"."monitoring_points" USING btree ("recorder_issuer","recorder_role","recorder_subject","client_request_id");--> statement-breakpoint
CREATE INDEX "monitoring_visits_point_idx" ON "issues"."monitoring_visits" USING btree ("point_id","visited_on");--> statement-breakpoint
CREATE UNIQUE INDEX "monitoring_visits_request_key" ON "issues"."monitoring_visits" USING btree ("recorder_issuer","recorder_role","recorder_subject","client_request_id");--> statement-breakpoint
CREATE INDEX "signed_project_events_project_idx" ON "issues"."signed_project_events" USING btree ("project_id","id");--> statement-breakpoint
CREATE INDEX "signed_projects_district_idx" ON "issues"."signed_projects" USING btree ("district_code","status","signed_on","id");--> statement-breakpoint
CREATE INDEX "signed_projects_list_idx" ON "issues"."signed_projects" USING btree ("signed_on","id");--> statement-breakpoint
CREATE INDEX "signed_projects_unit_idx" ON "issues"."signed_projects" USING btree ("responsible_unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "signed_projects_request_key" ON "issues"."signed_projects" USING btree ("recorder_issuer","recorder_role","recorder_subject","client_request_id");--> statement-breakpoint
CREATE INDEX "unit_leaders_unit_idx" ON "issues"."unit_leaders" USING btree ("unit_id","recorded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "unit_leaders_request_key" ON "issues"."unit_leaders" USING btree ("recorder_issuer","recorder_role","recorder_subject","client_request_id");--> statement-breakpoint
ALTER TABLE "issues"."issue_origins" ADD CONSTRAINT "issue_origins_hall_visit_id_hall_visits_id_fk" FOREIGN KEY ("hall_visit_id") REFERENCES "issues"."hall_visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."issue_origins" ADD CONSTRAINT "issue_origins_signed_project_id_signed_projects_id_fk" FOREIGN KEY ("signed_project_id") REFERENCES "issues"."signed_projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "issue_origins_hall_visit_idx" ON "issues"."issue_origins" USING btree ("hall_visit_id");--> statement-breakpoint
CREATE INDEX "issue_origins_project_idx" ON "issues"."issue_origins" USING btree ("signed_project_id");--> statement-breakpoint
-- Leaders, hall days, project and point histories, visits and the issues' tags are evidence: INSERT only.
CREATE TRIGGER "unit_leaders_append_only" BEFORE UPDATE OR DELETE ON "issues"."unit_leaders"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "unit_leaders_no_truncate" BEFORE TRUNCATE ON "issues"."unit_leaders"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "hall_visits_append_only" BEFORE UPDATE OR DELETE ON "issues"."hall_visits"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "hall_visits_no_truncate" BEFORE TRUNCATE ON "issues"."hall_visits"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "signed_project_events_append_only" BEFORE UPDATE OR DELETE ON "issues"."signed_project_events"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "signed_project_events_no_truncate" BEFORE TRUNCATE ON "issues"."signed_project_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "monitoring_visits_append_only" BEFORE UPDATE OR DELETE ON "issues"."monitoring_visits"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "monitoring_visits_no_truncate" BEFORE TRUNCATE ON "issues"."monitoring_visits"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_monitoring_tags_append_only" BEFORE UPDATE OR DELETE ON "issues"."issue_monitoring_tags"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_monitoring_tags_no_truncate" BEFORE TRUNCATE ON "issues"."issue_monitoring_tags"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
