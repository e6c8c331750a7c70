-- Each running limit's yellow warning (80% of its working time, WorkingCalendar.warningAt), kept
-- with its due time so the outbox sweep finds the limits whose warning has just passed from an index:
-- the review's while the reviewing unit has the application, the payment's once approved.
-- Applications entered before this migration have none: their limits still get the overdue notice.
ALTER TABLE "policies"."applications" ADD COLUMN "review_warn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "policies"."applications" ADD COLUMN "payment_warn_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "applications_review_warn_idx" ON "policies"."applications" USING btree ("review_warn_at") WHERE "policies"."applications"."status" in ('SUBMITTED', 'RESUBMITTED', 'UNDER_REVIEW');--> statement-breakpoint
CREATE INDEX "applications_payment_warn_idx" ON "policies"."applications" USING btree ("payment_warn_at") WHERE "policies"."applications"."status" in ('APPROVED', 'PUBLIC_NOTICE');