CREATE TABLE "policies"."notice_settings" (
	"owner_kind" text NOT NULL,
	"owner_id" text NOT NULL,
	"contact_name" text,
	"contact_phone" text,
	"sms_types" text[],
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"event_id" uuid NOT NULL,
	"owner_kind" text NOT NULL,
	"owner_id" text NOT NULL,
	"type" text NOT NULL,
	"record_key" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone,
	"read_by" text
);
--> statement-breakpoint
CREATE TABLE "policies"."outbox_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event_id" uuid NOT NULL,
	"event_seq" bigint NOT NULL,
	"channel" text NOT NULL,
	"target" text NOT NULL,
	"record_key" text NOT NULL,
	"webhook_id" uuid,
	"recipient" jsonb,
	"state" text DEFAULT 'PENDING' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"first_attempt_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"lease_token" uuid,
	"last_status" integer,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policies"."outbox_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigserial NOT NULL,
	"type" text NOT NULL,
	"record_key" text NOT NULL,
	"once_key" text,
	"audience" jsonb NOT NULL,
	"payload" jsonb NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"dispatched_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "policies"."outbox_webhooks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_kind" text NOT NULL,
	"owner_id" text NOT NULL,
	"url" text NOT NULL,
	"event_types" text[] NOT NULL,
	"secret" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policies"."notices" ADD CONSTRAINT "notices_event_id_outbox_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "policies"."outbox_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policies"."outbox_deliveries" ADD CONSTRAINT "outbox_deliveries_event_id_outbox_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "policies"."outbox_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notice_settings_owner_kind_owner_id_index" ON "policies"."notice_settings" USING btree ("owner_kind","owner_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notices_event_id_owner_kind_owner_id_index" ON "policies"."notices" USING btree ("event_id","owner_kind","owner_id");--> statement-breakpoint
CREATE INDEX "notices_owner_kind_owner_id_seq_index" ON "policies"."notices" USING btree ("owner_kind","owner_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_deliveries_event_id_channel_target_index" ON "policies"."outbox_deliveries" USING btree ("event_id","channel","target");--> statement-breakpoint
CREATE INDEX "outbox_deliveries_due" ON "policies"."outbox_deliveries" USING btree ("next_attempt_at") WHERE "policies"."outbox_deliveries"."state" = 'PENDING';--> statement-breakpoint
CREATE INDEX "outbox_deliveries_order" ON "policies"."outbox_deliveries" USING btree ("target","record_key","event_seq") WHERE "policies"."outbox_deliveries"."state" = 'PENDING';--> statement-breakpoint
CREATE INDEX "outbox_deliveries_dead" ON "policies"."outbox_deliveries" USING btree ("webhook_id","created_at") WHERE "policies"."outbox_deliveries"."state" = 'DEAD';--> statement-breakpoint
CREATE INDEX "outbox_deliveries_sms_day" ON "policies"."outbox_deliveries" USING btree (("recipient" ->> 'phone'),"delivered_at") WHERE "policies"."outbox_deliveries"."channel" = 'SMS';--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_events_seq_index" ON "policies"."outbox_events" USING btree ("seq");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_events_once_key_index" ON "policies"."outbox_events" USING btree ("once_key");--> statement-breakpoint
CREATE INDEX "outbox_events_waiting" ON "policies"."outbox_events" USING btree ("seq") WHERE "policies"."outbox_events"."dispatched_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_events_record_waiting" ON "policies"."outbox_events" USING btree ("record_key","seq") WHERE "policies"."outbox_events"."dispatched_at" is null;--> statement-breakpoint
CREATE INDEX "outbox_webhooks_owner_kind_owner_id_index" ON "policies"."outbox_webhooks" USING btree ("owner_kind","owner_id");