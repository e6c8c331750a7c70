/**
 * The issues slice's notices along one appeal's loop (issue #25 §3), driven through the real
 * mutations: the unit's feedback and the resolution tell the enterprise that appealed (its inbox and,
 * by default, its phone), its "unsatisfied" rating tells the handling unit (inbox only by default),
 * and time tells the unit of the reopened round's deadline at 80% (inbox) and overdue (inbox and
 * its duty contact's phone) — each once, however many sweeps run and however many workers sweep at
 * once (the once keys). Every event is checked for who receives it and who does not, in the inbox
 * through the gateway and directly against the issues subgraph. The assignment's SMS to the duty
 * contact is test/outbox.e2e.ts's. The platform's worker is off: the test runs workers itself, on the
 * platform's clock, with the slice's own sweep.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { loadEnv, type OutboxEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { createOutboxWorker, type OutboxWorker } from '../platform/outbox.ts';
import { slices as registeredSlices } from '../subgraphs/registry.ts';
import { ISSUE_SMS_BY_DEFAULT } from '../subgraphs/issues/notices.ts';
import { issueOutbox } from '../subgraphs/issues/store.ts';
import { sweepDeadlines } from '../subgraphs/issues/use-cases/notices.ts';
import { MINUTE, TestClock } from './support/clock.ts';
import { appealAt, callers, mutations, reportIssue, unit } from './support/issues.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { drain, localReceiver } from './support/outbox.ts';

const clock = new TestClock('2026-03-02T09:00:00+08:00'); // a Monday
const MARKET = unit('MARKET_REGULATION_BUREAU');
/** callers.enterpriseA's credit code. */
const FIRM = sampleCreditCode('370202', 1);
const UNIT_PHONE = '13900000101';
const FIRM_PHONE = '13900000102';
const OTHER_FIRM_PHONE = '13900000103';
const TAX_PHONE = '13900000104';
let t: TestPlatform;
let db: Db;
let outboxEnv: OutboxEnv;

function worker(smsUrl: string): OutboxWorker {
  return createOutboxWorker({
    slice: 'issues',
    db,
    tables: issueOutbox,
    env: { ...outboxEnv, sms: { ...outboxEnv.sms, url: smsUrl } },
    development: true,
    now: clock.now,
    logger: createLogger({ level: 'silent' }),
    smsByDefault: ISSUE_SMS_BY_DEFAULT,
    sweep: sweepDeadlines,
  });
}

/** The events written about an issue: [type, audience]. */
async function eventsOf(issueId: string) {
  return rowsOf<{ type: string; audience: { kind: string; id: string }[] }>(
    await db.execute(sql`select type, audience from issues.outbox_events where record_key = ${`issue:${issueId}`} order by seq`),
  ).map((row) => [row.type, row.audience.map((owner) => `${owner.kind}:${owner.id}`)]);
}

/** The SMS deliveries of an issue's events: [type, phone, state]. */
async function textsOf(issueId: string) {
  return rowsOf<{ type: string; phone: string; state: string }>(
    await db.execute(sql`select e.type, d.recipient ->> 'phone' as phone, d.state from issues.outbox_deliveries d
      join issues.outbox_events e on e.id = d.event_id
      where d.channel = 'SMS' and d.record_key = ${`issue:${issueId}`} order by e.seq`),
  ).map((row) => [row.type, row.phone, row.state]);
}

type Notice = { id: string; eventId: string; type: string; title: string; body: string; recordKey: string; ownerKind: string };
const INBOX = `{ issueNotices(first: 100) { id eventId type title body recordKey ownerKind readAt } }`;

/** The caller's notices about an issue, read through the gateway and directly against the issues subgraph (the same both ways). */
async function inboxOf(as: Caller, issueId: string): Promise<Notice[]> {
  const answers = [await t.query(INBOX, { as }), await t.querySubgraph('issues', INBOX, { as })];
  for (const answer of answers) expect(answer.errors).toBeUndefined();
  const [viaGateway, direct] = answers.map((answer) =>
    (answer.data.issueNotices as Notice[]).filter((notice) => notice.recordKey === `issue:${issueId}`),
  );
  expect(direct).toEqual(viaGateway);
  return viaGateway ?? [];
}
const typesIn = (notices: Notice[]) => notices.map((notice) => notice.type);

async function setPhone(as: Caller, phone: string) {
  const answer = await t.querySubgraph(
    'issues',
    `mutation($phone: String) { setIssueNoticeSettings(input: { contactName: "值班员", contactPhone: $phone }) { contactPhone } }`,
    { as, variables: { phone } },
  );
  expect(answer.errors).toBeUndefined();
}

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false', DIRECTORY_TTL_MS: '0' } });
  db = t.database.handle.forSubgraph('issues').db;
  outboxEnv = { ...loadEnv({ DEVELOPMENT_MODE: 'true' }, registeredSlices).outbox, webhookTimeoutMs: 1_000 };
  await setPhone(callers.marketAdmin, UNIT_PHONE);
  await setPhone(callers.enterpriseA, FIRM_PHONE);
  await setPhone(callers.enterpriseB, OTHER_FIRM_PHONE);
  await setPhone({ role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU' }, TAX_PHONE);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('an appeal’s loop tells the enterprise and the handling unit, each only its own', () => {
  let issueId: string;
  let reopened: { deadlines: { id: string; stage: string; round: number; dueAt: string; warnAt: string; state: string }[] };

  it('the unit’s feedback and the resolution reach the enterprise that appealed (inbox and SMS), nobody else', async () => {
    const sms = await localReceiver('/send');
    try {
      const issue = await appealAt(t, 'CONTACTED');
      issueId = issue.id;
      await drain(worker(sms.url));
      expect(await inboxOf(callers.enterpriseA, issueId), 'an assignment tells the unit, not the enterprise').toEqual([]);

      expect((await mutations.feedback(t, callers.marketStaff, issueId)).errors).toBeUndefined();
      expect(await eventsOf(issueId)).toEqual([
        ['ISSUE_ASSIGNED', [`UNIT:${MARKET}`]],
        ['ISSUE_FEEDBACK', [`ENTERPRISE:${FIRM}`]],
      ]);
      await drain(worker(sms.url));
      const [feedback] = await inboxOf(callers.enterpriseA, issueId);
      expect(feedback).toMatchObject({ type: 'ISSUE_FEEDBACK', ownerKind: 'ENTERPRISE', title: expect.stringContaining('诉求已初步反馈') });
      expect(feedback?.body).toContain(`受理编号 ${issue.number}`);

      expect((await mutations.resolve(t, callers.marketStaff, issueId)).errors).toBeUndefined();
      await drain(worker(sms.url));
      const notices = await inboxOf(callers.enterpriseA, issueId);
      expect(typesIn(notices)).toEqual(['ISSUE_RESOLVED', 'ISSUE_FEEDBACK']);
      expect(notices[0]?.body).toContain('请登录平台评价');
      // Neither the handling unit nor another enterprise nor another unit reads them.
      expect(typesIn(await inboxOf(callers.marketStaff, issueId))).toEqual(['ISSUE_ASSIGNED']);
      expect(await inboxOf(callers.enterpriseB, issueId)).toEqual([]);
      expect(await inboxOf(callers.taxStaff, issueId)).toEqual([]);

      // By default the enterprise gets both by SMS, at the phone it set; nobody else gets a text about them.
      expect(await textsOf(issueId)).toEqual([
        ['ISSUE_ASSIGNED', UNIT_PHONE, 'DELIVERED'],
        ['ISSUE_FEEDBACK', FIRM_PHONE, 'DELIVERED'],
        ['ISSUE_RESOLVED', FIRM_PHONE, 'DELIVERED'],
      ]);
      const texts = sms.json<{ phone: string; content: string }>().filter((text) => text.content.includes(`受理编号 ${issue.number}`));
      expect(texts.map((text) => [text.phone, text.content.startsWith(outboxEnv.sms.signature)])).toEqual([
        [UNIT_PHONE, true],
        [FIRM_PHONE, true],
        [FIRM_PHONE, true],
      ]);
      expect(texts[1]?.content).toContain('诉求已初步反馈');
      expect(texts[2]?.content).toContain('诉求已办结');
    } finally {
      await sms.close();
    }
  });

  it('an "unsatisfied" rating reaches the handling unit’s inbox (no SMS by default), not the enterprise', async () => {
    const sms = await localReceiver('/send');
    try {
      const rated = await mutations.rate(t, callers.enterpriseA, issueId, 'UNSATISFIED');
      expect(rated.errors).toBeUndefined();
      expect(rated.data.status).toBe('REOPENED');
      reopened = rated.data;
      expect((await eventsOf(issueId)).at(-1)).toEqual(['ISSUE_RATED_UNSATISFIED', [`UNIT:${MARKET}`]]);
      await drain(worker(sms.url));
      const [rating] = await inboxOf(callers.marketStaff, issueId);
      expect(rating).toMatchObject({ type: 'ISSUE_RATED_UNSATISFIED', ownerKind: 'UNIT', title: expect.stringContaining('收到差评') });
      expect(rating?.body).toContain('已重新办理');
      // The unit's admin reads the unit's inbox too; another unit and the enterprise do not.
      expect(typesIn(await inboxOf(callers.marketAdmin, issueId))).toEqual(['ISSUE_RATED_UNSATISFIED', 'ISSUE_ASSIGNED']);
      expect(await inboxOf(callers.taxStaff, issueId)).toEqual([]);
      expect(typesIn(await inboxOf(callers.enterpriseA, issueId))).toEqual(['ISSUE_RESOLVED', 'ISSUE_FEEDBACK']);
      expect(sms.json<{ phone: string; content: string }>()).toEqual([]);
      expect((await textsOf(issueId)).map(([type]) => type)).not.toContain('ISSUE_RATED_UNSATISFIED');
    } finally {
      await sms.close();
    }
  });

  it('the reopened round’s deadline: at 80% a warning, past due an overdue notice, each once however often and by how many it is swept', async () => {
    const sms = await localReceiver('/send');
    try {
      const open = reopened.deadlines.filter((d) => d.state !== 'MET');
      expect(open.map((d) => [d.stage, d.round])).toEqual([['RESOLUTION', 2]]);
      const [deadline] = open;
      if (!deadline) throw new Error('no open deadline');
      const deadlineEvents = async () => (await eventsOf(issueId)).filter(([type]) => String(type).startsWith('DEADLINE_'));

      clock.set(new Date(new Date(deadline.warnAt).getTime() - MINUTE));
      await drain(worker(sms.url));
      expect(await deadlineEvents(), 'nothing before 80%').toEqual([]);

      clock.set(new Date(new Date(deadline.warnAt).getTime() + MINUTE));
      // Two replicas sweep at the same instant, then each again a round later, then a third one.
      const [a, b] = [worker(sms.url), worker(sms.url)];
      await Promise.all([a.runOnce(), b.runOnce()]);
      await drain(a);
      clock.advance(2 * MINUTE);
      await Promise.all([drain(a), drain(b)]);
      await drain(worker(sms.url));
      expect(await deadlineEvents()).toEqual([['DEADLINE_WARNING', [`UNIT:${MARKET}`]]]);
      const [once] = rowsOf<{ once_key: string; n: number }>(
        await db.execute(sql`select once_key, count(*)::int as n from issues.outbox_events
          where record_key = ${`issue:${issueId}`} and type = 'DEADLINE_WARNING' group by once_key`),
      );
      expect(once).toEqual({ once_key: `deadline:${deadline.id}:WARNING`, n: 1 });
      const [warning] = await inboxOf(callers.marketStaff, issueId);
      expect(warning).toMatchObject({ type: 'DEADLINE_WARNING', ownerKind: 'UNIT', title: expect.stringContaining('时限预警') });
      expect(warning?.body).toContain('办理时限已过 80%');
      expect(await inboxOf(callers.taxStaff, issueId)).toEqual([]);
      expect(typesIn(await inboxOf(callers.enterpriseA, issueId))).toEqual(['ISSUE_RESOLVED', 'ISSUE_FEEDBACK']);
      expect(sms.json<{ phone: string; content: string }>(), 'a warning is not sent by SMS by default').toEqual([]);

      clock.set(new Date(new Date(deadline.dueAt).getTime() + MINUTE));
      const [c, d] = [worker(sms.url), worker(sms.url)];
      await Promise.all([c.runOnce(), d.runOnce()]);
      await drain(c);
      clock.advance(2 * MINUTE);
      await Promise.all([drain(c), drain(d)]);
      await drain(worker(sms.url));
      expect(await deadlineEvents()).toEqual([
        ['DEADLINE_WARNING', [`UNIT:${MARKET}`]],
        ['DEADLINE_OVERDUE', [`UNIT:${MARKET}`]],
      ]);
      const unitNotices = await inboxOf(callers.marketStaff, issueId);
      expect(typesIn(unitNotices)).toEqual(['DEADLINE_OVERDUE', 'DEADLINE_WARNING', 'ISSUE_RATED_UNSATISFIED', 'ISSUE_ASSIGNED']);
      expect(unitNotices[0]).toMatchObject({ ownerKind: 'UNIT', title: expect.stringContaining('已超时') });
      expect(await inboxOf(callers.taxStaff, issueId)).toEqual([]);
      expect(typesIn(await inboxOf(callers.enterpriseA, issueId))).toEqual(['ISSUE_RESOLVED', 'ISSUE_FEEDBACK']);
      // The overdue notice goes to the duty contact by SMS, once; the enterprise and other units get none.
      expect(sms.json<{ phone: string; content: string }>().map((text) => [text.phone, text.content.includes('已超时')])).toEqual([
        [UNIT_PHONE, true],
      ]);
      expect((await textsOf(issueId)).filter(([type]) => String(type).startsWith('DEADLINE_'))).toEqual([
        ['DEADLINE_OVERDUE', UNIT_PHONE, 'DELIVERED'],
      ]);
    } finally {
      await sms.close();
    }
  });
});

describe('an enterprise that chose inbox only', () => {
  it('gets its feedback and resolution in the inbox and no SMS, though its phone is set; the choice is kept', async () => {
    const sms = await localReceiver('/send');
    try {
      const chosen = await t.query(
        `mutation { setIssueNoticeSettings(input: { contactPhone: "${OTHER_FIRM_PHONE}", smsEventTypes: [] }) { smsEventTypes } }`,
        {
          as: callers.enterpriseB,
        },
      );
      expect(chosen.data.setIssueNoticeSettings.smsEventTypes).toEqual([]);
      const issue = await appealAt(t, 'RESOLVED', { as: callers.enterpriseB });
      await drain(worker(sms.url));
      expect(typesIn(await inboxOf(callers.enterpriseB, issue.id))).toEqual(['ISSUE_RESOLVED', 'ISSUE_FEEDBACK']);
      expect(await inboxOf(callers.enterpriseA, issue.id)).toEqual([]);
      expect(await textsOf(issue.id)).toEqual([['ISSUE_ASSIGNED', UNIT_PHONE, 'DELIVERED']]);
      expect(sms.json<{ phone: string; content: string }>().map((text) => text.phone)).toEqual([UNIT_PHONE]);
      const kept = await t.querySubgraph('issues', `{ issueNoticeSettings { contactPhone smsEventTypes } }`, { as: callers.enterpriseB });
      expect(kept.data.issueNoticeSettings).toEqual({ contactPhone: OTHER_FIRM_PHONE, smsEventTypes: [] });
    } finally {
      await sms.close();
    }
  });
});

describe('a report nobody’s enterprise raised tells its reporter, as a person', () => {
  // Outside development every token names its issuer (JWT_ISSUER): the observers' tokens here do too.
  const issuer = 'https://idp.qingdao.example';
  const observer: Caller = { role: 'OBSERVER', subject: 'observer-expert-9', issuer };
  const otherObserver: Caller = { role: 'OBSERVER', subject: 'observer-media-9', issuer };
  /** The same subject and role from another identity provider: another person. */
  const impostor: Caller = { role: 'OBSERVER', subject: 'observer-expert-9', issuer: 'https://elsewhere.example' };

  /** An observer's undercover report taken to RESOLVED by the tax bureau: the resolution is for the observer. */
  async function resolvedReport() {
    const reported = await reportIssue(t, observer, { source: 'UNDERCOVER_VISIT', unitId: unit('TAXATION_BUREAU') });
    expect(reported.errors).toBeUndefined();
    const id = reported.data.reportIssue.id as string;
    expect(
      (await mutations.accept(t, callers.office, id, { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 5 })).errors,
    ).toBeUndefined();
    expect((await mutations.assign(t, callers.office, id, unit('TAXATION_BUREAU'))).errors).toBeUndefined();
    return id;
  }

  it('the resolution reaches the observer’s own inbox (gateway and subgraph), not another observer’s nor the unit’s, and no SMS', async () => {
    const sms = await localReceiver('/send');
    try {
      const id = await resolvedReport();
      expect((await mutations.resolve(t, callers.taxStaff, id)).errors).toBeUndefined();
      await drain(worker(sms.url));
      expect(typesIn(await inboxOf(observer, id))).toEqual(['ISSUE_RESOLVED']);
      expect((await inboxOf(observer, id))[0]?.ownerKind).toBe('PERSON');
      expect(await inboxOf(otherObserver, id)).toEqual([]);
      expect(await inboxOf(impostor, id)).toEqual([]);
      expect(typesIn(await inboxOf(callers.taxStaff, id))).toEqual(['ISSUE_ASSIGNED']);
      expect(sms.json<{ phone: string; content: string }>().map((text) => text.phone)).toEqual([TAX_PHONE]);
    } finally {
      await sms.close();
    }
  });

  it('a report kept before issuers were recorded (issuer null) reaches its reporter too, as reading it does (platform/auth.ts isPerson)', async () => {
    const sms = await localReceiver('/send');
    try {
      const id = await resolvedReport();
      await t.database.handle.owner().execute(sql`update issues.issues set reporter_issuer = null where id = ${id}`);
      expect((await t.query(`query($id: ID!) { issue(id: $id) { id } }`, { as: observer, variables: { id } })).data.issue).toEqual({
        id,
      });
      expect((await mutations.resolve(t, callers.taxStaff, id)).errors).toBeUndefined();
      await drain(worker(sms.url));
      expect(typesIn(await inboxOf(observer, id))).toEqual(['ISSUE_RESOLVED']);
      expect(await inboxOf(otherObserver, id)).toEqual([]);
    } finally {
      await sms.close();
    }
  });
});
