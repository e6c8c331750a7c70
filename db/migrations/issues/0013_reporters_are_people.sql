-- A reporter is a person: the issuer, the role and the subject of their token together (issue #20).
-- A retry is found by all three, so the same client request id under the same subject from another
-- role or issuer is a new report, never the other's. Reports kept before have no issuer (null): they
-- were made when one issuer was accepted, and match by role and subject.
DROP INDEX "issues"."issues_client_request_key";--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "reporter_issuer" text;--> statement-breakpoint
CREATE UNIQUE INDEX "issues_client_request_key" ON "issues"."issues" USING btree ("reporter_issuer","reporter_role","reporter_subject","client_request_id");