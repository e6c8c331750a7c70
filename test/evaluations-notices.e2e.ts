/**
 * The evaluations slice's notices (issue #25 §3): a poor service review (差评) tells the reviewed
 * unit in the review's transaction (a good one and a refused one nobody); a quarterly report missing
 * at its due date tells the unit expected to file it, once, from the worker's sweep — a unit that
 * filed hears nothing; a poor review's answer and rectification limits at 80% and overdue tell the
 * reviewed unit, once each. Inboxes through the gateway and the subgraph, the duty contact's SMS and
 * the webhooks that asked, each only its own. The platform's worker is off: the test runs one (with
 * the slice's sweep) on the platform's clock.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { loadEnv, type OutboxEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { createOutboxWorker, type OutboxWorker } from '../platform/outbox.ts';
import { slices as registeredSlices } from '../subgraphs/registry.ts';
import { EVALUATION_SMS_BY_DEFAULT } from '../subgraphs/evaluations/notices.ts';
import { evaluationsOutbox } from '../subgraphs/evaluations/store.ts';
import { sweepNotices } from '../subgraphs/evaluations/use-cases/notices.ts';
import { TestClock } from './support/clock.ts';
import { evalCallers as who, evalDocs as docs } from './support/evaluations.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { drain, localReceiver, sweepTwiceAt } from './support/outbox.ts';

const clock = new TestClock('2026-06-22T10:00:00+08:00'); // a Monday
const TAX = unitIdForCode('TAXATION_BUREAU');
const POLICE = unitIdForCode('PUBLIC_SECURITY_BUREAU');
let t: TestPlatform;
let db: Db;
let outboxEnv: OutboxEnv;
let requests = 0;

type Send = 'gateway' | 'subgraph';
async function ok(document: string, as: Caller, variables: Record<string, unknown> = {}, via: Send = 'gateway'): Promise<any> {
  const answer =
    via === 'gateway' ? await t.query(document, { as, variables }) : await t.querySubgraph('evaluations', document, { as, variables });
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data;
}
async function code(document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<string> {
  const answer = await t.query(document, { as, variables });
  return String(answer.errors?.[0]?.extensions?.code ?? 'OK');
}

function worker(smsUrl?: string): OutboxWorker {
  return createOutboxWorker({
    slice: 'evaluations',
    db,
    tables: evaluationsOutbox,
    env: { ...outboxEnv, sms: { ...outboxEnv.sms, url: smsUrl } },
    development: true,
    now: clock.now,
    logger: createLogger({ level: 'silent' }),
    smsByDefault: EVALUATION_SMS_BY_DEFAULT,
    sweep: sweepNotices,
  });
}
const events = async (type: string) =>
  rowsOf<{ record_key: string; audience: { kind: string; id: string }[] }>(
    await db.execute(sql`select record_key, audience from evaluations.outbox_events where type = ${type} order by seq`),
  );

const INBOX = `{ evaluationNotices(first: 100) { id type title recordKey ownerKind readAt } }`;
const inboxOf = async (as: Caller, via: Send = 'gateway') =>
  (await ok(INBOX, as, {}, via)).evaluationNotices as { id: string; type: string; title: string; recordKey: string; ownerKind: string }[];
const review = (unitId: string, level: string) => ({
  clientRequestId: `notice-${++requests}`,
  unitId,
  serviceItem: '发票领用',
  channel: 'WINDOW',
  level,
  comment: '等候时间过长',
});

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false', DIRECTORY_TTL_MS: '0' } });
  db = t.database.handle.forSubgraph('evaluations').db;
  outboxEnv = { ...loadEnv({ DEVELOPMENT_MODE: 'true' }, registeredSlices).outbox, webhookTimeoutMs: 1_000 };
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('a poor service review tells the reviewed unit', () => {
  it('writes its event with the review; a good review and a refused one none; the unit’s inbox and duty contact get it, nobody else', async () => {
    const sms = await localReceiver();
    try {
      await ok(
        `mutation { setEvaluationNoticeSettings(input: { contactName: "值班员", contactPhone: "13900000004" }) { contactPhone } }`,
        who.taxAdmin,
      );
      expect(
        await code(`mutation { setEvaluationNoticeSettings(input: { contactPhone: "13900000005" }) { contactPhone } }`, who.taxStaff),
      ).toBe('FORBIDDEN');
      expect(
        await code(`mutation { setEvaluationNoticeSettings(input: { contactPhone: "13900000005" }) { contactPhone } }`, who.enterprise),
      ).toBe('FORBIDDEN');
      await ok(docs.submitReview, who.firm(1), { input: review(TAX, 'VERY_SATISFIED') });
      // A member of the reviewed unit may not review it: refused, nothing written.
      expect(await code(docs.submitReview, who.taxStaff, { input: review(TAX, 'VERY_UNSATISFIED') })).toBe('FORBIDDEN');
      expect(await events('SERVICE_REVIEW_POOR')).toEqual([]);
      const poor = (await ok(docs.submitReview, who.firm(2), { input: review(TAX, 'UNSATISFIED') }, 'subgraph')).submitServiceReview;
      expect(await events('SERVICE_REVIEW_POOR')).toEqual([{ record_key: `review:${poor.id}`, audience: [{ kind: 'UNIT', id: TAX }] }]);

      await drain(worker(sms.url));
      for (const via of ['gateway', 'subgraph'] as const) {
        expect((await inboxOf(who.taxStaff, via)).map((n) => [n.type, n.recordKey])).toEqual([
          ['SERVICE_REVIEW_POOR', `review:${poor.id}`],
        ]);
        expect(await inboxOf(who.policeStaff, via)).toEqual([]);
        expect(await inboxOf(who.firm(2), via)).toEqual([]);
      }
      expect(sms.json().map((text) => [text.phone, String(text.content).includes('收到差评')])).toEqual([['13900000004', true]]);
    } finally {
      await sms.close();
    }
  });
});

describe('a quarterly report missing at its due date', () => {
  it('tells the unit that filed nothing, once, from the sweep; not the unit that filed, nor before the due time', async () => {
    const police = await localReceiver();
    const tax = await localReceiver();
    try {
      const register = `mutation($input: RegisterEvaluationWebhookInput!) { registerEvaluationWebhook(input: $input) { id secret } }`;
      await ok(register, who.policeAdmin, { input: { url: police.url, eventTypes: ['QUARTERLY_REPORT_MISSING'] } });
      await ok(register, who.taxAdmin, { input: { url: tax.url, eventTypes: ['QUARTERLY_REPORT_MISSING'] } }, 'subgraph');
      expect(await code(register, who.policeStaff, { input: { url: police.url, eventTypes: ['QUARTERLY_REPORT_MISSING'] } })).toBe(
        'FORBIDDEN',
      );
      const task = (unitId: string) => ({
        unitId,
        title: '攻坚：一件事一次办',
        description: '高频事项集成办理',
        dueOn: '2026-12-31',
        milestones: [{ title: '上线运行', dueOn: '2026-09-30' }],
      });
      const create = `mutation($input: CreateTaskInput!) { createTask(input: $input) { id } }`;
      await ok(create, who.policeAdmin, { input: task(POLICE) });
      await ok(create, who.taxAdmin, { input: task(TAX) });
      await ok(`mutation($input: QuarterlyReportInput!) { submitQuarterlyReport(input: $input) { id } }`, who.taxAdmin, {
        input: { quarter: '2026-Q2', content: '二季度攻坚进展' },
      });

      clock.set('2026-07-10T23:00:00+08:00'); // before the due time (24:00 of 07-10)
      await drain(worker());
      expect(await events('QUARTERLY_REPORT_MISSING')).toEqual([]);
      clock.set('2026-07-11T09:00:00+08:00');
      const w = worker();
      await drain(w);
      clock.advance(5 * 60_000);
      await drain(w);
      await drain(worker());
      expect(await events('QUARTERLY_REPORT_MISSING')).toEqual([
        { record_key: `report:${POLICE}:2026-Q2`, audience: [{ kind: 'UNIT', id: POLICE }] },
      ]);
      expect(police.json().map((event) => [event.type, event.payload.quarter])).toEqual([['QUARTERLY_REPORT_MISSING', '2026-Q2']]);
      expect(tax.json()).toEqual([]);
      expect((await inboxOf(who.policeAdmin)).map((n) => n.type)).toEqual(['QUARTERLY_REPORT_MISSING']);
      expect((await inboxOf(who.taxAdmin)).some((n) => n.type === 'QUARTERLY_REPORT_MISSING')).toBe(false);
    } finally {
      await police.close();
      await tax.close();
    }
  });
});

describe('a poor review’s limits at 80% and overdue', () => {
  it('tell the reviewed unit at 80% and when overdue, once each; nobody else, nothing once answered or rectified in time', async () => {
    // A Monday: the answer limit (1 working day) runs to 07-22 00:00, its 80% at 07-21 16:00 (office
    // hours); the rectification (15 working days) to 08-11 00:00, its 80% at 08-05 17:30.
    clock.set('2026-07-20T10:00:00+08:00');
    const submit = async (n: number, level: string) =>
      (await ok(docs.submitReview, who.firm(n), { input: review(TAX, level) })).submitServiceReview.id as string;
    const unanswered = await submit(11, 'UNSATISFIED');
    const answered = await submit(12, 'VERY_UNSATISFIED');
    const rectified = await submit(13, 'UNSATISFIED');
    const limitEvents = async (id: string) =>
      rowsOf<{ type: string; audience: { kind: string; id: string }[]; payload: { limitKind: string } }>(
        await db.execute(
          sql`select type, audience, payload from evaluations.outbox_events where record_key = ${`review:${id}`} and type like 'LIMIT_%' order by seq`,
        ),
      ).map((event) => [event.type, event.payload.limitKind, event.audience.map((owner) => `${owner.kind}:${owner.id}`).join()]);
    const w = worker();
    const sweep = (at: string) => sweepTwiceAt(w, clock, at);

    await sweep('2026-07-21T10:00:00+08:00');
    await ok(docs.answer, who.taxStaff, { id: answered, answer: '已核实，正在整改' });
    await ok(docs.answer, who.taxStaff, { id: rectified, answer: '已核实' });
    await ok(docs.rectify, who.taxStaff, { id: rectified, measures: '增设窗口' });
    for (const id of [unanswered, answered, rectified]) expect(await limitEvents(id), 'before 80%').toEqual([]);

    await sweep('2026-07-21T17:00:00+08:00');
    expect(await limitEvents(unanswered)).toEqual([['LIMIT_WARNING', 'ANSWER', `UNIT:${TAX}`]]);
    await sweep('2026-07-22T09:00:00+08:00');
    expect(await limitEvents(unanswered)).toEqual([
      ['LIMIT_WARNING', 'ANSWER', `UNIT:${TAX}`],
      ['LIMIT_OVERDUE', 'ANSWER', `UNIT:${TAX}`],
    ]);
    expect(await limitEvents(answered), 'answered in time: its rectification still runs').toEqual([]);

    await sweep('2026-08-05T12:00:00+08:00');
    expect(await limitEvents(answered)).toEqual([]);
    await sweep('2026-08-05T18:00:00+08:00');
    await sweep('2026-08-11T09:00:00+08:00');
    await sweep('2026-08-11T10:00:00+08:00');
    expect(await limitEvents(answered)).toEqual([
      ['LIMIT_WARNING', 'RECTIFY', `UNIT:${TAX}`],
      ['LIMIT_OVERDUE', 'RECTIFY', `UNIT:${TAX}`],
    ]);
    expect(await limitEvents(unanswered), 'once each; an unanswered review waits for its answer, not its rectification').toHaveLength(2);
    expect(await limitEvents(rectified), 'answered and rectified in time').toEqual([]);

    for (const via of ['gateway', 'subgraph'] as const) {
      const about = async (as: Caller, id: string) =>
        (await inboxOf(as, via)).filter((n) => n.recordKey === `review:${id}` && n.type.startsWith('LIMIT_')).map((n) => n.type);
      expect(await about(who.taxStaff, unanswered)).toEqual(['LIMIT_OVERDUE', 'LIMIT_WARNING']);
      expect(await about(who.taxAdmin, answered)).toEqual(['LIMIT_OVERDUE', 'LIMIT_WARNING']);
      expect(await about(who.taxStaff, rectified)).toEqual([]);
      expect(await about(who.policeStaff, unanswered), 'another unit').toEqual([]);
      expect(await about(who.firm(11), unanswered), 'the reviewer').toEqual([]);
    }
    const [warning] = (await inboxOf(who.taxStaff)).filter((n) => n.recordKey === `review:${answered}` && n.type === 'LIMIT_WARNING');
    expect(warning).toMatchObject({ ownerKind: 'UNIT', title: '时限预警：差评整改' });
  });
});
