-- Issue #20: objections to a public notice are limited per writer like service reviews
-- (objector_key: the hashed person or client address, counted in the database), and the reviewing
-- unit may set objections aside in bulk as duplicates or abuse. A mark is evidence: append-only.
CREATE TYPE "policies"."objection_mark_kind" AS ENUM('DUPLICATE', 'ABUSIVE');--> statement-breakpoint
CREATE TABLE "policies"."objection_marks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"objection_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"kind" "policies"."objection_mark_kind" NOT NULL,
	"duplicate_of" uuid,
	"reason" text NOT NULL,
	"marked_by_subject" text NOT NULL,
	"marked_by_role" text NOT NULL,
	"marked_by_issuer" text NOT NULL,
	"marked_by_unit_id" uuid NOT NULL,
	"marked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policies"."objections" ADD COLUMN "objector_issuer" text;--> statement-breakpoint
ALTER TABLE "policies"."objections" ADD COLUMN "objector_key" text;--> statement-breakpoint
ALTER TABLE "policies"."objection_marks" ADD CONSTRAINT "objection_marks_objection_id_objections_id_fk" FOREIGN KEY ("objection_id") REFERENCES "policies"."objections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."objection_marks" ADD CONSTRAINT "objection_marks_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "policies"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."objection_marks" ADD CONSTRAINT "objection_marks_duplicate_of_objections_id_fk" FOREIGN KEY ("duplicate_of") REFERENCES "policies"."objections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "objection_marks_once" ON "policies"."objection_marks" USING btree ("objection_id");--> statement-breakpoint
CREATE INDEX "objection_marks_application_idx" ON "policies"."objection_marks" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "objections_objector_idx" ON "policies"."objections" USING btree ("objector_key","filed_at");--> statement-breakpoint
CREATE TRIGGER "objection_marks_append_only" BEFORE UPDATE OR DELETE ON "policies"."objection_marks"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "objection_marks_no_truncate" BEFORE TRUNCATE ON "policies"."objection_marks"
  FOR EACH STATEMENT EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
