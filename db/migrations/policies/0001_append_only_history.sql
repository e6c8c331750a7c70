-- Evidence is never rewritten. The histories (policy and application events), the notices pushed,
-- the interpretations and the service reviews accept INSERT only; a published revision never
-- changes (it is only marked superseded, once); a comment or an objection keeps its words and takes
-- one answer; policies, items and applications are never deleted (they are repealed, closed,
-- refused or stopped, which the history records).
CREATE FUNCTION "policies"."refuse_history_rewrite"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on %.% refused: the record is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "policies"."keep_published_revision"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.superseded_at IS NULL AND NEW.superseded_at IS NOT NULL
     AND (to_jsonb(NEW) - 'superseded_at') = (to_jsonb(OLD) - 'superseded_at') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'UPDATE on %.% refused: a published revision is never rewritten', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE FUNCTION "policies"."answer_once"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  answer_columns text[] := ARRAY['answer', 'adopted', 'upheld', 'answered_at', 'answered_by'];
BEGIN
  IF OLD.answer IS NULL
     AND (to_jsonb(NEW) - answer_columns) = (to_jsonb(OLD) - answer_columns) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'UPDATE on %.% refused: its words never change and it is answered once', TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "policy_events_append_only" BEFORE UPDATE OR DELETE ON "policies"."policy_events"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "application_events_append_only" BEFORE UPDATE OR DELETE ON "policies"."application_events"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "policy_notices_append_only" BEFORE UPDATE OR DELETE ON "policies"."policy_notices"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "policy_interpretations_append_only" BEFORE UPDATE OR DELETE ON "policies"."policy_interpretations"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "service_reviews_append_only" BEFORE UPDATE OR DELETE ON "policies"."service_reviews"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "policy_revisions_kept" BEFORE UPDATE ON "policies"."policy_revisions"
  FOR EACH ROW EXECUTE FUNCTION "policies"."keep_published_revision"();
--> statement-breakpoint
CREATE TRIGGER "policy_revisions_never_deleted" BEFORE DELETE ON "policies"."policy_revisions"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "policy_comments_answer_once" BEFORE UPDATE ON "policies"."policy_comments"
  FOR EACH ROW EXECUTE FUNCTION "policies"."answer_once"();
--> statement-breakpoint
CREATE TRIGGER "policy_comments_never_deleted" BEFORE DELETE ON "policies"."policy_comments"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "objections_answer_once" BEFORE UPDATE ON "policies"."objections"
  FOR EACH ROW EXECUTE FUNCTION "policies"."answer_once"();
--> statement-breakpoint
CREATE TRIGGER "objections_never_deleted" BEFORE DELETE ON "policies"."objections"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "policies_never_deleted" BEFORE DELETE ON "policies"."policies"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "policy_items_never_deleted" BEFORE DELETE ON "policies"."policy_items"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
CREATE TRIGGER "applications_never_deleted" BEFORE DELETE ON "policies"."applications"
  FOR EACH ROW EXECUTE FUNCTION "policies"."refuse_history_rewrite"();
--> statement-breakpoint
DO $$
DECLARE
  name text;
BEGIN
  FOREACH name IN ARRAY ARRAY['policies', 'policy_revisions', 'policy_interpretations', 'policy_comments', 'policy_events', 'policy_items',
    'policy_notices', 'applications', 'application_events', 'objections', 'service_reviews'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON "policies".%I FOR EACH STATEMENT EXECUTE FUNCTION "policies"."refuse_history_rewrite"()', name || '_no_truncate', name);
  END LOOP;
END;
$$;
