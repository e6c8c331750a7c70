/**
 * 青融通's notices (issue #25 §3): each step that tells someone writes its event in the step's
 * transaction (a refused step writes none, a rolled-back one neither); the enterprise hears of its
 * demand claimed, chosen, dispatched, approved, disbursed and declined, the holder (institution and
 * branch) of a dispatch, a choice and a withdrawal, the regulator of a claim limit at 80% and
 * overdue — each only its own, in its inbox through the gateway and the subgraph, and on the
 * webhooks it registered. The platform's worker is off: the test runs one on the platform's clock.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { rowsOf, type Db } from '../db/client.ts';
import { loadEnv, type OutboxEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { createOutboxWorker, emit, type OutboxWorker } from '../platform/outbox.ts';
import { verifyWebhook, WEBHOOK_HEADERS } from '../platform/webhooks.ts';
import { slices as registeredSlices } from '../subgraphs/registry.ts';
import { FINANCING_SMS_BY_DEFAULT } from '../subgraphs/financing/notices.ts';
import { financingOutbox } from '../subgraphs/financing/store.ts';
import { sweepLimits } from '../subgraphs/financing/use-cases/notices.ts';
import { TestClock } from './support/clock.ts';
import { code, financingWorld, REGULATOR, transports, type Bank, type Firm } from './support/financing.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { drain, localReceiver } from './support/outbox.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00');
let t: TestPlatform;
let db: Db;
let outboxEnv: OutboxEnv;
const world = financingWorld(() => t, 9_100);
const { send, post, claim } = world;
const REGULATOR_UNIT = unitIdForCode('LOCAL_FINANCIAL_REGULATION_BUREAU');

let firm: Firm;
let other: Firm;
let a: Bank;
let b: Bank;

function worker(): OutboxWorker {
  return createOutboxWorker({
    slice: 'financing',
    db,
    tables: financingOutbox,
    env: outboxEnv,
    development: true,
    now: clock.now,
    logger: createLogger({ level: 'silent' }),
    smsByDefault: FINANCING_SMS_BY_DEFAULT,
    sweep: (tx, now) => sweepLimits(tx, now, REGULATOR_UNIT),
  });
}

/** The events written about a demand: [type, audience]. */
async function eventsOf(id: string) {
  return rowsOf<{ type: string; audience: { kind: string; id: string }[] }>(
    await db.execute(sql`select type, audience from financing.outbox_events where record_key = ${`demand:${id}`} order by seq`),
  ).map((row) => [row.type, row.audience.map((owner) => `${owner.kind}:${owner.id}`).sort()]);
}

const INBOX = `query($unread: Boolean) { financingNotices(unreadOnly: $unread, first: 100) { id eventId type title body recordKey ownerKind readAt } }`;
type Notice = { id: string; type: string; recordKey: string; ownerKind: string; readAt: string | null };

async function inboxOf(as: Caller, transport: (typeof transports)[number] = 'gateway'): Promise<Notice[]> {
  const answer = await send(transport, INBOX, { as });
  expect(answer.errors).toBeUndefined();
  return answer.data.financingNotices as Notice[];
}
const about = (notices: Notice[], id: string) => notices.filter((n) => n.recordKey === `demand:${id}`).map((n) => n.type);

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false' } });
  db = t.database.handle.forSubgraph('financing').db;
  outboxEnv = { ...loadEnv({ DEVELOPMENT_MODE: 'true' }, registeredSlices).outbox, webhookTimeoutMs: 1_000 };
  firm = await world.firm();
  other = await world.firm();
  a = await world.bank();
  b = await world.bank();
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('a step and its event are written together', () => {
  it('a claim, an approval and a disbursement each write their event to the enterprise; a refused step and a rolled-back transaction none', async () => {
    clock.set('2026-06-01T10:00:00+08:00');
    const id = await post(firm);
    expect(await eventsOf(id), 'posting and routing tell nobody').toEqual([]);
    await claim(id, a.staff);
    const enterprise = [`ENTERPRISE:${firm.creditCode}`];
    expect(await eventsOf(id)).toEqual([['DEMAND_CLAIMED', enterprise]]);

    // Another institution may not approve (the demand held by another is missing to it): refused, nothing written.
    const refused = await send('gateway', `mutation($id: ID!) { approveFinancing(id: $id, amount: 300000) { status } }`, {
      as: b.staff,
      variables: { id },
    });
    expect(code(refused)).toBe('NOT_FOUND');
    expect(await eventsOf(id)).toHaveLength(1);

    await expect(
      db.transaction(async (tx) => {
        await emit(
          tx,
          financingOutbox,
          { type: 'DEMAND_APPROVED', recordKey: `demand:${id}`, audience: [], payload: {}, title: 't', body: 'b' },
          clock.now(),
        );
        throw new Error('the step fails');
      }),
    ).rejects.toThrow('the step fails');
    expect(await eventsOf(id)).toHaveLength(1);

    const approved = await send('financing subgraph', `mutation($id: ID!) { approveFinancing(id: $id, amount: 300000) { status } }`, {
      as: a.staff,
      variables: { id },
    });
    expect(approved.errors).toBeUndefined();
    const disbursed = await send(
      'gateway',
      `mutation($id: ID!, $input: LoanDisbursementInput!) { recordLoanDisbursement(id: $id, input: $input) { status } }`,
      {
        as: a.staff,
        variables: {
          id,
          input: {
            amount: 300_000,
            disbursedOn: '2026-06-01',
            ratePercent: 3.45,
            termMonths: 12,
            guaranteeMode: 'PURE_CREDIT',
            loanRef: `N-${id.slice(0, 8)}`,
          },
        },
      },
    );
    expect(disbursed.errors).toBeUndefined();
    expect(await eventsOf(id)).toEqual([
      ['DEMAND_CLAIMED', enterprise],
      ['DEMAND_APPROVED', enterprise],
      ['DEMAND_DISBURSED', enterprise],
    ]);
    const [payload] = rowsOf<{ payload: Record<string, unknown>; body: string }>(
      await db.execute(
        sql`select payload, body from financing.outbox_events where record_key = ${`demand:${id}`} and type = 'DEMAND_DISBURSED'`,
      ),
    );
    expect(payload).toMatchObject({ payload: { demandId: id, loanAmount: 300_000 }, body: expect.stringContaining('30 万元') });
  });

  it('a dispatch tells the enterprise and the holder (institution and branch); a withdrawal the holder; a decline and a choice the enterprise', async () => {
    const dispatched = await post(firm);
    const answer = await send(
      'gateway',
      `mutation($id: ID!, $i: ID!, $br: ID) { dispatchFinancingDemand(id: $id, institutionId: $i, branchId: $br) { status } }`,
      {
        as: REGULATOR,
        variables: { id: dispatched, i: b.id, br: b.branch },
      },
    );
    expect(answer.errors).toBeUndefined();
    const withdrawn = await send(
      'gateway',
      `mutation($id: ID!) { withdrawFinancingDemand(id: $id, reason: "已从其他渠道融资") { status } }`,
      {
        as: firm.caller,
        variables: { id: dispatched },
      },
    );
    expect(withdrawn.errors).toBeUndefined();
    expect(await eventsOf(dispatched)).toEqual([
      ['DEMAND_DISPATCHED', [`BRANCH:${b.branch}`, `ENTERPRISE:${firm.creditCode}`, `INSTITUTION:${b.id}`].sort()],
      ['DEMAND_WITHDRAWN', [`BRANCH:${b.branch}`, `INSTITUTION:${b.id}`].sort()],
    ]);

    const declined = await post(other);
    await claim(declined, a.staff);
    const no = await send(
      'gateway',
      `mutation($id: ID!) { declineFinancing(id: $id, reasonCode: POOR_CREDIT, reason: "有欠税记录") { status } }`,
      {
        as: a.staff,
        variables: { id: declined },
      },
    );
    expect(no.errors).toBeUndefined();
    expect((await eventsOf(declined)).map(([type]) => type)).toEqual(['DEMAND_CLAIMED', 'DEMAND_DECLINED']);

    const chosen = await post(other);
    const choice = await send(
      'gateway',
      `mutation($id: ID!, $i: ID!) { chooseFinancialInstitution(id: $id, institutionId: $i) { status } }`,
      {
        as: other.caller,
        variables: { id: chosen, i: a.id },
      },
    );
    expect(choice.errors).toBeUndefined();
    const [type, audience] = ((await eventsOf(chosen)) as [string, string[]][])[0] ?? ['', []];
    expect(type).toBe('DEMAND_CHOSEN');
    expect(audience).toContain(`ENTERPRISE:${other.creditCode}`);
    expect(audience).toContain(`INSTITUTION:${a.id}`);
  });
});

describe('the audience: inboxes and webhooks', () => {
  it('each inbox holds its own notices only, through the gateway and the subgraph; a branch its branch’s; read state per owner', async () => {
    const hookA = await localReceiver('/hook');
    const hookB = await localReceiver('/hook');
    try {
      const register = `mutation($input: RegisterFinancingWebhookInput!) { registerFinancingWebhook(input: $input) { id secret eventTypes } }`;
      const forA = await send('gateway', register, {
        as: a.staff,
        variables: { input: { url: hookA.url, eventTypes: ['DEMAND_DISPATCHED'] } },
      });
      const forB = await send('financing subgraph', register, {
        as: b.staff,
        variables: { input: { url: hookB.url, eventTypes: ['DEMAND_DISPATCHED', 'DEMAND_WITHDRAWN'] } },
      });
      expect(forA.errors).toBeUndefined();
      expect(forB.errors).toBeUndefined();
      // A branch's token, an enterprise and an unknown event type may not register.
      expect(
        code(
          await send('gateway', register, {
            as: b.branchStaff,
            variables: { input: { url: hookB.url, eventTypes: ['DEMAND_DISPATCHED'] } },
          }),
        ),
      ).toBe('FORBIDDEN');
      expect(
        code(
          await send('gateway', register, { as: firm.caller, variables: { input: { url: hookB.url, eventTypes: ['DEMAND_DISPATCHED'] } } }),
        ),
      ).toBe('FORBIDDEN');
      expect(
        code(await send('gateway', register, { as: b.staff, variables: { input: { url: hookB.url, eventTypes: ['ISSUE_ASSIGNED'] } } })),
      ).toBe('BAD_USER_INPUT');

      const id = await post(firm);
      const dispatched = await send(
        'gateway',
        `mutation($id: ID!, $i: ID!, $br: ID) { dispatchFinancingDemand(id: $id, institutionId: $i, branchId: $br) { status } }`,
        {
          as: REGULATOR,
          variables: { id, i: b.id, br: b.branch },
        },
      );
      expect(dispatched.errors).toBeUndefined();
      await drain(worker());

      // Only b's webhook, signed with its secret; a asked for the same type but was not told of b's demand.
      const mine = hookB
        .json<{ id: string; type: string; payload: Record<string, unknown> }>()
        .filter((event) => event.payload.demandId === id);
      expect(mine.map((event) => event.type)).toEqual(['DEMAND_DISPATCHED']);
      expect(
        hookA.json<{ id: string; type: string; payload: Record<string, unknown> }>().some((event) => event.payload.demandId === id),
      ).toBe(false);
      const delivery = hookB.received.find((r) => r.body.includes(id));
      expect(
        verifyWebhook(
          forB.data.registerFinancingWebhook.secret,
          String(delivery?.headers[WEBHOOK_HEADERS.timestamp]),
          delivery?.body ?? '',
          String(delivery?.headers[WEBHOOK_HEADERS.signature]),
        ),
      ).toBe(true);

      for (const transport of transports) {
        expect(about(await inboxOf(firm.caller, transport), id)).toEqual(['DEMAND_DISPATCHED']);
        expect(about(await inboxOf(b.staff, transport), id)).toEqual(['DEMAND_DISPATCHED']);
        expect(about(await inboxOf(b.branchStaff, transport), id)).toEqual(['DEMAND_DISPATCHED']);
        expect(about(await inboxOf(other.caller, transport), id)).toEqual([]);
        expect(about(await inboxOf(a.staff, transport), id)).toEqual([]);
        expect(about(await inboxOf(a.branchStaff, transport), id)).toEqual([]);
      }
      // The institution's token reads the institution's notice, the branch's its branch's.
      expect((await inboxOf(b.staff)).find((n) => n.recordKey === `demand:${id}`)?.ownerKind).toBe('INSTITUTION');
      expect((await inboxOf(b.branchStaff)).find((n) => n.recordKey === `demand:${id}`)?.ownerKind).toBe('BRANCH');
      // The enterprise's earlier demands: its inbox has their steps, newest first.
      expect(about(await inboxOf(firm.caller), (await inboxOf(firm.caller)).at(-1)?.recordKey.slice(7) ?? '')).toContain('DEMAND_CLAIMED');

      const notice = (await inboxOf(firm.caller)).find((n) => n.recordKey === `demand:${id}`);
      const mark = `mutation($ids: [ID!]!) { markFinancingNoticesRead(ids: $ids) { id readAt } }`;
      expect((await send('gateway', mark, { as: other.caller, variables: { ids: [notice?.id] } })).data.markFinancingNoticesRead).toEqual(
        [],
      );
      const read = await send('financing subgraph', mark, { as: firm.caller, variables: { ids: [notice?.id] } });
      expect(read.data.markFinancingNoticesRead[0].readAt).toBeTruthy();
      const unread = await send('gateway', INBOX, { as: firm.caller, variables: { unread: true } });
      expect((unread.data.financingNotices as Notice[]).some((n) => n.id === notice?.id)).toBe(false);
      // The branch's copy is its own: still unread.
      expect((await inboxOf(b.branchStaff)).find((n) => n.recordKey === `demand:${id}`)?.readAt).toBeNull();
      expect(code(await send('gateway', INBOX, { as: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
    } finally {
      await hookA.close();
      await hookB.close();
      await db.execute(sql`update financing.outbox_webhooks set active = false`);
    }
  });

  it('an enterprise that chose inbox only gets no SMS; one without a phone has its SMS recorded NOT_SENT, never dropped', async () => {
    const set = await send(
      'gateway',
      `mutation { setFinancingNoticeSettings(input: { contactPhone: "13900000001", smsEventTypes: [] }) { contactPhone smsEventTypes } }`,
      {
        as: firm.caller,
      },
    );
    expect(set.data.setFinancingNoticeSettings).toEqual({ contactPhone: '13900000001', smsEventTypes: [] });
    const quiet = await post(firm);
    const loud = await post(other);
    for (const id of [quiet, loud]) {
      await claim(id, a.staff);
      const declined = await send(
        'gateway',
        `mutation($id: ID!) { declineFinancing(id: $id, reasonCode: OTHER, reason: "测试") { status } }`,
        {
          as: a.staff,
          variables: { id },
        },
      );
      expect(declined.errors).toBeUndefined();
    }
    await drain(worker());
    const sms = async (id: string) =>
      rowsOf<{ state: string }>(
        await db.execute(sql`select state from financing.outbox_deliveries where channel = 'SMS' and record_key = ${`demand:${id}`}`),
      ).map((row) => row.state);
    expect(await sms(quiet)).toEqual([]);
    expect(await sms(loud)).toEqual(['NOT_SENT']);
  });
});

describe('limits at 80% and overdue', () => {
  it('a claim limit’s warning and lapse reach the regulator’s inbox, once each; nobody else’s', async () => {
    clock.set('2026-06-08T10:00:00+08:00'); // a Monday: the claim limit (2 working days) is due 06-11 00:00
    const id = await post(firm);
    const w = worker();
    await drain(w);
    expect(about(await inboxOf(REGULATOR), id)).toEqual([]);
    clock.set('2026-06-10T20:00:00+08:00');
    await drain(w);
    clock.set('2026-06-11T09:00:00+08:00');
    await drain(w);
    clock.advance(2 * 60_000);
    await drain(w);
    expect(about(await inboxOf(REGULATOR), id)).toEqual(['LIMIT_OVERDUE', 'LIMIT_WARNING']);
    expect(about(await inboxOf(REGULATOR, 'financing subgraph'), id)).toEqual(['LIMIT_OVERDUE', 'LIMIT_WARNING']);
    expect(about(await inboxOf(firm.caller), id)).toEqual([]);
    expect(about(await inboxOf(a.staff), id)).toEqual([]);
    expect((await eventsOf(id)).map(([type]) => type)).toEqual(['LIMIT_WARNING', 'LIMIT_OVERDUE']);
  });

  it('a holder’s contact limit overdue reaches the institution and the branch holding it', async () => {
    clock.set('2026-06-15T10:00:00+08:00'); // a Monday: the contact limit (1 working day) is due 06-17 00:00
    const id = await post(firm);
    await claim(id, a.staff);
    clock.set('2026-06-17T08:00:00+08:00');
    await drain(worker());
    const types = (await eventsOf(id)).filter(([type]) => String(type).startsWith('LIMIT_'));
    expect(types).toContainEqual(['LIMIT_OVERDUE', [`BRANCH:${a.branch}`, `INSTITUTION:${a.id}`].sort()]);
    expect(about(await inboxOf(a.branchStaff), id)).toContain('LIMIT_OVERDUE');
    expect(about(await inboxOf(REGULATOR), id)).toEqual([]);
  });
});
