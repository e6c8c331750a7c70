/**
 * Notices that reach people (issue #25 §3), on the issues slice: the outbox written in the change's
 * transaction, the worker (webhooks, SMS, inbox), and every failure path — a receiver answering 500,
 * timing out, redirecting; the retry window and the dead letters; a killed worker; two workers.
 * The platform's own worker is off (OUTBOX_WORKER=false): the test runs workers itself, on the
 * platform's clock, so what each round does is known.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { loadEnv, type OutboxEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { createOutboxWorker, emit, type OutboxWorker } from '../platform/outbox.ts';
import { verifyWebhook, WEBHOOK_HEADERS } from '../platform/webhooks.ts';
import { slices as registeredSlices } from '../subgraphs/registry.ts';
import { ISSUE_SMS_BY_DEFAULT } from '../subgraphs/issues/notices.ts';
import { issueOutbox } from '../subgraphs/issues/store.ts';
import { HOUR, TestClock } from './support/clock.ts';
import { appealAt, callers, mutations, unit } from './support/issues.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { drain } from './support/outbox.ts';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local receiver whose answer the test sets: a status, a redirect, or no answer at all. */
async function receiver() {
  const received: Received[] = [];
  let answer: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end('ok');
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    port,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    answer(next: typeof answer) {
      answer = next;
    },
    events: () =>
      received.map((r) => JSON.parse(r.body) as { id: string; type: string; recordKey: string; payload: Record<string, unknown> }),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const clock = new TestClock('2023-10-09T09:00:00+08:00');
const silent = createLogger({ level: 'silent' });
/** Every line the platform and the SMS test's workers log (JSON, as written); the platform's errors are shown too. */
const logLines: string[] = [];
const capture = {
  write(line: string) {
    logLines.push(line);
    if ((JSON.parse(line) as { level: number }).level >= 50) process.stderr.write(line);
  },
};
let t: TestPlatform;
let db: Db;
let outboxEnv: OutboxEnv;

function worker(env: Partial<OutboxEnv> = {}, logger = silent): OutboxWorker {
  return createOutboxWorker({
    slice: 'issues',
    db,
    tables: issueOutbox,
    env: { ...outboxEnv, ...env, sms: { ...outboxEnv.sms, ...env.sms } },
    development: true,
    now: clock.now,
    logger,
    smsByDefault: ISSUE_SMS_BY_DEFAULT,
  });
}

const count = async (table: string, where = 'true') =>
  rowsOf<{ n: number }>(await db.execute(sql.raw(`select count(*)::int as n from issues.${table} where ${where}`)))[0]?.n ?? 0;

const REGISTER = /* GraphQL */ `
  mutation R($input: RegisterIssueWebhookInput!) {
    registerIssueWebhook(input: $input) {
      id
      url
      eventTypes
      secret
    }
  }
`;

beforeAll(async () => {
  t = await startTestPlatform({
    now: clock.now,
    env: { OUTBOX_WORKER: 'false' },
    logger: createLogger({ level: 'info', destination: capture }),
  });
  db = t.database.handle.forSubgraph('issues').db;
  outboxEnv = { ...loadEnv({ DEVELOPMENT_MODE: 'true' }, registeredSlices).outbox, retryBaseMs: 60_000, webhookTimeoutMs: 500 };
}, 120_000);

// Each test's receivers close at its end: its webhooks go with them, so the next test's events reach only its own.
afterEach(async () => {
  await db.execute(sql`update issues.outbox_webhooks set active = false`);
  await db.execute(sql`update issues.outbox_deliveries set state = 'DEAD' where state = 'PENDING'`);
});

afterAll(async () => {
  await t?.stop();
});

describe('the outbox is written in the change’s transaction', () => {
  it('a rolled-back transaction leaves no event; a committed one leaves exactly its event', async () => {
    const before = await count('outbox_events');
    await expect(
      db.transaction(async (tx) => {
        await emit(
          tx,
          issueOutbox,
          { type: 'ISSUE_ASSIGNED', recordKey: 'issue:x', audience: [], payload: {}, title: 't', body: 'b' },
          clock.now(),
        );
        throw new Error('the change fails');
      }),
    ).rejects.toThrow('the change fails');
    expect(await count('outbox_events')).toBe(before);

    const issue = await appealAt(t, 'ACCEPTED');
    const refused = await mutations.assign(t, callers.marketStaff, issue.id, unit('MARKET_REGULATION_BUREAU'));
    // The handling unit's staff may not dispatch (an issue not yet theirs does not exist for them).
    expect(refused.code).toBe('NOT_FOUND');
    expect(await count('outbox_events')).toBe(before);

    const assigned = await mutations.assign(t, callers.office, issue.id, unit('MARKET_REGULATION_BUREAU'));
    expect(assigned.errors).toBeUndefined();
    const events = rowsOf<{ type: string; audience: unknown }>(
      await db.execute(sql`select type, audience from issues.outbox_events where record_key = ${`issue:${issue.id}`}`),
    );
    expect(events).toEqual([{ type: 'ISSUE_ASSIGNED', audience: [{ kind: 'UNIT', id: unit('MARKET_REGULATION_BUREAU') }] }]);
  });
});

describe('channels: webhook, SMS and inbox', () => {
  it('an assignment reaches the unit’s webhook signed, its duty contact by SMS, and its inbox through the gateway and the subgraph', async () => {
    const hook = await receiver();
    const sms = await receiver();
    try {
      const registered = await t.query(REGISTER, {
        as: callers.marketAdmin,
        variables: { input: { url: hook.url(), eventTypes: ['ISSUE_ASSIGNED'] } },
      });
      expect(registered.errors).toBeUndefined();
      const secret = registered.data.registerIssueWebhook.secret as string;
      expect(secret).toMatch(/^whsec_/);
      // Staff may not register one; only https outside development (test/webhook-urls.e2e.ts).
      const staff = await t.query(REGISTER, {
        as: callers.marketStaff,
        variables: { input: { url: hook.url(), eventTypes: ['ISSUE_ASSIGNED'] } },
      });
      expect(staff.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      const settings = await t.querySubgraph(
        'issues',
        `mutation { setIssueNoticeSettings(input: { contactName: "值班员", contactPhone: "13812345678" }) { contactName contactPhone smsEventTypes } }`,
        { as: callers.marketAdmin },
      );
      expect(settings.data.setIssueNoticeSettings).toEqual({ contactName: '值班员', contactPhone: '13812345678', smsEventTypes: null });

      const issue = await appealAt(t, 'ASSIGNED');
      await drain(worker({ sms: { ...outboxEnv.sms, url: sms.url('/send'), user: 'u', password: 'p' } }));

      const mine = hook.events().filter((event) => event.payload.issueId === issue.id);
      expect(mine.map((event) => event.type)).toEqual(['ISSUE_ASSIGNED']);
      const delivery = hook.received.find((r) => r.body.includes(issue.id));
      const headers = delivery?.headers ?? {};
      expect(
        verifyWebhook(secret, String(headers[WEBHOOK_HEADERS.timestamp]), delivery?.body ?? '', String(headers[WEBHOOK_HEADERS.signature])),
      ).toBe(true);
      expect(
        verifyWebhook(
          'another secret',
          String(headers[WEBHOOK_HEADERS.timestamp]),
          delivery?.body ?? '',
          String(headers[WEBHOOK_HEADERS.signature]),
        ),
      ).toBe(false);
      expect(headers[WEBHOOK_HEADERS.eventId]).toBe(mine[0]?.id);

      const texts = sms.received.map((r) => JSON.parse(r.body) as { phone: string; content: string });
      expect(
        texts.some((text) => text.phone === '13812345678' && text.content.includes('新派单') && text.content.includes('2 个办公小时')),
      ).toBe(true);
      expect(sms.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);

      const inbox = `{ issueNotices(unreadOnly: true) { id type title eventId recordKey } }`;
      for (const ask of [
        (q: string) => t.query(q, { as: callers.marketStaff }),
        (q: string) => t.querySubgraph('issues', q, { as: callers.marketStaff }),
      ]) {
        const notices = (await ask(inbox)).data.issueNotices as { id: string; recordKey: string; eventId: string }[];
        expect(notices.some((notice) => notice.recordKey === `issue:${issue.id}` && notice.eventId === mine[0]?.id)).toBe(true);
      }
      // Another unit's staff sees none of it; the enterprise neither.
      const others = await t.query(inbox, { as: callers.taxStaff });
      expect((others.data.issueNotices as { recordKey: string }[]).some((n) => n.recordKey === `issue:${issue.id}`)).toBe(false);

      const notice = ((await t.query(inbox, { as: callers.marketStaff })).data.issueNotices as { id: string; recordKey: string }[]).find(
        (n) => n.recordKey === `issue:${issue.id}`,
      );
      const read = await t.query(`mutation M($ids: [ID!]!) { markIssueNoticesRead(ids: $ids) { id readAt } }`, {
        as: callers.marketStaff,
        variables: { ids: [notice?.id] },
      });
      expect(read.data.markIssueNoticesRead[0].readAt).toBeTruthy();
      const stolen = await t.query(`mutation M($ids: [ID!]!) { markIssueNoticesRead(ids: $ids) { id } }`, {
        as: callers.taxStaff,
        variables: { ids: [notice?.id] },
      });
      expect(stolen.data.markIssueNoticesRead).toEqual([]);
      const unread = (await t.query(inbox, { as: callers.marketStaff })).data.issueNotices as { id: string }[];
      expect(unread.some((n) => n.id === notice?.id)).toBe(false);
    } finally {
      await hook.close();
      await sms.close();
    }
  });

  it('the inbox pages newest first by the last notice seen, through the gateway and the subgraph; another’s notice is no cursor', async () => {
    const market = unit('MARKET_REGULATION_BUREAU');
    const key = `paging:${Date.now()}`;
    await db.transaction(async (tx) => {
      for (let i = 0; i < 5; i++)
        await emit(
          tx,
          issueOutbox,
          {
            type: 'ISSUE_FEEDBACK',
            recordKey: `${key}:${i}`,
            audience: [{ kind: 'UNIT', id: market }],
            payload: { i },
            title: '分页',
            body: `#${i}`,
          },
          clock.now(),
        );
    });
    await drain(worker());
    const PAGE = `query P($after: ID) { issueNotices(first: 2, after: $after) { id recordKey } }`;
    for (const ask of [
      (variables: Record<string, unknown>) => t.query(PAGE, { as: callers.marketStaff, variables }),
      (variables: Record<string, unknown>) => t.querySubgraph('issues', PAGE, { as: callers.marketStaff, variables }),
    ]) {
      const all = (await t.query(`{ issueNotices(first: 100) { id recordKey } }`, { as: callers.marketStaff })).data.issueNotices as {
        id: string;
        recordKey: string;
      }[];
      const seen: { id: string; recordKey: string }[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page++) {
        const response = await ask({ after });
        expect(response.errors).toBeUndefined();
        const notices = response.data.issueNotices as { id: string; recordKey: string }[];
        if (!notices.length) break;
        expect(notices.length).toBeLessThanOrEqual(2);
        seen.push(...notices);
        after = notices[notices.length - 1]!.id;
      }
      // Every notice once, in the order of the whole list: nothing lost or repeated across pages.
      expect(seen.map((n) => n.id)).toEqual(all.map((n) => n.id));
      expect(seen.filter((n) => n.recordKey.startsWith(key)).map((n) => n.recordKey)).toEqual([4, 3, 2, 1, 0].map((i) => `${key}:${i}`));
    }
    // A notice of another unit, or no notice at all, is refused as a cursor: the page would otherwise start over.
    const mine = (await t.query(PAGE, { as: callers.marketStaff, variables: {} })).data.issueNotices as { id: string }[];
    for (const after of [mine[0]!.id, '00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const refused = await t.query(PAGE, { as: callers.taxStaff, variables: { after } });
      expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.message).toMatch(/after/);
    }
  });

  it('without an SMS gateway the SMS is recorded NOT_SENT, never dropped', async () => {
    const issue = await appealAt(t, 'ASSIGNED');
    await drain(worker({ sms: { ...outboxEnv.sms, url: undefined } }));
    const rows = rowsOf<{ state: string; last_error: string }>(
      await db.execute(
        sql`select d.state, d.last_error from issues.outbox_deliveries d where d.channel = 'SMS' and d.record_key = ${`issue:${issue.id}`}`,
      ),
    );
    expect(rows).toEqual([{ state: 'NOT_SENT', last_error: expect.stringContaining('SMS_GATEWAY_URL') }]);
  });
});

describe('the SMS daily cap per recipient holds however the sends are spread', () => {
  const setPhone = async (phone: string) => {
    const answer = await t.query(`mutation($p: String) { setIssueNoticeSettings(input: { contactPhone: $p }) { contactPhone } }`, {
      as: callers.approvalAdmin,
      variables: { p: phone },
    });
    expect(answer.errors).toBeUndefined();
  };
  /** `n` appeals assigned to 市行政审批局: `n` ISSUE_ASSIGNED texts to its duty phone, each of its own record (none waits for another). */
  const assignedTimes = async (n: number) => {
    const keys: string[] = [];
    for (let i = 0; i < n; i++)
      keys.push(
        `issue:${(await appealAt(t, 'ASSIGNED', { unitCode: 'ADMINISTRATIVE_APPROVAL_BUREAU', staff: callers.approvalStaff })).id}`,
      );
    return keys;
  };
  const textsTo = async (keys: string[]) =>
    rowsOf<{ state: string; last_error: string | null }>(
      await db.execute(
        sql`select state, last_error from issues.outbox_deliveries where channel = 'SMS' and record_key in (${sql.join(
          keys.map((key) => sql`${key}`),
          sql`, `,
        )}) order by state`,
      ),
    );
  const counted = async (phone: string) =>
    rowsOf<{ day: string; sent: number }>(
      await db.execute(sql`select day::text as day, sent from issues.sms_daily_counts where phone = ${phone} order by day`),
    );
  const sentTo = (sms: Awaited<ReturnType<typeof receiver>>, phone: string) =>
    sms.received.filter((r) => (JSON.parse(r.body) as { phone: string }).phone === phone).length;

  it('cap 1, two texts to one phone in one round (sent in parallel): exactly one sent, the other recorded CAPPED with its reason', async () => {
    const sms = await receiver();
    try {
      const phone = '13700000001';
      await setPhone(phone);
      const keys = await assignedTimes(2);
      const round = await worker({ sms: { ...outboxEnv.sms, url: sms.url('/send'), dailyCap: 1 } }).runOnce();
      expect(round.attempted, 'both texts were attempted in the same round').toBeGreaterThanOrEqual(2);
      expect(await textsTo(keys)).toEqual([
        { state: 'CAPPED', last_error: expect.stringContaining('daily SMS cap of 1') },
        { state: 'DELIVERED', last_error: null },
      ]);
      expect(sentTo(sms, phone)).toBe(1);
      // Later the same Beijing day: still capped; the next day the phone gets texts again.
      const later = await assignedTimes(1);
      clock.advance(HOUR);
      await drain(worker({ sms: { ...outboxEnv.sms, url: sms.url('/send'), dailyCap: 1 } }));
      expect((await textsTo(later)).map((row) => row.state)).toEqual(['CAPPED']);
      clock.advance(24 * HOUR);
      const tomorrow = await assignedTimes(1);
      await drain(worker({ sms: { ...outboxEnv.sms, url: sms.url('/send'), dailyCap: 1 } }));
      expect((await textsTo(tomorrow)).map((row) => row.state)).toEqual(['DELIVERED']);
      expect(sentTo(sms, phone)).toBe(2);
      expect(await counted(phone)).toEqual([
        { day: '2023-10-09', sent: 1 },
        { day: '2023-10-10', sent: 1 },
      ]);
    } finally {
      await sms.close();
    }
  });

  it('two replicas sending to one phone at once keep the cap too; a text the gateway refused does not use it up', async () => {
    const sms = await receiver();
    try {
      const phone = '13700000002';
      await setPhone(phone);
      const env = { batch: 2, sms: { ...outboxEnv.sms, url: sms.url('/send'), dailyCap: 2 } };
      // The gateway refuses the first text: it stays pending for its retry and the cap is not spent on it.
      sms.answer((_req, res) => ((res.statusCode = 503), res.end()));
      const refused = await assignedTimes(1);
      await drain(worker(env));
      expect((await textsTo(refused)).map((row) => row.state)).toEqual(['PENDING']);
      sms.answer((_req, res) => res.end('ok'));
      const keys = await assignedTimes(3);
      const [a, b] = [worker(env), worker(env)];
      await Promise.all([a.runOnce(), b.runOnce()]);
      await Promise.all([drain(a), drain(b)]);
      const states = (await textsTo(keys)).map((row) => row.state);
      expect(states).toEqual(['CAPPED', 'DELIVERED', 'DELIVERED']);
      expect(sentTo(sms, phone) - 1, 'the refused attempt reached the gateway once').toBe(2);
      expect((await counted(phone)).map((row) => row.sent)).toEqual([2]);
      // Its retry finds the cap reached: recorded CAPPED, not sent.
      clock.advance(61_000);
      await drain(worker(env));
      expect((await textsTo(refused)).map((row) => row.state)).toEqual(['CAPPED']);
      expect(sentTo(sms, phone)).toBe(3);
    } finally {
      await sms.close();
    }
  });
});

describe('SMS in the logs', () => {
  it('masks the phone number in every line, and logs each SMS not sent with its reason: no gateway, no phone number set', async () => {
    const phone = '13700001234';
    const masked = '137****1234';
    const settings = await t.query(
      `mutation M($phone: String) { setIssueNoticeSettings(input: { contactName: "审批值班", contactPhone: $phone }) { contactPhone } }`,
      { as: callers.approvalAdmin, variables: { phone } },
    );
    expect(settings.data.setIssueNoticeSettings.contactPhone).toBe(phone);
    const logged = createLogger({ level: 'info', destination: capture });
    const eventOf = async (issueId: string) =>
      rowsOf<{ id: string }>(await db.execute(sql`select id from issues.outbox_events where record_key = ${`issue:${issueId}`}`))[0]?.id;
    type Line = { msg: string; eventId?: string; state?: string; reason?: string; phone?: string | null; recipient?: string };
    const linesOf = (eventId: string | undefined) =>
      logLines.map((line) => JSON.parse(line) as Line).filter((line) => eventId && line.eventId === eventId);

    // No SMS gateway: the approval bureau's duty contact is not texted; the line names them masked.
    const toApproval = await appealAt(t, 'ASSIGNED', { unitCode: 'ADMINISTRATIVE_APPROVAL_BUREAU', staff: callers.approvalStaff });
    // The taxation bureau set no phone: its SMS is recorded NOT_SENT as the event is dispatched.
    const toTax = await appealAt(t, 'ASSIGNED', { unitCode: 'TAXATION_BUREAU', staff: callers.taxStaff });
    await drain(worker({ sms: { ...outboxEnv.sms, url: undefined } }, logged));
    const states = async (issueId: string) =>
      rowsOf<{ state: string; last_error: string }>(
        await db.execute(
          sql`select state, last_error from issues.outbox_deliveries where channel = 'SMS' and record_key = ${`issue:${issueId}`}`,
        ),
      );
    expect(await states(toApproval.id)).toEqual([{ state: 'NOT_SENT', last_error: expect.stringContaining('SMS_GATEWAY_URL') }]);
    expect(await states(toTax.id)).toEqual([{ state: 'NOT_SENT', last_error: expect.stringContaining('no phone number set') }]);

    expect(linesOf(await eventOf(toApproval.id))).toEqual([
      expect.objectContaining({
        msg: `短信未发送 / SMS not sent to ${masked}: SMS_GATEWAY_URL not set / 未配置短信网关`,
        phone: masked,
        state: 'NOT_SENT',
        reason: 'SMS_GATEWAY_URL not set / 未配置短信网关',
      }),
    ]);
    expect(linesOf(await eventOf(toTax.id))).toEqual([
      expect.objectContaining({
        msg: `短信未发送 / SMS not sent to UNIT:${unit('TAXATION_BUREAU')}: no phone number set (notice settings) / 未设置手机号`,
        recipient: `UNIT:${unit('TAXATION_BUREAU')}`,
        phone: null,
        state: 'NOT_SENT',
        reason: 'no phone number set (notice settings) / 未设置手机号',
      }),
    ]);

    // With the gateway: sent, and logged masked as well.
    const sms = await receiver();
    try {
      const sent = await appealAt(t, 'ASSIGNED', { unitCode: 'ADMINISTRATIVE_APPROVAL_BUREAU', staff: callers.approvalStaff });
      await drain(worker({ sms: { ...outboxEnv.sms, url: sms.url('/send') } }, logged));
      expect(sms.received.some((r) => r.body.includes(phone))).toBe(true);
      expect(linesOf(await eventOf(sent.id))).toEqual([
        expect.objectContaining({ msg: `短信已发送 / SMS sent to ${masked}`, phone: masked, state: 'DELIVERED' }),
      ]);
    } finally {
      await sms.close();
    }

    // The platform's own lines (the settings' request among them) and the workers': the number never in full.
    expect(logLines.length).toBeGreaterThan(3);
    for (const line of logLines) expect(line).not.toContain(phone);
    expect(logLines.filter((line) => line.includes(masked)).length).toBe(2);
  });
});

/** A SYSTEM webhook registered by the command office for ISSUE_FEEDBACK, and `n` such events emitted on `records`. */
async function systemHook(url: string, system: string) {
  const response = await t.query(REGISTER, { as: callers.office, variables: { input: { url, eventTypes: ['ISSUE_FEEDBACK'], system } } });
  expect(response.errors).toBeUndefined();
  return response.data.registerIssueWebhook as { id: string; secret: string };
}

async function emitMany(n: number, records: (i: number) => string) {
  await db.transaction(async (tx) => {
    for (let i = 0; i < n; i++)
      await emit(
        tx,
        issueOutbox,
        { type: 'ISSUE_FEEDBACK', recordKey: records(i), audience: [], payload: { i }, title: '反馈', body: `#${i}` },
        clock.now(),
      );
  });
}

describe('failures: 500, timeouts, redirects, the retry window, replay', () => {
  it('a receiver answering 500 is retried with backoff, dead-lettered after 24 hours, and a replay delivers the same event id', async () => {
    const hook = await receiver();
    try {
      const system = `hotline-500-${process.pid}`;
      const webhook = await systemHook(hook.url(), system);
      hook.answer((_req, res) => ((res.statusCode = 500), res.end()));
      await emitMany(1, () => `rec:500:${process.pid}`);
      const w = worker();
      await drain(w);
      expect(hook.received.length).toBe(1);
      await drain(w);
      expect(hook.received.length, 'not retried before its backoff').toBe(1);
      clock.advance(61_000);
      await drain(w);
      expect(hook.received.length, 'retried after its backoff').toBe(2);
      for (let i = 0; i < 40 && (await count('outbox_deliveries', `webhook_id = '${webhook.id}' and state = 'PENDING'`)) > 0; i++) {
        clock.advance(HOUR);
        await drain(w);
      }
      expect(await count('outbox_deliveries', `webhook_id = '${webhook.id}' and state = 'DEAD'`)).toBe(1);
      const ids = new Set(hook.events().map((event) => event.id));
      expect(ids.size).toBe(1);

      const letters = await t.query(
        `query Q($s: String) { issueWebhookDeadLetters(system: $s) { id eventId eventType state attempts lastStatus } }`,
        {
          as: callers.office,
          variables: { s: system },
        },
      );
      const [letter] = letters.data.issueWebhookDeadLetters;
      expect(letter).toMatchObject({ eventType: 'ISSUE_FEEDBACK', state: 'DEAD', lastStatus: 500 });
      const someoneElse = await t.query(`query { issueWebhookDeadLetters { id } }`, { as: callers.marketAdmin });
      expect(someoneElse.data.issueWebhookDeadLetters.some((row: { id: string }) => row.id === letter.id)).toBe(false);

      hook.answer((_req, res) => res.end('ok'));
      const replayed = await t.querySubgraph(
        'issues',
        `mutation M($id: ID!, $s: String) { replayIssueWebhookDelivery(id: $id, system: $s) { state } }`,
        {
          as: callers.office,
          variables: { id: letter.id, s: system },
        },
      );
      expect(replayed.data.replayIssueWebhookDelivery.state).toBe('PENDING');
      await drain(w);
      expect(await count('outbox_deliveries', `id = '${letter.id}' and state = 'DELIVERED'`)).toBe(1);
      expect(hook.events().at(-1)?.id).toBe(letter.eventId);
    } finally {
      await hook.close();
    }
  });

  it('a receiver that times out is retried; one redirecting to another host is never followed; one on the same host is', async () => {
    const hook = await receiver();
    const elsewhere = await receiver();
    try {
      const system = `hotline-redirect-${process.pid}`;
      await systemHook(hook.url('/start'), system);
      hook.answer((req, res) => {
        if (req.url === '/start') {
          res.writeHead(307, { location: hook.url('/same-host') });
          res.end();
        } else if (req.url === '/same-host') {
          // localhost is another host than 127.0.0.1, as a receiver sees it.
          res.writeHead(302, { location: `http://localhost:${elsewhere.port}/stolen` });
          res.end();
        }
      });
      await emitMany(1, () => `rec:redirect:${process.pid}`);
      await drain(worker());
      expect(hook.received.map((r) => r.path)).toEqual(['/start', '/same-host']);
      expect(elsewhere.received).toEqual([]);
      const [row] = rowsOf<{ state: string; last_error: string }>(
        await db.execute(sql`select state, last_error from issues.outbox_deliveries where record_key = ${`rec:redirect:${process.pid}`}`),
      );
      expect(row).toMatchObject({ state: 'PENDING', last_error: expect.stringContaining('another host') });

      // Now it hangs: the attempt times out (WEBHOOK_TIMEOUT_MS) and stays pending for a retry.
      hook.answer(() => {});
      clock.advance(HOUR);
      await drain(worker());
      const [late] = rowsOf<{ state: string; last_error: string; attempts: number }>(
        await db.execute(
          sql`select state, last_error, attempts from issues.outbox_deliveries where record_key = ${`rec:redirect:${process.pid}`}`,
        ),
      );
      expect(late).toMatchObject({ state: 'PENDING', attempts: 2, last_error: expect.stringContaining('timed out') });
    } finally {
      await hook.close();
      await elsewhere.close();
    }
  });
});

describe('workers: killed mid-delivery, two at once, order per record', () => {
  it('a worker killed mid-delivery: the next one delivers the same event id once the lease runs out', async () => {
    const hook = await receiver();
    try {
      await systemHook(hook.url(), `killed-${process.pid}`);
      let arrived: () => void = () => {};
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      hook.answer(() => arrived()); // holds the request: no answer
      await emitMany(1, () => `rec:killed:${process.pid}`);
      const first = worker();
      const round = first.runOnce();
      await reached;
      first.halt();
      await round;
      hook.answer((_req, res) => res.end('ok'));
      const second = worker();
      await drain(second);
      expect(hook.received.length, 'leased: not sent again before the lease runs out').toBe(1);
      clock.advance(5 * 60_000);
      await drain(second);
      const ids = hook.events().map((event) => event.id);
      expect(ids.length).toBe(2);
      expect(ids[0]).toBe(ids[1]);
      expect(await count('outbox_deliveries', `record_key = 'rec:killed:${process.pid}' and state = 'DELIVERED'`)).toBe(1);
    } finally {
      await hook.close();
    }
  });

  it('two workers share 400 events: every one delivered once, none twice, in order per record', async () => {
    const hook = await receiver();
    try {
      await systemHook(hook.url(), `pair-${process.pid}`);
      const records = 40;
      await emitMany(400, (i) => `rec:pair:${process.pid}:${i % records}`);
      const a = worker({ batch: 25 });
      const b = worker({ batch: 25 });
      await Promise.all([drain(a), drain(b), drain(a), drain(b)]);
      await drain(a);
      const mine = hook.events().filter((event) => event.recordKey.startsWith(`rec:pair:${process.pid}:`));
      expect(mine.length).toBe(400);
      expect(new Set(mine.map((event) => event.id)).size).toBe(400);
      for (let r = 0; r < records; r++) {
        const order = mine.filter((event) => event.recordKey === `rec:pair:${process.pid}:${r}`).map((event) => event.payload.i as number);
        expect(order).toEqual([...order].sort((x, y) => x - y));
      }
    } finally {
      await hook.close();
    }
  });
});

describe('webhook URLs in development', () => {
  it('takes an http URL on this machine and delivers to it; outside development it would be refused (test/webhook-urls.e2e.ts)', async () => {
    const hook = await receiver();
    try {
      await systemHook(`http://localhost:${hook.port}/dev`, `dev-http-${process.pid}`);
      await emitMany(1, () => `rec:dev-http:${process.pid}`);
      await drain(worker());
      expect(hook.received.map((r) => r.path)).toEqual(['/dev']);
      expect(await count('outbox_deliveries', `record_key = 'rec:dev-http:${process.pid}' and state = 'DELIVERED'`)).toBe(1);
    } finally {
      await hook.close();
    }
  });
});
