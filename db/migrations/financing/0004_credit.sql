CREATE TABLE "financing"."report_bases" (
	"demand_id" uuid PRIMARY KEY NOT NULL,
	"credit_code" text NOT NULL,
	"gathered" boolean NOT NULL,
	"basis" jsonb NOT NULL,
	"gathered_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "financing"."report_bases" ADD CONSTRAINT "report_bases_demand_id_demands_id_fk" FOREIGN KEY ("demand_id") REFERENCES "financing"."demands"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- What was gathered under the enterprise's consent is evidence: INSERT only.
CREATE TRIGGER "report_bases_append_only" BEFORE UPDATE OR DELETE ON "financing"."report_bases"
  FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "report_bases_no_truncate" BEFORE TRUNCATE ON "financing"."report_bases"
  FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
