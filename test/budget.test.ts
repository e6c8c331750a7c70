/**
 * A request's execution budget (platform/budget.ts): only a mutation asking for nothing but batch
 * intake gets BATCH_EXECUTION_TIMEOUT_MS; everything else keeps EXECUTION_TIMEOUT_MS.
 */
import { describe, expect, it } from 'vitest';
import { asksOnlyForBatches, executionBudgetMs } from '../platform/budget.ts';

const limits = { executionTimeoutMs: 10_000, batchExecutionTimeoutMs: 300_000 };
const BATCH = 'mutation B($c: String!) { importIssueBatch(sourceSystem: "x", format: NDJSON, content: $c) { received } }';

describe('the execution budget of a request', () => {
  it('is the batch budget for a mutation whose every root field is a batch intake', () => {
    expect(executionBudgetMs({ query: BATCH }, limits)).toBe(300_000);
    expect(
      asksOnlyForBatches({
        query: `mutation { a: importIssueBatch(sourceSystem: "x", format: CSV, content: "") { received }
                           b: importApplicationBatch(sourceSystem: "y", format: CSV, content: "") { received } }`,
      }),
    ).toBe(true);
    expect(asksOnlyForBatches({ query: `query Q { x } ${BATCH}`, operationName: 'B' })).toBe(true);
  });

  it('is the general limit for anything else, a batch beside it included', () => {
    for (const body of [
      { query: '{ issues(first: 10) { totalCount } }' },
      { query: 'query importIssueBatch { importIssueBatch }' },
      { query: 'mutation { importIssueBatch(sourceSystem: "x", format: CSV, content: "") { received } reportIssue(input: {}) { id } }' },
      { query: 'mutation { ...F } fragment F on Mutation { importIssueBatch(sourceSystem: "x", format: CSV, content: "") { received } }' },
      { query: `query Q { x } ${BATCH}` },
      { query: `query Q { x } ${BATCH}`, operationName: 'Q' },
      { query: 'mutation {' },
      { query: 42 },
      null,
      'mutation',
    ]) {
      expect(executionBudgetMs(body, limits)).toBe(10_000);
    }
  });

  it('never shortens the general limit', () => {
    expect(executionBudgetMs({ query: BATCH }, { executionTimeoutMs: 600_000, batchExecutionTimeoutMs: 300_000 })).toBe(600_000);
  });
});
