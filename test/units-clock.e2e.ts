/**
 * The units slice reads the platform's clock (the injected `now`), never the machine's: a date of
 * registration is "in the future" by the platform's today, and an archived unit's archivedAt is the
 * platform's now. Both were `new Date()` (issue #21).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
// Years before the machine's today: a date between the two is in the past for the machine, in the future for the platform.
const clock = new TestClock('2020-06-01T23:30:00+08:00');
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

const CO = { as: 'COMMAND_OFFICE' as const };
const UPSERT = `mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode registeredOn } }`;
const firm = (registeredOn: string) => ({
  creditCode: sampleCreditCode('370202', 901),
  name: '时钟测试有限公司',
  districtCode: '370202',
  industryCode: 'C3484',
  sizeClass: 'SMALL',
  registeredOn,
});

describe('the units slice on the platform’s clock', () => {
  it('refuses a date of registration after the platform’s today (Beijing), though long past for the machine', async () => {
    const refused = await t.query(UPSERT, { ...CO, variables: { input: firm('2020-06-02') } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', messageZh: '成立日期不能晚于今天' });
    // 23:30 in Beijing is still 1 June there (UTC is 15:30 the same day); the machine's clock would have allowed 2020-06-02 and later.
    const accepted = await t.query(UPSERT, { ...CO, variables: { input: firm('2020-06-01') } });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.upsertEnterprise.registeredOn).toBe('2020-06-01');
  });

  it('accepts that date once the clock has moved past it', async () => {
    clock.set('2020-06-02T00:30:00+08:00');
    const accepted = await t.query(UPSERT, { ...CO, variables: { input: firm('2020-06-02') } });
    expect(accepted.errors).toBeUndefined();
  });

  it('stamps an archived unit with the platform’s now', async () => {
    clock.set('2021-03-04T09:15:00+08:00');
    const created = await t.query(`mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`, {
      ...CO,
      variables: { input: { code: 'CLOCK_TEST_UNIT', name: '时钟测试单位', kind: 'OTHER', level: 'CITY' } },
    });
    expect(created.errors).toBeUndefined();
    const archived = await t.query(`mutation($id: ID!) { archiveUnit(id: $id, reason: "测试") { archived archivedAt } }`, {
      ...CO,
      variables: { id: created.data.createUnit.id },
    });
    expect(archived.errors).toBeUndefined();
    expect(archived.data.archiveUnit).toEqual({ archived: true, archivedAt: '2021-03-04T09:15:00+08:00' });
  });
});
