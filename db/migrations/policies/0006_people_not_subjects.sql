-- People, not subjects (issue #20): who sent an application (its client request id is theirs), who
-- took it into review and who wrote a comment are kept as issuer, role and subject together. Rows
-- kept before have null there: a comment by role and subject; a retry of an older application is
-- not found by its id (the one live application per item and enterprise still refuses a double);
-- a review taken before is its reviewer's by subject, as it was.
DROP INDEX "policies"."applications_client_request_key";--> statement-breakpoint
ALTER TABLE "policies"."applications" ADD COLUMN "submitter_role" text;--> statement-breakpoint
ALTER TABLE "policies"."applications" ADD COLUMN "submitter_issuer" text;--> statement-breakpoint
ALTER TABLE "policies"."applications" ADD COLUMN "reviewer_role" text;--> statement-breakpoint
ALTER TABLE "policies"."applications" ADD COLUMN "reviewer_issuer" text;--> statement-breakpoint
ALTER TABLE "policies"."policy_comments" ADD COLUMN "author_issuer" text;--> statement-breakpoint
CREATE UNIQUE INDEX "applications_client_request_key" ON "policies"."applications" USING btree ("submitter_issuer","submitter_role","submitter_subject","client_request_id") WHERE "policies"."applications"."client_request_id" is not null;