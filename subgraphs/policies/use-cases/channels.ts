/**
 * Applications from the departments' systems, both ways (issue #25): a system sends the
 * applications it accepted in batches (`importApplicationBatch`) and pulls what became of them —
 * state and amounts — from its change feed (`applicationChanges`, 回传).
 *
 * A batch record is `importApplication`'s input without `sourceSystem` (the batch names it): it is
 * coerced with the very GraphQL input type and entered by the same `enterImported`, idempotent on
 * the source system and `externalReference`. Each record is its own transaction (`createRow`): a
 * refused record changes nothing and refuses nothing else; a crash mid-batch leaves the records
 * before it committed, and the batch sent again finds them (ALREADY_PRESENT). The enterprises'
 * profiles are asked of the units slice once per batch (`_entities`, 500 codes a question), before
 * any transaction — never a question per record.
 */
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
import { normalizeCreditCode } from '../../../platform/credit-code.ts';
import { errors } from '../../../platform/errors.ts';
import { decodeIntegerCursor, encodeCursor, pageSize } from '../../../platform/pagination.ts';
import type { PoliciesContext } from '../context.ts';
import type { EnterpriseProfile } from '../eligibility.ts';
import type { MutationImportApplicationBatchArgs, QueryApplicationChangesArgs } from '../schema-types.ts';
import { feedStore, type FeedRow } from '../store.ts';
import { enterImported } from './applications.ts';

/** `importApplicationBatch`: each record as importApplication takes it, idempotent by source system and reference. */
export async function importApplicationBatch(
  ctx: PoliciesContext,
  { sourceSystem: system, format, content }: MutationImportApplicationBatchArgs,
  recordType: GraphQLInputObjectType,
) {
  ctx.access.assertSignedIn();
  await ctx.access.assert('IMPORT_APPLICATION_BATCH');
  const sourceSystem = requireSourceSystem(system, 'sourceSystem');
  const records = readBatch(format, content);
  const codes = records
    .map(({ fields }) => fields?.enterpriseCreditCode)
    .filter((code): code is string => typeof code === 'string')
    .map(normalizeCreditCode);
  const profiles: Map<string, EnterpriseProfile | null> = codes.length ? await ctx.enterprises.profiles(codes) : new Map();
  const profileOf = async (code: string) => profiles.get(code) ?? null;
  const results: RecordResult[] = [];
  for (const { line, fields, problem } of records) {
    const ref = externalRefOf(fields, 'externalReference');
    try {
      if (problem) throw problem;
      const given = coerceRecord(recordType, { ...fields, sourceSystem }, format === 'CSV');
      const entered = await enterImported(ctx, given, profileOf);
      results.push(kept(line, entered.row.externalReference ?? ref ?? '', entered.row.id, entered.fresh));
    } catch (error) {
      results.push(rejected(line, ref, error));
    }
  }
  return { sourceSystem, ...tally(results) };
}

/** `applicationChanges`: the feed of one source system after the cursor, in commit order. */
export async function applicationChanges(ctx: PoliciesContext, { source, after, first }: QueryApplicationChangesArgs) {
  ctx.access.assertSignedIn();
  const sender = await ctx.access.feedSender();
  const sourceSystem = requireSourceSystem(source, 'source');
  const afterSeq = after ? decodeIntegerCursor(after) : 0;
  if (afterSeq < 0) throw errors.badInput('after', { zh: '游标无效', en: 'The cursor is not valid' });
  const size = pageSize(first, ctx.maxPageSize);
  const rows = await feedStore.page(ctx.db, { sourceSystem, afterSeq, limit: size + 1, sender });
  const changes = rows.slice(0, size);
  const last = changes[changes.length - 1];
  return { changes, endCursor: last ? feedCursor(last) : (after ?? null), hasMore: rows.length > size };
}

export const feedCursor = (row: FeedRow) => encodeCursor([row.seq]);
