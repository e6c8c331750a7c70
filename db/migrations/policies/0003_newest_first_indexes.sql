-- Lists read newest first with ORDER BY … DESC, which PostgreSQL takes as DESC NULLS FIRST; these indexes were
-- DESC NULLS LAST, so no list could read them in order: a unit's newest twenty sorted every row of the unit.
-- Rebuilt in the order the lists ask for (no row they hold is null in these columns: only the declared order changes).
DROP INDEX "policies"."applications_entered_idx";--> statement-breakpoint
DROP INDEX "policies"."applications_reviewing_unit_idx";--> statement-breakpoint
DROP INDEX "policies"."applications_issuing_unit_idx";--> statement-breakpoint
DROP INDEX "policies"."applications_enterprise_idx";--> statement-breakpoint
DROP INDEX "policies"."policies_issued_idx";--> statement-breakpoint
DROP INDEX "policies"."policies_unit_idx";--> statement-breakpoint
DROP INDEX "policies"."policy_items_sort_idx";--> statement-breakpoint
DROP INDEX "policies"."policy_news_published_idx";--> statement-breakpoint
DROP INDEX "policies"."policy_notices_enterprise_idx";--> statement-breakpoint
DROP INDEX "policies"."service_reviews_unit_idx";--> statement-breakpoint
CREATE INDEX "applications_entered_idx" ON "policies"."applications" USING btree ("entered_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "applications_reviewing_unit_idx" ON "policies"."applications" USING btree ("reviewing_unit_id","entered_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "applications_issuing_unit_idx" ON "policies"."applications" USING btree ("issuing_unit_id","entered_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "applications_enterprise_idx" ON "policies"."applications" USING btree ("enterprise_credit_code","entered_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "policies_issued_idx" ON "policies"."policies" USING btree ("issued_on" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "policies_unit_idx" ON "policies"."policies" USING btree ("issuing_unit_id","issued_on" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "policy_items_sort_idx" ON "policies"."policy_items" USING btree ("sort_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "policy_news_published_idx" ON "policies"."policy_news" USING btree ("published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "policy_notices_enterprise_idx" ON "policies"."policy_notices" USING btree ("enterprise_credit_code","id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "service_reviews_unit_idx" ON "policies"."service_reviews" USING btree ("reviewing_unit_id","reviewed_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);