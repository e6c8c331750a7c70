/**
 * 政策资讯: news a unit publishes, naming the public policies it is about; read by everyone,
 * searched like policies. A news item is created through the kit's `createRow`; it keeps no history
 * of its own (it is never changed).
 */
import { beijingMidnight, endOfBeijingDay } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { countBeside, exactCountLimit, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import { tsvectorOf } from '../../../platform/search-text.ts';
import type { PoliciesContext } from '../context.ts';
import * as input from '../input.ts';
import { subjectOf } from '../rows.ts';
import type { MutationPublishPolicyNewsArgs, QueryPolicyNewsArgs } from '../schema-types.ts';
import { newsStore, policyStore, type NewsNode, type NewsRow, type PolicyRow } from '../store.ts';
import { requireDate } from './checks.ts';
import { decodeListCursor, hit, searchOf, tierOf } from './reads.ts';

const NEWS = { zh: '政策资讯', en: 'Policy news' };

/** `policyNews`: the list, newest first (searched: title matches first, then by rank). */
export async function policyNews(ctx: PoliciesContext, { filter: rawFilter }: QueryPolicyNewsArgs, page: PageArgs) {
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeListCursor(page.after, 'instant') : null;
  const filter = parseInput(input.newsFilter, rawFilter ?? {});
  requireDate('publishedFrom', filter.publishedFrom);
  requireDate('publishedTo', filter.publishedTo);
  const search = searchOf(filter.text);
  const query = {
    text: search,
    policyId: filter.policyId,
    unitId: filter.unitId,
    publishedFrom: filter.publishedFrom ? beijingMidnight(filter.publishedFrom) : null,
    publishedTo: filter.publishedTo ? endOfBeijingDay(filter.publishedTo) : null,
  };
  const count = countBeside(page.counted, () => newsStore.count(ctx.db, query, exactCountLimit(ctx)));
  const rows: NewsNode[] = (await newsStore.page(ctx.db, query, size + 1, after)).map((found) => hit(found, search));
  return toConnection(rows, size, (row) => [...tierOf(row), row.publishedAt.toISOString(), row.id], count, after !== null);
}

/** The policies a news item names that this caller may see. */
export async function newsPolicies(ctx: PoliciesContext, policyIds: string[]): Promise<PolicyRow[]> {
  const rows = await Promise.all(policyIds.map((id) => ctx.loaders.policyById.load(id)));
  const visible = await Promise.all(rows.map((row) => (row ? ctx.access.canSeePolicy(row) : false)));
  return rows.filter((row, i): row is PolicyRow => row !== null && visible[i] === true);
}

/** `publishPolicyNews`: a unit's news, naming public policies only. */
export async function publishPolicyNews(ctx: PoliciesContext, { input: raw }: MutationPublishPolicyNewsArgs): Promise<NewsRow> {
  await ctx.access.assert('PUBLISH_NEWS');
  const given = parseInput(input.newsInput, raw);
  const policyIds = given.policyIds ?? [];
  for (const [i, id] of policyIds.entries()) {
    const named = await policyStore.get(ctx.db, id);
    if (!named || named.status === 'DRAFT')
      throw errors.badInput(`policyIds[${i}]`, { zh: `政策不存在或未公开：${id}`, en: `No such public policy: ${id}` });
  }
  const unit = present(await ctx.access.activeUnit(), 'the active unit of a caller allowed to publish news');
  return createRow(
    ctx.db,
    { noun: NEWS },
    {
      authorize: () => ctx.access.assert('PUBLISH_NEWS'),
      write: (tx) =>
        newsStore.insert(tx, {
          title: given.title,
          body: given.text,
          unitId: unit.id,
          policyIds,
          authorSubject: subjectOf(ctx.viewer),
          publishedAt: ctx.now(),
          headTerms: tsvectorOf(given.title),
          bodyTerms: tsvectorOf(given.title, given.text),
        }),
      // Published once, never changed: the row is its own record.
      record: async () => undefined,
    },
  );
}
