-- The SMS daily cap (SMS_DAILY_CAP) was checked by counting the texts delivered to a phone today and
-- then sending: texts sent in parallel in one round, or by another replica, all saw the same count
-- and passed the cap together. A delivery now reserves its place in this count in one statement
-- before it calls the gateway (platform/outbox.ts), and gives it back when the text is not sent.
CREATE TABLE "issues"."sms_daily_counts" (
	"day" date NOT NULL,
	"phone" text NOT NULL,
	"sent" integer NOT NULL,
	CONSTRAINT "sms_daily_counts_day_phone_pk" PRIMARY KEY("day","phone")
);
--> statement-breakpoint
-- What was sent before the count was kept: the texts delivered on the last two Beijing dates, so the cap holds on the day this runs.
INSERT INTO "issues"."sms_daily_counts" ("day", "phone", "sent")
SELECT ("delivered_at" AT TIME ZONE 'Asia/Shanghai')::date, "recipient" ->> 'phone', count(*)::int
  FROM "issues"."outbox_deliveries"
 WHERE "channel" = 'SMS' AND "state" = 'DELIVERED' AND "recipient" ->> 'phone' IS NOT NULL
   AND "delivered_at" >= now() - interval '2 days'
 GROUP BY 1, 2;--> statement-breakpoint
-- The count the cap was read from: nothing reads the deliveries by phone and day any more.
DROP INDEX "issues"."outbox_deliveries_sms_day";
