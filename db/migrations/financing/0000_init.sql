CREATE SCHEMA "financing";
--> statement-breakpoint
CREATE TYPE "financing"."institution_kind" AS ENUM('BANK', 'GUARANTEE_COMPANY', 'SMALL_LOAN_COMPANY');--> statement-breakpoint
CREATE TABLE "financing"."branches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"district_code" text NOT NULL,
	"contact" text NOT NULL,
	"suspended_at" timestamp with time zone,
	"sample" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "financing"."change_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"entity_key" text NOT NULL,
	"action" text NOT NULL,
	"actor_issuer" text,
	"actor_role" text NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_unit_id" uuid,
	"before" jsonb,
	"after" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "financing"."institutions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" "financing"."institution_kind" NOT NULL,
	"credit_code" text NOT NULL,
	"district_codes" text[] NOT NULL,
	"contact" text NOT NULL,
	"suspended_at" timestamp with time zone,
	"sample" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "financing"."branches" ADD CONSTRAINT "branches_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "financing"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "branches_institution_name_key" ON "financing"."branches" USING btree ("institution_id","name");--> statement-breakpoint
CREATE INDEX "branches_district_idx" ON "financing"."branches" USING btree ("district_code");--> statement-breakpoint
CREATE INDEX "change_log_entity_idx" ON "financing"."change_log" USING btree ("entity","entity_key","id");--> statement-breakpoint
CREATE UNIQUE INDEX "institutions_name_key" ON "financing"."institutions" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "institutions_credit_code_key" ON "financing"."institutions" USING btree ("credit_code");--> statement-breakpoint
CREATE INDEX "institutions_created_idx" ON "financing"."institutions" USING btree ("created_at","id");