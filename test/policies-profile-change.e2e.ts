/**
 * Issue #28 §1: an enterprise's profile changed in the registry is seen by matching at once — the
 * policy calculator, the notices of a publication and 免申即享 all read the units slice's current
 * registry when they run; nothing is copied overnight. And the grants stay exactly the eligible set:
 * a newly eligible enterprise is granted at the next run, nobody else, and nobody twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { automaticItem, callers, docs, firms, gateway, ok, policyInput, rdItem, registerFirms } from './support/policies.ts';

let t: TestPlatform;
const clock = new TestClock('2026-09-09T10:00:00+08:00');
let rdItemId: string;
let automaticItemId: string;

const MATCHES = `query($code: String!) { policyMatches(creditCode: $code, first: 50) { totalCount edges { node { eligible missing item { id } } } } }`;
const UPSERT = `mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode version } }`;
const APPLICATIONS = `query($code: String!) { enterprise(creditCode: $code) { applications { edges { node { source status item { id } } } } } }`;

const matchesOf = async (firm: keyof typeof firms) =>
  (await ok(gateway(t), MATCHES, callers[firm], { code: firms[firm].creditCode })).policyMatches.edges.map((e: any) => ({
    item: e.node.item.id,
    eligible: e.node.eligible,
    missing: e.node.missing,
  }));
/** The item ids of the automatic grants an enterprise holds. */
const grantsOf = async (firm: keyof typeof firms) =>
  (await ok(gateway(t), APPLICATIONS, callers[firm], { code: firms[firm].creditCode })).enterprise.applications.edges
    .filter((e: any) => e.node.source === 'AUTOMATIC')
    .map((e: any) => e.node.item.id);

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
  await registerFirms(t);
  const policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  rdItemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: rdItem })).createPolicyItem.id;
  automaticItemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: automaticItem })).createPolicyItem.id;
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕28号' } });
});
afterAll(async () => {
  await t?.stop();
});

describe('a profile change and matching', () => {
  it('is seen by the policy calculator in the very next request', async () => {
    // 科技服务, 科技型中小企业: the R&D item (manufacturing and 高新技术企业) misses two criteria, so it is not offered.
    expect((await matchesOf('startup')).find((m: any) => m.item === rdItemId)).toBeUndefined();
    expect((await matchesOf('startup')).find((m: any) => m.item === automaticItemId)).toEqual({
      item: automaticItemId,
      eligible: true,
      missing: 0,
    });
    await ok(gateway(t), UPSERT, callers.office, {
      input: { ...firms.startup, industryCode: 'C3484', qualifications: ['TECH_SME', 'HIGH_TECH'] },
    });
    expect((await matchesOf('startup')).find((m: any) => m.item === rdItemId)).toEqual({ item: rdItemId, eligible: true, missing: 0 });
    // And back: the registry is read each time, never a copy.
    await ok(gateway(t), UPSERT, callers.office, { input: { ...firms.startup, industryCode: 'C3484', qualifications: ['TECH_SME'] } });
    expect((await matchesOf('startup')).find((m: any) => m.item === rdItemId)).toEqual({ item: rdItemId, eligible: false, missing: 1 });
  });

  it('pages the calculator: page by page the same list as in one, the count the same on every page', async () => {
    const PAGE = `query($code: String!, $after: String) { policyMatches(creditCode: $code, first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { missing item { id } } } } }`;
    const whole = (await matchesOf('hightech')).map((m: any) => [m.item, m.missing]);
    expect(whole).toEqual([
      [rdItemId, 0],
      [automaticItemId, 1],
    ]);
    const paged: unknown[] = [];
    let after: string | null = null;
    do {
      const page: any = (await ok(gateway(t), PAGE, callers.hightech, { code: firms.hightech.creditCode, after })).policyMatches;
      expect(page.totalCount).toBe(2);
      paged.push(...page.edges.map((e: any) => [e.node.item.id, e.node.missing]));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(paged).toEqual(whole);
    // Without totalCount asked, the page alone.
    const bare = `query($code: String!) { policyMatches(creditCode: $code, first: 1) { edges { node { item { id } } } } }`;
    expect((await ok(gateway(t), bare, callers.hightech, { code: firms.hightech.creditCode })).policyMatches.edges).toEqual([
      { node: { item: { id: rdItemId } } },
    ]);
  });

  it('grants 免申即享 to exactly the enterprises eligible at each run: a newly eligible one next time, nobody twice', async () => {
    const first = (await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId: automaticItemId })).runAutomaticGrants;
    expect(first).toMatchObject({ eligible: 1, created: 1, alreadyGranted: 0 });
    expect([await grantsOf('startup'), await grantsOf('hightech'), await grantsOf('logistics')]).toEqual([[automaticItemId], [], []]);

    await ok(gateway(t), UPSERT, callers.office, { input: { ...firms.logistics, qualifications: ['TECH_SME'] } });
    const second = (await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId: automaticItemId })).runAutomaticGrants;
    expect(second).toMatchObject({ eligible: 2, created: 1, alreadyGranted: 1 });
    expect([await grantsOf('startup'), await grantsOf('hightech'), await grantsOf('logistics')]).toEqual([
      [automaticItemId],
      [],
      [automaticItemId],
    ]);

    const third = (await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId: automaticItemId })).runAutomaticGrants;
    expect(third).toMatchObject({ eligible: 2, created: 0, alreadyGranted: 2 });
  });
});
