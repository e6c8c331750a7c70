/**
 * Issue #21, item 3: a public notice (公示) shows the public who is being paid — the enterprise's
 * name, the item and the amount — to anonymous callers and to other enterprises alike, for an
 * application put on notice by its reviewer and for an automatic grant (免申即享); nothing of an
 * application not yet on notice; and nothing of the enterprise's profile beyond its name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { automaticItem, callers, docs, firms, gateway, ok, policyInput, rdItem, registerFirms, requestId } from './support/policies.ts';

let t: TestPlatform;
const clock = new TestClock('2026-09-01T10:00:00+08:00'); // a Tuesday
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const NOTICES = /* GraphQL */ `
  {
    publicNotices(first: 50) {
      totalCount
      edges {
        node {
          applicationId
          enterpriseName
          amount
          item {
            name
          }
          enterprise {
            creditCode
            name
            sizeClass
          }
        }
      }
    }
  }
`;
const readers: [string, Caller][] = [
  ['anonymous', callers.anonymous],
  ['another enterprise', callers.logistics],
];
/** The profile stays the units slice's: who may not see it gets none of its fields, the name included. */
const expectNoProfile = (node: any) => {
  expect(node.enterprise?.name ?? null).toBeNull();
  expect(node.enterprise?.sizeClass ?? null).toBeNull();
};
const noticesAs = async (as: Caller) => (await ok(gateway(t), NOTICES, as)).publicNotices.edges.map((edge: any) => edge.node);

describe('a public notice names the enterprise being paid', () => {
  let applicationId: string;
  let automaticItemId: string;

  it('prepares a published policy with an item to apply for and an automatic one, and an approved application', async () => {
    const policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
    const rdItemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: rdItem })).createPolicyItem.id;
    automaticItemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: automaticItem })).createPolicyItem.id;
    await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕21号' } });
    const input = {
      clientRequestId: requestId('notice'),
      itemId: rdItemId,
      declaredBase: 2_000_000,
      materials: [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }],
    };
    applicationId = (await ok(gateway(t), docs.submit, callers.hightech, { input })).submitApplication.id;
    await ok(gateway(t), docs.startReview, callers.scienceStaff, { id: applicationId });
    const approved = (await ok(gateway(t), docs.approve, callers.scienceStaff, { id: applicationId, amount: 150_000 })).approveApplication;
    expect(approved.status).toBe('APPROVED');
  });

  it.each(readers)('shows nothing of an application not yet on notice (%s)', async (_, as) => {
    const nodes = await noticesAs(as);
    expect(nodes.map((node: any) => node.applicationId)).not.toContain(applicationId);
    expect(JSON.stringify(nodes)).not.toContain(firms.hightech.name);
  });

  it.each(readers)('shows the name, the item and the amount once the notice runs, and no other profile field (%s)', async (_, as) => {
    if (as === callers.anonymous) await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id: applicationId });
    const node = (await noticesAs(as)).find((found: any) => found.applicationId === applicationId);
    expect(node).toMatchObject({ applicationId, enterpriseName: firms.hightech.name, amount: 150_000, item: { name: rdItem.name } });
    expectNoProfile(node);
  });

  it('keeps the name with the notice when the registry renames the enterprise later (the name as published)', async () => {
    await ok(gateway(t), `mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`, callers.office, {
      input: { ...firms.hightech, name: '测试高新制造（集团）有限公司' },
    });
    const node = (await noticesAs(callers.anonymous)).find((found: any) => found.applicationId === applicationId);
    expect(node.enterpriseName).toBe(firms.hightech.name);
  });

  it.each(readers)('names the enterprises of an automatic grant, which go straight to public notice (%s)', async (_, as) => {
    if (as === callers.anonymous) {
      const run = (await ok(gateway(t), docs.runGrants, callers.scienceStaff, { itemId: automaticItemId })).runAutomaticGrants;
      expect(run.created).toBeGreaterThan(0);
    }
    const granted = (await noticesAs(as)).filter((node: any) => node.item.name === automaticItem.name);
    expect(granted.length).toBeGreaterThan(0);
    expect(granted.map((node: any) => node.enterpriseName)).toContain(firms.startup.name);
    for (const node of granted) {
      expect(node.enterpriseName).toEqual(expect.any(String));
      expectNoProfile(node);
    }
  });

  it('shows the command office the same name beside the profile it may see', async () => {
    const node = (await noticesAs(callers.office)).find((found: any) => found.applicationId === applicationId);
    expect(node).toMatchObject({ enterpriseName: firms.hightech.name, enterprise: { creditCode: firms.hightech.creditCode } });
  });
});
