-- Evidence is never rewritten. Scores, published results and every step taken on a review accept
-- INSERT only; entries and judges are never changed or removed; a contest only moves OPEN → CLOSED →
-- PUBLISHED and nothing of it changes after publication; a review's words never change (only its
-- status and appeal flag move, with the action that moved them); nothing is deleted.
CREATE FUNCTION "evaluations"."refuse_history_rewrite"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on %.% refused: the record is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "evaluations"."keep_contest"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moving text[] := ARRAY['status', 'closed_at', 'published_at', 'version'];
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status <> 'PUBLISHED'
     AND (to_jsonb(NEW) - moving) = (to_jsonb(OLD) - moving)
     AND (NEW.status = OLD.status OR (OLD.status = 'OPEN' AND NEW.status = 'CLOSED') OR (OLD.status = 'CLOSED' AND NEW.status = 'PUBLISHED')) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on %.% refused: a contest only moves on, and a published one never changes', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "evaluations"."keep_review_words"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  moving text[] := ARRAY['status', 'appeal_pending'];
BEGIN
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - moving) = (to_jsonb(OLD) - moving) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on %.% refused: a review''s words never change', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "evaluations"."only_while_open"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT status FROM "evaluations"."contests" WHERE id = NEW.contest_id) = 'OPEN' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'INSERT on %.% refused: the contest is no longer open', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "contest_scores_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."contest_scores"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "contest_results_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."contest_results"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "contest_entries_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."contest_entries"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "contest_judges_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."contest_judges"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "review_actions_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."review_actions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "contest_scores_while_open" BEFORE INSERT ON "evaluations"."contest_scores"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."only_while_open"();
--> statement-breakpoint
CREATE TRIGGER "contest_entries_while_open" BEFORE INSERT ON "evaluations"."contest_entries"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."only_while_open"();
--> statement-breakpoint
CREATE TRIGGER "contest_judges_while_open" BEFORE INSERT ON "evaluations"."contest_judges"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."only_while_open"();
--> statement-breakpoint
CREATE TRIGGER "contests_move_on_only" BEFORE UPDATE OR DELETE ON "evaluations"."contests"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."keep_contest"();
--> statement-breakpoint
CREATE TRIGGER "service_reviews_keep_words" BEFORE UPDATE OR DELETE ON "evaluations"."service_reviews"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."keep_review_words"();
