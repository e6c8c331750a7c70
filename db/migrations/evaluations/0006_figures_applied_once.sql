-- As issues' migration 0011: the first firing of the deferred apply adds up everything the
-- transaction staged and clears a transaction-local flag that staging raises; the other firings
-- return at once, instead of each looking through all the rows the first one deleted (quadratic
-- in the rows one transaction stages).
CREATE OR REPLACE FUNCTION "evaluations"."stage_review_figures"(r "evaluations"."service_reviews", late boolean, sign int) RETURNS void
LANGUAGE sql AS $$
  SELECT set_config('evaluations.figures_staged', 'yes', true);
  INSERT INTO "evaluations"."review_figure_changes" (unit_id, day, part, amount)
  SELECT r.unit_id, "evaluations"."figure_day"(r.reviewed_at), p.part, sign * p.amount
  FROM "evaluations"."review_parts"(r, late) p
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "evaluations"."apply_review_figure_changes"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('evaluations.figures_staged', true), '') <> 'yes' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('evaluations.figures_staged', '', true);
  PERFORM "evaluations"."add_review_figures"(
    'DELETE FROM "evaluations"."review_figure_changes" WHERE txid = txid_current() RETURNING unit_id, day, part, amount');
  RETURN NULL;
END;
$$;
