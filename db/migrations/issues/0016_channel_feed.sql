CREATE TABLE "issues"."issue_feed" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"xact" bigint NOT NULL,
	"source_system" text NOT NULL,
	"external_ref" text NOT NULL,
	"issue_id" uuid NOT NULL,
	"sender_issuer" text,
	"sender_role" text NOT NULL,
	"sender_subject" text NOT NULL,
	"version" integer NOT NULL,
	"action" text NOT NULL,
	"status" "issues"."issue_status" NOT NULL,
	"responsible_unit_id" uuid,
	"feedback" text,
	"resolution" text,
	"resolution_outcome" "issues"."resolution_outcome",
	"rating" "issues"."rating",
	"solved" boolean,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "source_system" text;--> statement-breakpoint
ALTER TABLE "issues"."issues" ADD COLUMN "external_ref" text;--> statement-breakpoint
ALTER TABLE "issues"."issue_feed" ADD CONSTRAINT "issue_feed_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "issues"."issues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "issue_feed_source_idx" ON "issues"."issue_feed" USING btree ("source_system","seq");--> statement-breakpoint
CREATE INDEX "issue_feed_issue_xact_idx" ON "issues"."issue_feed" USING btree ("issue_id","xact");--> statement-breakpoint
CREATE UNIQUE INDEX "issues_external_key" ON "issues"."issues" USING btree ("source_system","external_ref") WHERE "issues"."issues"."external_ref" is not null;--> statement-breakpoint
-- The change feed back to the systems that sent records (回传, issue #25). Each committed transaction
-- that changed such an issue (inserted it, or moved its version) writes one entry as it commits,
-- under the slice's feed lock, numbered from a sequence while the lock is held: the lock is released
-- only after the commit is visible, so entries become visible in `seq` order and a reader paging by
-- `seq` never skips one that a slower transaction commits later. A rolled-back transaction writes
-- none (a number it took and lost is a gap, never filled).
CREATE SEQUENCE "issues"."issue_feed_seq";
--> statement-breakpoint
COMMENT ON TABLE "issues"."issue_feed" IS 'Derived: written by the feed trigger as a transaction commits (migration 0016); the serving role reads it only.';
--> statement-breakpoint
CREATE FUNCTION "issues"."take_feed_lock"() RETURNS void LANGUAGE sql
  AS $$ SELECT pg_advisory_xact_lock(hashtextextended('issues.issue_feed', 0)) $$;
--> statement-breakpoint
-- Immediate: marks the transaction as one that feeds, so its figures take the feed lock first (below).
CREATE FUNCTION "issues"."mark_feed_pending"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('issues.feed_pending', 'on', true);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "issues_feed_pending" AFTER INSERT OR UPDATE OF version ON "issues"."issues"
  FOR EACH ROW WHEN (NEW.source_system IS NOT NULL) EXECUTE FUNCTION "issues"."mark_feed_pending"();
--> statement-breakpoint
-- At commit: the issue as the transaction leaves it, once per issue and transaction.
CREATE FUNCTION "issues"."feed_on_commit"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  PERFORM "issues"."take_feed_lock"();
  IF EXISTS (SELECT 1 FROM "issues"."issue_feed" f WHERE f.issue_id = NEW.id AND f.xact = txid_current()) THEN
    RETURN NULL;
  END IF;
  INSERT INTO "issues"."issue_feed" (seq, xact, source_system, external_ref, issue_id, sender_issuer, sender_role, sender_subject,
                                     version, action, status, responsible_unit_id, feedback, resolution, resolution_outcome,
                                     rating, solved, changed_at)
  SELECT nextval('"issues"."issue_feed_seq"'), txid_current(), i.source_system, i.external_ref, i.id, i.reporter_issuer,
         i.reporter_role, i.reporter_subject, i.version, coalesce(e.action, 'SUBMIT'), i.status, i.responsible_unit_id, fb.note,
         i.resolution, i.resolution_outcome, r.rating, r.solved, coalesce(e.at, i.recorded_at)
    FROM "issues"."issues" i
    LEFT JOIN LATERAL (SELECT ev.action, ev.at FROM "issues"."issue_events" ev WHERE ev.issue_id = i.id ORDER BY ev.id DESC LIMIT 1) e ON true
    LEFT JOIN LATERAL (SELECT ev.note FROM "issues"."issue_events" ev WHERE ev.issue_id = i.id AND ev.action = 'FEEDBACK' ORDER BY ev.id DESC LIMIT 1) fb ON true
    LEFT JOIN LATERAL (SELECT ra.rating, ra.solved FROM "issues"."issue_ratings" ra WHERE ra.issue_id = i.id ORDER BY ra.round DESC LIMIT 1) r ON true
   WHERE i.id = NEW.id AND i.external_ref IS NOT NULL;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "issues_feed" AFTER INSERT OR UPDATE OF version ON "issues"."issues"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.source_system IS NOT NULL) EXECUTE FUNCTION "issues"."feed_on_commit"();
--> statement-breakpoint
-- The figures' commit step locks their rows; a transaction that feeds takes the feed lock before
-- them, as its feed entry does, so every transaction takes the two in one order (no deadlock).
-- Otherwise as migration 0011 left it: the first firing adds up everything staged.
CREATE OR REPLACE FUNCTION "issues"."apply_figure_changes"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(current_setting('issues.figures_staged', true), '') <> 'yes' THEN
    RETURN NULL;
  END IF;
  IF current_setting('issues.feed_pending', true) = 'on' THEN
    PERFORM "issues"."take_feed_lock"();
  END IF;
  PERFORM set_config('issues.figures_staged', '', true);
  PERFORM "issues"."add_figures"(
    'DELETE FROM "issues"."issue_figure_changes" WHERE txid = txid_current() RETURNING day, unit_key, environment, source, district, part, amount');
  RETURN NULL;
END;
$$;
