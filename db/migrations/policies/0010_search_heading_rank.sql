-- A search ranks heading matches by the title's (an item's name's) length, then newest first. The
-- title is out of line (toast_tuple_target = 128, 0002), so ranking by char_length(title) fetched
-- every matching row's title from the TOAST table: 17,634 fetches for “企业” on the bench's 30,000
-- documents. The length is kept in the row, and an index in rank order lets a common word's first
-- page be read in order, checking the heading terms row by row, instead of ranking every match.
ALTER TABLE "policies"."policies" ADD COLUMN "title_length" integer GENERATED ALWAYS AS (char_length(title)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."policy_items" ADD COLUMN "name_length" integer GENERATED ALWAYS AS (char_length(name)) STORED NOT NULL;--> statement-breakpoint
ALTER TABLE "policies"."policy_news" ADD COLUMN "title_length" integer GENERATED ALWAYS AS (char_length(title)) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "policies_heading_rank_idx" ON "policies"."policies" USING btree ("title_length","issued_on" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "policy_items_heading_rank_idx" ON "policies"."policy_items" USING btree ("name_length","sort_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "policy_news_heading_rank_idx" ON "policies"."policy_news" USING btree ("title_length","published_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);