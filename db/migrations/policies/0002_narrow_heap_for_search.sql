-- A search's count and its body tier visit every matching row's heap tuple (the GIN index needs no
-- recheck, but status and validity live in the row). Keeping the wide columns — the text, the term
-- vectors, the summary — out of line leaves a narrow heap: on 30,000 documents about a quarter of
-- the pages, and a common word's count in about half the time. Only rows written from now on are
-- affected; the tables are new.
ALTER TABLE "policies"."policies" SET (toast_tuple_target = 128);
--> statement-breakpoint
ALTER TABLE "policies"."policy_items" SET (toast_tuple_target = 128);
--> statement-breakpoint
ALTER TABLE "policies"."policy_news" SET (toast_tuple_target = 128);
