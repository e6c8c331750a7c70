CREATE TYPE "issues"."observer_team" AS ENUM('EXPERT_COMMITTEE', 'MEDIA_OBSERVER', 'EXPERIENCE_OFFICER');--> statement-breakpoint
CREATE TABLE "issues"."observer_membership_ends" (
	"membership_id" uuid PRIMARY KEY NOT NULL,
	"until" date NOT NULL,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."observer_memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"team" "issues"."observer_team" NOT NULL,
	"member_issuer" text NOT NULL,
	"member_subject" text NOT NULL,
	"name" text NOT NULL,
	"since" date NOT NULL,
	"until" date,
	"recorded_by" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues"."observer_reports" (
	"issue_id" uuid PRIMARY KEY NOT NULL,
	"membership_id" uuid NOT NULL,
	"team" "issues"."observer_team" NOT NULL,
	"reported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "issues"."observer_membership_ends" ADD CONSTRAINT "observer_membership_ends_membership_id_observer_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "issues"."observer_memberships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."observer_reports" ADD CONSTRAINT "observer_reports_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."observer_reports" ADD CONSTRAINT "observer_reports_membership_id_observer_memberships_id_fk" FOREIGN KEY ("membership_id") REFERENCES "issues"."observer_memberships"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "observer_memberships_member_idx" ON "issues"."observer_memberships" USING btree ("member_issuer","member_subject","since");--> statement-breakpoint
CREATE INDEX "observer_memberships_team_idx" ON "issues"."observer_memberships" USING btree ("team","since","id");--> statement-breakpoint
CREATE INDEX "observer_reports_team_idx" ON "issues"."observer_reports" USING btree ("team","reported_at","issue_id");--> statement-breakpoint
CREATE INDEX "observer_reports_member_idx" ON "issues"."observer_reports" USING btree ("membership_id");--> statement-breakpoint
-- The teams' memberships, their ends and the members' reports are evidence: INSERT only.
CREATE TRIGGER "observer_memberships_append_only" BEFORE UPDATE OR DELETE ON "issues"."observer_memberships"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "observer_memberships_no_truncate" BEFORE TRUNCATE ON "issues"."observer_memberships"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "observer_membership_ends_append_only" BEFORE UPDATE OR DELETE ON "issues"."observer_membership_ends"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "observer_membership_ends_no_truncate" BEFORE TRUNCATE ON "issues"."observer_membership_ends"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "observer_reports_append_only" BEFORE UPDATE OR DELETE ON "issues"."observer_reports"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "observer_reports_no_truncate" BEFORE TRUNCATE ON "issues"."observer_reports"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
