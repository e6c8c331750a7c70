/**
 * 局长进大厅 (issue #26 §2), on real PostgreSQL, through the gateway and directly against the issues
 * subgraph: a unit's leaders are records (name and post); the principal of every key domain's lead
 * unit and participating unit serves a day each quarter in a front-line hall; the day is recorded
 * with what was handled and found, and the problems found become DIRECTOR_IN_HALL issues in the
 * same step; the units whose principal has not served are listed per quarter, and reminded a month
 * and a week before the quarter ends, once each — the sweep called directly, then the slice's own
 * worker on a platform of its own, the notice read from a unit's inbox through the gateway. Every
 * role allowed and refused; a refused write changes nothing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { referenceOrganisation, sampleCreditCode } from '../db/reference/organisation.ts';
import { rowsOf } from '../db/client.ts';
import { Directory } from '../platform/directory.ts';
import { hallUnits, sweepHallReminders } from '../subgraphs/issues/use-cases/hall-visits.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors, codeOf } from './support/doors.ts';
import { TestClock } from './support/clock.ts';
import { callers, mutations, requestId, submitAppeal, unit } from './support/issues.ts';

const clock = new TestClock('2026-11-20T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  // The sweep is run by the test, at the times it sets.
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false' } });
});
afterAll(async () => {
  await t?.stop();
});

type Via = 'gateway' | 'issues subgraph';
const office: Caller = 'COMMAND_OFFICE';
const taxAdmin = { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU' } as const satisfies Caller;
const taxStaff = { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU' } as const satisfies Caller;
const commerceStaff = { role: 'UNIT_STAFF', unit: 'COMMERCE_BUREAU' } as const satisfies Caller;
/** 市公安局 is a responsible unit of a domain, not its lead: 局长进大厅 asks nothing of it. */
const policeAdmin = { role: 'UNIT_ADMIN', unit: 'PUBLIC_SECURITY_BUREAU' } as const satisfies Caller;
const enterprise = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370215', 61) } as const satisfies Caller;
const observer = { role: 'OBSERVER', subject: 'observer-expert-1' } as const satisfies Caller;
const TAX = unit('TAXATION_BUREAU');
const COMMERCE = unit('COMMERCE_BUREAU');
const POLICE = unit('PUBLIC_SECURITY_BUREAU');
/** 10 lead and 35 participating units. */
const HALL_UNITS = 45;

const docs = {
  leader: `mutation($input: RecordUnitLeaderInput!) { recordUnitLeader(input: $input) { id name post principal unit { id } } }`,
  leaders: `query($id: ID!) { unitLeaders(unitId: $id) { id name principal } }`,
  visit: `mutation($input: RecordHallVisitInput!) { recordHallVisit(input: $input) { id quarter hall servedOn handled found
    unit { id } leader { id name } issues { id source status title proposedUnit { id } responsibleLeader hallVisit { id } } } }`,
  visits: `query($q: String, $u: ID, $first: Int, $after: String) { hallVisits(quarter: $q, unitId: $u, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id unit { id } servedOn } } } }`,
  duty: `query($q: String) { hallDuty(quarter: $q) { quarter from to expected served notServed { id } } }`,
};

const { send, ok } = doors(() => t, 'issues');
const db = () => t.database.handle.forSubgraph('issues').db;
async function counts() {
  const [row] = rowsOf<{ issues: number; visits: number; leaders: number }>(
    await db().execute(sql`select (select count(*)::int from issues.issues) as issues,
      (select count(*)::int from issues.hall_visits) as visits, (select count(*)::int from issues.unit_leaders) as leaders`),
  );
  return row;
}

const problems = [
  { environment: 'SERVICE', title: '办税大厅叫号系统故障', description: '高峰时段叫号系统停摆，群众排队无序' },
  { environment: 'MARKET', title: '发票领用需重复提交材料', description: '新办企业领用发票须重复提交已登记的材料', districtCode: '370202' },
];
const leaders: Record<string, string> = {};

describe('a unit’s leaders are records, by name and post', () => {
  it('lets the command office and the unit’s own admin record them, once per request', async () => {
    const principal = { clientRequestId: requestId('leader'), unitId: TAX, name: '王局长', post: '局长', principal: true };
    const recorded = (await ok(docs.leader, office, { input: principal })).recordUnitLeader;
    expect(recorded).toMatchObject({ name: '王局长', post: '局长', principal: true, unit: { id: TAX } });
    expect((await ok(docs.leader, office, { input: principal })).recordUnitLeader.id).toBe(recorded.id);
    leaders.tax = recorded.id;
    const deputy = { clientRequestId: requestId('deputy'), unitId: TAX, name: '李副局长', post: '副局长', principal: false };
    leaders.taxDeputy = (await ok(docs.leader, taxAdmin, { input: deputy }, 'issues subgraph')).recordUnitLeader.id;
    const commerce = { clientRequestId: requestId('commerce'), unitId: COMMERCE, name: '赵局长', post: '局长', principal: true };
    leaders.commerce = (await ok(docs.leader, office, { input: commerce })).recordUnitLeader.id;
    const police = { clientRequestId: requestId('police'), unitId: POLICE, name: '钱局长', post: '局长', principal: true };
    leaders.police = (await ok(docs.leader, policeAdmin, { input: police })).recordUnitLeader.id;
    expect((await ok(docs.leaders, taxStaff, { id: TAX })).unitLeaders.map((l: any) => l.name).sort()).toEqual(['李副局长', '王局长']);
  });

  it.each<Via>(['gateway', 'issues subgraph'])('refuses everyone else, changing nothing (%s)', async (via) => {
    const before = await counts();
    const input = () => ({ clientRequestId: requestId('refused'), unitId: TAX, name: '某人', post: '局长', principal: true });
    for (const [as, code] of [
      [taxStaff, 'FORBIDDEN'],
      [commerceStaff, 'FORBIDDEN'],
      [{ role: 'UNIT_ADMIN', unit: 'COMMERCE_BUREAU' }, 'FORBIDDEN'],
      [enterprise, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(codeOf(await send(via, docs.leader, as, { input: input() })), JSON.stringify(as)).toBe(code);
    }
    expect(codeOf(await send(via, docs.leader, office, { input: { ...input(), name: ' ' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await send(via, docs.leaders, commerceStaff, { id: TAX }))).toBe('FORBIDDEN');
    expect(codeOf(await send(via, docs.leaders, enterprise, { id: TAX }))).toBe('FORBIDDEN');
    expect(await counts()).toEqual(before);
  });
});

describe('a principal’s day in a hall', () => {
  let first: any;
  it('turns the problems found into DIRECTOR_IN_HALL issues of the unit, in the same step, once per request', async () => {
    const before = await counts();
    const input = {
      clientRequestId: requestId('hall'),
      leaderId: leaders.tax,
      hall: '市民中心税务大厅',
      servedOn: '2026-11-18',
      handled: '坐席办理新办企业涉税事项 12 件',
      found: '叫号系统、发票领用两处堵点',
      problems,
    };
    first = (await ok(docs.visit, taxStaff, { input })).recordHallVisit;
    expect(first).toMatchObject({
      quarter: '2026-Q4',
      hall: '市民中心税务大厅',
      unit: { id: TAX },
      leader: { id: leaders.tax, name: '王局长' },
    });
    expect(first.issues).toHaveLength(2);
    for (const issue of first.issues) {
      expect(issue).toMatchObject({
        source: 'DIRECTOR_IN_HALL',
        status: 'SUBMITTED',
        proposedUnit: { id: TAX },
        hallVisit: { id: first.id },
      });
      expect(issue.responsibleLeader).toBe('王局长（局长）');
    }
    expect(first.issues.map((i: any) => i.title)).toEqual(problems.map((p) => p.title));
    // A retry returns the first day and adds nothing; the same id for other content is a conflict.
    expect((await ok(docs.visit, taxStaff, { input })).recordHallVisit.id).toBe(first.id);
    expect(codeOf(await t.query(docs.visit, { as: taxStaff, variables: { input: { ...input, hall: '另一大厅' } } }))).toBe('CONFLICT');
    expect(await counts()).toMatchObject({ issues: before!.issues + 2, visits: before!.visits + 1 });
    // The command office records a day for another unit, without problems.
    const other = {
      clientRequestId: requestId('commerce-day'),
      unitId: COMMERCE,
      leaderId: leaders.commerce,
      hall: '市民中心',
      servedOn: '2026-10-09',
      handled: '外贸企业备案咨询',
    };
    expect((await ok(docs.visit, office, { input: other }, 'issues subgraph')).recordHallVisit).toMatchObject({
      quarter: '2026-Q4',
      issues: [],
    });
    // The evidence is kept: a day cannot be rewritten.
    await expect(db().execute(sql`update issues.hall_visits set hall = 'x'`)).rejects.toThrow();
  });

  it.each<Via>(['gateway', 'issues subgraph'])(
    'is refused to everyone else, and to a wrong leader or day, changing nothing (%s)',
    async (via) => {
      const before = await counts();
      const input = (extra: Record<string, unknown> = {}) => ({
        clientRequestId: requestId('refused-day'),
        leaderId: leaders.tax,
        hall: '市民中心',
        servedOn: '2026-11-19',
        handled: '坐班',
        problems,
        ...extra,
      });
      for (const [as, code, extra] of [
        [policeAdmin, 'FORBIDDEN', { leaderId: leaders.police }], // a responsible unit: not asked to serve
        [commerceStaff, 'FORBIDDEN', { unitId: TAX }], // another unit's day
        [enterprise, 'FORBIDDEN', {}],
        [observer, 'FORBIDDEN', {}],
        ['ANONYMOUS', 'UNAUTHENTICATED', {}],
        [taxStaff, 'BAD_USER_INPUT', { leaderId: leaders.taxDeputy }], // not the principal
        [taxStaff, 'BAD_USER_INPUT', { leaderId: leaders.commerce }], // another unit's leader
        [taxStaff, 'BAD_USER_INPUT', { servedOn: '2026-11-21' }], // tomorrow
        [taxStaff, 'BAD_USER_INPUT', { servedOn: '2026-02-30' }],
        [taxStaff, 'BAD_USER_INPUT', { problems: [{ ...problems[0], districtCode: '999999' }] }],
        [office, 'BAD_USER_INPUT', { unitId: POLICE, leaderId: leaders.police }],
      ] as [Caller, string, Record<string, unknown>][]) {
        expect(codeOf(await send(via, docs.visit, as, { input: input(extra) })), JSON.stringify([as, extra])).toBe(code);
      }
      expect(await counts()).toEqual(before);
    },
  );
});

describe('who has not served, where the command office looks', () => {
  it('lists the units whose principal has not served this quarter: the command office every one, a unit its own', async () => {
    const { hallDuty } = await ok(docs.duty, office);
    expect(hallDuty).toMatchObject({ quarter: '2026-Q4', from: '2026-10-01', to: '2026-12-31', expected: HALL_UNITS, served: 2 });
    const missing = hallDuty.notServed.map((u: any) => u.id);
    expect(missing).toHaveLength(HALL_UNITS - 2);
    expect(missing).not.toContain(TAX);
    expect(missing).not.toContain(COMMERCE);
    expect(missing).not.toContain(POLICE);
    expect(missing).toContain(unit('MARKET_REGULATION_BUREAU'));
    expect((await ok(docs.duty, office, { q: '2026-Q3' })).hallDuty).toMatchObject({ served: 0, expected: HALL_UNITS });
    expect((await ok(docs.duty, taxStaff)).hallDuty).toMatchObject({ expected: 1, served: 1, notServed: [] });
    expect((await ok(docs.duty, policeAdmin, {}, 'issues subgraph')).hallDuty).toMatchObject({ expected: 0, served: 0 });
    expect(codeOf(await t.query(docs.duty, { as: office, variables: { q: '2026-Q5' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.query(docs.duty, { as: enterprise }))).toBe('FORBIDDEN');
    expect(codeOf(await t.querySubgraph('issues', docs.duty, { as: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
  });

  it('pages the days newest first; a unit reads its own only', async () => {
    const page1 = (await ok(docs.visits, office, { q: '2026-Q4', first: 1 })).hallVisits;
    expect(page1).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(page1.edges[0].node).toMatchObject({ unit: { id: TAX }, servedOn: '2026-11-18' });
    const page2 = (await ok(docs.visits, office, { q: '2026-Q4', first: 1, after: page1.pageInfo.endCursor })).hallVisits;
    expect(page2.edges.map((e: any) => e.node.unit.id)).toEqual([COMMERCE]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect((await ok(docs.visits, taxStaff)).hallVisits.totalCount).toBe(1);
    expect(codeOf(await t.query(docs.visits, { as: commerceStaff, variables: { u: TAX } }))).toBe('FORBIDDEN');
    expect(codeOf(await t.query(docs.visits, { as: office, variables: { after: 'nonsense' } }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await t.query(docs.visits, { as: observer }))).toBe('FORBIDDEN');
  });

  it('reminds the units that have not served a month and a week before the quarter ends, once each', async () => {
    const units = hallUnits(Directory.of(referenceOrganisation()));
    expect(units).toHaveLength(HALL_UNITS);
    const sweep = (at: string) => db().transaction((tx) => sweepHallReminders(tx, new Date(at), units));
    const reminders = async () =>
      rowsOf<{ once_key: string; audience: { kind: string; id: string }[] }>(
        await db().execute(sql`select once_key, audience from issues.outbox_events where type = 'HALL_DUTY_REMINDER' order by seq`),
      );
    await sweep('2026-11-30T23:59:00+08:00');
    expect(await reminders()).toEqual([]);
    await sweep('2026-12-01T00:00:00+08:00');
    const month = await reminders();
    expect(month).toHaveLength(HALL_UNITS - 2);
    expect(month.every((r) => r.once_key.endsWith(':2026-Q4:MONTH'))).toBe(true);
    expect(month.flatMap((r) => r.audience.map((a) => a.id))).not.toContain(TAX);
    expect(month[0]!.audience).toEqual([{ kind: 'UNIT', id: expect.any(String) }]);
    // Once per unit, quarter and reminder: the sweep runs every minute.
    await sweep('2026-12-10T10:00:00+08:00');
    expect(await reminders()).toHaveLength(HALL_UNITS - 2);
    // A unit that serves meanwhile is not reminded a week before the end.
    clock.set('2026-12-20T09:00:00+08:00');
    const market = { role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' } as const satisfies Caller;
    const leader = (
      await ok(docs.leader, market, {
        input: {
          clientRequestId: requestId('market'),
          unitId: unit('MARKET_REGULATION_BUREAU'),
          name: '孙局长',
          post: '局长',
          principal: true,
        },
      })
    ).recordUnitLeader.id;
    await ok(docs.visit, market, {
      input: {
        clientRequestId: requestId('market-day'),
        leaderId: leader,
        hall: '市民中心',
        servedOn: '2026-12-19',
        handled: '经营主体登记',
      },
    });
    await sweep('2026-12-25T00:00:00+08:00');
    const week = (await reminders()).filter((r) => r.once_key.endsWith(':WEEK'));
    expect(week).toHaveLength(HALL_UNITS - 3);
    expect(week.flatMap((r) => r.audience.map((a) => a.id))).not.toContain(unit('MARKET_REGULATION_BUREAU'));
    await sweep('2026-12-31T23:00:00+08:00');
    expect(await reminders()).toHaveLength(2 * HALL_UNITS - 5);
    // The next quarter starts without reminders until its last month.
    await sweep('2027-01-05T09:00:00+08:00');
    expect(await reminders()).toHaveLength(2 * HALL_UNITS - 5);
  });
});

describe('the reminder a unit reads', () => {
  // The slice's own outbox worker, polling often, on a clock of its own: the sweep runs as it runs
  // in a deployment (once a minute of the platform's clock, the expected units from the directory).
  const own = new TestClock('2026-11-20T09:00:00+08:00');
  let serving: TestPlatform;
  beforeAll(async () => {
    serving = await startTestPlatform({ now: own.now, env: { OUTBOX_POLL_MS: '20' } });
  }, 120_000);
  afterAll(async () => {
    await serving?.stop();
  });

  const INBOX = `{ issueNotices(first: 100) { type title body recordKey ownerKind } }`;
  async function inbox(as: Caller) {
    const response = await serving.query(INBOX, { as });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data.issueNotices as { type: string; title: string; body: string; recordKey: string; ownerKind: string }[];
  }
  const remindersOf = async (as: Caller) => (await inbox(as)).filter((n) => n.type === 'HALL_DUTY_REMINDER');
  async function served(as: Caller, unitId: string, leader: string, servedOn: string) {
    const recorded = await serving.query(docs.leader, {
      as: office,
      variables: { input: { clientRequestId: requestId('own-leader'), unitId, name: leader, post: '局长', principal: true } },
    });
    expect(recorded.errors, JSON.stringify(recorded.errors)).toBeUndefined();
    const day = await serving.query(docs.visit, {
      as,
      variables: {
        input: {
          clientRequestId: requestId('own-day'),
          leaderId: recorded.data.recordUnitLeader.id,
          hall: '市民中心',
          servedOn,
          handled: '坐班',
        },
      },
    });
    expect(day.errors, JSON.stringify(day.errors)).toBeUndefined();
  }

  it('reaches a unit whose principal has not served in the quarter’s last month, once; a unit that served never', async () => {
    await served(taxStaff, TAX, '王局长', '2026-11-18');
    expect(await remindersOf(commerceStaff)).toEqual([]);

    // December: the quarter's last month begins.
    own.set('2026-12-01T09:00:00+08:00');
    await vi.waitFor(async () => expect(await remindersOf(commerceStaff)).toHaveLength(1), { timeout: 20_000, interval: 50 });
    const [month] = await remindersOf(commerceStaff);
    expect(month).toEqual({
      type: 'HALL_DUTY_REMINDER',
      title: '局长进大厅提醒：2026-Q4 尚未值守',
      body: expect.stringContaining('2026/12/31'),
      recordKey: `hall-duty:${COMMERCE}:2026-Q4`,
      ownerKind: 'UNIT',
    });
    expect(month!.body).toContain('在本月内');

    // A later sweep of the same month — seen by the warning it writes for a contact deadline of the
    // commerce bureau, in the same transaction — sends no second reminder, and none to the tax bureau.
    const appeal = await submitAppeal(serving, callers.enterpriseA);
    expect((await mutations.accept(serving, office, appeal.id)).errors).toBeUndefined();
    expect((await mutations.assign(serving, office, appeal.id, COMMERCE)).errors).toBeUndefined();
    own.set('2026-12-02T10:00:00+08:00');
    await vi.waitFor(
      async () => {
        const swept = (await inbox(commerceStaff)).filter((n) => n.recordKey === `issue:${appeal.id}` && n.type.startsWith('DEADLINE_'));
        expect(swept.length).toBeGreaterThan(0);
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(await remindersOf(commerceStaff)).toHaveLength(1);
    expect(await remindersOf(taxStaff)).toEqual([]);
    expect(await remindersOf(taxAdmin)).toEqual([]);

    // A week before the end: the second reminder, once more to those who have still not served.
    await served(commerceStaff, COMMERCE, '赵局长', '2026-12-02');
    const market = { role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' } as const satisfies Caller;
    own.set('2026-12-25T09:00:00+08:00');
    await vi.waitFor(async () => expect(await remindersOf(market)).toHaveLength(2), { timeout: 20_000, interval: 50 });
    expect((await remindersOf(market)).map((n) => n.body)).toEqual([
      expect.stringContaining('在一周内'),
      expect.stringContaining('在本月内'),
    ]);
    expect(await remindersOf(commerceStaff)).toHaveLength(1);
    expect(await remindersOf(taxStaff)).toEqual([]);
    // What the sweeps wrote, not only what has reached the inboxes yet.
    const written = rowsOf<{ record_key: string; n: number }>(
      await serving.database.handle
        .forSubgraph('issues')
        .db.execute(
          sql`select record_key, count(*)::int as n from issues.outbox_events where type = 'HALL_DUTY_REMINDER' group by record_key`,
        ),
    );
    const sent = Object.fromEntries(written.map((r) => [r.record_key, r.n]));
    expect(sent[`hall-duty:${COMMERCE}:2026-Q4`]).toBe(1);
    expect(sent[`hall-duty:${unit('MARKET_REGULATION_BUREAU')}:2026-Q4`]).toBe(2);
    expect(sent[`hall-duty:${TAX}:2026-Q4`]).toBeUndefined();
  });
});
