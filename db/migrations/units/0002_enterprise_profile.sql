CREATE TYPE "units"."qualification" AS ENUM('HIGH_TECH', 'TECH_SME', 'SPECIALIZED_SME', 'LITTLE_GIANT', 'GAZELLE', 'MANUFACTURING_CHAMPION');--> statement-breakpoint
ALTER TABLE "units"."enterprises" ADD COLUMN "registered_on" date;--> statement-breakpoint
ALTER TABLE "units"."enterprises" ADD COLUMN "qualifications" "units"."qualification"[] DEFAULT '{}' NOT NULL;