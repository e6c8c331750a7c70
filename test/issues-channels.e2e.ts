/**
 * Records from the other channels, both ways (issue #25 §2), in the issues slice: the 12345
 * hotline sends records in batches (NDJSON, CSV) — each idempotent by source system and reference,
 * each with its own result, a bad one refusing nothing else — and pulls what became of them from
 * its change feed, in commit order, nothing missed or repeated while writers keep changing them.
 * Through the gateway and directly against the subgraph.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { MAX_BATCH_RECORDS } from '../platform/batch.ts';
import { TestClock } from './support/clock.ts';
import { callers, mutations, unit } from './support/issues.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2023-10-09T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, maxConnections: 30 });
});
afterAll(async () => {
  await t?.stop();
});

type Transport = 'gateway' | 'issues subgraph';
const transports: Transport[] = ['gateway', 'issues subgraph'];
const send = (transport: Transport, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}) =>
  transport === 'gateway' ? t.query(document, options) : t.querySubgraph('issues', document, options);
const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

/** The hotline's own system: a command office token of its own subject. */
const HOTLINE: Caller = { role: 'COMMAND_OFFICE', subject: 'system-12345' };
const WINDOW_SYSTEM: Caller = { role: 'UNIT_STAFF', unit: 'ADMINISTRATIVE_APPROVAL_BUREAU', subject: 'window-system' };

const BATCH = /* GraphQL */ `
  mutation Batch($source: String!, $format: BatchFormat!, $content: String!) {
    importIssueBatch(sourceSystem: $source, format: $format, content: $content) {
      sourceSystem
      received
      created
      alreadyPresent
      rejected
      records {
        line
        externalRef
        outcome
        issueId
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
    issueChanges(source: $source, after: $after, first: $first) {
      endCursor
      hasMore
      changes {
        cursor
        issueId
        externalRef
        version
        action
        status
        handlingUnit {
          id
          name
        }
        feedback
        resolution
        resolutionOutcome
        rating
        solved
        changedAt
      }
    }
  }
`;

let serial = 0;
const ref = (label: string) => `${label}-${process.pid}-${++serial}`;
const record = (externalRef: string, extra: Record<string, unknown> = {}) => ({
  externalRef,
  source: 'HOTLINE_12345',
  environment: 'SERVICE',
  title: '来电反映办事大厅排队时间长',
  description: '企业来电反映办税服务厅高峰期排队超过一小时',
  receivedAt: '2023-10-08T10:15:00+08:00',
  contact: { name: '王先生', phone: '13800000000' },
  ...extra,
});
const ndjson = (records: object[]) => records.map((r) => JSON.stringify(r)).join('\n');

async function batch(transport: Transport, source: string, content: string, as: Caller = HOTLINE, format = 'NDJSON') {
  return send(transport, BATCH, { as, variables: { source, format, content } });
}

/** How many issues of a source system are in the database (read as the owner). */
async function countOf(source: string): Promise<number> {
  const rows = rowsOf<{ n: number }>(
    await t.database.handle.owner().execute(sql`select count(*)::int as n from issues.issues where source_system = ${source}`),
  );
  return rows[0]?.n ?? -1;
}

describe.each(transports)('a batch of records through the %s', (transport) => {
  it('creates the good records, rejects each bad one with its coded reason and field, and changes nothing for them', async () => {
    const source = ref('hotline');
    const [a, b, c, d, e] = [ref('A'), ref('B'), ref('C'), ref('D'), ref('E')];
    const content = [
      JSON.stringify(record(a)),
      JSON.stringify(record(b, { source: 'NO_SUCH_CHANNEL' })),
      '',
      '{not json',
      JSON.stringify(record(c, { contact: { name: '李女士', phone: '12345' } })),
      JSON.stringify(record(d, { handlingUnitId: unit('MARKET_REGULATION_BUREAU') })),
      JSON.stringify(record(e, { title: '' })),
      JSON.stringify({ source: 'HOTLINE_12345' }),
    ].join('\n');
    const answer = await batch(transport, source, content);
    expect(answer.errors).toBeUndefined();
    const result = answer.data.importIssueBatch;
    expect({ ...result, records: undefined }).toEqual({
      sourceSystem: source,
      received: 7,
      created: 2,
      alreadyPresent: 0,
      rejected: 5,
      records: undefined,
    });
    const shape = result.records.map((r: Record<string, unknown>) => [r.line, r.externalRef, r.outcome, r.code, r.field]);
    expect(shape).toEqual([
      [1, a, 'CREATED', null, null],
      [2, b, 'REJECTED', 'BAD_USER_INPUT', 'source'],
      [4, null, 'REJECTED', 'BAD_USER_INPUT', 'line'],
      [5, c, 'REJECTED', 'BAD_USER_INPUT', 'contact.phone'],
      [6, d, 'CREATED', null, null],
      [7, e, 'REJECTED', 'BAD_USER_INPUT', 'title'],
      [8, null, 'REJECTED', 'BAD_USER_INPUT', 'externalRef'],
    ]);
    for (const r of result.records.filter((r: Record<string, unknown>) => r.outcome === 'REJECTED')) {
      expect(r.messageZh).toBeTruthy();
      expect(r.messageEn).toBeTruthy();
      expect(r.issueId).toBeNull();
    }
    expect(await countOf(source)).toBe(2);

    // The imported record that names its handling unit is with that unit since its receipt.
    const dispatched = await t.query(`query($id: ID!) { issue(id: $id) { status responsibleUnit { id } } }`, {
      as: callers.office,
      variables: { id: result.records[4].issueId },
    });
    expect(dispatched.data.issue).toEqual({ status: 'ASSIGNED', responsibleUnit: { id: unit('MARKET_REGULATION_BUREAU') } });

    // Sent again: the good ones are already present (the same issues), the bad ones rejected as before.
    const again = (await batch(transport, source, content)).data.importIssueBatch;
    expect(again.records.map((r: Record<string, unknown>) => [r.line, r.outcome, r.issueId])).toEqual([
      [1, 'ALREADY_PRESENT', result.records[0].issueId],
      [2, 'REJECTED', null],
      [4, 'REJECTED', null],
      [5, 'REJECTED', null],
      [6, 'ALREADY_PRESENT', result.records[4].issueId],
      [7, 'REJECTED', null],
      [8, 'REJECTED', null],
    ]);
    expect(await countOf(source)).toBe(2);

    // The same reference with other content is a conflict, and changes nothing.
    const changed = (await batch(transport, source, ndjson([record(a, { title: '另一件事' })]))).data.importIssueBatch;
    expect(changed.records[0]).toMatchObject({ outcome: 'REJECTED', code: 'CONFLICT', issueId: null });
    expect(await countOf(source)).toBe(2);
  });

  it('reads CSV with a header, a byte-order mark, quoted cells and nested columns', async () => {
    const source = ref('hotline-csv');
    const [a, b] = [ref('CSV-A'), ref('CSV-B')];
    const content =
      '\uFEFFexternalRef,source,environment,title,description,receivedAt,contact.name,contact.phone\r\n' +
      `${a},HOTLINE_12345,SERVICE,"停车难, 来电反映","多行\n描述，含""引号""",2023-10-08T10:15:00+08:00,王先生,13800000000\r\n` +
      `${b},HOTLINE_12345,NOT_AN_ENVIRONMENT,标题,描述,,,\r\n`;
    const result = (await batch(transport, source, content, HOTLINE, 'CSV')).data.importIssueBatch;
    expect(result.records.map((r: Record<string, unknown>) => [r.line, r.externalRef, r.outcome, r.field])).toEqual([
      [2, a, 'CREATED', null],
      [4, b, 'REJECTED', 'environment'],
    ]);
    const issue = await t.query(`query($id: ID!) { issue(id: $id) { title description contact { name phone } } }`, {
      as: callers.office,
      variables: { id: result.records[0].issueId },
    });
    expect(issue.data.issue).toEqual({
      title: '停车难, 来电反映',
      description: '多行\n描述，含"引号"',
      contact: { name: '王先生', phone: '13800000000' },
    });
  });

  it(`refuses a batch of more than ${MAX_BATCH_RECORDS} records as a whole, writing nothing`, async () => {
    const source = ref('too-many');
    const content = Array.from({ length: MAX_BATCH_RECORDS + 1 }, (_, i) => `{"externalRef":"${i}"}`).join('\n');
    const answer = await batch(transport, source, content);
    expect(code(answer)).toBe('BAD_USER_INPUT');
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      field: 'content',
      maxRecords: MAX_BATCH_RECORDS,
      records: MAX_BATCH_RECORDS + 1,
    });
    expect(await countOf(source)).toBe(0);
  });

  it('is for those who may report: each record on reportIssue’s rules, an enterprise and the anonymous not at all', async () => {
    const source = ref('window');
    expect(code(await batch(transport, source, ndjson([record(ref('X'))]), callers.enterpriseA))).toBe('FORBIDDEN');
    expect(code(await batch(transport, source, ndjson([record(ref('X'))]), 'ANONYMOUS'))).toBe('UNAUTHENTICATED');
    const own = ref('W');
    const result = (
      await batch(
        transport,
        source,
        ndjson([
          { ...record(own, { source: 'UNIT_WINDOW' }), receivedAt: undefined },
          { ...record(ref('W')), receivedAt: undefined },
          record(ref('W'), { source: 'UNIT_WINDOW' }),
        ]),
        WINDOW_SYSTEM,
      )
    ).data.importIssueBatch;
    expect(result.records.map((r: Record<string, unknown>) => [r.outcome, r.code])).toEqual([
      ['CREATED', null],
      ['REJECTED', 'FORBIDDEN'],
      ['REJECTED', 'FORBIDDEN'],
    ]);
    expect(await countOf(source)).toBe(1);
  });
});

describe.each(transports)('the change feed through the %s', (transport) => {
  it('gives the sending system (and the command office) what became of its records, page by page', async () => {
    const source = ref('feed');
    const [a, b] = [ref('F'), ref('F')];
    const imported = (await batch(transport, source, ndjson([record(a), record(b)]))).data.importIssueBatch;
    const [idA] = imported.records.map((r: { issueId: string }) => r.issueId);
    await mutations.accept(t, callers.office, idA);
    await mutations.assign(t, callers.office, idA, unit('TAXATION_BUREAU'));
    await mutations.contact(t, callers.taxStaff, idA);
    await mutations.feedback(t, callers.taxStaff, idA);
    await mutations.resolve(t, callers.taxStaff, idA);

    const first = await send(transport, CHANGES, { as: HOTLINE, variables: { source, first: 3 } });
    expect(first.errors).toBeUndefined();
    const page1 = first.data.issueChanges;
    expect(page1.hasMore).toBe(true);
    const page2 = (await send(transport, CHANGES, { as: HOTLINE, variables: { source, first: 10, after: page1.endCursor } })).data
      .issueChanges;
    expect(page2.hasMore).toBe(false);
    const entries = [...page1.changes, ...page2.changes];
    expect(entries.map((e: Record<string, unknown>) => [e.externalRef, e.version, e.action, e.status])).toEqual([
      [a, 1, 'SUBMIT', 'SUBMITTED'],
      [b, 1, 'SUBMIT', 'SUBMITTED'],
      [a, 2, 'ACCEPT', 'ACCEPTED'],
      [a, 3, 'ASSIGN', 'ASSIGNED'],
      [a, 4, 'CONTACT', 'CONTACTED'],
      [a, 5, 'FEEDBACK', 'FEEDBACK_GIVEN'],
      [a, 6, 'RESOLVE', 'RESOLVED'],
    ]);
    expect(entries[6]).toMatchObject({
      handlingUnit: { id: unit('TAXATION_BUREAU'), name: expect.any(String) },
      feedback: '已初步答复',
      resolution: '已办结',
    });
    // Nothing new: the same cursor back, no entries.
    const none = (await send(transport, CHANGES, { as: HOTLINE, variables: { source, after: page2.endCursor } })).data.issueChanges;
    expect(none).toEqual({ endCursor: page2.endCursor, hasMore: false, changes: [] });
    // The command office reads every system's feed; another system reads only what it sent (nothing here).
    expect((await send(transport, CHANGES, { as: callers.office, variables: { source } })).data.issueChanges.changes).toHaveLength(7);
    expect((await send(transport, CHANGES, { as: WINDOW_SYSTEM, variables: { source } })).data.issueChanges.changes).toEqual([]);
    expect(code(await send(transport, CHANGES, { as: callers.enterpriseA, variables: { source } }))).toBe('FORBIDDEN');
    expect(code(await send(transport, CHANGES, { as: 'ANONYMOUS', variables: { source } }))).toBe('UNAUTHENTICATED');
    expect(code(await send(transport, CHANGES, { as: HOTLINE, variables: { source, after: 'bm90IGEgY3Vyc29y' } }))).toBe('BAD_USER_INPUT');
  });
});

describe('the change feed under concurrent writes', () => {
  it('gives a reader paging through it every committed change exactly once, in order per record', async () => {
    const source = ref('busy');
    const refs = Array.from({ length: 12 }, () => ref('busy'));
    const imported = (await batch('issues subgraph', source, ndjson(refs.map((r) => record(r))))).data.importIssueBatch;
    const ids: string[] = imported.records.map((r: { issueId: string }) => r.issueId);
    const units = [unit('MARKET_REGULATION_BUREAU'), unit('TAXATION_BUREAU'), unit('ADMINISTRATIVE_APPROVAL_BUREAU')];

    // Writers: each issue accepted, assigned, co-handlers added and removed, contacted — many at once.
    let writing = true;
    const writers = (async () => {
      try {
        await Promise.all(
          ids.map(async (id, i) => {
            await mutations.accept(t, callers.office, id);
            await mutations.assign(t, callers.office, id, units[i % 3]!);
            for (let round = 0; round < 3; round++) {
              const other = units[(i + 1 + (round % 2)) % 3]!;
              await t.query(`mutation($id: ID!, $u: ID!) { addCoHandler(id: $id, unitId: $u) { id } }`, {
                as: callers.office,
                variables: { id, u: other },
              });
              await t.query(`mutation($id: ID!, $u: ID!) { removeCoHandler(id: $id, unitId: $u) { id } }`, {
                as: callers.office,
                variables: { id, u: other },
              });
            }
            await mutations.contact(t, callers.office, id);
          }),
        );
      } finally {
        writing = false;
      }
    })();

    // The reader pages while they write, then drains what is left.
    const seen: { issueId: string; version: number; cursor: string }[] = [];
    let after: string | null = null;
    const readPage = async () => {
      const page: { endCursor: string | null; changes: { issueId: string; version: number; cursor: string }[] } = (
        await t.querySubgraph('issues', CHANGES, { as: HOTLINE, variables: { source, after, first: 7 } })
      ).data.issueChanges;
      seen.push(...page.changes);
      after = page.endCursor;
      return page.changes.length;
    };
    while (writing) await readPage();
    await writers;
    while ((await readPage()) > 0);

    const finals = await Promise.all(
      ids.map(
        async (id) =>
          (await t.query(`query($id: ID!) { issue(id: $id) { id version } }`, { as: callers.office, variables: { id } })).data.issue,
      ),
    );
    const versionOf = new Map<string, number>(finals.map((n: { id: string; version: number }) => [n.id, n.version]));
    expect(new Set(seen.map((e) => e.cursor)).size).toBe(seen.length);
    for (const id of ids) {
      const versions = seen.filter((e) => e.issueId === id).map((e) => e.version);
      const final = versionOf.get(id) ?? -1;
      expect(final).toBe(10);
      // Every version from its import to now, once each, in order.
      expect(versions, id).toEqual(Array.from({ length: final }, (_, i) => i + 1));
    }
  });
});
