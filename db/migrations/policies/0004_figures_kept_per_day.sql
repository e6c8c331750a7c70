-- The policy figures, kept in the transaction of every change (issue #11), as the issues and
-- evaluations slices keep theirs (issues' migration 0006 explains the pattern): triggers on
-- applications and service_reviews stage what each statement takes away and adds (figure_changes,
-- netted per unit, day and part); as the transaction commits, a deferred trigger adds the staged rows up into
-- policy_figures and cycle_figures in key order and removes them. What moves with the clock (an
-- application still awaiting its decision or its payment) is counted live by the store, through
-- the index on its earliest running limit.

-- The day of an instant, in Beijing (UTC+8 all year).
CREATE FUNCTION "policies"."figure_day"(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT ((at AT TIME ZONE 'UTC') + interval '8 hours')::date $$;
--> statement-breakpoint
-- The earliest limit an application still runs against: its review while undecided, its payment
-- while unpaid (unless refused or stopped); null when neither runs, i.e. nothing of it moves with the clock.
CREATE FUNCTION "policies"."open_due_at"(status "policies"."application_status", review_due_at timestamptz, decided_at timestamptz, payment_due_at timestamptz, paid_on date)
RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT least(CASE WHEN decided_at IS NULL THEN review_due_at END,
               CASE WHEN paid_on IS NULL AND status NOT IN ('REJECTED', 'STOPPED') THEN payment_due_at END)
$$;
--> statement-breakpoint
CREATE TABLE "policies"."cycle_figures" (
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"working_days" smallint NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "cycle_figures_unit_id_day_working_days_pk" PRIMARY KEY("unit_id","day","working_days")
);
--> statement-breakpoint
CREATE TABLE "policies"."cycle_figures_monthly" (
	"unit_id" uuid NOT NULL,
	"month" date NOT NULL,
	"working_days" smallint NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "cycle_figures_monthly_unit_id_month_working_days_pk" PRIMARY KEY("unit_id","month","working_days")
);
--> statement-breakpoint
CREATE TABLE "policies"."figure_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"txid" bigint DEFAULT txid_current() NOT NULL,
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"part" text NOT NULL,
	"working_days" smallint,
	"amount" numeric(16, 2) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_figures" (
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"automatic" integer DEFAULT 0 NOT NULL,
	"approved" integer DEFAULT 0 NOT NULL,
	"refused" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"disbursed" integer DEFAULT 0 NOT NULL,
	"amount" numeric(16, 2) DEFAULT 0 NOT NULL,
	"past_settled" integer DEFAULT 0 NOT NULL,
	"reviews" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"basically_satisfied" integer DEFAULT 0 NOT NULL,
	"unsatisfied" integer DEFAULT 0 NOT NULL,
	"very_unsatisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "policy_figures_unit_id_day_pk" PRIMARY KEY("unit_id","day")
);
--> statement-breakpoint
CREATE TABLE "policies"."policy_figures_monthly" (
	"unit_id" uuid NOT NULL,
	"month" date NOT NULL,
	"received" integer DEFAULT 0 NOT NULL,
	"automatic" integer DEFAULT 0 NOT NULL,
	"approved" integer DEFAULT 0 NOT NULL,
	"refused" integer DEFAULT 0 NOT NULL,
	"stopped" integer DEFAULT 0 NOT NULL,
	"disbursed" integer DEFAULT 0 NOT NULL,
	"amount" numeric(16, 2) DEFAULT 0 NOT NULL,
	"past_settled" integer DEFAULT 0 NOT NULL,
	"reviews" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"basically_satisfied" integer DEFAULT 0 NOT NULL,
	"unsatisfied" integer DEFAULT 0 NOT NULL,
	"very_unsatisfied" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "policy_figures_monthly_unit_id_month_pk" PRIMARY KEY("unit_id","month")
);
--> statement-breakpoint
CREATE INDEX "figure_changes_txid_idx" ON "policies"."figure_changes" USING btree ("txid");--> statement-breakpoint
CREATE INDEX "applications_open_due_idx" ON "policies"."applications" USING btree (policies.open_due_at("status", "review_due_at", "decided_at", "payment_due_at", "paid_on"),"reviewing_unit_id","submitted_at","status","review_due_at","decided_at","payment_due_at","paid_on") WHERE policies.open_due_at("policies"."applications"."status", "policies"."applications"."review_due_at", "policies"."applications"."decided_at", "policies"."applications"."payment_due_at", "policies"."applications"."paid_on") is not null;
--> statement-breakpoint
-- Whether an application went past a limit that no longer runs: decided after its review limit, or
-- paid after its payment limit (paid on the last day of the limit is on time: 24:00 Beijing).
-- Immutable through and through (timestamp arithmetic before the time zone), so PostgreSQL inlines it.
CREATE FUNCTION "policies"."past_settled"(status "policies"."application_status", review_due_at timestamptz, decided_at timestamptz, payment_due_at timestamptz, paid_on date)
RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(
    (review_due_at IS NOT NULL AND decided_at IS NOT NULL AND decided_at > review_due_at)
    OR (payment_due_at IS NOT NULL AND status NOT IN ('REJECTED', 'STOPPED') AND paid_on IS NOT NULL
        AND (((paid_on + 1)::timestamp - interval '8 hours') AT TIME ZONE 'UTC') > payment_due_at),
    false)
$$;
--> statement-breakpoint
-- What a set of applications (`source`: a relation or a parenthesised query) adds to their reviewing
-- units' figures of the day each was submitted, as rows (unit_id, day, part, working_days, amount):
-- added up per unit and day first, then one row per part. The one definition of the parts, for the
-- triggers and the rebuild alike.
CREATE FUNCTION "policies"."application_figures_query"(source text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
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
             coalesce(sum(a.disbursed_amount) FILTER (WHERE a.status = 'DISBURSED'), 0) AS amount,
             count(*) FILTER (WHERE "policies"."past_settled"(a.status, a.review_due_at, a.decided_at, a.payment_due_at, a.paid_on)) AS past_settled
      FROM %1$s a WHERE a.submitted_at IS NOT NULL GROUP BY 1, 2
    ) s
    CROSS JOIN LATERAL (VALUES
      ('received', NULL::smallint, s.received::numeric), ('automatic', NULL, s.automatic), ('approved', NULL, s.approved),
      ('refused', NULL, s.refused), ('stopped', NULL, s.stopped), ('disbursed', NULL, s.disbursed),
      ('amount', NULL, s.amount), ('past_settled', NULL, s.past_settled)
    ) AS p(part, working_days, amount)
    WHERE p.amount <> 0
    UNION ALL
    SELECT a.reviewing_unit_id, "policies"."figure_day"(a.submitted_at), 'cycle', a.cycle_working_days, count(*)::numeric
    FROM %1$s a WHERE a.submitted_at IS NOT NULL AND a.cycle_working_days IS NOT NULL GROUP BY 1, 2, 4
  $q$, source)
$f$;
--> statement-breakpoint
-- What one service review adds to its unit's figures of the day it was given.
CREATE FUNCTION "policies"."review_parts"(r "policies"."service_reviews") RETURNS TABLE(part text, working_days smallint, amount numeric)
LANGUAGE sql IMMUTABLE AS $$
  SELECT p.part, NULL::smallint, 1::numeric
  FROM (VALUES ('reviews'), (CASE r.level WHEN 'VERY_SATISFIED' THEN 'very_satisfied' WHEN 'SATISFIED' THEN 'satisfied'
         WHEN 'BASICALLY_SATISFIED' THEN 'basically_satisfied' WHEN 'UNSATISFIED' THEN 'unsatisfied' ELSE 'very_unsatisfied' END)) AS p(part)
$$;
--> statement-breakpoint
-- Adds rows (unit_id, day, part, working_days, amount), given as a query, into policy_figures and
-- cycle_figures, per day and per month: netted, in key order.
CREATE FUNCTION "policies"."add_figures"(source text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($q$
    WITH src AS (%s),
    netted AS (
      SELECT unit_id, day, part, working_days, sum(amount) AS amount FROM src GROUP BY 1, 2, 3, 4 HAVING sum(amount) <> 0
    ),
    per_day AS (
      INSERT INTO "policies"."policy_figures" AS f (unit_id, day, received, automatic, approved, refused, stopped, disbursed, amount, past_settled, reviews, very_satisfied, satisfied, basically_satisfied, unsatisfied, very_unsatisfied)
      SELECT unit_id, day,
             coalesce(sum(amount) FILTER (WHERE part = 'received'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'automatic'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'approved'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'refused'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'stopped'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'disbursed'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'amount'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'past_settled'), 0),
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
           reviews = f.reviews + excluded.reviews,
           very_satisfied = f.very_satisfied + excluded.very_satisfied,
           satisfied = f.satisfied + excluded.satisfied,
           basically_satisfied = f.basically_satisfied + excluded.basically_satisfied,
           unsatisfied = f.unsatisfied + excluded.unsatisfied,
           very_unsatisfied = f.very_unsatisfied + excluded.very_unsatisfied
      RETURNING 1
    ),
    per_month AS (
      INSERT INTO "policies"."policy_figures_monthly" AS m (unit_id, month, received, automatic, approved, refused, stopped, disbursed, amount, past_settled, reviews, very_satisfied, satisfied, basically_satisfied, unsatisfied, very_unsatisfied)
      SELECT unit_id, date_trunc('month', day)::date,
             coalesce(sum(amount) FILTER (WHERE part = 'received'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'automatic'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'approved'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'refused'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'stopped'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'disbursed'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'amount'), 0),
             coalesce(sum(amount) FILTER (WHERE part = 'past_settled'), 0),
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
-- Statement-level, with the statement's transition tables: one firing per statement, whatever the
-- number of rows it wrote, stages the parts netted per key (100,000 automatic grants of one day
-- stage a handful of rows, not a million). Staging raises a transaction-local flag, so that only
-- the first firing of the deferred apply works.
CREATE FUNCTION "policies"."figures_on_applications_inserted"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('policies.figures_staged', 'yes', true);
  EXECUTE 'INSERT INTO "policies"."figure_changes" (unit_id, day, part, working_days, amount) '
    || "policies"."application_figures_query"('inserted');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
-- An update takes the old rows' parts away and adds the new rows' — only for rows whose counted columns changed.
CREATE FUNCTION "policies"."figures_on_applications_updated"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  changed constant text := $c$
    FROM before_update o JOIN after_update n ON n.id = o.id
    WHERE (o.reviewing_unit_id, o.submitted_at, o.source, o.status, o.approved_at, o.disbursed_amount,
           o.cycle_working_days, o.review_due_at, o.decided_at, o.payment_due_at, o.paid_on)
          IS DISTINCT FROM
          (n.reviewing_unit_id, n.submitted_at, n.source, n.status, n.approved_at, n.disbursed_amount,
           n.cycle_working_days, n.review_due_at, n.decided_at, n.payment_due_at, n.paid_on)$c$;
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
-- Applications are never deleted (migration 0001).
CREATE TRIGGER "applications_figures_inserted" AFTER INSERT ON "policies"."applications"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "policies"."figures_on_applications_inserted"();
--> statement-breakpoint
CREATE TRIGGER "applications_figures_updated" AFTER UPDATE ON "policies"."applications"
  REFERENCING OLD TABLE AS before_update NEW TABLE AS after_update FOR EACH STATEMENT EXECUTE FUNCTION "policies"."figures_on_applications_updated"();
--> statement-breakpoint
-- Service reviews are never rewritten (migration 0001): each adds once.
CREATE FUNCTION "policies"."figures_on_reviews_inserted"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM set_config('policies.figures_staged', 'yes', true);
  INSERT INTO "policies"."figure_changes" (unit_id, day, part, working_days, amount)
  SELECT r.reviewing_unit_id, "policies"."figure_day"(r.reviewed_at), p.part, p.working_days, sum(p.amount)
    FROM inserted r CROSS JOIN LATERAL "policies"."review_parts"(r::"policies"."service_reviews") p
   GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "service_reviews_figures_inserted" AFTER INSERT ON "policies"."service_reviews"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "policies"."figures_on_reviews_inserted"();
--> statement-breakpoint
-- The first firing adds up everything the transaction staged and lowers the flag; the others return at once.
CREATE FUNCTION "policies"."apply_figure_changes"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('policies.figures_staged', true), '') <> 'yes' THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('policies.figures_staged', '', true);
  PERFORM "policies"."add_figures"(
    'DELETE FROM "policies"."figure_changes" WHERE txid = txid_current() RETURNING unit_id, day, part, working_days, amount');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "figure_changes_apply" AFTER INSERT ON "policies"."figure_changes"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "policies"."apply_figure_changes"();
--> statement-breakpoint
-- The figures recounted from every row: the backfill below, and after a bulk load that bypassed the triggers.
CREATE FUNCTION "policies"."rebuild_figures"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "policies"."policy_figures";
  DELETE FROM "policies"."policy_figures_monthly";
  DELETE FROM "policies"."cycle_figures";
  DELETE FROM "policies"."cycle_figures_monthly";
  PERFORM "policies"."add_figures"(
    "policies"."application_figures_query"('"policies"."applications"') || $q$
       UNION ALL
       SELECT r.reviewing_unit_id, "policies"."figure_day"(r.reviewed_at), p.part, p.working_days, p.amount
         FROM "policies"."service_reviews" r CROSS JOIN LATERAL "policies"."review_parts"(r) p$q$);
END;
$$;
--> statement-breakpoint
SELECT "policies"."rebuild_figures"();
--> statement-breakpoint
COMMENT ON TABLE "policies"."policy_figures" IS 'Derived: kept by triggers (migration 0004); the serving role reads it only.';
--> statement-breakpoint
COMMENT ON TABLE "policies"."cycle_figures" IS 'Derived: kept by triggers (migration 0004); the serving role reads it only.';
--> statement-breakpoint
COMMENT ON TABLE "policies"."policy_figures_monthly" IS 'Derived: kept by triggers (migration 0004); the serving role reads it only.';
--> statement-breakpoint
COMMENT ON TABLE "policies"."cycle_figures_monthly" IS 'Derived: kept by triggers (migration 0004); the serving role reads it only.';
--> statement-breakpoint
COMMENT ON TABLE "policies"."figure_changes" IS 'Derived: staged by triggers within a transaction; the serving role never writes it.';
