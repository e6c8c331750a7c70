/**
 * Chinese search as a user types it (issue #21, item 6): the relevance set in
 * test/search-relevance.json — natural queries over the sample data, written before the search was
 * tuned — run through the gateway. recall@10: of all the documents the queries must find, the share
 * among each query's first ten results. First hit: the share of queries whose first result is one
 * they must find. The figures are printed; the README's policies section quotes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import relevance from './search-relevance.json' with { type: 'json' };
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

type List = 'items' | 'policies' | 'news' | 'issues';

const documents: Record<List, string> = {
  items: `query($text: String!) { found: policyItems(filter: { text: $text }, first: 10) { edges { node { title: name } } } }`,
  policies: `query($text: String!) { found: policies(filter: { text: $text }, first: 10) { edges { node { title } } } }`,
  news: `query($text: String!) { found: policyNews(filter: { text: $text }, first: 10) { edges { node { title } } } }`,
  issues: `query($text: String!) { found: issues(filter: { text: $text }, first: 10) { edges { node { title } } } }`,
};
/** Every list as the command office sees it, so the set does not depend on who may read what. */
const everything: Record<List, string> = {
  items: `{ found: policyItems(first: 100, filter: { status: [PUBLISHED] }) { edges { node { title: name } } } }`,
  policies: `{ found: policies(first: 100, filter: { status: [PUBLISHED] }) { edges { node { title } } } }`,
  news: `{ found: policyNews(first: 100) { edges { node { title } } } }`,
  issues: `{ found: issues(first: 100) { edges { node { title } } } }`,
};

const plain = (title: string) => title.replace(/（样例）$/, '');

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' } });
});
afterAll(async () => {
  await t?.stop();
});

async function titles(list: List, document: string, variables?: Record<string, unknown>): Promise<string[]> {
  const response = await t.query(document, { as: 'COMMAND_OFFICE', variables });
  expect(response.errors, `${list} ${JSON.stringify(variables)}`).toBeUndefined();
  return response.data.found.edges.map((e: { node: { title: string } }) => plain(e.node.title));
}

describe('Chinese search over the sample data (the relevance set)', () => {
  const queries = relevance.queries as { list: List; query: string; expect: string[] }[];

  it('has at least 60 queries, each naming documents the sample data holds', async () => {
    expect(queries.length).toBeGreaterThanOrEqual(60);
    for (const list of Object.keys(everything) as List[]) {
      const present = new Set(await titles(list, everything[list]));
      for (const q of queries.filter((q) => q.list === list))
        for (const title of q.expect) expect(present, `${q.query} → ${title}`).toContain(title);
    }
  });

  it('finds what each query must find: recall@10 ≥ 0.95, the expected document first for ≥ 80%', async () => {
    let expected = 0;
    let found = 0;
    let firstHits = 0;
    const misses: string[] = [];
    for (const q of queries) {
      const results = await titles(q.list, documents[q.list], { text: q.query });
      const top = results.slice(0, 10);
      expected += q.expect.length;
      found += q.expect.filter((title) => top.includes(title)).length;
      if (results[0] !== undefined && q.expect.includes(results[0])) firstHits++;
      else
        misses.push(
          `${q.list} “${q.query}” → ${results.length ? results.slice(0, 3).join(' | ') : '(nothing)'}; expected ${q.expect.join(' | ')}`,
        );
    }
    const recall = found / expected;
    const firstHitRate = firstHits / queries.length;
    console.log(
      `Search relevance over the sample data: ${queries.length} queries, ${expected} expected documents — ` +
        `recall@10 ${recall.toFixed(3)}, expected document first ${(firstHitRate * 100).toFixed(1)}%` +
        (misses.length ? `\n  not first:\n  ${misses.join('\n  ')}` : ''),
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(firstHitRate).toBeGreaterThanOrEqual(0.8);
  });
});
