/**
 * Monitoring points (重大项目重点企业营商环境监测点, issue #26 §4), on real PostgreSQL, through the
 * gateway and directly against the issues subgraph: the command office designates enterprises and
 * signed projects as points, each with a responsible unit, a 包保 leader (a leader record of that
 * unit) and a visit frequency; the responsible unit records its visits; a point without a visit in
 * its current period is listed; every issue its enterprise raises is tagged with it at intake, and
 * the issues list filters by point. Every role allowed and refused; a refused write changes nothing.
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
const commerceStaff = { role: 'UNIT_STAFF', unit: 'COMMERCE_BUREAU' } as const satisfies Caller;
const commerceAdmin = { role: 'UNIT_ADMIN', unit: 'COMMERCE_BUREAU' } as const satisfies Caller;
const taxStaff = { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU' } as const satisfies Caller;
const laoshanAdmin = { role: 'UNIT_ADMIN', unit: 'LAOSHAN_DISTRICT' } as const satisfies Caller;
const watched = sampleCreditCode('370212', 7);
const investor = sampleCreditCode('370215', 8);
const other = sampleCreditCode('370212', 9);
const watchedFirm = { role: 'ENTERPRISE', enterprise: watched } as const satisfies Caller;
const otherFirm = { role: 'ENTERPRISE', enterprise: other } as const satisfies Caller;
const observer = { role: 'OBSERVER', subject: 'observer-expert-1' } as const satisfies Caller;
const COMMERCE = unit('COMMERCE_BUREAU');

const POINT = `id kind name enterpriseCreditCode enterprise { creditCode } project { id name } responsibleUnit { id } leader { id name }
  frequency periodFrom periodTo lastVisitedOn visitedThisPeriod version visits { visitedOn summary leader { name } }`;
const docs = {
  leader: `mutation($input: RecordUnitLeaderInput!) { recordUnitLeader(input: $input) { id } }`,
  project: `mutation($input: RegisterSignedProjectInput!) { registerSignedProject(input: $input) { id } }`,
  obstacle: `mutation($input: ReportProjectObstacleInput!) { reportProjectObstacle(input: $input) { issues { id monitoringPoints { id } } } }`,
  designate: `mutation($input: DesignateMonitoringPointInput!) { designateMonitoringPoint(input: $input) { ${POINT} } }`,
  visit: `mutation($input: RecordMonitoringVisitInput!) { recordMonitoringVisit(input: $input) { ${POINT} } }`,
  points: `query($f: MonitoringPointFilter, $first: Int, $after: String) { monitoringPoints(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name visitedThisPeriod } } } }`,
  appeal: `mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id monitoringPoints { id } } }`,
  issue: `query($id: ID!) { issue(id: $id) { id monitoringPoints { id name } } }`,
  byPoint: `query($p: ID!) { issues(filter: { monitoringPointId: $p }) { totalCount edges { node { id } } } }`,
};

const { send, ok } = doors(() => t, 'issues');
const db = () => t.database.handle.forSubgraph('issues').db;
async function counts() {
  const [row] = rowsOf<{ points: number; visits: number; tags: number }>(
    await db().execute(sql`select (select count(*)::int from issues.monitoring_points) as points,
      (select count(*)::int from issues.monitoring_visits) as visits, (select count(*)::int from issues.issue_monitoring_tags) as tags`),
  );
  return row;
}
const appeal = (title: string) => ({
  clientRequestId: requestId('appeal'),
  kind: 'HELP',
  environment: 'FACTOR',
  title,
  description: `${title}，请协调解决`,
  districtCode: '370212',
});

let leader: string;
let taxLeader: string;
let projectId: string;
let firmPoint: any;
let projectPoint: any;

beforeAll(async () => {
  leader = (
    await ok(docs.leader, commerceAdmin, {
      input: { clientRequestId: requestId('leader'), unitId: COMMERCE, name: '郑副局长', post: '副局长', principal: false },
    })
  ).recordUnitLeader.id;
  taxLeader = (
    await ok(docs.leader, office, {
      input: { clientRequestId: requestId('tax'), unitId: unit('TAXATION_BUREAU'), name: '冯局长', post: '局长', principal: true },
    })
  ).recordUnitLeader.id;
  const project = {
    clientRequestId: requestId('project'),
    name: '即墨新能源电池项目',
    investorCreditCode: investor,
    amountWanYuan: 300000,
    signedOn: '2024-05-20',
    industry: '新能源',
    districtCode: '370215',
    status: 'NOT_STARTED',
    responsibleUnitId: COMMERCE,
    leaderId: leader,
  };
  projectId = (await ok(docs.project, office, { input: project })).registerSignedProject.id;
});

describe('the command office designates monitoring points', () => {
  it('designates an enterprise and a project, each once, with a responsible unit, its leader and a frequency', async () => {
    const firm = {
      clientRequestId: requestId('point'),
      kind: 'ENTERPRISE',
      name: '崂山某重点企业',
      enterpriseCreditCode: watched,
      responsibleUnitId: COMMERCE,
      leaderId: leader,
      frequency: 'MONTHLY',
    };
    firmPoint = (await ok(docs.designate, office, { input: firm })).designateMonitoringPoint;
    expect(firmPoint).toMatchObject({
      kind: 'ENTERPRISE',
      enterpriseCreditCode: watched,
      enterprise: { creditCode: watched },
      project: null,
      responsibleUnit: { id: COMMERCE },
      leader: { id: leader, name: '郑副局长' },
      frequency: 'MONTHLY',
      periodFrom: '2026-12-01',
      periodTo: '2026-12-31',
      lastVisitedOn: null,
      visitedThisPeriod: false,
      visits: [],
    });
    expect((await ok(docs.designate, office, { input: firm })).designateMonitoringPoint.id).toBe(firmPoint.id);
    // The same enterprise again, by another request: it is a point already.
    expect(
      codeOf(await t.query(docs.designate, { as: office, variables: { input: { ...firm, clientRequestId: requestId('again') } } })),
    ).toBe('CONFLICT');
    const project = {
      clientRequestId: requestId('project-point'),
      kind: 'PROJECT',
      projectId,
      responsibleUnitId: COMMERCE,
      leaderId: leader,
      frequency: 'QUARTERLY',
    };
    projectPoint = (await ok(docs.designate, office, { input: project }, 'issues subgraph')).designateMonitoringPoint;
    expect(projectPoint).toMatchObject({
      kind: 'PROJECT',
      name: '即墨新能源电池项目',
      enterpriseCreditCode: investor,
      project: { id: projectId },
      periodFrom: '2026-10-01',
      periodTo: '2026-12-31',
    });
  });

  it.each<Via>(['gateway', 'issues subgraph'])('is refused to everyone else, and for wrong data, changing nothing (%s)', async (via) => {
    const before = await counts();
    const input = (extra: Record<string, unknown> = {}) => ({
      clientRequestId: requestId('refused'),
      kind: 'ENTERPRISE',
      name: '某企业',
      enterpriseCreditCode: other,
      responsibleUnitId: COMMERCE,
      leaderId: leader,
      frequency: 'MONTHLY',
      ...extra,
    });
    for (const [as, code, extra] of [
      [commerceAdmin, 'FORBIDDEN', {}],
      [laoshanAdmin, 'FORBIDDEN', {}],
      [watchedFirm, 'FORBIDDEN', {}],
      [observer, 'FORBIDDEN', {}],
      ['ANONYMOUS', 'UNAUTHENTICATED', {}],
      [office, 'BAD_USER_INPUT', { leaderId: taxLeader }], // not a leader of the responsible unit
      [office, 'BAD_USER_INPUT', { enterpriseCreditCode: null }],
      [office, 'BAD_USER_INPUT', { kind: 'PROJECT', projectId: null }],
      [office, 'BAD_USER_INPUT', { enterpriseCreditCode: '91370212XYZ' }],
    ] as [Caller, string, Record<string, unknown>][]) {
      expect(codeOf(await send(via, docs.designate, as, { input: input(extra) })), JSON.stringify([as, extra])).toBe(code);
    }
    expect(await counts()).toEqual(before);
  });
});

describe('issues raised by a point’s enterprise', () => {
  it('are tagged with the point at intake, and listed by point', async () => {
    const tagged = (await ok(docs.appeal, watchedFirm, { input: appeal('用电增容报装进度慢') })).submitAppeal;
    const untagged = (await ok(docs.appeal, otherFirm, { input: appeal('厂区道路积水') })).submitAppeal;
    // The enterprise itself does not see the government's tags.
    expect(tagged.monitoringPoints).toEqual([]);
    expect((await ok(docs.issue, office, { id: tagged.id })).issue.monitoringPoints).toEqual([
      { id: firmPoint.id, name: '崂山某重点企业' },
    ]);
    expect((await ok(docs.issue, office, { id: untagged.id })).issue.monitoringPoints).toEqual([]);
    // A project point: its investor's issues, the project's own obstacles among them.
    const obstacle = {
      clientRequestId: requestId('obstacle'),
      projectId,
      obstacle: { environment: 'FACTOR', title: '电网接入方案未批复', description: '变电站接入方案待批' },
    };
    const reported = (await ok(docs.obstacle, commerceStaff, { input: obstacle })).reportProjectObstacle;
    expect(reported.issues[0].monitoringPoints).toEqual([{ id: projectPoint.id }]);
    const byPoint = (await ok(docs.byPoint, office, { p: firmPoint.id })).issues;
    expect(byPoint).toMatchObject({ totalCount: 1, edges: [{ node: { id: tagged.id } }] });
    expect((await ok(docs.byPoint, office, { p: projectPoint.id }, 'issues subgraph')).issues.totalCount).toBe(1);
    await expect(db().execute(sql`delete from issues.issue_monitoring_tags`)).rejects.toThrow();
  });
});

describe('visits, and the points without one in their period', () => {
  it('lists the unvisited points until the responsible unit records a visit; a new period lists them again', async () => {
    const unvisited = async (as: Caller = office) => (await ok(docs.points, as, { f: { unvisitedOnly: true } })).monitoringPoints;
    expect((await unvisited()).totalCount).toBe(2);
    const visit = (pointId: string, visitedOn: string, extra: Record<string, unknown> = {}) => ({
      clientRequestId: requestId('visit'),
      pointId,
      visitedOn,
      leaderId: leader,
      summary: '走访企业，了解用电、用工需求',
      ...extra,
    });
    const visited = (await ok(docs.visit, commerceStaff, { input: visit(firmPoint.id, '2026-12-01') })).recordMonitoringVisit;
    expect(visited).toMatchObject({
      lastVisitedOn: '2026-12-01',
      visitedThisPeriod: true,
      version: 2,
      visits: [{ visitedOn: '2026-12-01', leader: { name: '郑副局长' } }],
    });
    expect((await unvisited()).edges.map((e: any) => e.node.id)).toEqual([projectPoint.id]);
    // A visit earlier in the quarter counts for a quarterly point.
    await ok(docs.visit, office, { input: visit(projectPoint.id, '2026-10-15', { leaderId: null }) }, 'issues subgraph');
    expect((await unvisited()).totalCount).toBe(0);
    clock.set('2027-01-04T09:00:00+08:00');
    const again = await unvisited();
    expect(again.totalCount).toBe(2);
    expect(again.edges.every((e: any) => e.node.visitedThisPeriod === false)).toBe(true);
    await expect(db().execute(sql`update issues.monitoring_visits set summary = 'x'`)).rejects.toThrow();
  });

  it.each<Via>(['gateway', 'issues subgraph'])(
    'refuses a visit by anyone but the responsible unit and the command office (%s)',
    async (via) => {
      const before = await counts();
      const input = (extra: Record<string, unknown> = {}) => ({
        clientRequestId: requestId('refused-visit'),
        pointId: firmPoint.id,
        visitedOn: '2027-01-03',
        summary: '走访',
        ...extra,
      });
      for (const [as, code, extra] of [
        [taxStaff, 'NOT_FOUND', {}], // a point it does not answer for does not exist for it
        [watchedFirm, 'FORBIDDEN', {}],
        [observer, 'FORBIDDEN', {}],
        ['ANONYMOUS', 'UNAUTHENTICATED', {}],
        [commerceStaff, 'BAD_USER_INPUT', { visitedOn: '2027-01-05' }], // tomorrow
        [commerceStaff, 'BAD_USER_INPUT', { leaderId: taxLeader }],
        [commerceStaff, 'CONFLICT', { expectedVersion: 1 }],
      ] as [Caller, string, Record<string, unknown>][]) {
        expect(codeOf(await send(via, docs.visit, as, { input: input(extra) })), JSON.stringify([as, extra])).toBe(code);
      }
      expect(await counts()).toEqual(before);
    },
  );

  it('pages the points for the command office; the responsible unit reads its own, others none', async () => {
    // Both were designated at the same instant: in designation order, then by id.
    const first = (await ok(docs.points, office, { first: 1 })).monitoringPoints;
    expect(first).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    const next = (await ok(docs.points, office, { first: 1, after: first.pageInfo.endCursor })).monitoringPoints;
    expect(next.pageInfo.hasNextPage).toBe(false);
    expect([...first.edges, ...next.edges].map((e: any) => e.node.id).sort()).toEqual([firmPoint.id, projectPoint.id].sort());
    expect((await ok(docs.points, commerceStaff)).monitoringPoints.totalCount).toBe(2);
    expect((await ok(docs.points, taxStaff)).monitoringPoints.totalCount).toBe(0);
    expect(codeOf(await t.query(docs.points, { as: watchedFirm }))).toBe('FORBIDDEN');
    expect(codeOf(await t.querySubgraph('issues', docs.points, { as: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.query(docs.points, { as: office, variables: { after: 'x' } }))).toBe('BAD_USER_INPUT');
  });
});
