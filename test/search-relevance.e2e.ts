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

describe('a document number (文号), typed as users type it', () => {
  const SEARCH = `query($text: String!) { policies(filter: { text: $text }, first: 10) { totalCount edges { node { title documentNumber status match { tier } } } } }`;
  const search = async (text: string) => {
    const response = await t.query(SEARCH, { variables: { text } });
    expect(response.errors, text).toBeUndefined();
    return response.data.policies.edges.map(
      (e: { node: { title: string; documentNumber: string; status: string; match: { tier: string } } }) => e.node,
    );
  };

  it('finds the policy of that number first and alone in the heading tier, not one whose number only shares the digits', async () => {
    // 青工信规〔2026〕4号 and 〔2025〕2号 share the issuer, 青审批发〔2026〕1号 and 青人社发〔2026〕12号 the
    // year and a 1; 崂政发 is cut into single characters.
    for (const [text, title] of [
      ['青人社规〔2026〕7号', '青岛市小微企业吸纳就业补贴办法'],
      ['崂政发〔2026〕5号', '崂山区支持专精特新企业高质量发展若干措施'],
      ['青工信规〔2026〕4号', '青岛市推进制造业智能化改造和数字化转型若干政策'],
      ['青审批发〔2026〕1号', '青岛市深化工程建设项目审批制度改革实施方案'],
      ['青人社发〔2026〕12号', '青岛市支持高校毕业生就业创业若干措施'],
    ]) {
      const found = await search(text!);
      const headings = found.filter((node: { match: { tier: string } }) => node.match.tier === 'HEADING');
      expect(
        headings.map((node: { documentNumber: string }) => node.documentNumber),
        text,
      ).toEqual([`${text}（样例）`]);
      expect(plain(found[0].title), text).toBe(title);
    }
  });

  it('does not put a policy whose number only holds the same digits in the heading tier', async () => {
    // 青政发〔2024〕15号's heading holds every term of 青政发〔2024〕5号 (its summary has a 5), and its title is shorter.
    const staff = { role: 'UNIT_STAFF', unit: 'SCIENCE_TECHNOLOGY_BUREAU' } as const;
    const admin = { role: 'UNIT_ADMIN', unit: 'SCIENCE_TECHNOLOGY_BUREAU' } as const;
    for (const [title, documentNumber, summary] of [
      ['测试：海洋科技创新平台建设资金管理办法', '青政发〔2024〕5号', null],
      ['测试：孵化器运营补助', '青政发〔2024〕15号', '有效期5年。'],
    ]) {
      const created = await t.query(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, {
        as: staff,
        variables: { input: { level: 'MUNICIPAL', environment: 'POLICY', title, summary, text: `${title}正文。` } },
      });
      expect(created.errors).toBeUndefined();
      const published = await t.query(`mutation($id: ID!, $input: PublishPolicyInput!) { publishPolicy(id: $id, input: $input) { id } }`, {
        as: admin,
        variables: { id: created.data.createPolicy.id, input: { documentNumber } },
      });
      expect(published.errors).toBeUndefined();
    }
    const found = await search('青政发〔2024〕5号');
    expect(found.map((node: { documentNumber: string; match: { tier: string } }) => [node.documentNumber, node.match.tier])).toEqual([
      ['青政发〔2024〕5号', 'HEADING'],
      ['青政发〔2024〕15号', 'BODY'],
    ]);
  });

  it('finds it with the year in other brackets, or without 号', async () => {
    for (const text of ['崂政发[2026]5号', '崂政发（2026）5号', '崂政发【2026】5', ' 崂政发〔2026〕5号 ']) {
      const [first] = await search(text);
      expect(first?.documentNumber, text).toBe('崂政发〔2026〕5号（样例）');
      expect(first?.match.tier, text).toBe('HEADING');
    }
  });

  it('finds a repealed policy by its number, though a search by words sees the policies in force only', async () => {
    const [first] = await search('青工信规〔2025〕2号');
    expect(first).toMatchObject({ documentNumber: '青工信规〔2025〕2号（样例）', status: 'REPEALED' });
    expect((await search('工业企业技术改造奖励办法')).map((node: { status: string }) => node.status)).not.toContain('REPEALED');
  });
});
