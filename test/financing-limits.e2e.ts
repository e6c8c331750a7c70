/**
 * 青融通's time limits (issue #24) on the platform's working-day calendar, with the platform's clock
 * moved by the test: a hold whose contact or decision limit passes unmet goes back to the pool — the
 * lapsed limit kept and counted against that institution, the step RETURNED recorded —; what is near
 * or past due is listed for the regulator, the command office and the institution whose clock it is;
 * limits cross the National Day holiday; through a year the calendar lacks they are provisional and
 * name it; the regulator changes the days for limits started afterwards only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './support/clock.ts';
import { code, financingWorld, REGULATOR, transports, type Bank, type Firm } from './support/financing.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00');
let t: TestPlatform;
const world = financingWorld(() => t, 8_000);
const { send, post, claim, stored, steps } = world;

let firm: Firm;
let a: Bank;
let b: Bank;

beforeAll(async () => {
  // The clock is moved by the test: the background sweep of lapsed holds is off (test/financing-sweep.e2e.ts
  // tests it), so every return happens on the request that looks — at the instant the test set.
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false' } });
  firm = await world.firm();
  a = await world.bank();
  b = await world.bank();
});
afterAll(async () => {
  await t?.stop();
});

interface Limit {
  kind: string;
  state: string;
  institution: { id: string } | null;
  startsAt: string;
  workingDays: number;
  dueAt: string;
  warnAt: string;
  metAt: string | null;
  endedAt: string | null;
  pendingCalendarYear: number | null;
}

const READ = /* GraphQL */ `
  query Read($id: ID!) {
    financingDemand(id: $id) {
      status
      version
      heldBy
      institution {
        id
      }
      branch {
        id
      }
      currentLimit {
        kind
        state
      }
      limits {
        kind
        state
        institution {
          id
        }
        startsAt
        workingDays
        dueAt
        warnAt
        metAt
        endedAt
        pendingCalendarYear
      }
      events {
        kind
        institution {
          id
        }
      }
    }
  }
`;

async function read(id: string, as: Caller = REGULATOR, transport: (typeof transports)[number] = 'gateway') {
  const answer = await send(transport, READ, { as, variables: { id } });
  expect(answer.errors).toBeUndefined();
  return answer.data.financingDemand as {
    status: string;
    version: number;
    heldBy: string | null;
    institution: { id: string } | null;
    branch: { id: string } | null;
    currentLimit: { kind: string; state: string } | null;
    limits: Limit[];
    events: { kind: string; institution: { id: string } | null }[];
  };
}

const ALERTS = /* GraphQL */ `
  query Alerts($first: Int, $after: String) {
    financingLimitAlerts(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          demand {
            id
          }
          limit {
            kind
            state
            dueAt
            institution {
              id
            }
          }
        }
      }
    }
  }
`;

/** The alerts `as` reads about these demands: [demand, kind, state]. */
async function alertsOf(as: Caller, ids: string[], transport: (typeof transports)[number] = 'gateway') {
  const answer = await send(transport, ALERTS, { as, variables: { first: 100 } });
  expect(answer.errors).toBeUndefined();
  return (answer.data.financingLimitAlerts.edges as { node: { demand: { id: string }; limit: { kind: string; state: string } } }[])
    .filter((edge) => ids.includes(edge.node.demand.id))
    .map((edge) => [ids.indexOf(edge.node.demand.id), edge.node.limit.kind, edge.node.limit.state]);
}

const APPROVE = `mutation($id: ID!) { approveFinancing(id: $id, amount: 300000) { status } }`;
const CONTACT = `mutation($id: ID!) { recordFinancingContact(id: $id, note: "已电话联系") { status } }`;

describe('a hold whose limit passes', () => {
  it('goes back to the pool: the lapsed limit kept against the institution, the step RETURNED, a new claim limit; once only', async () => {
    clock.set('2026-06-01T10:00:00+08:00'); // a Monday: the contact limit (1 working day) is due 06-03 00:00
    const id = await post(firm);
    await claim(id, a.staff);
    const other = await post(firm);
    await claim(other, a.staff);

    clock.set('2026-06-03T09:00:00+08:00');
    // The former holder's own step finds the hold returned first: it no longer holds the demand.
    const late = await send('gateway', APPROVE, { as: a.staff, variables: { id: other } });
    expect(code(late)).toBe('FORBIDDEN');
    expect((await stored(other)).status).toBe('OPEN');

    const returned = await read(id);
    expect(returned).toMatchObject({ status: 'OPEN', heldBy: null, institution: null, branch: null, currentLimit: { kind: 'CLAIM' } });
    expect(returned.limits.map((l) => [l.kind, l.state, l.institution?.id ?? null, l.endedAt])).toEqual([
      ['CLAIM', 'MET', null, null],
      ['CONTACT', 'LAPSED', a.id, '2026-06-03T09:00:00+08:00'],
      ['DECISION', 'CANCELLED', a.id, '2026-06-03T09:00:00+08:00'],
      ['CLAIM', 'RUNNING', null, null],
    ]);
    expect(returned.limits[3]).toMatchObject({ startsAt: '2026-06-03T09:00:00+08:00', workingDays: 2, dueAt: '2026-06-06T00:00:00+08:00' });
    expect(returned.events.map((e) => [e.kind, e.institution?.id ?? null]).slice(-2)).toEqual([
      ['CLAIMED', a.id],
      ['RETURNED', a.id],
    ]);
    expect((await steps(id)).at(-1)).toMatchObject({
      kind: 'RETURNED',
      institution_id: a.id,
      branch_id: a.branch,
      actor_role: 'SYSTEM',
      data: { limitKind: 'CONTACT' },
    });

    // Many at once, through both doors (as replicas would): one RETURNED.
    const third = await post(firm);
    clock.set('2026-06-03T09:00:00+08:00');
    await claim(third, b.staff);
    clock.set('2026-06-05T09:00:00+08:00'); // its contact limit was due 06-05 00:00
    const racing = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        i % 3 === 0
          ? send(i % 2 ? 'gateway' : 'financing subgraph', `{ financingDemands(first: 1) { totalCount } }`, { as: REGULATOR })
          : send(i % 2 ? 'gateway' : 'financing subgraph', READ, { as: REGULATOR, variables: { id: third } }),
      ),
    );
    for (const answer of racing) expect(answer.errors).toBeUndefined();
    expect((await stored(third)).events.filter((kind) => kind === 'RETURNED')).toHaveLength(1);
    expect((await stored(third)).status).toBe('OPEN');

    // Idempotent: reads, lists and alerts afterwards return nothing twice.
    const after = await stored(id);
    await send('gateway', `{ financingDemands(first: 5) { totalCount } }`, { as: REGULATOR });
    await send('financing subgraph', ALERTS, { as: REGULATOR, variables: { first: 5 } });
    await read(id, a.staff, 'financing subgraph');
    expect(await stored(id)).toEqual(after);
    expect(after.events.filter((kind) => kind === 'RETURNED')).toHaveLength(1);

    // The pool's institutions may claim it anew; the lapse stays on the record.
    expect(code(await send('gateway', CONTACT, { as: a.staff, variables: { id } }))).toBe('FORBIDDEN');
    await claim(id, b.staff);
    const reclaimed = await read(id);
    expect(reclaimed.limits.map((l) => [l.kind, l.state, l.institution?.id ?? null])).toEqual([
      ['CLAIM', 'MET', null],
      ['CONTACT', 'LAPSED', a.id],
      ['DECISION', 'CANCELLED', a.id],
      ['CLAIM', 'MET', null],
      ['CONTACT', 'RUNNING', b.id],
      ['DECISION', 'RUNNING', b.id],
    ]);
  });

  it('keeps the hold when its limits are met in time: contact within a day, a decision within ten', async () => {
    clock.set('2026-06-08T10:00:00+08:00');
    const id = await post(firm);
    await claim(id, a.staff);
    clock.set('2026-06-08T17:00:00+08:00');
    expect((await send('gateway', CONTACT, { as: a.staff, variables: { id } })).errors).toBeUndefined();
    clock.set('2026-06-12T10:00:00+08:00'); // past the contact limit's due time, which was met
    const held = await read(id);
    expect(held).toMatchObject({ status: 'CONTACTED', institution: { id: a.id }, currentLimit: { kind: 'DECISION', state: 'RUNNING' } });
    // The decision limit: 10 working days from 06-08 — 06-19 (端午) is off — so the last is 06-23.
    expect(held.limits.find((l) => l.kind === 'DECISION')?.dueAt).toBe('2026-06-24T00:00:00+08:00');
  });
});

describe.each(transports)('limit alerts, %s', (transport) => {
  it('lists what is near or past due, earliest first, to the regulator, the command office and the clock’s own institution and branch', async () => {
    clock.set('2026-07-06T10:00:00+08:00'); // a Monday
    const open = await post(firm);
    const held = await post(firm);
    await claim(held, a.staff);
    const ids = [open, held];

    // The contact limit (1 working day) warns at 80% of it: 16:00 on 07-07. The claim limit (2) warns at 14:30 on 07-08.
    clock.set('2026-07-07T15:59:00+08:00');
    expect(await alertsOf(REGULATOR, ids, transport)).toEqual([]);
    clock.set('2026-07-07T16:30:00+08:00');
    const contactWarns = [[1, 'CONTACT', 'WARNING']];
    for (const caller of [REGULATOR, 'COMMAND_OFFICE', a.staff, a.branchStaff] as Caller[]) {
      expect(await alertsOf(caller, ids, transport)).toEqual(contactWarns);
    }
    for (const caller of [b.staff, b.branchStaff] as Caller[]) expect(await alertsOf(caller, ids, transport)).toEqual([]);
    for (const [caller, expected] of [
      [firm.caller, 'FORBIDDEN'],
      [{ role: 'UNIT_STAFF', unit: 'TAX_BUREAU' }, 'FORBIDDEN'],
      ['OBSERVER', 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(code(await send(transport, ALERTS, { as: caller, variables: { first: 5 } }))).toBe(expected);
    }

    // Past the contact limit the hold is returned before the list is read; the claim limit of the other warns.
    clock.set('2026-07-08T15:00:00+08:00');
    expect(await alertsOf(REGULATOR, ids, transport)).toEqual([[0, 'CLAIM', 'WARNING']]);
    expect(await alertsOf(a.staff, ids, transport)).toEqual([]);
    expect((await read(held)).status).toBe('OPEN');

    // Past the claim limit the demand waits for the regulator's dispatch, and may still be claimed until then: met late.
    clock.set('2026-07-09T08:00:00+08:00');
    expect(await alertsOf(REGULATOR, ids, transport)).toEqual([[0, 'CLAIM', 'OVERDUE']]);
    const awaiting = await send(
      transport,
      `{ financingDemands(filter: { awaitingDispatch: true }, first: 100) { edges { node { id } } } }`,
      {
        as: REGULATOR,
      },
    );
    expect(awaiting.data.financingDemands.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(open);
    await claim(open, b.staff);
    expect((await read(open)).limits[0]).toMatchObject({ kind: 'CLAIM', state: 'MET_LATE' });

    // Pages of one, earliest due first, are the whole list.
    const whole = await send(transport, ALERTS, { as: REGULATOR, variables: { first: 100 } });
    const all = whole.data.financingLimitAlerts;
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof send>> = await send(transport, ALERTS, { as: REGULATOR, variables: { first: 1, after } });
      const connection = page.data.financingLimitAlerts;
      paged.push(...connection.edges.map((e: { node: { limit: { dueAt: string } } }) => e.node.limit.dueAt));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    const dues = all.edges.map((e: { node: { limit: { dueAt: string } } }) => e.node.limit.dueAt);
    expect(paged).toEqual(dues);
    expect(all.totalCount).toBe(dues.length);
    expect([...dues].sort((x, y) => Date.parse(x) - Date.parse(y))).toEqual(dues);
  });
});

describe('limits on the working-day calendar', () => {
  it('cross the National Day holiday: posted and claimed the working day before 10-01, every limit falls after 10-07', async () => {
    clock.set('2026-09-30T10:00:00+08:00'); // Wednesday; 10-01 … 10-07 are off, Saturday 10-10 is a working day
    const id = await post(firm);
    expect((await read(id)).limits).toEqual([
      expect.objectContaining({
        kind: 'CLAIM',
        state: 'RUNNING',
        startsAt: '2026-09-30T10:00:00+08:00',
        workingDays: 2,
        // 10-08 and 10-09: due at the end of 10-09; 80% of two working days' office hours is 14:30 on 10-09.
        dueAt: '2026-10-10T00:00:00+08:00',
        warnAt: '2026-10-09T14:30:00+08:00',
        pendingCalendarYear: null,
      }),
    ]);
    clock.set('2026-09-30T11:00:00+08:00');
    await claim(id, a.staff);
    const held = await read(id);
    expect(held.limits.slice(1).map((l) => [l.kind, l.workingDays, l.dueAt, l.warnAt])).toEqual([
      ['CONTACT', 1, '2026-10-09T00:00:00+08:00', '2026-10-08T16:00:00+08:00'],
      // 10-08, 10-09, 10-10, 10-12 … 10-16, 10-19, 10-20: the tenth is 10-20; the eighth closes at 17:30 on 10-16.
      ['DECISION', 10, '2026-10-21T00:00:00+08:00', '2026-10-16T17:30:00+08:00'],
    ]);
    // On the holiday nothing warns yet, and the hold stays.
    clock.set('2026-10-07T12:00:00+08:00');
    expect(await alertsOf(a.staff, [id])).toEqual([]);
    clock.set('2026-10-08T16:00:00+08:00');
    expect(await alertsOf(a.staff, [id])).toEqual([[0, 'CONTACT', 'WARNING']]);
    expect((await read(id)).status).toBe('CLAIMED');
  });

  it('through a year the calendar lacks (2027), a limit is provisional and names the year', async () => {
    clock.set('2027-03-10T10:00:00+08:00'); // a Wednesday
    const id = await post(firm);
    expect((await read(id)).limits[0]).toMatchObject({
      kind: 'CLAIM',
      workingDays: 2,
      dueAt: '2027-03-13T00:00:00+08:00',
      pendingCalendarYear: 2027,
    });
  });
});

describe('setting the limits', () => {
  const SET = `mutation($input: FinancingLimitsInput!) { setFinancingLimits(input: $input) { claimWorkingDays contactWorkingDays decisionWorkingDays since } }`;
  const IN_FORCE = `{ financingLimits { claimWorkingDays contactWorkingDays decisionWorkingDays } }`;
  const days = (claimWorkingDays: number, contactWorkingDays: number, decisionWorkingDays: number) => ({
    claimWorkingDays,
    contactWorkingDays,
    decisionWorkingDays,
  });

  it('the regulator only, 1–30 working days each; limits started afterwards use them, running ones keep theirs', async () => {
    clock.set('2027-03-31T10:00:00+08:00');
    const before = await post(firm);
    for (const transport of transports) {
      expect((await send(transport, IN_FORCE)).data.financingLimits).toEqual(days(2, 1, 10));
      for (const [caller, expected] of [
        [a.staff, 'FORBIDDEN'],
        [a.branchStaff, 'FORBIDDEN'],
        ['COMMAND_OFFICE', 'FORBIDDEN'],
        [{ role: 'UNIT_STAFF', unit: 'TAX_BUREAU' }, 'FORBIDDEN'],
        [firm.caller, 'FORBIDDEN'],
        ['ANONYMOUS', 'UNAUTHENTICATED'],
      ] as [Caller, string][]) {
        expect(code(await send(transport, SET, { as: caller, variables: { input: days(5, 2, 15) } }))).toBe(expected);
      }
      for (const [input, field] of [
        [days(0, 1, 10), 'input.claimWorkingDays'],
        [days(2, 31, 10), 'input.contactWorkingDays'],
        [days(2, 1, -1), 'input.decisionWorkingDays'],
      ] as const) {
        const refused = await send(transport, SET, { as: REGULATOR, variables: { input } });
        expect(code(refused)).toBe('BAD_USER_INPUT');
        expect(refused.errors?.[0]?.extensions?.field).toBe(field);
      }
      expect((await send(transport, IN_FORCE)).data.financingLimits).toEqual(days(2, 1, 10));
    }

    clock.set('2027-04-01T09:00:00+08:00');
    const set = await send('gateway', SET, {
      as: { role: 'UNIT_ADMIN', unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' },
      variables: { input: days(5, 2, 15) },
    });
    expect(set.errors).toBeUndefined();
    expect(set.data.setFinancingLimits).toEqual({ ...days(5, 2, 15), since: '2027-04-01T09:00:00+08:00' });
    expect((await send('financing subgraph', IN_FORCE, { as: 'ANONYMOUS' })).data.financingLimits).toEqual(days(5, 2, 15));

    clock.set('2027-04-01T10:00:00+08:00');
    const after = await post(firm);
    expect((await read(after)).limits[0]).toMatchObject({ kind: 'CLAIM', workingDays: 5 });
    // The demand posted before keeps its claim limit; the holder's limits it starts now are the new ones.
    await claim(before, a.staff);
    expect((await read(before)).limits.map((l) => [l.kind, l.workingDays])).toEqual([
      ['CLAIM', 2],
      ['CONTACT', 2],
      ['DECISION', 15],
    ]);
  });
});
