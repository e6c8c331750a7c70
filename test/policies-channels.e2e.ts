/**
 * Applications from the departments' systems, both ways (issue #25 §2), in the policies slice: a
 * department's system sends the applications it accepted in batches (NDJSON, CSV) — each
 * idempotent by source system and reference, each with its own result, a bad one refusing nothing
 * else — and pulls their state and amounts from its change feed, in commit order, nothing missed or
 * repeated while reviewers keep deciding. Through the gateway and directly against the subgraph.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { MAX_BATCH_RECORDS } from '../platform/batch.ts';
import { TestClock } from './support/clock.ts';
import { callers, docs, firms, gateway, ok, policyInput, rdItem, registerFirms } from './support/policies.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2026-10-12T10:00:00+08:00');
let t: TestPlatform;
let policyId: string;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, maxConnections: 30 });
  await registerFirms(t);
  policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕21号' } });
});
afterAll(async () => {
  await t?.stop();
});

type Transport = 'gateway' | 'policies subgraph';
const transports: Transport[] = ['gateway', 'policies subgraph'];
const send = (transport: Transport, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}) =>
  transport === 'gateway' ? t.query(document, options) : t.querySubgraph('policies', document, options);
const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

/** The science bureau's project system: a staff token of its own subject. */
const SYSTEM: Caller = { role: 'UNIT_STAFF', unit: 'SCIENCE_TECHNOLOGY_BUREAU', subject: 'kjj-xmsb-system' };

const BATCH = /* GraphQL */ `
  mutation Batch($source: String!, $format: BatchFormat!, $content: String!) {
    importApplicationBatch(sourceSystem: $source, format: $format, content: $content) {
      sourceSystem
      received
      created
      alreadyPresent
      rejected
      records {
        line
        externalReference
        outcome
        applicationId
        code
        field
        messageZh
        messageEn
      }
    }
  }
`;
const CHANGES = /* GraphQL */ `
  query Changes($source: String!, $after: String, $first: Int) {
    applicationChanges(source: $source, after: $after, first: $first) {
      endCursor
      hasMore
      changes {
        cursor
        applicationId
        externalReference
        version
        action
        status
        requestedAmount
        approvedAmount
        disbursedAmount
        changedAt
      }
    }
  }
`;

let serial = 0;
const ref = (label: string) => `${label}-${process.pid}-${++serial}`;
const newItem = async () =>
  (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: rdItem })).createPolicyItem.id as string;
const record = (externalReference: string, itemId: string, extra: Record<string, unknown> = {}) => ({
  externalReference,
  itemId,
  enterpriseCreditCode: firms.hightech.creditCode,
  submittedAt: '2026-10-09T15:00:00+08:00',
  declaredBase: 500_000,
  ...extra,
});
const ndjson = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n');
const batch = (transport: Transport, source: string, content: string, as: Caller = SYSTEM, format = 'NDJSON') =>
  send(transport, BATCH, { as, variables: { source, format, content } });

async function countOf(source: string): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await t.database.handle.owner().execute(sql`select count(*)::int as n from policies.applications where source_system = ${source}`),
  );
  return rows[0]?.n ?? -1;
}

describe.each(transports)('a batch of applications through the %s', (transport) => {
  it('enters the good records, rejects each bad one with its coded reason, and a re-sent batch finds them', async () => {
    const source = ref('kjj');
    const [itemA, itemB] = [await newItem(), await newItem()];
    const [a, b, c, d, e] = [ref('A'), ref('B'), ref('C'), ref('D'), ref('E')];
    const content = ndjson([
      record(a, itemA),
      record(b, itemA, { enterpriseCreditCode: firms.startup.creditCode, submittedAt: '2099-01-01T00:00:00+08:00' }),
      record(c, itemB, { declaredBase: 'lots' }),
      record(d, itemB, { enterpriseCreditCode: firms.logistics.creditCode }),
      record(e, '00000000-0000-4000-8000-000000000000', { enterpriseCreditCode: firms.startup.creditCode }),
    ]);
    const answer = await batch(transport, source, content);
    expect(answer.errors).toBeUndefined();
    const result = answer.data.importApplicationBatch;
    expect([result.received, result.created, result.alreadyPresent, result.rejected]).toEqual([5, 2, 0, 3]);
    expect(result.records.map((r: Record<string, unknown>) => [r.line, r.externalReference, r.outcome, r.code, r.field])).toEqual([
      [1, a, 'CREATED', null, null],
      [2, b, 'REJECTED', 'BAD_USER_INPUT', 'submittedAt'],
      [3, c, 'REJECTED', 'BAD_USER_INPUT', 'declaredBase'],
      [4, d, 'CREATED', null, null],
      [5, e, 'REJECTED', 'NOT_FOUND', null],
    ]);
    expect(await countOf(source)).toBe(2);
    const again = (await batch(transport, source, content)).data.importApplicationBatch;
    expect(again.records.map((r: Record<string, unknown>) => [r.outcome, r.applicationId])).toEqual([
      ['ALREADY_PRESENT', result.records[0].applicationId],
      ['REJECTED', null],
      ['REJECTED', null],
      ['ALREADY_PRESENT', result.records[3].applicationId],
      ['REJECTED', null],
    ]);
    const changed = (await batch(transport, source, ndjson([record(a, itemA, { declaredBase: 1 })]))).data.importApplicationBatch;
    expect(changed.records[0]).toMatchObject({ outcome: 'REJECTED', code: 'CONFLICT' });
    expect(await countOf(source)).toBe(2);
  });

  it('reads CSV, materials as JSON in a cell', async () => {
    const source = ref('kjj-csv');
    const itemId = await newItem();
    const r = ref('CSV');
    const content =
      'externalReference,itemId,enterpriseCreditCode,submittedAt,declaredBase,materials\n' +
      `${r},${itemId},${firms.hightech.creditCode},2026-10-09T15:00:00+08:00,200000,"[{""name"":""审计报告"",""reference"":""file://a.pdf""}]"\n`;
    const result = (await batch(transport, source, content, SYSTEM, 'CSV')).data.importApplicationBatch;
    expect(result.records).toMatchObject([{ line: 2, externalReference: r, outcome: 'CREATED' }]);
    const application = await ok(gateway(t), docs.application, callers.scienceAdmin, { id: result.records[0].applicationId });
    expect(application.application).toMatchObject({ requestedAmount: 20_000, status: 'SUBMITTED' });
  });

  it(`refuses more than ${MAX_BATCH_RECORDS} records as a whole, and is for the item's reviewing unit`, async () => {
    const source = ref('kjj-limits');
    const many = Array.from({ length: MAX_BATCH_RECORDS + 1 }, (_, i) => `{"externalReference":"${i}"}`).join('\n');
    const refused = await batch(transport, source, many);
    expect(code(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.extensions).toMatchObject({ field: 'content', maxRecords: MAX_BATCH_RECORDS });
    const itemId = await newItem();
    expect(code(await batch(transport, source, ndjson([record(ref('X'), itemId)]), callers.hightech))).toBe('FORBIDDEN');
    expect(code(await batch(transport, source, ndjson([record(ref('X'), itemId)]), callers.anonymous))).toBe('UNAUTHENTICATED');
    // Another unit may send a batch, but not records of items it does not review.
    const other = (await batch(transport, source, ndjson([record(ref('X'), itemId)]), callers.taxStaff)).data.importApplicationBatch;
    expect(other.records[0]).toMatchObject({ outcome: 'REJECTED', code: expect.stringMatching(/FORBIDDEN|NOT_FOUND/) });
    expect(await countOf(source)).toBe(0);
  });
});

describe.each(transports)('the applications change feed through the %s', (transport) => {
  it('gives the sending system (and the command office) the state and amounts, in order', async () => {
    const source = ref('feed');
    const itemId = await newItem();
    const r = ref('F');
    const imported = (await batch(transport, source, ndjson([record(r, itemId)]))).data.importApplicationBatch;
    const id = imported.records[0].applicationId;
    await ok(gateway(t), docs.startReview, callers.scienceStaff, { id });
    await ok(gateway(t), docs.approve, callers.scienceStaff, { id, amount: 40_000 });
    const page = (await send(transport, CHANGES, { as: SYSTEM, variables: { source } })).data.applicationChanges;
    expect(
      page.changes.map((c: Record<string, unknown>) => [c.externalReference, c.version, c.action, c.status, c.approvedAmount]),
    ).toEqual([
      [r, 1, 'IMPORT', 'SUBMITTED', null],
      [r, 2, 'START_REVIEW', 'UNDER_REVIEW', null],
      [r, 3, 'APPROVE', 'APPROVED', 40_000],
    ]);
    expect(page.changes[0].requestedAmount).toBe(50_000);
    const none = (await send(transport, CHANGES, { as: SYSTEM, variables: { source, after: page.endCursor } })).data.applicationChanges;
    expect(none).toEqual({ endCursor: page.endCursor, hasMore: false, changes: [] });
    expect((await send(transport, CHANGES, { as: callers.office, variables: { source } })).data.applicationChanges.changes).toHaveLength(3);
    expect((await send(transport, CHANGES, { as: callers.scienceStaff2, variables: { source } })).data.applicationChanges.changes).toEqual(
      [],
    );
    expect(code(await send(transport, CHANGES, { as: callers.hightech, variables: { source } }))).toBe('FORBIDDEN');
  });
});

describe('the applications change feed under concurrent writes', () => {
  it('gives a reader paging through it every committed change exactly once, in order per record', async () => {
    const source = ref('busy');
    const items: string[] = [];
    for (let i = 0; i < 4; i++) items.push(await newItem());
    const enterprises = [firms.hightech, firms.startup, firms.logistics].map((f) => f.creditCode);
    const records = items.flatMap((itemId, i) =>
      enterprises.map((enterpriseCreditCode, j) => record(`busy-${i}-${j}-${ref('r')}`, itemId, { enterpriseCreditCode })),
    );
    const imported = (await batch('policies subgraph', source, ndjson(records))).data.importApplicationBatch;
    expect(imported.created).toBe(records.length);
    const ids: string[] = imported.records.map((r: { applicationId: string }) => r.applicationId);

    let writing = true;
    const writers = (async () => {
      try {
        await Promise.all(
          ids.map(async (id) => {
            await ok(gateway(t), docs.startReview, callers.scienceStaff, { id });
            await ok(gateway(t), docs.returnApplication, callers.scienceStaff, { id, reason: '请补充材料' });
          }),
        );
      } finally {
        writing = false;
      }
    })();
    const seen: { applicationId: string; version: number; cursor: string }[] = [];
    let after: string | null = null;
    const readPage = async () => {
      const page: { endCursor: string | null; changes: { applicationId: string; version: number; cursor: string }[] } = (
        await t.querySubgraph('policies', CHANGES, { as: SYSTEM, variables: { source, after, first: 5 } })
      ).data.applicationChanges;
      seen.push(...page.changes);
      after = page.endCursor;
      return page.changes.length;
    };
    while (writing) await readPage();
    await writers;
    while ((await readPage()) > 0);

    expect(new Set(seen.map((e) => e.cursor)).size).toBe(seen.length);
    for (const id of ids) {
      expect(
        seen.filter((e) => e.applicationId === id).map((e) => e.version),
        id,
      ).toEqual([1, 2, 3]);
    }
  });
});
