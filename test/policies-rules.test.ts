/**
 * The policies slice without a server or a database: its rules tables, its access module, and its
 * pure modules — eligibility and its reasons, working-day limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import holidays from '../db/reference/holidays.json' with { type: 'json' };
import { campaign, referenceDistricts, referenceUnits, unitIdForCode } from '../db/reference/organisation.ts';
import type { Viewer } from '../platform/auth.ts';
import { WorkingCalendar } from '../platform/calendar.ts';
import { Directory, staticDirectory } from '../platform/directory.ts';
import { check, nextState } from '../platform/rules.ts';
import { formatBeijing } from '../platform/scalars.ts';
import { createPoliciesAccess, policyState } from '../subgraphs/policies/access.ts';
import {
  evaluate,
  fullYears,
  meetsFilter,
  toEnterpriseFilter,
  unrestricted,
  yearsBefore,
  type Criteria,
  type EnterpriseProfile,
} from '../subgraphs/policies/eligibility.ts';
import { dueAfter, nextDueOf, noticeLastDay, reachesPendingYear, workingDaysBetween } from '../subgraphs/policies/deadlines.ts';
import {
  applicationRules,
  applicationStateNames,
  policyRules,
  policyStateNames,
  type ApplicationAction,
  type ApplicationState,
} from '../subgraphs/policies/rules.ts';
import type { ApplicationRow, PolicyRow } from '../subgraphs/policies/store.ts';

const calendar = new WorkingCalendar(
  Object.entries(holidays.years).map(([year, y]) => ({ year: Number(year), off: y.off, workdays: y.workdays })),
);
const applicationStates = Object.keys(applicationStateNames) as ApplicationState[];
const onApplication = (state: ApplicationState) => ({
  noun: { zh: '该申报', en: 'the application' },
  state,
  stateNames: applicationStateNames,
});

describe('eligibility', () => {
  const profile: EnterpriseProfile = {
    creditCode: '91370202RPUQ7RBXF2',
    districtCode: '370202',
    industryCode: 'C3484',
    sizeClass: 'SMALL',
    registeredOn: '2020-03-15',
    qualifications: ['HIGH_TECH'],
  };
  const criteria = (patch: Partial<Criteria>): Criteria => ({ ...unrestricted, ...patch });

  it('counts full years the way a birthday does, 29 February included', () => {
    expect(fullYears('2020-03-15', '2023-03-14')).toBe(2);
    expect(fullYears('2020-03-15', '2023-03-15')).toBe(3);
    expect(fullYears('2024-02-29', '2025-02-28')).toBe(0);
    expect(yearsBefore('2024-02-29', 1)).toBe('2023-02-28');
  });

  it('gives every criterion a verdict and a reason, met or not', () => {
    const results = evaluate(
      criteria({
        industryPrefixes: ['C34'],
        sizeClasses: ['MEDIUM'],
        minYears: 5,
        qualifications: ['HIGH_TECH', 'SPECIALIZED_SME'],
        qualificationMatch: 'ALL',
      }),
      profile,
      '2026-11-23',
    );
    expect(results.map((r) => [r.criterion, r.met])).toEqual([
      ['INDUSTRY', true],
      ['SIZE', false],
      ['DISTRICT', true],
      ['YEARS_REGISTERED', true],
      ['QUALIFICATION', false],
    ]);
    expect(results[1]!.reason).toBe('小型企业，要求中型');
    expect(results[4]!.reason).toContain('专精特新中小企业');
    expect(results.every((r) => r.reason && r.reasonEn)).toBe(true);
  });

  it('does not guess the age of an enterprise whose date of registration is not on record', () => {
    const [, , , years] = evaluate(criteria({ maxYears: 3 }), { ...profile, registeredOn: null }, '2026-11-23');
    expect(years).toMatchObject({ criterion: 'YEARS_REGISTERED', met: false });
  });

  it('says the same thing as the filter pushed down to the units slice, for any profile and criteria', () => {
    const date = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2026, 11, 31) }).map((t) => new Date(t).toISOString().slice(0, 10));
    const size = fc.constantFrom('LARGE', 'MEDIUM', 'SMALL', 'MICRO' as const);
    const qualification = fc.constantFrom(
      'HIGH_TECH',
      'TECH_SME',
      'SPECIALIZED_SME',
      'LITTLE_GIANT',
      'GAZELLE',
      'MANUFACTURING_CHAMPION' as const,
    );
    const arbitraryProfile = fc.record({
      creditCode: fc.constant('X'),
      districtCode: fc.constantFrom('370202', '370203', '370211'),
      industryCode: fc.constantFrom('C', 'C34', 'C3484', 'I6513', 'M7320', 'G5532'),
      sizeClass: size,
      registeredOn: fc.option(date, { nil: null }),
      qualifications: fc.uniqueArray(qualification),
    });
    const arbitraryCriteria = fc.record({
      industryPrefixes: fc.uniqueArray(fc.constantFrom('C', 'C34', 'C3484', 'I', 'M73'), { maxLength: 2 }),
      sizeClasses: fc.uniqueArray(size, { maxLength: 2 }),
      districtCodes: fc.uniqueArray(fc.constantFrom('370202', '370211'), { maxLength: 1 }),
      minYears: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
      maxYears: fc.option(fc.integer({ min: 0, max: 10 }), { nil: null }),
      qualifications: fc.uniqueArray(qualification, { maxLength: 2 }),
      qualificationMatch: fc.constantFrom('ANY', 'ALL' as const),
    });
    fc.assert(
      fc.property(arbitraryProfile, arbitraryCriteria, date, (p, c, on) => {
        const eligible = evaluate(c, p, on).every((r) => r.met);
        return eligible === meetsFilter(p, toEnterpriseFilter(c, on));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('working-day limits', () => {
  it('counts working days between two moments by the calendar, the National Day block skipped', () => {
    expect(workingDaysBetween(calendar, new Date('2026-09-30T10:00:00+08:00'), '2026-10-09')).toEqual({
      days: 2,
      pendingCalendarYear: null,
    }); // 10-08 and 10-09 (10-10 is the adjusted Saturday)
    expect(workingDaysBetween(calendar, '2026-11-23', '2026-11-23')).toEqual({ days: 0, pendingCalendarYear: null });
  });

  it('counts through a year the calendar lacks with weekends as the only days off, and names the year', () => {
    // 15 working days from Sunday 2026-12-20: 12-21 … 12-25, 12-28 … 12-31, then 2027-01-01 (counted), 01-04 … 01-08.
    expect(dueAfter(calendar, new Date('2026-12-20T10:00:00+08:00'), 15)).toEqual({
      dueAt: new Date('2027-01-09T00:00:00+08:00'),
      pendingCalendarYear: 2027,
    });
    expect(formatBeijing(dueAfter(calendar, new Date('2026-11-23T10:00:00+08:00'), 5).dueAt)).toBe('2026-12-01T00:00:00+08:00');
    expect(dueAfter(calendar, new Date('2026-11-23T10:00:00+08:00'), 5).pendingCalendarYear).toBeNull();
    expect(noticeLastDay(calendar, new Date('2026-12-28T10:00:00+08:00'), 5)).toEqual({ lastDay: '2027-01-04', pendingCalendarYear: 2027 });
    expect(workingDaysBetween(calendar, '2026-12-30', '2027-01-05')).toEqual({ days: 4, pendingCalendarYear: 2027 });
  });

  it('calls a count provisional only when it reached the year waited for', () => {
    expect(reachesPendingYear(2027, '2027-01-04')).toBe(true);
    expect(reachesPendingYear(2027, '2026-12-31')).toBe(false);
    expect(reachesPendingYear(null, '2027-01-04')).toBe(false);
  });

  it('runs the review while the unit has it, objections during the notice, and nothing while the enterprise has it', () => {
    const review = new Date('2026-12-01T00:00:00+08:00');
    const payment = new Date('2026-12-20T00:00:00+08:00');
    const noticeEnd = new Date('2026-12-05T00:00:00+08:00');
    const at = (status: string, objections = 0) =>
      nextDueOf({ status, reviewDueAt: review, paymentDueAt: payment, noticeEndsAt: noticeEnd }, objections);
    expect(at('UNDER_REVIEW')).toBe(review);
    expect(at('RETURNED')).toBeNull();
    expect(at('APPROVED')).toBe(payment);
    expect(at('PUBLIC_NOTICE')).toBe(payment);
    expect(at('PUBLIC_NOTICE', 1)).toBe(noticeEnd);
    expect(at('DISBURSED')).toBeNull();
  });
});

describe('the rules tables', () => {
  it('lets only the reviewing unit decide, from the undecided states only', () => {
    for (const action of ['APPROVE', 'REJECT', 'RETURN'] as ApplicationAction[]) {
      for (const state of applicationStates) {
        const refusal = check(applicationRules[action], ['REVIEWING_UNIT_STAFF'], onApplication(state));
        expect(refusal?.kind ?? 'ALLOWED', `${action} from ${state}`).toBe(
          ['SUBMITTED', 'RESUBMITTED', 'UNDER_REVIEW'].includes(state) ? 'ALLOWED' : 'INVALID_TRANSITION',
        );
      }
      expect(check(applicationRules[action], ['COMMAND_OFFICE'], onApplication('SUBMITTED'))?.kind).toBe('FORBIDDEN');
      expect(check(applicationRules[action], ['APPLICANT', 'ENTERPRISE'], onApplication('SUBMITTED'))?.kind).toBe('FORBIDDEN');
    }
  });

  it('moves an application through the loop and never out of DISBURSED except to be rated', () => {
    expect(nextState(applicationRules.RESUBMIT, 'RETURNED')).toBe('RESUBMITTED');
    expect(nextState(applicationRules.STOP, 'PUBLIC_NOTICE')).toBe('STOPPED');
    const fromPaid = (Object.keys(applicationRules) as ApplicationAction[]).filter(
      (action) => !check(applicationRules[action], applicationRules[action].who, onApplication('DISBURSED')),
    );
    expect(fromPaid).toEqual(['RATE']);
  });

  it('lets anyone object, even without signing in, and only while the notice runs', () => {
    expect(check(applicationRules.FILE_OBJECTION, ['ANONYMOUS'], onApplication('PUBLIC_NOTICE'))).toBeNull();
    expect(check(applicationRules.FILE_OBJECTION, ['ANONYMOUS'], onApplication('DISBURSED'))?.kind).toBe('INVALID_TRANSITION');
  });

  it('keeps publication, amendment and repeal for the issuing unit admin and the command office', () => {
    const onPolicy = (state: keyof typeof policyStateNames) => ({
      noun: { zh: '该政策', en: 'the policy' },
      state,
      stateNames: policyStateNames,
    });
    for (const action of ['PUBLISH', 'AMEND', 'REPEAL'] as const) {
      expect(
        check(policyRules[action], ['UNIT_MEMBER', 'ISSUING_UNIT_STAFF'], onPolicy(action === 'PUBLISH' ? 'DRAFT' : 'PUBLISHED'))?.kind,
      ).toBe('FORBIDDEN');
    }
    expect(check(policyRules.AMEND, ['ISSUING_UNIT_ADMIN'], onPolicy('EXPIRED'))).toBeNull();
    expect(check(policyRules.PUBLISH, ['COMMAND_OFFICE'], onPolicy('REPEALED'))?.kind).toBe('INVALID_TRANSITION');
  });

  it('reads a published policy past its validity as expired', () => {
    expect(policyState({ status: 'PUBLISHED', validUntil: '2026-11-22' }, '2026-11-23')).toBe('EXPIRED');
    expect(policyState({ status: 'PUBLISHED', validUntil: '2026-11-23' }, '2026-11-23')).toBe('PUBLISHED');
    expect(policyState({ status: 'REPEALED', validUntil: '2020-01-01' }, '2026-11-23')).toBe('REPEALED');
  });
});

describe('the access module', () => {
  const directory = staticDirectory(
    new Directory(
      referenceUnits.map((u) => ({ ...u, archived: u.code === 'SPORTS_BUREAU' })),
      referenceDistricts.map((d) => d.code),
      campaign.domains.map((d) => d.code),
    ),
  );
  const viewer = (role: Viewer['role'], unit?: string, enterprise?: string): Viewer => ({
    subject: `t-${role}`,
    role,
    unitId: unit ? unitIdForCode(unit) : null,
    enterprise: enterprise ?? null,
  });
  const science = unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU');
  const application = {
    reviewingUnitId: science,
    issuingUnitId: science,
    enterpriseCreditCode: 'E1',
    status: 'UNDER_REVIEW',
    reviewerSubject: 'someone-else',
    reviewerRole: 'UNIT_STAFF',
    reviewerIssuer: '',
  } as ApplicationRow;

  it('works out standings from the token and the directory, and an archived unit acts for nobody', async () => {
    const draft = { status: 'DRAFT', issuingUnitId: science } as PolicyRow;
    expect(await createPoliciesAccess(viewer('UNIT_STAFF', 'SCIENCE_TECHNOLOGY_BUREAU'), directory).canSeePolicy(draft)).toBe(true);
    expect(await createPoliciesAccess(viewer('UNIT_STAFF', 'TAXATION_BUREAU'), directory).canSeePolicy(draft)).toBe(false);
    expect(await createPoliciesAccess(viewer('ANONYMOUS'), directory).canSeePolicy({ ...draft, status: 'PUBLISHED' })).toBe(true);
    await expect(createPoliciesAccess(viewer('UNIT_ADMIN', 'SPORTS_BUREAU'), directory).assert('CREATE_POLICY')).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
  });

  it('lets only the reviewer who took an application, or a unit admin, decide it', async () => {
    await expect(
      createPoliciesAccess(viewer('UNIT_STAFF', 'SCIENCE_TECHNOLOGY_BUREAU'), directory).assertApplication('APPROVE', application),
    ).rejects.toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    await expect(
      createPoliciesAccess(viewer('UNIT_ADMIN', 'SCIENCE_TECHNOLOGY_BUREAU'), directory).assertApplication('APPROVE', application),
    ).resolves.toBeUndefined();
    await expect(
      createPoliciesAccess({ ...viewer('UNIT_STAFF', 'SCIENCE_TECHNOLOGY_BUREAU'), subject: 'someone-else' }, directory).assertApplication(
        'APPROVE',
        application,
      ),
    ).resolves.toBeUndefined();
    // The reviewer is a person: the same subject from another issuer is somebody else.
    const elsewhere = {
      ...viewer('UNIT_STAFF', 'SCIENCE_TECHNOLOGY_BUREAU'),
      subject: 'someone-else',
      issuer: 'https://idp.other.example',
    };
    await expect(createPoliciesAccess(elsewhere, directory).assertApplication('APPROVE', application)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN' },
    });
    // Taken into review before roles were kept: its subject decides, as it did then.
    const older = { ...application, reviewerRole: null, reviewerIssuer: null };
    await expect(
      createPoliciesAccess({ ...viewer('UNIT_STAFF', 'SCIENCE_TECHNOLOGY_BUREAU'), subject: 'someone-else' }, directory).assertApplication(
        'APPROVE',
        older,
      ),
    ).resolves.toBeUndefined();
  });

  it('gives an enterprise its own applications and a unit those of its items, nothing else', async () => {
    expect(await createPoliciesAccess(viewer('ENTERPRISE', undefined, 'E1'), directory).canSeeApplication(application)).toBe(true);
    expect(await createPoliciesAccess(viewer('ENTERPRISE', undefined, 'E2'), directory).canSeeApplication(application)).toBe(false);
    expect(await createPoliciesAccess(viewer('UNIT_STAFF', 'TAXATION_BUREAU'), directory).canSeeApplication(application)).toBe(false);
    expect(await createPoliciesAccess(viewer('OBSERVER'), directory).applicationScope()).toEqual({ kind: 'none' });
  });
});
