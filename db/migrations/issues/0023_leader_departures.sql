-- A leader's departure (离任) and the 包保 duties handed to the successor in its transaction: both
-- evidence, INSERT only. The leader record itself never changes (migration 0019).
CREATE TABLE "issues"."leader_handovers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"from_leader_id" uuid NOT NULL,
	"to_leader_id" uuid NOT NULL,
	"signed_project_id" uuid,
	"monitoring_point_id" uuid,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "leader_handovers_one_record" CHECK (num_nonnulls("issues"."leader_handovers"."signed_project_id", "issues"."leader_handovers"."monitoring_point_id") = 1)
);
--> statement-breakpoint
CREATE TABLE "issues"."unit_leader_departures" (
	"leader_id" uuid PRIMARY KEY NOT NULL,
	"left_on" date NOT NULL,
	"reason" text NOT NULL,
	"successor_id" uuid,
	"recorder_issuer" text NOT NULL,
	"recorder_role" text NOT NULL,
	"recorder_subject" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	CONSTRAINT "unit_leader_departures_successor" CHECK ("issues"."unit_leader_departures"."successor_id" is distinct from "issues"."unit_leader_departures"."leader_id")
);
--> statement-breakpoint
ALTER TABLE "issues"."leader_handovers" ADD CONSTRAINT "leader_handovers_from_leader_id_unit_leader_departures_leader_id_fk" FOREIGN KEY ("from_leader_id") REFERENCES "issues"."unit_leader_departures"("leader_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."leader_handovers" ADD CONSTRAINT "leader_handovers_to_leader_id_unit_leaders_id_fk" FOREIGN KEY ("to_leader_id") REFERENCES "issues"."unit_leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."leader_handovers" ADD CONSTRAINT "leader_handovers_signed_project_id_signed_projects_id_fk" FOREIGN KEY ("signed_project_id") REFERENCES "issues"."signed_projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."leader_handovers" ADD CONSTRAINT "leader_handovers_monitoring_point_id_monitoring_points_id_fk" FOREIGN KEY ("monitoring_point_id") REFERENCES "issues"."monitoring_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."unit_leader_departures" ADD CONSTRAINT "unit_leader_departures_leader_id_unit_leaders_id_fk" FOREIGN KEY ("leader_id") REFERENCES "issues"."unit_leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues"."unit_leader_departures" ADD CONSTRAINT "unit_leader_departures_successor_id_unit_leaders_id_fk" FOREIGN KEY ("successor_id") REFERENCES "issues"."unit_leaders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "leader_handovers_from_idx" ON "issues"."leader_handovers" USING btree ("from_leader_id");--> statement-breakpoint
CREATE INDEX "leader_handovers_point_idx" ON "issues"."leader_handovers" USING btree ("monitoring_point_id");--> statement-breakpoint
CREATE TRIGGER "unit_leader_departures_append_only" BEFORE UPDATE OR DELETE ON "issues"."unit_leader_departures"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "unit_leader_departures_no_truncate" BEFORE TRUNCATE ON "issues"."unit_leader_departures"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "leader_handovers_append_only" BEFORE UPDATE OR DELETE ON "issues"."leader_handovers"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "leader_handovers_no_truncate" BEFORE TRUNCATE ON "issues"."leader_handovers"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
