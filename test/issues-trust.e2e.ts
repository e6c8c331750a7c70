/**
 * Issue #8's numbered problems, one `describe` each: figures the command office can trust, tried as
 * a bureau and the command office use the platform on 2026-11-23. Each test failed on the code
 * before the change and passes after. Real PostgreSQL, through the gateway (and PGlite where the
 * problem was PGlite's single connection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { openPglite } from '../db/client.ts';
import { startPlatform, type Platform } from '../bin/platform.ts';
import { loadEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';
import { post, startTestPlatform, tokenFor, type Caller, type TestPlatform } from './support/platform.ts';
import { HOUR, TestClock } from './support/clock.ts';
import { act, appealAt, callers, ISSUE_FIELDS, mutations, reportIssue, requestId, submitAppeal, unit } from './support/issues.ts';

/** Monday 23 November 2026, the day the issue was written. */
const TODAY = '2026-11-23T09:00:00+08:00';
const clock = new TestClock(TODAY);
const warnings: { msg: string; check?: string }[] = [];
let t: TestPlatform;

beforeAll(async () => {
  const logger = createLogger({
    level: 'warn',
    destination: { write: (line: string) => void warnings.push(JSON.parse(line) as { msg: string; check?: string }) },
  });
  t = await startTestPlatform({ now: clock.now, logger });
});
afterAll(async () => {
  await t?.stop();
});

const MARKET = unit('MARKET_REGULATION_BUREAU');
const TAX = unit('TAXATION_BUREAU');
const taxAdmin = { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU' } as const satisfies Caller;
const stage = (issue: any, name: string, round = 1) =>
  issue.deadlines.find((d: any) => d.stage === name && d.round === round && d.state !== 'CANCELLED');
const readIssue = async (id: string, as: Caller = callers.office, fields = ISSUE_FIELDS) => {
  const response = await t.query(`query($id: ID!) { issue(id: $id) { ${fields} } }`, { as, variables: { id } });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data.issue;
};
const day = (date: string) => ({ from: date, to: date });
async function unitStats(
  unitId: string,
  period: { from: string; to: string },
  fields = 'received overdueNow rates { rate numerator denominator value }',
) {
  const response = await t.query(`query($id: ID!, $p: PeriodInput) { unit(id: $id) { issueStats(period: $p) { ${fields} } } }`, {
    as: callers.office,
    variables: { id: unitId, p: period },
  });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data.unit.issueStats;
}
const rateOf = (stats: any, rate: string) => stats.rates.find((r: any) => r.rate === rate);
async function alertsOf(unitId: string) {
  const response = await t.query(
    `query($u: ID) { issueAlerts(unitId: $u, first: 100) { totalCount edges { node { issue { id } deadline { stage state } } } } }`,
    {
      as: callers.office,
      variables: { u: unitId },
    },
  );
  expect(response.errors).toBeUndefined();
  return response.data.issueAlerts;
}

describe('1. 2026 has a calendar, and a year without one still has due times', () => {
  it('gives an appeal received today real due times, turns it yellow and red, and counts it', async () => {
    clock.set('2026-11-23T10:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED');
    expect(issue.deadlines.map((d: any) => [d.stage, d.dueAt, d.provisional])).toEqual([
      ['CONTACT', '2026-11-23T12:00:00+08:00', false],
      ['FEEDBACK', '2026-11-25T00:00:00+08:00', false],
      ['RESOLUTION', '2026-12-15T00:00:00+08:00', false],
    ]);
    clock.set('2026-11-23T11:40:00+08:00');
    expect((await alertsOf(MARKET)).edges.map((e: any) => e.node)).toContainEqual({
      issue: { id: issue.id },
      deadline: { stage: 'CONTACT', state: 'WARNING' },
    });
    clock.set('2026-11-24T09:00:00+08:00');
    expect((await alertsOf(MARKET)).edges.map((e: any) => e.node)).toContainEqual({
      issue: { id: issue.id },
      deadline: { stage: 'CONTACT', state: 'OVERDUE' },
    });
    const stats = await unitStats(MARKET, day('2026-11-23'));
    expect(stats.overdueNow).toBe(1);
    expect(rateOf(stats, 'RESPONSE')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
  });

  it('warns on /ready and at start when a year that deadlines reach has no calendar', async () => {
    // At start (2026-11-23), a 30-working-day limit runs into 2027, which no notice has given yet.
    expect(warnings.some((w) => w.check === 'calendar' && w.msg.includes('2027'))).toBe(true);
    clock.set('2027-12-01T10:00:00+08:00');
    const ready = (await (await fetch(`${t.platform.subgraphs.issues!.url}ready`)).json()) as {
      status: string;
      checks: Record<string, string>;
    };
    expect(ready.status).toBe('ready');
    expect(ready.checks.calendar).toMatch(/^warning: .*2027, 2028/);
    const gateway = (await (await fetch(`${t.gatewayUrl}ready`)).json()) as { status: string; checks: Record<string, string> };
    expect(gateway.status).toBe('ready');
    expect(gateway.checks['issues.calendar']).toMatch(/^warning: .*2027, 2028/);
  });

  it('recomputes deadlines met while their year was missing when the year is entered, and the work then counts', async () => {
    clock.set('2027-02-04T10:00:00+08:00'); // Thursday; 2027 has no calendar yet
    const issue = await appealAt(t, 'ASSIGNED');
    await mutations.contact(t, callers.marketStaff, issue.id);
    clock.set('2027-02-08T10:00:00+08:00'); // Monday
    const answered = (await mutations.feedback(t, callers.marketStaff, issue.id)).data;
    // Provisionally, one working day after Thursday is Friday: the feedback came late.
    expect(stage(answered, 'FEEDBACK')).toMatchObject({ dueAt: '2027-02-06T00:00:00+08:00', provisional: true, state: 'MET_LATE' });
    expect(rateOf(await unitStats(MARKET, day('2027-02-04')), 'FEEDBACK')).toMatchObject({ numerator: 0, denominator: 1 });

    const entered = await t.query(`mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`, {
      as: callers.office,
      variables: {
        input: {
          year: 2027,
          notice: '2027 年部分节假日安排（测试数据）',
          off: [
            '2027-01-01',
            '2027-02-05',
            '2027-02-06',
            '2027-02-07',
            '2027-02-08',
            '2027-02-09',
            '2027-02-10',
            '2027-02-11',
            '2027-02-12',
            '2027-02-13',
          ],
          workdays: ['2027-02-14', '2027-02-20'],
        },
      },
    });
    expect(entered.errors).toBeUndefined();
    const after = await readIssue(issue.id);
    // Friday was a holiday: the first working day after Thursday is Sunday 2-14 (调休). The feedback was on time.
    expect(stage(after, 'FEEDBACK')).toMatchObject({ dueAt: '2027-02-15T00:00:00+08:00', provisional: false, state: 'MET' });
    expect(rateOf(await unitStats(MARKET, day('2027-02-04')), 'FEEDBACK')).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
  });
});

describe('2. a unit cannot erase its own lateness by re-planning', () => {
  it('refuses the unit’s re-plan of an overdue, escalated rectification; a granted one keeps the missed milestone counted', async () => {
    clock.set(TODAY);
    const { data } = await reportIssue(t, callers.taxStaff, { source: 'SELF_INSPECTION', title: '自查：办税大厅叫号系统故障频发' });
    const id = data.reportIssue.id;
    await mutations.accept(t, callers.office, id, {
      rectificationMode: 'ONGOING',
      milestones: [
        { title: '更换叫号系统', dueOn: '2026-11-30' },
        { title: '上线预约办税', dueOn: '2026-12-20' },
      ],
    });
    await mutations.assign(t, callers.office, id, TAX);
    await mutations.escalate(t, callers.office, id);
    clock.set('2026-12-02T10:00:00+08:00'); // the first milestone is two days overdue
    const alertsBefore = await alertsOf(TAX);
    expect(alertsBefore.edges.map((e: any) => [e.node.issue.id, e.node.deadline.stage, e.node.deadline.state])).toContainEqual([
      id,
      'MILESTONE',
      'OVERDUE',
    ]);
    const statsBefore = await unitStats(TAX, day('2026-11-23'));
    expect(statsBefore.overdueNow).toBe(1);

    const moved = await act(t, callers.taxStaff, 'planMilestones', { id, milestones: [{ title: '全部完成', dueOn: '2027-06-30' }] });
    expect(moved.code).toBe('INVALID_TRANSITION');
    expect(await alertsOf(TAX)).toEqual(alertsBefore);
    expect(await unitStats(TAX, day('2026-11-23'))).toEqual(statsBefore);

    // Asked for and granted: the plan moves, the missed milestone stays missed and counts.
    expect(
      (await act(t, taxAdmin, 'requestReplan', { id, milestones: [{ title: '全部完成', dueOn: '2027-06-30' }], reason: '设备到货延迟' }))
        .errors,
    ).toBeUndefined();
    clock.advance(HOUR);
    const granted = (await act(t, callers.office, 'decideReplan', { id, note: '同意，须说明延误原因' })).data;
    expect(granted.deadlines.filter((d: any) => d.stage === 'MILESTONE').map((d: any) => [d.title, d.state])).toEqual([
      ['更换叫号系统', 'LAPSED'],
      ['上线预约办税', 'CANCELLED'],
      ['全部完成', 'ON_TIME'],
    ]);
    expect(rateOf(await unitStats(TAX, day('2026-11-23')), 'ON_TIME_MILESTONE')).toMatchObject({ numerator: 0, denominator: 1 });
  });
});

describe('3. merging keeps what was late', () => {
  it('keeps an overdue contact of a merged duplicate on record as missed, and in the response rate', async () => {
    clock.set('2026-11-24T09:00:00+08:00');
    const late = await appealAt(t, 'ASSIGNED');
    clock.set('2026-11-24T15:00:00+08:00'); // its contact was due at 11:00
    const newer = await appealAt(t, 'ACCEPTED', { as: callers.enterpriseB });
    const merged = (await mutations.merge(t, callers.office, late.id, newer.id)).data;
    expect(merged.status).toBe('MERGED');
    expect(merged.deadlines.find((d: any) => d.stage === 'CONTACT').state).toBe('LAPSED');
    expect(merged.deadlines.filter((d: any) => d.stage !== 'CONTACT').map((d: any) => d.state)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(rateOf(await unitStats(MARKET, day('2026-11-24')), 'RESPONSE')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
  });
});

describe('4. only the enterprise rates its own appeal', () => {
  it('refuses the command office’s rating, lets the enterprise’s reopen, says who rated, and keeps the first round’s 不满意', async () => {
    clock.set('2026-11-25T09:00:00+08:00');
    const issue = await appealAt(t, 'RESOLVED');
    expect((await mutations.rate(t, callers.office, issue.id, 'SATISFIED', true)).code).toBe('FORBIDDEN');
    const reopened = await mutations.rate(t, callers.enterpriseA, issue.id, 'UNSATISFIED', false);
    expect(reopened.data).toMatchObject({ status: 'REOPENED', reopenCount: 1 });
    const RATING = 'rating { round rating solved by { subject role } } ratings { round rating }';
    expect((await readIssue(issue.id, callers.office, RATING)).rating).toEqual({
      round: 1,
      rating: 'UNSATISFIED',
      solved: false,
      by: { subject: `test-enterprise-${(callers.enterpriseA as { enterprise: string }).enterprise}`, role: 'ENTERPRISE' },
    });
    await mutations.resolve(t, callers.marketStaff, issue.id);
    await mutations.rate(t, callers.enterpriseA, issue.id, 'SATISFIED', true);
    expect((await readIssue(issue.id, callers.office, RATING)).ratings).toEqual([
      { round: 1, rating: 'UNSATISFIED' },
      { round: 2, rating: 'SATISFIED' },
    ]);
    const stats = await unitStats(
      MARKET,
      day('2026-11-25'),
      'rated satisfactionRate firstRoundSatisfactionRate firstRoundResolutionRate resolutionRate',
    );
    expect(stats).toEqual({ rated: 1, satisfactionRate: 1, resolutionRate: 1, firstRoundSatisfactionRate: 0, firstRoundResolutionRate: 0 });
  });
});

describe('5. identity and internal notes stay where they belong', () => {
  const HISTORY = 'history { action note noteFor actor { subject role unit { id } } }';
  const policeStaff = { role: 'UNIT_STAFF', unit: 'PUBLIC_SECURITY_BUREAU' } as const satisfies Caller;
  const politicsLead = callers.politicsLeadStaff;

  it('never shows the reporting enterprise’s account to the handling unit or its lead unit on rating and reopening', async () => {
    clock.set('2026-11-26T09:00:00+08:00');
    const staff = { staff: policeStaff, unitCode: 'PUBLIC_SECURITY_BUREAU' };
    const rated = await appealAt(t, 'RESOLVED', staff);
    await mutations.rate(t, callers.enterpriseA, rated.id, 'UNSATISFIED', false); // RATE_AND_REOPEN
    const reopened = await appealAt(t, 'RESOLVED', { ...staff, as: callers.enterpriseB });
    await mutations.rate(t, callers.enterpriseB, reopened.id, 'SATISFIED', true); // RATE
    await mutations.reopen(t, callers.enterpriseB, reopened.id); // REOPEN
    for (const id of [rated.id, reopened.id]) {
      for (const viewer of [policeStaff, politicsLead]) {
        const events = (await readIssue(id, viewer, HISTORY)).history.filter((e: any) =>
          ['SUBMIT', 'RATE', 'RATE_AND_REOPEN', 'REOPEN'].includes(e.action),
        );
        expect(events.length).toBeGreaterThanOrEqual(2);
        for (const event of events)
          expect(event.actor, `${event.action} as ${JSON.stringify(viewer)}`).toMatchObject({ subject: null, role: 'ENTERPRISE' });
      }
      const byOffice = (await readIssue(id, callers.office, HISTORY)).history.filter((e: any) => e.actor.role === 'ENTERPRISE');
      expect(byOffice.every((e: any) => e.actor.subject?.startsWith('test-enterprise-'))).toBe(true);
    }
  });

  it('does not tell a unit which other unit reported a problem it handles', async () => {
    clock.set('2026-11-26T10:00:00+08:00');
    const { data } = await reportIssue(t, callers.taxStaff, { source: 'SELF_INSPECTION', title: '自查发现：市场主体登记窗口材料要求不一' });
    const id = data.reportIssue.id;
    await mutations.accept(t, callers.office, id, { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 5 });
    await mutations.assign(t, callers.office, id, MARKET);
    const seenByMarket = (await readIssue(id, callers.marketStaff, HISTORY)).history[0];
    expect(seenByMarket).toMatchObject({ action: 'SUBMIT', actor: { subject: null, unit: null } });
    expect((await readIssue(id, callers.office, HISTORY)).history[0].actor.unit).toEqual({ id: TAX });
    expect((await readIssue(id, callers.taxStaff, HISTORY)).history[0].actor.unit).toEqual({ id: TAX });
  });

  it('shows an enterprise neither internal notes nor officials’ accounts, and the answers meant for it', async () => {
    clock.set('2026-11-26T11:00:00+08:00');
    const issue = await appealAt(t, 'ACCEPTED');
    await act(t, callers.office, 'assignIssue', { id: issue.id, unitId: MARKET, note: '派税务' });
    await act(t, callers.marketAdmin, 'returnIssue', { id: issue.id, reason: '涉及税务事项，不属本局' });
    await act(t, callers.office, 'assignIssue', { id: issue.id, unitId: TAX, note: '转税务局' });
    await act(t, callers.taxStaff, 'recordContact', { id: issue.id, note: '已约企业明日面谈', noteFor: 'ENTERPRISE' });
    await act(t, callers.taxStaff, 'giveFeedback', { id: issue.id, note: '已受理，三日内答复' });
    const history = (await readIssue(issue.id, callers.enterpriseA, HISTORY)).history;
    expect(history.map((e: any) => [e.action, e.note, e.noteFor])).toEqual([
      ['SUBMIT', null, null],
      ['ACCEPT', null, null],
      ['ASSIGN', null, 'INTERNAL'],
      ['RETURN', null, 'INTERNAL'],
      ['REASSIGN', null, 'INTERNAL'],
      ['CONTACT', '已约企业明日面谈', 'ENTERPRISE'],
      ['FEEDBACK', '已受理，三日内答复', 'ENTERPRISE'],
    ]);
    expect(history.filter((e: any) => e.action !== 'SUBMIT').every((e: any) => e.actor.subject === null)).toBe(true);
    const body = JSON.stringify(await readIssue(issue.id, callers.enterpriseA, `${ISSUE_FIELDS} ${HISTORY}`));
    expect(body).not.toContain('派税务');
    expect(body).not.toContain('不属本局');
    expect(body).not.toContain('test-unit_staff');
    // Government still reads them.
    expect(JSON.stringify(await readIssue(issue.id, callers.taxStaff, HISTORY))).toContain('派税务');
  });
});

describe('6. a retried submission returns the first result', () => {
  it('returns the same issue for the same submitAppeal sent again an hour and then three days later', async () => {
    clock.set('2026-11-27T09:00:00+08:00');
    const input = { clientRequestId: requestId('retry-later') };
    const first = await submitAppeal(t, callers.enterpriseA, input);
    clock.advance(HOUR);
    const again = await submitAppeal(t, callers.enterpriseA, input);
    clock.advance(72 * HOUR);
    const later = await submitAppeal(t, callers.enterpriseA, input);
    expect([again.id, later.id]).toEqual([first.id, first.id]);
    expect(later.history.map((e: any) => e.action)).toEqual(['SUBMIT']);
    // Different content under the same id is still a different request.
    const other = await t.query(`mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id } }`, {
      as: callers.enterpriseA,
      variables: { input: { ...input, kind: 'HELP', environment: 'SERVICE', title: '另一件事', description: '内容不同' } },
    });
    expect(other.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('7. no network call inside a transaction; archiving takes effect at once', () => {
  const CREATE = `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`;

  it('assigns to a unit created a moment ago on the embedded database, without waiting on the directory', async () => {
    const database = await openPglite();
    let platform: Platform | undefined;
    try {
      platform = await startPlatform({
        env: loadEnv({ DEVELOPMENT_MODE: 'true', LOAD_SAMPLE_DATA: 'false' }, slices),
        database,
        ephemeralPorts: true,
        now: clock.now,
      });
      const ask = async (query: string, as: Caller, variables: Record<string, unknown> = {}) =>
        post<any>(platform!.gateway.url, { query, variables }, await tokenFor(as));
      clock.set('2026-11-27T10:00:00+08:00');
      const submitted = await ask(`mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id } }`, callers.enterpriseA, {
        input: {
          clientRequestId: requestId('pglite'),
          kind: 'HELP',
          environment: 'SERVICE',
          title: '新设单位办理',
          description: '派给刚设立的单位',
        },
      });
      const id = submitted.data.submitAppeal.id;
      // Accepting it loads the directory into the issues subgraph's copy.
      expect((await ask(`mutation($id: ID!) { acceptIssue(id: $id) { status } }`, callers.office, { id })).data.acceptIssue.status).toBe(
        'ACCEPTED',
      );
      const created = await ask(CREATE, callers.office, {
        input: { code: 'NEW_SERVICE_CENTER', name: '市企业服务中心（新设）', kind: 'OTHER', level: 'CITY' },
      });
      const newUnit = created.data.createUnit.id;
      const assigned = await ask(
        `mutation($id: ID!, $u: ID!) { assignIssue(id: $id, unitId: $u) { status responsibleUnit { id name } } }`,
        callers.office,
        { id, u: newUnit },
      );
      expect(assigned.errors).toBeUndefined();
      expect(assigned.data.assignIssue).toEqual({ status: 'ASSIGNED', responsibleUnit: { id: newUnit, name: '市企业服务中心（新设）' } });
    } finally {
      await platform?.stop();
      await database.close();
    }
  });

  it('refuses an archived unit’s staff at once, in every slice', async () => {
    clock.set('2026-11-27T14:00:00+08:00');
    const created = await t.query(CREATE, {
      as: callers.office,
      variables: { input: { code: 'TEMPORARY_TASK_FORCE', name: '临时专班', kind: 'OTHER', level: 'CITY' } },
    });
    const taskForce = created.data.createUnit.id;
    const member = { role: 'UNIT_STAFF', unitId: taskForce, subject: 'task-force-member' } as const satisfies Caller;
    const issue = await appealAt(t, 'ACCEPTED');
    await mutations.assign(t, callers.office, issue.id, taskForce);
    expect((await readIssue(issue.id, member, 'id status')).status).toBe('ASSIGNED'); // its unit is known and active
    const archived = await t.query(`mutation($id: ID!) { archiveUnit(id: $id, reason: "专班撤销") { archived } }`, {
      as: callers.office,
      variables: { id: taskForce },
    });
    expect(archived.data.archiveUnit.archived).toBe(true);
    const refused = await mutations.contact(t, member, issue.id);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(refused.code);
    expect((await readIssue(issue.id)).status).toBe('ASSIGNED');
    expect((await reportIssue(t, member, { source: 'SELF_INSPECTION' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('8. an enterprise not yet in the registry', () => {
  it('resolves as an unregistered enterprise, with the district its credit code names, as does the appeal', async () => {
    clock.set('2026-11-27T15:00:00+08:00');
    const newcomer = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370215', 987) } as const satisfies Caller;
    const appeal = await submitAppeal(t, newcomer, { districtCode: null });
    const seen = await readIssue(
      appeal.id,
      callers.office,
      'district { code } enterprise { creditCode registered name district { code name } }',
    );
    expect(seen).toEqual({
      district: { code: '370215' },
      enterprise: { creditCode: newcomer.enterprise, registered: false, name: null, district: { code: '370215', name: '即墨区' } },
    });
    // The enterprise sees itself; another enterprise does not.
    const own = await t.query(`{ viewer { enterprise { creditCode registered } } }`, { as: newcomer });
    expect(own.data.viewer.enterprise).toEqual({ creditCode: newcomer.enterprise, registered: false });
  });
});

describe('9. permissions answer one way', () => {
  it('refuses an unrelated unit Unit.issues, Unit.issueAlerts and Unit.issueStats alike, never a silent 0', async () => {
    const doc = (field: string) => `{ unit(code: "HUANGDAO_DISTRICT") { ${field} } }`;
    for (const field of [
      'issueStats { received }',
      'issues { totalCount }',
      'issueAlerts { totalCount }',
      'supervisionOutcomes { totalCount }',
    ]) {
      const response = await t.query(doc(field), { as: callers.taxStaff });
      expect(response.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
      expect(response.data?.unit?.[field.split(' ')[0]!] ?? null, field).toBeNull();
    }
    const huangdao = unit('HUANGDAO_DISTRICT');
    const alerts = await t.query(`query($u: ID) { issueAlerts(unitId: $u) { totalCount } }`, {
      as: callers.taxStaff,
      variables: { u: huangdao },
    });
    expect(alerts.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const listed = await t.query(`query($u: ID) { issues(filter: { unitId: $u }) { totalCount } }`, {
      as: callers.taxStaff,
      variables: { u: huangdao },
    });
    expect(listed.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses a reminder on an issue that has no handling unit', async () => {
    clock.set('2026-11-30T09:00:00+08:00');
    const waiting = await submitAppeal(t);
    clock.advance(48 * HOUR);
    const reminded = await mutations.remind(t, callers.office, waiting.id);
    expect(reminded.code).toBe('INVALID_TRANSITION');
    expect((await readIssue(waiting.id)).reminderCount).toBe(0);
  });

  it('starts a new supervision on re-escalation, takes an issue off supervision, and lists only what is supervised now', async () => {
    clock.set('2026-12-01T09:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED');
    await mutations.escalate(t, callers.office, issue.id);
    const supervised = async () =>
      (
        await t.query(`{ issues(filter: { escalated: true }, first: 100) { edges { node { id } } } }`, { as: callers.office })
      ).data.issues.edges.map((e: any) => e.node.id);
    expect(await supervised()).toContain(issue.id);
    clock.advance(HOUR);
    const off = await act(t, callers.office, 'deescalateIssue', { id: issue.id, note: '已取得进展，摘牌' });
    expect(off.errors).toBeUndefined();
    expect(await supervised()).not.toContain(issue.id);
    expect((await act(t, callers.marketAdmin, 'deescalateIssue', { id: issue.id })).code).toBe('FORBIDDEN');
    clock.set('2026-12-03T09:00:00+08:00');
    await mutations.escalate(t, callers.office, issue.id);
    const again = await readIssue(issue.id, callers.office, 'escalation { escalatedAt active endedAt } history { action }');
    expect(again.escalation).toEqual({ escalatedAt: '2026-12-03T09:00:00+08:00', active: true, endedAt: null });
    expect(again.history.map((e: any) => e.action).filter((a: string) => a.includes('ESCALATE'))).toEqual([
      'ESCALATE',
      'DEESCALATE',
      'ESCALATE',
    ]);
    expect(await supervised()).toContain(issue.id);
    // 销号 ends the supervision: a closed issue is no longer listed as supervised.
    await mutations.contact(t, callers.marketStaff, issue.id);
    await mutations.feedback(t, callers.marketStaff, issue.id);
    await mutations.resolve(t, callers.marketStaff, issue.id);
    await mutations.close(t, callers.office, issue.id);
    expect(await supervised()).not.toContain(issue.id);
  });
});

describe('10. sample data opens on a live board', () => {
  it('dates the sample issues relative to the day they are loaded', async () => {
    const today = new Date('2026-11-23T16:00:00+08:00');
    const sample = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' }, now: () => today });
    try {
      const listed = await sample.query(`{ issues(first: 100) { edges { node { receivedAt sample } } } }`, { as: callers.office });
      const received = listed.data.issues.edges.map((e: any) => new Date(e.node.receivedAt).getTime());
      expect(received.length).toBeGreaterThanOrEqual(10);
      expect(listed.data.issues.edges.every((e: any) => e.node.sample)).toBe(true);
      expect(Math.max(...received)).toBeLessThanOrEqual(today.getTime());
      expect(Math.min(...received)).toBeGreaterThan(today.getTime() - 90 * 24 * HOUR);
      const alerts = await sample.query(`{ issueAlerts(first: 100) { edges { node { deadline { state dueAt } } } } }`, {
        as: callers.office,
      });
      const states = alerts.data.issueAlerts.edges.map((e: any) => e.node.deadline);
      expect(states.map((d: any) => d.state)).toEqual(expect.arrayContaining(['OVERDUE', 'WARNING']));
      // Nothing on the board is years old: the oldest alert came due within the last week.
      expect(Math.min(...states.map((d: any) => new Date(d.dueAt).getTime()))).toBeGreaterThan(today.getTime() - 7 * 24 * HOUR);
    } finally {
      await sample.stop();
    }
  });
});
