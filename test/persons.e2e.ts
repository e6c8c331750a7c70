/**
 * Issue #20, finding 12, in the slices besides the contests' judges: whatever stands on a person —
 * an observer's own reports, a retry's client request id, one's own consultation comment, the
 * reviewer who has an application in review — is keyed by the token's issuer, role and subject
 * together. A token with the same `sub` in another role, or from another issuer, is somebody else:
 * it neither sees that person's records nor gets them back as its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './support/clock.ts';
import { reportIssue } from './support/issues.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { callers, docs, firms, gateway, ok, policyInput, registerFirms, unit } from './support/policies.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00'); // a Monday
let t: TestPlatform;

const OTHER_ISSUER = 'https://idp.other.example';
const issueQuery = `query($id: ID!) { issue(id: $id) { id } }`;
const listIssues = async (as: Caller) =>
  (await t.query(`{ issues(first: 100) { edges { node { id } } } }`, { as })).data?.issues?.edges.map((e: any) => e.node.id) ?? [];

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('the issues slice', () => {
  const observer: Caller = { role: 'OBSERVER', subject: 'shared-sub' };
  const sameSubjectElsewhere: Caller = { role: 'OBSERVER', subject: 'shared-sub', issuer: OTHER_ISSUER };
  const sameSubjectAsStaff: Caller = { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU', subject: 'shared-sub' };
  let reported: string;

  beforeAll(async () => {
    const response = await reportIssue(t, observer, {
      clientRequestId: 'same-request-1',
      source: 'UNDERCOVER_VISIT',
      unitId: unit('MARKET_REGULATION_BUREAU'),
    });
    expect(response.errors).toBeUndefined();
    reported = response.data.reportIssue.id;
  });

  it('shows an observer’s reports to that observer only, not to the same subject from another issuer', async () => {
    expect(await listIssues(observer)).toContain(reported);
    expect(await listIssues(sameSubjectElsewhere)).not.toContain(reported);
    expect((await t.query(issueQuery, { as: sameSubjectElsewhere, variables: { id: reported } })).data?.issue).toBeNull();
  });

  it('keys a retry by the person: the same client request id from another role or issuer is a new report, never the other’s', async () => {
    const again = await reportIssue(t, observer, {
      clientRequestId: 'same-request-1',
      source: 'UNDERCOVER_VISIT',
      unitId: unit('MARKET_REGULATION_BUREAU'),
    });
    expect(again.data?.reportIssue?.id).toBe(reported);
    const staff = await reportIssue(t, sameSubjectAsStaff, { clientRequestId: 'same-request-1', source: 'SELF_INSPECTION' });
    expect(staff.errors, JSON.stringify(staff.errors)).toBeUndefined();
    expect(staff.data.reportIssue.id).not.toBe(reported);
    const elsewhere = await reportIssue(t, sameSubjectElsewhere, {
      clientRequestId: 'same-request-1',
      source: 'UNDERCOVER_VISIT',
      unitId: unit('MARKET_REGULATION_BUREAU'),
    });
    expect(elsewhere.errors, JSON.stringify(elsewhere.errors)).toBeUndefined();
    expect(elsewhere.data.reportIssue.id).not.toBe(reported);
    expect(JSON.stringify([staff, elsewhere])).not.toContain(reported);
  });
});

describe('the policies slice', () => {
  const hightech: Caller = { role: 'ENTERPRISE', enterprise: firms.hightech.creditCode, subject: 'shared-enterprise-sub' };
  const startupSameSubject: Caller = { role: 'ENTERPRISE', enterprise: firms.startup.creditCode, subject: 'shared-enterprise-sub' };
  const observerSameSubject: Caller = { role: 'OBSERVER', subject: 'shared-enterprise-sub' };
  let policyId: string;
  let itemId: string;

  beforeAll(async () => {
    policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
    const open = {
      name: '企业服务券',
      kind: 'REWARD',
      description: '每家企业一次。',
      amount: { kind: 'FIXED', amount: 10_000 },
      reviewWorkingDays: 10,
      paymentWorkingDays: 10,
      eligibility: {},
    };
    itemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: open })).createPolicyItem.id;
    await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕30号' } });
  });

  it('keys a retried application by the person, and never gives one back to a token for another enterprise', async () => {
    const input = { clientRequestId: 'same-application-1', itemId };
    const first = (await ok(gateway(t), docs.submit, hightech, { input })).submitApplication;
    expect((await ok(gateway(t), docs.submit, hightech, { input })).submitApplication.id).toBe(first.id);
    // The same subject from another issuer is somebody else: their own application.
    const elsewhere = await t.query(docs.submit, {
      as: { ...(startupSameSubject as object), issuer: OTHER_ISSUER } as Caller,
      variables: { input },
    });
    expect(elsewhere.errors, JSON.stringify(elsewhere.errors)).toBeUndefined();
    expect(elsewhere.data.submitApplication.id).not.toBe(first.id);
    // The same person acting for another enterprise: the id is taken, and nothing of the first is told.
    const otherFirm = await t.query(docs.submit, { as: startupSameSubject, variables: { input } });
    expect(otherFirm.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(JSON.stringify(otherFirm)).not.toContain(first.id);
  });

  it('shows a consultation comment to its author, not to the same subject in another role, from another issuer or for another enterprise', async () => {
    const consulting = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
    await ok(gateway(t), docs.openConsultation, callers.scienceStaff, { id: consulting, endsOn: '2026-12-31' });
    await ok(gateway(t), docs.comment, hightech, { policyId: consulting, text: '建议放宽研发费用口径' });
    const comments = async (as: Caller) =>
      (await ok(gateway(t), `query($id: ID!) { policy(id: $id) { comments { text } } }`, as, { id: consulting })).policy.comments;
    expect(await comments(hightech)).toEqual([{ text: '建议放宽研发费用口径' }]);
    expect(await comments(startupSameSubject)).toEqual([]);
    expect(await comments(observerSameSubject)).toEqual([]);
    expect(await comments({ ...(hightech as object), issuer: OTHER_ISSUER } as Caller)).toEqual([]);
  });

  it('lets only the reviewer who has an application in review decide it (besides an admin), not the same subject from another issuer', async () => {
    const reviewer: Caller = { role: 'UNIT_STAFF', unit: 'SCIENCE_TECHNOLOGY_BUREAU', subject: 'reviewer-1' };
    const reviewerElsewhere: Caller = {
      role: 'UNIT_STAFF',
      unit: 'SCIENCE_TECHNOLOGY_BUREAU',
      subject: 'reviewer-1',
      issuer: OTHER_ISSUER,
    };
    const { id } = (await ok(gateway(t), docs.submit, callers.logistics, { input: { clientRequestId: 'logistics-1', itemId } }))
      .submitApplication;
    await ok(gateway(t), docs.startReview, reviewer, { id });
    const refused = await t.query(docs.approve, { as: reviewerElsewhere, variables: { id, amount: 10_000 } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ok(gateway(t), docs.approve, reviewer, { id, amount: 10_000 })).approveApplication.status).toBe('APPROVED');
  });
});
