/**
 * A request's execution budget (platform/budget.ts): only a mutation asking for nothing but batch
 * intake gets BATCH_EXECUTION_TIMEOUT_MS; everything else keeps EXECUTION_TIMEOUT_MS.
 */
import { describe, expect, it } from 'vitest';
import { asksOnlyForBatches, batchMutationsOf, executionBudgetMs } from '../platform/budget.ts';
import { buildASTSchema, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { slices } from '../subgraphs/registry.ts';

const limits = { executionTimeoutMs: 10_000, batchExecutionTimeoutMs: 300_000 };
// What the gateway is given: every slice's declared batch mutations.
const declared = batchMutationsOf(slices);
const BATCH = 'mutation B($c: String!) { importIssueBatch(sourceSystem: "x", format: NDJSON, content: $c) { received } }';

describe('the execution budget of a request', () => {
  it('is the batch budget for a mutation whose every root field is a batch intake', () => {
    expect(executionBudgetMs({ query: BATCH }, limits, declared)).toBe(300_000);
    expect(
      asksOnlyForBatches(
        {
          query: `mutation { a: importIssueBatch(sourceSystem: "x", format: CSV, content: "") { received }
                           b: importApplicationBatch(sourceSystem: "y", format: CSV, content: "") { received } }`,
        },
        declared,
      ),
    ).toBe(true);
    expect(asksOnlyForBatches({ query: `query Q { x } ${BATCH}`, operationName: 'B' }, declared)).toBe(true);
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
      expect(executionBudgetMs(body, limits, declared)).toBe(10_000);
    }
  });

  it('never shortens the general limit', () => {
    expect(executionBudgetMs({ query: BATCH }, { executionTimeoutMs: 600_000, batchExecutionTimeoutMs: 300_000 }, declared)).toBe(600_000);
  });

  it('is only for the fields a slice declares: a subgraph knows its own, the kit none', () => {
    expect(executionBudgetMs({ query: BATCH }, limits, new Set())).toBe(10_000);
    expect(executionBudgetMs({ query: BATCH }, limits, batchMutationsOf(slices.filter((slice) => slice.name === 'policies')))).toBe(10_000);
    expect(executionBudgetMs({ query: BATCH }, limits, batchMutationsOf(slices.filter((slice) => slice.name === 'issues')))).toBe(300_000);
  });

  it('names, for every slice, only root mutation fields of its own SDL', () => {
    for (const slice of slices) {
      const sdl = readFileSync(new URL(`../schema/${slice.name}.graphql`, import.meta.url), 'utf8');
      const mutation = buildASTSchema(parse(sdl), { assumeValid: true, assumeValidSDL: true }).getMutationType();
      for (const field of slice.batchMutations ?? []) expect(mutation?.getFields()[field], `${slice.name}.${field}`).toBeDefined();
    }
  });
});
