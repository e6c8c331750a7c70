-- Lists read newest first with ORDER BY … DESC, which PostgreSQL takes as DESC NULLS FIRST; these indexes were
-- DESC NULLS LAST, so no list could read them in order: a unit's newest twenty sorted every row of the unit.
-- Rebuilt in the order the lists ask for (no row they hold is null in these columns: only the declared order changes).
DROP INDEX "issues"."issues_received_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_unit_received_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_reporter_unit_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_reporter_enterprise_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_reporter_subject_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_district_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_environment_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_source_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_status_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_intake_unit_idx";--> statement-breakpoint
DROP INDEX "issues"."issues_published_idx";--> statement-breakpoint
DROP INDEX "issues"."supervision_outcomes_unit_idx";--> statement-breakpoint
CREATE INDEX "issues_received_idx" ON "issues"."issues" USING btree ("received_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_unit_received_idx" ON "issues"."issues" USING btree ("responsible_unit_id","received_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_reporter_unit_idx" ON "issues"."issues" USING btree ("reporter_unit_id","received_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_reporter_enterprise_idx" ON "issues"."issues" USING btree ("reporter_enterprise","received_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_reporter_subject_idx" ON "issues"."issues" USING btree ("reporter_subject","received_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_district_idx" ON "issues"."issues" USING btree ("district_code","received_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_environment_idx" ON "issues"."issues" USING btree ("environment","received_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_source_idx" ON "issues"."issues" USING btree ("source","received_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_status_idx" ON "issues"."issues" USING btree ("status","received_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "issues_intake_unit_idx" ON "issues"."issues" USING btree ("intake_unit_id","received_at" DESC NULLS FIRST,"id" DESC NULLS FIRST) WHERE "issues"."issues"."intake_unit_id" is not null;--> statement-breakpoint
CREATE INDEX "issues_published_idx" ON "issues"."issues" USING btree ("published_at" DESC NULLS FIRST) WHERE "issues"."issues"."published_at" is not null;--> statement-breakpoint
CREATE INDEX "supervision_outcomes_unit_idx" ON "issues"."supervision_outcomes" USING btree ("unit_id","decided_on" DESC NULLS FIRST,"id" DESC NULLS FIRST);