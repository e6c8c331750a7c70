DROP INDEX "units"."enterprises_district_idx";--> statement-breakpoint
CREATE INDEX "enterprises_district_code_idx" ON "units"."enterprises" USING btree ("district_code","credit_code");--> statement-breakpoint
CREATE INDEX "enterprises_directory_idx" ON "units"."enterprises" USING btree ("district_code","size_class","industry_code" text_pattern_ops);