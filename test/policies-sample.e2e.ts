/**
 * The sample data shows a live picture of the policies slice, dated relative to the day it is
 * loaded: every step of the loop is present, and the command office's figures add up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true', DIRECTORY_TTL_MS: '0' } });
});
afterAll(async () => {
  await t?.stop();
});

describe('the policies sample data', () => {
  it('shows published, amended, repealed and consulted policies to anyone', async () => {
    const response = await t.query(`{ policies(first: 20) { totalCount edges { node { title status revision sample documentNumber } } } }`);
    expect(response.errors).toBeUndefined();
    const byTitle = Object.fromEntries(response.data.policies.edges.map((e: any) => [e.node.title, e.node]));
    expect(Object.values(byTitle).every((p: any) => p.sample)).toBe(true);
    expect(byTitle['青岛市支持科技型企业创新发展若干政策措施（样例）']).toMatchObject({ status: 'PUBLISHED', revision: 1 });
    expect(byTitle['青岛市小微企业吸纳就业补贴办法（样例）']).toMatchObject({
      status: 'PUBLISHED',
      revision: 2,
      documentNumber: '青人社规〔2026〕7号（样例）',
    });
    expect(byTitle['青岛市工业企业技术改造奖励办法（样例）']).toMatchObject({ status: 'REPEALED' });
    expect(byTitle['青岛市外贸企业出口信用保险保费补贴办法（征求意见稿）（样例）']).toMatchObject({ status: 'CONSULTATION' });
  });

  it('has applications at every step, an overdue review and overdue payments, and figures that add up', async () => {
    const response = await t.query(
      `{ applications(first: 100) { totalCount edges { node { status source overdue } } }
         overdue: applications(filter: { overdue: true }, first: 100) { totalCount }
         policyStats { applicationsReceived automaticGrants approved refused disbursedCount disbursedAmount pastLimits reviews { count verySatisfied basicallySatisfied averageScore } }
         unit(id: "${unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU')}") { name policyStats { approved disbursedCount } applicationReviews(first: 10) { totalCount edges { node { level score } } } } }`,
      { as: 'COMMAND_OFFICE' },
    );
    expect(response.errors).toBeUndefined();
    const statuses = new Set(response.data.applications.edges.map((e: any) => e.node.status));
    for (const status of ['SUBMITTED', 'UNDER_REVIEW', 'PUBLIC_NOTICE', 'REJECTED', 'DISBURSED']) expect(statuses).toContain(status);
    expect(response.data.overdue.totalCount).toBeGreaterThan(0);
    expect(response.data.policyStats).toMatchObject({
      automaticGrants: 10,
      refused: 1,
      reviews: { count: 2, verySatisfied: 1, basicallySatisfied: 1, averageScore: 4 },
    });
    expect(response.data.policyStats.disbursedAmount).toBe(300_000);
    expect(response.data.unit.applicationReviews.totalCount).toBe(2);
  });

  it('has a notice with an objection still to answer and its repetition marked as a duplicate', async () => {
    const response = await t.query(
      `{ applications(filter: { status: [PUBLIC_NOTICE], source: ONLINE }, first: 10) { edges { node { objections { id answer mark { kind duplicateOf reason } } } } } }`,
      {
        as: { role: 'UNIT_STAFF', unit: 'SCIENCE_TECHNOLOGY_BUREAU' },
      },
    );
    expect(response.errors).toBeUndefined();
    const objections = response.data.applications.edges.flatMap((e: any) => e.node.objections);
    const [open, repeated] = objections;
    expect(objections).toHaveLength(2);
    expect(open).toMatchObject({ answer: null, mark: null });
    expect(repeated).toMatchObject({ answer: null, mark: { kind: 'DUPLICATE', duplicateOf: open.id } });
  });
});

describe('a public notice read by the public (issue #20, finding 7)', () => {
  const NOTICES = `{ publicNotices(first: 20) { totalCount edges { node { number amount enterprise { creditCode registered name } } } } }`;

  it('keeps the whole page when the enterprise’s profile is not the caller’s to see: that enterprise is null, the rest is there', async () => {
    const response = await t.query(NOTICES);
    expect(response.status).toBe(200);
    // Once `{"data": null}` with no error at all: the hidden profile's non-null fields nulled everything.
    expect(response.data, JSON.stringify(response)).not.toBeNull();
    expect(response.errors).toBeUndefined();
    const nodes = response.data.publicNotices.edges.map((edge: any) => edge.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(response.data.publicNotices.totalCount).toBe(nodes.length);
    for (const node of nodes) {
      expect(node.number).toEqual(expect.any(Number));
      expect(node.enterprise).toBeNull();
    }
  });

  it('shows the enterprise to the command office, which may see it', async () => {
    const response = await t.query(NOTICES, { as: 'COMMAND_OFFICE' });
    expect(response.errors).toBeUndefined();
    const nodes = response.data.publicNotices.edges.map((edge: any) => edge.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes)
      expect(node.enterprise).toMatchObject({ creditCode: expect.any(String), registered: true, name: expect.any(String) });
  });
});
