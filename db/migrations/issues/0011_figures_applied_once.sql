-- Every staged row queues the deferred apply trigger, and each firing looked for the transaction's
-- staged rows through the txid index, which still points at the rows the first firing deleted:
-- quadratic in the rows a transaction stages (moving 4,000 open deadlines, as entering a year of
-- the calendar does, took 8.8 s to commit at 1M issues). Staging now raises a transaction-local
-- flag, and the apply clears it before adding up everything staged so far: the first firing does
-- the work, the others return at once. A later staging in the same transaction (after SET
-- CONSTRAINTS … IMMEDIATE) raises the flag again and queues its own firing; a rollback to a
-- savepoint takes the flag back with the rows.
CREATE OR REPLACE FUNCTION "issues"."stage_figures"(for_issue uuid, sign int, unit_ids uuid[], parts text[], amounts bigint[]) RETURNS void
LANGUAGE sql AS $$
  SELECT set_config('issues.figures_staged', 'yes', true);
  INSERT INTO "issues"."issue_figure_changes" (day, unit_key, environment, source, district, part, amount)
  SELECT "issues"."figure_day"(i.received_at), coalesce(p.unit_id::text, 'NONE'), i.environment::text, i.source::text,
         coalesce(i.district_code, 'NONE'), p.part, sign * p.amount
  FROM "issues"."issues" i, unnest(unit_ids, parts, amounts) AS p(unit_id, part, amount)
  WHERE i.id = for_issue
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "issues"."apply_figure_changes"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('issues.figures_staged', true), '') <> 'yes' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('issues.figures_staged', '', true);
  PERFORM "issues"."add_figures"(
    'DELETE FROM "issues"."issue_figure_changes" WHERE txid = txid_current() RETURNING day, unit_key, environment, source, district, part, amount');
  RETURN NULL;
END;
$$;
