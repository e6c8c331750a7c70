/**
 * Eligibility is written three times — eligibility.ts (the reasons), the policies store's matching
 * statement (one enterprise against every item), and the filter pushed down to the units store (every
 * enterprise for one item). On random enterprises and random criteria, in PostgreSQL, all three agree.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode, unitIdForCode } from '../db/reference/organisation.ts';
import { prepareDatabase } from '../platform/start.ts';
import {
  evaluate,
  fullYears,
  toEnterpriseFilter,
  unmetCount,
  type Criteria,
  type EnterpriseProfile,
} from '../subgraphs/policies/eligibility.ts';
import { itemStore } from '../subgraphs/policies/store.ts';
import { tsvectorOf } from '../platform/search-text.ts';
import { enterpriseStore } from '../subgraphs/units/store.ts';
import { slices } from '../subgraphs/registry.ts';
import { rowsOf } from '../db/client.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let database: TestDatabase;
let policyId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  await prepareDatabase(database.handle, slices, { sample: false });
  const [row] = rowsOf<{ id: string }>(
    await database.handle.forSubgraph('policies').db.execute(sql`
    insert into policies.policies (level, issuing_unit_id, environment, status, title, body, issued_on, valid_from, head_terms, body_terms, created_at, created_by)
    values ('MUNICIPAL', ${unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU')}::uuid, 'POLICY', 'PUBLISHED', 't', 't', '2026-01-01', '2026-01-01', ''::tsvector, ''::tsvector, now(), 'test')
    returning id`),
  );
  policyId = row!.id;
}, 120_000);
afterAll(async () => {
  await database?.drop();
});

const DISTRICTS = ['370202', '370203', '370211', '370212'];
const QUALIFICATIONS = ['HIGH_TECH', 'TECH_SME', 'SPECIALIZED_SME', 'LITTLE_GIANT', 'GAZELLE', 'MANUFACTURING_CHAMPION'] as const;
const SIZES = ['LARGE', 'MEDIUM', 'SMALL', 'MICRO'] as const;
const date = fc.integer({ min: Date.UTC(2004, 1, 20), max: Date.UTC(2026, 10, 23) }).map((t) => new Date(t).toISOString().slice(0, 10));
const profileShape = fc.record({
  districtCode: fc.constantFrom(...DISTRICTS),
  industryCode: fc.constantFrom('C', 'C34', 'C3484', 'C1391', 'I6513', 'M7320', 'G5532'),
  sizeClass: fc.constantFrom(...SIZES),
  registeredOn: fc.option(date, { nil: null }),
  qualifications: fc.uniqueArray(fc.constantFrom(...QUALIFICATIONS), { maxLength: 3 }),
});
const criteriaShape: fc.Arbitrary<Criteria> = fc.record({
  industryPrefixes: fc.uniqueArray(fc.constantFrom('C', 'C34', 'C3484', 'I', 'M73', 'G'), { maxLength: 2 }),
  sizeClasses: fc.uniqueArray(fc.constantFrom(...SIZES), { maxLength: 2 }),
  districtCodes: fc.uniqueArray(fc.constantFrom(...DISTRICTS), { maxLength: 2 }),
  minYears: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  maxYears: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  qualifications: fc.uniqueArray(fc.constantFrom(...QUALIFICATIONS), { maxLength: 2 }),
  qualificationMatch: fc.constantFrom('ANY', 'ALL' as const),
});

let round = 0;

describe('eligibility, three ways', () => {
  it('gives the same answers from eligibility.ts, the matching statement and the units filter', async () => {
    const unitsDb = database.handle.forSubgraph('units').db;
    const policiesDb = database.handle.forSubgraph('policies').db;
    await fc.assert(
      fc.asyncProperty(
        fc.array(profileShape, { minLength: 20, maxLength: 40 }),
        fc.array(criteriaShape, { minLength: 10, maxLength: 20 }),
        date,
        async (shapes, criteriaList, on) => {
          round++;
          // Fresh enterprises and items each round; old rounds are filtered out by their codes and ids.
          const profiles: EnterpriseProfile[] = shapes.map((shape, i) => ({
            ...shape,
            creditCode: sampleCreditCode(shape.districtCode, 10_000 + round * 100 + i),
          }));
          for (const p of profiles) {
            await unitsDb.execute(sql`
            insert into units.enterprises (credit_code, name, district_code, industry_code, size_class, registered_on, qualifications)
            values (${p.creditCode}, ${'随机企业'}, ${p.districtCode}, ${p.industryCode}, ${p.sizeClass}::units.size_class, ${p.registeredOn}::date, ${`{${p.qualifications.join(',')}}`}::units.qualification[])`);
          }
          const items = await Promise.all(
            criteriaList.map((c, i) =>
              itemStore.insert(policiesDb, {
                policyId,
                issuingUnitId: unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU'),
                reviewingUnitId: unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU'),
                level: 'MUNICIPAL',
                environment: 'POLICY',
                name: `随机项目 ${round}-${i}`,
                kind: 'SERVICE',
                description: 'x',
                reviewWorkingDays: 5,
                paymentWorkingDays: 5,
                industryPrefixes: c.industryPrefixes,
                sizeClasses: c.sizeClasses,
                districtCodes: c.districtCodes,
                minYears: c.minYears,
                maxYears: c.minYears !== null && c.maxYears !== null && c.maxYears < c.minYears ? c.minYears : c.maxYears,
                qualifications: c.qualifications,
                qualificationMatch: c.qualificationMatch,
                status: 'PUBLISHED',
                sortAt: new Date(),
                createdAt: new Date(),
                headTerms: tsvectorOf('x'),
                bodyTerms: tsvectorOf('x'),
              }),
            ),
          );
          const codes = new Set(profiles.map((p) => p.creditCode));
          for (const item of items) {
            const criteria: Criteria = {
              industryPrefixes: item.industryPrefixes,
              sizeClasses: item.sizeClasses,
              districtCodes: item.districtCodes,
              minYears: item.minYears,
              maxYears: item.maxYears,
              qualifications: item.qualifications,
              qualificationMatch: item.qualificationMatch,
            };
            const expected = profiles
              .filter((p) => evaluate(criteria, p, on).every((r) => r.met))
              .map((p) => p.creditCode)
              .sort();
            const pushedDown = (await enterpriseStore.codes(unitsDb, toEnterpriseFilter(criteria, on), 1_000_000, null))
              .filter((code) => codes.has(code))
              .sort();
            expect(pushedDown, JSON.stringify({ criteria, on })).toEqual(expected);
          }
          for (const p of profiles) {
            const params = {
              industryCode: p.industryCode,
              sizeClass: p.sizeClass,
              districtCode: p.districtCode,
              years: p.registeredOn ? fullYears(p.registeredOn, on) : null,
              qualifications: p.qualifications,
            };
            const missing = await itemStore.missingFor(
              policiesDb,
              params,
              items.map((item) => item.id),
            );
            for (const item of items) {
              const criteria: Criteria = {
                industryPrefixes: item.industryPrefixes,
                sizeClasses: item.sizeClasses,
                districtCodes: item.districtCodes,
                minYears: item.minYears,
                maxYears: item.maxYears,
                qualifications: item.qualifications,
                qualificationMatch: item.qualificationMatch,
              };
              expect(missing.get(item.id), JSON.stringify({ p, criteria, on })).toBe(unmetCount(evaluate(criteria, p, on)));
            }
          }
        },
      ),
      { numRuns: 6 },
    );
  }, 240_000);
});
