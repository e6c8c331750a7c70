/**
 * Reading applications: lists and one by id as access.ts scopes them (the command office all, a
 * unit those of the items it reviews or issued, an enterprise its own), the running public notices
 * (public), and what an application shows: objections (who objected only to the reviewing unit and
 * the command office), its review, its steps with the working days between them, and the limits
 * judged at them. Limits are read once the calendar copy is current (`limitsUpToDate`).
 */
import { isUuid, parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { PoliciesContext } from '../context.ts';
import { workingDaysBetween } from '../deadlines.ts';
import * as input from '../input.ts';
import type { QueryApplicationArgs, QueryApplicationsArgs, QueryPublicNoticesArgs } from '../schema-types.ts';
import { applicationStore, type ApplicationRow, type ObjectionRow, type StepNode } from '../store.ts';

/** `applications` (and `Enterprise.applications`: one enterprise's): newest first, as this caller may see them. */
export async function applications(
  ctx: PoliciesContext,
  { filter: rawFilter }: QueryApplicationsArgs,
  page: PageArgs,
  enterpriseCreditCode?: string,
) {
  ctx.access.assertSignedIn();
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const filter = parseInput(input.applicationFilter, rawFilter ?? {});
  await ctx.limitsUpToDate();
  const query = {
    ...filter,
    statuses: filter.status,
    enterpriseCreditCode: enterpriseCreditCode ?? filter.enterpriseCreditCode,
    scope: await ctx.access.applicationScope(),
    now: ctx.now(),
  };
  const count = countBeside(page.counted, () => applicationStore.count(ctx.db, query, exactCountLimit(ctx)));
  const rows = await applicationStore.page(ctx.db, query, size + 1, after);
  for (const row of rows) ctx.loaders.applicationById.prime(row.id, row);
  return toConnection(rows, size, (row) => [row.enteredAt.toISOString(), row.id], count, after !== null);
}

/** `application`: one, if this caller may see it. */
export async function application(ctx: PoliciesContext, { id }: QueryApplicationArgs): Promise<ApplicationRow | null> {
  ctx.access.assertSignedIn();
  if (!isUuid(id)) return null;
  await ctx.limitsUpToDate();
  const row = await ctx.loaders.applicationById.load(id.toLowerCase());
  return row && (await ctx.access.canSeeApplication(row)) ? row : null;
}

/** The application a review names, if this caller may see it. */
export async function visibleApplication(ctx: PoliciesContext, id: string): Promise<ApplicationRow | null> {
  const row = await ctx.loaders.applicationById.load(id);
  return row && (await ctx.access.canSeeApplication(row)) ? row : null;
}

/** `publicNotices`: the grants on public notice now (of one item, or all), ending soonest first. */
export async function publicNotices(ctx: PoliciesContext, { itemId }: QueryPublicNoticesArgs, page: PageArgs) {
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const itemKey = itemId ? parseInput(input.itemId, itemId, 'itemId') : null;
  await ctx.limitsUpToDate();
  const at = ctx.now();
  const count = countBeside(page.counted, () => applicationStore.publicNoticeCount(ctx.db, at, itemKey, exactCountLimit(ctx)));
  const rows = await applicationStore.publicNoticePage(ctx.db, at, itemKey, size + 1, after);
  return toConnection(
    rows,
    size,
    (row) => [present(row.noticeEndsAt, 'the end of a running notice').toISOString(), row.id],
    count,
    after !== null,
  );
}

/** An application's objections; who objected and how to reach them only for the reviewing unit and the command office. */
export async function objectionsOf(ctx: PoliciesContext, row: ApplicationRow): Promise<ObjectionRow[]> {
  const list = await ctx.loaders.objectionsByApplication.load(row.id);
  const full = await ctx.access.canSeeObjector(row);
  return list.map((objection) => (full ? objection : { ...objection, contact: null, objectorSubject: null }));
}

export const reviewOf = (ctx: PoliciesContext, row: ApplicationRow) => ctx.loaders.reviewByApplication.load(row.id);

/** An objection's application, whose notice's end its answer is due at. */
export const objectionApplication = async (ctx: PoliciesContext, applicationId: string): Promise<ApplicationRow> =>
  present(await ctx.loaders.applicationById.load(applicationId), "an objection's application");

/** Every step of an application, with the working days since the step before and the limits it ended, judged. */
export async function stepsOf(ctx: PoliciesContext, row: ApplicationRow): Promise<StepNode[]> {
  const [events, judged] = await Promise.all([ctx.loaders.eventsByApplication.load(row.id), ctx.loaders.limitsByApplication.load(row.id)]);
  const cal = await ctx.calendar.current();
  return events.map((event, i) => {
    const limits = judged.filter((limit) => limit.eventId === event.id);
    const before = events[i - 1];
    if (!before) return { ...event, workingDays: null, limits };
    // A step's count is shown once final: null while the calendar lacks a year between the steps.
    const count = workingDaysBetween(cal, before.at, event.at);
    return { ...event, workingDays: count.pendingCalendarYear === null ? count.days : null, limits };
  });
}

/** Whether a step of the application ended a limit late (kept at that step, never erased). */
export const lateOf = async (ctx: PoliciesContext, row: ApplicationRow) =>
  (await ctx.loaders.limitsByApplication.load(row.id)).some((limit) => limit.late);

/** Whether the payment was judged late (paid after its limit); false until paid. */
export const paymentLate = async (ctx: PoliciesContext, row: ApplicationRow) =>
  (await ctx.loaders.limitsByApplication.load(row.id)).some((limit) => limit.kind === 'PAYMENT' && limit.late);

/** Whether the objection was answered — or set aside by a mark — after the notice ended; null while neither. */
export async function objectionLate(
  ctx: PoliciesContext,
  objection: { id: string; applicationId: string; answeredAt: Date | null; mark: { markedAt: Date } | null },
): Promise<boolean | null> {
  if (!objection.answeredAt && !objection.mark) return null;
  const judged = (await ctx.loaders.limitsByApplication.load(objection.applicationId)).find((limit) => limit.objectionId === objection.id);
  return judged?.late ?? false;
}
