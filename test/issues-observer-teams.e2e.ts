/**
 * The three observer teams (三支队伍, issue #26 §5), on real PostgreSQL, through the gateway and
 * directly against the issues subgraph: the command office records and ends memberships (a person
 * with the OBSERVER role in a team, since/until; terms never overlap); a member's undercover finding
 * (`reportIssue`, UNDERCOVER_VISIT) becomes an issue recorded with the team and the member in the
 * same transaction; per team the command office reads reports filed, the issues they led to and
 * how many were rectified; an observer reads only their own reports. Every role allowed and refused;
 * a refused write changes nothing.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { rowsOf } from '../db/client.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors } from './support/doors.ts';
import { HOUR, TestClock } from './support/clock.ts';
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
const transports: Via[] = ['gateway', 'issues subgraph'];
const office: Caller = 'COMMAND_OFFICE';
const taxAdmin = { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU' } as const satisfies Caller;
const enterprise = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370215', 61) } as const satisfies Caller;
const expert = { role: 'OBSERVER', subject: 'expert-1' } as const satisfies Caller;
const reporter = { role: 'OBSERVER', subject: 'reporter-1' } as const satisfies Caller;
const officer = { role: 'OBSERVER', subject: 'officer-1' } as const satisfies Caller;
const outsider = { role: 'OBSERVER', subject: 'not-on-a-team' } as const satisfies Caller;
const TAX = unit('TAXATION_BUREAU');

const MEMBERSHIP = `id team subject issuer name since until active`;
const docs = {
  record: `mutation($input: RecordObserverMembershipInput!) { recordObserverMembership(input: $input) { ${MEMBERSHIP} } }`,
  end: `mutation($id: ID!, $until: Date!) { endObserverMembership(id: $id, until: $until) { ${MEMBERSHIP} } }`,
  report: `mutation($input: ReportIssueInput!) { reportIssue(input: $input) { id source status
    observerReport { team reportedAt membership { id name team } } } }`,
  teams: `query($p: PeriodInput) { observerTeams(period: $p) { team name plannedMembers activeMembers reportsFiled issuesAccepted issuesRectified } }`,
  members: `query($team: ObserverTeamCode, $after: String) { observerMemberships(team: $team, first: 2, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { ${MEMBERSHIP} } } } }`,
  reports: `query($team: ObserverTeamCode) { observerReports(team: $team, first: 20) { totalCount
    edges { node { team reportedAt issue { id title } membership { subject team } } } } }`,
  issue: `query($id: ID!) { issue(id: $id) { id observerReport { team membership { subject } } } }`,
  accept: `mutation($id: ID!) { acceptIssue(id: $id, input: { rectificationMode: IMMEDIATE, immediateWorkingDays: 5 }) { id status } }`,
  reject: `mutation($id: ID!) { rejectIssue(id: $id, reason: "不属于营商环境问题") { id status } }`,
  assign: `mutation($id: ID!, $unitId: ID!) { assignIssue(id: $id, unitId: $unitId) { id status } }`,
  resolve: `mutation($id: ID!) { resolveIssue(id: $id, resolution: "已修复并增设引导岗") { id status } }`,
  close: `mutation($id: ID!) { closeIssue(id: $id) { id status } }`,
};

const { send, ok } = doors(() => t, 'issues');
async function refusal(via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}) {
  const response = await send(via, document, as, variables);
  expect(response.errors, `expected a refusal, got ${JSON.stringify(response.data)}`).toBeDefined();
  // Coded and bilingual.
  expect(response.errors![0]!.message).toMatch(/ \/ /);
  return response.errors![0]!.extensions!;
}
const code = async (via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}) =>
  (await refusal(via, document, as, variables)).code;

async function counts() {
  const db = t.database.handle.forSubgraph('issues').db;
  const [row] = rowsOf<{ issues: number; memberships: number; ends: number; reports: number }>(
    await db.execute(sql`select (select count(*)::int from issues.issues) as issues,
      (select count(*)::int from issues.observer_memberships) as memberships,
      (select count(*)::int from issues.observer_membership_ends) as ends,
      (select count(*)::int from issues.observer_reports) as reports`),
  );
  return row;
}

const finding = (title: string) => ({
  clientRequestId: requestId('visit'),
  source: 'UNDERCOVER_VISIT',
  environment: 'SERVICE',
  title,
  description: `${title}（暗访发现）`,
  unitId: TAX,
});

const ids: Record<string, string> = {};

describe('the command office keeps the teams', () => {
  it.each(transports)('refuses everyone else, and bad input, changing nothing (%s)', async (via) => {
    const before = await counts();
    const input = { team: 'EXPERT_COMMITTEE', subject: 'expert-1', name: '王教授', since: '2026-11-01' };
    for (const [as, expected] of [
      [taxAdmin, 'FORBIDDEN'],
      [enterprise, 'FORBIDDEN'],
      [expert, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(await code(via, docs.record, as, { input })).toBe(expected);
    }
    expect(await code(via, docs.record, office, { input: { ...input, since: '2026-02-30' } })).toBe('BAD_USER_INPUT');
    expect(await code(via, docs.record, office, { input: { ...input, until: '2026-10-31' } })).toBe('BAD_USER_INPUT');
    expect(await code(via, docs.record, office, { input: { ...input, name: '  ' } })).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });

  it('records memberships, refuses an overlapping term, and ends one once', async () => {
    const record = async (team: string, subject: string, name: string, since: string, until?: string) =>
      (await ok(docs.record, office, { input: { team, subject, name, since, ...(until ? { until } : {}) } })).recordObserverMembership;
    const first = await record('EXPERT_COMMITTEE', 'expert-1', '王教授', '2026-11-01');
    expect(first).toMatchObject({
      team: 'EXPERT_COMMITTEE',
      subject: 'expert-1',
      issuer: '',
      since: '2026-11-01',
      until: null,
      active: true,
    });
    ids.expert = first.id;
    ids.reporter = (await record('MEDIA_OBSERVER', 'reporter-1', '青岛日报记者', '2026-11-15')).id;
    ids.officer = (await record('EXPERIENCE_OFFICER', 'officer-1', '李体验', '2026-11-20', '2027-11-19')).id;
    // Not yet serving.
    expect((await record('EXPERIENCE_OFFICER', 'officer-2', '张体验', '2026-12-10')).active).toBe(false);

    const before = await counts();
    for (const via of transports) {
      const clash = await refusal(via, docs.record, office, {
        input: { team: 'MEDIA_OBSERVER', subject: 'expert-1', name: '王教授', since: '2026-11-20' },
      });
      expect(clash).toMatchObject({ code: 'CONFLICT', existingId: ids.expert });
      expect(await code(via, docs.end, taxAdmin, { id: ids.expert, until: '2026-12-31' })).toBe('FORBIDDEN');
      expect(await code(via, docs.end, office, { id: ids.expert, until: '2026-10-01' })).toBe('BAD_USER_INPUT');
      expect(await code(via, docs.end, office, { id: '00000000-0000-4000-8000-000000000000', until: '2026-12-31' })).toBe('NOT_FOUND');
    }
    expect(await counts()).toEqual(before);

    const ended = (await ok(docs.end, office, { id: ids.officer, until: '2026-12-31' })).endObserverMembership;
    expect(ended).toMatchObject({ until: '2026-12-31', active: true });
    expect(await code('issues subgraph', docs.end, office, { id: ids.officer, until: '2026-12-30' })).toBe('CONFLICT');
    // After the end, the same person may serve again, in another team.
    await record('MEDIA_OBSERVER', 'officer-1', '李体验', '2027-01-01');
  });

  it.each(transports)('lists the memberships by team, paginated, for the command office only (%s)', async (via) => {
    const page = (await ok(docs.members, office, {}, via)).observerMemberships;
    expect(page.totalCount).toBe(5);
    const next = (await ok(docs.members, office, { after: page.pageInfo.endCursor }, via)).observerMemberships;
    const last = (await ok(docs.members, office, { after: next.pageInfo.endCursor }, via)).observerMemberships;
    const all = [...page.edges, ...next.edges, ...last.edges].map((e: any) => [e.node.team, e.node.subject]);
    expect(all).toEqual([
      ['EXPERIENCE_OFFICER', 'officer-1'],
      ['EXPERIENCE_OFFICER', 'officer-2'],
      ['EXPERT_COMMITTEE', 'expert-1'],
      ['MEDIA_OBSERVER', 'reporter-1'],
      ['MEDIA_OBSERVER', 'officer-1'],
    ]);
    expect(last.pageInfo.hasNextPage).toBe(false);
    const media = (await ok(docs.members, office, { team: 'MEDIA_OBSERVER' }, via)).observerMemberships;
    expect(media.totalCount).toBe(2);
    for (const [as, expected] of [
      [taxAdmin, 'FORBIDDEN'],
      [expert, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(await code(via, docs.members, as)).toBe(expected);
      expect(await code(via, docs.teams, as)).toBe(expected);
    }
  });
});

describe('a member’s report', () => {
  it('becomes an UNDERCOVER_VISIT issue recorded with the team and the member, in one step; a retry is the same', async () => {
    const before = await counts();
    const input = finding('办税服务厅叫号系统故障无人处理');
    const { reportIssue } = await ok(docs.report, expert, { input });
    expect(reportIssue).toMatchObject({
      source: 'UNDERCOVER_VISIT',
      status: 'SUBMITTED',
      observerReport: { team: 'EXPERT_COMMITTEE', membership: { id: ids.expert, name: '王教授', team: 'EXPERT_COMMITTEE' } },
    });
    ids.expertIssue = reportIssue.id;
    const again = (await ok(docs.report, expert, { input }, 'issues subgraph')).reportIssue;
    expect(again.id).toBe(reportIssue.id);
    expect(await counts()).toEqual({ ...before, issues: before!.issues + 1, reports: before!.reports + 1 });
  });

  it('counts for the team serving on the day; an observer on no team reports as before, unattributed', async () => {
    clock.advance(HOUR);
    ids.reporterIssue = (await ok(docs.report, reporter, { input: finding('政务大厅导办人员不主动') })).reportIssue.id;
    ids.reporterIssue2 = (await ok(docs.report, reporter, { input: finding('自助终端长期故障') }, 'issues subgraph')).reportIssue.id;
    ids.officerIssue = (await ok(docs.report, officer, { input: finding('体验：企业开办线上填报反复退回') })).reportIssue.id;
    const loose = (await ok(docs.report, outsider, { input: finding('未登记观察员的报告') })).reportIssue;
    expect(loose.observerReport).toBeNull();
    // A unit's own report is no team's either.
    const before = await counts();
    for (const via of transports) {
      expect(await code(via, docs.report, expert, { input: { ...finding('走错渠道'), source: 'SELF_INSPECTION' } })).toBe('FORBIDDEN');
    }
    expect(await counts()).toEqual(before);
  });

  it('is read by the command office and its reporter only', async () => {
    expect((await ok(docs.issue, office, { id: ids.expertIssue })).issue.observerReport).toEqual({
      team: 'EXPERT_COMMITTEE',
      membership: { subject: 'expert-1' },
    });
    expect((await ok(docs.issue, expert, { id: ids.expertIssue })).issue.observerReport.team).toBe('EXPERT_COMMITTEE');
    for (const via of transports) {
      const mine = (await ok(docs.reports, reporter, {}, via)).observerReports;
      expect(mine.totalCount).toBe(2);
      expect(mine.edges.map((e: any) => e.node.issue.id).sort()).toEqual([ids.reporterIssue, ids.reporterIssue2].sort());
      expect(mine.edges.every((e: any) => e.node.membership.subject === 'reporter-1')).toBe(true);
      // Asking for another team's reports gives an observer still only their own: none there.
      expect((await ok(docs.reports, reporter, { team: 'EXPERT_COMMITTEE' }, via)).observerReports.totalCount).toBe(0);
      expect((await ok(docs.reports, office, {}, via)).observerReports.totalCount).toBe(4);
      expect((await ok(docs.reports, office, { team: 'MEDIA_OBSERVER' }, via)).observerReports.totalCount).toBe(2);
      for (const [as, expected] of [
        [taxAdmin, 'FORBIDDEN'],
        [enterprise, 'FORBIDDEN'],
        ['ANONYMOUS', 'UNAUTHENTICATED'],
      ] as [Caller, string][]) {
        expect(await code(via, docs.reports, as)).toBe(expected);
      }
    }
  });
});

describe('the teams’ figures', () => {
  it('count per team the reports filed, the issues they led to and the rectified, for the command office', async () => {
    await ok(docs.accept, office, { id: ids.reporterIssue });
    await ok(docs.reject, office, { id: ids.reporterIssue2 });
    await ok(docs.accept, office, { id: ids.officerIssue });
    await ok(docs.assign, office, { id: ids.officerIssue, unitId: TAX });
    await ok(docs.resolve, taxAdmin, { id: ids.officerIssue });
    expect((await ok(docs.close, office, { id: ids.officerIssue })).closeIssue.status).toBe('CLOSED');
    const { observerTeams } = await ok(docs.teams, office, { p: { from: '2026-12-01', to: '2026-12-31' } });
    expect(observerTeams).toEqual([
      {
        team: 'EXPERT_COMMITTEE',
        name: '营商环境专家委员会',
        plannedMembers: 20,
        activeMembers: 1,
        reportsFiled: 1,
        issuesAccepted: 0,
        issuesRectified: 0,
      },
      {
        team: 'MEDIA_OBSERVER',
        name: '媒体观察员',
        plannedMembers: 12,
        activeMembers: 1,
        reportsFiled: 2,
        issuesAccepted: 1,
        issuesRectified: 0,
      },
      {
        team: 'EXPERIENCE_OFFICER',
        name: '市场主体体验官',
        plannedMembers: 56,
        activeMembers: 1,
        reportsFiled: 1,
        issuesAccepted: 1,
        issuesRectified: 1,
      },
    ]);
    const november = (await ok(docs.teams, office, { p: { from: '2026-11-01', to: '2026-11-30' } }, 'issues subgraph')).observerTeams;
    expect(november.map((r: any) => r.reportsFiled)).toEqual([0, 0, 0]);
  });
});
