/**
 * Applications from the departments' systems, both ways (issue #25): a system sends the
 * applications it accepted in batches (`importApplicationBatch`) and pulls what became of them —
 * state and amounts — from its change feed (`applicationChanges`, 回传).
 *
 * A batch record is `importApplication`'s input without `sourceSystem` (the batch names it): it is
 * coerced with the very GraphQL input type and entered by the same `enterImported`, idempotent on
 * the source system and `externalReference`. The records are entered a chunk at a time
 * (platform/batch.ts `enterInChunks`: one transaction per chunk, a savepoint per record): a refused
 * record rolls back alone and refuses nothing else; a crash mid-batch leaves the chunks before it
 * committed and nothing of the rest, and the batch sent again finds those (ALREADY_PRESENT). The enterprises'
 * profiles are asked of the units slice once per batch (`_entities`, 500 codes a question), before
 * any transaction — never a question per record; each item named is read once per batch too.
 */
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
} from '../../../platform/batch.ts';
import { normalizeCreditCode } from '../../../platform/credit-code.ts';
import { errors } from '../../../platform/errors.ts';
import { decodeIntegerCursor, encodeCursor, pageSize } from '../../../platform/pagination.ts';
import type { PoliciesContext } from '../context.ts';
import type { EnterpriseProfile } from '../eligibility.ts';
import type { MutationImportApplicationBatchArgs, QueryApplicationChangesArgs } from '../schema-types.ts';
import { feedStore, type FeedRow, type ItemRow } from '../store.ts';
import { enterImported } from './applications.ts';
import { visibleItem } from './checks.ts';

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
  // The calendar too is taken once, before any transaction: a copy expiring mid-batch is not fetched inside one.
  const calendar = await ctx.calendar.current();
  const pinned = { current: () => Promise.resolve(calendar) };
  // Each item once per batch (ten thousand records name a handful), read outside the chunks' transactions as the profiles are.
  const items = new Map<string, Promise<ItemRow>>();
  const itemOf = (itemId: string) => {
    let item = items.get(itemId);
    if (!item) {
      item = visibleItem(ctx, itemId);
      // A refusal (not found) is each record's own answer, given where it is awaited.
      item.catch(() => {});
      items.set(itemId, item);
    }
    return item;
  };
  // A record entered a chunk at a time, in a savepoint of its own (platform/batch.ts).
  const results = await enterInChunks(
    ctx.db,
    records,
    async (tx, { line, fields, problem }) => {
      if (problem) throw problem;
      const given = coerceRecord(recordType, { ...fields, sourceSystem }, format === 'CSV');
      const entered = await enterImported({ ...ctx, db: tx, calendar: pinned }, given, profileOf, itemOf);
      return kept(line, entered.row.externalReference ?? externalRefOf(fields, 'externalReference') ?? '', entered.row.id, entered.fresh);
    },
    ({ line, fields }, error) => rejected(line, externalRefOf(fields, 'externalReference'), error),
    ({ fields }) => externalRefOf(fields, 'externalReference') ?? '',
  );
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
