import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { HOUR, MINUTE, TestClock } from './support/clock.ts';
import { ISSUE_FIELDS, act, appealAt, callers, expectKeptFiguresRebuildable, mutations, reportIssue, unit } from './support/issues.ts';

const clock = new TestClock();
let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

const readIssue = async (id: string, as = callers.office) =>
  (await t.query(`query($id: ID!) { issue(id: $id) { ${ISSUE_FIELDS} } }`, { as, variables: { id } })).data.issue;
const stage = (issue: any, name: string, round = 1) => issue.deadlines.find((d: any) => d.stage === name && d.round === round);

describe('青诉即办 time limits, counted from the handling unit’s receipt', () => {
  it('gives an appeal received before the National Day holiday its three due times in Beijing time', async () => {
    clock.set('2023-09-28T10:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED');
    expect(issue.receivedAt).toBe('2023-09-28T10:00:00+08:00');
    expect(stage(issue, 'CONTACT')).toMatchObject({ dueAt: '2023-09-28T12:00:00+08:00', hours: 2, state: 'ON_TIME' });
    // 1 working day: 9-29 … 10-06 are off, Saturday 10-07 is an adjusted working day.
    expect(stage(issue, 'FEEDBACK')).toMatchObject({ dueAt: '2023-10-08T00:00:00+08:00', workingDays: 1, state: 'ON_TIME' });
    expect(stage(issue, 'RESOLUTION')).toMatchObject({ dueAt: '2023-10-26T00:00:00+08:00', workingDays: 15, state: 'ON_TIME' });
  });

  it('turns yellow at 80% of the allowed time, red when it passes, and records a late contact as MET_LATE', async () => {
    clock.set('2023-09-28T10:00:00+08:00');
    const { id } = await appealAt(t, 'ASSIGNED');
    clock.set('2023-09-28T11:30:00+08:00');
    expect(stage(await readIssue(id), 'CONTACT').state).toBe('ON_TIME');
    clock.set('2023-09-28T11:40:00+08:00');
    expect(stage(await readIssue(id), 'CONTACT')).toMatchObject({ state: 'WARNING', warnAt: '2023-09-28T11:36:00+08:00' });
    clock.set('2023-09-28T12:00:00+08:00');
    expect(stage(await readIssue(id), 'CONTACT').state).toBe('OVERDUE');
    clock.advance(30 * MINUTE);
    const contacted = (await mutations.contact(t, callers.marketStaff, id)).data;
    expect(stage(contacted, 'CONTACT')).toMatchObject({ state: 'MET_LATE', metAt: '2023-09-28T12:30:00+08:00' });
    expect(stage(contacted, 'FEEDBACK').state).toBe('ON_TIME');
  });

  it('warns at 80% of the working time, within office hours of a working day, never at night or on a holiday (#21)', async () => {
    clock.set('2026-09-30T16:00:00+08:00'); // Wednesday before the National Day block (10-01 … 10-07 off)
    const issue = await appealAt(t, 'ASSIGNED');
    expect(issue.deadlines.map((d: any) => [d.stage, d.warnAt, d.dueAt])).toEqual([
      // 2 office hours: 1.5 left on Wednesday, then 08:30 on Thursday 10-08; 80% is 96 office minutes.
      ['CONTACT', '2026-10-08T08:36:00+08:00', '2026-10-08T09:00:00+08:00'],
      // 1 working day (10-08): 80% of its 7.5 office hours is 6, so 16:00 — not 08:00 on holiday 10-07.
      ['FEEDBACK', '2026-10-08T16:00:00+08:00', '2026-10-09T00:00:00+08:00'],
      // 15 working days (10-08, 10-09, Saturday 10-10, 10-12 …): 80% is 12 of them, so the close of the 12th, 10-22.
      ['RESOLUTION', '2026-10-22T17:30:00+08:00', '2026-10-28T00:00:00+08:00'],
    ]);
    const alerts = `{ issueAlerts(first: 50) { edges { node { issue { id } deadline { stage state } } } } }`;
    const alertsOf = async () =>
      (await t.query(alerts, { as: callers.office })).data.issueAlerts.edges
        .map((e: any) => e.node)
        .filter((n: any) => n.issue.id === issue.id);
    clock.set('2026-10-07T08:00:00+08:00'); // still the holiday: nothing is yellow yet
    expect(await alertsOf()).toEqual([]);
    clock.set('2026-10-08T15:59:00+08:00');
    expect((await alertsOf()).map((n: any) => n.deadline)).toEqual([{ stage: 'CONTACT', state: 'OVERDUE' }]);
    clock.set('2026-10-08T16:00:00+08:00');
    expect((await alertsOf()).map((n: any) => n.deadline)).toEqual([
      { stage: 'CONTACT', state: 'OVERDUE' },
      { stage: 'FEEDBACK', state: 'WARNING' },
    ]);
  });

  it('counts an imported 12345 record the hotline had dispatched from its original receipt by that unit', async () => {
    clock.set('2023-10-09T09:00:00+08:00');
    const { data, errors } = await reportIssue(t, callers.office, {
      source: 'HOTLINE_12345',
      appealKind: 'COMPLAINT',
      receivedAt: '2023-09-28T10:00:00+08:00',
      handlingUnitId: unit('MARKET_REGULATION_BUREAU'),
    });
    expect(errors).toBeUndefined();
    expect(data.reportIssue).toMatchObject({
      receivedAt: '2023-09-28T10:00:00+08:00',
      status: 'ASSIGNED',
      responsibleUnit: { id: unit('MARKET_REGULATION_BUREAU') },
    });
    expect(stage(data.reportIssue, 'CONTACT')).toMatchObject({
      dueAt: '2023-09-28T12:00:00+08:00',
      state: 'OVERDUE',
      unit: { id: unit('MARKET_REGULATION_BUREAU') },
    });
    expect(stage(data.reportIssue, 'RESOLUTION').dueAt).toBe('2023-10-26T00:00:00+08:00');
    // One it had not dispatched yet waits for the command office: no clock runs before a unit has it.
    const waiting = await reportIssue(t, callers.office, {
      source: 'HOTLINE_12345',
      appealKind: 'COMPLAINT',
      receivedAt: '2023-09-28T10:00:00+08:00',
    });
    expect(waiting.data.reportIssue).toMatchObject({ status: 'SUBMITTED', deadlines: [] });
  });

  it('gives an IMMEDIATE self-found problem the limit the command office sets, from the unit’s receipt', async () => {
    clock.set('2023-04-15T09:00:00+08:00'); // a Saturday
    const { data } = await reportIssue(t, callers.marketStaff, { source: 'SELF_INSPECTION', environment: 'MARKET' });
    expect(data.reportIssue.deadlines).toEqual([]);
    clock.set('2023-04-18T09:00:00+08:00');
    const accepted = (
      await mutations.accept(t, callers.office, data.reportIssue.id, { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 10 })
    ).data;
    expect(accepted.deadlines).toEqual([]);
    const assigned = (await mutations.assign(t, callers.office, data.reportIssue.id, unit('MARKET_REGULATION_BUREAU'))).data;
    // From Tuesday 4-18: 4-19 … 4-21, Sunday 4-23 (调休), 4-24 … 4-28, then the May Day block; the 10th is 5-4.
    expect(stage(assigned, 'RESOLUTION')).toMatchObject({ dueAt: '2023-05-05T00:00:00+08:00', workingDays: 10 });
  });
});

describe('alerts and reminders', () => {
  it('lists near-due and overdue deadlines for one unit and for all, earliest first', async () => {
    clock.set('2023-11-06T09:00:00+08:00');
    const early = await appealAt(t, 'ASSIGNED', { unitCode: 'TAXATION_BUREAU', staff: callers.taxStaff });
    clock.set('2023-11-06T09:30:00+08:00');
    const later = await appealAt(t, 'ASSIGNED', { unitCode: 'TAXATION_BUREAU', staff: callers.taxStaff });
    clock.set('2023-11-06T11:10:00+08:00'); // early's contact is overdue (11:00), later's warns from 11:06
    const query = `query($unitId: ID) { issueAlerts(unitId: $unitId, first: 10) { totalCount edges { node { issue { id } deadline { stage state } } } } }`;
    const forUnit = await t.query(query, { as: callers.taxStaff, variables: { unitId: unit('TAXATION_BUREAU') } });
    expect(forUnit.errors, JSON.stringify(forUnit.errors)).toBeUndefined();
    expect(forUnit.data.issueAlerts.edges.map((e: any) => [e.node.issue.id, e.node.deadline.stage, e.node.deadline.state])).toEqual([
      [early.id, 'CONTACT', 'OVERDUE'],
      [later.id, 'CONTACT', 'WARNING'],
    ]);
    const viaUnit = await t.query(`query($id: ID!) { unit(id: $id) { name issueAlerts { totalCount } } }`, {
      as: callers.taxStaff,
      variables: { id: unit('TAXATION_BUREAU') },
    });
    expect(viaUnit.data.unit).toEqual({ name: '市税务局', issueAlerts: { totalCount: 2 } });
    const forAll = await t.query(query, { as: callers.office });
    expect(forAll.data.issueAlerts.totalCount).toBeGreaterThanOrEqual(2);
    const overdue = await t.query(`{ issues(filter: { overdue: true, unitId: "${unit('TAXATION_BUREAU')}" }) { edges { node { id } } } }`, {
      as: callers.office,
    });
    expect(overdue.data.issues.edges.map((e: any) => e.node.id)).toEqual([early.id]);
  });

  it('lets the command office remind an overdue issue only, and keeps the reminder in the history', async () => {
    clock.set('2023-11-08T09:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED');
    const early = await mutations.remind(t, callers.office, issue.id);
    expect(early.code).toBe('INVALID_TRANSITION');
    clock.advance(3 * HOUR);
    expect((await mutations.remind(t, callers.marketAdmin, issue.id)).code).toBe('FORBIDDEN');
    const reminded = await mutations.remind(t, callers.office, issue.id);
    expect(reminded.errors).toBeUndefined();
    expect(reminded.data.reminderCount).toBe(1);
    expect(reminded.data.history.at(-1)).toMatchObject({
      action: 'REMIND',
      note: '请抓紧办理',
      fromStatus: 'ASSIGNED',
      toStatus: 'ASSIGNED',
    });
  });
});

describe('extensions', () => {
  it('extends the resolution limit to the granted total, visible to the enterprise', async () => {
    clock.set('2023-09-28T10:00:00+08:00');
    const issue = await appealAt(t, 'FEEDBACK_GIVEN');
    clock.set('2023-10-16T10:00:00+08:00');
    expect((await mutations.requestExtension(t, callers.marketStaff, issue.id, 25)).code).toBe('FORBIDDEN');
    expect((await mutations.requestExtension(t, callers.marketAdmin, issue.id, 31)).code).toBe('BAD_USER_INPUT');
    expect((await mutations.requestExtension(t, callers.marketAdmin, issue.id, 15)).code).toBe('BAD_USER_INPUT');
    const asked = await mutations.requestExtension(t, callers.marketAdmin, issue.id, 25);
    expect(asked.errors).toBeUndefined();
    expect(asked.data.extension).toEqual({ requestedWorkingDays: 25, pending: true, grantedWorkingDays: null });
    expect(stage(asked.data, 'RESOLUTION').dueAt).toBe('2023-10-26T00:00:00+08:00');
    expect((await mutations.requestExtension(t, callers.marketAdmin, issue.id, 20)).code).toBe('INVALID_TRANSITION');
    expect((await mutations.grantExtension(t, callers.marketAdmin, issue.id)).code).toBe('FORBIDDEN');

    const granted = await mutations.grantExtension(t, callers.office, issue.id);
    expect(granted.errors).toBeUndefined();
    expect(granted.data.extension).toEqual({ requestedWorkingDays: null, pending: false, grantedWorkingDays: 25 });
    // 25 working days from 2023-09-28: the 15th was 10-25, ten more end on 11-08.
    expect(stage(granted.data, 'RESOLUTION')).toMatchObject({ dueAt: '2023-11-09T00:00:00+08:00', workingDays: 25 });
    const seenByEnterprise = await readIssue(issue.id, callers.enterpriseA);
    expect(stage(seenByEnterprise, 'RESOLUTION').dueAt).toBe('2023-11-09T00:00:00+08:00');
    expect(granted.data.history.map((h: any) => h.action).slice(-2)).toEqual(['REQUEST_EXTENSION', 'GRANT_EXTENSION']);
  });

  it('refuses a request made after the deadline, and records a refusal without moving the date', async () => {
    clock.set('2023-09-28T10:00:00+08:00');
    const late = await appealAt(t, 'FEEDBACK_GIVEN');
    clock.set('2023-10-26T08:00:00+08:00');
    const refused = await mutations.requestExtension(t, callers.marketAdmin, late.id, 20);
    expect(refused.code).toBe('INVALID_TRANSITION');
    expect(refused.errors?.[0]?.extensions?.currentState).toBe('FEEDBACK_GIVEN');

    clock.set('2023-10-10T10:00:00+08:00');
    const other = await appealAt(t, 'FEEDBACK_GIVEN');
    await mutations.requestExtension(t, callers.marketAdmin, other.id, 20);
    const denied = await mutations.grantExtension(t, callers.office, other.id, false);
    expect(denied.data.extension).toBeNull();
    expect(stage(denied.data, 'RESOLUTION').workingDays).toBe(15);
    expect(denied.data.history.at(-1).action).toBe('REFUSE_EXTENSION');
  });
});

describe('a year missing from the calendar', () => {
  const YEAR_2027 = {
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
  };

  it('gives provisional due times (weekends only) instead of none, and recomputes open and met ones when the year is entered', async () => {
    clock.set('2027-02-04T10:00:00+08:00'); // a Thursday before the (test) Spring Festival block
    const issue = await appealAt(t, 'ASSIGNED');
    expect(issue.deadlines.map((d: any) => [d.stage, d.dueAt, d.provisional, d.state])).toEqual([
      // 2 office hours; 1 and 15 working days counted as if only weekends were off.
      ['CONTACT', '2027-02-04T12:00:00+08:00', true, 'ON_TIME'],
      ['FEEDBACK', '2027-02-06T00:00:00+08:00', true, 'ON_TIME'],
      ['RESOLUTION', '2027-02-26T00:00:00+08:00', true, 'ON_TIME'],
    ]);
    // The warnings are provisional as the due times are: 16:00 of Friday 2-05; the close of the 12th working day, 2-22.
    expect(issue.deadlines.map((d: any) => [d.stage, d.warnAt])).toEqual([
      ['CONTACT', '2027-02-04T11:36:00+08:00'],
      ['FEEDBACK', '2027-02-05T16:00:00+08:00'],
      ['RESOLUTION', '2027-02-22T17:30:00+08:00'],
    ]);
    const alerts = `{ issueAlerts(first: 50) { edges { node { issue { id } deadline { stage state provisional } } } } }`;
    clock.set('2027-02-05T09:00:00+08:00');
    const seen = (await t.query(alerts, { as: callers.office })).data.issueAlerts.edges
      .map((e: any) => e.node)
      .filter((n: any) => n.issue.id === issue.id);
    expect(seen).toEqual([{ issue: { id: issue.id }, deadline: { stage: 'CONTACT', state: 'OVERDUE', provisional: true } }]);
    await mutations.contact(t, callers.marketStaff, issue.id);

    const set = `mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year off workdays } }`;
    expect((await t.query(set, { as: callers.marketAdmin, variables: { input: YEAR_2027 } })).errors?.[0]?.extensions?.code).toBe(
      'FORBIDDEN',
    );
    const bad = await t.query(set, { as: callers.office, variables: { input: { ...YEAR_2027, workdays: ['2027-02-15'] } } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.workdays' });
    const saved = await t.query(set, { as: callers.office, variables: { input: YEAR_2027 } });
    expect(saved.errors).toBeUndefined();

    const after = await readIssue(issue.id, callers.enterpriseA);
    // The met contact keeps its time (10:00 + 2 office hours) but is final now.
    expect(stage(after, 'CONTACT')).toMatchObject({ dueAt: '2027-02-04T12:00:00+08:00', provisional: false, state: 'MET_LATE' });
    // Friday 2-05 is off in the entered year: one working day after Thursday is Sunday 2-14 (调休).
    expect(stage(after, 'FEEDBACK')).toMatchObject({ dueAt: '2027-02-15T00:00:00+08:00', provisional: false });
    // 2-14, 2-15 … 2-19, Saturday 2-20, 2-22 … 2-26, 3-1, 3-2, 3-3: the 15th working day is 3-3.
    expect(stage(after, 'RESOLUTION')).toMatchObject({ dueAt: '2027-03-04T00:00:00+08:00', provisional: false });
    // The warnings move with them: 16:00 of Sunday 2-14 (调休); the close of the 12th working day, 2-26.
    expect([stage(after, 'FEEDBACK').warnAt, stage(after, 'RESOLUTION').warnAt]).toEqual([
      '2027-02-14T16:00:00+08:00',
      '2027-02-26T17:30:00+08:00',
    ]);
    // A met deadline's due time moved (its contact is now MET_LATE): the kept figures moved with it.
    await expectKeptFiguresRebuildable(t);
  });

  it('moves open deadlines when a shipped year is corrected, and leaves met ones alone', async () => {
    clock.set('2023-11-13T10:00:00+08:00');
    const open = await appealAt(t, 'FEEDBACK_GIVEN');
    expect(stage(open, 'RESOLUTION').dueAt).toBe('2023-12-05T00:00:00+08:00');
    const calendars = await t.query(`{ calendarYears { year notice off workdays } }`);
    const year2023 = calendars.data.calendarYears.find((y: any) => y.year === 2023);
    const corrected = { ...year2023, off: [...year2023.off, '2023-11-20'] };
    const saved = await t.query(`mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`, {
      as: callers.office,
      variables: { input: corrected },
    });
    expect(saved.errors, JSON.stringify(saved.errors)).toBeUndefined();
    const moved = await readIssue(open.id);
    expect(stage(moved, 'RESOLUTION').dueAt).toBe('2023-12-06T00:00:00+08:00');
    expect(stage(moved, 'FEEDBACK').dueAt).toBe(stage(open, 'FEEDBACK').dueAt);
    // Put the shipped calendar back for the other tests.
    await t.query(`mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`, {
      as: callers.office,
      variables: { input: year2023 },
    });
    expect(stage(await readIssue(open.id), 'RESOLUTION').dueAt).toBe('2023-12-05T00:00:00+08:00');
    await expectKeptFiguresRebuildable(t);
  });
});

describe('ONGOING rectifications', () => {
  it('tracks milestones as deadlines and re-plans the ones not yet done', async () => {
    clock.set('2023-06-05T10:00:00+08:00');
    const { data } = await reportIssue(t, callers.observer, { source: 'UNDERCOVER_VISIT', unitId: unit('TAXATION_BUREAU') });
    const id = data.reportIssue.id;
    const accepted = await mutations.accept(t, callers.office, id, {
      rectificationMode: 'ONGOING',
      milestones: [
        { title: '增设自助终端', dueOn: '2023-07-31' },
        { title: '推行预约办税', dueOn: '2023-09-30' },
      ],
    });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.deadlines.map((d: any) => [d.stage, d.title, d.dueAt])).toEqual([
      ['MILESTONE', '增设自助终端', '2023-08-01T00:00:00+08:00'],
      ['MILESTONE', '推行预约办税', '2023-10-01T00:00:00+08:00'],
      ['RESOLUTION', null, '2023-10-01T00:00:00+08:00'],
    ]);
    const assigned = await mutations.assign(t, callers.office, id, unit('TAXATION_BUREAU'));
    const first = assigned.data.deadlines[0].id;
    const done = await act(t, callers.taxStaff, 'completeMilestone', { id, milestoneId: first, note: '已增设' });
    expect(stage(done.data, 'MILESTONE').state).toBe('MET');
    clock.set('2023-08-15T10:00:00+08:00');
    const newPlan = [{ title: '推行预约办税', dueOn: '2023-10-31' }];
    const taxAdmin = { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU' } as const;
    expect((await act(t, callers.taxStaff, 'planMilestones', { id, milestones: newPlan })).code).toBe('INVALID_TRANSITION');
    expect((await act(t, taxAdmin, 'requestReplan', { id, milestones: newPlan, reason: '终端采购延后' })).errors).toBeUndefined();
    const replanned = await act(t, callers.office, 'decideReplan', { id });
    expect(replanned.errors).toBeUndefined();
    const milestones = replanned.data.deadlines.filter((d: any) => d.stage === 'MILESTONE');
    expect(milestones.map((d: any) => [d.title, d.state])).toEqual([
      ['增设自助终端', 'MET'],
      ['推行预约办税', 'CANCELLED'],
      ['推行预约办税', 'ON_TIME'],
    ]);
    // The old final date stops (it was not due yet when the change was asked for); the new one runs.
    expect(replanned.data.deadlines.filter((d: any) => d.stage === 'RESOLUTION').map((d: any) => [d.dueAt, d.state])).toEqual([
      ['2023-10-01T00:00:00+08:00', 'CANCELLED'],
      ['2023-11-01T00:00:00+08:00', 'ON_TIME'],
    ]);
    expect((await mutations.resolve(t, callers.taxStaff, id)).code).toBe('INVALID_TRANSITION');
  });

  it('judges a granted re-plan at the moment it was asked for: a milestone that fell due while the request waited is not missed', async () => {
    clock.set('2023-06-05T10:00:00+08:00');
    const { data } = await reportIssue(t, callers.observer, { source: 'UNDERCOVER_VISIT', unitId: unit('TAXATION_BUREAU') });
    const id = data.reportIssue.id;
    await mutations.accept(t, callers.office, id, {
      rectificationMode: 'ONGOING',
      milestones: [
        { title: '增设自助终端', dueOn: '2023-07-31' },
        { title: '推行预约办税', dueOn: '2023-09-30' },
      ],
    });
    await mutations.assign(t, callers.office, id, unit('TAXATION_BUREAU'));
    const taxAdmin = { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU' } as const;
    const newPlan = [
      { title: '增设自助终端', dueOn: '2023-08-31' },
      { title: '推行预约办税', dueOn: '2023-10-31' },
    ];
    clock.set('2023-07-28T10:00:00+08:00'); // asked before the first milestone is due (2023-08-01 00:00)
    expect((await act(t, taxAdmin, 'requestReplan', { id, milestones: newPlan, reason: '终端采购延后' })).errors).toBeUndefined();
    clock.set('2023-08-03T10:00:00+08:00'); // granted after it would have been due
    const granted = await act(t, callers.office, 'decideReplan', { id });
    expect(granted.errors).toBeUndefined();
    expect(granted.data.deadlines.filter((d: any) => d.stage === 'MILESTONE').map((d: any) => [d.title, d.dueAt, d.state])).toEqual([
      ['增设自助终端', '2023-08-01T00:00:00+08:00', 'CANCELLED'],
      ['推行预约办税', '2023-10-01T00:00:00+08:00', 'CANCELLED'],
      ['增设自助终端', '2023-09-01T00:00:00+08:00', 'ON_TIME'],
      ['推行预约办税', '2023-11-01T00:00:00+08:00', 'ON_TIME'],
    ]);
  });

  it('asks a reopened ONGOING rectification for a new round of milestones before it can be resolved again', async () => {
    clock.set('2023-06-05T10:00:00+08:00');
    const { data } = await reportIssue(t, callers.taxStaff, { source: 'SELF_INSPECTION' });
    const id = data.reportIssue.id;
    const accepted = await mutations.accept(t, callers.office, id, {
      rectificationMode: 'ONGOING',
      milestones: [{ title: '第一步', dueOn: '2023-06-30' }],
    });
    await mutations.assign(t, callers.office, id, unit('TAXATION_BUREAU'));
    await act(t, callers.taxStaff, 'completeMilestone', { id, milestoneId: accepted.data.deadlines[0].id, note: '完成' });
    expect((await mutations.resolve(t, callers.taxStaff, id)).data.status).toBe('RESOLVED');
    expect((await mutations.reopen(t, callers.office, id)).data.status).toBe('REOPENED');
    const early = await mutations.resolve(t, callers.taxStaff, id);
    expect(early.code).toBe('INVALID_TRANSITION');
    const planned = await act(t, callers.taxStaff, 'planMilestones', { id, milestones: [{ title: '第二轮', dueOn: '2023-07-31' }] });
    expect(planned.data.deadlines.filter((d: any) => d.round === 2).map((d: any) => [d.stage, d.title, d.dueAt])).toEqual([
      ['MILESTONE', '第二轮', '2023-08-01T00:00:00+08:00'],
      ['RESOLUTION', null, '2023-08-01T00:00:00+08:00'],
    ]);
  });
});

describe('the contract’s mutations that need nothing but the issue', () => {
  it('records a contact, a reminder and a close from the issue id alone', async () => {
    clock.set('2023-11-20T09:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED');
    clock.advance(3 * HOUR);
    const byId = (mutation: string, as = callers.office) =>
      t.query(`mutation($id: ID!) { ${mutation}(id: $id) { status reminderCount history { action note } } }`, {
        as,
        variables: { id: issue.id },
      });
    const reminded = await byId('remindIssue');
    expect(reminded.errors).toBeUndefined();
    expect(reminded.data.remindIssue.history.at(-1)).toEqual({ action: 'REMIND', note: null });
    expect((await byId('recordContact', callers.marketStaff)).data.recordContact.status).toBe('CONTACTED');
    await mutations.feedback(t, callers.marketStaff, issue.id);
    await mutations.resolve(t, callers.marketStaff, issue.id);
    expect((await byId('closeIssue')).data.closeIssue.status).toBe('CLOSED');
  });
});
