/**
 * 签约未落地 projects (issue #26 §3), on real PostgreSQL, through the gateway and directly against
 * the issues subgraph: a district lists the projects signed since 2022 that have not started or
 * have stalled, with the investor (an enterprise by credit code), the responsible unit and its 包保
 * leader (a leader record of that unit); the status moves by the rules and its history is kept;
 * obstacles become SIGNED_NOT_LANDED issues linked to the project in the same step; the command
 * office reads them by district and status with the time since signing. Every role allowed and
 * refused; a refused write changes nothing.
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
const laoshanStaff = { role: 'UNIT_STAFF', unit: 'LAOSHAN_DISTRICT' } as const satisfies Caller;
const laoshanAdmin = { role: 'UNIT_ADMIN', unit: 'LAOSHAN_DISTRICT' } as const satisfies Caller;
const jimoAdmin = { role: 'UNIT_ADMIN', unit: 'JIMO_DISTRICT' } as const satisfies Caller;
const commerceStaff = { role: 'UNIT_STAFF', unit: 'COMMERCE_BUREAU' } as const satisfies Caller;
const commerceAdmin = { role: 'UNIT_ADMIN', unit: 'COMMERCE_BUREAU' } as const satisfies Caller;
const taxStaff = { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU' } as const satisfies Caller;
const investor = sampleCreditCode('370212', 5);
const enterprise = { role: 'ENTERPRISE', enterprise: investor } as const satisfies Caller;
const observer = { role: 'OBSERVER', subject: 'observer-expert-1' } as const satisfies Caller;
const COMMERCE = unit('COMMERCE_BUREAU');
const DAY = 24 * 3_600_000;

const PROJECT = `id name investorCreditCode investor { creditCode } amountWanYuan signedOn daysSinceSigning industry district { code }
  status obstacle version responsibleUnit { id } leader { id name post }
  history { action fromStatus toStatus note } issues { id source title enterprise { creditCode } proposedUnit { id } responsibleLeader signedProject { id } }`;
const docs = {
  leader: `mutation($input: RecordUnitLeaderInput!) { recordUnitLeader(input: $input) { id } }`,
  register: `mutation($input: RegisterSignedProjectInput!) { registerSignedProject(input: $input) { ${PROJECT} } }`,
  status: `mutation($input: ChangeSignedProjectStatusInput!) { changeSignedProjectStatus(input: $input) { id status version history { action toStatus note } } }`,
  obstacle: `mutation($input: ReportProjectObstacleInput!) { reportProjectObstacle(input: $input) { id obstacle version issues { id title } } }`,
  list: `query($f: SignedProjectFilter, $first: Int, $after: String) { signedProjects(filter: $f, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id name status district { code } daysSinceSigning } } } }`,
  counts: `{ signedProjectCounts { district { code } status count maxDaysSinceSigning } }`,
  one: `query($id: ID!) { signedProject(id: $id) { id name } }`,
};

const { send, ok } = doors(() => t, 'issues');
const db = () => t.database.handle.forSubgraph('issues').db;
async function counts() {
  const [row] = rowsOf<{ issues: number; projects: number; events: number }>(
    await db().execute(sql`select (select count(*)::int from issues.issues) as issues,
      (select count(*)::int from issues.signed_projects) as projects, (select count(*)::int from issues.signed_project_events) as events`),
  );
  return row;
}
const daysSince = (date: string) => Math.floor((Date.parse('2026-12-01') - Date.parse(date)) / DAY);

let leader: string;
let taxLeader: string;
let project: any;
const obstacle = { environment: 'FACTOR', title: '项目用地指标未落实', description: '项目用地尚未完成征收，用地指标缺口 50 亩' };
const registration = (extra: Record<string, unknown> = {}) => ({
  clientRequestId: requestId('project'),
  name: '崂山智能装备产业园',
  investorCreditCode: investor,
  amountWanYuan: 120000.5,
  signedOn: '2023-06-01',
  industry: '智能制造',
  status: 'NOT_STARTED',
  responsibleUnitId: COMMERCE,
  leaderId: leader,
  ...extra,
});

describe('a district lists its signed projects', () => {
  beforeAll(async () => {
    const input = { clientRequestId: requestId('leader'), unitId: COMMERCE, name: '周副局长', post: '副局长', principal: false };
    leader = (await ok(docs.leader, commerceAdmin, { input })).recordUnitLeader.id;
    const tax = {
      clientRequestId: requestId('tax-leader'),
      unitId: unit('TAXATION_BUREAU'),
      name: '吴局长',
      post: '局长',
      principal: true,
    };
    taxLeader = (await ok(docs.leader, office, { input: tax })).recordUnitLeader.id;
  });

  it('turns the obstacle into a SIGNED_NOT_LANDED issue of the investor, proposed to the responsible unit, in the same step', async () => {
    const before = await counts();
    const input = registration({ obstacle });
    project = (await ok(docs.register, laoshanStaff, { input })).registerSignedProject;
    expect(project).toMatchObject({
      investorCreditCode: investor,
      investor: { creditCode: investor },
      amountWanYuan: 120000.5,
      daysSinceSigning: daysSince('2023-06-01'),
      district: { code: '370212' },
      status: 'NOT_STARTED',
      obstacle: obstacle.description,
      version: 1,
      responsibleUnit: { id: COMMERCE },
      leader: { id: leader, name: '周副局长', post: '副局长' },
      history: [{ action: 'REGISTER', fromStatus: null, toStatus: 'NOT_STARTED', note: obstacle.description }],
    });
    expect(project.issues).toEqual([
      {
        id: expect.any(String),
        source: 'SIGNED_NOT_LANDED',
        title: obstacle.title,
        enterprise: { creditCode: investor },
        proposedUnit: { id: COMMERCE },
        responsibleLeader: '周副局长（副局长）',
        signedProject: { id: project.id },
      },
    ]);
    expect((await ok(docs.register, laoshanStaff, { input })).registerSignedProject.id).toBe(project.id);
    expect(codeOf(await t.query(docs.register, { as: laoshanStaff, variables: { input: { ...input, name: '另一项目' } } }))).toBe(
      'CONFLICT',
    );
    expect(await counts()).toMatchObject({ issues: before!.issues + 1, projects: before!.projects + 1, events: before!.events + 1 });
    // The command office lists one for another district; a stalled one (started) without an obstacle.
    await ok(
      docs.register,
      office,
      {
        input: registration({
          clientRequestId: requestId('jimo'),
          name: '即墨冷链物流中心',
          districtCode: '370215',
          signedOn: '2022-03-15',
          status: 'STARTED',
        }),
      },
      'issues subgraph',
    );
  });

  it.each<Via>(['gateway', 'issues subgraph'])(
    'is refused to everyone but the district and the command office, and for wrong data, changing nothing (%s)',
    async (via) => {
      const before = await counts();
      const input = (extra: Record<string, unknown> = {}) => registration({ clientRequestId: requestId('refused'), obstacle, ...extra });
      for (const [as, code, extra] of [
        [jimoAdmin, 'FORBIDDEN', { districtCode: '370212' }], // another district's project
        [commerceStaff, 'FORBIDDEN', { districtCode: '370212' }], // the responsible unit changes it, the district lists it
        [enterprise, 'FORBIDDEN', { districtCode: '370212' }],
        [observer, 'FORBIDDEN', { districtCode: '370212' }],
        ['ANONYMOUS', 'UNAUTHENTICATED', { districtCode: '370212' }],
        [laoshanStaff, 'BAD_USER_INPUT', { signedOn: '2021-12-31' }], // before 2022
        [laoshanStaff, 'BAD_USER_INPUT', { signedOn: '2026-12-02' }], // tomorrow
        [laoshanStaff, 'BAD_USER_INPUT', { status: 'IN_PRODUCTION' }], // it has landed
        [laoshanStaff, 'BAD_USER_INPUT', { leaderId: taxLeader }], // not a leader of the responsible unit
        [laoshanStaff, 'BAD_USER_INPUT', { investorCreditCode: '91370212ABC' }],
        [laoshanStaff, 'BAD_USER_INPUT', { amountWanYuan: -1 }],
        [office, 'BAD_USER_INPUT', {}], // the command office names the district
      ] as [Caller, string, Record<string, unknown>][]) {
        expect(codeOf(await send(via, docs.register, as, { input: input(extra) })), JSON.stringify([as, extra])).toBe(code);
      }
      expect(await counts()).toEqual(before);
    },
  );
});

describe('a project’s status and obstacles', () => {
  it('moves by the rules, keeps its history, and refuses a move from the wrong state', async () => {
    const id = project.id;
    expect(codeOf(await t.query(docs.status, { as: laoshanAdmin, variables: { input: { projectId: id, status: 'IN_PRODUCTION' } } }))).toBe(
      'INVALID_TRANSITION',
    );
    expect(codeOf(await t.query(docs.status, { as: laoshanAdmin, variables: { input: { projectId: id, status: 'NOT_STARTED' } } }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      codeOf(
        await t.query(docs.status, { as: laoshanAdmin, variables: { input: { projectId: id, status: 'STARTED', expectedVersion: 7 } } }),
      ),
    ).toBe('CONFLICT');
    const started = (
      await ok(docs.status, commerceStaff, { input: { projectId: id, status: 'STARTED', note: '已取得施工许可', expectedVersion: 1 } })
    ).changeSignedProjectStatus;
    expect(started).toMatchObject({ status: 'STARTED', version: 2 });
    expect(started.history.map((h: any) => [h.action, h.toStatus])).toEqual([
      ['REGISTER', 'NOT_STARTED'],
      ['START', 'STARTED'],
    ]);
    await expect(db().execute(sql`update issues.signed_project_events set note = 'x'`)).rejects.toThrow();
  });

  it.each<Via>(['gateway', 'issues subgraph'])(
    'records a new obstacle as an issue: the district, the responsible unit, the command office (%s)',
    async (via) => {
      const before = await counts();
      const input = () => ({
        clientRequestId: requestId('obstacle'),
        projectId: project.id,
        obstacle: { environment: 'SERVICE', title: `施工图审查超时（${via}）`, description: '施工图联合审查超过承诺时限' },
      });
      for (const [as, code] of [
        [jimoAdmin, 'NOT_FOUND'], // another district's project does not exist for it
        [taxStaff, 'NOT_FOUND'],
        [enterprise, 'FORBIDDEN'],
        [observer, 'FORBIDDEN'],
        ['ANONYMOUS', 'UNAUTHENTICATED'],
      ] as [Caller, string][]) {
        expect(codeOf(await send(via, docs.obstacle, as, { input: input() })), JSON.stringify(as)).toBe(code);
      }
      expect(await counts()).toEqual(before);
      const reported = (await send(via, docs.obstacle, via === 'gateway' ? commerceStaff : laoshanAdmin, { input: input() })).data!
        .reportProjectObstacle;
      expect(reported.obstacle).toBe('施工图联合审查超过承诺时限');
      expect(reported.issues.map((i: any) => i.title)).toContain(`施工图审查超时（${via}）`);
      expect(await counts()).toMatchObject({ issues: before!.issues + 1, events: before!.events + 1 });
    },
  );

  it('refuses an obstacle once the project is terminated', async () => {
    await ok(docs.status, office, { input: { projectId: project.id, status: 'TERMINATED', note: '投资方撤资' } });
    const input = { clientRequestId: requestId('late-obstacle'), projectId: project.id, obstacle };
    const refused = await t.query(docs.obstacle, { as: laoshanStaff, variables: { input } });
    expect(codeOf(refused)).toBe('INVALID_TRANSITION');
    expect(refused.errors?.[0]?.message).toContain('终止');
  });
});

describe('where the command office looks', () => {
  it('lists projects earliest signed first, by district and status, with the time since signing; a district its own', async () => {
    const all = (await ok(docs.list, office, { first: 1 })).signedProjects;
    expect(all).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(all.edges[0].node).toMatchObject({ name: '即墨冷链物流中心', status: 'STARTED', daysSinceSigning: daysSince('2022-03-15') });
    const next = (await ok(docs.list, office, { first: 1, after: all.pageInfo.endCursor })).signedProjects;
    expect(next.edges.map((e: any) => e.node.name)).toEqual(['崂山智能装备产业园']);
    expect((await ok(docs.list, office, { f: { districtCode: '370215', status: ['STARTED'] } })).signedProjects.totalCount).toBe(1);
    expect((await ok(docs.list, office, { f: { status: ['NOT_STARTED'] } })).signedProjects.totalCount).toBe(0);
    expect((await ok(docs.counts, office)).signedProjectCounts).toEqual([
      { district: { code: '370212' }, status: 'TERMINATED', count: 1, maxDaysSinceSigning: daysSince('2023-06-01') },
      { district: { code: '370215' }, status: 'STARTED', count: 1, maxDaysSinceSigning: daysSince('2022-03-15') },
    ]);
    // A district its own; the responsible unit those it answers for; another unit none.
    expect((await ok(docs.list, laoshanStaff)).signedProjects.edges.map((e: any) => e.node.name)).toEqual(['崂山智能装备产业园']);
    expect((await ok(docs.list, jimoAdmin)).signedProjects.edges.map((e: any) => e.node.name)).toEqual(['即墨冷链物流中心']);
    expect((await ok(docs.list, commerceStaff)).signedProjects.totalCount).toBe(2);
    expect((await ok(docs.list, taxStaff)).signedProjects.totalCount).toBe(0);
    expect((await ok(docs.one, jimoAdmin, { id: project.id })).signedProject).toBeNull();
    expect((await ok(docs.one, laoshanStaff, { id: project.id })).signedProject.name).toBe('崂山智能装备产业园');
    expect(codeOf(await t.query(docs.list, { as: enterprise }))).toBe('FORBIDDEN');
    expect(codeOf(await t.query(docs.counts, { as: observer }))).toBe('FORBIDDEN');
    expect(codeOf(await t.querySubgraph('issues', docs.list, { as: 'ANONYMOUS' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.query(docs.list, { as: office, variables: { after: 'x' } }))).toBe('BAD_USER_INPUT');
  });
});
