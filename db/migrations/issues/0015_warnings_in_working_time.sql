-- The yellow warning of a working-day or dated limit was 80% of the clock time to its due time, so
-- it fell at night and on holidays (issue #21); it is now 80% of the working time (the kit's
-- WorkingCalendar.warningAt), which needs the calendar and the office hours. The open deadlines
-- that warned by the clock lose their warning here, and the start recomputes it (the issues slice's
-- reference data: settleProvisionalDeadlines, which takes every open deadline without one) before
-- the slice serves. Met and stopped deadlines warn no more: theirs stay as they were.
UPDATE "issues"."issue_deadlines" SET "warn_at" = NULL
 WHERE "hours" IS NULL AND "met_at" IS NULL AND "cancelled_at" IS NULL;
