/**
 * The policies slice's notices (issue #25 §3): 政策找企业 — an item published tells every eligible
 * enterprise, the same ones its policy_notices rows name, in the publishing transaction — and an
 * application's state changes tell its enterprise (a refused step and a draft tell nobody). The
 * worker carries them to the enterprises' inboxes (through the gateway and the subgraph), by SMS to
 * the enterprises that did not choose inbox only, and to the webhooks that asked — each only its own.
 * An application's review and payment limits, and the answer to each objection to its notice, at 80%
 * and overdue tell its reviewing unit, once each.
 * The platform's worker is off: the test runs one (with the slice's sweep) on the platform's clock.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { loadEnv, type OutboxEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { createOutboxWorker, type OutboxWorker } from '../platform/outbox.ts';
import { slices as registeredSlices } from '../subgraphs/registry.ts';
import { POLICY_SMS_BY_DEFAULT } from '../subgraphs/policies/notices.ts';
import { policiesOutbox } from '../subgraphs/policies/store.ts';
import { sweepLimits } from '../subgraphs/policies/use-cases/notices.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import {
  callers,
  code,
  direct,
  docs,
  firms,
  gateway,
  ok,
  policyInput,
  rdItem,
  registerFirms,
  requestId,
  unit,
} from './support/policies.ts';
import { drain, localReceiver, sweepTwiceAt } from './support/outbox.ts';

const clock = new TestClock('2026-09-01T10:00:00+08:00');
let t: TestPlatform;
let db: Db;
let outboxEnv: OutboxEnv;

function worker(smsUrl?: string): OutboxWorker {
  return createOutboxWorker({
    slice: 'policies',
    db,
    tables: policiesOutbox,
    env: { ...outboxEnv, sms: { ...outboxEnv.sms, url: smsUrl } },
    development: true,
    now: clock.now,
    logger: createLogger({ level: 'silent' }),
    smsByDefault: POLICY_SMS_BY_DEFAULT,
    sweep: sweepLimits,
  });
}

async function eventsAbout(recordKey: string) {
  return rowsOf<{ type: string; audience: { kind: string; id: string }[]; payload: Record<string, unknown> }>(
    await db.execute(sql`select type, audience, payload from policies.outbox_events where record_key = ${recordKey} order by seq`),
  );
}

const INBOX = `query($unread: Boolean) { policyInbox(unreadOnly: $unread, first: 100) { id eventId type title body recordKey ownerKind readAt } }`;
type Notice = { id: string; type: string; title: string; body: string; recordKey: string; ownerKind: string; readAt: string | null };
async function inboxOf(as: Caller, send = gateway(t)): Promise<Notice[]> {
  return (await ok(send, INBOX, as)).policyInbox;
}

let policyId: string;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false', DIRECTORY_TTL_MS: '0' } });
  db = t.database.handle.forSubgraph('policies').db;
  outboxEnv = { ...loadEnv({ DEVELOPMENT_MODE: 'true' }, registeredSlices).outbox, webhookTimeoutMs: 1_000 };
  await registerFirms(t);
  policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('政策找企业: an item published tells every eligible enterprise', () => {
  it('an item of a draft tells nobody; publishing writes one event per item to exactly the enterprises its notices name', async () => {
    const itemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: rdItem })).createPolicyItem.id;
    expect(await eventsAbout(`item:${itemId}`)).toEqual([]);
    // Only the admin publishes: the staff's refusal writes nothing.
    expect(
      await code(gateway(t), docs.publish, callers.scienceStaff, { id: policyId, input: { documentNumber: '青科规〔2026〕31号' } }),
    ).toBe('FORBIDDEN');
    expect(await eventsAbout(`item:${itemId}`)).toEqual([]);
    await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕31号' } });

    const events = await eventsAbout(`item:${itemId}`);
    const noticed = rowsOf<{ code: string }>(
      await db.execute(sql`select enterprise_credit_code as code from policies.policy_notices where item_id = ${itemId} order by 1`),
    ).map((row) => row.code);
    expect(noticed).toContain(firms.hightech.creditCode);
    expect(noticed).not.toContain(firms.startup.creditCode);
    expect(events.every((event) => event.type === 'POLICY_ITEM_PUBLISHED')).toBe(true);
    const audience = events.flatMap((event) => event.audience);
    expect(audience.every((owner) => owner.kind === 'ENTERPRISE')).toBe(true);
    expect(audience.map((owner) => owner.id).sort()).toEqual(noticed);
  });

  it('reaches the eligible enterprise’s inbox (gateway and subgraph) and SMS, not the others; inbox only is kept', async () => {
    const sms = await localReceiver();
    try {
      await ok(
        gateway(t),
        `mutation { setPolicyNoticeSettings(input: { contactPhone: "13900000002" }) { contactPhone } }`,
        callers.hightech,
      );
      const optOut = await ok(
        direct(t),
        `mutation { setPolicyNoticeSettings(input: { contactPhone: "13900000003", smsEventTypes: [] }) { smsEventTypes } }`,
        callers.startup,
      );
      expect(optOut.setPolicyNoticeSettings.smsEventTypes).toEqual([]);
      expect(
        await code(gateway(t), `mutation { setPolicyNoticeSettings(input: { contactPhone: "1" }) { contactPhone } }`, callers.hightech),
      ).toBe('BAD_USER_INPUT');
      const forStartups = (
        await ok(gateway(t), docs.createItem, callers.scienceStaff, {
          policyId,
          input: { ...rdItem, name: '科技型中小企业研发补助', eligibility: { qualifications: ['TECH_SME'] } },
        })
      ).createPolicyItem.id;
      const rd = (
        await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: { ...rdItem, name: '高企研发补助（二）' } })
      ).createPolicyItem.id;
      await drain(worker(sms.url));

      for (const send of [gateway(t), direct(t)]) {
        const hightech = (await inboxOf(callers.hightech, send)).map((n) => n.recordKey);
        expect(hightech).toContain(`item:${rd}`);
        expect(hightech).not.toContain(`item:${forStartups}`);
        const startup = (await inboxOf(callers.startup, send)).map((n) => n.recordKey);
        expect(startup).toContain(`item:${forStartups}`);
        expect(startup).not.toContain(`item:${rd}`);
        expect((await inboxOf(callers.logistics, send)).map((n) => n.recordKey)).not.toContain(`item:${rd}`);
        expect(await inboxOf(callers.scienceStaff, send)).toEqual([]);
      }
      const texts = sms.json();
      expect(texts.some((text) => text.phone === '13900000002' && String(text.content).includes('高企研发补助（二）'))).toBe(true);
      expect(texts.some((text) => text.phone === '13900000003')).toBe(false);
      const startupSms = rowsOf<{ n: number }>(
        await db.execute(
          sql`select count(*)::int as n from policies.outbox_deliveries where channel = 'SMS' and target = ${`ENTERPRISE:${firms.startup.creditCode}`}`,
        ),
      );
      expect(startupSms[0]?.n).toBe(0);
    } finally {
      await sms.close();
    }
  });
});

describe('an application’s state changes tell its enterprise', () => {
  it('each change writes its event; a draft and a refused step none; a department’s webhook gets them, a unit’s that is not the audience none', async () => {
    const system = await localReceiver();
    const unitHook = await localReceiver();
    try {
      const register = `mutation($input: RegisterPolicyWebhookInput!) { registerPolicyWebhook(input: $input) { id secret } }`;
      await ok(gateway(t), register, callers.office, {
        input: { url: system.url, eventTypes: ['APPLICATION_STATUS_CHANGED'], system: `finance-system-${process.pid}` },
      });
      await ok(direct(t), register, callers.scienceAdmin, { input: { url: unitHook.url, eventTypes: ['APPLICATION_STATUS_CHANGED'] } });
      expect(
        await code(gateway(t), register, callers.hightech, { input: { url: unitHook.url, eventTypes: ['POLICY_ITEM_PUBLISHED'] } }),
      ).toBe('FORBIDDEN');

      const itemId = (
        await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: { ...rdItem, name: '高企研发补助（三）' } })
      ).createPolicyItem.id;
      const materials = [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }];
      const input = { clientRequestId: requestId('notice'), itemId, declaredBase: 100_000, materials, asDraft: true };
      const id = (await ok(gateway(t), docs.submit, callers.hightech, { input })).submitApplication.id as string;
      const key = `application:${id}`;
      expect(await eventsAbout(key), 'a draft tells nobody').toEqual([]);
      await ok(gateway(t), docs.submitDraft, callers.hightech, { id });
      await ok(gateway(t), docs.startReview, callers.scienceStaff, { id });
      expect(await code(gateway(t), docs.reject, callers.scienceStaff2, { id, reason: '不符合条件' })).toBe('FORBIDDEN');
      expect((await eventsAbout(key)).map((event) => event.payload.status)).toEqual(['SUBMITTED', 'UNDER_REVIEW']);
      await ok(direct(t), docs.reject, callers.scienceStaff, { id, reason: '研发费用归集不符合要求' });

      const events = await eventsAbout(key);
      expect(events.map((event) => [event.type, event.payload.fromStatus, event.payload.status])).toEqual([
        ['APPLICATION_STATUS_CHANGED', 'DRAFT', 'SUBMITTED'],
        ['APPLICATION_STATUS_CHANGED', 'SUBMITTED', 'UNDER_REVIEW'],
        ['APPLICATION_STATUS_CHANGED', 'UNDER_REVIEW', 'REJECTED'],
      ]);
      for (const event of events) expect(event.audience).toEqual([{ kind: 'ENTERPRISE', id: firms.hightech.creditCode }]);

      await drain(worker());
      const delivered = system.json().filter((event) => event.recordKey === key);
      expect(delivered.map((event) => event.payload.status)).toEqual(['SUBMITTED', 'UNDER_REVIEW', 'REJECTED']);
      expect(system.json().some((event) => event.type === 'POLICY_ITEM_PUBLISHED')).toBe(false);
      expect(unitHook.received).toEqual([]);

      const mine = (await inboxOf(callers.hightech)).filter((n) => n.recordKey === key);
      expect(mine.map((n) => n.type)).toEqual(['APPLICATION_STATUS_CHANGED', 'APPLICATION_STATUS_CHANGED', 'APPLICATION_STATUS_CHANGED']);
      expect((await inboxOf(callers.startup)).some((n) => n.recordKey === key)).toBe(false);
      const read = await ok(gateway(t), `mutation($ids: [ID!]!) { markPolicyInboxRead(ids: $ids) { id readAt } }`, callers.hightech, {
        ids: mine.map((n) => n.id),
      });
      expect(read.markPolicyInboxRead.every((n: { readAt: string | null }) => n.readAt)).toBe(true);
      const unread = (await ok(gateway(t), INBOX, callers.hightech, { unread: true })).policyInbox as { recordKey: string }[];
      expect(unread.some((n) => n.recordKey === key)).toBe(false);
    } finally {
      await system.close();
      await unitHook.close();
    }
  });
});

describe('limits at 80% and overdue', () => {
  it('a review and a payment limit tell the reviewing unit at 80% and when overdue, once each; nobody else, nothing once decided in time', async () => {
    const science = unit('SCIENCE_TECHNOLOGY_BUREAU');
    const tax = unit('TAXATION_BUREAU');
    const short = { ...rdItem, reviewWorkingDays: 2, paymentWorkingDays: 2 };
    const item = async (name: string, reviewingUnitId?: string) =>
      (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: { ...short, name, reviewingUnitId } }))
        .createPolicyItem.id as string;
    const apply = async (itemId: string) =>
      (
        await ok(gateway(t), docs.submit, callers.hightech, {
          input: {
            clientRequestId: requestId('limit'),
            itemId,
            declaredBase: 100_000,
            materials: [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }],
          },
        })
      ).submitApplication.id as string;
    const limitEvents = async (id: string) =>
      (await eventsAbout(`application:${id}`))
        .filter((event) => event.type.startsWith('LIMIT_'))
        .map((event) => [event.type, event.payload.limitKind, event.audience.map((owner) => `${owner.kind}:${owner.id}`).join()]);
    const about = async (as: Caller, id: string) =>
      (await inboxOf(as)).filter((n) => n.recordKey === `application:${id}` && n.type.startsWith('LIMIT_')).map((n) => n.type);

    // A Monday: a 2-working-day review limit runs to 09-10 00:00, its 80% at 09-09 14:30 (office hours).
    clock.set('2026-09-07T10:00:00+08:00');
    const late = await apply(await item('研发补助（时限·审核）'));
    const refused = await apply(await item('研发补助（时限·按时不予通过）'));
    const paid = await apply(await item('研发补助（时限·兑现）', tax));
    const w = worker();
    const sweep = (at: string) => sweepTwiceAt(w, clock, at);

    // Decided in time: refused, and approved (its payment limit, 2 working days, runs to 09-11 00:00, 80% at 09-10 14:30).
    clock.set('2026-09-08T10:00:00+08:00');
    await ok(gateway(t), docs.reject, callers.scienceStaff, { id: refused, reason: '研发费用归集不符合要求' });
    await ok(gateway(t), docs.approve, callers.taxStaff, { id: paid });

    await sweep('2026-09-09T12:00:00+08:00');
    for (const id of [late, refused, paid]) expect(await limitEvents(id), 'before 80%').toEqual([]);

    await sweep('2026-09-09T16:00:00+08:00');
    expect(await limitEvents(late)).toEqual([['LIMIT_WARNING', 'REVIEW', `UNIT:${science}`]]);
    expect(await about(callers.scienceStaff, late)).toEqual(['LIMIT_WARNING']);
    expect(await about(callers.taxStaff, late), 'another unit').toEqual([]);

    await sweep('2026-09-10T09:00:00+08:00');
    await sweep('2026-09-10T16:00:00+08:00');
    await sweep('2026-09-11T09:00:00+08:00');
    await sweep('2026-09-11T10:00:00+08:00');

    expect(await limitEvents(late)).toEqual([
      ['LIMIT_WARNING', 'REVIEW', `UNIT:${science}`],
      ['LIMIT_OVERDUE', 'REVIEW', `UNIT:${science}`],
    ]);
    expect(await limitEvents(refused), 'refused in time').toEqual([]);
    expect(await limitEvents(paid), 'approved in time: only its payment limit').toEqual([
      ['LIMIT_WARNING', 'PAYMENT', `UNIT:${tax}`],
      ['LIMIT_OVERDUE', 'PAYMENT', `UNIT:${tax}`],
    ]);

    // Each in its own unit's inbox, through the gateway and the subgraph; nobody else's.
    for (const send of [gateway(t), direct(t)]) {
      const inbox = async (as: Caller, id: string) =>
        (await inboxOf(as, send)).filter((n) => n.recordKey === `application:${id}` && n.type.startsWith('LIMIT_')).map((n) => n.type);
      expect(await inbox(callers.scienceStaff, late)).toEqual(['LIMIT_OVERDUE', 'LIMIT_WARNING']);
      expect(await inbox(callers.taxStaff, paid)).toEqual(['LIMIT_OVERDUE', 'LIMIT_WARNING']);
      expect(await inbox(callers.scienceStaff, paid)).toEqual([]);
      expect(await inbox(callers.taxStaff, late)).toEqual([]);
      expect(await inbox(callers.laoshanStaff, late)).toEqual([]);
      expect(await inbox(callers.hightech, late), 'the enterprise hears of its state, not of the unit’s limits').toEqual([]);
    }
    const [warning] = (await inboxOf(callers.taxStaff)).filter((n) => n.recordKey === `application:${paid}` && n.type === 'LIMIT_WARNING');
    expect(warning).toMatchObject({ ownerKind: 'UNIT', title: '时限预警：政策申报兑现' });
    expect(warning?.body).toContain('已过 80%，将于 2026/9/11 00:00:00 到期');
  });

  it('an objection left unanswered tells the reviewing unit at 80% of its time and when the notice ends, once each; answered or marked in time, nothing', async () => {
    const science = unit('SCIENCE_TECHNOLOGY_BUREAU');
    const itemId = (
      await ok(gateway(t), docs.createItem, callers.scienceStaff, {
        policyId,
        input: { ...rdItem, name: '研发补助（时限·异议答复）', paymentWorkingDays: 20 },
      })
    ).createPolicyItem.id as string;
    // A Monday: on notice until Friday 09-18 (due 09-19 00:00).
    clock.set('2026-09-14T09:00:00+08:00');
    const id = (
      await ok(gateway(t), docs.submit, callers.hightech, {
        input: {
          clientRequestId: requestId('objection-limit'),
          itemId,
          declaredBase: 100_000,
          materials: [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }],
        },
      })
    ).submitApplication.id as string;
    await ok(gateway(t), docs.approve, callers.scienceStaff, { id });
    await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id, endsOn: '2026-09-18' });
    // Filed 10:00: 36 office hours to the notice's end, 80% of them at Friday 08:48.
    clock.set('2026-09-14T10:00:00+08:00');
    const object = async (as: Caller, text: string) =>
      (await ok(gateway(t), docs.object, as, { id, input: { text } })).fileObjection.id as string;
    const open = await object(callers.startup, '该企业已于上月迁出本市');
    const answered = await object(callers.logistics, '该企业研发费用归集有误');
    const marked = await object(callers.anonymous, '刷屏');
    clock.set('2026-09-15T10:00:00+08:00');
    await ok(gateway(t), docs.answerObjection, callers.scienceStaff, { id: answered, upheld: false, answer: '经核实，归集无误。' });
    await ok(gateway(t), docs.markObjections, callers.scienceStaff, {
      id,
      input: { objectionIds: [marked], kind: 'ABUSIVE', reason: '无实质内容' },
    });

    const answerEvents = async () =>
      (await eventsAbout(`application:${id}`))
        .filter((event) => event.payload.limitKind === 'OBJECTION_ANSWER')
        .map((event) => [event.type, event.payload.objectionId, event.audience.map((owner) => `${owner.kind}:${owner.id}`).join()]);
    const w = worker();
    const sweep = (at: string) => sweepTwiceAt(w, clock, at);

    await sweep('2026-09-18T08:30:00+08:00');
    expect(await answerEvents(), 'before 80%').toEqual([]);
    await sweep('2026-09-18T09:00:00+08:00');
    expect(await answerEvents()).toEqual([['LIMIT_WARNING', open, `UNIT:${science}`]]);
    await sweep('2026-09-18T16:00:00+08:00');
    await sweep('2026-09-19T01:00:00+08:00');
    await sweep('2026-09-19T09:00:00+08:00');
    expect(await answerEvents(), 'only the open objection, once each').toEqual([
      ['LIMIT_WARNING', open, `UNIT:${science}`],
      ['LIMIT_OVERDUE', open, `UNIT:${science}`],
    ]);

    const about = async (as: Caller) =>
      (await inboxOf(as)).filter((n) => n.recordKey === `application:${id}` && n.title.includes('公示异议答复')).map((n) => n.type);
    expect(await about(callers.scienceStaff)).toEqual(['LIMIT_OVERDUE', 'LIMIT_WARNING']);
    expect(await about(callers.taxStaff), 'another unit').toEqual([]);
    expect(await about(callers.hightech), 'the enterprise').toEqual([]);
    const [overdue] = (await inboxOf(callers.scienceStaff)).filter(
      (n) => n.recordKey === `application:${id}` && n.type === 'LIMIT_OVERDUE' && n.title.includes('公示异议答复'),
    );
    expect(overdue?.body).toContain('公示异议答复时限已于 2026/9/19 00:00:00 届满');
  });
});
