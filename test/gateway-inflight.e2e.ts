/**
 * In-flight merging end to end: ten identical board requests at once reach the issues subgraph as
 * fewer requests than ten (and all get the same answer), the same ten with merging switched off do
 * not; identical mutations at once are each carried out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const BOARD = `{ units(first: 100) { edges { node { id issueStats(period: { from: "2026-01-01", to: "2026-12-31" }) { received closed } } } } }`;
let merging: TestPlatform;
let separate: TestPlatform;

beforeAll(async () => {
  merging = await startTestPlatform();
  separate = await startTestPlatform({ env: { MERGE_INFLIGHT_REQUESTS: 'false' } });
}, 120_000);
afterAll(async () => {
  await merging?.stop();
  await separate?.stop();
});

async function statementsFor(t: TestPlatform, concurrent: number): Promise<{ statements: number; answers: string[] }> {
  await t.query(BOARD, { as: 'COMMAND_OFFICE' }); // warm the caches
  const counter = t.platform.statements.issues!;
  counter.count = 0;
  const answers = await Promise.all(Array.from({ length: concurrent }, () => t.query(BOARD, { as: 'COMMAND_OFFICE' })));
  for (const answer of answers) expect(answer.errors).toBeUndefined();
  return { statements: counter.count, answers: answers.map((a) => JSON.stringify(a.data)) };
}

describe('merging identical subgraph reads in flight', () => {
  it('sends ten identical reads at once as fewer than ten, with the same answer for all', async () => {
    const one = (await statementsFor(merging, 1)).statements;
    const ten = await statementsFor(merging, 10);
    expect(new Set(ten.answers).size).toBe(1);
    expect(ten.statements).toBeLessThan(10 * one);
    const unmerged = await statementsFor(separate, 10);
    expect(unmerged.statements).toBe(10 * one);
  });

  it('never merges mutations: three identical ones at once are three', async () => {
    const input = { title: '并发创建', level: 'CITY', heldOn: '2026-09-01', criteria: [{ name: '综合', weight: 100 }] };
    const create = `mutation($input: CreateContestInput!) { createContest(input: $input) { id } }`;
    const answers = await Promise.all([1, 2, 3].map(() => merging.query(create, { as: 'COMMAND_OFFICE', variables: { input } })));
    const ids = answers.map((a) => a.data?.createContest?.id);
    expect(new Set(ids).size).toBe(3);
  });
});
