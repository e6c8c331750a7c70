/**
 * What the plan asks of the loop (issue #8), through the gateway on real PostgreSQL, each role
 * allowed and refused: the clock from the handling unit's receipt in office hours, dispatch time,
 * 转办 lateness kept, 解决 / 服务确认; 区内事区内办 with four levels; 一口受理 at a unit's window;
 * co-handling units (协办); reaching the enterprise; what supervision decided; figures by
 * environment, channel and district, and rankings with ties ranked equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { HOUR, MINUTE, TestClock } from './support/clock.ts';
import { act, appealAt, callers, mutations, reportIssue, submitAppeal, unit } from './support/issues.ts';

const clock = new TestClock('2026-11-23T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

const office = callers.office;
const staffOf = (code: string) => ({ role: 'UNIT_STAFF', unit: code }) as const satisfies Caller;
const adminOf = (code: string) => ({ role: 'UNIT_ADMIN', unit: code }) as const satisfies Caller;
const jimoAdmin = adminOf('JIMO_DISTRICT');
const jimoStaff = staffOf('JIMO_DISTRICT');
const laixiAdmin = adminOf('LAIXI_CITY');
const drcStaff = staffOf('DEVELOPMENT_REFORM_COMMISSION');
const policeStaff = staffOf('PUBLIC_SECURITY_BUREAU');
const jimoEnterprise = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370215', 61) } as const satisfies Caller;
const JIMO = unit('JIMO_DISTRICT');
const MARKET = unit('MARKET_REGULATION_BUREAU');
const DRC = unit('DEVELOPMENT_REFORM_COMMISSION');
const TAX = unit('TAXATION_BUREAU');
const POLICE = unit('PUBLIC_SECURITY_BUREAU');

const code = (response: { errors?: { extensions?: Record<string, any> }[] }) => response.errors?.[0]?.extensions?.code;
const stage = (issue: any, name: string) =>
  issue.deadlines.find((d: any) => d.stage === name && d.state !== 'CANCELLED' && d.state !== 'LAPSED');
async function read(id: string, as: Caller, fields: string) {
  const response = await t.query(`query($id: ID!) { issue(id: $id) { ${fields} } }`, { as, variables: { id } });
  return { issue: response.data?.issue ?? null, code: code(response) };
}
async function stats(unitId: string, date: string, fields: string) {
  const response = await t.query(`query($id: ID!, $p: PeriodInput) { unit(id: $id) { issueStats(period: $p) { ${fields} } } }`, {
    as: office,
    variables: { id: unitId, p: { from: date, to: date } },
  });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data.unit.issueStats;
}
const rate = (figures: any, name: string) => figures.rates.find((r: any) => r.rate === name);

describe('the clock starts when the handling unit receives the item', () => {
  it('counts the 2 hours in office hours: received Saturday 22:00 and assigned at once, the contact is due Monday 10:30', async () => {
    clock.set('2026-11-28T22:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED');
    expect(stage(issue, 'CONTACT')).toMatchObject({ dueAt: '2026-11-30T10:30:00+08:00', hours: 2, unit: { id: MARKET } });
    expect(stage(issue, 'FEEDBACK').dueAt).toBe('2026-12-01T00:00:00+08:00');
  });

  it('measures the dispatch time from receipt to assignment as a figure of its own, and runs no clock before it', async () => {
    const sports = unit('SPORTS_BUREAU');
    clock.set('2026-11-30T09:00:00+08:00');
    const issue = await submitAppeal(t);
    clock.set('2026-11-30T09:30:00+08:00');
    expect((await mutations.accept(t, office, issue.id)).data.deadlines).toEqual([]);
    clock.set('2026-11-30T12:00:00+08:00');
    const assigned = (await mutations.assign(t, office, issue.id, sports)).data;
    // Received by the unit at noon: the lunch break does not count; the contact is due at 15:30.
    expect(stage(assigned, 'CONTACT').dueAt).toBe('2026-11-30T15:30:00+08:00');
    expect((await read(issue.id, office, 'dispatchHours firstAssignedAt assignedAt')).issue).toEqual({
      dispatchHours: 3,
      firstAssignedAt: '2026-11-30T12:00:00+08:00',
      assignedAt: '2026-11-30T12:00:00+08:00',
    });
    expect(await stats(sports, '2026-11-30', 'dispatched averageDispatchHours')).toEqual({ dispatched: 1, averageDispatchHours: 3 });
  });

  it('gives the new unit a fresh clock on 转办 and keeps the earlier unit’s lateness on its own record', async () => {
    const culture = unit('CULTURE_TOURISM_BUREAU');
    const science = unit('SCIENCE_TECHNOLOGY_BUREAU');
    clock.set('2026-12-01T09:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED', { unitCode: 'CULTURE_TOURISM_BUREAU' });
    clock.set('2026-12-01T14:00:00+08:00'); // the contact was due at 11:00
    const moved = (await mutations.assign(t, office, issue.id, science)).data;
    const contacts = moved.deadlines.filter((d: any) => d.stage === 'CONTACT').map((d: any) => [d.unit.id, d.state, d.dueAt]);
    expect(contacts).toEqual([
      [culture, 'LAPSED', '2026-12-01T11:00:00+08:00'],
      [science, 'ON_TIME', '2026-12-01T16:00:00+08:00'],
    ]);
    clock.set('2026-12-01T15:00:00+08:00');
    await mutations.contact(t, staffOf('SCIENCE_TECHNOLOGY_BUREAU'), issue.id);
    expect(rate(await stats(culture, '2026-12-01', 'rates { rate numerator denominator }'), 'RESPONSE')).toMatchObject({
      numerator: 0,
      denominator: 1,
    });
    expect(rate(await stats(science, '2026-12-01', 'received rates { rate numerator denominator }'), 'RESPONSE')).toMatchObject({
      numerator: 1,
      denominator: 1,
    });
  });

  it('records whether the handling solved the problem or ended in service confirmation, and counts each', async () => {
    const civil = unit('CIVIL_AFFAIRS_BUREAU');
    clock.set('2026-12-02T09:00:00+08:00');
    const hand = staffOf('CIVIL_AFFAIRS_BUREAU');
    const solved = await appealAt(t, 'FEEDBACK_GIVEN', { unitCode: 'CIVIL_AFFAIRS_BUREAU', staff: hand });
    const explained = await appealAt(t, 'FEEDBACK_GIVEN', { unitCode: 'CIVIL_AFFAIRS_BUREAU', staff: hand });
    expect((await act(t, hand, 'resolveIssue', { id: solved.id, resolution: '已办理' })).data.status).toBe('RESOLVED');
    await act(t, hand, 'resolveIssue', {
      id: explained.id,
      resolution: '该事项依法不能办理，已向企业解释政策依据',
      outcome: 'SERVICE_CONFIRMED',
    });
    expect((await read(explained.id, callers.enterpriseA, 'resolutionOutcome resolution')).issue).toEqual({
      resolutionOutcome: 'SERVICE_CONFIRMED',
      resolution: '该事项依法不能办理，已向企业解释政策依据',
    });
    expect(await stats(civil, '2026-12-02', 'resolvedSolved resolvedServiceConfirmed')).toEqual({
      resolvedSolved: 1,
      resolvedServiceConfirmed: 1,
    });
  });
});

describe('区内事区内办: districts dispatch within their area, down to streets and towns', () => {
  const CREATE = `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id code parent { code } district { code } level } }`;
  let longshan: string;
  const street = (input: Record<string, unknown>) => ({ name: '街道', kind: 'OTHER', level: 'TOWN', parentId: JIMO, ...input });

  beforeAll(async () => {
    const created = await t.query(CREATE, {
      as: jimoAdmin,
      variables: { input: street({ code: 'JIMO_LONGSHAN_STREET', name: '龙山街道' }) },
    });
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    expect(created.data.createUnit).toMatchObject({
      code: 'JIMO_LONGSHAN_STREET',
      parent: { code: 'JIMO_DISTRICT' },
      district: { code: '370215' },
      level: 'TOWN',
    });
    longshan = created.data.createUnit.id;
  });

  it('lets a district’s admin create, change and archive town- and village-level units below it, and nobody else but the command office', async () => {
    const refusals: [Caller, Record<string, unknown>, string][] = [
      [jimoStaff, street({ code: 'JIMO_REFUSED_1' }), 'FORBIDDEN'],
      [laixiAdmin, street({ code: 'JIMO_REFUSED_2' }), 'FORBIDDEN'],
      [callers.marketAdmin, street({ code: 'JIMO_REFUSED_3' }), 'FORBIDDEN'],
      [jimoAdmin, street({ code: 'JIMO_REFUSED_4', level: 'CITY' }), 'FORBIDDEN'],
      [jimoAdmin, street({ code: 'JIMO_REFUSED_5', parentId: unit('LAIXI_CITY') }), 'FORBIDDEN'],
      [jimoAdmin, street({ code: 'JIMO_REFUSED_6', kind: 'LEAD', domainCode: 'COMMERCE' }), 'FORBIDDEN'],
      [jimoAdmin, street({ code: 'JIMO_REFUSED_7', districtCode: '370285' }), 'FORBIDDEN'],
      [callers.enterpriseA, street({ code: 'JIMO_REFUSED_8' }), 'FORBIDDEN'],
      [callers.anonymous, street({ code: 'JIMO_REFUSED_9' }), 'UNAUTHENTICATED'],
    ];
    for (const [as, input, expected] of refusals)
      expect(code(await t.query(CREATE, { as, variables: { input } })), JSON.stringify([as, input])).toBe(expected);
    expect((await t.query(`{ unit(code: "JIMO_REFUSED_1") { id } }`)).data.unit).toBeNull();

    const village = await t.query(CREATE, {
      as: jimoAdmin,
      variables: { input: street({ code: 'JIMO_LONGSHAN_VILLAGE', name: '某社区', level: 'VILLAGE', parentId: longshan }) },
    });
    expect(village.data.createUnit).toMatchObject({ parent: { code: 'JIMO_LONGSHAN_STREET' }, district: { code: '370215' } });
    const id = village.data.createUnit.id;
    const UPDATE = `mutation($id: ID!, $input: UpdateUnitInput!) { updateUnit(id: $id, input: $input) { name } }`;
    expect(code(await t.query(UPDATE, { as: laixiAdmin, variables: { id, input: { name: '改名' } } }))).toBe('FORBIDDEN');
    expect(code(await t.query(UPDATE, { as: jimoAdmin, variables: { id: MARKET, input: { name: '改名' } } }))).toBe('FORBIDDEN');
    expect(code(await t.query(UPDATE, { as: jimoAdmin, variables: { id: JIMO, input: { name: '改名' } } }))).toBe('FORBIDDEN');
    expect((await t.query(UPDATE, { as: jimoAdmin, variables: { id, input: { name: '龙山社区' } } })).data.updateUnit).toEqual({
      name: '龙山社区',
    });
    const ARCHIVE = `mutation($id: ID!) { archiveUnit(id: $id, reason: "撤并") { archived } }`;
    expect(code(await t.query(ARCHIVE, { as: jimoStaff, variables: { id } }))).toBe('FORBIDDEN');
    expect((await t.query(ARCHIVE, { as: jimoAdmin, variables: { id } })).data.archiveUnit).toEqual({ archived: true });
  });

  it('lets the district accept an appeal of its area and send it to its street, sees the street’s items, and refuses dispatch outside', async () => {
    clock.set('2026-12-03T09:00:00+08:00');
    const appeal = await submitAppeal(t, jimoEnterprise, { districtCode: null });
    expect((await read(appeal.id, jimoAdmin, 'id district { code }')).issue).toEqual({ id: appeal.id, district: { code: '370215' } });
    expect((await read(appeal.id, laixiAdmin, 'id')).issue).toBeNull();
    expect((await mutations.accept(t, laixiAdmin, appeal.id)).code).toBe('NOT_FOUND');
    expect((await mutations.accept(t, jimoStaff, appeal.id)).code).toBe('FORBIDDEN');
    expect((await mutations.accept(t, callers.marketAdmin, appeal.id)).code).toBe('NOT_FOUND');
    const accepted = await act(t, jimoAdmin, 'acceptIssue', { id: appeal.id });
    expect(accepted.errors).toBeUndefined();
    expect((await read(appeal.id, office, 'intakeUnit { id }')).issue.intakeUnit).toEqual({ id: JIMO });

    expect((await mutations.assign(t, jimoAdmin, appeal.id, MARKET)).code).toBe('FORBIDDEN');
    expect((await mutations.assign(t, jimoStaff, appeal.id, longshan)).code).toBe('FORBIDDEN');
    const assigned = await mutations.assign(t, jimoAdmin, appeal.id, longshan);
    expect(assigned.data).toMatchObject({ status: 'ASSIGNED', responsibleUnit: { id: longshan } });
    const streetStaff = { role: 'UNIT_STAFF', unitId: longshan, subject: 'longshan-staff' } as const satisfies Caller;
    expect((await mutations.contact(t, streetStaff, appeal.id)).data.status).toBe('CONTACTED');

    // The district sees what its street handles, by unit and in its figures; another district is refused.
    const ofStreet = `query($id: ID!) { unit(id: $id) { issues { totalCount } } }`;
    expect((await t.query(ofStreet, { as: jimoStaff, variables: { id: longshan } })).data.unit.issues.totalCount).toBe(1);
    expect(code(await t.query(ofStreet, { as: laixiAdmin, variables: { id: longshan } }))).toBe('FORBIDDEN');
    expect((await stats(JIMO, '2026-12-03', 'received')).received).toBe(1);

    // A district does not accept what lies in another district.
    const elsewhere = await submitAppeal(t, callers.enterpriseA, { districtCode: '370285' });
    expect((await mutations.accept(t, jimoAdmin, elsewhere.id)).code).toBe('NOT_FOUND');
    expect((await mutations.accept(t, laixiAdmin, elsewhere.id)).data.status).toBe('ACCEPTED');
  });
});

describe('一口受理: a unit or district registers an appeal received at its own window or hotline', () => {
  it('records it as a channel of its own, for the area to dispatch or the command office for a city bureau', async () => {
    clock.set('2026-12-04T09:00:00+08:00');
    const taken = await reportIssue(t, jimoStaff, {
      source: 'UNIT_WINDOW',
      appealKind: 'HELP',
      title: '窗口受理：厂房消防验收咨询',
      enterpriseCreditCode: jimoEnterprise.enterprise,
      contact: { name: '周经理', phone: '0532-87654321' },
    });
    expect(taken.errors).toBeUndefined();
    expect(taken.data.reportIssue).toMatchObject({ source: 'UNIT_WINDOW', status: 'SUBMITTED', proposedUnit: { id: JIMO }, deadlines: [] });
    for (const as of [callers.enterpriseA, callers.observer] as Caller[]) {
      expect(code(await reportIssue(t, as, { source: 'UNIT_WINDOW', appealKind: 'HELP' })), JSON.stringify(as)).toBe('FORBIDDEN');
    }
    const id = taken.data.reportIssue.id;
    await mutations.accept(t, jimoAdmin, id);
    const handled = (await mutations.assign(t, jimoAdmin, id, JIMO)).data;
    expect(handled.deadlines.map((d: any) => d.stage)).toEqual(['CONTACT', 'FEEDBACK', 'RESOLUTION']);

    const atBureau = await reportIssue(t, callers.marketStaff, {
      source: 'UNIT_WINDOW',
      appealKind: 'CONSULTATION',
      title: '窗口受理：经营范围咨询',
    });
    expect(atBureau.data.reportIssue).toMatchObject({ source: 'UNIT_WINDOW', proposedUnit: { id: MARKET } });
    expect((await mutations.accept(t, callers.marketAdmin, atBureau.data.reportIssue.id)).code).toBe('FORBIDDEN');
    expect((await mutations.accept(t, office, atBureau.data.reportIssue.id)).data.status).toBe('ACCEPTED');
  });
});

describe('跨部门: co-handling units (协办)', () => {
  it('lets the dispatcher name co-handlers, who see the item and add their part; only the lead answers the enterprise', async () => {
    clock.set('2026-12-07T09:00:00+08:00');
    const issue = await appealAt(t, 'ACCEPTED');
    const assigned = await act(t, office, 'assignIssue', { id: issue.id, unitId: MARKET, coHandlerIds: [DRC] });
    expect(assigned.errors).toBeUndefined();
    expect((await read(issue.id, office, 'coHandlers { id }')).issue.coHandlers).toEqual([{ id: DRC }]);
    expect((await read(issue.id, drcStaff, 'id status')).issue).toEqual({ id: issue.id, status: 'ASSIGNED' });

    expect(
      (await act(t, drcStaff, 'contributeToIssue', { id: issue.id, note: '发展改革委：该项目审批权限在区级' })).errors,
    ).toBeUndefined();
    expect((await act(t, callers.marketStaff, 'contributeToIssue', { id: issue.id, note: '主办不用协办' })).code).toBe('FORBIDDEN');
    expect((await act(t, callers.taxStaff, 'contributeToIssue', { id: issue.id, note: '无关单位' })).code).toBe('NOT_FOUND');
    expect((await act(t, callers.enterpriseA, 'contributeToIssue', { id: issue.id, note: '企业' })).code).toBe('FORBIDDEN');
    expect((await mutations.contact(t, drcStaff, issue.id)).code).toBe('FORBIDDEN');
    expect((await mutations.contact(t, callers.marketStaff, issue.id)).data.status).toBe('CONTACTED');

    // The co-handler's part is internal.
    const seen = (await read(issue.id, callers.enterpriseA, 'history { action note }')).issue.history.find(
      (e: any) => e.action === 'CONTRIBUTE',
    );
    expect(seen).toEqual({ action: 'CONTRIBUTE', note: null });

    expect((await act(t, callers.marketAdmin, 'addCoHandler', { id: issue.id, unitId: TAX })).code).toBe('FORBIDDEN');
    expect((await act(t, jimoAdmin, 'addCoHandler', { id: issue.id, unitId: TAX })).code).toBe('NOT_FOUND');
    expect((await act(t, office, 'addCoHandler', { id: issue.id, unitId: DRC })).code).toBe('BAD_USER_INPUT');
    expect((await act(t, office, 'addCoHandler', { id: issue.id, unitId: TAX, note: '涉税' })).errors).toBeUndefined();
    expect((await act(t, office, 'removeCoHandler', { id: issue.id, unitId: DRC })).errors).toBeUndefined();
    expect((await read(issue.id, office, 'coHandlers { id }')).issue.coHandlers).toEqual([{ id: TAX }]);
    expect((await read(issue.id, drcStaff, 'id')).issue).toBeNull();
  });
});

describe('reaching the enterprise', () => {
  it('shows the contact person and phone to the handling units, the command office and the enterprise itself only', async () => {
    clock.set('2026-12-08T09:00:00+08:00');
    const contact = { name: '刘会计', phone: '13912345678' };
    const issue = await submitAppeal(t, callers.enterpriseA, { contact });
    await mutations.accept(t, office, issue.id);
    await act(t, office, 'assignIssue', { id: issue.id, unitId: POLICE, coHandlerIds: [DRC] });
    for (const as of [office, policeStaff, drcStaff, callers.enterpriseA] as Caller[]) {
      expect((await read(issue.id, as, 'contact { name phone }')).issue, JSON.stringify(as)).toEqual({ contact });
    }
    // The lead unit of 政法 reads the issue, not how to reach the enterprise.
    expect((await read(issue.id, callers.politicsLeadStaff, 'id contact { phone }')).issue).toEqual({ id: issue.id, contact: null });
    const bad = await t.query(`mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id } }`, {
      as: callers.enterpriseA,
      variables: {
        input: {
          clientRequestId: `bad-phone-${Date.now()}`,
          kind: 'HELP',
          environment: 'SERVICE',
          title: '标题',
          description: '内容',
          contact: { name: '刘', phone: '12345' },
        },
      },
    });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.contact.phone' });
  });
});

describe('what supervision decided', () => {
  const RECORD = `mutation($input: SupervisionOutcomeInput!) { recordSupervisionOutcome(input: $input) { id kind unit { id } issue { id } reason decidedOn } }`;

  it('lets the command office record outcomes on an issue or a unit, and shows each to the units concerned only', async () => {
    clock.set('2026-12-09T09:00:00+08:00');
    const issue = await appealAt(t, 'ASSIGNED', { unitCode: 'PUBLIC_SECURITY_BUREAU', staff: policeStaff });
    const onIssue = { kind: 'CRITICISM', issueId: issue.id, reason: '超期未联系企业', decidedOn: '2026-12-09' };
    const onUnit = { kind: 'COMMENDATION', unitId: TAX, reason: '办税服务优化成效明显', decidedOn: '2026-12-08' };
    for (const [as, expected] of [
      [callers.marketAdmin, 'FORBIDDEN'],
      [policeStaff, 'FORBIDDEN'],
      [callers.enterpriseA, 'FORBIDDEN'],
      [callers.observer, 'FORBIDDEN'],
      [callers.anonymous, 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(code(await t.query(RECORD, { as, variables: { input: onUnit } })), JSON.stringify(as)).toBe(expected);
    }
    expect(
      (await t.query(RECORD, { as: office, variables: { input: { ...onUnit, decidedOn: '2026-12-31' } } })).errors?.[0]?.extensions,
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.decidedOn' });
    expect(
      (await t.query(RECORD, { as: office, variables: { input: { kind: 'REMINDER', reason: '提醒', decidedOn: '2026-12-09' } } }))
        .errors?.[0]?.extensions?.code,
    ).toBe('BAD_USER_INPUT');

    const criticism = await t.query(RECORD, { as: office, variables: { input: onIssue } });
    expect(criticism.data.recordSupervisionOutcome).toMatchObject({
      kind: 'CRITICISM',
      unit: { id: POLICE },
      issue: { id: issue.id },
      decidedOn: '2026-12-09',
    });
    const commendation = await t.query(RECORD, { as: office, variables: { input: onUnit } });
    expect(commendation.data.recordSupervisionOutcome).toMatchObject({ kind: 'COMMENDATION', unit: { id: TAX }, issue: null });

    const ofUnit = `query($id: ID!) { unit(id: $id) { supervisionOutcomes { totalCount edges { node { kind reason } } } } }`;
    expect(
      (await t.query(ofUnit, { as: policeStaff, variables: { id: POLICE } })).data.unit.supervisionOutcomes.edges.map(
        (e: any) => e.node.kind,
      ),
    ).toEqual(['CRITICISM']);
    expect(
      (await t.query(ofUnit, { as: callers.politicsLeadStaff, variables: { id: POLICE } })).data.unit.supervisionOutcomes.totalCount,
    ).toBe(1);
    expect(code(await t.query(ofUnit, { as: callers.marketStaff, variables: { id: POLICE } }))).toBe('FORBIDDEN');
    const mine = await t.query(`{ supervisionOutcomes { edges { node { kind unit { id } } } } }`, { as: callers.taxStaff });
    expect(mine.data.supervisionOutcomes.edges.map((e: any) => e.node)).toEqual([{ kind: 'COMMENDATION', unit: { id: TAX } }]);
    expect(code(await t.query(`{ supervisionOutcomes { totalCount } }`, { as: callers.enterpriseA }))).toBe('FORBIDDEN');
    expect((await read(issue.id, office, 'supervisionOutcomes { kind } history { action }')).issue).toMatchObject({
      supervisionOutcomes: [{ kind: 'CRITICISM' }],
      history: expect.arrayContaining([{ action: 'SUPERVISION_OUTCOME' }]),
    });
    expect((await read(issue.id, callers.enterpriseA, 'supervisionOutcomes { kind }')).issue).toEqual({ supervisionOutcomes: [] });
  });
});

describe('figures by environment, channel and district, and rankings', () => {
  it('gives the command office figures grouped by environment, channel and district, and refuses everyone else', async () => {
    const period = { from: '2026-12-04', to: '2026-12-04' };
    const doc = `query($d: StatsDimension!, $p: PeriodInput) { issueStatsBy(dimension: $d, period: $p) { key stats { received } } }`;
    const by = async (dimension: string) => (await t.query(doc, { as: office, variables: { d: dimension, p: period } })).data.issueStatsBy;
    // 2026-12-04: the two window appeals of the 一口受理 test.
    expect(await by('SOURCE')).toEqual([{ key: 'UNIT_WINDOW', stats: { received: 2 } }]);
    expect(await by('ENVIRONMENT')).toEqual([{ key: 'SERVICE', stats: { received: 2 } }]);
    expect(await by('DISTRICT')).toEqual([
      { key: '370215', stats: { received: 1 } },
      { key: 'NONE', stats: { received: 1 } },
    ]);
    for (const [as, expected] of [
      [callers.marketAdmin, 'FORBIDDEN'],
      [jimoAdmin, 'FORBIDDEN'],
      [callers.enterpriseA, 'FORBIDDEN'],
      [callers.anonymous, 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(code(await t.query(doc, { as, variables: { d: 'SOURCE', p: period } }))).toBe(expected);
    }
  });

  it('ranks units by a rate, best first, ties ranked equal, and units with nothing due last without a rank', async () => {
    clock.set('2026-12-10T09:00:00+08:00');
    const onTime = async (unitCode: string) => {
      const issue = await appealAt(t, 'ASSIGNED', { unitCode, staff: staffOf(unitCode) });
      clock.advance(MINUTE);
      await mutations.contact(t, staffOf(unitCode), issue.id);
    };
    const late = async (unitCode: string) => {
      const issue = await appealAt(t, 'ASSIGNED', { unitCode, staff: staffOf(unitCode) });
      clock.advance(3 * HOUR);
      await mutations.contact(t, staffOf(unitCode), issue.id);
      clock.set('2026-12-10T09:00:00+08:00');
    };
    await onTime('EDUCATION_BUREAU');
    await onTime('EDUCATION_BUREAU');
    await onTime('FINANCE_BUREAU');
    await onTime('STATISTICS_BUREAU');
    await late('STATISTICS_BUREAU');
    clock.set('2026-12-11T09:00:00+08:00');
    const doc = `query($p: PeriodInput, $among: RankingScope) { unitRanking(rate: RESPONSE, period: $p, among: $among) { rank unit { id } value numerator denominator } }`;
    const ranking = (await t.query(doc, { as: office, variables: { p: { from: '2026-12-10', to: '2026-12-10' }, among: 'CITY_BUREAUS' } }))
      .data.unitRanking;
    expect(ranking.slice(0, 3)).toEqual([
      { rank: 1, unit: { id: unit('EDUCATION_BUREAU') }, value: 1, numerator: 2, denominator: 2 },
      { rank: 1, unit: { id: unit('FINANCE_BUREAU') }, value: 1, numerator: 1, denominator: 1 },
      { rank: 3, unit: { id: unit('STATISTICS_BUREAU') }, value: 0.5, numerator: 1, denominator: 2 },
    ]);
    expect(ranking.slice(3).every((entry: any) => entry.rank === null && entry.denominator === 0)).toBe(true);
    expect(ranking.map((entry: any) => entry.unit.id)).not.toContain(JIMO); // districts are ranked among districts
    const districts = (
      await t.query(doc, { as: office, variables: { p: { from: '2026-12-03', to: '2026-12-04' }, among: 'DISTRICTS_AND_ZONES' } })
    ).data.unitRanking;
    expect(districts.map((entry: any) => entry.unit.id)).toContain(JIMO);
    expect(districts.map((entry: any) => entry.unit.id)).not.toContain(unit('EDUCATION_BUREAU'));
    for (const as of [callers.marketAdmin, jimoAdmin, callers.enterpriseA] as Caller[]) {
      expect(code(await t.query(doc, { as, variables: { p: null, among: 'ALL_UNITS' } }))).toBe('FORBIDDEN');
    }
  });
});

describe('an ONGOING rectification returned and reassigned', () => {
  it('hands the plan’s open milestones to the next unit, the returning unit’s lateness kept', async () => {
    clock.set('2026-12-14T09:00:00+08:00');
    const { data } = await reportIssue(t, callers.taxStaff, { source: 'SELF_INSPECTION', title: '自查：跨部门数据共享不畅' });
    const id = data.reportIssue.id;
    await mutations.accept(t, office, id, {
      rectificationMode: 'ONGOING',
      milestones: [
        { title: '梳理数据目录', dueOn: '2026-12-16' },
        { title: '打通接口', dueOn: '2027-01-29' },
      ],
    });
    await mutations.assign(t, office, id, TAX);
    clock.set('2026-12-18T09:00:00+08:00'); // the first milestone is overdue
    expect((await mutations.return(t, adminOf('TAXATION_BUREAU'), id)).data.status).toBe('RETURNED');
    const moved = (await mutations.assign(t, office, id, unit('BIG_DATA_BUREAU'))).data;
    expect(moved.deadlines.map((d: any) => [d.stage, d.title, d.unit.id === TAX ? 'TAX' : 'BIG_DATA', d.state])).toEqual([
      ['MILESTONE', '梳理数据目录', 'TAX', 'LAPSED'],
      ['MILESTONE', '打通接口', 'TAX', 'CANCELLED'],
      ['RESOLUTION', null, 'TAX', 'CANCELLED'],
      // A milestone already past stays the returning unit's; the new unit answers for the rest.
      ['MILESTONE', '打通接口', 'BIG_DATA', 'ON_TIME'],
      ['RESOLUTION', null, 'BIG_DATA', 'ON_TIME'],
    ]);
  });
});
