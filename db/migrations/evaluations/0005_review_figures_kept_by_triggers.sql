-- The service-review figures, kept in the transaction of every change (issue #11), as the issues
-- slice keeps its own (its migration 0006 explains the pattern): triggers on service_reviews and
-- review_actions stage what each write takes away and adds (review_figure_changes, one row per
-- part); as the transaction commits, a deferred trigger adds its staged rows up into
-- review_figures in key order and removes them. What moves with the clock (a review due or overdue
-- while it still awaits an answer or a rectification) is counted live by the store.

-- The day of a review, in Beijing (UTC+8 all year).
CREATE FUNCTION "evaluations"."figure_day"(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((at AT TIME ZONE 'UTC') + interval '8 hours')::date $$;
--> statement-breakpoint
-- Whether the unit answered or rectified a review late (an action says so; actions are append-only).
CREATE FUNCTION "evaluations"."review_late"(review uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(bool_or(a.late), false) FROM "evaluations"."review_actions" a
  WHERE a.review_id = review AND a.kind IN ('ANSWER', 'RECTIFY')
$$;
--> statement-breakpoint
-- What one review adds to its unit's figures of its day, part by part.
CREATE FUNCTION "evaluations"."review_parts"(r "evaluations"."service_reviews", late boolean) RETURNS TABLE(part text, amount int)
LANGUAGE sql IMMUTABLE AS $$
  SELECT p.part, p.amount
  FROM (VALUES
    ('count', (r.status <> 'EXCLUDED')::int),
    ('satisfied', (r.status <> 'EXCLUDED' AND r.level IN ('VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED'))::int),
    ('bad', (r.status <> 'EXCLUDED' AND r.level IN ('UNSATISFIED', 'VERY_UNSATISFIED'))::int),
    ('rectified', (r.status IN ('AWAITING_FOLLOW_UP', 'DONE'))::int),
    ('on_time', (r.status IN ('AWAITING_FOLLOW_UP', 'DONE') AND NOT late)::int),
    ('excluded', (r.status = 'EXCLUDED')::int)
  ) AS p(part, amount)
  WHERE p.amount <> 0
$$;
--> statement-breakpoint
CREATE FUNCTION "evaluations"."stage_review_figures"(r "evaluations"."service_reviews", late boolean, sign int) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "evaluations"."review_figure_changes" (unit_id, day, part, amount)
  SELECT r.unit_id, "evaluations"."figure_day"(r.reviewed_at), p.part, sign * p.amount
  FROM "evaluations"."review_parts"(r, late) p
$$;
--> statement-breakpoint
-- Adds rows (unit_id, day, part, amount), given as a query, into review_figures: netted, in key order.
CREATE FUNCTION "evaluations"."add_review_figures"(source text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($q$
    WITH src AS (%s),
    netted AS (
      SELECT unit_id, day, part, sum(amount) AS amount FROM src GROUP BY 1, 2, 3 HAVING sum(amount) <> 0
    )
    INSERT INTO "evaluations"."review_figures" AS f (unit_id, day, count, satisfied, bad, rectified, on_time, excluded)
    SELECT unit_id, day,
           coalesce(sum(amount) FILTER (WHERE part = 'count'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'satisfied'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'bad'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'rectified'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'on_time'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'excluded'), 0)
    FROM netted
    GROUP BY unit_id, day
    ORDER BY unit_id, day
    ON CONFLICT (unit_id, day) DO UPDATE SET
         count = f.count + excluded.count,
         satisfied = f.satisfied + excluded.satisfied,
         bad = f.bad + excluded.bad,
         rectified = f.rectified + excluded.rectified,
         on_time = f.on_time + excluded.on_time,
         excluded = f.excluded + excluded.excluded
  $q$, source);
END;
$fn$;
--> statement-breakpoint
CREATE FUNCTION "evaluations"."figures_on_review"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  late boolean;
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.status, OLD.level, OLD.unit_id, OLD.reviewed_at) IS NOT DISTINCT FROM (NEW.status, NEW.level, NEW.unit_id, NEW.reviewed_at) THEN
    RETURN NULL;
  END IF;
  late := "evaluations"."review_late"(NEW.id);
  IF TG_OP = 'UPDATE' THEN
    PERFORM "evaluations"."stage_review_figures"(OLD, late, -1);
  END IF;
  PERFORM "evaluations"."stage_review_figures"(NEW, late, 1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "service_reviews_figures" AFTER INSERT OR UPDATE ON "evaluations"."service_reviews"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."figures_on_review"();
--> statement-breakpoint
-- The first late answer or rectification turns the review's on-time part off.
CREATE FUNCTION "evaluations"."figures_on_review_action"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  review "evaluations"."service_reviews";
BEGIN
  IF NOT NEW.late OR NEW.kind NOT IN ('ANSWER', 'RECTIFY') THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM "evaluations"."review_actions" a
             WHERE a.review_id = NEW.review_id AND a.id <> NEW.id AND a.late AND a.kind IN ('ANSWER', 'RECTIFY')) THEN
    RETURN NULL;
  END IF;
  SELECT * INTO review FROM "evaluations"."service_reviews" r WHERE r.id = NEW.review_id;
  PERFORM "evaluations"."stage_review_figures"(review, false, -1);
  PERFORM "evaluations"."stage_review_figures"(review, true, 1);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "review_actions_figures" AFTER INSERT ON "evaluations"."review_actions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."figures_on_review_action"();
--> statement-breakpoint
CREATE FUNCTION "evaluations"."apply_review_figure_changes"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM "evaluations"."add_review_figures"(
    'DELETE FROM "evaluations"."review_figure_changes" WHERE txid = txid_current() RETURNING unit_id, day, part, amount');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "review_figure_changes_apply" AFTER INSERT ON "evaluations"."review_figure_changes"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "evaluations"."apply_review_figure_changes"();
--> statement-breakpoint
-- The figures recounted from every review: the backfill below, and after a bulk load that bypassed the triggers.
CREATE FUNCTION "evaluations"."rebuild_review_figures"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "evaluations"."review_figures";
  PERFORM "evaluations"."add_review_figures"(
    $q$SELECT r.unit_id, "evaluations"."figure_day"(r.reviewed_at) AS day, p.part, p.amount
       FROM "evaluations"."service_reviews" r
       LEFT JOIN (SELECT a.review_id, bool_or(a.late) AS late FROM "evaluations"."review_actions" a
                  WHERE a.kind IN ('ANSWER', 'RECTIFY') GROUP BY a.review_id) l ON l.review_id = r.id
       CROSS JOIN LATERAL "evaluations"."review_parts"(r, coalesce(l.late, false)) p$q$);
END;
$$;
--> statement-breakpoint
SELECT "evaluations"."rebuild_review_figures"();
--> statement-breakpoint
COMMENT ON TABLE "evaluations"."review_figures" IS 'Derived: kept by triggers (migration 0005); the serving role reads it only.';
--> statement-breakpoint
COMMENT ON TABLE "evaluations"."review_figure_changes" IS 'Derived: staged by triggers within a transaction; the serving role never writes it.';
