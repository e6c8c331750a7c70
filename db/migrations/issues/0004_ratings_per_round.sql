ALTER TABLE "issues"."issues" DROP COLUMN "rating";--> statement-breakpoint
ALTER TABLE "issues"."issues" DROP COLUMN "rating_solved";--> statement-breakpoint
ALTER TABLE "issues"."issues" DROP COLUMN "rating_comment";--> statement-breakpoint
ALTER TABLE "issues"."issues" DROP COLUMN "rated_at";