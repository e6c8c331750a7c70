/**
 * A leader's departure (离任), on real PostgreSQL, through the gateway and directly against the
 * issues subgraph: the command office or the unit's admin records it once, with the day, the reason
 * and a successor of the same unit in post; in the same step the leader's 包保 projects (not started
 * or started) and monitoring points pass to the successor, each with a handover record (and a
 * project history entry); from the day of leaving no new project, point, hall day or visit may name
 * the leader, while days before it may still be recorded. The leader record never changes; the
 * departure and the handovers are append-only. Every role allowed and refused; a refused write
 * changes nothing; a departure written while a project names the leader either hands it over or
 * refuses it.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { rowsOf } from '../db/client.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors, codeOf } from './support/doors.ts';
import { TestClock } from './support/clock.ts';
import { requestId, unit } from './support/issues.ts';

const clock = new TestClock('2026-12-01T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

type Via = 'gateway' | 'issues subgraph';
const office: Caller = 'COMMAND_OFFICE';
const commerceAdmin = { role: 'UNIT_ADMIN', unit: 'COMMERCE_BUREAU' } as const satisfies Caller;
const commerceStaff = { role: 'UNIT_STAFF', unit: 'COMMERCE_BUREAU' } as const satisfies Caller;
const taxAdmin = { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU' } as const satisfies Caller;
const firm = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370212', 41) } as const satisfies Caller;
const observer = { role: 'OBSERVER', subject: 'observer-expert-1' } as const satisfies Caller;
const COMMERCE = unit('COMMERCE_BUREAU');
const TAX = unit('TAXATION_BUREAU');

const LEADER = `id name post leftOn departure { leftOn reason successor { id name } projectsHandedOver pointsHandedOver recordedAt }`;
const docs = {
  leader: `mutation($input: RecordUnitLeaderInput!) { recordUnitLeader(input: $input) { id } }`,
  depart: `mutation($input: RecordLeaderDepartureInput!) { recordLeaderDeparture(input: $input) { ${LEADER} } }`,
  leaders: `query($id: ID!, $inPost: Boolean) { unitLeaders(unitId: $id, inPost: $inPost) { id leftOn } }`,
  project: `mutation($input: RegisterSignedProjectInput!) { registerSignedProject(input: $input) { id version leader { id } } }`,
  status: `mutation($input: ChangeSignedProjectStatusInput!) { changeSignedProjectStatus(input: $input) { id status } }`,
  readProject: `query($id: ID!) { signedProject(id: $id) { id version leader { id name leftOn } history { action toStatus note } } }`,
  designate: `mutation($input: DesignateMonitoringPointInput!) { designateMonitoringPoint(input: $input) { id version leader { id } } }`,
  readPoint: `query($id: ID!) { monitoringPoint(id: $id) { id version leader { id } } }`,
  visit: `mutation($input: RecordMonitoringVisitInput!) { recordMonitoringVisit(input: $input) { id visits { visitedOn leader { id } } } }`,
  hall: `mutation($input: RecordHallVisitInput!) { recordHallVisit(input: $input) { id servedOn leader { id } } }`,
  duty: `{ hallDuty { expected withoutPrincipal { id } } }`,
};

const { send, ok } = doors(() => t, 'issues');
const db = () => t.database.handle.forSubgraph('issues').db;
/** Everything a departure writes or changes, to show a refusal changed nothing. */
interface Row {
  id: string;
  leader: string;
  version: number;
}
interface State {
  departures: number;
  handovers: number;
  events: number;
  projects: Row[];
  points: Row[];
  halls: number;
  visits: number;
}
async function state(): Promise<State> {
  const [row] = rowsOf<State>(
    await db().execute(sql`select (select count(*)::int from issues.unit_leader_departures) as departures,
      (select count(*)::int from issues.leader_handovers) as handovers,
      (select count(*)::int from issues.signed_project_events) as events,
      (select coalesce(json_agg(json_build_object('id', id, 'leader', leader_id, 'version', version) order by id), '[]') from issues.signed_projects) as projects,
      (select coalesce(json_agg(json_build_object('id', id, 'leader', leader_id, 'version', version) order by id), '[]') from issues.monitoring_points) as points,
      (select count(*)::int from issues.hall_visits) as halls, (select count(*)::int from issues.monitoring_visits) as visits`),
  );
  return row!;
}

const recordLeader = async (unitId: string, name: string, post: string, principal = false) =>
  (await ok(docs.leader, office, { input: { clientRequestId: requestId('leader'), unitId, name, post, principal } })).recordUnitLeader
    .id as string;
let projectCounter = 0;
const projectInput = (leaderId: string, extra: Record<string, unknown> = {}) => ({
  clientRequestId: requestId('project'),
  name: `崂山签约项目${++projectCounter}`,
  investorCreditCode: sampleCreditCode('370212', 60 + projectCounter),
  amountWanYuan: 50000,
  signedOn: '2024-03-01',
  industry: '智能制造',
  districtCode: '370212',
  status: 'NOT_STARTED',
  responsibleUnitId: COMMERCE,
  leaderId,
  ...extra,
});
const pointInput = (leaderId: string, code: number) => ({
  clientRequestId: requestId('point'),
  kind: 'ENTERPRISE',
  name: `重点企业${code}`,
  enterpriseCreditCode: sampleCreditCode('370212', code),
  responsibleUnitId: COMMERCE,
  leaderId,
  frequency: 'MONTHLY',
});

let deputy: string; // 包保 of two projects (one of them terminated) and a point; leaves
let successor: string;
let principal: string; // serves in halls; leaves with nothing to hand over
let taxLeader: string;
let open: string;
let terminated: string;
let point: string;

beforeAll(async () => {
  deputy = await recordLeader(COMMERCE, '钱副局长', '副局长');
  successor = await recordLeader(COMMERCE, '孙副局长', '副局长');
  principal = await recordLeader(COMMERCE, '李局长', '局长', true);
  taxLeader = await recordLeader(TAX, '周局长', '局长', true);
  open = (await ok(docs.project, office, { input: projectInput(deputy) })).registerSignedProject.id;
  terminated = (await ok(docs.project, office, { input: projectInput(deputy) })).registerSignedProject.id;
  await ok(docs.status, office, { input: { projectId: terminated, status: 'TERMINATED', note: '投资方撤回' } });
  point = (await ok(docs.designate, office, { input: pointInput(deputy, 51) })).designateMonitoringPoint.id;
});

const departure = (extra: Record<string, unknown> = {}) => ({
  leaderId: deputy,
  leftOn: '2026-11-30',
  reason: '调任市发展改革委',
  successorId: successor,
  ...extra,
});

describe('recording a departure', () => {
  it.each<Via>(['gateway', 'issues subgraph'])('is refused to everyone else, and for wrong data, changing nothing (%s)', async (via) => {
    const before = await state();
    for (const [as, code, extra] of [
      [commerceStaff, 'FORBIDDEN', {}],
      [taxAdmin, 'FORBIDDEN', {}],
      [firm, 'FORBIDDEN', {}],
      [observer, 'FORBIDDEN', {}],
      ['ANONYMOUS', 'UNAUTHENTICATED', {}],
      [office, 'BAD_USER_INPUT', { leftOn: '2026-12-02' }], // tomorrow in Beijing
      [office, 'BAD_USER_INPUT', { leftOn: '2026-02-30' }],
      [office, 'BAD_USER_INPUT', { reason: '  ' }],
      [office, 'BAD_USER_INPUT', { successorId: taxLeader }], // not a leader of the unit
      [office, 'BAD_USER_INPUT', { successorId: deputy }], // the leader who leaves
      [office, 'BAD_USER_INPUT', { successorId: null }], // projects and a point to hand over
      [office, 'BAD_USER_INPUT', { successorId: 'not-an-id' }],
      [office, 'NOT_FOUND', { leaderId: '00000000-0000-4000-8000-000000000000' }],
    ] as [Caller, string, Record<string, unknown>][]) {
      const response = await send(via, docs.depart, as, { input: departure(extra) });
      expect(codeOf(response), JSON.stringify([as, extra])).toBe(code);
      expect(response.data?.recordLeaderDeparture ?? null).toBeNull();
    }
    const missing = await send(via, docs.depart, office, { input: departure({ successorId: null }) });
    expect(missing.errors?.[0]?.message).toContain('1 个签约未落地项目、1 个监测点');
    expect(missing.errors?.[0]?.extensions?.field).toBe('input.successorId');
    expect(await state()).toEqual(before);
  });

  it('hands the open project and the point to the successor in the same step, once; a terminated project keeps its leader', async () => {
    const before = await state();
    const left = (await ok(docs.depart, commerceAdmin, { input: departure() })).recordLeaderDeparture;
    expect(left).toMatchObject({
      id: deputy,
      name: '钱副局长',
      leftOn: '2026-11-30',
      departure: {
        leftOn: '2026-11-30',
        reason: '调任市发展改革委',
        successor: { id: successor, name: '孙副局长' },
        projectsHandedOver: 1,
        pointsHandedOver: 1,
        recordedAt: '2026-12-01T09:00:00+08:00',
      },
    });
    const handed = (await ok(docs.readProject, office, { id: open })).signedProject;
    expect(handed.leader).toEqual({ id: successor, name: '孙副局长', leftOn: null });
    expect(handed.history.at(-1)).toEqual({
      action: 'LEADER_HANDOVER',
      toStatus: 'NOT_STARTED',
      note: '包保领导 钱副局长（副局长）离任，交由 孙副局长（副局长）',
    });
    const kept = (await ok(docs.readProject, office, { id: terminated }, 'issues subgraph')).signedProject;
    expect(kept.leader).toEqual({ id: deputy, name: '钱副局长', leftOn: '2026-11-30' });
    expect((await ok(docs.readPoint, office, { id: point })).monitoringPoint.leader).toEqual({ id: successor });
    const after = await state();
    expect(after).toMatchObject({ departures: before.departures + 1, handovers: before.handovers + 2, events: before.events + 1 });
    const version = (rows: Row[], id: string) => rows.find((row) => row.id === id) ?? { id, leader: '', version: 0 };
    expect(version(after.projects, open)).toMatchObject({
      leader: successor,
      version: version(before.projects, open).version + 1,
    });
    expect(version(after.points, point)).toMatchObject({ leader: successor, version: version(before.points, point).version + 1 });
    expect(version(after.projects, terminated)).toEqual(version(before.projects, terminated));
    const handovers = rowsOf<{ to: string; project: string | null; point: string | null }>(
      await db().execute(sql`select to_leader_id as to, signed_project_id as project, monitoring_point_id as point
        from issues.leader_handovers where from_leader_id = ${deputy} order by id`),
    );
    expect(handovers).toEqual([
      { to: successor, project: open, point: null },
      { to: successor, project: null, point },
    ]);

    // The same content again (a retry) returns the departure and writes nothing; other content is CONFLICT.
    const settled = await state();
    expect((await ok(docs.depart, office, { input: departure() }, 'issues subgraph')).recordLeaderDeparture).toEqual(left);
    const other = await send('gateway', docs.depart, office, { input: departure({ leftOn: '2026-11-20' }) });
    expect(codeOf(other)).toBe('CONFLICT');
    expect(other.errors?.[0]?.extensions?.leftOn).toBe('2026-11-30');
    expect(await state()).toEqual(settled);
  });

  it('lists the unit’s leaders in post, those who left, or all', async () => {
    const ids = async (inPost: boolean | null) =>
      (await ok(docs.leaders, commerceStaff, { id: COMMERCE, inPost })).unitLeaders.map((l: { id: string }) => l.id).sort();
    expect(await ids(false)).toEqual([deputy]);
    expect(await ids(true)).toEqual([successor, principal].sort());
    expect(await ids(null)).toEqual([deputy, successor, principal].sort());
  });

  it('keeps the departure and the handovers as evidence: no UPDATE, DELETE or TRUNCATE', async () => {
    for (const statement of [
      sql`update issues.unit_leader_departures set left_on = '2026-11-01' where leader_id = ${deputy}`,
      sql`delete from issues.unit_leader_departures where leader_id = ${deputy}`,
      sql`update issues.leader_handovers set to_leader_id = ${deputy}`,
      sql`delete from issues.leader_handovers`,
      sql`truncate issues.leader_handovers`,
    ]) {
      await expect(db().execute(statement)).rejects.toThrow();
    }
    expect((await ok(docs.leaders, office, { id: COMMERCE, inPost: false })).unitLeaders).toEqual([{ id: deputy, leftOn: '2026-11-30' }]);
  });
});

describe('after the day of leaving', () => {
  it.each<Via>(['gateway', 'issues subgraph'])('no new project, point or visit names the leader who left (%s)', async (via) => {
    const before = await state();
    const refusals: [string, Record<string, unknown>][] = [
      [docs.project, { input: projectInput(deputy) }],
      [docs.designate, { input: pointInput(deputy, 52) }],
      [
        docs.visit,
        { input: { clientRequestId: requestId('visit'), pointId: point, visitedOn: '2026-11-30', leaderId: deputy, summary: '走访' } },
      ],
    ];
    for (const [document, variables] of refusals) {
      const response = await send(via, document, office, variables);
      expect(codeOf(response), document).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe('input.leaderId');
      expect(response.errors?.[0]?.message).toContain('已于 2026-11-30 离任');
    }
    expect(await state()).toEqual(before);
  });

  it('still records a visit made before the day of leaving, naming the leader then in post', async () => {
    const input = {
      clientRequestId: requestId('visit'),
      pointId: point,
      visitedOn: '2026-11-29',
      leaderId: deputy,
      summary: '离任前走访企业',
    };
    const visited = (await ok(docs.visit, commerceStaff, { input })).recordMonitoringVisit;
    expect(visited.visits).toContainEqual({ visitedOn: '2026-11-29', leader: { id: deputy } });
  });

  it('a principal who leaves with nothing to hand over needs no successor; hall days before leaving are still recorded, after it refused', async () => {
    const served = {
      clientRequestId: requestId('hall'),
      unitId: COMMERCE,
      leaderId: principal,
      hall: '市民中心商务窗口',
      servedOn: '2026-11-26',
      handled: '坐席办理外资企业备案 3 件',
    };
    await ok(docs.hall, office, { input: served });
    // A departure dated on or before a day the records show them serving contradicts those records.
    const early = await send('gateway', docs.depart, office, { input: { leaderId: principal, leftOn: '2026-11-26', reason: '退休' } });
    expect(codeOf(early)).toBe('BAD_USER_INPUT');
    expect(early.errors?.[0]?.extensions?.field).toBe('input.leftOn');
    expect(early.errors?.[0]?.message).toContain('2026-11-26 仍有值守或走访记录');
    const lacking = async () => (await ok(docs.duty, office)).hallDuty.withoutPrincipal.map((u: { id: string }) => u.id);
    expect(await lacking()).not.toContain(COMMERCE);
    expect(await lacking()).not.toContain(TAX);
    const left = (
      await ok(docs.depart, office, { input: { leaderId: principal, leftOn: '2026-11-27', reason: '退休', successorId: null } })
    ).recordLeaderDeparture;
    expect(left.departure).toMatchObject({ successor: null, projectsHandedOver: 0, pointsHandedOver: 0 });
    // 市商务局 now has no principal in post: the command office sees it must record one before the next hall day.
    expect(await lacking()).toContain(COMMERCE);
    expect(await lacking()).not.toContain(TAX);
    const hall = (servedOn: string) => ({
      clientRequestId: requestId('hall'),
      unitId: COMMERCE,
      leaderId: principal,
      hall: '市民中心商务窗口',
      servedOn,
      handled: '坐席办理外资企业备案 5 件',
    });
    expect((await ok(docs.hall, office, { input: hall('2026-11-24') })).recordHallVisit).toMatchObject({ servedOn: '2026-11-24' });
    const before = await state();
    const refused = await t.query(docs.hall, { as: office, variables: { input: hall('2026-11-27') } });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toContain('李局长（局长）已于 2026-11-27 离任');
    expect(await state()).toEqual(before);
  });
});

describe('a departure written while a project names the leader', () => {
  it('two leaders leaving at once, each naming the other successor: one leaves, the other is refused, nothing deadlocks', async () => {
    for (let round = 0; round < 3; round++) {
      const first = await recordLeader(COMMERCE, `郑副局长${round}`, '副局长');
      const second = await recordLeader(COMMERCE, `王副局长${round}`, '副局长');
      const leave = (leaderId: string, successorId: string, via: Via) =>
        send(via, docs.depart, office, { input: { leaderId, leftOn: '2026-12-01', reason: '调任', successorId } });
      const answers = await Promise.all([leave(first, second, 'gateway'), leave(second, first, 'issues subgraph')]);
      expect(answers.map(codeOf).sort(), JSON.stringify(answers)).toEqual(['BAD_USER_INPUT', undefined]);
      expect(answers.find((a) => a.errors)?.errors?.[0]?.extensions?.field).toBe('input.successorId');
    }
  });

  it('either hands the new project over or refuses it: none is left with a leader who left', async () => {
    for (let round = 0; round < 6; round++) {
      const leaving = await recordLeader(COMMERCE, `吴副局长${round}`, '副局长');
      const [created, left] = await Promise.all([
        // Each through the other door every other round, so either may reach the database first.
        send(round % 2 ? 'gateway' : 'issues subgraph', docs.project, office, { input: projectInput(leaving) }),
        send(round % 2 ? 'issues subgraph' : 'gateway', docs.depart, office, {
          input: { leaderId: leaving, leftOn: '2026-12-01', reason: '调任', successorId: successor },
        }),
      ]);
      expect(left.errors, JSON.stringify(left.errors)).toBeUndefined();
      const stranded = rowsOf<{ n: number }>(
        await db().execute(sql`select count(*)::int as n from issues.signed_projects where leader_id = ${leaving}`),
      )[0];
      expect(stranded?.n).toBe(0);
      if (created.errors) {
        expect(codeOf(created)).toBe('BAD_USER_INPUT');
        expect(left.data.recordLeaderDeparture.departure.projectsHandedOver).toBe(0);
      } else {
        expect(left.data.recordLeaderDeparture.departure.projectsHandedOver).toBe(1);
        expect((await ok(docs.readProject, office, { id: created.data.registerSignedProject.id })).signedProject.leader.id).toBe(successor);
      }
    }
  });
});
