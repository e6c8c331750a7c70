/**
 * Duplicate appeals at intake (多头反映, issue #26 §7): an issue's likely duplicates, and the
 * dispatcher's intake view — the items waiting for intake with theirs. For those who may merge
 * (rules.ts `READ_LIKELY_DUPLICATES`); the merge itself is `mergeIssue` (supervision.ts), whose
 * arguments each suggestion carries. How alike two issues are is duplicates.ts; the candidates come
 * from the store through its indexes only.
 */
import { parseInput } from '../../../platform/input.ts';
import { decodeInstantCursor, encodeCursor, pageSize, type PageArgs } from '../../../platform/pagination.ts';
import { termsOf } from '../../../platform/search-text.ts';
import { canSee } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import {
  anchorsOf,
  DUPLICATE_WINDOW_DAYS,
  MAX_CANDIDATES,
  MAX_DUPLICATES,
  rankDuplicates,
  rarityOf,
  type DuplicateView,
  type IntakeDuplicatesView,
  type TermRarity,
} from '../duplicates.ts';
import { duplicatesFirst } from '../input.ts';
import { duplicateStore, type IssueRow } from '../store.ts';

const DAY = 86_400_000;
/** How long the terms' statistics are kept before they are read again. */
const STATISTICS_TTL_MS = 5 * 60 * 1000;
const statistics = new WeakMap<object, { readAt: number; rarity: Promise<TermRarity> }>();

/** The terms' rarity, from the statistics of the database this request reads (kept a few minutes). */
function rarity(ctx: IssuesContext): Promise<TermRarity> {
  const now = ctx.now().getTime();
  const kept = statistics.get(ctx.db);
  if (kept && now - kept.readAt >= 0 && now - kept.readAt < STATISTICS_TTL_MS) return kept.rarity;
  const read = duplicateStore.termStatistics(ctx.db).then(rarityOf);
  statistics.set(ctx.db, { readAt: now, rarity: read });
  read.catch(() => statistics.delete(ctx.db));
  return read;
}

/** The likely duplicates of one issue, best first; the caller's right already asked. */
async function duplicatesOf(ctx: IssuesContext, row: IssueRow, first: number): Promise<DuplicateView[]> {
  const weights = await rarity(ctx);
  // The terms the generated column holds (platform/search-text.ts keeps the two definitions equal).
  const terms = [...termsOf(row.title, row.description)];
  const candidates = await duplicateStore.candidates(ctx.db, {
    id: row.id,
    at: row.receivedAt,
    from: new Date(row.receivedAt.getTime() - DUPLICATE_WINDOW_DAYS * DAY),
    to: new Date(row.receivedAt.getTime() + DUPLICATE_WINDOW_DAYS * DAY),
    enterprise: row.enterpriseCreditCode,
    anchors: anchorsOf(terms, weights),
    limit: MAX_CANDIDATES,
  });
  const scope = await ctx.access.scope();
  const visible = candidates.filter((candidate) => canSee(scope, candidate.row));
  const ranked = rankDuplicates({ row, terms }, visible, weights, first);
  for (const view of ranked) ctx.loaders.issueById.prime(view.row.id, view.row);
  return ranked;
}

/** `Issue.likelyDuplicates(first)`. */
export async function likelyDuplicates(ctx: IssuesContext, row: IssueRow, { first }: { first?: number | null }) {
  await ctx.access.assertLoop('READ_LIKELY_DUPLICATES');
  return duplicatesOf(ctx, row, parseInput(duplicatesFirst, first ?? 5, 'first'));
}

/** `IntakeDuplicates.likelyDuplicates(first)`: the best `first` of those found. */
export function intakeItemDuplicates(view: IntakeDuplicatesView, { first }: { first?: number | null }): DuplicateView[] {
  return view.likelyDuplicates.slice(0, parseInput(duplicatesFirst, first ?? 5, 'first'));
}

/**
 * `intakeDuplicates`: the items waiting for intake received in the last 30 days, newest first, a
 * page of `first` at a time; the page lists those of them that have likely duplicates, and its
 * cursor is the last item it looked at, so the next page carries on after it.
 */
export async function intakeDuplicates(ctx: IssuesContext, page: PageArgs) {
  await ctx.access.assertLoop('READ_LIKELY_DUPLICATES');
  const size = pageSize(page.first, ctx.maxPageSize);
  const cursor = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const since = new Date(ctx.now().getTime() - DUPLICATE_WINDOW_DAYS * DAY);
  const rows = await duplicateStore.waiting(ctx.db, since, size + 1, cursor && { receivedAt: cursor.at, id: cursor.id });
  const looked = rows.slice(0, size);
  const found = await Promise.all(looked.map(async (row) => ({ row, duplicates: await duplicatesOf(ctx, row, MAX_DUPLICATES) })));
  const key = (row: IssueRow) => encodeCursor([row.receivedAt.toISOString(), row.id]);
  const edges = found
    .filter(({ duplicates }) => duplicates.length > 0)
    .map(({ row, duplicates }) => ({ cursor: key(row), node: { issue: row, likelyDuplicates: duplicates } }));
  for (const row of looked) ctx.loaders.issueById.prime(row.id, row);
  const last = looked.at(-1);
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > size,
      hasPreviousPage: cursor !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: last ? key(last) : (page.after ?? null),
    },
    // The kit's connection type has a count; this one's SDL has none (how many have duplicates is only known page by page).
    totalCount: () => Promise.resolve(edges.length),
    totalCountIsEstimate: false,
  };
}
