CREATE TABLE "policies"."application_feed" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"xact" bigint NOT NULL,
	"source_system" text NOT NULL,
	"external_reference" text NOT NULL,
	"application_id" uuid NOT NULL,
	"sender_issuer" text,
	"sender_role" text,
	"sender_subject" text NOT NULL,
	"version" integer NOT NULL,
	"action" text NOT NULL,
	"status" "policies"."application_status" NOT NULL,
	"requested_amount" numeric(16, 2),
	"approved_amount" numeric(16, 2),
	"disbursed_amount" numeric(16, 2),
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policies"."application_feed" ADD CONSTRAINT "application_feed_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "policies"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_feed_source_idx" ON "policies"."application_feed" USING btree ("source_system","seq");--> statement-breakpoint
CREATE INDEX "application_feed_application_xact_idx" ON "policies"."application_feed" USING btree ("application_id","xact");--> statement-breakpoint
-- The change feed back to the systems that sent applications (回传, issue #25), as the issues
-- slice's (its migration 0016): each committed transaction that changed such an application
-- (inserted it, or moved its version) writes one entry as it commits, numbered from a sequence
-- under the slice's feed lock, which is released only after the commit is visible — so entries
-- become visible in `seq` order and a reader paging by `seq` never skips a slower commit.
CREATE SEQUENCE "policies"."application_feed_seq";
--> statement-breakpoint
COMMENT ON TABLE "policies"."application_feed" IS 'Derived: written by the feed trigger as a transaction commits (migration 0011); the serving role reads it only.';
--> statement-breakpoint
CREATE FUNCTION "policies"."take_feed_lock"() RETURNS void LANGUAGE sql
  AS $$ SELECT pg_advisory_xact_lock(hashtextextended('policies.application_feed', 0)) $$;
--> statement-breakpoint
CREATE FUNCTION "policies"."mark_feed_pending"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('policies.feed_pending', 'on', true);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "applications_feed_pending" AFTER INSERT OR UPDATE OF version ON "policies"."applications"
  FOR EACH ROW WHEN (NEW.external_reference IS NOT NULL) EXECUTE FUNCTION "policies"."mark_feed_pending"();
--> statement-breakpoint
CREATE FUNCTION "policies"."feed_on_commit"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM "policies"."take_feed_lock"();
  IF EXISTS (SELECT 1 FROM "policies"."application_feed" f WHERE f.application_id = NEW.id AND f.xact = txid_current()) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "policies"."application_feed" (seq, xact, source_system, external_reference, application_id, sender_issuer, sender_role,
                                             sender_subject, version, action, status, requested_amount, approved_amount,
                                             disbursed_amount, changed_at)
  SELECT nextval('"policies"."application_feed_seq"'), txid_current(), a.source_system, a.external_reference, a.id, a.submitter_issuer,
         a.submitter_role, a.submitter_subject, a.version, coalesce(e.action, 'IMPORT'), a.status, a.requested_amount,
         a.approved_amount, a.disbursed_amount, coalesce(e.at, a.entered_at)
    FROM "policies"."applications" a
    LEFT JOIN LATERAL (SELECT ev.action, ev.at FROM "policies"."application_events" ev WHERE ev.application_id = a.id ORDER BY ev.id DESC LIMIT 1) e ON true
   WHERE a.id = NEW.id AND a.source_system IS NOT NULL;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "applications_feed" AFTER INSERT OR UPDATE OF version ON "policies"."applications"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.external_reference IS NOT NULL) EXECUTE FUNCTION "policies"."feed_on_commit"();
--> statement-breakpoint
-- A transaction that feeds takes the feed lock before the figures' rows, as its feed entry does:
-- one lock order for every transaction. Otherwise as migration 0004 left it.
CREATE OR REPLACE FUNCTION "policies"."apply_figure_changes"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('policies.figures_staged', true), '') <> 'yes' THEN
    RETURN NULL;
  END IF;
  IF current_setting('policies.feed_pending', true) = 'on' THEN
    PERFORM "policies"."take_feed_lock"();
  END IF;
  PERFORM set_config('policies.figures_staged', '', true);
  PERFORM "policies"."add_figures"(
    'DELETE FROM "policies"."figure_changes" WHERE txid = txid_current() RETURNING unit_id, day, part, working_days, amount');
  RETURN NULL;
END;
$$;
