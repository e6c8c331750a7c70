/**
 * 好差评: a review submitted by anyone (the public without signing in, within the limits every
 * public write has), then — a bad one — answered, rectified and followed up by the reviewed unit,
 * appealed once and decided by the command office; and reading reviews and a unit's figures. Each
 * step changes the review through the kit's one way (platform/change.ts): locked, hidden from whoever
 * may not read it, authorized on the locked review in its state, its status written and the step
 * appended as evidence (`review_actions`, append-only) — the kept figures follow by trigger.
 */
import DataLoader from 'dataloader';
import { beijingDate } from '../../../platform/calendar.ts';
import { changeRow, createRow } from '../../../platform/change.ts';
import { emit } from '../../../platform/outbox.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { decodeInstantCursor, exactCountLimit, pageSize, toConnection } from '../../../platform/pagination.ts';
import { period as periodOf } from '../../../platform/periods.ts';
import { limitWindows, refuseOverLimit } from '../../../platform/write-limits.ts';
import { sqlState, SqlState, type Queryable } from '../../../db/client.ts';
import type { EvaluationsContext } from '../context.ts';
import { isBad, LEVEL_SCORES, REVIEW_LIMIT, reviewDues } from '../deadlines.ts';
import { reviewNotice } from '../notices.ts';
import * as input from '../input.ts';
import { keptByItself, REVIEW, reviewRow } from '../rows.ts';
import type { AppealState } from '../rules.ts';
import type {
  MutationAnswerServiceReviewArgs,
  MutationAppealServiceReviewArgs,
  MutationDecideReviewAppealArgs,
  MutationRecordReviewFollowUpArgs,
  MutationRectifyServiceReviewArgs,
  MutationSubmitServiceReviewArgs,
  QueryServiceReviewsArgs,
  ReviewSource,
  UnitReviewStatsArgs,
} from '../schema-types.ts';
import { emptyReviewFigures, evaluationsOutbox, reviewActionStore, reviewStore, type ReviewActionRow, type ReviewRow } from '../store.ts';
import type { ReviewStatsView } from '../views.ts';

/** `submitServiceReview`: anyone, never of their own unit; a retry with the same `clientRequestId` returns the review it made. */
export async function submitServiceReview(ctx: EvaluationsContext, args: MutationSubmitServiceReviewArgs): Promise<ReviewRow> {
  const data = parseInput(input.submitReviewInput, args.input, 'input');
  const unit = await ctx.directory.unit(data.unitId);
  if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
  await ctx.access.prepare();
  await ctx.access.assertSubmitReview(data.unitId);
  const reviewerKey = ctx.access.reviewerKey();
  const at = ctx.now();
  const dues = reviewDues(await ctx.calendar.current(), ctx.officeHours, at, data.level);
  try {
    return await createRow(
      ctx.db,
      { noun: REVIEW },
      {
        authorize: () => ctx.access.assertSubmitReview(data.unitId),
        async write(tx) {
          // Retries of one review queue on the reviewer: the first writes it, the others read what it wrote.
          await reviewStore.lockReviewer(tx, reviewerKey);
          const earlier = await reviewStore.byRequest(tx, reviewerKey, data.clientRequestId);
          if (earlier) {
            if (earlier.unitId !== data.unitId || earlier.level !== data.level || earlier.serviceItem !== data.serviceItem) {
              throw errors.conflict(
                { zh: '该 clientRequestId 已用于另一条评价', en: 'This clientRequestId was used for another review' },
                { field: 'input.clientRequestId' },
              );
            }
            return earlier;
          }
          const { hourAgo, dayStart } = limitWindows(at);
          const counts = await reviewStore.recentCounts(tx, reviewerKey, data.unitId, hourAgo, dayStart);
          refuseOverLimit(REVIEW_LIMIT, { targetToday: counts.unitToday, lastHour: counts.lastHour }, at);
          const review = await reviewStore.insert(tx, {
            unitId: data.unitId,
            serviceItem: data.serviceItem,
            channel: data.channel,
            level: data.level,
            comment: data.comment,
            reviewerKind: ctx.access.reviewerKind(),
            reviewerSubject: ctx.viewer.subject,
            reviewerKey,
            clientRequestId: data.clientRequestId,
            reviewedAt: at,
            ...dues,
            status: isBad(data.level) ? 'AWAITING_ANSWER' : 'NO_ACTION',
            sample: ctx.sample,
          });
          // A poor review tells the reviewed unit (notices.ts), committed with the review or not at all.
          const notice = reviewNotice(review);
          if (notice) await emit(tx, evaluationsOutbox, notice, at);
          return review;
        },
        record: keptByItself,
      },
    );
  } catch (error) {
    // Two replicas racing on the same retry: the lock makes it rare, the unique index makes it safe.
    if (sqlState(error) === SqlState.UNIQUE_VIOLATION) {
      const earlier = await reviewStore.byRequest(ctx.db, reviewerKey, data.clientRequestId);
      if (earlier) return earlier;
    }
    throw error;
  }
}

/** One step of a review: authorized on the locked review, its status written, the step appended. */
interface ReviewStep {
  authorize(review: ReviewRow, tx: Queryable): Promise<void>;
  write(tx: Queryable, review: ReviewRow): Promise<ReviewRow>;
  /** The step as evidence (`review_actions`); undefined when it was recorded already (once-only steps). */
  record(tx: Queryable, review: ReviewRow): Promise<ReviewActionRow | undefined>;
}

async function stepReview(ctx: EvaluationsContext, id: string, step: ReviewStep): Promise<ReviewRow> {
  const reviewId = parseInput(input.reviewId, id, 'id');
  // Nobody in particular may read no review: asked to sign in, not told whether it exists.
  ctx.access.assertSignedIn();
  await ctx.access.prepare();
  // A year entered since the review's limits were counted is settled first: the step is judged on the final limit.
  await ctx.calendar.current();
  return changeRow(ctx.db, reviewRow(ctx), {
    key: reviewId,
    authorize: step.authorize,
    write: step.write,
    record: (tx, review) => step.record(tx, review),
  });
}

const lateAt = (due: Date | null, at: Date) => due !== null && at.getTime() > due.getTime();
const bySubject = (ctx: EvaluationsContext) => present(ctx.viewer.subject, 'the subject of a caller allowed to act on a review');

/**
 * A step the reviewed unit takes within a working-day limit: its text kept as an action, judged late
 * against the review's own due time for that step (provisional while the year is missing).
 */
function unitStep(
  ctx: EvaluationsContext,
  id: string,
  step: {
    action: 'answerServiceReview' | 'rectifyServiceReview';
    next: 'AWAITING_RECTIFICATION' | 'AWAITING_FOLLOW_UP';
    kind: 'ANSWER' | 'RECTIFY';
    text: string;
    dueAt: (review: ReviewRow) => Date | null;
  },
): Promise<ReviewRow> {
  return stepReview(ctx, id, {
    authorize: (review) => ctx.access.assertReview(step.action, review),
    write: (tx, review) => reviewStore.setStatus(tx, review.id, { status: step.next }),
    record(tx, review) {
      const at = ctx.now();
      return reviewActionStore.insert(tx, {
        reviewId: review.id,
        kind: step.kind,
        text: step.text,
        at,
        late: lateAt(step.dueAt(review), at),
        lateProvisional: review.pendingCalendarYear !== null,
        bySubject: bySubject(ctx),
        byUnitId: ctx.viewer.unitId,
      });
    },
  });
}

/** `answerServiceReview`: the reviewed unit answers a bad review (late after its limit). */
export async function answerServiceReview(ctx: EvaluationsContext, args: MutationAnswerServiceReviewArgs): Promise<ReviewRow> {
  const text = parseInput(input.answerText, args.answer, 'answer');
  return unitStep(ctx, args.id, {
    action: 'answerServiceReview',
    next: 'AWAITING_RECTIFICATION',
    kind: 'ANSWER',
    text,
    dueAt: (review) => review.answerDueAt,
  });
}

/** `rectifyServiceReview`: the unit's measures (late after its limit). */
export async function rectifyServiceReview(ctx: EvaluationsContext, args: MutationRectifyServiceReviewArgs): Promise<ReviewRow> {
  const text = parseInput(input.measuresText, args.measures, 'measures');
  return unitStep(ctx, args.id, {
    action: 'rectifyServiceReview',
    next: 'AWAITING_FOLLOW_UP',
    kind: 'RECTIFY',
    text,
    dueAt: (review) => review.rectifyDueAt,
  });
}

/** `recordReviewFollowUp`: whether the reviewer was reached, and how satisfied they are now. */
export async function recordReviewFollowUp(ctx: EvaluationsContext, args: MutationRecordReviewFollowUpArgs): Promise<ReviewRow> {
  const data = parseInput(input.followUpInput, args.input, 'input');
  return stepReview(ctx, args.id, {
    authorize: (review) => ctx.access.assertReview('recordReviewFollowUp', review),
    write: (tx, review) => reviewStore.setStatus(tx, review.id, { status: 'DONE' }),
    record: (tx, review) =>
      reviewActionStore.insert(tx, {
        reviewId: review.id,
        kind: 'FOLLOW_UP',
        text: data.note,
        at: ctx.now(),
        reached: data.reached,
        level: data.level ?? null,
        bySubject: bySubject(ctx),
        byUnitId: ctx.viewer.unitId,
      }),
  });
}

/** The state of a review's appeal, from its flags and its recorded steps. */
async function appealState(tx: Queryable, review: ReviewRow): Promise<AppealState> {
  if (review.appealPending) return 'PENDING';
  const actions = await reviewActionStore.byReviewIds(tx, [review.id]);
  return actions.some((a) => a.kind === 'APPEAL') ? 'DECIDED' : 'NONE';
}

/** `appealServiceReview`: the reviewed unit appeals a bad review, once. */
export async function appealServiceReview(ctx: EvaluationsContext, args: MutationAppealServiceReviewArgs): Promise<ReviewRow> {
  const reason = parseInput(input.appealReason, args.reason, 'reason');
  return stepReview(ctx, args.id, {
    authorize: async (review, tx) => ctx.access.assertAppeal('appealServiceReview', review, await appealState(tx, review)),
    write(tx, review) {
      if (!isBad(review.level))
        throw errors.invalidTransition({ zh: '只有差评可以申诉', en: 'Only a bad review can be appealed' }, review.status);
      return reviewStore.setStatus(tx, review.id, { appealPending: true });
    },
    async record(tx, review) {
      const recorded = await reviewActionStore.insert(tx, {
        reviewId: review.id,
        kind: 'APPEAL',
        text: reason,
        at: ctx.now(),
        bySubject: bySubject(ctx),
        byUnitId: ctx.viewer.unitId,
      });
      if (!recorded) throw errors.conflict({ zh: '该评价已申诉过', en: 'The review was already appealed' });
      return recorded;
    },
  });
}

/** `decideReviewAppeal`: upheld, the review is EXCLUDED from the figures (and kept). */
export async function decideReviewAppeal(ctx: EvaluationsContext, args: MutationDecideReviewAppealArgs): Promise<ReviewRow> {
  const reason = parseInput(input.decisionReason, args.reason, 'reason');
  const { decision } = args;
  return stepReview(ctx, args.id, {
    authorize: async (review, tx) => ctx.access.assertAppeal('decideReviewAppeal', review, await appealState(tx, review)),
    write: (tx, review) =>
      reviewStore.setStatus(tx, review.id, decision === 'UPHELD' ? { appealPending: false, status: 'EXCLUDED' } : { appealPending: false }),
    record: (tx, review) =>
      reviewActionStore.insert(tx, {
        reviewId: review.id,
        kind: 'APPEAL_DECISION',
        text: reason,
        at: ctx.now(),
        decision,
        bySubject: bySubject(ctx),
        byUnitId: ctx.viewer.unitId,
      }),
  });
}

// ───────────── reads ─────────────

/** `serviceReviews`: of the units the caller may read, newest first. */
export async function serviceReviews(ctx: EvaluationsContext, { filter, first, after }: QueryServiceReviewsArgs) {
  const period = periodOf(filter?.period);
  const scope = await ctx.access.reviewScope();
  await ctx.calendar.current();
  const size = pageSize(first, ctx.maxPageSize);
  const cursor = after ? decodeInstantCursor(after, 'uuid') : null;
  let unitIds: string[] | null = null;
  if (filter?.unitId) unitIds = [parseInput(input.reviewId, filter.unitId, 'filter.unitId')];
  if (filter?.domainCode) {
    const inDomain = (await ctx.directory.current()).unitsOfDomain(filter.domainCode).map((u) => u.id);
    unitIds = unitIds ? unitIds.filter((id) => inDomain.includes(id)) : inDomain;
  }
  const { rows, count } = await reviewStore.page(
    ctx.db,
    scope,
    { unitIds, bad: filter?.bad, overdue: filter?.overdue, status: filter?.status, period },
    ctx.now(),
    cursor,
    size,
    exactCountLimit(ctx),
  );
  for (const row of rows) ctx.loaders.reviewById.prime(row.id, row);
  return toConnection(rows, size, (row) => [row.reviewedAt.toISOString(), row.id], count);
}

export const actions = (ctx: EvaluationsContext, review: ReviewRow) => ctx.loaders.actionsByReview.load(review.id);

export const score = (review: ReviewRow) => LEVEL_SCORES[review.level];

/** Whether the review waits past its limit now for an answer or a rectification. */
export function overdue(ctx: EvaluationsContext, review: ReviewRow): boolean {
  const at = ctx.now().getTime();
  if (review.status === 'AWAITING_ANSWER') return review.answerDueAt !== null && review.answerDueAt.getTime() < at;
  if (review.status === 'AWAITING_RECTIFICATION') return review.rectifyDueAt !== null && review.rectifyDueAt.getTime() < at;
  return false;
}

/** `Unit.reviewStats`: FORBIDDEN rather than a silent zero for those who may not read them. */
export async function unitReviewStats(ctx: EvaluationsContext, unitId: string, args: UnitReviewStatsArgs): Promise<ReviewStatsView> {
  const period = periodOf(args.period);
  await ctx.access.assertReadUnitFigures(unitId);
  const figures = (await ctx.loaders.reviewStats.load({ kind: 'unit', key: unitId, period })) ?? emptyReviewFigures;
  return { ...figures, unitId, period };
}

/** The other slices' ratings of the unit's work: every unit of the request in one call to each slice, per period. */
export async function otherReviewSources(
  ctx: EvaluationsContext,
  stats: ReviewStatsView,
): Promise<{ source: ReviewSource; count: number; satisfactionRate: number | null }[]> {
  const dates = stats.period ? { from: beijingDate(stats.period.from), to: beijingDate(stats.period.to) } : null;
  const key = dates ? `${dates.from}/${dates.to}` : 'all';
  let loader = ctx.ratings.get(key);
  if (!loader) {
    loader = new DataLoader(async (unitIds) => {
      const found = await ctx.figures.ratings(unitIds, dates);
      return unitIds.map(
        (id) => found.get(id) ?? { issues: { count: 0, satisfactionRate: null }, policies: { count: 0, satisfactionRate: null } },
      );
    });
    ctx.ratings.set(key, loader);
  }
  const { issues, policies } = await loader.load(stats.unitId);
  return [
    { source: 'ISSUE_HANDLING', ...issues },
    { source: 'POLICY_APPLICATIONS', ...policies },
  ];
}
