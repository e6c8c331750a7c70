-- The list's filters in one GIN index (#28 §1b): btree_gin gives GIN the B-tree types' equality, so
-- a district, a source, a status, an environment and a unit AND their posting lists in one scan.
-- btree_gin is a trusted extension (as pg_trgm, migration 0000), shipped with PostgreSQL's contrib.
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
CREATE INDEX "issues_filters_idx" ON "issues"."issues" USING gin ("district_code","source","status","environment","responsible_unit_id");
