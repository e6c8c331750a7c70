/**
 * The transactional outbox every slice has (issue #25 §3). PostgreSQL is the queue: no server to run.
 *
 * - `emit(tx, tables, event)`: a change that someone must hear about writes its event in the SAME
 *   transaction as the change — a change that rolls back leaves no event, and no change commits
 *   without its event. The event's id is stable: receivers de-duplicate on it.
 * - `createOutboxWorker`: runs in each slice's process (started with the subgraph, stopped on
 *   shutdown). Each round it
 *   1. dispatches waiting events, in one statement, `FOR UPDATE SKIP LOCKED` (replicas share the
 *      work): an event only once every earlier event of its record is dispatched; each becomes its
 *      inbox notices (站内信, written right there) and one delivery per webhook that asked for its type
 *      and per SMS recipient (one who set no phone number: recorded NOT_SENT there, and logged);
 *   2. attempts due deliveries: taken `FOR UPDATE SKIP LOCKED` in a short transaction and leased
 *      (no HTTP call ever runs inside a transaction: the lease stands in for the lock), then sent —
 *      an SMS first takes a place under its phone's daily cap in one statement (`sms_daily_counts`,
 *      so parallel sends and replicas cannot pass it; over the cap it is recorded CAPPED, with why),
 *      then marked, the round's in one statement — delivered, retried later with exponential backoff, or dead after the retry
 *      window (the dead-letter list the owner reads and replays). A delivery waits while an earlier
 *      event of the same record to the same target is pending: order per record. A worker killed
 *      mid-delivery leaves a lease that runs out; the next worker sends the same event id again
 *      (at least once).
 * Time is the platform's injected clock throughout.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { PLANNED_EACH_TIME, rowsOf, type Db, type Queryable } from '../db/client.ts';
import type { DeliveryState, NoticeOwner, OutboxTables } from '../db/outbox.ts';
import { beijingDate } from './calendar.ts';
import type { OutboxEnv } from './env.ts';
import { present } from './invariant.ts';
import type { Logger } from './log.ts';
import { sendSms, smsText, maskPhone, type SmsResult } from './sms.ts';
import { sendWebhook, type WebhookResult } from './webhooks.ts';

export type { NoticeOwner, OutboxTables };

/** An event as a slice emits it. */
export interface OutboxEvent {
  type: string;
  /** The record it is about (`issue:<id>`): delivered in order per record. */
  recordKey: string;
  audience: NoticeOwner[];
  payload: Record<string, unknown>;
  /** The notice in Chinese: inbox title and body, and what an SMS says. */
  title: string;
  body: string;
  /** An event a sweep writes (a deadline at 80%) is written once per key; a second emit is ignored. */
  onceKey?: string;
}

/**
 * A limit that reached its warning (80 % of its time) or passed unmet, worded the same in every slice
 * that keeps limits: `LIMIT_WARNING` or `LIMIT_OVERDUE`, the title "时限预警：…" or "已超时：…", the
 * body "<subject>时限已过 80%，将于 <due> 到期。" or "…已于 <due> 届满，尚未完成。". The slice says what
 * the limit is (`title`, `subject`), whom it tells and what the event carries.
 */
export function limitPassedEvent(
  limit: { passed: 'WARNING' | 'OVERDUE'; dueAt: Date },
  wording: { title: string; subject: string },
  event: Pick<OutboxEvent, 'recordKey' | 'onceKey' | 'audience' | 'payload'>,
): OutboxEvent {
  const warning = limit.passed === 'WARNING';
  const due = limit.dueAt.toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
  return {
    ...event,
    type: warning ? 'LIMIT_WARNING' : 'LIMIT_OVERDUE',
    title: `${warning ? '时限预警' : '已超时'}：${wording.title}`,
    body: `${wording.subject}时限${warning ? `已过 80%，将于 ${due} 到期。` : `已于 ${due} 届满，尚未完成。`}`,
  };
}

/** Writes the event inside the caller's transaction; returns its id (null when `onceKey` was written already). */
export async function emit(tx: Queryable, tables: OutboxTables, event: OutboxEvent, at: Date): Promise<string | null> {
  const rows = await tx
    .insert(tables.outboxEvents)
    .values({
      type: event.type,
      recordKey: event.recordKey,
      audience: dedupeOwners(event.audience),
      payload: event.payload,
      title: event.title,
      body: event.body,
      onceKey: event.onceKey ?? null,
      occurredAt: at,
    })
    .onConflictDoNothing()
    .returning({ id: tables.outboxEvents.id });
  return rows[0]?.id ?? null;
}

function dedupeOwners(owners: NoticeOwner[]): NoticeOwner[] {
  const seen = new Set<string>();
  return owners.filter((owner) => {
    const key = `${owner.kind}:${owner.id}`;
    if (!owner.id || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What waits in a slice's outbox, for the gauges (platform/metrics.ts `watchSlice`). */
export interface OutboxBacklog {
  /** Events not yet dispatched. */
  eventsWaiting: number;
  /** Deliveries (webhook, SMS) still to be made: due, leased or waiting for their retry. */
  deliveriesPending: number;
  /** Deliveries dead-lettered and not replayed. */
  deliveriesDead: number;
  /** Age of the oldest event waiting for dispatch, or of the oldest pending delivery (since it was dispatched); 0 when none. */
  oldestWaitingSeconds: number;
}

/**
 * The backlog in one statement over the partial indexes (outbox_events_waiting,
 * outbox_deliveries_due, outbox_deliveries_dead): cheap while the backlog is small, which is what
 * the gauges watch for. `now` is the platform's clock.
 */
export async function outboxBacklog(db: Db, tables: OutboxTables, now: Date): Promise<OutboxBacklog> {
  const { outboxEvents: E, outboxDeliveries: D } = tables;
  const [row] = rowsOf<{ waiting: number; pending: number; dead: number; oldest: string | Date | null }>(
    await db.execute(sql`with p as (select count(*)::int as n, min(created_at) as oldest from ${D} where state = 'PENDING')
      select (select count(*)::int from ${E} where dispatched_at is null) as waiting, p.n as pending,
        (select count(*)::int from ${D} where state = 'DEAD') as dead,
        least((select occurred_at from ${E} where dispatched_at is null order by seq limit 1), p.oldest) as oldest
      from p`),
  );
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : undefined;
  return {
    eventsWaiting: row?.waiting ?? 0,
    deliveriesPending: row?.pending ?? 0,
    deliveriesDead: row?.dead ?? 0,
    oldestWaitingSeconds: oldest === undefined ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
  };
}

/** What a slice tells its worker. */
export interface OutboxWorkerOptions {
  slice: string;
  db: Db;
  tables: OutboxTables;
  env: OutboxEnv;
  /** Outside development a webhook's URL must be https. */
  development: boolean;
  now(): Date;
  logger: Logger;
  /** Event types sent by SMS to an owner of this kind who chose nothing (`notice_settings.sms_types` null). */
  smsByDefault: Partial<Record<NoticeOwner['kind'], string[]>>;
  /** Runs first in every round, in its own transaction: writes the events time makes (a deadline at 80%) with `emit(…, onceKey)`. */
  sweep?(tx: Queryable, now: Date): Promise<unknown>;
  /** Told of each attempt once it is marked (the metrics: platform/metrics.ts `outbox_deliveries_total`). */
  onDelivery?(channel: string, state: string): void;
  /** Runs before the sweep's transaction: what the sweep needs from elsewhere (another slice's directory) is asked here, never inside it. */
  prepareSweep?(): Promise<unknown>;
}

export interface OutboxWorker {
  /** Starts polling (every `pollMs` when idle, at once while there is work). */
  start(): void;
  /** Stops polling and waits for the round in flight to finish (its deliveries marked). */
  stop(): Promise<void>;
  /** Like a crash: stops at once, abandoning what is in flight unmarked (tests of a killed worker). */
  halt(): void;
  /** One round: sweep, dispatch, deliver; resolves to how many events and deliveries it handled. */
  runOnce(): Promise<{ dispatched: number; attempted: number }>;
}

interface ClaimedDelivery {
  id: string;
  eventId: string;
  channel: 'WEBHOOK' | 'SMS';
  attempts: number;
  firstAttemptAt: Date;
  leaseToken: string;
  recipient: { name?: string | null; phone?: string | null } | null;
  url: string | null;
  secret: string | null;
  type: string;
  recordKey: string;
  payload: Record<string, unknown>;
  title: string;
  body: string;
  occurredAt: Date;
}

/** A delivery as a round marks it (platform/outbox.ts `mark`). */
interface Marked {
  id: string;
  token: string;
  state: DeliveryState;
  next: string;
  status: number | null;
  error: string | null;
  delivered: string | null;
}

const SWEEP_EVERY_MS = 60_000;
const PRUNE_EVERY_MS = 3_600_000;
const SMS_COUNTS_KEPT_MS = 7 * 86_400_000;
const json = (value: unknown) => JSON.stringify(value);
const iso = (date: Date) => date.toISOString();

/** An SMS recorded NOT_SENT as its event was dispatched (no phone number set): the worker logs it. */
interface UnsentText {
  eventId: string;
  type: string;
  /** Whose it was: `UNIT:<id>`, `ENTERPRISE:<credit code>`, … */
  target: string;
  reason: string;
}

/**
 * Step 1 of a round (see above): waiting events → inbox notices and deliveries, in ONE statement
 * (its data-modifying parts share one snapshot and commit or roll back together: one round trip
 * instead of the seven of a transaction of five statements). Returns how many events it dispatched;
 * the SMS it recorded NOT_SENT there and then (no phone number set), which no attempt will ever
 * log, it logs and counts as an attempt's NOT_SENT is.
 */
async function dispatch(options: OutboxWorkerOptions, now: Date): Promise<number> {
  const { db, tables, env } = options;
  const { outboxEvents: E, outboxDeliveries: D, outboxWebhooks: W, notices: N, noticeSettings: S } = tables;
  const [row] = rowsOf<{ n: number; unsent: UnsentText[] | null }>(
    await db.execute(sql`${sql.raw(PLANNED_EACH_TIME)} with claimed as materialized (
        select e.id, e.seq, e.type, e.record_key, e.audience, e.title, e.body, e.payload from ${E} e
        where e.dispatched_at is null
          and not exists (select 1 from ${E} p where p.record_key = e.record_key and p.dispatched_at is null and p.seq < e.seq)
        order by e.seq limit ${env.batch} for update skip locked),
      inbox as (insert into ${N} (event_id, owner_kind, owner_id, type, record_key, title, body, payload, created_at)
        select e.id, a.kind, a.id, e.type, e.record_key, e.title, e.body, e.payload, ${iso(now)}::timestamptz
        from claimed e cross join lateral jsonb_to_recordset(e.audience) a(kind text, id text)
        where a.kind <> 'SYSTEM'
        order by e.seq
        on conflict do nothing),
      hooks as (insert into ${D} (event_id, event_seq, channel, target, record_key, webhook_id, next_attempt_at, created_at)
        select e.id, e.seq, 'WEBHOOK', w.id::text, e.record_key, w.id, ${iso(now)}::timestamptz, ${iso(now)}::timestamptz
        from claimed e join ${W} w on w.active and e.type = any(w.event_types)
          and (w.owner_kind = 'SYSTEM'
            or exists (select 1 from jsonb_to_recordset(e.audience) a(kind text, id text) where a.kind = w.owner_kind and a.id = w.owner_id))
        on conflict do nothing),
      texts as (insert into ${D} (event_id, event_seq, channel, target, record_key, recipient, state, last_error, next_attempt_at, created_at)
        select e.id, e.seq, 'SMS', a.kind || ':' || a.id, e.record_key,
          jsonb_build_object('name', s.contact_name, 'phone', s.contact_phone),
          case when s.contact_phone is null then 'NOT_SENT' else 'PENDING' end,
          case when s.contact_phone is null then 'no phone number set (notice settings) / 未设置手机号' end,
          ${iso(now)}::timestamptz, ${iso(now)}::timestamptz
        from claimed e cross join lateral jsonb_to_recordset(e.audience) a(kind text, id text)
        left join ${S} s on s.owner_kind = a.kind and s.owner_id = a.id
        where e.type = any(coalesce(s.sms_types, array(select jsonb_array_elements_text(${json(options.smsByDefault)}::jsonb -> a.kind))))
        on conflict do nothing
        returning event_id, target, state, last_error),
      done as (update ${E} set dispatched_at = ${iso(now)}::timestamptz where id in (select id from claimed))
      select (select count(*)::int from claimed) as n,
        (select jsonb_agg(jsonb_build_object('eventId', t.event_id, 'type', c.type, 'target', t.target, 'reason', t.last_error) order by c.seq)
          from texts t join claimed c on c.id = t.event_id where t.state = 'NOT_SENT') as unsent`),
  );
  for (const text of row?.unsent ?? []) {
    options.onDelivery?.('SMS', 'NOT_SENT');
    options.logger.warn(
      {
        slice: options.slice,
        eventId: text.eventId,
        type: text.type,
        recipient: text.target,
        phone: null,
        state: 'NOT_SENT',
        reason: text.reason,
      },
      `短信未发送 / SMS not sent to ${text.target}: ${text.reason}`,
    );
  }
  return row?.n ?? 0;
}

/** Takes due deliveries (none whose record has an earlier one pending to the same target) and leases them: one statement, their events and webhooks joined to what it returns. */
async function claim(options: OutboxWorkerOptions, now: Date): Promise<ClaimedDelivery[]> {
  const { db, env } = options;
  const { outboxEvents: E, outboxDeliveries: D, outboxWebhooks: W } = options.tables;
  const leaseMs = env.webhookTimeoutMs * 4 + 30_000;
  const token = randomUUID();
  const rows = rowsOf<ClaimedDelivery & { occurredAt: string | Date; firstAttemptAt: string | Date }>(
    await db.execute(sql`${sql.raw(PLANNED_EACH_TIME)} with claimed as (
        select d.id from ${D} d
        where d.state = 'PENDING' and d.next_attempt_at <= ${iso(now)}::timestamptz
          and (d.lease_until is null or d.lease_until <= ${iso(now)}::timestamptz)
          and not exists (select 1 from ${D} p where p.target = d.target and p.record_key = d.record_key
            and p.state = 'PENDING' and p.event_seq < d.event_seq)
        order by d.event_seq limit ${env.batch} for update skip locked),
      leased as (update ${D} d set lease_until = ${iso(new Date(now.getTime() + leaseMs))}::timestamptz, lease_token = ${token}::uuid,
          attempts = d.attempts + 1, first_attempt_at = coalesce(d.first_attempt_at, ${iso(now)}::timestamptz)
        from claimed where d.id = claimed.id
        returning d.id, d.event_id, d.event_seq, d.channel, d.attempts, d.first_attempt_at, d.lease_token, d.recipient, d.webhook_id)
      select d.id as "id", d.event_id as "eventId", d.channel as "channel", d.attempts as "attempts",
        d.first_attempt_at as "firstAttemptAt", d.lease_token as "leaseToken", d.recipient as "recipient",
        w.url as "url", w.secret as "secret", e.type as "type", e.record_key as "recordKey", e.payload as "payload",
        e.title as "title", e.body as "body", e.occurred_at as "occurredAt"
      from leased d join ${E} e on e.id = d.event_id left join ${W} w on w.id = d.webhook_id
      order by d.event_seq`),
  );
  return rows.map((row) => ({ ...row, firstAttemptAt: new Date(row.firstAttemptAt), occurredAt: new Date(row.occurredAt) }));
}

/**
 * An SMS within its phone's daily cap (SMS_DAILY_CAP, per Beijing date). A place is taken in one
 * statement before the gateway is called — `insert … on conflict do update … where sent < cap
 * returning`: the row's lock orders concurrent takers, in this round or another replica's, so
 * texts sent in parallel never pass the cap — and given back when the text is not sent (refused,
 * failed, aborted), for its retry or another text. Over the cap: CAPPED, with why. Without a gateway
 * or a phone nothing is sent (`sendSms` records why) and no place is taken.
 */
async function sendCappedSms(options: OutboxWorkerOptions, delivery: ClaimedDelivery, now: Date, signal: AbortSignal): Promise<SmsResult> {
  const { db, env } = options;
  const C = options.tables.smsDailyCounts;
  const phone = delivery.recipient?.phone ?? '';
  const text = { phone, text: smsText(env.sms.signature, delivery.title, delivery.body) };
  if (!env.sms.url || !phone) return sendSms(env.sms, text, signal, env.webhookTimeoutMs);
  const day = beijingDate(now);
  const taken = rowsOf<{ sent: number }>(
    await db.execute(sql`insert into ${C} as c (day, phone, sent) values (${day}::date, ${phone}, 1)
      on conflict (day, phone) do update set sent = c.sent + 1 where c.sent < ${env.sms.dailyCap}
      returning c.sent`),
  );
  if (!taken.length)
    return {
      outcome: 'CAPPED',
      error: `已达每日短信上限 ${env.sms.dailyCap} 条 / daily SMS cap of ${env.sms.dailyCap} reached for this number`,
    };
  let sent = false;
  try {
    const result = await sendSms(env.sms, text, signal, env.webhookTimeoutMs);
    sent = result.outcome === 'DELIVERED';
    return result;
  } finally {
    if (!sent)
      await db
        .execute(sql`update ${C} set sent = sent - 1 where day = ${day}::date and phone = ${phone} and sent > 0`)
        .catch((error: unknown) =>
          options.logger.warn(
            { err: error, slice: options.slice, phone: maskPhone(phone) },
            '短信配额未能退回 / an SMS cap place was not given back',
          ),
        );
  }
}

/** The daily cap's counts older than a week (kept that long for the operators: who reached it), deleted by a range of their key. */
async function pruneSmsCounts(options: OutboxWorkerOptions, now: Date): Promise<void> {
  const before = beijingDate(new Date(now.getTime() - SMS_COUNTS_KEPT_MS));
  await options.db.execute(sql`delete from ${options.tables.smsDailyCounts} where day < ${before}::date`);
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { db, env, logger } = options;
  const D = options.tables.outboxDeliveries;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let halted = false;
  const inFlight = new Set<AbortController>();
  let lastSweep: number | undefined;
  let lastPrune: number | undefined;

  async function attempt(delivery: ClaimedDelivery, now: Date): Promise<WebhookResult | SmsResult> {
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      if (delivery.channel === 'WEBHOOK') {
        return await sendWebhook({
          url: delivery.url ?? '',
          secret: delivery.secret ?? '',
          event: {
            id: delivery.eventId,
            type: delivery.type,
            recordKey: delivery.recordKey,
            occurredAt: delivery.occurredAt.toISOString(),
            slice: options.slice,
            payload: delivery.payload,
          },
          now,
          timeoutMs: env.webhookTimeoutMs,
          development: options.development,
          signal: controller.signal,
        });
      }
      return await sendCappedSms(options, delivery, now, controller.signal);
    } finally {
      inFlight.delete(controller);
    }
  }

  /** What an attempt leaves of a delivery: delivered, recorded as not sent or capped, retried after its backoff, or dead. */
  function outcomeOf(delivery: ClaimedDelivery, result: WebhookResult | SmsResult, now: Date): Marked {
    let state: DeliveryState = 'PENDING';
    let next = now;
    if (result.outcome === 'DELIVERED' || result.outcome === 'NOT_SENT' || result.outcome === 'CAPPED') state = result.outcome;
    else if (now.getTime() - delivery.firstAttemptAt.getTime() >= env.retryWindowMs) state = 'DEAD';
    else next = new Date(now.getTime() + Math.min(env.retryBaseMs * 2 ** Math.max(0, delivery.attempts - 1), env.retryMaxMs));
    // PENDING after an attempt: it failed and will be retried.
    options.onDelivery?.(delivery.channel, state === 'PENDING' ? 'RETRY' : state);
    if (delivery.channel === 'SMS' && state !== 'PENDING') {
      const phone = maskPhone(delivery.recipient?.phone ?? '');
      const line = { slice: options.slice, eventId: delivery.eventId, type: delivery.type, phone, state, reason: result.error };
      if (state === 'DELIVERED') logger.info(line, `短信已发送 / SMS sent to ${phone}`);
      else logger.warn(line, `短信未发送 / SMS not sent to ${phone}: ${result.error ?? state}`);
    } else if (state === 'DEAD') {
      logger.warn(
        { slice: options.slice, eventId: delivery.eventId, delivery: delivery.id },
        `webhook 投递失败，已转入死信 / webhook delivery dead-lettered: ${result.error}`,
      );
    }
    return {
      id: delivery.id,
      token: delivery.leaseToken,
      state,
      next: iso(next),
      status: result.status ?? null,
      error: result.error ?? null,
      delivered: state === 'DELIVERED' ? iso(now) : null,
    };
  }

  /** Marks a round's deliveries in one statement, each only while this worker's lease on it stands. */
  async function mark(marked: Marked[]): Promise<void> {
    if (halted || !marked.length) return;
    await db.execute(sql`update ${D} d set state = m.state, next_attempt_at = m.next::timestamptz, lease_until = null, lease_token = null,
        last_status = m.status, last_error = m.error, delivered_at = m.delivered::timestamptz
      from jsonb_to_recordset(${json(marked)}::jsonb) m(id uuid, token uuid, state text, next text, status int, error text, delivered text)
      where d.id = m.id and d.lease_token = m.token`);
  }

  async function runOnce() {
    const now = options.now();
    // The sweep reads the slice's deadlines: once a minute of the platform's clock is enough.
    if (options.sweep && (lastSweep === undefined || Math.abs(now.getTime() - lastSweep) >= SWEEP_EVERY_MS)) {
      lastSweep = now.getTime();
      await options.prepareSweep?.();
      await db.transaction((tx) => present(options.sweep, 'the sweep')(tx, now));
    }
    if (lastPrune === undefined || Math.abs(now.getTime() - lastPrune) >= PRUNE_EVERY_MS) {
      lastPrune = now.getTime();
      await pruneSmsCounts(options, now);
    }
    let dispatched = 0;
    for (let round = await dispatch(options, now); round > 0; round = halted ? 0 : await dispatch(options, now)) dispatched += round;
    const deliveries = await claim(options, now);
    const results = await Promise.all(
      deliveries.map(async (delivery): Promise<[ClaimedDelivery, WebhookResult | SmsResult]> => {
        try {
          return [delivery, await attempt(delivery, now)];
        } catch (error) {
          return [delivery, { outcome: 'FAILED', error: (error as Error).message }];
        }
      }),
    );
    if (!halted) {
      const at = options.now();
      await mark(results.map(([delivery, result]) => outcomeOf(delivery, result, at)));
    }
    return { dispatched, attempted: deliveries.length };
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce()
        .then((done) => schedule(done.dispatched + done.attempted > 0 ? 0 : env.pollMs))
        .catch((error: unknown) => {
          if (!stopped) logger.error({ err: error, slice: options.slice }, `${options.slice}: 通知投递出错 / outbox round failed`);
          schedule(env.pollMs);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      halted = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => {});
    },
    halt() {
      stopped = true;
      halted = true;
      if (timer) clearTimeout(timer);
      for (const controller of inFlight) controller.abort();
    },
    runOnce,
  };
}
