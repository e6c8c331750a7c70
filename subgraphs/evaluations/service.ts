/**
 * The evaluations slice's use cases: parse what the caller sent (input.ts), ask whether they may
 * (access.ts), then read or write through the store. Resolvers call only this; this is the only
 * caller of the store.
 *
 * Every change runs in one transaction that locks the contest or review, asks the access module
 * whether this caller may take this action in its current state, and writes the change with its
 * record — so of two people acting at once exactly one wins, and nothing is ever rewritten. What
 * other slices must say (the unit directory, the working-day calendar) is asked before the
 * transaction, never inside it.
 */
import type { Viewer } from '../../platform/auth.ts';
import { beijingDate, beijingMidnight, endOfBeijingDay } from '../../platform/calendar.ts';
import type { CalendarSource } from '../../platform/calendar-source.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { errors } from '../../platform/errors.ts';
import { isUuid, parseInput } from '../../platform/input.ts';
import { decodeCursor, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../platform/pagination.ts';
import { isValidDate } from '../../platform/scalars.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import { sqlState, SqlState, type Db } from '../../db/client.ts';
import { createEvaluationsAccess } from './access.ts';
import * as input from './input.ts';
import { isBad, LEVEL_SCORES, REVIEWS_PER_HOUR, REVIEWS_PER_UNIT_PER_DAY, reviewDues, type ReviewLevel } from './limits.ts';
import type { EvaluationsLoaders } from './loaders.ts';
import type { AppealState } from './rules.ts';
import { rank, type RankedEntry } from './scoring.ts';
import {
  contestStore,
  emptyReviewFigures,
  entryStore,
  judgeStore,
  resultStore,
  reviewActionStore,
  reviewStore,
  scoreStore,
  type ContestRow,
  type EntryRow,
  type Period,
  type ReviewFigures,
  type ReviewRow,
} from './store.ts';

export interface Context extends RequestContext {
  evaluations: EvaluationsService;
}

export type EvaluationsService = ReturnType<typeof createEvaluationsService>;

const CONTEST = { zh: '擂台比武', en: 'Contest' };
const REVIEW = { zh: '评价', en: 'Review' };

export interface RankingRow extends RankedEntry {
  entry: EntryRow;
}

export function createEvaluationsService(deps: {
  db: Db;
  viewer: Viewer;
  clientAddress?: string;
  loaders: EvaluationsLoaders;
  directory: DirectorySource;
  calendar: CalendarSource;
  now: () => Date;
  maxPageSize: number;
  /** Sample data is played through this service with this set: what it creates is flagged `sample`. */
  sample?: boolean;
}) {
  const { db, viewer, loaders, directory, now } = deps;
  const access = createEvaluationsAccess(viewer, directory, deps.clientAddress);

  const conflict = () => errors.conflict({ zh: '已被他人修改，请刷新后重试', en: 'Changed by someone else; reload and try again' });

  /** The caller's standing extras on a contest: whether they judge it, which units entered. */
  async function contestExtras(contest: ContestRow) {
    const [judges, entries] = await Promise.all([loaders.judgesByContest.load(contest.id), loaders.entriesByContest.load(contest.id)]);
    return {
      judge: Boolean(viewer.subject && judges.some((j) => j.subject === viewer.subject)),
      entrantUnitIds: entries.map((e) => e.unitId).filter((id): id is string => id !== null),
    };
  }

  async function visibleContest(id: string): Promise<{ contest: ContestRow; view: { ranking: boolean; judges: boolean } } | null> {
    if (!isUuid(id)) return null;
    const contest = await loaders.contestById.load(id.toLowerCase());
    if (!contest) return null;
    const view = await access.contestView(contest, await contestExtras(contest));
    return view ? { contest, view } : null;
  }

  /** A contest action in one transaction: lock it, ask, act. Reads for the access check are fresh, inside the lock. */
  async function onContest<T>(id: string, action: Parameters<typeof access.mayActOnContest>[0], act: (tx: Db, contest: ContestRow) => Promise<T>): Promise<T> {
    const contestId = parseInput(input.contestId, id, 'contestId');
    await access.prepare();
    return db.transaction(async (tx) => {
      const contest = await contestStore.get(tx, contestId, true);
      if (!contest) throw errors.notFound(CONTEST, contestId);
      const [judges, entries] = await Promise.all([judgeStore.byContestIds(tx, [contestId]), entryStore.byContestIds(tx, [contestId])]);
      const extras = {
        judge: Boolean(viewer.subject && judges.some((j) => j.subject === viewer.subject)),
        entrantUnitIds: entries.map((e) => e.unitId).filter((u): u is string => u !== null),
      };
      // Someone who may not even see the contest learns nothing about it.
      if (!(await access.contestView(contest, extras))) throw errors.notFound(CONTEST, contestId);
      await access.mayActOnContest(action, contest, extras);
      return act(tx as unknown as Db, contest);
    });
  }

  async function computeRanking(contest: ContestRow): Promise<RankingRow[]> {
    const entries = await loaders.entriesByContest.load(contest.id);
    const byId = new Map(entries.map((e) => [e.id, e]));
    if (contest.status === 'PUBLISHED') {
      const results = await loaders.resultsByContest.load(contest.id);
      return results.map((r) => ({
        entryId: r.entryId,
        rank: r.rank,
        score: r.score,
        judgesCounted: r.judgesCounted,
        judgeTotals: r.judgeTotals,
        contestsAgain: r.contestsAgain,
        entry: byId.get(r.entryId)!,
      }));
    }
    const scores = await loaders.latestScoresByContest.load(contest.id);
    return rank(entries.map((e) => e.id), contest.criteria.map((c) => c.weight), scores).map((r) => ({ ...r, entry: byId.get(r.entryId)! }));
  }

  /** The state of a review's appeal, from its flags and the review's status. */
  async function appealState(tx: Db, review: ReviewRow): Promise<AppealState> {
    if (review.appealPending) return 'PENDING';
    const actions = await reviewActionStore.byReviewIds(tx, [review.id]);
    return actions.some((a) => a.kind === 'APPEAL') ? 'DECIDED' : 'NONE';
  }

  /** A review action in one transaction: lock the review, ask, record. */
  async function onReview(id: string, act: (tx: Db, review: ReviewRow) => Promise<ReviewRow>): Promise<ReviewRow> {
    const reviewId = parseInput(input.reviewId, id, 'id');
    await access.prepare();
    return db.transaction(async (tx) => {
      const review = await reviewStore.get(tx, reviewId, true);
      if (!review || !(await access.mayReadReview(review))) {
        if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
        throw errors.notFound(REVIEW, reviewId);
      }
      return act(tx as unknown as Db, review);
    });
  }

  const lateAt = (due: Date | null, at: Date) => due !== null && at.getTime() > due.getTime();

  return {
    viewer,
    now,

    // ───────────── contests ─────────────

    async createContest(raw: unknown): Promise<ContestRow> {
      const data = parseInput(input.createContestInput, raw, 'input');
      if (!isValidDate(data.heldOn)) throw errors.badInput('input.heldOn', { zh: '比武日期无效', en: 'Invalid contest date' });
      const dir = await directory.current();
      if (data.domainCode && !dir.domains.includes(data.domainCode)) throw errors.badInput('input.domainCode', { zh: `没有该领域：${data.domainCode}`, en: `No such domain: ${data.domainCode}` });
      if (data.unitId) {
        const unit = await directory.unit(data.unitId);
        if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
      }
      const scope = { level: data.level, domainCode: data.domainCode ?? null, unitId: data.unitId ?? null };
      await access.prepare();
      await access.mayCreateContest(scope);
      const unitOfCaller = await access.callerUnitId();
      return db.transaction(async (tx) => {
        const contest = await contestStore.insert(tx, {
          ...scope,
          title: data.title,
          heldOn: data.heldOn,
          criteria: data.criteria,
          createdBy: viewer.subject!,
          createdByUnitId: unitOfCaller,
          createdAt: now(),
          sample: deps.sample ?? false,
        });
        // 末位继续打擂: the last place of the previous published contest of this level and scope enters again.
        const previous = await contestStore.previousPublished(tx, scope, data.heldOn);
        if (previous) {
          const [results, entries] = await Promise.all([resultStore.byContestIds(tx, [previous.id]), entryStore.byContestIds(tx, [previous.id])]);
          const last = new Set(results.filter((r) => r.contestsAgain).map((r) => r.entryId));
          for (const entry of entries.filter((e) => last.has(e.id))) {
            await entryStore.insert(tx, {
              contestId: contest.id,
              unitId: entry.unitId,
              entrantName: entry.entrantName,
              problems: entry.problems,
              goals: entry.goals,
              ideas: entry.ideas,
              measures: entry.measures,
              carriedFromContestId: previous.id,
              addedBy: viewer.subject!,
              addedAt: now(),
            });
          }
        }
        return contest;
      });
    },

    async addContestEntry(contestId: string, raw: unknown): Promise<EntryRow> {
      const data = parseInput(input.contestEntryInput, raw, 'input');
      const unit = data.unitId ? await directory.unit(data.unitId) : null;
      return onContest(contestId, 'addContestEntry', async (tx, contest) => {
        let entrantName: string;
        if (contest.level === 'INTERNAL') {
          if (data.unitId || !data.entrantName) throw errors.badInput('input.entrantName', { zh: '单位内部比武的参赛者是处室或干部：填写 entrantName，不填 unitId', en: 'An INTERNAL contest’s entrant is a department or person: give entrantName, not unitId' });
          entrantName = data.entrantName;
        } else {
          if (!data.unitId) throw errors.badInput('input.unitId', { zh: '市级、系统内比武的参赛者是单位：须填写 unitId', en: 'A CITY or SYSTEM contest’s entrant is a unit: give unitId' });
          if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
          if (contest.level === 'SYSTEM' && unit.domainCode !== contest.domainCode) throw errors.badInput('input.unitId', { zh: '该单位不在本领域', en: 'The unit is not in the contest’s domain' });
          entrantName = data.entrantName ?? unit.name;
        }
        const entry = await entryStore.insert(tx, {
          contestId: contest.id,
          unitId: contest.level === 'INTERNAL' ? null : data.unitId!,
          entrantName,
          problems: data.problems,
          goals: data.goals,
          ideas: data.ideas,
          measures: data.measures,
          addedBy: viewer.subject!,
          addedAt: now(),
        });
        if (!entry) throw errors.conflict({ zh: '该参赛者已在本场比武中', en: 'The entrant is already in this contest' });
        return entry;
      });
    },

    async assignJudge(contestId: string, raw: unknown) {
      const data = parseInput(input.judgeInput, raw, 'input');
      return onContest(contestId, 'assignJudge', async (tx, contest) => {
        const judge = await judgeStore.insert(tx, { contestId: contest.id, subject: data.subject, name: data.name, assignedBy: viewer.subject!, assignedAt: now() });
        if (!judge) throw errors.conflict({ zh: '该评委已指定', en: 'The judge is already assigned' });
        return judge;
      });
    },

    async submitScores(contestId: string, raw: unknown) {
      const scores = parseInput(input.scoresInput, raw, 'scores');
      return onContest(contestId, 'submitScores', async (tx, contest) => {
        const judge = (await judgeStore.bySubject(tx, contest.id, viewer.subject!))!;
        const entries = new Set((await entryStore.byContestIds(tx, [contest.id])).map((e) => e.id));
        scores.forEach((s, index) => {
          if (!entries.has(s.entryId)) throw errors.badInput(`scores[${index}].entryId`, { zh: '本场比武没有该参赛者', en: 'No such entry in this contest' });
          if (s.criterion >= contest.criteria.length) throw errors.badInput(`scores[${index}].criterion`, { zh: `本场比武只有 ${contest.criteria.length} 个评分项`, en: `The contest has ${contest.criteria.length} criteria` });
        });
        const at = now();
        await scoreStore.insert(tx, scores.map((s) => ({ contestId: contest.id, entryId: s.entryId, judgeId: judge.id, criterion: s.criterion, score: s.score, submittedAt: at })));
        return (await scoreStore.latest(tx, [contest.id])).filter((s) => s.judgeId === judge.id);
      });
    },

    async closeContest(id: string) {
      return onContest(id, 'closeContest', async (tx, contest) => {
        const moved = await contestStore.move(tx, contest.id, contest.version, { status: 'CLOSED', closedAt: now() });
        if (!moved) throw conflict();
        return moved;
      });
    },

    /** Freezes the ranking with every judge's total, then marks the contest published. */
    async publishContest(id: string) {
      return onContest(id, 'publishContest', async (tx, contest) => {
        const entries = await entryStore.byContestIds(tx, [contest.id]);
        const scores = await scoreStore.latest(tx, [contest.id]);
        const ranked = rank(entries.map((e) => e.id), contest.criteria.map((c) => c.weight), scores);
        await resultStore.insert(
          tx,
          ranked.map((r) => ({ contestId: contest.id, entryId: r.entryId, rank: r.rank, score: r.score, judgesCounted: r.judgesCounted, judgeTotals: r.judgeTotals, contestsAgain: r.contestsAgain })),
        );
        const moved = await contestStore.move(tx, contest.id, contest.version, { status: 'PUBLISHED', publishedAt: now() });
        if (!moved) throw conflict();
        return moved;
      });
    },

    async contest(id: string): Promise<ContestRow | null> {
      return (await visibleContest(id))?.contest ?? null;
    },

    async contests(filter: { level?: ContestRow['level'] | null; status?: ContestRow['status'] | null; domainCode?: string | null } | null | undefined, page: PageArgs) {
      const size = pageSize(page.first, deps.maxPageSize);
      const after = page.after ? cursorOfContest(page.after) : null;
      const { rows, count } = await contestStore.page(db, await access.contestScope(), filter ?? {}, after, size);
      for (const row of rows) loaders.contestById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.heldOn, row.id], count);
    },

    entries: (contest: ContestRow) => loaders.entriesByContest.load(contest.id),
    carriedOver: async (contest: ContestRow) => (await loaders.entriesByContest.load(contest.id)).filter((e) => e.carriedFromContestId !== null),

    async judges(contest: ContestRow) {
      const view = await access.contestView(contest, await contestExtras(contest));
      if (!view?.judges) return [];
      const [judges, scores, entries] = await Promise.all([
        loaders.judgesByContest.load(contest.id),
        loaders.latestScoresByContest.load(contest.id),
        loaders.entriesByContest.load(contest.id),
      ]);
      return judges.map((judge) => {
        const mine = scores.filter((s) => s.judgeId === judge.id);
        const entriesScored = entries.filter((e) => contest.criteria.every((_, index) => mine.some((s) => s.entryId === e.id && s.criterion === index))).length;
        return { ...judge, entriesScored };
      });
    },

    async myScores(contest: ContestRow) {
      if (!viewer.subject) return [];
      const judge = (await loaders.judgesByContest.load(contest.id)).find((j) => j.subject === viewer.subject);
      if (!judge) return [];
      return (await loaders.latestScoresByContest.load(contest.id)).filter((s) => s.judgeId === judge.id);
    },

    async ranking(contest: ContestRow): Promise<RankingRow[] | null> {
      const view = await access.contestView(contest, await contestExtras(contest));
      if (!view?.ranking) return null;
      return computeRanking(contest);
    },

    // ───────────── service reviews ─────────────

    async submitServiceReview(raw: unknown): Promise<ReviewRow> {
      const data = parseInput(input.submitReviewInput, raw, 'input');
      const unit = await directory.unit(data.unitId);
      if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
      await access.prepare();
      await access.maySubmitReview(data.unitId);
      const reviewerKey = access.reviewerKey();
      const at = now();
      const dues = reviewDues(await deps.calendar.current(), at, data.level);
      try {
        return await db.transaction(async (tx) => {
          await reviewStore.lockReviewer(tx, reviewerKey);
          const earlier = await reviewStore.byRequest(tx, reviewerKey, data.clientRequestId);
          if (earlier) {
            if (earlier.unitId !== data.unitId || earlier.level !== data.level || earlier.serviceItem !== data.serviceItem) {
              throw errors.conflict({ zh: '该 clientRequestId 已用于另一条评价', en: 'This clientRequestId was used for another review' }, { field: 'input.clientRequestId' });
            }
            return earlier;
          }
          const dayStart = beijingMidnight(beijingDate(at));
          const counts = await reviewStore.recentCounts(tx, reviewerKey, data.unitId, new Date(at.getTime() - 3_600_000), dayStart);
          if (counts.unitToday >= REVIEWS_PER_UNIT_PER_DAY) {
            const tomorrow = endOfBeijingDay(beijingDate(at)).getTime() + 1;
            throw errors.rateLimited(
              { zh: `同一评价人每天对同一单位最多评价 ${REVIEWS_PER_UNIT_PER_DAY} 次`, en: `At most ${REVIEWS_PER_UNIT_PER_DAY} reviews of one unit per reviewer per day` },
              Math.ceil((tomorrow - at.getTime()) / 1000),
            );
          }
          if (counts.lastHour >= REVIEWS_PER_HOUR) {
            throw errors.rateLimited({ zh: `同一评价人每小时最多评价 ${REVIEWS_PER_HOUR} 次`, en: `At most ${REVIEWS_PER_HOUR} reviews per reviewer per hour` }, 3600);
          }
          return reviewStore.insert(tx, {
            unitId: data.unitId,
            serviceItem: data.serviceItem,
            channel: data.channel,
            level: data.level,
            comment: data.comment,
            reviewerKind: access.reviewerKind(),
            reviewerSubject: viewer.subject,
            reviewerKey,
            clientRequestId: data.clientRequestId,
            reviewedAt: at,
            ...dues,
            status: isBad(data.level) ? 'AWAITING_ANSWER' : 'NO_ACTION',
            sample: deps.sample ?? false,
          });
        });
      } catch (error) {
        // Two replicas racing on the same retry: the lock makes it rare, the unique index makes it safe.
        if (sqlState(error) === SqlState.UNIQUE_VIOLATION) {
          const earlier = await reviewStore.byRequest(db, reviewerKey, data.clientRequestId);
          if (earlier) return earlier;
        }
        throw error;
      }
    },

    async answerServiceReview(id: string, rawAnswer: unknown) {
      const answer = parseInput(input.answerText, rawAnswer, 'answer');
      return onReview(id, async (tx, review) => {
        await access.mayActOnReview('answerServiceReview', review);
        const at = now();
        await reviewActionStore.insert(tx, { reviewId: review.id, kind: 'ANSWER', text: answer, at, late: lateAt(review.answerDueAt, at), bySubject: viewer.subject!, byUnitId: viewer.unitId });
        return reviewStore.setStatus(tx, review.id, { status: 'AWAITING_RECTIFICATION' });
      });
    },

    async rectifyServiceReview(id: string, rawMeasures: unknown) {
      const measures = parseInput(input.measuresText, rawMeasures, 'measures');
      return onReview(id, async (tx, review) => {
        await access.mayActOnReview('rectifyServiceReview', review);
        const at = now();
        await reviewActionStore.insert(tx, { reviewId: review.id, kind: 'RECTIFY', text: measures, at, late: lateAt(review.rectifyDueAt, at), bySubject: viewer.subject!, byUnitId: viewer.unitId });
        return reviewStore.setStatus(tx, review.id, { status: 'AWAITING_FOLLOW_UP' });
      });
    },

    async recordReviewFollowUp(id: string, raw: unknown) {
      const data = parseInput(input.followUpInput, raw, 'input');
      return onReview(id, async (tx, review) => {
        await access.mayActOnReview('recordReviewFollowUp', review);
        await reviewActionStore.insert(tx, { reviewId: review.id, kind: 'FOLLOW_UP', text: data.note, at: now(), reached: data.reached, level: data.level ?? null, bySubject: viewer.subject!, byUnitId: viewer.unitId });
        return reviewStore.setStatus(tx, review.id, { status: 'DONE' });
      });
    },

    async appealServiceReview(id: string, rawReason: unknown) {
      const reason = parseInput(input.appealReason, rawReason, 'reason');
      return onReview(id, async (tx, review) => {
        await access.mayAppeal('appealServiceReview', review, await appealState(tx, review));
        if (!isBad(review.level)) throw errors.invalidTransition({ zh: '只有差评可以申诉', en: 'Only a bad review can be appealed' }, review.status);
        const recorded = await reviewActionStore.insert(tx, { reviewId: review.id, kind: 'APPEAL', text: reason, at: now(), bySubject: viewer.subject!, byUnitId: viewer.unitId });
        if (!recorded) throw errors.conflict({ zh: '该评价已申诉过', en: 'The review was already appealed' });
        return reviewStore.setStatus(tx, review.id, { appealPending: true });
      });
    },

    async decideReviewAppeal(id: string, decision: 'UPHELD' | 'REJECTED', rawReason: unknown) {
      const reason = parseInput(input.decisionReason, rawReason, 'reason');
      return onReview(id, async (tx, review) => {
        await access.mayAppeal('decideReviewAppeal', review, await appealState(tx, review));
        await reviewActionStore.insert(tx, { reviewId: review.id, kind: 'APPEAL_DECISION', text: reason, at: now(), decision, bySubject: viewer.subject!, byUnitId: viewer.unitId });
        return reviewStore.setStatus(tx, review.id, decision === 'UPHELD' ? { appealPending: false, status: 'EXCLUDED' } : { appealPending: false });
      });
    },

    async serviceReviews(
      filter: { unitId?: string | null; domainCode?: string | null; bad?: boolean | null; overdue?: boolean | null; status?: ReviewRow['status'] | null; period?: Period | null } | null | undefined,
      page: PageArgs,
    ) {
      const scope = await access.reviewScope();
      const size = pageSize(page.first, deps.maxPageSize);
      const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
      let unitIds: string[] | null = null;
      if (filter?.unitId) unitIds = [parseInput(input.reviewId, filter.unitId, 'filter.unitId')];
      if (filter?.domainCode) {
        const inDomain = (await directory.current()).unitsOfDomain(filter.domainCode).map((u) => u.id);
        unitIds = unitIds ? unitIds.filter((id) => inDomain.includes(id)) : inDomain;
      }
      const { rows, count } = await reviewStore.page(db, scope, { ...filter, unitIds }, now(), after, size);
      for (const row of rows) loaders.reviewById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.reviewedAt.toISOString(), row.id], count);
    },

    actions: (review: ReviewRow) => loaders.actionsByReview.load(review.id),
    score: (level: ReviewLevel) => LEVEL_SCORES[level],
    overdue(review: ReviewRow): boolean {
      const at = now().getTime();
      if (review.status === 'AWAITING_ANSWER') return review.answerDueAt !== null && review.answerDueAt.getTime() < at;
      if (review.status === 'AWAITING_RECTIFICATION') return review.rectifyDueAt !== null && review.rectifyDueAt.getTime() < at;
      return false;
    },

    async unitReviewStats(unitId: string, period: Period | null): Promise<ReviewFigures> {
      await access.mayReadUnitFigures(unitId);
      return (await loaders.reviewStats.load({ kind: 'unit', key: unitId, period })) ?? emptyReviewFigures;
    },
  };
}

function cursorOfContest(cursor: string): { heldOn: string; id: string } {
  const [heldOn, id] = decodeCursor(cursor, 2);
  if (typeof heldOn !== 'string' || !isValidDate(heldOn) || typeof id !== 'string' || !isUuid(id)) {
    throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
  }
  return { heldOn, id };
}
