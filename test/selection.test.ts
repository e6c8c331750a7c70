/**
 * `selectedFields`: what an operation selects on a resolver's result, through named and inline
 * fragments — a figures resolver leaves out the parts nobody selected, so the set must miss none.
 */
import { buildSchema, graphql } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectedFields } from '../platform/selection.ts';
import { statsPartsKey } from '../subgraphs/policies/store.ts';

const schema = buildSchema(`
  type Stats { received: Int, pastLimits: Int, medianDisbursementWorkingDays: Float, itemsPublished: Int, nested: Stats }
  type Query { stats: Stats, other: Stats }
`);

async function selected(query: string): Promise<string[]> {
  let seen: Set<string> | null = null;
  const result = await graphql({
    schema,
    source: query,
    rootValue: {
      stats: (_: unknown, _context: unknown, info: Parameters<typeof selectedFields>[0]) => {
        seen = selectedFields(info);
        return {};
      },
    },
  });
  expect(result.errors).toBeUndefined();
  return [...(seen ?? [])].sort();
}

describe('selectedFields', () => {
  it('names the fields selected directly, not those of nested objects or of other fields', async () => {
    expect(await selected('{ stats { received nested { pastLimits } } other { itemsPublished } }')).toEqual(['nested', 'received']);
  });

  it('looks through named fragments, inline fragments and fragments within fragments', async () => {
    expect(
      await selected(`
        query { stats { ...A ... on Stats { itemsPublished } } }
        fragment A on Stats { received ...B }
        fragment B on Stats { medianDisbursementWorkingDays }`),
    ).toEqual(['itemsPublished', 'medianDisbursementWorkingDays', 'received']);
  });

  it('counts an aliased field under its name', async () => {
    expect(await selected('{ stats { late: pastLimits } }')).toEqual(['pastLimits']);
  });
});

describe('the policy figures parts a selection needs', () => {
  it('are only those of the costly figures selected, in a stable order', () => {
    expect(statsPartsKey(new Set(['applicationsReceived', 'approved', 'reviews']))).toBe('');
    expect(statsPartsKey(new Set(['p90DisbursementWorkingDays', 'pastLimits', 'medianDisbursementWorkingDays']))).toBe('cycles,past');
    expect(statsPartsKey(new Set(['itemsPublished', 'pastLimits']))).toBe('items,past');
  });
});
