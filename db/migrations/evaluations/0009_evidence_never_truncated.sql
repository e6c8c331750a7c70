-- The evidence of this slice refused UPDATE and DELETE row by row but not TRUNCATE, which fires no
-- row trigger: the owner could still empty a table. As in the other slices, every evidence table
-- refuses TRUNCATE too (the serving role is not even granted it).
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['contests', 'contest_entries', 'contest_judges', 'contest_scores', 'contest_results', 'service_reviews',
    'review_actions', 'tasks', 'milestones', 'milestone_completions', 'quarterly_reports', 'evaluations', 'indicator_values',
    'evaluation_results', 'evaluation_decisions'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON "evaluations".%I FOR EACH STATEMENT EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"()', name || '_no_truncate', name);
  END LOOP;
END;
$$;
