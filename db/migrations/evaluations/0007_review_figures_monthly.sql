CREATE TABLE "evaluations"."review_figures_monthly" (
	"unit_id" uuid NOT NULL,
	"month" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"bad" integer DEFAULT 0 NOT NULL,
	"rectified" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "review_figures_monthly_unit_id_month_pk" PRIMARY KEY("unit_id","month")
);
--> statement-breakpoint
-- The review figures per month as well as per day (issue #11), as the issues and policies slices
-- keep theirs: a half year's board reads 6 rows per unit, plus the days at either edge of a period.
-- The same netted rows are added to both, in key order.
CREATE OR REPLACE FUNCTION "evaluations"."add_review_figures"(source text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format($q$
    WITH src AS (%s),
    netted AS (
      SELECT unit_id, day, part, sum(amount) AS amount FROM src GROUP BY 1, 2, 3 HAVING sum(amount) <> 0
    ),
    per_day AS (
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
      RETURNING 1
    )
    INSERT INTO "evaluations"."review_figures_monthly" AS m (unit_id, month, count, satisfied, bad, rectified, on_time, excluded)
    SELECT unit_id, date_trunc('month', day)::date,
           coalesce(sum(amount) FILTER (WHERE part = 'count'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'satisfied'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'bad'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'rectified'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'on_time'), 0),
           coalesce(sum(amount) FILTER (WHERE part = 'excluded'), 0)
    FROM netted
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (unit_id, month) DO UPDATE SET
         count = m.count + excluded.count,
         satisfied = m.satisfied + excluded.satisfied,
         bad = m.bad + excluded.bad,
         rectified = m.rectified + excluded.rectified,
         on_time = m.on_time + excluded.on_time,
         excluded = m.excluded + excluded.excluded
  $q$, source);
END;
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "evaluations"."rebuild_review_figures"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "evaluations"."review_figures";
  DELETE FROM "evaluations"."review_figures_monthly";
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
COMMENT ON TABLE "evaluations"."review_figures_monthly" IS 'Derived: kept by triggers (migrations 0005, 0007); the serving role reads it only.';
