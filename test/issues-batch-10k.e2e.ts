/**
 * A full batch (issue #25 §2): 10,000 records of the 12345 hotline in one call through the gateway,
 * on the platform's default limits (the batch has its own execution budget, platform/budget.ts), with
 * a result per record; and a crash mid-batch — the issues slice's database connection killed while a
 * record is written — which leaves the chunks before it committed and nothing of the rest, so the
 * batch sent again finds the first (ALREADY_PRESENT) and enters the others (CREATED).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { BATCH_CHUNK_RECORDS, MAX_BATCH_RECORDS } from '../platform/batch.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2023-10-09T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

const HOTLINE: Caller = { role: 'COMMAND_OFFICE', subject: 'system-12345' };
const BATCH = /* GraphQL */ `
  mutation Batch($source: String!, $content: String!) {
    importIssueBatch(sourceSystem: $source, format: NDJSON, content: $content) {
      received
      created
      alreadyPresent
      rejected
      records {
        line
        externalRef
        outcome
        code
        field
      }
    }
  }
`;

/** A hotline record; every tenth one with a phone number that is not one. */
const record = (source: string, index: number) =>
  JSON.stringify({
    externalRef: `${source}-${index}`,
    source: 'HOTLINE_12345',
    environment: 'SERVICE',
    title: `来电反映办税大厅排队时间长（${index}）`,
    description: '高峰期排队超过一小时，希望增加窗口或开通线上预约。',
    receivedAt: '2023-10-08T10:15:00+08:00',
    contact: { name: '王先生', phone: index % 10 === 9 ? '12345' : `138${String(index).padStart(8, '0')}` },
  });

const countOf = async (source: string) =>
  rowsOf<{ n: number }>(
    await t.database.handle.owner().execute(sql`select count(*)::int as n from issues.issues where source_system = ${source}`),
  )[0]?.n;

type Outcome = { line: number; externalRef: string | null; outcome: string; code: string | null; field: string | null };

describe('a full batch through the gateway', () => {
  it(`takes ${MAX_BATCH_RECORDS} records in one call on the default limits, with a result for each`, { timeout: 600_000 }, async () => {
    const source = `full-${process.pid}`;
    // Every tenth record has a bad phone; every thousandth line (500, 1500, …) is not JSON at all.
    const lines = Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => (i % 1000 === 500 ? '{not json' : record(source, i)));
    const answer = await t.query(BATCH, { as: HOTLINE, variables: { source, content: lines.join('\n') } });
    expect(answer.errors).toBeUndefined();
    const result = answer.data.importIssueBatch;
    expect([result.received, result.created, result.alreadyPresent, result.rejected]).toEqual([10_000, 8_990, 0, 1_010]);
    const records = result.records as Outcome[];
    expect(records).toHaveLength(10_000);
    records.forEach((r, i) => {
      const expected =
        i % 1000 === 500
          ? [i + 1, null, 'REJECTED', 'BAD_USER_INPUT', 'line']
          : i % 10 === 9
            ? [i + 1, `${source}-${i}`, 'REJECTED', 'BAD_USER_INPUT', 'contact.phone']
            : [i + 1, `${source}-${i}`, 'CREATED', null, null];
      expect([r.line, r.externalRef, r.outcome, r.code, r.field]).toEqual(expected);
    });
    expect(await countOf(source)).toBe(8_990);
  });
});

describe('a crash mid-batch', () => {
  it(
    'leaves the chunks before it committed and nothing after; sent again, those are ALREADY_PRESENT and the rest CREATED',
    { timeout: 300_000 },
    async () => {
      const source = `crash-${process.pid}`;
      const size = 3 * BATCH_CHUNK_RECORDS;
      const crashAt = BATCH_CHUNK_RECORDS * 2 + 17;
      const content = Array.from({ length: size }, (_, i) => record(source, i * 10)).join('\n');
      const owner = t.database.handle.owner();
      // The issues slice's own connection is killed as it writes record `crashAt` (what a crashed database or network does).
      await owner.execute(
        sql.raw(`create or replace function issues.test_crash_batch() returns trigger language plpgsql security definer as $$
        begin perform pg_terminate_backend(pg_backend_pid()); return new; end $$`),
      );
      await owner.execute(
        sql.raw(`create trigger test_crash_batch before insert on issues.issues for each row
        when (new.external_ref = '${source}-${crashAt * 10}') execute function issues.test_crash_batch()`),
      );
      try {
        const crashed = await t.query(BATCH, { as: HOTLINE, variables: { source, content } });
        expect(crashed.data?.importIssueBatch ?? null).toBeNull();
        expect(crashed.errors?.length).toBeGreaterThan(0);
      } finally {
        await owner.execute(sql.raw('drop trigger test_crash_batch on issues.issues'));
        await owner.execute(sql.raw('drop function issues.test_crash_batch()'));
      }
      const committed = Math.floor(crashAt / BATCH_CHUNK_RECORDS) * BATCH_CHUNK_RECORDS;
      expect(await countOf(source)).toBe(committed);
      // Exactly the records before the crash's chunk are kept.
      const kept = rowsOf<{ ref: string }>(
        await owner.execute(sql`select external_ref as ref from issues.issues where source_system = ${source} order by 1`),
      ).map((row) => row.ref);
      expect(kept).toEqual(Array.from({ length: committed }, (_, i) => `${source}-${i * 10}`).sort());

      const again = await t.query(BATCH, { as: HOTLINE, variables: { source, content } });
      expect(again.errors).toBeUndefined();
      const result = again.data.importIssueBatch;
      expect([result.received, result.created, result.alreadyPresent, result.rejected]).toEqual([size, size - committed, committed, 0]);
      (result.records as Outcome[]).forEach((r, i) => expect(r.outcome).toBe(i < committed ? 'ALREADY_PRESENT' : 'CREATED'));
      expect(await countOf(source)).toBe(size);
    },
  );
});

describe('two batches with the same records in opposite orders, at once', () => {
  it(
    'both answer — a chunk takes its locks in key order, so they wait instead of deadlocking — and each record is created once',
    { timeout: 300_000 },
    async () => {
      const source = `both-${process.pid}`;
      const lines = Array.from({ length: 400 }, (_, i) => record(source, i * 10));
      const [forward, backward] = await Promise.all([
        t.querySubgraph('issues', BATCH, { as: HOTLINE, variables: { source, content: lines.join('\n') } }),
        t.querySubgraph('issues', BATCH, { as: HOTLINE, variables: { source, content: [...lines].reverse().join('\n') } }),
      ]);
      expect(forward.errors).toBeUndefined();
      expect(backward.errors).toBeUndefined();
      const a = forward.data.importIssueBatch;
      const b = backward.data.importIssueBatch;
      expect([a.rejected, b.rejected, a.created + b.created, a.alreadyPresent + b.alreadyPresent]).toEqual([0, 0, 400, 400]);
      expect(await countOf(source)).toBe(400);
    },
  );
});
