-- Each bad review's limits keep their yellow warning (80% of their working time,
-- WorkingCalendar.warningAt) beside their due times, so the outbox sweep finds the limits whose
-- warning has just passed from an index. Reviews written before this migration have none: their
-- lapses are still told. A review's words never change: the warnings, like the due times, may only
-- be recomputed while provisional (migration 0008).
ALTER TABLE "evaluations"."service_reviews" ADD COLUMN "answer_warn_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "evaluations"."service_reviews" ADD COLUMN "rectify_warn_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "service_reviews_answer_warn_idx" ON "evaluations"."service_reviews" USING btree ("answer_warn_at") WHERE "evaluations"."service_reviews"."status" = 'AWAITING_ANSWER';--> statement-breakpoint
CREATE INDEX "service_reviews_rectify_warn_idx" ON "evaluations"."service_reviews" USING btree ("rectify_warn_at") WHERE "evaluations"."service_reviews"."status" = 'AWAITING_RECTIFICATION';--> statement-breakpoint
CREATE INDEX "service_reviews_rectify_due_idx" ON "evaluations"."service_reviews" USING btree ("rectify_due_at") WHERE "evaluations"."service_reviews"."status" = 'AWAITING_RECTIFICATION';
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "evaluations"."keep_review_words"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moving text[] := ARRAY['status', 'appeal_pending'];
  provisional text[] := ARRAY['answer_due_at', 'rectify_due_at', 'answer_warn_at', 'rectify_warn_at', 'pending_calendar_year'];
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - moving) = (to_jsonb(OLD) - moving) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.pending_calendar_year IS NOT NULL
     AND (to_jsonb(NEW) - moving - provisional) = (to_jsonb(OLD) - moving - provisional) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on %.% refused: a review''s words never change', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
