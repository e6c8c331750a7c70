/**
 * Records from the other channels, both ways (issue #25): the 12345 hotline, the discipline
 * platform and the departments' systems send their records in batches (`importIssueBatch`), and
 * pull what became of them (`issueChanges`, 回传).
 *
 * A batch record is `reportIssue`'s input (without clientRequestId) plus `externalRef`: it is
 * coerced with the very GraphQL input type, parsed and allowed as that import is, and entered by
 * the same `enterIssue` — keyed on the source system and its reference instead of a client request
 * id. Each record is its own transaction (`createRow`): a refused record changes nothing and
 * refuses nothing else; a crash mid-batch leaves the records before it committed, and the batch
 * sent again finds them (ALREADY_PRESENT) and enters the rest. What the records need of other
 * slices — the caller's unit, the directory and the units they name — is asked once per batch,
 * before any transaction.
 */
import { createHash } from 'node:crypto';
import type { GraphQLInputObjectType } from 'graphql';
import {
  coerceRecord,
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
import { enterIssue, reported } from './intake.ts';

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
  const results: RecordResult[] = [];
  for (const { line, fields, problem } of records) {
    const ref = externalRefOf(fields, 'externalRef');
    try {
      if (problem) throw problem;
      // The record's key is its reference: a client request id it carries is replaced by one made of that key.
      const { externalRef: rawRef, ...rest } = fields ?? {};
      delete rest.clientRequestId;
      const externalRef = parseInput(externalRefSchema, rawRef, 'externalRef');
      const given = coerceRecord(recordType, { ...rest, clientRequestId: requestIdOf(sourceSystem, externalRef) }, format === 'CSV');
      const { ownUnitId } = await ctx.access.assertReport(given as { source: string });
      const report = await reported(ctx, given, ownUnitId, units);
      const entered = await enterIssue(ctx, report.row, report.sent, report.handledBy, { sourceSystem, externalRef });
      results.push(kept(line, externalRef, entered.issue.id, entered.created));
    } catch (error) {
      results.push(rejected(line, ref, error));
    }
  }
  return { sourceSystem, ...tally(results) };
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
