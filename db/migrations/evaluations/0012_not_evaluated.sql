CREATE TABLE "evaluations"."evaluation_definitions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"evaluation_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"indicators" jsonb NOT NULL,
	"grading_method" "evaluations"."grading_method" NOT NULL,
	"grade_cutoffs" jsonb NOT NULL,
	"minimum_coverage" integer NOT NULL,
	"defined_by" text NOT NULL,
	"defined_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_results" ALTER COLUMN "score" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_results" ALTER COLUMN "rank" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_results" ALTER COLUMN "grade" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_results" ADD COLUMN "evaluated" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "evaluations"."evaluations" ADD COLUMN "minimum_coverage" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_definitions" ADD CONSTRAINT "evaluation_definitions_evaluation_id_evaluations_id_fk" FOREIGN KEY ("evaluation_id") REFERENCES "evaluations"."evaluations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "evaluation_definitions_version_idx" ON "evaluations"."evaluation_definitions" USING btree ("evaluation_id","version");--> statement-breakpoint
ALTER TABLE "evaluations"."evaluation_results" ADD CONSTRAINT "evaluation_results_graded_iff_evaluated" CHECK ("evaluations"."evaluation_results"."evaluated" = ("evaluations"."evaluation_results"."score" is not null) and "evaluations"."evaluation_results"."evaluated" = ("evaluations"."evaluation_results"."rank" is not null) and "evaluations"."evaluation_results"."evaluated" = ("evaluations"."evaluation_results"."grade" is not null));--> statement-breakpoint
-- Issue #21: a unit whose data does not reach the evaluation's coverage is not evaluated (未参评),
-- never graded. Every definition of an evaluation is kept as evidence, never rewritten.
CREATE TRIGGER "evaluation_definitions_append_only" BEFORE UPDATE OR DELETE ON "evaluations"."evaluation_definitions"
  FOR EACH ROW EXECUTE FUNCTION "evaluations"."refuse_history_rewrite"();
--> statement-breakpoint
-- A draft's indicators take the plan's default (grading.ts MANDATORY_BY_DEFAULT): the plan evaluates
-- 经济运行、市场主体满意度、群众满意度、整治整改、打擂比武、督导检查. Published definitions stay as
-- they were frozen (no indicator was mandatory then).
UPDATE "evaluations"."evaluations" e
   SET indicators = (
     SELECT jsonb_agg(i || jsonb_build_object('mandatory', i->>'kind' IN ('ECONOMIC_OPERATION', 'MARKET_SATISFACTION', 'PUBLIC_SATISFACTION', 'RECTIFICATION', 'CONTEST', 'REPORT_PUNCTUALITY')) ORDER BY n)
       FROM jsonb_array_elements(e.indicators) WITH ORDINALITY AS list(i, n))
 WHERE e.status = 'DRAFT';
--> statement-breakpoint
-- The definitions known for certain: those never redefined (a draft at version 1, or published from it).
INSERT INTO "evaluations"."evaluation_definitions" (evaluation_id, version, indicators, grading_method, grade_cutoffs, minimum_coverage, defined_by, defined_at)
SELECT id, 1, indicators, grading_method, grade_cutoffs, minimum_coverage, created_by, created_at
  FROM "evaluations"."evaluations"
 WHERE (status = 'DRAFT' AND version = 1) OR (status = 'PUBLISHED' AND version = 2);
