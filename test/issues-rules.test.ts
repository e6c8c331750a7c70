/**
 * The issues slice's rules, access module and deadline arithmetic, without a server or a database:
 * the table answers, the access module works out standings from the token and the directory only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import holidays from '../db/reference/holidays.json' with { type: 'json' };
import { campaign, referenceDistricts, referenceUnits, unitIdForCode } from '../db/reference/organisation.ts';
import type { Viewer } from '../platform/auth.ts';
import { DEFAULT_OFFICE_HOURS, parseOfficeHours, WorkingCalendar } from '../platform/calendar.ts';
import { Directory, staticDirectory } from '../platform/directory.ts';
import { check, nextState } from '../platform/rules.ts';
import { formatBeijing } from '../platform/scalars.ts';
import { loadSubgraphSdl } from '../platform/subgraph.ts';
import { emptyParts, figuresFrom, rankBy, rateNames, rates } from '../subgraphs/issues/figures.ts';
import { canSee, createIssuesAccess } from '../subgraphs/issues/access.ts';
import { APPEAL_LIMITS, computeDue, deadlineState } from '../subgraphs/issues/deadlines.ts';
import { issueRules, resolveFrom, statusNames, type IssueAction, type IssueStatus } from '../subgraphs/issues/rules.ts';
import type { IssueRow } from '../subgraphs/issues/store.ts';

const subject = (state: IssueStatus) => ({ noun: { zh: '该问题', en: 'the issue' }, state, stateNames: statusNames });
const allStatuses = Object.keys(statusNames) as IssueStatus[];

describe('the rules table of the loop', () => {
  it('lets the command office accept only what was submitted, and moves it to ACCEPTED', () => {
    for (const status of allStatuses) {
      const refusal = check(issueRules.ACCEPT, ['COMMAND_OFFICE'], subject(status));
      expect(refusal?.kind ?? 'ALLOWED', status).toBe(status === 'SUBMITTED' ? 'ALLOWED' : 'INVALID_TRANSITION');
    }
    expect(nextState(issueRules.ACCEPT, 'SUBMITTED')).toBe('ACCEPTED');
  });

  it('never lets a closed, rejected or merged issue move except by reopening; a closed one takes only records besides', () => {
    for (const status of ['REJECTED', 'MERGED'] as IssueStatus[]) {
      for (const action of Object.keys(issueRules) as IssueAction[]) {
        expect(check(issueRules[action], issueRules[action].who, subject(status))?.kind, `${action} from ${status}`).toBe(
          'INVALID_TRANSITION',
        );
      }
    }
    const fromClosed = (Object.keys(issueRules) as IssueAction[]).filter(
      (action) => !check(issueRules[action], issueRules[action].who, subject('CLOSED')),
    );
    expect(fromClosed.sort()).toEqual(['FOLLOW_UP', 'PUBLISH', 'RECORD_OUTCOME', 'REOPEN']);
  });

  it('keeps the status on recorded acts and names the new status on moves', () => {
    expect(nextState(issueRules.ESCALATE, 'CONTACTED')).toBe('CONTACTED');
    expect(nextState(issueRules.REMIND, 'ASSIGNED')).toBe('ASSIGNED');
    expect(nextState(issueRules.MERGE, 'ASSIGNED')).toBe('MERGED');
  });

  it('makes an appeal pass through contact and feedback before it can be resolved; a self-found problem need not', () => {
    expect(resolveFrom('ENTERPRISE_APPEAL')).toEqual(['FEEDBACK_GIVEN', 'REOPENED']);
    expect(resolveFrom('HOTLINE_12345')).toEqual(['FEEDBACK_GIVEN', 'REOPENED']);
    expect(resolveFrom('SELF_INSPECTION')).toContain('ASSIGNED');
    expect(check(issueRules.RESOLVE, ['RESPONSIBLE_UNIT_STAFF'], subject('ASSIGNED'), resolveFrom('ENTERPRISE_APPEAL'))?.kind).toBe(
      'INVALID_TRANSITION',
    );
  });

  it('refuses by who before by state, and asks anonymous callers to sign in', () => {
    expect(check(issueRules.CLOSE, ['RESPONSIBLE_UNIT_ADMIN'], subject('SUBMITTED'))?.kind).toBe('FORBIDDEN');
    expect(check(issueRules.CLOSE, ['ANONYMOUS'], subject('RESOLVED'))?.kind).toBe('UNAUTHENTICATED');
    expect(check(issueRules.RETURN, ['RESPONSIBLE_UNIT_STAFF'], subject('ASSIGNED'))?.kind).toBe('FORBIDDEN');
    expect(check(issueRules.RETURN, ['UNIT_MEMBER', 'RESPONSIBLE_UNIT_ADMIN'], subject('ASSIGNED'))).toBeNull();
  });

  it('words every refusal in Chinese and in whole English sentences', () => {
    for (const [action, rule] of Object.entries(issueRules)) {
      const forbidden = check(rule, ['OBSERVER'], subject('SUBMITTED'))!;
      expect(forbidden.message.en, action).toMatch(/^You may not [a-z]/);
      expect(forbidden.message.zh, action).toMatch(/[\u4e00-\u9fff]/);
      const wrongState = check(rule, rule.who, subject('MERGED'));
      if (wrongState)
        expect(wrongState.message.en, action).toMatch(
          /^The issue is MERGED; you cannot .+ in this state: it must be [A-Z_, or]+( — .+ first)?$/,
        );
    }
  });
});

const directory = staticDirectory(
  new Directory(
    referenceUnits.map((unit) => ({ ...unit, archived: unit.code === 'STATISTICS_BUREAU' })),
    referenceDistricts.map((district) => district.code),
    campaign.domains.map((domain) => domain.code),
  ),
);
const viewer = (role: Viewer['role'], extra: Partial<Viewer> = {}): Viewer => ({
  subject: `${role}-1`,
  role,
  unitId: null,
  enterprise: null,
  ...extra,
});
const issue = (values: Partial<IssueRow>) =>
  ({
    status: 'ASSIGNED',
    source: 'ENTERPRISE_APPEAL',
    responsibleUnitId: null,
    coHandlerUnitIds: [],
    intakeUnitId: null,
    districtCode: null,
    reporterUnitId: null,
    reporterEnterprise: null,
    reporterRole: 'ENTERPRISE',
    reporterSubject: 'someone',
    enterpriseReopenUsed: false,
    ...values,
  }) as IssueRow;

describe('the access module of the issues slice', () => {
  const market = unitIdForCode('MARKET_REGULATION_BUREAU');
  const police = unitIdForCode('PUBLIC_SECURITY_BUREAU');

  it('lets a lead unit see its domain’s issues, and an ordinary unit only its own', async () => {
    const lead = createIssuesAccess(viewer('UNIT_STAFF', { unitId: unitIdForCode('POLITICS_LAW_COMMITTEE') }), directory);
    const tax = createIssuesAccess(viewer('UNIT_STAFF', { unitId: unitIdForCode('TAXATION_BUREAU') }), directory);
    expect(canSee(await lead.scope(), issue({ responsibleUnitId: police }))).toBe(true);
    expect(canSee(await tax.scope(), issue({ responsibleUnitId: police }))).toBe(false);
    expect(canSee(await tax.scope(), issue({ reporterUnitId: unitIdForCode('TAXATION_BUREAU') }))).toBe(true);
  });

  it('gives an archived unit’s token no standing and no scope, whatever its role', async () => {
    const archived = createIssuesAccess(viewer('UNIT_ADMIN', { unitId: unitIdForCode('STATISTICS_BUREAU') }), directory);
    expect(await archived.scope()).toEqual({ kind: 'none' });
    await expect(archived.mayReport({ source: 'SELF_INSPECTION' })).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it('lets only the responsible unit’s admin return an issue', async () => {
    const target = issue({ responsibleUnitId: market });
    await expect(
      createIssuesAccess(viewer('UNIT_ADMIN', { unitId: market }), directory).authorize('RETURN', target),
    ).resolves.toBeUndefined();
    await expect(createIssuesAccess(viewer('UNIT_STAFF', { unitId: market }), directory).authorize('RETURN', target)).rejects.toMatchObject(
      { extensions: { code: 'FORBIDDEN' } },
    );
    await expect(createIssuesAccess(viewer('UNIT_ADMIN', { unitId: police }), directory).authorize('RETURN', target)).rejects.toMatchObject(
      { extensions: { code: 'FORBIDDEN' } },
    );
  });

  it('lets the submitting enterprise reopen once, and the command office always', async () => {
    const enterprise = viewer('ENTERPRISE', { enterprise: '91370202MA3C00001X' });
    const resolved = issue({ status: 'RESOLVED', reporterEnterprise: enterprise.enterprise });
    await expect(createIssuesAccess(enterprise, directory).authorize('REOPEN', resolved)).resolves.toBeUndefined();
    const used = { ...resolved, enterpriseReopenUsed: true };
    await expect(createIssuesAccess(enterprise, directory).authorize('REOPEN', used)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    const office = viewer('COMMAND_OFFICE', { unitId: unitIdForCode('COMMAND_OFFICE') });
    await expect(createIssuesAccess(office, directory).authorize('REOPEN', used)).resolves.toBeUndefined();
  });

  it('keeps units to their own channels and their own unit when they report', async () => {
    const staff = createIssuesAccess(viewer('UNIT_STAFF', { unitId: market }), directory);
    await expect(staff.mayReport({ source: 'SELF_INSPECTION' })).resolves.toEqual({ ownUnitId: market });
    await expect(staff.mayReport({ source: 'MEDIA' })).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(staff.mayReport({ source: 'SELF_INSPECTION', unitId: police })).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    await expect(staff.mayReport({ source: 'SELF_INSPECTION', receivedAt: new Date() })).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
  });
});

describe('deadline arithmetic', () => {
  const calendar = new WorkingCalendar(
    Object.entries(holidays.years).map(([year, y]) => ({ year: Number(year), off: y.off, workdays: y.workdays })),
  );
  const officeHours = parseOfficeHours(DEFAULT_OFFICE_HOURS)!;

  it('puts the 青诉即办 limits of an appeal received before the National Day holiday where the calendar says', () => {
    const startsAt = new Date('2023-09-28T10:00:00+08:00');
    const contact = computeDue({ startsAt, hours: APPEAL_LIMITS.contactOfficeHours }, calendar, officeHours);
    const feedback = computeDue({ startsAt, workingDays: APPEAL_LIMITS.feedbackWorkingDays }, calendar, officeHours);
    const resolution = computeDue({ startsAt, workingDays: APPEAL_LIMITS.resolutionWorkingDays }, calendar, officeHours);
    expect(formatBeijing(contact.dueAt)).toBe('2023-09-28T12:00:00+08:00');
    expect(formatBeijing(feedback.dueAt)).toBe('2023-10-08T00:00:00+08:00');
    expect(formatBeijing(resolution.dueAt)).toBe('2023-10-26T00:00:00+08:00');
  });

  it('warns at 80% of the working time: of the office time for the contact, of the working days’ office hours otherwise', () => {
    const startsAt = new Date('2023-09-28T10:00:00+08:00');
    const contact = computeDue({ startsAt, hours: 2 }, calendar, officeHours);
    expect(contact.warnAt.getTime() - startsAt.getTime()).toBe(0.8 * (contact.dueAt.getTime() - startsAt.getTime()));
    // Received at 11:30: 30 minutes before lunch, 90 after; the warning comes after 96 office minutes, at 14:36.
    const overLunch = computeDue({ startsAt: new Date('2023-09-28T11:30:00+08:00'), hours: 2 }, calendar, officeHours);
    expect([formatBeijing(overLunch.warnAt), formatBeijing(overLunch.dueAt)]).toEqual([
      '2023-09-28T14:36:00+08:00',
      '2023-09-28T15:00:00+08:00',
    ]);
    // 15 working days from Thursday 9-28 (10-07, 10-08, 10-09 … 10-25): the close of the 12th, Friday 10-20.
    const resolution = computeDue({ startsAt, workingDays: 15 }, calendar, officeHours);
    expect([formatBeijing(resolution.warnAt), formatBeijing(resolution.dueAt)]).toEqual([
      '2023-10-20T17:30:00+08:00',
      '2023-10-26T00:00:00+08:00',
    ]);
    // A milestone due on a date: 80% of the office time up to its end (28.5 hours: 6 on 9-28, 7.5 on each of 10-07 … 10-09).
    const milestone = computeDue({ startsAt, dueOn: '2023-10-09' }, calendar, officeHours);
    expect(formatBeijing(milestone.warnAt)).toBe('2023-10-09T10:18:00+08:00');
  });

  it('colours a deadline by the clock: on time, warning, overdue, met, met late, cancelled', () => {
    const dueAt = new Date('2023-10-10T00:00:00Z');
    const warnAt = new Date('2023-10-09T00:00:00Z');
    const at = (iso: string) => new Date(iso);
    const base = { dueAt, warnAt, metAt: null, cancelledAt: null };
    expect(deadlineState(base, at('2023-10-08T00:00:00Z'))).toBe('ON_TIME');
    expect(deadlineState(base, at('2023-10-09T12:00:00Z'))).toBe('WARNING');
    expect(deadlineState(base, at('2023-10-10T00:00:00Z'))).toBe('OVERDUE');
    expect(deadlineState({ ...base, metAt: at('2023-10-09T23:59:59Z') }, at('2023-12-01T00:00:00Z'))).toBe('MET');
    expect(deadlineState({ ...base, metAt: at('2023-10-10T00:00:01Z') }, at('2023-12-01T00:00:00Z'))).toBe('MET_LATE');
    expect(deadlineState({ ...base, cancelledAt: at('2023-10-01T00:00:00Z') }, at('2023-12-01T00:00:00Z'))).toBe('CANCELLED');
  });
});

describe('the figures’ definitions', () => {
  const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'subgraphs', 'issues', 'README.md'), 'utf8');
  const statsFields = (buildSubgraphSchema({ typeDefs: loadSubgraphSdl('issues') }).getType('IssueStats') as GraphQLObjectType).getFields();

  it('names every rate in the README with its numerator and its denominator, and shows it in IssueStats', () => {
    for (const name of rateNames) {
      const { field } = rates[name];
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${field}\``));
      expect(row, name).toContain(`(\`${name}\`)`);
      const cells = row!.split('|').map((cell) => cell.trim());
      expect(cells[2], `${name} numerator`).not.toBe('');
      expect(cells[3], `${name} denominator`).not.toMatch(/^—?$/);
      expect(statsFields[field], field).toBeDefined();
    }
  });

  it('ranks best first with ties sharing a rank, compares exact fractions, and leaves out of the ranks what had nothing due', () => {
    const parts = (contactOnTime: number, contactDue: number) => ({ ...emptyParts, contactOnTime, contactDue });
    const ranked = rankBy(
      [
        { item: 'a', parts: parts(1, 3) },
        { item: 'b', parts: parts(0, 0) },
        { item: 'c', parts: parts(2, 2) },
        { item: 'd', parts: parts(2, 6) },
        { item: 'e', parts: parts(1, 1) },
      ],
      'RESPONSE',
    );
    expect(ranked.map((entry) => [entry.item, entry.rank])).toEqual([
      ['c', 1],
      ['e', 1],
      ['a', 3],
      ['d', 3],
      ['b', null],
    ]);
    expect(figuresFrom(parts(0, 0)).responseRate).toBeNull();
    expect(figuresFrom(parts(1, 4)).rates.find((r) => r.rate === 'RESPONSE')).toEqual({
      rate: 'RESPONSE',
      value: 0.25,
      numerator: 1,
      denominator: 4,
    });
  });
});
