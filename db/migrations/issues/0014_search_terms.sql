-- Chinese search by words (issue #21): a search reads generated columns of character pairs
-- (platform/search-text.ts, the same terms the policies slice writes from TypeScript) — the title's,
-- so title matches can come first, and the title's and description's — each with its GIN index.
-- The trigram index could not narrow a two-character word (改造, 补助), the commonest Chinese word
-- length, nor a phrase typed without spaces whose words stand apart in the text.
CREATE OR REPLACE FUNCTION "issues".search_terms(content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  WITH runs AS (
    SELECT m[1] AS run, m[1] ~ '^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]' AS han
    FROM regexp_matches(lower(normalize(content, NFKC) COLLATE "C"), '[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af]+|[0-9a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff\uac00-\ud7af]+', 'g') AS m
  )
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT term)), ''::tsvector) FROM (
    SELECT left(run, 60) AS term FROM runs WHERE NOT han
    UNION ALL SELECT substr(run, i, 2) FROM runs, generate_series(1, char_length(run) - 1) AS i WHERE han
    UNION ALL SELECT right(run, 1) FROM runs WHERE han
  ) AS terms
$$;--> statement-breakpoint
ALTER TABLE "issues"."issues"
  ADD COLUMN "title_terms" tsvector GENERATED ALWAYS AS ("issues".search_terms("title")) STORED,
  ADD COLUMN "search_terms" tsvector GENERATED ALWAYS AS ("issues".search_terms("title" || ' ' || "description")) STORED;--> statement-breakpoint
DROP INDEX "issues"."issues_text_trgm_idx";--> statement-breakpoint
CREATE INDEX "issues_title_terms_idx" ON "issues"."issues" USING gin (title_terms);--> statement-breakpoint
CREATE INDEX "issues_search_terms_idx" ON "issues"."issues" USING gin (search_terms);--> statement-breakpoint
-- The planner needs the new columns' word frequencies at once (a common word is read newest first
-- from the received-at index, a rare one from the GIN index), not after autovacuum's next turn.
ANALYZE "issues"."issues";
