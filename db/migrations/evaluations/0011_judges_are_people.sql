-- A judge is a person: the issuer, the role and the subject of their tokens together (issue #20). A
-- judge assigned before keeps role and issuer null and can no longer score until assigned again
-- (the table is append-only: nothing is guessed for them).
DROP INDEX "evaluations"."contest_judges_once";--> statement-breakpoint
ALTER TABLE "evaluations"."contest_judges" ADD COLUMN "role" text;--> statement-breakpoint
ALTER TABLE "evaluations"."contest_judges" ADD COLUMN "issuer" text;--> statement-breakpoint
CREATE UNIQUE INDEX "contest_judges_once" ON "evaluations"."contest_judges" USING btree ("contest_id","issuer","role","subject");