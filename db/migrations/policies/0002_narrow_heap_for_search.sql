-- A search's count and its body tier visit every matching row's heap tuple (the GIN index needs no
-- recheck, but status and validity live in the row). Keeping the wide columns — the text, the full
-- term vector, the summary — out of line leaves a narrow heap, so a common word's count walks far
-- fewer pages. The heading vector stays in the row (MAIN): the body tier tests it on every candidate,
-- and fetching it from the TOAST table each time costs more than it saves. The tables are new, so
-- every row is written this way.
ALTER TABLE "policies"."policies" SET (toast_tuple_target = 128);
--> statement-breakpoint
ALTER TABLE "policies"."policies" ALTER COLUMN "head_terms" SET STORAGE MAIN;
--> statement-breakpoint
ALTER TABLE "policies"."policy_items" SET (toast_tuple_target = 128);
--> statement-breakpoint
ALTER TABLE "policies"."policy_items" ALTER COLUMN "head_terms" SET STORAGE MAIN;
--> statement-breakpoint
ALTER TABLE "policies"."policy_news" SET (toast_tuple_target = 128);
--> statement-breakpoint
ALTER TABLE "policies"."policy_news" ALTER COLUMN "head_terms" SET STORAGE MAIN;
