/**
 * An enterprise's profile as policy matching needs it: date of registration and qualifications,
 * written by the registry owner, kept when an update leaves them out, filterable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.stop();
});

const registry = { role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' } as const;
const UPSERT = /* GraphQL */ `
  mutation ($input: UpsertEnterpriseInput!) {
    upsertEnterprise(input: $input) {
      creditCode
      registeredOn
      qualifications
      version
    }
  }
`;
const base = { name: '青岛资质测试有限公司', districtCode: '370202', industryCode: 'C3484', sizeClass: 'SMALL' };

describe('an enterprise’s profile', () => {
  it('records the date of registration and the qualifications, and keeps them when an update leaves them out', async () => {
    const creditCode = sampleCreditCode('370202', 701);
    const created = await t.query(UPSERT, {
      as: registry,
      variables: { input: { ...base, creditCode, registeredOn: '2015-06-01', qualifications: ['HIGH_TECH', 'HIGH_TECH', 'LITTLE_GIANT'] } },
    });
    expect(created.data.upsertEnterprise).toEqual({
      creditCode,
      registeredOn: '2015-06-01',
      qualifications: ['HIGH_TECH', 'LITTLE_GIANT'],
      version: 1,
    });
    const renamed = await t.query(UPSERT, {
      as: registry,
      variables: { input: { ...base, creditCode, name: '青岛资质测试股份有限公司' } },
    });
    expect(renamed.data.upsertEnterprise).toMatchObject({
      registeredOn: '2015-06-01',
      qualifications: ['HIGH_TECH', 'LITTLE_GIANT'],
      version: 2,
    });
    const cleared = await t.query(UPSERT, { as: registry, variables: { input: { ...base, creditCode, qualifications: [] } } });
    expect(cleared.data.upsertEnterprise.qualifications).toEqual([]);
  });

  it('refuses a date of registration in the future, changing nothing', async () => {
    const creditCode = sampleCreditCode('370202', 702);
    const refused = await t.query(UPSERT, { as: registry, variables: { input: { ...base, creditCode, registeredOn: '2999-01-01' } } });
    // 2999 is past the years any date may have (the Date scalar); nearer future dates are the slice's refusal.
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: expect.stringMatching(/registeredOn$/) });
    const read = await t.query(`query($c: String!) { enterprise(creditCode: $c) { creditCode } }`, {
      as: 'COMMAND_OFFICE',
      variables: { c: creditCode },
    });
    expect(read.data.enterprise).toBeNull();
  });

  it('lists the enterprises that hold a qualification', async () => {
    const creditCode = sampleCreditCode('370203', 703);
    await t.query(UPSERT, {
      as: registry,
      variables: { input: { ...base, districtCode: '370203', creditCode, qualifications: ['GAZELLE'] } },
    });
    const list = await t.query(`{ enterprises(filter: { qualification: GAZELLE }) { edges { node { creditCode qualifications } } } }`, {
      as: 'COMMAND_OFFICE',
    });
    expect(list.data.enterprises.edges).toEqual([{ node: { creditCode, qualifications: ['GAZELLE'] } }]);
  });
});
