/**
 * Duplicate appeals at intake (多头反映, issue #26 §7), on real PostgreSQL through the gateway and
 * the issues subgraph: the labelled set of test/fixtures/duplicate-appeals.json is imported as the
 * channels send it (12345, 青诉即办, 问政青岛, windows), and every issue's suggestions — its top 5
 * above the threshold (duplicates.ts) — are measured against the labels: precision and recall of
 * the suggested pairs, both at least 0.9 (README › Duplicate appeals at intake). Then the
 * dispatcher's intake view, the one-step merge with the suggestion's own arguments (the existing
 * mergeIssue, which stops the duplicate's clocks with their lateness kept), and who may read it.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { rowsOf } from '../db/client.ts';
import { anchorsOf, DUPLICATE_THRESHOLD, rarityOf } from '../subgraphs/issues/duplicates.ts';
import { duplicateStore } from '../subgraphs/issues/store.ts';
import { termsOf } from '../platform/search-text.ts';
import labelled from './fixtures/duplicate-appeals.json' with { type: 'json' };
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { TestClock } from './support/clock.ts';
import { requestId } from './support/issues.ts';

const clock = new TestClock('2026-12-01T10:00:00+08:00');
const DAY = 86_400_000;
let t: TestPlatform;
const office: Caller = 'COMMAND_OFFICE';
const hotline: Caller = { role: 'COMMAND_OFFICE', subject: 'system-12345' };
/** The issue id of each labelled record, by its reference in the set. */
const idOf = new Map<string, string>();
const refOf = new Map<string, string>();

const codeOf = (enterprise: string | null) => {
  if (!enterprise) return null;
  const [district, serial] = enterprise.split(':');
  return sampleCreditCode(district!, Number(serial));
};

async function ok(document: string, as: Caller, variables: Record<string, unknown> = {}, via: 'gateway' | 'subgraph' = 'gateway') {
  const response =
    via === 'gateway' ? await t.query(document, { as, variables }) : await t.querySubgraph('issues', document, { as, variables });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, maxConnections: 4 });
  const content = labelled.issues
    .map((issue) =>
      JSON.stringify({
        externalRef: issue.ref,
        source: issue.source,
        environment: issue.environment,
        title: issue.title,
        description: issue.description,
        receivedAt: new Date(clock.now().getTime() - issue.daysAgo * DAY).toISOString(),
        ...(issue.enterprise ? { enterpriseCreditCode: codeOf(issue.enterprise) } : {}),
        ...(issue.district ? { districtCode: issue.district } : {}),
      }),
    )
    .join('\n');
  const { importIssueBatch } = await ok(
    `mutation($c: String!) { importIssueBatch(sourceSystem: "labelled-set", format: NDJSON, content: $c) { created records { externalRef issueId code messageEn } } }`,
    hotline,
    { c: content },
  );
  expect(importIssueBatch.created).toBe(labelled.issues.length);
  for (const record of importIssueBatch.records) {
    idOf.set(record.externalRef, record.issueId);
    refOf.set(record.issueId, record.externalRef);
  }
  // The rarity of the terms comes from the column's statistics, which autovacuum keeps in service.
  await t.platform.database.owner().execute(sql`analyze issues.issues`);
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const DUPLICATES = `id number likelyDuplicates(first: 5) { score daysApart issue { id source }
  reasons { kind sharedTerms enterprise { creditCode } unit { id } district { code } } merge { id intoId expectedVersion } }`;

/** Every issue's suggestions, read a page of issues at a time through the gateway. */
async function allSuggestions() {
  const suggestions = new Map<string, { id: string; score: number; reasons: { kind: string; sharedTerms: string[] }[] }[]>();
  let after: string | null = null;
  do {
    const data: any = await ok(
      `query($after: String) { issues(first: 50, after: $after) { edges { node { ${DUPLICATES} } } pageInfo { hasNextPage endCursor } } }`,
      office,
      { after },
    );
    for (const { node } of data.issues.edges)
      suggestions.set(
        node.id,
        node.likelyDuplicates.map((d: any) => ({ id: d.issue.id, score: d.score, reasons: d.reasons })),
      );
    after = data.issues.pageInfo.hasNextPage ? data.issues.pageInfo.endCursor : null;
  } while (after);
  return suggestions;
}

const pairKey = (a: string, b: string) => [a, b].sort().join('|');

describe('the labelled set of duplicate appeals', () => {
  it('has at least 100 labelled pairs, duplicates across channels and hard non-duplicates', () => {
    expect(labelled.pairs.length).toBeGreaterThanOrEqual(100);
    const matter = new Map(labelled.issues.map((issue) => [issue.ref, issue.matter]));
    const source = new Map(labelled.issues.map((issue) => [issue.ref, issue.source]));
    for (const pair of labelled.pairs) expect(matter.get(pair.a) === matter.get(pair.b), `${pair.a} ${pair.b}`).toBe(pair.duplicate);
    const kinds = labelled.pairs.reduce<Record<string, number>>((n, p) => ({ ...n, [p.kind]: (n[p.kind] ?? 0) + 1 }), {});
    expect(kinds.SAME_ENTERPRISE_OTHER_MATTER).toBeGreaterThanOrEqual(25);
    expect(kinds.SAME_WORDS_OTHER_PLACE).toBeGreaterThanOrEqual(25);
    // Duplicates come through different channels (most of them).
    const across = labelled.pairs.filter((p) => p.duplicate && source.get(p.a) !== source.get(p.b)).length;
    expect(across / labelled.pairs.filter((p) => p.duplicate).length).toBeGreaterThan(0.8);
  });

  it('suggests them with precision and recall of at least 0.9 (top 5 above the threshold)', async () => {
    const suggestions = await allSuggestions();
    const matter = new Map(labelled.issues.map((issue) => [idOf.get(issue.ref)!, issue.matter]));
    const suggested = new Set<string>();
    for (const [id, list] of suggestions) {
      for (const d of list) {
        expect(d.score).toBeGreaterThanOrEqual(DUPLICATE_THRESHOLD);
        suggested.add(pairKey(id, d.id));
      }
    }
    // Every pair of the set is judged: duplicates are the pairs of one matter; any other suggestion is a false one.
    const truth = new Set(labelled.pairs.filter((p) => p.duplicate).map((p) => pairKey(idOf.get(p.a)!, idOf.get(p.b)!)));
    const right = [...suggested].filter((key) => truth.has(key));
    const wrong = [...suggested]
      .filter((key) => !truth.has(key))
      .map((key) =>
        key
          .split('|')
          .map((id) => refOf.get(id))
          .join('~'),
      );
    const missed = [...truth]
      .filter((key) => !suggested.has(key))
      .map((key) =>
        key
          .split('|')
          .map((id) => refOf.get(id))
          .join('~'),
      );
    const precision = right.length / suggested.size;
    const recall = right.length / truth.size;
    const hardWrong = labelled.pairs.filter((p) => !p.duplicate && suggested.has(pairKey(idOf.get(p.a)!, idOf.get(p.b)!)));
    console.info(
      `duplicates: ${suggested.size} suggested pairs, ${truth.size} true; precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; ` +
        `hard non-duplicates suggested ${hardWrong.length}/${labelled.pairs.filter((p) => !p.duplicate).length}; wrong ${wrong.join(' ')}; missed ${missed.join(' ')}`,
    );
    expect(matter.size).toBe(labelled.issues.length);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('says why: the same enterprise, the shared words, the same place', async () => {
    const data: any = await ok(`query($id: ID!) { issue(id: $id) { ${DUPLICATES} } }`, office, { id: idOf.get('m13a') });
    const [top] = data.issue.likelyDuplicates;
    expect(top.issue.id).toBe(idOf.get('m13b'));
    const kinds = top.reasons.map((r: any) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['SAME_ENTERPRISE', 'SIMILAR_TEXT', 'SAME_PLACE']));
    expect(top.reasons.find((r: any) => r.kind === 'SAME_ENTERPRISE').enterprise.creditCode).toBe(codeOf('370214:113'));
    expect(top.reasons.find((r: any) => r.kind === 'SAME_PLACE').district.code).toBe('370214');
    expect(top.reasons.find((r: any) => r.kind === 'SIMILAR_TEXT').sharedTerms.join(' ')).toMatch(/尾款|办公楼改造/);
    // The later one goes into the earlier one, at its current version.
    expect(top.merge).toEqual({ id: idOf.get('m13b'), intoId: idOf.get('m13a'), expectedVersion: 1 });
  });
});

describe('the dispatcher’s intake view and the one-step merge', () => {
  it('lists the waiting items that have likely duplicates, newest first, a page at a time', async () => {
    const doc = `query($after: String) { intakeDuplicates(first: 10, after: $after) {
      edges { node { issue { id receivedAt status } likelyDuplicates { score issue { id } } } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const data: any = await ok(doc, office, { after }, pages % 2 ? 'subgraph' : 'gateway');
      for (const { node } of data.intakeDuplicates.edges) {
        expect(node.issue.status).toBe('SUBMITTED');
        expect(node.likelyDuplicates.length).toBeGreaterThan(0);
        seen.push(node.issue.id);
      }
      after = data.intakeDuplicates.pageInfo.hasNextPage ? data.intakeDuplicates.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toContain(idOf.get('m07c'));
    expect(seen).not.toContain(idOf.get('n34'));
  });

  it('merges with the suggestion’s own arguments through the existing mergeIssue, lateness kept', async () => {
    const before: any = await ok(`query($id: ID!) { issue(id: $id) { ${DUPLICATES} } }`, office, { id: idOf.get('m28b') });
    const suggestion = before.issue.likelyDuplicates.find((d: any) => d.issue.id === idOf.get('m28a'));
    expect(suggestion.merge).toMatchObject({ id: idOf.get('m28b'), intoId: idOf.get('m28a') });
    const { mergeIssue } = await ok(
      `mutation($id: ID!, $intoId: ID!, $v: Int) { mergeIssue(id: $id, intoId: $intoId, expectedVersion: $v) { id status mergedInto { id absorbedCount } } }`,
      office,
      { ...suggestion.merge, v: suggestion.merge.expectedVersion },
    );
    expect(mergeIssue).toEqual({ id: idOf.get('m28b'), status: 'MERGED', mergedInto: { id: idOf.get('m28a'), absorbedCount: 1 } });
    // A merged item is no longer anyone's duplicate; its original is.
    const after: any = await ok(`query($id: ID!) { issue(id: $id) { ${DUPLICATES} } }`, office, { id: idOf.get('m28a') });
    expect(after.issue.likelyDuplicates.map((d: any) => d.issue.id)).not.toContain(idOf.get('m28b'));
    // The same suggestion again is a conflict on the version, not a second merge.
    const again = await t.query(
      `mutation($id: ID!, $intoId: ID!, $v: Int) { mergeIssue(id: $id, intoId: $intoId, expectedVersion: $v) { id } }`,
      {
        as: office,
        variables: { ...suggestion.merge, v: suggestion.merge.expectedVersion },
      },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });
});

describe('who may read likely duplicates', () => {
  const callers: [Caller, string][] = [
    [{ role: 'UNIT_ADMIN', unit: 'CHENGYANG_DISTRICT' }, 'FORBIDDEN'],
    [{ role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' }, 'FORBIDDEN'],
    [{ role: 'ENTERPRISE', enterprise: sampleCreditCode('370214', 113) }, 'FORBIDDEN'],
    [{ role: 'OBSERVER', subject: 'observer-1' }, 'FORBIDDEN'],
    ['ANONYMOUS', 'UNAUTHENTICATED'],
  ];

  it.each(callers)('refuses the intake view to %j (%s)', async (as, code) => {
    for (const via of ['gateway', 'subgraph'] as const) {
      const doc = `{ intakeDuplicates(first: 5) { edges { node { issue { id } } } } }`;
      const response = via === 'gateway' ? await t.query(doc, { as }) : await t.querySubgraph('issues', doc, { as });
      expect(response.errors?.[0]?.extensions?.code).toBe(code);
      expect(response.data?.intakeDuplicates ?? null).toBeNull();
    }
  });

  it('refuses the field to a unit that sees the issue (an area admin, which dispatches but does not merge)', async () => {
    const chengyang: Caller = { role: 'UNIT_ADMIN', unit: 'CHENGYANG_DISTRICT' };
    for (const via of ['gateway', 'subgraph'] as const) {
      const doc = `query($id: ID!) { issue(id: $id) { id likelyDuplicates { score } } }`;
      const variables = { id: idOf.get('m13b') };
      const response =
        via === 'gateway'
          ? await t.query(doc, { as: chengyang, variables })
          : await t.querySubgraph('issues', doc, { as: chengyang, variables });
      expect(response.data.issue.id).toBe(idOf.get('m13b'));
      expect(response.data.issue.likelyDuplicates).toBeNull();
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('refuses the field to the enterprise that raised the appeal', async () => {
    // The enterprise's own appeal: it reads the issue, not its duplicates (other people's appeals).
    const enterprise: Caller = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370214', 113) };
    const [row] = rowsOf<{ id: string }>(
      await t.platform.database.owner().execute(sql`select id from issues.issues where external_ref = 'm13b'`),
    );
    const own: any = await t.query(`query($id: ID!) { issue(id: $id) { id likelyDuplicates { score } } }`, {
      as: enterprise,
      variables: { id: row!.id },
    });
    // Imported by the command office for the enterprise, the record is not the enterprise's own appeal: it sees no issue.
    expect(own.data?.issue ?? null).toBeNull();
    const reported: any = await ok(`mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id } }`, enterprise, {
      input: {
        clientRequestId: requestId('dup'),
        kind: 'COMPLAINT',
        environment: 'MARKET',
        title: '街道办公楼改造工程尾款仍未支付',
        description: '城阳区街道办公楼改造工程竣工两年，四百余万元尾款仍被拖欠。',
      },
    });
    const mine = await t.query(`query($id: ID!) { issue(id: $id) { id likelyDuplicates { score } } }`, {
      as: enterprise,
      variables: { id: reported.submitAppeal.id },
    });
    expect(mine.data.issue.id).toBe(reported.submitAppeal.id);
    expect(mine.data.issue.likelyDuplicates).toBeNull();
    expect(mine.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The command office sees the new appeal's duplicates: the two records of the same matter.
    const seen: any = await ok(`query($id: ID!) { issue(id: $id) { likelyDuplicates { issue { id } reasons { kind } } } }`, office, {
      id: reported.submitAppeal.id,
    });
    expect(seen.issue.likelyDuplicates.map((d: any) => d.issue.id)).toEqual(expect.arrayContaining([idOf.get('m13a'), idOf.get('m13b')]));
  });

  it('shows the command office a report’s likely duplicates in the answer of the intake itself', async () => {
    const { reportIssue } = await ok(
      `mutation($input: ReportIssueInput!) { reportIssue(input: $input) { id status likelyDuplicates { issue { id } merge { id intoId } } } }`,
      office,
      {
        input: {
          clientRequestId: requestId('dup-report'),
          source: 'HOTLINE_12345',
          environment: 'HUMANISTIC',
          title: '云霄路美食街烧烤油烟又来了',
          description: '来电人反映市南区云霄路美食街烧烤店油烟直冲居民楼，晚上没法开窗。',
          districtCode: '370202',
        },
      },
    );
    expect(reportIssue.status).toBe('SUBMITTED');
    const found = reportIssue.likelyDuplicates.map((d: any) => d.issue.id);
    expect(found).toEqual(expect.arrayContaining([idOf.get('m25a'), idOf.get('m25b')]));
    expect(found).not.toContain(idOf.get('n25'));
    // The new record is the later one: it goes into the earlier.
    expect(reportIssue.likelyDuplicates[0].merge.id).toBe(reportIssue.id);
  });

  it('refuses a page size out of range', async () => {
    const response = await t.query(`query($id: ID!) { issue(id: $id) { likelyDuplicates(first: 21) { score } } }`, {
      as: office,
      variables: { id: idOf.get('m01a') },
    });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the candidates are read through indexes', () => {
  // On this small table any index will do (the plan at a million issues is in the README); a branch of
  // the lookup without an index would leave a sequential scan even priced out.
  it('plans the lookup without a sequential scan of the issues', async () => {
    const owner = t.platform.database.owner();
    const stats = await duplicateStore.termStatistics(owner);
    const m01a = labelled.issues.find((issue) => issue.ref === 'm01a')!;
    const anchors = anchorsOf([...termsOf(m01a.title, m01a.description)], rarityOf(stats));
    expect(anchors).not.toBeNull();
    const at = clock.now();
    const statement = duplicateStore.candidatesStatement(owner, {
      id: idOf.get('m01a')!,
      at,
      from: new Date(at.getTime() - 30 * DAY),
      to: at,
      enterprise: codeOf('370213:101'),
      anchors,
      limit: 300,
    })!;
    // Sequential scans priced out: a plan that still holds one has no index to use for some branch.
    const plan = await owner.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return rowsOf<{ 'QUERY PLAN': unknown }>(await tx.execute(sql`explain (format json) ${statement}`));
    });
    const text = JSON.stringify(plan);
    expect(text).not.toMatch(/Seq Scan/);
    expect(text).toMatch(/Index Scan/);
  });
});

describe('the sample data', () => {
  it('shows the command office one duplicate pair waiting for intake, dated near today', async () => {
    const today = new Date('2026-11-23T16:00:00+08:00');
    const sample = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' }, now: () => today, maxConnections: 2 });
    try {
      const response = await sample.query(
        `{ intakeDuplicates(first: 50) { edges { node { issue { title source receivedAt sample }
          likelyDuplicates { score issue { title source } reasons { kind } merge { id intoId } } } } } }`,
        { as: office },
      );
      expect(response.errors).toBeUndefined();
      const edges = response.data.intakeDuplicates.edges;
      expect(edges).toHaveLength(2);
      for (const { node } of edges) {
        expect(node.issue.sample).toBe(true);
        expect(today.getTime() - new Date(node.issue.receivedAt).getTime()).toBeLessThan(2 * DAY);
        expect(node.likelyDuplicates).toHaveLength(1);
        expect(node.likelyDuplicates[0].issue.source).not.toBe(node.issue.source);
        expect(node.likelyDuplicates[0].reasons.map((r: any) => r.kind)).toEqual(expect.arrayContaining(['SIMILAR_TEXT', 'SAME_PLACE']));
      }
      expect(edges.map((e: any) => e.node.issue.title).join()).toMatch(/辽阳西路/);
    } finally {
      await sample.stop();
    }
  });
});
