-- Evidence stays evidence. Ratings, follow-ups and supervision outcomes accept INSERT only; a
-- deadline is never deleted, and once it was met or stopped, that outcome (and the due time it was
-- judged against) cannot be rewritten — except the due time of a provisional deadline, which is
-- recomputed when the command office enters the year it assumed.
CREATE TRIGGER "issue_ratings_append_only" BEFORE UPDATE OR DELETE ON "issues"."issue_ratings"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_ratings_no_truncate" BEFORE TRUNCATE ON "issues"."issue_ratings"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_follow_ups_append_only" BEFORE UPDATE OR DELETE ON "issues"."issue_follow_ups"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_follow_ups_no_truncate" BEFORE TRUNCATE ON "issues"."issue_follow_ups"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "supervision_outcomes_append_only" BEFORE UPDATE OR DELETE ON "issues"."supervision_outcomes"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "supervision_outcomes_no_truncate" BEFORE TRUNCATE ON "issues"."supervision_outcomes"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_deadlines_never_deleted" BEFORE DELETE ON "issues"."issue_deadlines"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_deadlines_no_truncate" BEFORE TRUNCATE ON "issues"."issue_deadlines"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE FUNCTION "issues"."keep_deadline_outcome"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.met_at IS NOT NULL AND NEW.met_at IS DISTINCT FROM OLD.met_at)
     OR (OLD.cancelled_at IS NOT NULL AND NEW.cancelled_at IS DISTINCT FROM OLD.cancelled_at)
     OR (OLD.judged_at IS NOT NULL AND NEW.judged_at IS DISTINCT FROM OLD.judged_at)
     OR (OLD.close_reason IS NOT NULL AND NEW.close_reason IS DISTINCT FROM OLD.close_reason)
     OR (OLD.met_at IS NOT NULL AND NEW.cancelled_at IS NOT NULL)
     OR ((OLD.met_at IS NOT NULL OR OLD.cancelled_at IS NOT NULL)
         AND OLD.pending_calendar_year IS NULL AND OLD.due_at IS NOT NULL
         AND NEW.due_at IS DISTINCT FROM OLD.due_at)
     OR NEW.issue_id IS DISTINCT FROM OLD.issue_id
     OR NEW.unit_id IS DISTINCT FROM OLD.unit_id AND OLD.unit_id IS NOT NULL
     OR NEW.stage IS DISTINCT FROM OLD.stage
  THEN
    RAISE EXCEPTION 'deadline % of issue %: a met or stopped deadline is evidence and cannot be rewritten', OLD.id, OLD.issue_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_deadlines_keep_outcome" BEFORE UPDATE ON "issues"."issue_deadlines"
  FOR EACH ROW EXECUTE FUNCTION "issues"."keep_deadline_outcome"();
--> statement-breakpoint
-- What the records already say, carried into the new columns. The history itself is not touched:
-- notes written before audiences existed take their action's default when read.
UPDATE "issues"."issue_deadlines" d SET unit_id = i.responsible_unit_id
  FROM "issues"."issues" i WHERE i.id = d.issue_id AND d.unit_id IS NULL;
--> statement-breakpoint
UPDATE "issues"."issue_deadlines" d SET judged_at = d.cancelled_at,
  close_reason = (CASE i.status WHEN 'MERGED' THEN 'MERGED' WHEN 'REJECTED' THEN 'REJECTED' ELSE 'REPLANNED' END)::"issues"."deadline_close_reason"
  FROM "issues"."issues" i WHERE i.id = d.issue_id AND d.cancelled_at IS NOT NULL AND d.judged_at IS NULL;
--> statement-breakpoint
UPDATE "issues"."issues" i SET first_assigned_at = a.first_at, assigned_at = a.last_at
  FROM (SELECT issue_id, min(at) AS first_at, max(at) AS last_at FROM "issues"."issue_events"
        WHERE action IN ('ASSIGN', 'REASSIGN') GROUP BY issue_id) a
  WHERE a.issue_id = i.id;
--> statement-breakpoint
UPDATE "issues"."issues" i SET supervision_ended_at = coalesce(i.closed_at, m.at)
  FROM (SELECT i2.id, max(e.at) AS at FROM "issues"."issues" i2
        LEFT JOIN "issues"."issue_events" e ON e.issue_id = i2.id AND e.action = 'MERGE'
        GROUP BY i2.id) m
  WHERE m.id = i.id AND i.escalated_at IS NOT NULL AND i.status IN ('CLOSED', 'MERGED');
--> statement-breakpoint
-- Every rating ever given, per handling round (a round is one more after each reopening): the
-- enterprise's own into the ratings, the command office's into its follow-ups.
WITH rated AS (
  SELECT e.*, 1 + (SELECT count(*) FROM "issues"."issue_events" p
                   WHERE p.issue_id = e.issue_id AND p.id < e.id AND p.action IN ('REOPEN', 'RATE_AND_REOPEN')) AS round
  FROM "issues"."issue_events" e WHERE e.action IN ('RATE', 'RATE_AND_REOPEN')
)
INSERT INTO "issues"."issue_ratings" (issue_id, round, unit_id, rating, solved, comment, rater_subject, rater_role, rated_at)
SELECT r.issue_id, r.round, i.responsible_unit_id, (r.details->>'rating')::"issues"."rating",
       coalesce((r.details->>'solved')::boolean, r.details->>'rating' <> 'UNSATISFIED'), r.note, r.actor_subject, r.actor_role, r.at
FROM rated r JOIN "issues"."issues" i ON i.id = r.issue_id
WHERE r.actor_role = 'ENTERPRISE' AND r.details ? 'rating'
ON CONFLICT DO NOTHING;
--> statement-breakpoint
WITH rated AS (
  SELECT e.*, 1 + (SELECT count(*) FROM "issues"."issue_events" p
                   WHERE p.issue_id = e.issue_id AND p.id < e.id AND p.action IN ('REOPEN', 'RATE_AND_REOPEN')) AS round
  FROM "issues"."issue_events" e WHERE e.action = 'RATE'
)
INSERT INTO "issues"."issue_follow_ups" (issue_id, round, unit_id, reached, rating, solved, note, actor_subject, actor_unit_id, at)
SELECT r.issue_id, r.round, i.responsible_unit_id, true, (r.details->>'rating')::"issues"."rating",
       coalesce((r.details->>'solved')::boolean, r.details->>'rating' <> 'UNSATISFIED'), r.note, r.actor_subject, r.actor_unit_id, r.at
FROM rated r JOIN "issues"."issues" i ON i.id = r.issue_id
WHERE r.actor_role <> 'ENTERPRISE' AND r.details ? 'rating';
