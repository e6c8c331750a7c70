-- Never lose a word: the history accepts INSERT only, and an issue is never deleted (it can be
-- rejected, merged or closed, which the history records).
CREATE FUNCTION "issues"."refuse_history_rewrite"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on %.% refused: the record is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issue_events_append_only" BEFORE UPDATE OR DELETE ON "issues"."issue_events"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issue_events_no_truncate" BEFORE TRUNCATE ON "issues"."issue_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issues_never_deleted" BEFORE DELETE ON "issues"."issues"
  FOR EACH ROW EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "issues_no_truncate" BEFORE TRUNCATE ON "issues"."issues"
  FOR EACH STATEMENT EXECUTE FUNCTION "issues"."refuse_history_rewrite"();
