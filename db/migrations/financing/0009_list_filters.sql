-- The regulator's demand list filtered by channel or district (#28 §1b): a rare channel was a scan of every demand.
CREATE INDEX "demands_source_idx" ON "financing"."demands" USING btree ("source","posted_at");--> statement-breakpoint
CREATE INDEX "demands_district_idx" ON "financing"."demands" USING btree ("district_code","posted_at");