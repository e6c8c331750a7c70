/**
 * The notice tables every slice has, in its own Postgres schema, of one shape (issue #25 §3): the
 * transactional outbox (`outbox_events`, written in the same transaction as the change it tells
 * of), the deliveries the worker makes of each event (`outbox_deliveries`: one per webhook and per
 * SMS recipient, with attempts, backoff and dead letters), the webhooks registered with the slice,
 * the inbox (`notices`, 站内信, with read state) and who receives what (`notice_settings`: a unit's
 * duty contact and the events it wants by SMS; an enterprise's choice of SMS or inbox only) and the
 * SMS sent per phone and day (`sms_daily_counts`, the daily cap).
 *
 * A slice's tables file calls `outboxTables(itsSchema)` and exports what it returns, so
 * `npm run db:generate -- <slice> outbox` writes them into the slice's migrations.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type PgSchema,
} from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true });

/** Someone a notice is for: a unit, an enterprise (credit code), an institution or one of its branches, a person, or a connected system. */
export interface NoticeOwner {
  kind: 'UNIT' | 'ENTERPRISE' | 'INSTITUTION' | 'BRANCH' | 'PERSON' | 'SYSTEM';
  id: string;
}

export function outboxTables(schema: PgSchema) {
  /** An event, written in the transaction of the change it tells of; its id is stable (receivers de-duplicate on it). */
  const outboxEvents = schema.table(
    'outbox_events',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      /** Commit-independent order of writing: per record, events are dispatched and delivered in this order. */
      seq: bigserial('seq', { mode: 'number' }).notNull(),
      type: text('type').notNull(),
      /** The record the event is about (`issue:<id>`): delivery keeps the order per record. */
      recordKey: text('record_key').notNull(),
      /** A key making an event written by a sweep once only (`deadline:42:WARNING`); null for a change's own event. */
      onceKey: text('once_key'),
      audience: jsonb('audience').$type<NoticeOwner[]>().notNull(),
      /** The event's data, as receivers get it. */
      payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
      /** The Chinese text of the notice (inbox title and body; the SMS template's fill). */
      title: text('title').notNull(),
      body: text('body').notNull(),
      occurredAt: instant('occurred_at').notNull(),
      /** When the worker turned it into notices and deliveries; null while it waits. */
      dispatchedAt: instant('dispatched_at'),
    },
    (table) => [
      uniqueIndex().on(table.seq),
      uniqueIndex().on(table.onceKey),
      index('outbox_events_waiting')
        .on(table.seq)
        .where(sql`${table.dispatchedAt} is null`),
      index('outbox_events_record_waiting')
        .on(table.recordKey, table.seq)
        .where(sql`${table.dispatchedAt} is null`),
    ],
  );

  /** One event to one webhook or one SMS recipient: attempted until delivered, dead after the retry window, replayable. */
  const outboxDeliveries = schema.table(
    'outbox_deliveries',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      eventId: uuid('event_id')
        .notNull()
        .references(() => outboxEvents.id),
      eventSeq: bigint('event_seq', { mode: 'number' }).notNull(),
      channel: text('channel').$type<'WEBHOOK' | 'SMS'>().notNull(),
      /** The webhook's id, or the SMS recipient (`UNIT:<id>`): order is kept per target and record. */
      target: text('target').notNull(),
      recordKey: text('record_key').notNull(),
      webhookId: uuid('webhook_id'),
      /** For SMS: the recipient's name and phone as they were when the event was dispatched. */
      recipient: jsonb('recipient').$type<{ name?: string | null; phone?: string | null }>(),
      /** PENDING, DELIVERED, DEAD (retry window over: the dead-letter list), NOT_SENT (SMS not configured, no phone), CAPPED (daily cap). */
      state: text('state').$type<DeliveryState>().notNull().default('PENDING'),
      attempts: integer('attempts').notNull().default(0),
      nextAttemptAt: instant('next_attempt_at').notNull(),
      firstAttemptAt: instant('first_attempt_at'),
      /** A worker holds it until then (no HTTP call runs inside a transaction: the lease stands in for the row lock). */
      leaseUntil: instant('lease_until'),
      leaseToken: uuid('lease_token'),
      lastStatus: integer('last_status'),
      lastError: text('last_error'),
      deliveredAt: instant('delivered_at'),
      createdAt: instant('created_at').notNull(),
    },
    (table) => [
      uniqueIndex().on(table.eventId, table.channel, table.target),
      index('outbox_deliveries_due')
        .on(table.nextAttemptAt)
        .where(sql`${table.state} = 'PENDING'`),
      index('outbox_deliveries_order')
        .on(table.target, table.recordKey, table.eventSeq)
        .where(sql`${table.state} = 'PENDING'`),
      index('outbox_deliveries_dead')
        .on(table.webhookId, table.createdAt)
        .where(sql`${table.state} = 'DEAD'`),
    ],
  );

  /** A webhook a unit, institution or connected system registered: the events it wants, where, signed with its secret. */
  const outboxWebhooks = schema.table(
    'outbox_webhooks',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      ownerKind: text('owner_kind').$type<NoticeOwner['kind']>().notNull(),
      ownerId: text('owner_id').notNull(),
      url: text('url').notNull(),
      eventTypes: text('event_types').array().notNull(),
      secret: text('secret').notNull(),
      active: boolean('active').notNull().default(true),
      createdAt: instant('created_at').notNull(),
      createdBy: text('created_by').notNull(),
    },
    (table) => [index().on(table.ownerKind, table.ownerId)],
  );

  /** The inbox (站内信): one notice per event and owner, with its read state. */
  const notices = schema.table(
    'notices',
    {
      id: uuid('id').primaryKey().defaultRandom(),
      seq: bigserial('seq', { mode: 'number' }).notNull(),
      eventId: uuid('event_id')
        .notNull()
        .references(() => outboxEvents.id),
      ownerKind: text('owner_kind').$type<NoticeOwner['kind']>().notNull(),
      ownerId: text('owner_id').notNull(),
      type: text('type').notNull(),
      recordKey: text('record_key').notNull(),
      title: text('title').notNull(),
      body: text('body').notNull(),
      payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
      createdAt: instant('created_at').notNull(),
      readAt: instant('read_at'),
      readBy: text('read_by'),
    },
    (table) => [uniqueIndex().on(table.eventId, table.ownerKind, table.ownerId), index().on(table.ownerKind, table.ownerId, table.seq)],
  );

  /** Who receives what: a unit's duty contact and the event types it wants by SMS; an enterprise's phone and SMS choice. */
  const noticeSettings = schema.table(
    'notice_settings',
    {
      ownerKind: text('owner_kind').$type<NoticeOwner['kind']>().notNull(),
      ownerId: text('owner_id').notNull(),
      contactName: text('contact_name'),
      contactPhone: text('contact_phone'),
      /** Event types sent by SMS; null: the slice's defaults; empty: inbox only (an opt-out, kept). */
      smsTypes: text('sms_types').array(),
      updatedAt: instant('updated_at').notNull(),
      updatedBy: text('updated_by').notNull(),
    },
    (table) => [uniqueIndex().on(table.ownerKind, table.ownerId)],
  );

  /**
   * The SMS daily cap's count (SMS_DAILY_CAP): texts sent or being sent to a phone on a Beijing
   * date. A delivery reserves its place here in one statement before it calls the gateway
   * (`insert … on conflict do update … where sent < cap returning`), so texts sent in parallel in a
   * round, or by another replica, never pass the cap; an attempt that is not sent gives its place
   * back. Per slice, as every notice table: a slice never reads another's tables, so a phone may get
   * up to the cap from each slice that texts it.
   */
  const smsDailyCounts = schema.table(
    'sms_daily_counts',
    {
      day: date('day').notNull(),
      phone: text('phone').notNull(),
      sent: integer('sent').notNull(),
    },
    // The date first: the days past the worker's keeping are deleted by a range of the key.
    (table) => [primaryKey({ columns: [table.day, table.phone] })],
  );

  return { outboxEvents, outboxDeliveries, outboxWebhooks, notices, noticeSettings, smsDailyCounts };
}

export type DeliveryState = 'PENDING' | 'DELIVERED' | 'DEAD' | 'NOT_SENT' | 'CAPPED';
export type OutboxTables = ReturnType<typeof outboxTables>;
