CREATE TABLE "evaluations"."review_figure_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"txid" bigint DEFAULT txid_current() NOT NULL,
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"part" text NOT NULL,
	"amount" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evaluations"."review_figures" (
	"unit_id" uuid NOT NULL,
	"day" date NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"bad" integer DEFAULT 0 NOT NULL,
	"rectified" integer DEFAULT 0 NOT NULL,
	"on_time" integer DEFAULT 0 NOT NULL,
	"excluded" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "review_figures_unit_id_day_pk" PRIMARY KEY("unit_id","day")
);
--> statement-breakpoint
CREATE INDEX "review_figure_changes_txid_idx" ON "evaluations"."review_figure_changes" USING btree ("txid");--> statement-breakpoint
CREATE INDEX "service_reviews_open_unit_idx" ON "evaluations"."service_reviews" USING btree ("unit_id","reviewed_at","status","answer_due_at","rectify_due_at") WHERE "evaluations"."service_reviews"."status" in ('AWAITING_ANSWER', 'AWAITING_RECTIFICATION');