/**
 * What callers read of the loop: one issue, lists (filtered, searched, paged), deadline alerts,
 * published cases, supervision outcomes, and an issue's deadlines, history, ratings and records.
 * Every read is scoped by access.ts: an issue a caller may not see does not exist for it, and
 * naming a unit or domain it may not read is FORBIDDEN, never a silent empty list.
 */
import { beijingMidnight, beijingDate } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import {
  countBeside,
  decodeCursor,
  decodeInstantCursor,
  encodeCursor,
  exactCountLimit,
  pageSize,
  toConnection,
  type PageArgs,
} from '../../../platform/pagination.ts';
import { parseSearch, searchVocabulary } from '../../../platform/search-text.ts';
import vocabularyData from '../../../db/reference/search-vocabulary.json' with { type: 'json' };
import { canSee } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { issueFilter, unitId as unitIdInput } from '../input.ts';
import type { IssueFilter, QueryIssueAlertsArgs, QueryIssueArgs, QueryIssuesArgs, QuerySupervisionOutcomesArgs } from '../schema-types.ts';
import {
  calendarStore,
  deadlineStore,
  issueStore,
  outcomeStore,
  type IssueListFilter,
  type IssueListRow,
  type IssueRow,
  type SearchTier,
} from '../store.ts';
import { requireDistrict } from './lookups.ts';

/** How a search reads a query: the shared vocabulary (synonyms, terms, optional and question words). */
const vocabulary = searchVocabulary(vocabularyData);

/** A searched list's cursor as this API writes it: [tier, instant, id]. */
function decodeSearchCursor(cursor: string): { tier: SearchTier; at: Date; id: string } {
  const [tier, at, id] = decodeCursor(cursor, 3);
  if (tier === 'TITLE' || tier === 'TEXT') return { tier, ...decodeInstantCursor(encodeCursor([at, id]), 'uuid') };
  throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
}

/** `issue`: one the caller may see; null otherwise (and for an id that is not one). */
export async function issue(ctx: IssuesContext, { id }: QueryIssueArgs): Promise<IssueRow | null> {
  ctx.access.assertSignedIn();
  if (!isUuid(id)) return null;
  return visibleIssue(ctx, id.toLowerCase());
}

/** An issue another field points to (a merge's original, an outcome's issue), when the caller may see it. */
export async function visibleIssue(ctx: IssuesContext, id: string | null): Promise<IssueRow | null> {
  if (!id) return null;
  const row = await ctx.loaders.issueById.load(id);
  return row && canSee(await ctx.access.scope(), row) ? row : null;
}

/** The original of a merged duplicate, for its status and resolution only (reporters follow it). */
export const originalOf = (ctx: IssuesContext, row: IssueRow) =>
  row.mergedIntoId ? ctx.loaders.issueById.load(row.mergedIntoId) : Promise.resolve(null);

/**
 * A unit with the name this slice provides for it (schema: `@provides(fields: "name")`), from the
 * directory this request reads; a unit the copy does not know yet is fetched by itself.
 */
export async function unitWithName(ctx: IssuesContext, id: string | null): Promise<{ id: string; name: string } | null> {
  if (!id) return null;
  const unit = (await ctx.access.directory()).unit(id) ?? (await ctx.directory.unit(id));
  if (!unit) throw errors.serviceUnavailable({ zh: `单位目录中没有单位 ${id}`, en: `The unit directory has no unit ${id}` });
  return { id, name: unit.name };
}

/**
 * A unit's name anywhere a caller of this subgraph asks it (the field is the units slice's, and the
 * gateway asks it here only under `@provides`): from the directory copy, NOT_FOUND for an id the
 * organisation lacks — never a null in a non-null field, which was an internal error.
 */
export async function unitName(ctx: IssuesContext, id: string): Promise<string> {
  const unit = (await ctx.access.directory()).unit(id) ?? (await ctx.directory.unit(id));
  if (!unit) throw errors.notFound({ zh: '单位', en: 'Unit' }, id);
  return unit.name;
}

/** A list's filter as the store takes it: named units and domains checked (and readable), the search parsed. */
async function listFilter(ctx: IssuesContext, raw: IssueFilter | null | undefined): Promise<IssueListFilter> {
  const { domainCode, text, ...filter } = parseInput(issueFilter, raw ?? {});
  if (filter.unitId) {
    // An unknown unit is a mistake to name; a unit the caller may not read is refused, never an empty list.
    if (!(await ctx.directory.unit(filter.unitId)))
      throw errors.badInput('unitId', { zh: `单位不存在：${filter.unitId}`, en: `No such unit: ${filter.unitId}` });
    await ctx.access.assertReadsUnit(filter.unitId);
  }
  if (filter.districtCode) await requireDistrict(ctx, filter.districtCode);
  const result: IssueListFilter = filter;
  if (text) {
    const search = parseSearch(text, vocabulary);
    if (!search)
      throw errors.badInput('text', {
        zh: '搜索词须包含汉字、字母或数字',
        en: 'The search text needs letters, digits or Chinese characters',
      });
    result.search = search;
  }
  if (domainCode) {
    const dir = await ctx.access.directory();
    if (!dir.domains.includes(domainCode))
      throw errors.badInput('domainCode', { zh: `重点领域不存在：${domainCode}`, en: `No such domain: ${domainCode}` });
    await ctx.access.assertReadsDomain(domainCode);
    result.unitIds = dir.unitsOfDomain(domainCode).map((u) => u.id);
  }
  return result;
}

/** `issues` (and `Unit.issues`, with the unit in the filter): the caller's scope, filtered, newest first. */
export async function issues(ctx: IssuesContext, { filter }: Pick<QueryIssuesArgs, 'filter'>, page: PageArgs) {
  ctx.access.assertSignedIn();
  const size = pageSize(page.first, ctx.maxPageSize);
  const query = { scope: await ctx.access.scope(), filter: await listFilter(ctx, filter), now: ctx.now() };
  // A search's cursor also says which tier the page continues in (title matches come first).
  const cursor = page.after
    ? query.filter.search
      ? decodeSearchCursor(page.after)
      : { ...decodeInstantCursor(page.after, 'uuid'), tier: undefined }
    : null;
  const count = countBeside(page.counted, () => issueStore.count(ctx.db, query, exactCountLimit(ctx)));
  const rows = await issueStore.page(ctx.db, query, size + 1, cursor && { tier: cursor.tier, receivedAt: cursor.at, id: cursor.id });
  for (const row of rows) ctx.loaders.issueById.prime(row.id, row);
  const key = (row: IssueListRow) =>
    row.searchTier ? [row.searchTier, row.receivedAt.toISOString(), row.id] : [row.receivedAt.toISOString(), row.id];
  return toConnection(rows, size, key, count, cursor !== null);
}

/** `issueAlerts` (and `Unit.issueAlerts`): deadlines near or past due, soonest first. */
export async function alerts(ctx: IssuesContext, { unitId }: Pick<QueryIssueAlertsArgs, 'unitId'>, page: PageArgs) {
  ctx.access.assertSignedIn();
  const size = pageSize(page.first, ctx.maxPageSize);
  const cursor = page.after ? decodeInstantCursor(page.after, 'serial') : null;
  const unit = unitId ? present(parseInput(issueFilter.shape.unitId, unitId, 'unitId'), 'a unit id given') : null;
  if (unit) await ctx.access.assertReadsUnit(unit);
  const query = { scope: await ctx.access.scope(), unitId: unit, now: ctx.now() };
  const count = countBeside(page.counted, () => deadlineStore.alertsCount(ctx.db, query, exactCountLimit(ctx)));
  const rows = await deadlineStore.alertsPage(ctx.db, query, size + 1, cursor && { dueAt: cursor.at, id: cursor.id });
  for (const row of rows) ctx.loaders.issueById.prime(row.issue.id, row.issue);
  const key = (row: (typeof rows)[number]) => [present(row.deadline.dueAt, 'the due time of an alert').toISOString(), row.deadline.id];
  return toConnection(rows, size, key, count, cursor !== null);
}

/** `publishedCases`: public, anonymised. */
export async function publishedCases(ctx: IssuesContext, page: PageArgs) {
  const size = pageSize(page.first, ctx.maxPageSize);
  const cursor = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const count = countBeside(page.counted, () => issueStore.publishedCount(ctx.db, exactCountLimit(ctx)));
  const rows = await issueStore.publishedPage(ctx.db, size + 1, cursor && { publishedAt: cursor.at, id: cursor.id });
  const key = (row: IssueRow) => [present(row.publishedAt, 'the publication time of a published case').toISOString(), row.id];
  return toConnection(rows, size, key, count, cursor !== null);
}

/** `supervisionOutcomes` (and `Unit.supervisionOutcomes`): for government only. */
export async function supervisionOutcomes(ctx: IssuesContext, { unitId }: Pick<QuerySupervisionOutcomesArgs, 'unitId'>, page: PageArgs) {
  ctx.access.assertSignedIn();
  const scope = await ctx.access.outcomeScope();
  const unit = unitId ? parseInput(unitIdInput, unitId, 'unitId') : null;
  if (unit) await ctx.access.assertReadsUnit(unit);
  const size = pageSize(page.first, ctx.maxPageSize);
  // The cursor is (the decision day's first instant, id): an instant cursor the platform checks.
  const cursor = page.after ? decodeInstantCursor(page.after, 'serial') : null;
  const after = cursor && { decidedOn: beijingDate(cursor.at), id: cursor.id };
  const count = countBeside(page.counted, () => outcomeStore.count(ctx.db, scope, unit, exactCountLimit(ctx)));
  const rows = await outcomeStore.page(ctx.db, scope, unit, size + 1, after);
  return toConnection(rows, size, (row) => [beijingMidnight(row.decidedOn).toISOString(), row.id], count, after !== null);
}

export const deadlines = (ctx: IssuesContext, issueId: string) => ctx.loaders.deadlinesByIssue.load(issueId);
export const history = (ctx: IssuesContext, issueId: string) => ctx.loaders.eventsByIssue.load(issueId);
export const ratings = (ctx: IssuesContext, issueId: string) => ctx.loaders.ratingsByIssue.load(issueId);

/** The command office's call-backs: internal records, for government only. */
export const followUps = async (ctx: IssuesContext, issueId: string) =>
  ctx.access.canSeeInternal() ? ctx.loaders.followUpsByIssue.load(issueId) : [];

/** An issue's supervision outcomes: internal records, for government only. */
export const issueOutcomes = async (ctx: IssuesContext, issueId: string) =>
  ctx.access.canSeeInternal() ? ctx.loaders.outcomesByIssue.load(issueId) : [];

/** `calendarYears`: the working-day calendar as entered. */
export const calendarYears = (ctx: IssuesContext) => calendarStore.all(ctx.db);
