-- The reviewing unit is told when 80% of the time to answer an objection has passed (issue #25 §3):
-- from its filing to the end of the notice, in office hours of working days (WorkingCalendar.warningAt),
-- which SQL cannot count, so it is kept on the objection, set at filing. A partial index over the
-- unanswered objections by that instant lets the outbox sweep read only those whose warning has just
-- passed. Objections filed before this migration have none: they still get the overdue notice.
ALTER TABLE "policies"."objections" ADD COLUMN "answer_warn_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "objections_answer_warn_idx" ON "policies"."objections" USING btree ("answer_warn_at") WHERE "policies"."objections"."answered_at" is null;--> statement-breakpoint
-- An objection's words never change and it is answered once; its answer's warning, kept beside it,
-- is recomputed with the notice's end while it is unanswered (settling.ts), as the answer may be.
CREATE OR REPLACE FUNCTION "policies"."answer_once"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  answer_columns text[] := ARRAY['answer', 'adopted', 'upheld', 'answered_at', 'answered_by', 'answer_warn_at'];
BEGIN
  IF OLD.answer IS NULL
     AND (to_jsonb(NEW) - answer_columns) = (to_jsonb(OLD) - answer_columns) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'UPDATE on %.% refused: its words never change and it is answered once', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
