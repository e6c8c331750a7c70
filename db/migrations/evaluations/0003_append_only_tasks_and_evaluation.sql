-- Evidence is never rewritten: tasks and their milestones, milestone completions, every version of
-- every quarterly report, entered indicator values, published results and decisions accept INSERT
-- only. An evaluation's definition may be replaced while it is a draft; once published, nothing of
-- it changes and nothing is deleted.
CREATE TRIGGER "tasks_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."tasks"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "milestones_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."milestones"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "milestone_completions_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."milestone_completions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "quarterly_reports_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."quarterly_reports"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "indicator_values_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."indicator_values"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "evaluation_results_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."evaluation_results"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "evaluation_decisions_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."evaluation_decisions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE FUNCTION "evaluations"."keep_published_evaluation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status = 'DRAFT' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% on %.% refused: a published evaluation never changes', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "evaluations_published_frozen" BEFORE UPDATE OR DELETE ON "evaluations"."evaluations"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."keep_published_evaluation"();
