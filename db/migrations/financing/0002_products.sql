CREATE TYPE "financing"."guarantee_mode" AS ENUM('PURE_CREDIT', 'MORTGAGE', 'PLEDGE', 'GUARANTEE', 'COMBINED');--> statement-breakpoint
CREATE TYPE "financing"."lpr_tenor" AS ENUM('ONE_YEAR', 'FIVE_YEAR');--> statement-breakpoint
CREATE TYPE "financing"."product_category" AS ENUM('CREDIT', 'MORTGAGE', 'GUARANTEED', 'SUPPLY_CHAIN', 'IP_PLEDGE', 'FIRST_LOAN', 'RENEWAL', 'AGRICULTURE', 'POLICY');--> statement-breakpoint
CREATE TYPE "financing"."product_status" AS ENUM('ACTIVE', 'SUSPENDED');--> statement-breakpoint
CREATE TABLE "financing"."products" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"category" "financing"."product_category" NOT NULL,
	"description" text NOT NULL,
	"amount_min" bigint NOT NULL,
	"amount_max" bigint NOT NULL,
	"term_min" integer NOT NULL,
	"term_max" integer NOT NULL,
	"lpr_tenor" "financing"."lpr_tenor" NOT NULL,
	"spread_min_bp" integer NOT NULL,
	"spread_max_bp" integer NOT NULL,
	"guarantee_mode" "financing"."guarantee_mode" NOT NULL,
	"district_codes" text[] NOT NULL,
	"eligibility" jsonb NOT NULL,
	"status" "financing"."product_status" DEFAULT 'ACTIVE' NOT NULL,
	"terms" "tsvector" NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "financing"."products" ADD CONSTRAINT "products_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "financing"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "products_institution_name_key" ON "financing"."products" USING btree ("institution_id","name");--> statement-breakpoint
CREATE INDEX "products_created_idx" ON "financing"."products" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "products_category_idx" ON "financing"."products" USING btree ("category","status");--> statement-breakpoint
CREATE INDEX "products_terms_idx" ON "financing"."products" USING gin ("terms");