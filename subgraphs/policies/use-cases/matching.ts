/**
 * 政策计算器 and notices: the items an enterprise fits (fewest criteria missing first, each criterion
 * with its reason), and the notices it was sent when an item it fits was published. Whether this
 * caller may see the enterprise is the units slice's to say (its profile is asked with their token).
 */
import { errors } from '../../../platform/errors.ts';
import { present } from '../../../platform/invariant.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import {
  countBeside,
  exactCountLimit,
  decodeCursor,
  decodeIntegerCursor,
  pageSize,
  toConnection,
  type PageArgs,
} from '../../../platform/pagination.ts';
import type { PoliciesContext } from '../context.ts';
import { evaluate, fullYears, unmetCount } from '../eligibility.ts';
import * as input from '../input.ts';
import { itemStore, noticeStore, type MatchCursor } from '../store.ts';
import { criteriaOf, requireProfile } from './checks.ts';

/** The cursor of a match list: [criteria missing (0 or 1), sort instant, id]. */
function decodeMatchCursor(cursor: string): MatchCursor {
  const [missing, sortAt, id] = decodeCursor(cursor, 3);
  if (
    (missing !== 0 && missing !== 1) ||
    typeof sortAt !== 'string' ||
    Number.isNaN(Date.parse(sortAt)) ||
    typeof id !== 'string' ||
    !isUuid(id)
  ) {
    throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
  }
  return { missing, sortAt, id };
}

/** `policyMatches`: the published items an enterprise fits or nearly fits (one criterion missing). */
export async function policyMatches(ctx: PoliciesContext, creditCode: string, page: PageArgs) {
  ctx.access.assertSignedIn();
  const code = parseInput(input.enterpriseCode, creditCode, 'creditCode');
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeMatchCursor(page.after) : null;
  // The units slice decides whether this caller may see this enterprise.
  const profile = await requireProfile(ctx, code);
  const day = ctx.today();
  const params = {
    industryCode: profile.industryCode,
    sizeClass: profile.sizeClass,
    districtCode: profile.districtCode,
    years: profile.registeredOn ? fullYears(profile.registeredOn, day) : null,
    qualifications: profile.qualifications,
  };
  // The page and, when asked, the count: one statement, each item's criteria judged once.
  const { hits, total } = await itemStore.matchPage(ctx.db, params, day, size + 1, after, page.counted === true);
  const count = total !== null ? async () => total : () => itemStore.matchCount(ctx.db, params, day, exactCountLimit(ctx));
  const rows = new Map(
    (
      await itemStore.byIds(
        ctx.db,
        hits.map((hit) => hit.id),
      )
    ).map((row) => [row.id, row]),
  );
  const nodes = hits.map((hit) => {
    const item = present(rows.get(hit.id), 'a matched item, read by its id');
    ctx.loaders.itemById.prime(item.id, item);
    const results = evaluate(criteriaOf(item), profile, day);
    return { item, results, missing: unmetCount(results) };
  });
  return toConnection(nodes, size, (node) => [node.missing, node.item.sortAt.toISOString(), node.item.id], count, after !== null);
}

/** `Enterprise.policyNotices`: an enterprise's notices, as far as this caller may see them. */
export async function enterpriseNotices(ctx: PoliciesContext, creditCode: string, page: PageArgs) {
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeIntegerCursor(page.after) : null;
  const scope = await ctx.access.noticeScope();
  const count = countBeside(page.counted, () => noticeStore.count(ctx.db, creditCode, scope, exactCountLimit(ctx)));
  const rows = await noticeStore.page(ctx.db, creditCode, scope, size + 1, after);
  return toConnection(rows, size, (row) => [row.id], count, after !== null);
}
