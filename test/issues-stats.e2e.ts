import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { HOUR, TestClock } from './support/clock.ts';
import { appealAt, callers, mutations, submitAppeal, unit } from './support/issues.ts';

const clock = new TestClock();
let t: TestPlatform;

const STATS =
  'received accepted closed overdueNow reopened responseRate feedbackRate onTimeResolutionRate rectificationRate resolutionRate satisfactionRate';

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });

  // 市商务局, October 2023:
  // (1) handled on time everywhere, rated satisfied and solved, closed;
  clock.set('2023-10-09T09:00:00+08:00');
  const staff = { role: 'UNIT_STAFF', unit: 'COMMERCE_BUREAU' } as const;
  const one = await appealAt(t, 'RESOLVED', { unitCode: 'COMMERCE_BUREAU', staff });
  await mutations.rate(t, callers.enterpriseA, one.id, 'SATISFIED', true);
  await mutations.close(t, callers.office, one.id);
  // (2) contacted late (after 2 h), feedback on time, resolved, rated basically satisfied but not solved;
  clock.set('2023-10-10T09:00:00+08:00');
  const two = await appealAt(t, 'ASSIGNED', { unitCode: 'COMMERCE_BUREAU', staff });
  clock.advance(3 * HOUR);
  await mutations.contact(t, staff, two.id);
  await mutations.feedback(t, staff, two.id);
  await mutations.resolve(t, staff, two.id);
  await mutations.rate(t, callers.enterpriseA, two.id, 'BASICALLY_SATISFIED', false);
  // (3) assigned and never touched: contact and feedback become overdue.
  clock.set('2023-10-11T09:00:00+08:00');
  await appealAt(t, 'ASSIGNED', { unitCode: 'COMMERCE_BUREAU', staff });
  // (4) a November appeal for the same unit, outside the October period.
  clock.set('2023-11-01T09:00:00+08:00');
  await appealAt(t, 'ASSIGNED', { unitCode: 'COMMERCE_BUREAU', staff });
  // (5) rejected: received, never accepted, its deadlines cancelled.
  clock.set('2023-10-12T09:00:00+08:00');
  const rejected = await submitAppeal(t);
  await mutations.reject(t, callers.office, rejected.id);

  clock.set('2023-10-13T12:00:00+08:00');
});
afterAll(async () => {
  await t?.stop();
});

describe('issue statistics', () => {
  it('counts the period’s issues of a unit and computes each rate from what was due', async () => {
    const { data, errors } = await t.query(
      `query($id: ID!) { unit(id: $id) { issueStats(period: { from: "2023-10-01", to: "2023-10-31" }) { ${STATS} } } }`,
      { as: callers.office, variables: { id: unit('COMMERCE_BUREAU') } },
    );
    expect(errors).toBeUndefined();
    expect(data.unit.issueStats).toEqual({
      received: 3,
      accepted: 3,
      closed: 1,
      overdueNow: 1, // (3): contact and feedback overdue
      reopened: 0,
      responseRate: 1 / 3, // contacts due: (1) on time, (2) late, (3) overdue
      feedbackRate: 2 / 3, // feedback due: (1), (2) on time; (3) overdue since 10-12 24:00
      onTimeResolutionRate: 1, // resolutions due: (1) and (2), both met; (3)'s is not due yet
      rectificationRate: 1 / 3,
      resolutionRate: 1 / 2,
      satisfactionRate: 1,
    });
  });

  it('gives null rates, not zero, when nothing was due', async () => {
    const { data } = await t.query(
      `query($id: ID!) { unit(id: $id) { issueStats(period: { from: "2023-10-01", to: "2023-10-31" }) { ${STATS} } } }`,
      { as: callers.office, variables: { id: unit('SPORTS_BUREAU') } },
    );
    expect(data.unit.issueStats).toEqual({
      received: 0,
      accepted: 0,
      closed: 0,
      overdueNow: 0,
      reopened: 0,
      responseRate: null,
      feedbackRate: null,
      onTimeResolutionRate: null,
      rectificationRate: null,
      resolutionRate: null,
      satisfactionRate: null,
    });
  });

  it('adds the domain’s units for Domain.issueStats and every issue for the city', async () => {
    const { data, errors } = await t.query(
      `{ domain(code: "COMMERCE") { issueStats { received closed } }
         issueStats(period: { from: "2023-10-01", to: "2023-10-31" }) { received accepted closed } }`,
      { as: callers.office },
    );
    expect(errors).toBeUndefined();
    expect(data.domain.issueStats).toEqual({ received: 4, closed: 1 });
    // the city counts the rejected appeal too (received, not accepted)
    expect(data.issueStats).toEqual({ received: 4, accepted: 3, closed: 1 });
  });

  it('refuses a period that ends before it starts', async () => {
    const { errors } = await t.query(`{ issueStats(period: { from: "2023-10-31", to: "2023-10-01" }) { received } }`, {
      as: callers.office,
    });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'period' });
  });
});

describe('the cost of the command office’s cross-unit query', () => {
  const statementsFor = async (first: number) => {
    t.platform.statements.issues!.count = 0;
    const { data, errors } = await t.query(
      `query($first: Int) { units(first: $first, filter: { includeArchived: true }) { edges { node { code issueStats(period: { from: "2023-01-01", to: "2023-12-31" }) { ${STATS} } } } } }`,
      { as: callers.office, variables: { first } },
    );
    expect(errors).toBeUndefined();
    return { units: data.units.edges.length, statements: t.platform.statements.issues!.count };
  };

  it('uses the same number of SQL statements for 5 units as for every unit, however many there are', async () => {
    const few = await statementsFor(5);
    const all = await statementsFor(100);
    expect(few.units).toBe(5);
    expect(all.units).toBe(64);
    expect(all.statements).toBe(few.statements);
    expect(all.statements).toBe(1);
    // More units in the directory: still one statement.
    for (let i = 0; i < 6; i++) {
      await t.query(`mutation($input: CreateUnitInput!) { createUnit(input: $input) { id } }`, {
        as: callers.office,
        variables: { input: { code: `EXTRA_UNIT_${i}`, name: `新增单位${i}`, kind: 'OTHER', level: 'CITY' } },
      });
    }
    const more = await statementsFor(100);
    expect(more.units).toBe(70);
    expect(more.statements).toBe(1);
  });

  it('answers the ten domains’ figures with one statement too', async () => {
    t.platform.statements.issues!.count = 0;
    const { data, errors } = await t.query(`{ domains { code issueStats { received } } }`, { as: callers.office });
    expect(errors).toBeUndefined();
    expect(data.domains).toHaveLength(10);
    expect(t.platform.statements.issues!.count).toBe(1);
  });
});
