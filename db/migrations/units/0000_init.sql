CREATE SCHEMA "units";
--> statement-breakpoint
CREATE TYPE "units"."district_kind" AS ENUM('DISTRICT', 'COUNTY_CITY');--> statement-breakpoint
CREATE TYPE "units"."size_class" AS ENUM('LARGE', 'MEDIUM', 'SMALL', 'MICRO');--> statement-breakpoint
CREATE TYPE "units"."unit_kind" AS ENUM('COMMAND_OFFICE', 'LEAD', 'RESPONSIBLE', 'PARTICIPATING', 'DISTRICT', 'FUNCTION_ZONE', 'OTHER');--> statement-breakpoint
CREATE TYPE "units"."unit_level" AS ENUM('CITY', 'COUNTY', 'TOWN', 'VILLAGE');--> statement-breakpoint
CREATE TABLE "units"."campaign_steps" (
	"code" text PRIMARY KEY NOT NULL,
	"campaign_code" text NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] DEFAULT '{}' NOT NULL,
	"throughout" boolean DEFAULT false NOT NULL,
	"notes" text[] DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."campaigns" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"command_office_name" text NOT NULL,
	"goals" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."change_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"entity_key" text NOT NULL,
	"action" text NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_unit_id" uuid,
	"before" jsonb,
	"after" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."districts" (
	"code" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"kind" "units"."district_kind" NOT NULL,
	"aliases" text[] DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."domains" (
	"code" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] DEFAULT '{}' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."enterprises" (
	"credit_code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"district_code" text NOT NULL,
	"industry_code" text NOT NULL,
	"size_class" "units"."size_class" NOT NULL,
	"sample" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "enterprises_credit_code_format" CHECK ("units"."enterprises"."credit_code" ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$')
);
--> statement-breakpoint
CREATE TABLE "units"."environments" (
	"code" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"action" text NOT NULL,
	"targets" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."industries" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."observer_teams" (
	"code" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"first_intake" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."problem_sources" (
	"code" text PRIMARY KEY NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units"."step_deadlines" (
	"step_code" text NOT NULL,
	"due_on" date NOT NULL,
	"what" text NOT NULL,
	CONSTRAINT "step_deadlines_step_code_due_on_what_pk" PRIMARY KEY("step_code","due_on","what")
);
--> statement-breakpoint
CREATE TABLE "units"."units" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"position" bigserial NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"aliases" text[] DEFAULT '{}' NOT NULL,
	"kind" "units"."unit_kind" NOT NULL,
	"level" "units"."unit_level" NOT NULL,
	"domain_code" text,
	"district_code" text,
	"parent_id" uuid,
	"archived_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "units_code_format" CHECK ("units"."units"."code" ~ '^[A-Z][A-Z0-9_]{1,63}$')
);
--> statement-breakpoint
ALTER TABLE "units"."campaign_steps" ADD CONSTRAINT "campaign_steps_campaign_code_campaigns_code_fk" FOREIGN KEY ("campaign_code") REFERENCES "units"."campaigns"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units"."enterprises" ADD CONSTRAINT "enterprises_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "units"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units"."step_deadlines" ADD CONSTRAINT "step_deadlines_step_code_campaign_steps_code_fk" FOREIGN KEY ("step_code") REFERENCES "units"."campaign_steps"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units"."units" ADD CONSTRAINT "units_domain_code_domains_code_fk" FOREIGN KEY ("domain_code") REFERENCES "units"."domains"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "units"."units" ADD CONSTRAINT "units_district_code_districts_code_fk" FOREIGN KEY ("district_code") REFERENCES "units"."districts"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "change_log_entity_idx" ON "units"."change_log" USING btree ("entity","entity_key","id");--> statement-breakpoint
CREATE INDEX "enterprises_district_idx" ON "units"."enterprises" USING btree ("district_code");--> statement-breakpoint
CREATE UNIQUE INDEX "units_code_key" ON "units"."units" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "units_position_key" ON "units"."units" USING btree ("position");--> statement-breakpoint
CREATE UNIQUE INDEX "units_one_lead_per_domain" ON "units"."units" USING btree ("domain_code") WHERE "units"."units"."kind" = 'LEAD' and "units"."units"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "units_kind_idx" ON "units"."units" USING btree ("kind");--> statement-breakpoint
CREATE INDEX "units_domain_idx" ON "units"."units" USING btree ("domain_code");--> statement-breakpoint
CREATE INDEX "units_district_idx" ON "units"."units" USING btree ("district_code");