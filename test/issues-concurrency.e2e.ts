import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { TestClock } from './support/clock.ts';
import { appealAt, callers, expectKeptFiguresRebuildable, ISSUE_FIELDS, mutations, submitAppeal, unit } from './support/issues.ts';

const clock = new TestClock('2023-10-09T09:00:00+08:00');
let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

const readIssue = async (id: string) =>
  (await t.query(`query($id: ID!) { issue(id: $id) { ${ISSUE_FIELDS} } }`, { as: callers.office, variables: { id } })).data.issue;

const SUBMIT = /* GraphQL */ `
  mutation ($input: SubmitAppealInput!) {
    submitAppeal(input: $input) {
      id
      number
      history {
        action
      }
    }
  }
`;
const appealInput = (clientRequestId: string, title = '同一请求') => ({
  clientRequestId,
  kind: 'COMPLAINT',
  environment: 'MARKET',
  title,
  description: '网络不稳定，客户端会重试',
});

describe('two people acting on the same issue at once', () => {
  it('lets exactly one of ten concurrent contacts win; the others get CONFLICT and nothing is written twice', async () => {
    const issue = await appealAt(t, 'ASSIGNED');
    const results = await Promise.all(Array.from({ length: 10 }, () => mutations.contact(t, callers.marketStaff, issue.id, issue.version)));
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.code === 'CONFLICT')).toHaveLength(9);
    const after = await readIssue(issue.id);
    expect(after.version).toBe(issue.version + 1);
    expect(after.history.filter((h: any) => h.action === 'CONTACT')).toHaveLength(1);
    expect(after.deadlines.find((d: any) => d.stage === 'CONTACT').metAt).not.toBeNull();
  });

  it('lets exactly one of concurrent, version-less acceptances win and names the state to the others', async () => {
    const { id } = await submitAppeal(t);
    const results = await Promise.all(Array.from({ length: 8 }, () => mutations.accept(t, callers.office, id)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const loser of results.filter((r) => r.errors)) {
      expect(['CONFLICT', 'INVALID_TRANSITION']).toContain(loser.code);
    }
    const after = await readIssue(id);
    expect(after.status).toBe('ACCEPTED');
    expect(after.history.map((h: any) => h.action)).toEqual(['SUBMIT', 'ACCEPT']);
  });

  it('keeps one assignment when the command office assigns to two units at the same moment', async () => {
    const issue = await appealAt(t, 'ACCEPTED');
    const [toMarket, toTax] = await Promise.all([
      mutations.assign(t, callers.office, issue.id, unit('MARKET_REGULATION_BUREAU')),
      mutations.assign(t, callers.office, issue.id, unit('TAXATION_BUREAU')),
    ]);
    const after = await readIssue(issue.id);
    const assignments = after.history.filter((h: any) => h.action === 'ASSIGN' || h.action === 'REASSIGN');
    // Both may succeed one after the other (a reassignment), but never interleaved: each event is whole,
    // and the final unit is the one of the last event.
    const succeeded = [toMarket, toTax].filter((r) => !r.errors);
    expect(assignments).toHaveLength(succeeded.length);
    expect(after.version).toBe(issue.version + succeeded.length);
    const failed = [toMarket, toTax].filter((r) => r.errors);
    for (const loser of failed) expect(loser.code).toBe('CONFLICT');
    expect([unit('MARKET_REGULATION_BUREAU'), unit('TAXATION_BUREAU')]).toContain(after.responsibleUnit.id);
  });
});

describe('idempotent submission', () => {
  it('creates one issue for the same client request id sent twice', async () => {
    const first = await t.query(SUBMIT, { as: callers.enterpriseA, variables: { input: appealInput('retry-1') } });
    const second = await t.query(SUBMIT, { as: callers.enterpriseA, variables: { input: appealInput('retry-1') } });
    expect(second.data.submitAppeal.id).toBe(first.data.submitAppeal.id);
    expect(second.data.submitAppeal.history).toEqual([{ action: 'SUBMIT' }]);
  });

  it('creates one issue when ten retries of one request arrive at once', async () => {
    const before = (await t.query(`{ issues { totalCount } }`, { as: callers.office })).data.issues.totalCount;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.query(SUBMIT, { as: callers.enterpriseA, variables: { input: appealInput('burst-1') } })),
    );
    expect(results.every((r) => !r.errors)).toBe(true);
    expect(new Set(results.map((r) => r.data.submitAppeal.id)).size).toBe(1);
    const after = (await t.query(`{ issues { totalCount } }`, { as: callers.office })).data.issues.totalCount;
    expect(after).toBe(before + 1);
  });

  it('refuses a reused client request id with different content, and keeps request ids per reporter', async () => {
    await t.query(SUBMIT, { as: callers.enterpriseA, variables: { input: appealInput('reuse-1') } });
    const reused = await t.query(SUBMIT, { as: callers.enterpriseA, variables: { input: appealInput('reuse-1', '另一件事') } });
    expect(reused.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const otherEnterprise = await t.query(SUBMIT, { as: callers.enterpriseB, variables: { input: appealInput('reuse-1') } });
    expect(otherEnterprise.errors).toBeUndefined();
  });
});

describe('the kept figures under concurrent changes', () => {
  it('stay equal to a recount when many issues of the same day and units change at once, with no transaction failing', async () => {
    clock.set('2023-10-10T09:00:00+08:00');
    const units = ['MARKET_REGULATION_BUREAU', 'TAXATION_BUREAU', 'PUBLIC_SECURITY_BUREAU'].map(unit);
    const issues = await Promise.all(Array.from({ length: 12 }, () => appealAt(t, 'ACCEPTED')));
    // Every transaction touches the same day's figures under several units, in different orders:
    // assignments, then reassignments to the next unit, all at once.
    const assigned = await Promise.all(issues.map((issue, i) => mutations.assign(t, callers.office, issue.id, units[i % 3]!)));
    expect(assigned.map((r) => r.errors)).toEqual(assigned.map(() => undefined));
    const moved = await Promise.all(issues.map((issue, i) => mutations.assign(t, callers.office, issue.id, units[(i + 1) % 3]!)));
    expect(moved.map((r) => r.errors)).toEqual(moved.map(() => undefined));
    await expectKeptFiguresRebuildable(t);
  });
});
