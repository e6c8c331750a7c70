/**
 * The units slice's bulk read for other services: credit codes of the enterprises matching a filter,
 * visible to the same callers as the enterprise directory, in pages, with the eligibility filters
 * policy items push down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleEnterprises } from '../db/reference/organisation.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' } });
});
afterAll(async () => {
  await t?.stop();
});

const CODES = `query($filter: EnterpriseFilter, $after: String) { enterpriseCodes(filter: $filter, after: $after) { codes hasNextPage endCursor } }`;
const all = sampleEnterprises();
const codesOf = (list: typeof all) => list.map((e) => e.creditCode).sort();

async function codes(as: Caller, filter: Record<string, unknown> = {}, via: 'gateway' | 'units' = 'gateway') {
  const response =
    via === 'gateway'
      ? await t.query(CODES, { as, variables: { filter } })
      : await t.querySubgraph('units', CODES, { as, variables: { filter } });
  return response;
}

describe('enterpriseCodes', () => {
  it('gives the command office every code, in order, in one page when they fit', async () => {
    const response = await codes('COMMAND_OFFICE');
    expect(response.data.enterpriseCodes).toEqual({ codes: codesOf(all), hasNextPage: false, endCursor: expect.any(String) });
  });

  it('limits a district unit to its district and an enterprise to itself, directly and through the gateway', async () => {
    for (const via of ['gateway', 'units'] as const) {
      const laoshan = await codes({ role: 'UNIT_STAFF', unit: 'LAOSHAN_DISTRICT' }, {}, via);
      expect(laoshan.data.enterpriseCodes.codes).toEqual(codesOf(all.filter((e) => e.districtCode === '370212')));
      const self = all[0]!;
      const own = await codes({ role: 'ENTERPRISE', enterprise: self.creditCode }, {}, via);
      expect(own.data.enterpriseCodes.codes).toEqual([self.creditCode]);
      expect(
        (await codes({ role: 'ENTERPRISE', enterprise: self.creditCode }, { sizeClasses: ['LARGE'] }, via)).data.enterpriseCodes.codes,
      ).toEqual([]);
      expect((await codes('ANONYMOUS', {}, via)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect((await codes({ role: 'OBSERVER', subject: 'o' }, {}, via)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('filters by industry prefixes, sizes, districts, the registration window and qualifications', async () => {
    const filter = {
      industryCodePrefixes: ['c', 'M73'],
      sizeClasses: ['SMALL', 'MEDIUM'],
      districtCodes: ['370202', '370203', '370213'],
      registeredOnOrBefore: '2016-12-31',
      registeredAfter: '2008-06-30',
      qualificationsAll: ['HIGH_TECH'],
      qualificationsAny: ['SPECIALIZED_SME', 'TECH_SME'],
    };
    const expected = all.filter(
      (e) =>
        (e.industryCode.startsWith('C') || e.industryCode.startsWith('M73')) &&
        ['SMALL', 'MEDIUM'].includes(e.sizeClass) &&
        ['370202', '370203', '370213'].includes(e.districtCode) &&
        e.registeredOn <= '2016-12-31' &&
        e.registeredOn > '2008-06-30' &&
        e.qualifications.includes('HIGH_TECH') &&
        e.qualifications.some((q) => q === 'SPECIALIZED_SME' || q === 'TECH_SME'),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect((await codes('COMMAND_OFFICE', filter)).data.enterpriseCodes.codes).toEqual(codesOf(expected));
  });

  it('continues after a cursor and refuses a bad filter with the field named', async () => {
    const first = (await codes('COMMAND_OFFICE')).data.enterpriseCodes;
    const cursor = first.endCursor;
    const rest = await t.query(CODES, { as: 'COMMAND_OFFICE', variables: { after: cursor } });
    expect(rest.data.enterpriseCodes).toEqual({ codes: [], hasNextPage: false, endCursor: null });
    const bad = await t.query(CODES, { as: 'COMMAND_OFFICE', variables: { filter: { industryCodePrefixes: ['9'] } } });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.industryCodePrefixes[0]' });
  });
});
