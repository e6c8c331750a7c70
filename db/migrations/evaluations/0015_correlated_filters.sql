-- The review list's filters are not independent: a bad review (UNSATISFIED, VERY_UNSATISFIED) is
-- never NO_ACTION, it waits for an answer. Without joint statistics the planner multiplied the two
-- shares, expected 1,242 bad NO_ACTION reviews of a unit among 500,000 and walked the reviewed-at
-- index newest first to find 20 of them: all 500,000 rows read, 476 ms, for none. With the
-- combinations' frequencies it reads the unit's own reviews instead (17 ms), and a count beyond the
-- exact limit is estimated from them too.
CREATE STATISTICS IF NOT EXISTS "evaluations"."service_reviews_level_status" (mcv, dependencies) ON "level", "status" FROM "evaluations"."service_reviews";--> statement-breakpoint
ANALYZE "evaluations"."service_reviews";
