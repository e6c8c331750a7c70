ALTER TABLE "evaluations"."review_actions" ADD COLUMN "late_provisional" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "service_reviews_pending_calendar_idx" ON "evaluations"."service_reviews" USING btree ("pending_calendar_year") WHERE "evaluations"."service_reviews"."pending_calendar_year" is not null;
--> statement-breakpoint
-- A year the working-day calendar lacks (issue #20): a bad review's limits are provisional then
-- (weekends the only days off) and are recomputed once the command office enters the year. That is
-- the only change to a review's words: its due times and the year they waited for, while it waits.
CREATE OR REPLACE FUNCTION "evaluations"."keep_review_words"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moving text[] := ARRAY['status', 'appeal_pending'];
  provisional text[] := ARRAY['answer_due_at', 'rectify_due_at', 'pending_calendar_year'];
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
--> statement-breakpoint
-- An answer or rectification judged against a provisional limit is judged again, once, when the
-- year is entered: `late` may then change with `late_provisional` going from true to false. Nothing
-- else of an action ever changes, and none is deleted.
CREATE FUNCTION "evaluations"."settle_provisional_lateness_only"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  settling text[] := ARRAY['late', 'late_provisional'];
BEGIN
  IF OLD.late_provisional AND NOT NEW.late_provisional
     AND (to_jsonb(NEW) - settling) = (to_jsonb(OLD) - settling) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'UPDATE on %.% refused: the record is append-only (only a provisional lateness is judged again, once)', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
DROP TRIGGER "review_actions_append_only" ON "evaluations"."review_actions";
--> statement-breakpoint
CREATE TRIGGER "review_actions_never_deleted" BEFORE DELETE ON "evaluations"."review_actions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "review_actions_settle_provisional_only" BEFORE UPDATE ON "evaluations"."review_actions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."settle_provisional_lateness_only"();
--> statement-breakpoint
-- The kept figures follow a lateness judged again: the review's on-time part moves when whether any
-- of its answers or rectifications was late changes.
CREATE FUNCTION "evaluations"."figures_on_review_action_settled"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  review "evaluations"."service_reviews";
  was boolean;
  now_late boolean;
BEGIN
  IF NEW.late = OLD.late OR NEW.kind NOT IN ('ANSWER', 'RECTIFY') THEN
    RETURN NULL;
  END IF;
  SELECT OLD.late OR coalesce(bool_or(a.late), false) INTO was FROM "evaluations"."review_actions" a
   WHERE a.review_id = NEW.review_id AND a.id <> NEW.id AND a.kind IN ('ANSWER', 'RECTIFY');
  now_late := "evaluations"."review_late"(NEW.review_id);
  IF was = now_late THEN
    RETURN NULL;
  END IF;
  SELECT * INTO review FROM "evaluations"."service_reviews" r WHERE r.id = NEW.review_id;
  PERFORM "evaluations"."stage_review_figures"(review, was, -1);
  PERFORM "evaluations"."stage_review_figures"(review, now_late, 1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "review_actions_figures_settled" AFTER UPDATE ON "evaluations"."review_actions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."figures_on_review_action_settled"();
