-- History that cannot be rewritten: the change log accepts INSERT only, whoever connects.
CREATE FUNCTION "financing"."refuse_history_rewrite"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'financing.% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "change_log_append_only" BEFORE UPDATE OR DELETE ON "financing"."change_log"
  FOR EACH ROW EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "change_log_no_truncate" BEFORE TRUNCATE ON "financing"."change_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "financing"."refuse_history_rewrite"();
