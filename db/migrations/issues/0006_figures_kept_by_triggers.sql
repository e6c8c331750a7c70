-- The command office's figures, kept in the transaction of every change (issue #11). Each write to
-- an issue, a deadline, a rating or a follow-up stages what it takes away from and adds to the
-- figures (issue_figure_changes, one row per part, with the issue's day of receipt and keys); as the
-- transaction commits, a deferred trigger adds its staged rows up into issue_figures, in key order,
-- and removes them. A rolled-back transaction leaves nothing. What moves with the clock (items
-- overdue now, open deadlines past their due time) is not kept: the store counts it live.
--
-- The definitions are those of subgraphs/issues/figures.ts: a part counts under the unit it belongs
-- to (the lead handler for the issue's own parts, the unit whose clock it was for a deadline, the
-- unit that handled the round for a rating or follow-up) and under the issue's environment, channel
-- and district; the period is the issue's day of receipt in Beijing.

-- The cohort of an issue (its receipt, channel, environment, district) is fixed once recorded.
CREATE FUNCTION "issues"."keep_issue_cohort"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.received_at, NEW.source, NEW.environment, NEW.district_code) IS DISTINCT FROM (OLD.received_at, OLD.source, OLD.environment, OLD.district_code) THEN
    RAISE EXCEPTION 'UPDATE on issues.issues refused: receipt, channel, environment and district of an issue are fixed once recorded'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issues_cohort_fixed" BEFORE UPDATE ON "issues"."issues"
  FOR EACH ROW EXECUTE FUNCTION "issues"."keep_issue_cohort"();
--> statement-breakpoint
-- A deadline carries its issue's receipt, so open deadlines are counted per period from an index.
CREATE FUNCTION "issues"."copy_issue_receipt"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.received_at := (SELECT i.received_at FROM "issues"."issues" i WHERE i.id = NEW.issue_id);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_deadlines_receipt" BEFORE INSERT OR UPDATE OF issue_id, received_at ON "issues"."issue_deadlines"
  FOR EACH ROW EXECUTE FUNCTION "issues"."copy_issue_receipt"();
--> statement-breakpoint
UPDATE "issues"."issue_deadlines" d SET received_at = i.received_at FROM "issues"."issues" i WHERE i.id = d.issue_id;
--> statement-breakpoint
ALTER TABLE "issues"."issue_deadlines" ALTER COLUMN "received_at" SET NOT NULL;
--> statement-breakpoint
-- The day of receipt, in Beijing (UTC+8 all year).
CREATE FUNCTION "issues"."figure_day"(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((at AT TIME ZONE 'UTC') + interval '8 hours')::date $$;
--> statement-breakpoint
-- What one row adds to the figures, part by part, and under which unit.
CREATE FUNCTION "issues"."issue_parts"(i "issues"."issues") RETURNS TABLE(unit_id uuid, part text, amount bigint)
LANGUAGE sql IMMUTABLE AS $$
  SELECT i.responsible_unit_id, p.part, p.amount
  FROM (VALUES
    ('received', 1::bigint),
    ('accepted', (i.accepted_at IS NOT NULL AND i.status <> 'MERGED')::int::bigint),
    ('closed', (i.status = 'CLOSED')::int::bigint),
    ('reopened', (i.reopen_count > 0)::int::bigint),
    ('dispatched', (i.first_assigned_at IS NOT NULL)::int::bigint),
    ('dispatch_ms', round(extract(epoch FROM i.first_assigned_at - i.received_at) * 1000)::bigint),
    ('resolved_solved', (i.status IN ('RESOLVED', 'CLOSED') AND i.resolution_outcome = 'SOLVED')::int::bigint),
    ('resolved_service_confirmed', (i.status IN ('RESOLVED', 'CLOSED') AND i.resolution_outcome = 'SERVICE_CONFIRMED')::int::bigint)
  ) AS p(part, amount)
  WHERE p.amount <> 0
$$;
--> statement-breakpoint
-- A deadline counts once it is due and will not change with the clock: met (on time if before its
-- due time), or stopped unmet at or after its due time (LAPSED). An open one is counted live.
CREATE FUNCTION "issues"."deadline_parts"(d "issues"."issue_deadlines") RETURNS TABLE(unit_id uuid, part text, amount bigint)
LANGUAGE sql IMMUTABLE AS $$
  SELECT d.unit_id, p.part, p.amount
  FROM (VALUES
    (lower(d.stage::text) || '_due', 1::bigint),
    (lower(d.stage::text) || '_on_time', (d.met_at < d.due_at)::int::bigint)
  ) AS p(part, amount)
  WHERE d.due_at IS NOT NULL
    AND (d.met_at IS NOT NULL OR (d.cancelled_at IS NOT NULL AND d.judged_at >= d.due_at))
    AND p.amount <> 0
$$;
--> statement-breakpoint
-- A rating counts for its round if it is the first, and for the issue if it is the last round's.
CREATE FUNCTION "issues"."rating_parts"(r "issues"."issue_ratings", is_final boolean) RETURNS TABLE(unit_id uuid, part text, amount bigint)
LANGUAGE sql IMMUTABLE AS $$
  SELECT r.unit_id, p.part, p.amount
  FROM (VALUES
    ('rated', is_final::int::bigint),
    ('rated_solved', (is_final AND r.solved)::int::bigint),
    ('rated_satisfied', (is_final AND r.rating IN ('SATISFIED', 'BASICALLY_SATISFIED'))::int::bigint),
    ('first_rated', (r.round = 1)::int::bigint),
    ('first_rated_solved', (r.round = 1 AND r.solved)::int::bigint),
    ('first_rated_satisfied', (r.round = 1 AND r.rating IN ('SATISFIED', 'BASICALLY_SATISFIED'))::int::bigint)
  ) AS p(part, amount)
  WHERE p.amount <> 0
$$;
--> statement-breakpoint
-- A follow-up counts if it reached the person and is the latest that did.
CREATE FUNCTION "issues"."follow_up_parts"(f "issues"."issue_follow_ups", latest boolean) RETURNS TABLE(unit_id uuid, part text, amount bigint)
LANGUAGE sql IMMUTABLE AS $$
  SELECT f.unit_id, p.part, p.amount
  FROM (VALUES
    ('followed_up', 1::bigint),
    ('follow_up_satisfied', (f.rating IN ('SATISFIED', 'BASICALLY_SATISFIED'))::int::bigint)
  ) AS p(part, amount)
  WHERE f.reached AND latest AND p.amount <> 0
$$;
--> statement-breakpoint
-- Every part of every row as it stands: what issue_figures holds when nothing is staged.
CREATE VIEW "issues"."figure_parts_now" AS
  SELECT i.received_at, i.environment, i.source, i.district_code, p.unit_id, p.part, p.amount
  FROM "issues"."issues" i CROSS JOIN LATERAL "issues"."issue_parts"(i) p
  UNION ALL
  SELECT i.received_at, i.environment, i.source, i.district_code, p.unit_id, p.part, p.amount
  FROM "issues"."issue_deadlines" d JOIN "issues"."issues" i ON i.id = d.issue_id CROSS JOIN LATERAL "issues"."deadline_parts"(d) p
  UNION ALL
  SELECT i.received_at, i.environment, i.source, i.district_code, p.unit_id, p.part, p.amount
  FROM (SELECT r, r.round = max(r.round) OVER (PARTITION BY r.issue_id) AS is_final FROM "issues"."issue_ratings" r) x
  JOIN "issues"."issues" i ON i.id = (x.r).issue_id CROSS JOIN LATERAL "issues"."rating_parts"(x.r, x.is_final) p
  UNION ALL
  SELECT i.received_at, i.environment, i.source, i.district_code, p.unit_id, p.part, p.amount
  FROM (SELECT f, f.id = max(f.id) OVER (PARTITION BY f.issue_id) AS latest FROM "issues"."issue_follow_ups" f WHERE f.reached) x
  JOIN "issues"."issues" i ON i.id = (x.f).issue_id CROSS JOIN LATERAL "issues"."follow_up_parts"(x.f, x.latest) p;
--> statement-breakpoint
-- Adds long rows (day, unit_key, environment, source, district, part, amount), given as a query,
-- into issue_figures: under the unit and under each of the issue's keys, netted, in key order.
CREATE FUNCTION "issues"."add_figures"(source text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($q$
    WITH src AS (%s),
    spread AS (
      SELECT a.axis, a.key, s.day, s.part, sum(s.amount) AS amount
      FROM src s
      CROSS JOIN LATERAL (VALUES ('UNIT'::"issues"."figure_axis", s.unit_key), ('ENVIRONMENT', s.environment), ('SOURCE', s.source), ('DISTRICT', s.district)) AS a(axis, key)
      GROUP BY 1, 2, 3, 4
      HAVING sum(s.amount) <> 0
    )
    INSERT INTO "issues"."issue_figures" AS f (axis, key, day, received, accepted, closed, reopened, dispatched, dispatch_ms, resolved_solved, resolved_service_confirmed, contact_due, contact_on_time, feedback_due, feedback_on_time, resolution_due, resolution_on_time, milestone_due, milestone_on_time, rated, rated_solved, rated_satisfied, first_rated, first_rated_solved, first_rated_satisfied, followed_up, follow_up_satisfied)
    SELECT axis, key, day,
           coalesce(sum(amount) FILTER (WHERE part = 'received'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'accepted'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'closed'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'reopened'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'dispatched'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'dispatch_ms'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'resolved_solved'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'resolved_service_confirmed'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'contact_due'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'contact_on_time'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'feedback_due'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'feedback_on_time'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'resolution_due'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'resolution_on_time'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'milestone_due'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'milestone_on_time'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'rated'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'rated_solved'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'rated_satisfied'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'first_rated'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'first_rated_solved'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'first_rated_satisfied'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'followed_up'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'follow_up_satisfied'), 0)
    FROM spread
    GROUP BY axis, key, day
    ORDER BY axis, key, day
    ON CONFLICT (axis, key, day) DO UPDATE SET
         received = f.received + excluded.received,
         accepted = f.accepted + excluded.accepted,
         closed = f.closed + excluded.closed,
         reopened = f.reopened + excluded.reopened,
         dispatched = f.dispatched + excluded.dispatched,
         dispatch_ms = f.dispatch_ms + excluded.dispatch_ms,
         resolved_solved = f.resolved_solved + excluded.resolved_solved,
         resolved_service_confirmed = f.resolved_service_confirmed + excluded.resolved_service_confirmed,
         contact_due = f.contact_due + excluded.contact_due,
         contact_on_time = f.contact_on_time + excluded.contact_on_time,
         feedback_due = f.feedback_due + excluded.feedback_due,
         feedback_on_time = f.feedback_on_time + excluded.feedback_on_time,
         resolution_due = f.resolution_due + excluded.resolution_due,
         resolution_on_time = f.resolution_on_time + excluded.resolution_on_time,
         milestone_due = f.milestone_due + excluded.milestone_due,
         milestone_on_time = f.milestone_on_time + excluded.milestone_on_time,
         rated = f.rated + excluded.rated,
         rated_solved = f.rated_solved + excluded.rated_solved,
         rated_satisfied = f.rated_satisfied + excluded.rated_satisfied,
         first_rated = f.first_rated + excluded.first_rated,
         first_rated_solved = f.first_rated_solved + excluded.first_rated_solved,
         first_rated_satisfied = f.first_rated_satisfied + excluded.first_rated_satisfied,
         followed_up = f.followed_up + excluded.followed_up,
         follow_up_satisfied = f.follow_up_satisfied + excluded.follow_up_satisfied
  $q$, source);
END;
$fn$;
--> statement-breakpoint
-- Stages what a row takes away (sign -1) or adds (+1), under its issue's keys.
CREATE FUNCTION "issues"."stage_figures"(for_issue uuid, sign int, unit_ids uuid[], parts text[], amounts bigint[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO "issues"."issue_figure_changes" (day, unit_key, environment, source, district, part, amount)
  SELECT "issues"."figure_day"(i.received_at), coalesce(p.unit_id::text, 'NONE'), i.environment::text, i.source::text,
         coalesce(i.district_code, 'NONE'), p.part, sign * p.amount
  FROM "issues"."issues" i, unnest(unit_ids, parts, amounts) AS p(unit_id, part, amount)
  WHERE i.id = for_issue
$$;
--> statement-breakpoint
CREATE FUNCTION "issues"."figures_on_issue"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (OLD.responsible_unit_id, OLD.accepted_at, OLD.status, OLD.reopen_count, OLD.first_assigned_at, OLD.resolution_outcome)
       IS NOT DISTINCT FROM (NEW.responsible_unit_id, NEW.accepted_at, NEW.status, NEW.reopen_count, NEW.first_assigned_at, NEW.resolution_outcome) THEN
      RETURN NULL;
    END IF;
    PERFORM "issues"."stage_figures"(OLD.id, -1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."issue_parts"(OLD) p;
  END IF;
  PERFORM "issues"."stage_figures"(NEW.id, 1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."issue_parts"(NEW) p;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issues_figures" AFTER INSERT OR UPDATE ON "issues"."issues"
  FOR EACH ROW EXECUTE FUNCTION "issues"."figures_on_issue"();
--> statement-breakpoint
CREATE FUNCTION "issues"."figures_on_deadline"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (OLD.unit_id, OLD.stage, OLD.due_at, OLD.met_at, OLD.cancelled_at, OLD.judged_at)
       IS NOT DISTINCT FROM (NEW.unit_id, NEW.stage, NEW.due_at, NEW.met_at, NEW.cancelled_at, NEW.judged_at) THEN
      RETURN NULL;
    END IF;
    PERFORM "issues"."stage_figures"(OLD.issue_id, -1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."deadline_parts"(OLD) p;
  END IF;
  PERFORM "issues"."stage_figures"(NEW.issue_id, 1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."deadline_parts"(NEW) p;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_deadlines_figures" AFTER INSERT OR UPDATE ON "issues"."issue_deadlines"
  FOR EACH ROW EXECUTE FUNCTION "issues"."figures_on_deadline"();
--> statement-breakpoint
-- Ratings are append-only: a new round's rating takes the issue's figure over from the previous one.
CREATE FUNCTION "issues"."figures_on_rating"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  previous "issues"."issue_ratings";
  is_final boolean;
BEGIN
  SELECT * INTO previous FROM "issues"."issue_ratings" r WHERE r.issue_id = NEW.issue_id AND r.id <> NEW.id ORDER BY r.round DESC LIMIT 1;
  is_final := previous.id IS NULL OR previous.round < NEW.round;
  IF is_final AND previous.id IS NOT NULL THEN
    PERFORM "issues"."stage_figures"(NEW.issue_id, -1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount))
      FROM "issues"."rating_parts"(previous, true) p WHERE p.part LIKE 'rated%';
  END IF;
  PERFORM "issues"."stage_figures"(NEW.issue_id, 1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."rating_parts"(NEW, is_final) p;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_ratings_figures" AFTER INSERT ON "issues"."issue_ratings"
  FOR EACH ROW EXECUTE FUNCTION "issues"."figures_on_rating"();
--> statement-breakpoint
-- Follow-ups are append-only: the latest that reached the person takes over from the one before.
CREATE FUNCTION "issues"."figures_on_follow_up"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  previous "issues"."issue_follow_ups";
BEGIN
  IF NOT NEW.reached THEN
    RETURN NULL;
  END IF;
  SELECT * INTO previous FROM "issues"."issue_follow_ups" f WHERE f.issue_id = NEW.issue_id AND f.reached AND f.id <> NEW.id ORDER BY f.id DESC LIMIT 1;
  IF previous.id IS NOT NULL AND previous.id > NEW.id THEN
    RETURN NULL;
  END IF;
  IF previous.id IS NOT NULL THEN
    PERFORM "issues"."stage_figures"(NEW.issue_id, -1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."follow_up_parts"(previous, true) p;
  END IF;
  PERFORM "issues"."stage_figures"(NEW.issue_id, 1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."follow_up_parts"(NEW, true) p;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_follow_ups_figures" AFTER INSERT ON "issues"."issue_follow_ups"
  FOR EACH ROW EXECUTE FUNCTION "issues"."figures_on_follow_up"();
--> statement-breakpoint
-- At commit: the transaction's staged rows, added up and removed (the first event does it all).
CREATE FUNCTION "issues"."apply_figure_changes"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM "issues"."add_figures"(
    'DELETE FROM "issues"."issue_figure_changes" WHERE txid = txid_current() RETURNING day, unit_key, environment, source, district, part, amount');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "issue_figure_changes_apply" AFTER INSERT ON "issues"."issue_figure_changes"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "issues"."apply_figure_changes"();
--> statement-breakpoint
-- The figures recounted from every row: the backfill below, and after a bulk load that bypassed the triggers.
CREATE FUNCTION "issues"."rebuild_figures"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "issues"."issue_figures";
  PERFORM "issues"."add_figures"(
    $q$SELECT "issues"."figure_day"(received_at) AS day, coalesce(unit_id::text, 'NONE') AS unit_key, environment::text AS environment,
              source::text AS source, coalesce(district_code, 'NONE') AS district, part, amount
       FROM "issues"."figure_parts_now"$q$);
END;
$$;
--> statement-breakpoint
SELECT "issues"."rebuild_figures"();
--> statement-breakpoint
COMMENT ON TABLE "issues"."issue_figures" IS 'Derived: kept by triggers (migration 0006); the serving role reads it only.';
--> statement-breakpoint
COMMENT ON TABLE "issues"."issue_figure_changes" IS 'Derived: staged by triggers within a transaction; the serving role never writes it.';
