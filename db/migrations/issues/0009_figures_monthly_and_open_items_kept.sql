-- Two refinements of the kept figures (migration 0006), from the benchmark at 1M issues:
--
-- * Open items are kept too (open deadlines with a due time, per stage; issues with a running
--   clock). The clock only moves an open item from "not yet due" to "due", so the store now counts
--   live only the open items NOT yet due (bounded by intake × limits) and subtracts them from the
--   kept open ones — the overdue backlog, however large it grows, costs nothing per request.
-- * The figures are kept per month as well as per day: a year is read as twelve rows per key.
CREATE OR REPLACE FUNCTION "issues"."issue_parts"(i "issues"."issues") RETURNS TABLE(unit_id uuid, part text, amount bigint)
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
    ('resolved_service_confirmed', (i.status IN ('RESOLVED', 'CLOSED') AND i.resolution_outcome = 'SERVICE_CONFIRMED')::int::bigint),
    ('running', (i.next_due_at IS NOT NULL)::int::bigint)
  ) AS p(part, amount)
  WHERE p.amount <> 0
$$;
--> statement-breakpoint
-- Due (met, or stopped unmet at or after its due time), on time (met before it), or open with a due time.
CREATE OR REPLACE FUNCTION "issues"."deadline_parts"(d "issues"."issue_deadlines") RETURNS TABLE(unit_id uuid, part text, amount bigint)
LANGUAGE sql IMMUTABLE AS $$
  SELECT d.unit_id, p.part, p.amount
  FROM (VALUES
    (lower(d.stage::text) || '_due',
      (d.due_at IS NOT NULL AND (d.met_at IS NOT NULL OR (d.cancelled_at IS NOT NULL AND d.judged_at >= d.due_at)))::int::bigint),
    (lower(d.stage::text) || '_on_time', (d.met_at < d.due_at)::int::bigint),
    ('open_' || lower(d.stage::text), (d.due_at IS NOT NULL AND d.met_at IS NULL AND d.cancelled_at IS NULL)::int::bigint)
  ) AS p(part, amount)
  WHERE p.amount <> 0
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "issues"."figures_on_issue"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (OLD.responsible_unit_id, OLD.accepted_at, OLD.status, OLD.reopen_count, OLD.first_assigned_at, OLD.resolution_outcome, OLD.next_due_at IS NULL)
       IS NOT DISTINCT FROM (NEW.responsible_unit_id, NEW.accepted_at, NEW.status, NEW.reopen_count, NEW.first_assigned_at, NEW.resolution_outcome, NEW.next_due_at IS NULL) THEN
      RETURN NULL;
    END IF;
    PERFORM "issues"."stage_figures"(OLD.id, -1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."issue_parts"(OLD) p;
  END IF;
  PERFORM "issues"."stage_figures"(NEW.id, 1, array_agg(p.unit_id), array_agg(p.part), array_agg(p.amount)) FROM "issues"."issue_parts"(NEW) p;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- Adds long rows (day, unit_key, environment, source, district, part, amount), given as a query,
-- into issue_figures and issue_figures_monthly: under the unit and under each of the issue's keys,
-- netted, in key order, in one statement (the query may be a DELETE … RETURNING, read once).
CREATE OR REPLACE FUNCTION "issues"."add_figures"(source text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($q$
    WITH src AS (%s),
    spread AS (
      SELECT a.axis, a.key, s.day, s.part, sum(s.amount) AS amount
      FROM src s
      CROSS JOIN LATERAL (VALUES ('UNIT'::"issues"."figure_axis", s.unit_key), ('ENVIRONMENT', s.environment), ('SOURCE', s.source), ('DISTRICT', s.district)) AS a(axis, key)
      GROUP BY 1, 2, 3, 4
      HAVING sum(s.amount) <> 0
    ),
    daily AS (
      INSERT INTO "issues"."issue_figures" AS f (axis, key, day, received, accepted, closed, reopened, dispatched, dispatch_ms, resolved_solved, resolved_service_confirmed, contact_due, contact_on_time, feedback_due, feedback_on_time, resolution_due, resolution_on_time, milestone_due, milestone_on_time, rated, rated_solved, rated_satisfied, first_rated, first_rated_solved, first_rated_satisfied, followed_up, follow_up_satisfied, open_contact, open_feedback, open_resolution, open_milestone, running)
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
             coalesce(sum(amount) FILTER (WHERE part = 'follow_up_satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_contact'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_feedback'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_resolution'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_milestone'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'running'), 0)
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
           follow_up_satisfied = f.follow_up_satisfied + excluded.follow_up_satisfied,
           open_contact = f.open_contact + excluded.open_contact,
           open_feedback = f.open_feedback + excluded.open_feedback,
           open_resolution = f.open_resolution + excluded.open_resolution,
           open_milestone = f.open_milestone + excluded.open_milestone,
           running = f.running + excluded.running
      RETURNING 1
    ),
    monthly AS (
      INSERT INTO "issues"."issue_figures_monthly" AS f (axis, key, month, received, accepted, closed, reopened, dispatched, dispatch_ms, resolved_solved, resolved_service_confirmed, contact_due, contact_on_time, feedback_due, feedback_on_time, resolution_due, resolution_on_time, milestone_due, milestone_on_time, rated, rated_solved, rated_satisfied, first_rated, first_rated_solved, first_rated_satisfied, followed_up, follow_up_satisfied, open_contact, open_feedback, open_resolution, open_milestone, running)
      SELECT axis, key, date_trunc('month', day)::date,
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
             coalesce(sum(amount) FILTER (WHERE part = 'follow_up_satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_contact'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_feedback'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_resolution'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'open_milestone'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'running'), 0)
      FROM spread
      GROUP BY axis, key, date_trunc('month', day)::date
      ORDER BY axis, key, date_trunc('month', day)::date
      ON CONFLICT (axis, key, month) DO UPDATE SET
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
           follow_up_satisfied = f.follow_up_satisfied + excluded.follow_up_satisfied,
           open_contact = f.open_contact + excluded.open_contact,
           open_feedback = f.open_feedback + excluded.open_feedback,
           open_resolution = f.open_resolution + excluded.open_resolution,
           open_milestone = f.open_milestone + excluded.open_milestone,
           running = f.running + excluded.running
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM daily) + (SELECT count(*) FROM monthly)
  $q$, source);
END;
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "issues"."rebuild_figures"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "issues"."issue_figures";
  DELETE FROM "issues"."issue_figures_monthly";
  PERFORM "issues"."add_figures"(
    $q$SELECT "issues"."figure_day"(received_at) AS day, coalesce(unit_id::text, 'NONE') AS unit_key, environment::text AS environment,
              source::text AS source, coalesce(district_code, 'NONE') AS district, part, amount
       FROM "issues"."figure_parts_now"$q$);
END;
$$;
--> statement-breakpoint
SELECT "issues"."rebuild_figures"();
--> statement-breakpoint
COMMENT ON TABLE "issues"."issue_figures_monthly" IS 'Derived: kept by triggers (migrations 0006, 0009); the serving role reads it only.';
