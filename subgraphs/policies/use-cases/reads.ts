/**
 * Reading policies, their items and news: lists (filtered, searched in Chinese — title matches first
 * — and paged by cursor), one by id, and what a policy or an item shows of itself to this caller.
 * Drafts only to whom access.ts lets see them.
 */
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { countBeside, exactCountLimit, decodeCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import { isValidDate } from '../../../platform/scalars.ts';
import { parseSearch, searchVocabulary, type SearchQuery } from '../../../platform/search-text.ts';
import vocabularyData from '../../../db/reference/search-vocabulary.json' with { type: 'json' };
import { policyState } from '../access.ts';
import type { PoliciesContext } from '../context.ts';
import * as input from '../input.ts';
import type { PolicyState } from '../rules.ts';
import type { QueryPoliciesArgs, QueryPolicyArgs, QueryPolicyItemArgs, QueryPolicyItemsArgs } from '../schema-types.ts';
import {
  itemStore,
  policyStore,
  type ItemNode,
  type ItemRow,
  type ListCursor,
  type PolicyNode,
  type PolicyRow,
  type SearchHit,
} from '../store.ts';
import { requireDate, windowOpen } from './checks.ts';

/** How a search reads a query: the shared vocabulary (synonyms, terms, optional and question words). */
const vocabulary = searchVocabulary(vocabularyData);

/** The list cursor this API writes: [tier, rank within the tier, sort key, id]. */
export function decodeListCursor(cursor: string, keyType: 'date' | 'instant'): ListCursor {
  const [tier, rank, key, id] = decodeCursor(cursor, 4);
  const keyOk = typeof key === 'string' && (keyType === 'date' ? isValidDate(key) : !Number.isNaN(Date.parse(key)));
  const rankOk = typeof rank === 'number' && Number.isSafeInteger(rank) && rank >= 0;
  if ((tier === 'H' || tier === 'B' || tier === '-') && rankOk && keyOk && typeof id === 'string' && isUuid(id))
    return { tier, rank: rank as number, key: key as string, id };
  throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
}

const tierName = { H: 'HEADING', B: 'BODY' } as const;

/** The cursor's tier letter and rank of a listed row. */
export const tierOf = (row: { search?: SearchHit }): [ListCursor['tier'], number] => [
  row.search ? (row.search.tier === 'HEADING' ? 'H' : 'B') : '-',
  row.search?.rank ?? 0,
];

/** The search a caller's text asks for; null without text. */
export function searchOf(text: string | null | undefined): SearchQuery | null {
  if (!text) return null;
  const query = parseSearch(text, vocabulary);
  if (!query)
    throw errors.badInput('text', {
      zh: '搜索词须包含汉字、字母或数字',
      en: 'The search text needs letters, digits or Chinese characters',
    });
  return query;
}

/** A listed row, with how it matched the search (when it was searched). */
export function hit<Row extends object>(
  { row, tier, rank }: { row: Row; tier: ListCursor['tier']; rank: number },
  query: SearchQuery | null,
): Row & { search?: SearchHit } {
  return query && tier !== '-' ? { ...row, search: { tier: tierName[tier], rank, query } } : row;
}

async function policyListQuery(ctx: PoliciesContext, rawFilter: unknown) {
  const filter = parseInput(input.policyFilter, rawFilter ?? {});
  for (const field of ['validOn', 'issuedFrom', 'issuedTo'] as const) requireDate(field, filter[field]);
  const search = searchOf(filter.text);
  // A search sees the policies in force; a document number names one policy, in force or not.
  const statuses: PolicyState[] | null = filter.status?.length
    ? filter.status
    : search?.documentNumber
      ? ['PUBLISHED', 'EXPIRED', 'REPEALED']
      : search
        ? ['PUBLISHED']
        : null;
  return { search, query: { ...filter, draftsOf: await ctx.access.draftsOf(), text: search, statuses, today: ctx.today() } };
}

/** `policies`: the list, newest first (searched: title matches first, then by rank). */
export async function policies(ctx: PoliciesContext, { filter }: QueryPoliciesArgs, page: PageArgs) {
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeListCursor(page.after, 'date') : null;
  const { search, query } = await policyListQuery(ctx, filter);
  const count = countBeside(page.counted, () => policyStore.count(ctx.db, query, exactCountLimit(ctx)));
  const found = await policyStore.page(ctx.db, query, size + 1, after);
  for (const { row } of found) ctx.loaders.policyById.prime(row.id, row);
  const rows = found.map((found) => hit(found, search));
  return toConnection(rows, size, (row) => [...tierOf(row), row.issuedOn, row.id], count, after !== null);
}

/** `policy`: one, if this caller may see it (an id that is no uuid names nothing). */
export async function policy(ctx: PoliciesContext, { id }: QueryPolicyArgs): Promise<PolicyNode | null> {
  if (!isUuid(id)) return null;
  const row = await ctx.loaders.policyById.load(id.toLowerCase());
  return row && (await ctx.access.canSeePolicy(row)) ? row : null;
}

/** The policy of an item, a notice or an application (which exists: the row names it). */
export const policyOf = async (ctx: PoliciesContext, policyId: string): Promise<PolicyRow> =>
  present(await ctx.loaders.policyById.load(policyId), 'the policy a row names');

export const revisions = (ctx: PoliciesContext, policyId: string) => ctx.loaders.revisionsByPolicy.load(policyId);
export const interpretations = (ctx: PoliciesContext, policyId: string) => ctx.loaders.interpretationsByPolicy.load(policyId);

/** A policy's items this caller may see. */
export async function itemsOf(ctx: PoliciesContext, policyId: string): Promise<ItemRow[]> {
  const items = await ctx.loaders.itemsByPolicy.load(policyId);
  const visible = await Promise.all(items.map((item) => ctx.access.canSeeItem(item)));
  return items.filter((_, i) => visible[i]);
}

/** A policy's consultation comments this caller may see. */
export async function commentsOf(ctx: PoliciesContext, row: PolicyRow) {
  const comments = await ctx.loaders.commentsByPolicy.load(row.id);
  const visible = await Promise.all(comments.map((comment) => ctx.access.canSeeComment(comment, row)));
  return comments.filter((_, i) => visible[i]);
}

/** A policy's history, for whom may see it (else empty). */
export async function historyOf(ctx: PoliciesContext, row: PolicyRow) {
  return (await ctx.access.canSeePolicyHistory(row)) ? ctx.loaders.eventsByPolicy.load(row.id) : [];
}

/** A policy's status today (EXPIRED past its validity). */
export const policyStatus = (ctx: PoliciesContext, row: PolicyRow) => policyState(row, ctx.today());

/** `policyItems`: the list, newest first (searched: name matches first, then by rank). */
export async function policyItems(ctx: PoliciesContext, { filter: rawFilter }: QueryPolicyItemsArgs, page: PageArgs) {
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeListCursor(page.after, 'instant') : null;
  const filter = parseInput(input.itemFilter, rawFilter ?? {});
  const search = searchOf(filter.text);
  const statuses: ItemRow['status'][] | null = filter.status?.length ? filter.status : search ? ['PUBLISHED'] : null;
  const query = { ...filter, draftsOf: await ctx.access.draftsOf(), text: search, statuses, today: ctx.today() };
  const count = countBeside(page.counted, () => itemStore.count(ctx.db, query, exactCountLimit(ctx)));
  const found = await itemStore.page(ctx.db, query, size + 1, after);
  for (const { row } of found) ctx.loaders.itemById.prime(row.id, row);
  const rows: ItemNode[] = found.map((found) => hit(found, search));
  return toConnection(rows, size, (row) => [...tierOf(row), row.sortAt.toISOString(), row.id], count, after !== null);
}

/** `policyItem`: one, if this caller may see it. */
export async function policyItem(ctx: PoliciesContext, { id }: QueryPolicyItemArgs): Promise<ItemNode | null> {
  if (!isUuid(id)) return null;
  const row = await ctx.loaders.itemById.load(id.toLowerCase());
  return row && (await ctx.access.canSeeItem(row)) ? row : null;
}

/** The item of a notice or an application (which exists: the row names it). */
export const itemOf = async (ctx: PoliciesContext, itemId: string): Promise<ItemRow> =>
  present(await ctx.loaders.itemById.load(itemId), 'the item a row names');

/** Whether an item takes applications today. */
export const windowOpenNow = (ctx: PoliciesContext, item: ItemRow) => item.status === 'PUBLISHED' && windowOpen(item, ctx.today());
