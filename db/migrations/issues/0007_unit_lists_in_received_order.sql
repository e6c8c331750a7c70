DROP INDEX "issues"."issues_reporter_unit_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_intake_unit_idx";--> statement-breakpoint
CREATE INDEX "issues_reporter_unit_idx" ON "issues"."issues" USING btree ("reporter_unit_id","received_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "issues_intake_unit_idx" ON "issues"."issues" USING btree ("intake_unit_id","received_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "issues"."issues"."intake_unit_id" is not null;