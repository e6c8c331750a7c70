CREATE TYPE "policies"."limit_kind" AS ENUM('REVIEW', 'PAYMENT', 'OBJECTION_ANSWER');--> statement-breakpoint
CREATE TABLE "policies"."limit_outcomes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"event_id" bigint NOT NULL,
	"objection_id" uuid,
	"kind" "policies"."limit_kind" NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"judged_at" timestamp with time zone NOT NULL,
	"late" boolean GENERATED ALWAYS AS (judged_at > due_at) STORED NOT NULL,
	"pending_calendar_year" smallint
);
--> statement-breakpoint
ALTER TABLE "policies"."policy_figures" ADD COLUMN "late_reviews" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."policy_figures" ADD COLUMN "late_payments" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."policy_figures" ADD COLUMN "late_objection_answers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."policy_figures_monthly" ADD COLUMN "late_reviews" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."policy_figures_monthly" ADD COLUMN "late_payments" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."policy_figures_monthly" ADD COLUMN "late_objection_answers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."limit_outcomes" ADD CONSTRAINT "limit_outcomes_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "policies"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."limit_outcomes" ADD CONSTRAINT "limit_outcomes_event_id_application_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "policies"."application_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."limit_outcomes" ADD CONSTRAINT "limit_outcomes_objection_id_objections_id_fk" FOREIGN KEY ("objection_id") REFERENCES "policies"."objections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "limit_outcomes_application_idx" ON "policies"."limit_outcomes" USING btree ("application_id","id");--> statement-breakpoint
-- Lateness is evidence (issue #21): each limit a step of an application ended — the review, the
-- payment, the answer to an objection — is judged at that step and kept in limit_outcomes. Until
-- now a grant paid after its limit kept nothing of it, a review missed before a return was forgotten
-- once the resubmission restarted the clock, and a late answer to an objection was never counted.
--
-- What the previous release's rows say, judged as the service now judges at each step: a review at
-- its decision, a payment by the day paid, an upheld objection's stop after the payment limit, an
-- objection's answer against the end of the notice. (A return's missed review left nothing to read:
-- its limit was overwritten by the resubmission.) A limit provisional for the year its application
-- waits for stays provisional, judged again with the application when that year is entered.
INSERT INTO "policies"."limit_outcomes" (application_id, event_id, kind, starts_at, due_at, judged_at, pending_calendar_year)
SELECT a.id, e.id, 'REVIEW', a.review_clock_at, a.review_due_at, e.at,
       CASE WHEN extract(year FROM "policies"."figure_day"(a.review_due_at - interval '1 microsecond')) >= a.pending_calendar_year THEN a.pending_calendar_year END
  FROM "policies"."applications" a
  CROSS JOIN LATERAL (SELECT e.id, e.at FROM "policies"."application_events" e
                       WHERE e.application_id = a.id AND e.action IN ('APPROVE', 'REJECT') ORDER BY e.id DESC LIMIT 1) e
 WHERE a.review_due_at IS NOT NULL AND a.review_clock_at IS NOT NULL AND a.decided_at IS NOT NULL;
--> statement-breakpoint
INSERT INTO "policies"."limit_outcomes" (application_id, event_id, kind, starts_at, due_at, judged_at, pending_calendar_year)
SELECT a.id, e.id, 'PAYMENT', a.approved_at, a.payment_due_at,
       CASE WHEN a.status = 'DISBURSED' THEN ((a.paid_on + 1)::timestamp - interval '8 hours') AT TIME ZONE 'UTC' ELSE e.at END,
       CASE WHEN extract(year FROM "policies"."figure_day"(a.payment_due_at - interval '1 microsecond')) >= a.pending_calendar_year THEN a.pending_calendar_year END
  FROM "policies"."applications" a
  CROSS JOIN LATERAL (SELECT e.id, e.at FROM "policies"."application_events" e
                       WHERE e.application_id = a.id AND e.action = (CASE WHEN a.status = 'DISBURSED' THEN 'DISBURSE' ELSE 'STOP' END)
                       ORDER BY e.id DESC LIMIT 1) e
 WHERE a.payment_due_at IS NOT NULL AND a.approved_at IS NOT NULL
   AND ((a.status = 'DISBURSED' AND a.paid_on IS NOT NULL) OR a.status = 'STOPPED');
--> statement-breakpoint
INSERT INTO "policies"."limit_outcomes" (application_id, event_id, objection_id, kind, starts_at, due_at, judged_at, pending_calendar_year)
SELECT a.id, e.id, o.id, 'OBJECTION_ANSWER', a.notice_starts_at, a.notice_ends_at, o.answered_at, a.notice_pending_calendar_year
  FROM "policies"."objections" o
  JOIN "policies"."applications" a ON a.id = o.application_id
  CROSS JOIN LATERAL (SELECT e.id FROM "policies"."application_events" e
                       WHERE e.application_id = a.id AND e.action IN ('ANSWER_OBJECTION', 'STOP') AND e.details ->> 'objectionId' = o.id::text
                       ORDER BY e.id DESC LIMIT 1) e
 WHERE o.answered_at IS NOT NULL AND a.notice_starts_at IS NOT NULL AND a.notice_ends_at IS NOT NULL
 ORDER BY o.answered_at, o.id;
--> statement-breakpoint
-- Never deleted (and so the serving role is not even granted DELETE); never changed, but for a
-- judgment on a provisional due time: its due time and the year it waited for may change, while it
-- waits — `late` follows — until it is final.
CREATE TRIGGER "limit_outcomes_never_deleted" BEFORE DELETE ON "policies"."limit_outcomes"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "limit_outcomes_no_truncate" BEFORE TRUNCATE ON "policies"."limit_outcomes"
  FOR EACH STATEMENT EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE FUNCTION "policies"."judge_provisional_outcome_only"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  judged_again text[] := ARRAY['due_at', 'pending_calendar_year', 'late'];
BEGIN
  IF OLD.pending_calendar_year IS NOT NULL
     AND (to_jsonb(NEW) - judged_again) = (to_jsonb(OLD) - judged_again) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'UPDATE on %.% refused: a judged limit is evidence (only one judged on a provisional due time is judged again, when its year is entered)', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "limit_outcomes_judge_provisional_only" BEFORE UPDATE ON "policies"."limit_outcomes"
  FOR EACH ROW EXECUTE FUNCTION "policies"."judge_provisional_outcome_only"();
--> statement-breakpoint
-- The kept figures: past_settled now counts the applications with a limit judged late at one of
-- their steps (it read the application's last review and payment limits, which a resubmission
-- overwrote), and each kind of late judgment is a part of its own. They key by the application's
-- reviewing unit and submission day, as every application figure does.
CREATE FUNCTION "policies"."late_part"(kind "policies"."limit_kind") RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE kind WHEN 'REVIEW' THEN 'late_reviews' WHEN 'PAYMENT' THEN 'late_payments' ELSE 'late_objection_answers' END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "policies"."application_figures_query"(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    SELECT s.unit_id, s.day, p.part, p.working_days, p.amount
    FROM (
      SELECT a.reviewing_unit_id AS unit_id, "policies"."figure_day"(a.submitted_at) AS day,
             count(*) FILTER (WHERE a.source <> 'AUTOMATIC') AS received,
             count(*) FILTER (WHERE a.source = 'AUTOMATIC') AS automatic,
             count(*) FILTER (WHERE a.approved_at IS NOT NULL) AS approved,
             count(*) FILTER (WHERE a.status = 'REJECTED') AS refused,
             count(*) FILTER (WHERE a.status = 'STOPPED') AS stopped,
             count(*) FILTER (WHERE a.status = 'DISBURSED') AS disbursed,
             coalesce(sum(a.disbursed_amount) FILTER (WHERE a.status = 'DISBURSED'), 0) AS amount
      FROM %1$s a WHERE a.submitted_at IS NOT NULL GROUP BY 1, 2
    ) s
    CROSS JOIN LATERAL (VALUES
      ('received', NULL::smallint, s.received::numeric), ('automatic', NULL, s.automatic), ('approved', NULL, s.approved),
      ('refused', NULL, s.refused), ('stopped', NULL, s.stopped), ('disbursed', NULL, s.disbursed),
      ('amount', NULL, s.amount)
    ) AS p(part, working_days, amount)
    WHERE p.amount <> 0
    UNION ALL
    SELECT a.reviewing_unit_id, "policies"."figure_day"(a.submitted_at), 'cycle', a.cycle_working_days, count(*)::numeric
    FROM %1$s a WHERE a.submitted_at IS NOT NULL AND a.cycle_working_days IS NOT NULL GROUP BY 1, 2, 4
  $q$, source)
$f$;
--> statement-breakpoint
-- The applications' figures triggers now watch only the columns their parts read.
CREATE OR REPLACE FUNCTION "policies"."figures_on_applications_updated"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  changed constant text := $c$
    FROM before_update o JOIN after_update n ON n.id = o.id
    WHERE (o.reviewing_unit_id, o.submitted_at, o.source, o.status, o.approved_at, o.disbursed_amount, o.cycle_working_days)
          IS DISTINCT FROM
          (n.reviewing_unit_id, n.submitted_at, n.source, n.status, n.approved_at, n.disbursed_amount, n.cycle_working_days)$c$;
BEGIN
  PERFORM set_config('policies.figures_staged', 'yes', true);
  EXECUTE 'INSERT INTO "policies"."figure_changes" (unit_id, day, part, working_days, amount) '
    || 'SELECT unit_id, day, part, working_days, sum(amount) FROM ('
    || 'SELECT unit_id, day, part, working_days, -amount AS amount FROM ('
    || "policies"."application_figures_query"('(SELECT o.* ' || changed || ')') || ') taken'
    || ' UNION ALL '
    || "policies"."application_figures_query"('(SELECT n.* ' || changed || ')')
    || ') c GROUP BY 1, 2, 3, 4 HAVING sum(amount) <> 0';
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP FUNCTION "policies"."past_settled"("policies"."application_status", timestamptz, timestamptz, timestamptz, date);
--> statement-breakpoint
-- What a set of judged limits (`source`: a relation) adds to their applications' figures: each late
-- judgment to its kind's part. past_settled is staged by the triggers below, which know what the
-- application held before.
CREATE FUNCTION "policies"."outcome_figures_query"(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    SELECT a.reviewing_unit_id AS unit_id, "policies"."figure_day"(a.submitted_at) AS day, "policies"."late_part"(o.kind) AS part,
           NULL::smallint AS working_days, count(*)::numeric AS amount
    FROM %1$s o JOIN "policies"."applications" a ON a.id = o.application_id
    WHERE o.late GROUP BY 1, 2, 3
  $q$, source)
$f$;
--> statement-breakpoint
-- Statement-level, as the applications' triggers: a statement's judgments staged netted per key.
-- An application's first late judgment makes it one more past its limits.
CREATE FUNCTION "policies"."figures_on_outcomes_inserted"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('policies.figures_staged', 'yes', true);
  EXECUTE 'INSERT INTO "policies"."figure_changes" (unit_id, day, part, working_days, amount) '
    || "policies"."outcome_figures_query"('inserted');
  INSERT INTO "policies"."figure_changes" (unit_id, day, part, working_days, amount)
  SELECT a.reviewing_unit_id, "policies"."figure_day"(a.submitted_at), 'past_settled', NULL, count(*)
    FROM (SELECT DISTINCT i.application_id FROM inserted i WHERE i.late) f
    JOIN "policies"."applications" a ON a.id = f.application_id
   WHERE NOT EXISTS (SELECT 1 FROM "policies"."limit_outcomes" x
                      WHERE x.application_id = f.application_id AND x.late AND x.id NOT IN (SELECT i.id FROM inserted i))
   GROUP BY 1, 2;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- A judgment judged again (a provisional due time made final): its kind's part moves with `late`,
-- and past_settled with whether its application now has any late judgment.
CREATE FUNCTION "policies"."figures_on_outcomes_updated"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('policies.figures_staged', 'yes', true);
  INSERT INTO "policies"."figure_changes" (unit_id, day, part, working_days, amount)
  SELECT a.reviewing_unit_id, "policies"."figure_day"(a.submitted_at), c.part, NULL, sum(c.amount)
    FROM (
      SELECT n.application_id, "policies"."late_part"(n.kind) AS part, (n.late::int - o.late::int)::numeric AS amount
        FROM before_update o JOIN after_update n ON n.id = o.id
       WHERE n.late IS DISTINCT FROM o.late
      UNION ALL
      SELECT s.application_id, 'past_settled', (s.now_late::int - s.was_late::int)::numeric
        FROM (SELECT n.application_id,
                     bool_or(n.late) OR bool_or(x.other_late) AS now_late,
                     bool_or(o.late) OR bool_or(x.other_late) AS was_late
                FROM before_update o JOIN after_update n ON n.id = o.id
                CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM "policies"."limit_outcomes" y
                                                    WHERE y.application_id = n.application_id AND y.late
                                                      AND y.id NOT IN (SELECT u.id FROM after_update u)) AS other_late) x
               GROUP BY n.application_id) s
       WHERE s.now_late IS DISTINCT FROM s.was_late
    ) c
    JOIN "policies"."applications" a ON a.id = c.application_id
   GROUP BY 1, 2, 3
  HAVING sum(c.amount) <> 0;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "limit_outcomes_figures_inserted" AFTER INSERT ON "policies"."limit_outcomes"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "policies"."figures_on_outcomes_inserted"();
--> statement-breakpoint
CREATE TRIGGER "limit_outcomes_figures_updated" AFTER UPDATE ON "policies"."limit_outcomes"
  REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update FOR EACH STATEMENT EXECUTE FUNCTION "policies"."figures_on_outcomes_updated"();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "policies"."add_figures"(source text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($q$
    WITH src AS (%s),
    netted AS (
      SELECT unit_id, day, part, working_days, sum(amount) AS amount FROM src GROUP BY 1, 2, 3, 4 HAVING sum(amount) <> 0
    ),
    per_day AS (
      INSERT INTO "policies"."policy_figures" AS f (unit_id, day, received, automatic, approved, refused, stopped, disbursed, amount, past_settled,
             late_reviews, late_payments, late_objection_answers, reviews, very_satisfied, satisfied, basically_satisfied, unsatisfied, very_unsatisfied)
      SELECT unit_id, day,
             coalesce(sum(amount) FILTER (WHERE part = 'received'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'automatic'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'approved'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'refused'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'stopped'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'disbursed'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'amount'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'past_settled'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'late_reviews'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'late_payments'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'late_objection_answers'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'reviews'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'very_satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'basically_satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'unsatisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'very_unsatisfied'), 0)
      FROM netted WHERE part <> 'cycle'
      GROUP BY 1, 2
      ORDER BY 1, 2
      ON CONFLICT (unit_id, day) DO UPDATE SET
           received = f.received + excluded.received,
           automatic = f.automatic + excluded.automatic,
           approved = f.approved + excluded.approved,
           refused = f.refused + excluded.refused,
           stopped = f.stopped + excluded.stopped,
           disbursed = f.disbursed + excluded.disbursed,
           amount = f.amount + excluded.amount,
           past_settled = f.past_settled + excluded.past_settled,
           late_reviews = f.late_reviews + excluded.late_reviews,
           late_payments = f.late_payments + excluded.late_payments,
           late_objection_answers = f.late_objection_answers + excluded.late_objection_answers,
           reviews = f.reviews + excluded.reviews,
           very_satisfied = f.very_satisfied + excluded.very_satisfied,
           satisfied = f.satisfied + excluded.satisfied,
           basically_satisfied = f.basically_satisfied + excluded.basically_satisfied,
           unsatisfied = f.unsatisfied + excluded.unsatisfied,
           very_unsatisfied = f.very_unsatisfied + excluded.very_unsatisfied
      RETURNING 1
    ),
    per_month AS (
      INSERT INTO "policies"."policy_figures_monthly" AS m (unit_id, month, received, automatic, approved, refused, stopped, disbursed, amount, past_settled,
             late_reviews, late_payments, late_objection_answers, reviews, very_satisfied, satisfied, basically_satisfied, unsatisfied, very_unsatisfied)
      SELECT unit_id, date_trunc('month', day)::date,
             coalesce(sum(amount) FILTER (WHERE part = 'received'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'automatic'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'approved'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'refused'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'stopped'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'disbursed'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'amount'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'past_settled'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'late_reviews'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'late_payments'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'late_objection_answers'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'reviews'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'very_satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'basically_satisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'unsatisfied'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'very_unsatisfied'), 0)
      FROM netted WHERE part <> 'cycle'
      GROUP BY 1, 2
      ORDER BY 1, 2
      ON CONFLICT (unit_id, month) DO UPDATE SET
           received = m.received + excluded.received,
           automatic = m.automatic + excluded.automatic,
           approved = m.approved + excluded.approved,
           refused = m.refused + excluded.refused,
           stopped = m.stopped + excluded.stopped,
           disbursed = m.disbursed + excluded.disbursed,
           amount = m.amount + excluded.amount,
           past_settled = m.past_settled + excluded.past_settled,
           late_reviews = m.late_reviews + excluded.late_reviews,
           late_payments = m.late_payments + excluded.late_payments,
           late_objection_answers = m.late_objection_answers + excluded.late_objection_answers,
           reviews = m.reviews + excluded.reviews,
           very_satisfied = m.very_satisfied + excluded.very_satisfied,
           satisfied = m.satisfied + excluded.satisfied,
           basically_satisfied = m.basically_satisfied + excluded.basically_satisfied,
           unsatisfied = m.unsatisfied + excluded.unsatisfied,
           very_unsatisfied = m.very_unsatisfied + excluded.very_unsatisfied
      RETURNING 1
    ),
    cycles_per_day AS (
      INSERT INTO "policies"."cycle_figures" AS c (unit_id, day, working_days, count)
      SELECT unit_id, day, working_days, amount FROM netted WHERE part = 'cycle'
      ORDER BY 1, 2, 3
      ON CONFLICT (unit_id, day, working_days) DO UPDATE SET count = c.count + excluded.count
      RETURNING 1
    )
    INSERT INTO "policies"."cycle_figures_monthly" AS c (unit_id, month, working_days, count)
    SELECT unit_id, date_trunc('month', day)::date, working_days, sum(amount) FROM netted WHERE part = 'cycle'
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (unit_id, month, working_days) DO UPDATE SET count = c.count + excluded.count
  $q$, source);
END;
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "policies"."rebuild_figures"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "policies"."policy_figures";
  DELETE FROM "policies"."policy_figures_monthly";
  DELETE FROM "policies"."cycle_figures";
  DELETE FROM "policies"."cycle_figures_monthly";
  PERFORM "policies"."add_figures"(
    "policies"."application_figures_query"('"policies"."applications"')
    || ' UNION ALL ' || "policies"."outcome_figures_query"('"policies"."limit_outcomes"')
    || $q$
       UNION ALL
       SELECT a.reviewing_unit_id, "policies"."figure_day"(a.submitted_at), 'past_settled', NULL::smallint, count(*)::numeric
         FROM "policies"."applications" a
        WHERE EXISTS (SELECT 1 FROM "policies"."limit_outcomes" o WHERE o.application_id = a.id AND o.late)
        GROUP BY 1, 2
       UNION ALL
       SELECT r.reviewing_unit_id, "policies"."figure_day"(r.reviewed_at), p.part, p.working_days, p.amount
         FROM "policies"."service_reviews" r CROSS JOIN LATERAL "policies"."review_parts"(r) p$q$);
END;
$$;
--> statement-breakpoint
SELECT "policies"."rebuild_figures"();
