-- History that cannot be rewritten: the change log accepts INSERT only, whoever connects.
CREATE FUNCTION "units"."refuse_history_rewrite"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'units.change_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "change_log_append_only" BEFORE UPDATE OR DELETE ON "units"."change_log"
  FOR EACH ROW EXECUTE FUNCTION "units"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "change_log_no_truncate" BEFORE TRUNCATE ON "units"."change_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "units"."refuse_history_rewrite"();
