/**
 * Records from the other channels, both ways (issue #25): the 12345 hotline, the discipline
 * platform and the departments' systems send their records in batches (`importIssueBatch`), and
 * pull what became of them (`issueChanges`, 回传).
 *
 * A batch record is `reportIssue`'s input (without clientRequestId) plus `externalRef`: it is
 * coerced with the very GraphQL input type, parsed and allowed as that import is, and entered by
 * the same `enterIssue` — keyed on the source system and its reference instead of a client request
 * id. Every record is read, checked and allowed first; then they are entered a chunk at a time
 * (platform/batch.ts `enterInChunks`: one transaction per chunk, a savepoint per record): a refused
 * record rolls back alone and refuses nothing else; a crash mid-batch leaves the chunks before it
 * committed and nothing of the rest, and the batch sent again finds those (ALREADY_PRESENT) and
 * enters the rest. What the records need of other
 * slices — the caller's unit, the directory and the units they name — is asked once per batch,
 * before any transaction.
 */
import { createHash } from 'node:crypto';
import type { GraphQLInputObjectType } from 'graphql';
import {
  coerceRecord,
  enterInChunks,
  externalRefOf,
  kept,
  readBatch,
  rejected,
  requireSourceSystem,
  tally,
  type RecordResult,
} from '../../../platform/batch.ts';
import type { DirectoryUnit } from '../../../platform/directory.ts';
import { errors } from '../../../platform/errors.ts';
import { isUuid, text, parseInput } from '../../../platform/input.ts';
import { decodeIntegerCursor, encodeCursor, pageSize } from '../../../platform/pagination.ts';
import type { IssuesContext } from '../context.ts';
import type { MutationImportIssueBatchArgs, QueryIssueChangesArgs } from '../schema-types.ts';
import { feedStore, type FeedRow } from '../store.ts';
import { enterIssue, reported, type Report } from './intake.ts';
import { present } from '../../../platform/invariant.ts';

const externalRefSchema = text({ zh: '外部编号', en: 'externalRef' }, { max: 100 });

/** A client request id for a record keyed by its source instead (the column is required, and unique per person). */
const requestIdOf = (sourceSystem: string, externalRef: string) =>
  `ext:${createHash('sha256')
    .update(JSON.stringify([sourceSystem, externalRef]))
    .digest('hex')
    .slice(0, 48)}`;

/** Every unit the records name, looked up once (the directory's cache, a fetch for one it does not know yet). */
async function namedUnits(ctx: IssuesContext, records: readonly { fields: Record<string, unknown> | null }[]) {
  const ids = new Set<string>();
  for (const { fields } of records) {
    for (const key of ['unitId', 'handlingUnitId']) {
      const id = fields?.[key];
      if (typeof id === 'string' && isUuid(id)) ids.add(id.toLowerCase());
    }
  }
  const list = [...ids];
  const found = await Promise.all(list.map((id) => ctx.directory.unit(id)));
  const units = new Map<string, DirectoryUnit | null>(list.map((id, index) => [id, found[index] ?? null]));
  return (id: string) => units.get(id.toLowerCase()) ?? null;
}

/** A record read, checked and allowed, before any transaction: what enterIssue takes. */
interface Prepared {
  index: number;
  line: number;
  externalRef: string;
  report: Report;
}

/** `importIssueBatch`: each record as reportIssue takes it, idempotent by source system and reference. */
export async function importIssueBatch(
  ctx: IssuesContext,
  { sourceSystem: system, format, content }: MutationImportIssueBatchArgs,
  recordType: GraphQLInputObjectType,
) {
  await ctx.access.prepareToAct();
  await ctx.access.assertLoop('IMPORT_ISSUE_BATCH');
  const sourceSystem = requireSourceSystem(system, 'sourceSystem');
  const records = readBatch(format, content);
  const units = await namedUnits(ctx, records);
  const results: (RecordResult | null)[] = [];
  const prepared: Prepared[] = [];
  // First every record is read, checked and allowed — no transaction yet, nothing asked of another slice.
  for (const [index, { line, fields, problem }] of records.entries()) {
    try {
      if (problem) throw problem;
      // The record's key is its reference: a client request id it carries is replaced by one made of that key.
      const { externalRef: rawRef, ...rest } = fields ?? {};
      delete rest.clientRequestId;
      const externalRef = parseInput(externalRefSchema, rawRef, 'externalRef');
      const given = coerceRecord(recordType, { ...rest, clientRequestId: requestIdOf(sourceSystem, externalRef) }, format === 'CSV');
      const { ownUnitId } = await ctx.access.assertReport(given as { source: string });
      prepared.push({ index, line, externalRef, report: await reported(ctx, given, ownUnitId, units) });
      results.push(null);
    } catch (error) {
      results.push(rejected(line, externalRefOf(fields, 'externalRef'), error));
    }
  }
  // Then the records are entered a chunk at a time, each in its own savepoint (platform/batch.ts).
  const entered = await enterInChunks(
    ctx.db,
    prepared,
    async (tx, { line, externalRef, report }) => {
      const done = await enterIssue({ ...ctx, db: tx }, report.row, report.sent, report.handledBy, { sourceSystem, externalRef });
      return kept(line, externalRef, done.issue.id, done.created);
    },
    ({ line, externalRef }, error) => rejected(line, externalRef, error),
    ({ externalRef }) => externalRef,
  );
  prepared.forEach(({ index }, at) => (results[index] = present(entered[at], 'the result of a record entered')));
  return { sourceSystem, ...tally(results.map((result) => present(result, 'a result for every record'))) };
}

/** `issueChanges`: the feed of one source system after the cursor, in commit order. */
export async function issueChanges(ctx: IssuesContext, { source, after, first }: QueryIssueChangesArgs) {
  ctx.access.assertSignedIn();
  await ctx.access.prepareToAct();
  const sender = await ctx.access.feedSender();
  const sourceSystem = requireSourceSystem(source, 'source');
  const afterSeq = after ? decodeIntegerCursor(after) : 0;
  if (afterSeq < 0) throw errors.badInput('after', { zh: '游标无效', en: 'The cursor is not valid' });
  const size = pageSize(first, ctx.maxPageSize);
  const rows = await feedStore.page(ctx.db, { sourceSystem, afterSeq, limit: size + 1, sender });
  const changes = rows.slice(0, size);
  const last = changes[changes.length - 1];
  return {
    changes,
    endCursor: last ? feedCursor(last) : (after ?? null),
    hasMore: rows.length > size,
  };
}

export const feedCursor = (row: FeedRow) => encodeCursor([row.seq]);
