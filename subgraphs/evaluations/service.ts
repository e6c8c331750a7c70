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
import { personOf, type Viewer } from '../../platform/auth.ts';
import { beijingDate, beijingMidnight, endOfBeijingDay, type WorkingCalendar } from '../../platform/calendar.ts';
import type { CalendarSource } from '../../platform/calendar-source.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { errors } from '../../platform/errors.ts';
import { isUuid, parseInput } from '../../platform/input.ts';
import { decodeCursor, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../platform/pagination.ts';
import { formatBeijing, isValidDate } from '../../platform/scalars.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import { sqlState, SqlState, type Db, type Queryable } from '../../db/client.ts';
import { createEvaluationsAccess } from './access.ts';
import * as input from './input.ts';
import { limitWindows, refuseOverLimit } from '../../platform/write-limits.ts';
import { isBad, LEVEL_SCORES, REVIEW_LIMIT, reviewDues, type ReviewLevel } from './deadlines.ts';
import type { EvaluationsLoaders } from './loaders.ts';
import type { AppealState } from './rules.ts';
import { rank, type RankedEntry } from './scoring.ts';
import {
  computeResults,
  coverageOf,
  ENTERED_KINDS,
  halfYear,
  MANDATORY_BY_DEFAULT,
  publishableAfter,
  quarter as quarterOf,
  quartersDueWithin,
  quartersOfHalfYear,
  type ComputedResult,
  type Coverage,
  type GradingRule,
  type IndicatorSpec,
  type RawValue,
} from './grading.ts';
import type { FiguresSource, SourceFigures } from './remote.ts';
import DataLoader from 'dataloader';
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
  evaluationStore,
  milestoneStore,
  reportStore,
  taskStore,
  type EvaluationResultRow,
  type EvaluationRow,
  type FrozenInputRow,
  type IndicatorRow,
  type MilestoneRow,
  type ReportRow,
  type TaskRow,
} from './store.ts';
import type { Directory } from '../../platform/directory.ts';
import { halfYearOf } from '../../platform/calendar.ts';
import { downloadPath, type DownloadLinks } from '../../platform/download-links.ts';
import { orderBoard, type BoardOrder } from './board-order.ts';

export interface Context extends RequestContext {
  evaluations: EvaluationsService;
}

export type EvaluationsService = ReturnType<typeof createEvaluationsService>;

const CONTEST = { zh: '擂台比武', en: 'Contest' };
const REVIEW = { zh: '评价', en: 'Review' };

export interface RankingRow extends RankedEntry {
  entry: EntryRow;
}

/** What a unit's result rests on, its missing indicators with their definitions. */
export interface CoverageView extends Omit<Coverage, 'missing'> {
  missing: IndicatorRow[];
}

/** A unit's evaluation result as the API shows it: frozen (published) or a live preview. Not evaluated: no score, rank or grade. */
export interface ResultView {
  unitId: string;
  evaluated: boolean;
  score: number | null;
  rank: number | null;
  grade: 'EXCELLENT' | 'GOOD' | 'FAIR' | 'POOR' | null;
  coverage: CoverageView;
  inputs: FrozenInputRow[];
  preview: boolean;
}

/** A unit's review figures, with what the other sources need to be asked. */
export interface ReviewStatsView extends ReviewFigures {
  unitId: string;
  period: Period | null;
}

export interface ReportStatusRow {
  unitId: string;
  dueAt: Date;
  firstReport: ReportRow | null;
  latestReport: ReportRow | null;
  late: boolean;
  missing: boolean;
}

export interface BoardRowView {
  unitId: string;
  /** The unit's code and name from the directory copy: the gateway then need not ask the units subgraph (@provides). */
  unitCode: string;
  unitName: string;
  domainCode: string | null;
  latestContestRank: number | null;
  contestsAgain: boolean | null;
  reviewSatisfactionRate: number | null;
  reviews: number;
  reportPunctuality: number | null;
  score: number | null;
  grade: ResultView['grade'];
  /** null when the period has no evaluation */
  evaluated: boolean | null;
  coverage: CoverageView | null;
  preview: boolean;
  /** The result's rank (equal scores share one); null without a score. */
  rank: number | null;
}

/** `BoardFileFormat` of the SDL. */
export type BoardFileFormat = 'CSV' | 'XLSX' | 'HTML';

/** A download link as the API shows it. */
export interface DownloadLinkView {
  url: string;
  path: string;
  period: string;
  format: BoardFileFormat;
  expiresAt: Date;
}

/** Units an evaluation considers: active city and county units that answer for work (not the command office); each is then evaluated or not by its data. */
export function consideredUnits(directory: Directory): string[] {
  return [...directory.units.values()]
    .filter((u) => !u.archived && u.kind !== 'COMMAND_OFFICE' && u.kind !== 'OTHER' && (u.level === 'CITY' || u.level === 'COUNTY'))
    .map((u) => u.id)
    .sort();
}

function coverageView(evaluation: EvaluationRow, coverage: Coverage): CoverageView {
  return { ...coverage, missing: coverage.missing.map((code) => evaluation.indicators.find((i) => i.code === code)!) };
}

const toView = (evaluation: EvaluationRow, result: ComputedResult, preview: boolean): ResultView => ({
  ...result,
  coverage: coverageView(evaluation, result.coverage),
  preview,
});

/** A published result as frozen; its coverage read from its frozen inputs against the frozen definition. */
function frozenView(evaluation: EvaluationRow, row: EvaluationResultRow): ResultView {
  const valueOf = new Map(row.inputs.map((input) => [input.indicator, input.value]));
  const coverage = coverageOf(evaluation.indicators, (indicator) => (valueOf.get(indicator.code) ?? null) !== null);
  return {
    unitId: row.unitId,
    evaluated: row.evaluated,
    score: row.score,
    rank: row.rank,
    grade: row.grade,
    inputs: row.inputs,
    coverage: coverageView(evaluation, coverage),
    preview: false,
  };
}

/** How an evaluation grades: its method, cut-offs and the coverage a unit needs. */
const gradingOf = (evaluation: EvaluationRow): GradingRule => ({
  method: evaluation.gradingMethod,
  cutoffs: evaluation.gradeCutoffs,
  minimumCoverage: evaluation.minimumCoverage,
});

/** How many reviews one transaction of settling takes. */
const SETTLE_BATCH = 500;

/**
 * The command office has entered a calendar year (the slice's calendar copy has just gained it,
 * platform/calendar-source.ts): every bad review whose limits were provisional for want of it gets
 * them recomputed, and an answer or rectification judged late or on time against a provisional
 * limit is judged again on the final one — once, the only change those records allow (migration
 * 0008); the kept figures follow by trigger. Batches of their own transactions, rows another
 * transaction holds skipped. Returns how many reviews were settled.
 */
export async function settleProvisionalReviewLimits(db: Db, calendar: WorkingCalendar): Promise<number> {
  let settled = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const waiting = await reviewStore.lockWaitingForCalendar(tx, calendar.knownYears(), SETTLE_BATCH);
      if (!waiting.length) return 0;
      const dues = new Map(waiting.map((review) => [review.id, reviewDues(calendar, review.reviewedAt, review.level)]));
      await reviewStore.setLimits(
        tx,
        waiting.map((review) => ({ id: review.id, ...dues.get(review.id)! })),
      );
      const judged = (await reviewActionStore.byReviewIds(tx, [...dues.keys()])).filter(
        (a) => a.lateProvisional && (a.kind === 'ANSWER' || a.kind === 'RECTIFY'),
      );
      await reviewActionStore.settleLateness(
        tx,
        judged
          // Still provisional (a later year is missing too): judged again once that one is entered.
          .filter((a) => dues.get(a.reviewId)!.pendingCalendarYear === null)
          .map((a) => {
            const due = a.kind === 'ANSWER' ? dues.get(a.reviewId)!.answerDueAt : dues.get(a.reviewId)!.rectifyDueAt;
            return { id: a.id, late: due !== null && a.at.getTime() > due.getTime() };
          }),
      );
      return waiting.length;
    });
    settled += batch;
    if (batch < SETTLE_BATCH) return settled;
  }
}

/** For /ready and the start log: 'ok', or a warning naming the years reviews' limits are provisional for. */
export async function provisionalReviewsReadiness(db: Queryable): Promise<string> {
  const waiting = await reviewStore.provisionalYears(db);
  if (!waiting.length) return 'ok';
  const years = waiting.map((w) => w.year);
  const count = waiting.reduce((sum, w) => sum + w.reviews, 0);
  return (
    `warning: no working-day calendar for ${years.join(', ')} — the limits of ${count} bad review(s) reaching it are provisional (weekends only) ` +
    `until the command office enters it (setCalendarYear) / 工作日历缺少 ${years.join('、')} 年，${count} 条差评的处理时限暂按只休周末计算`
  );
}

/** Who entered a value, as a result shows it: the unit, by code and name. */
function enteringUnit(directory: Directory, unitId: string | null): string {
  const unit = unitId ? directory.unit(unitId) : null;
  if (unit) return `unit ${unit.code} ${unit.name}`;
  // Kept before the unit was: only the command office may enter values (rules.ts).
  return 'the command office';
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
  /** Other slices' figures for the evaluation (their public APIs). */
  figures: FiguresSource;
  /** The caller's Authorization header as sent: a download link carries it, sealed, to the gateway. */
  authorization?: string;
  /** Download links to the gateway's board files; absent when no secret is configured for them. */
  links?: DownloadLinks & { publicUrl: string };
}) {
  const { db, viewer, loaders, directory, now } = deps;
  const access = createEvaluationsAccess(viewer, directory, deps.clientAddress);

  /** A board's period: the one named, or the current half year (Beijing time). */
  const boardPeriod = (periodName: string | null | undefined) =>
    periodName == null ? halfYearOf(now()) : parseInput(input.period, periodName, 'period');

  const conflict = () => errors.conflict({ zh: '已被他人修改，请刷新后重试', en: 'Changed by someone else; reload and try again' });

  /** The caller's standing extras on a contest: whether they judge it, which units entered. */
  async function contestExtras(contest: ContestRow) {
    const [judges, entries] = await Promise.all([loaders.judgesByContest.load(contest.id), loaders.entriesByContest.load(contest.id)]);
    return {
      judge: access.judgeAmong(judges) !== undefined,
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
  async function onContest<T>(
    id: string,
    action: Parameters<typeof access.mayActOnContest>[0],
    act: (tx: Db, contest: ContestRow) => Promise<T>,
  ): Promise<T> {
    const contestId = parseInput(input.contestId, id, 'contestId');
    await access.prepare();
    return db.transaction(async (tx) => {
      const contest = await contestStore.get(tx, contestId, true);
      if (!contest) throw errors.notFound(CONTEST, contestId);
      const [judges, entries] = await Promise.all([judgeStore.byContestIds(tx, [contestId]), entryStore.byContestIds(tx, [contestId])]);
      const extras = {
        judge: access.judgeAmong(judges) !== undefined,
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
    return rank(
      entries.map((e) => e.id),
      contest.criteria.map((c) => c.weight),
      scores,
    ).map((r) => ({ ...r, entry: byId.get(r.entryId)! }));
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
    // A year entered since the review's limits were counted is settled first: the step is judged on the final limit.
    await deps.calendar.current();
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
  const ratingLoaders: Record<string, DataLoader<string, { issues: SourceFigures; policies: SourceFigures }>> = {};

  /**
   * Report punctuality per unit over the reports of the given quarters already due: the first
   * filing on time ÷ the units expected to report (those with a tackling task by the due date). The
   * evaluation and the board count a half year's own quarters; `Unit.reportPunctuality(period)` the
   * quarters whose reports fall due in the period.
   */
  async function punctuality(ofQuarters: readonly string[], store: Db = db): Promise<Map<string, number | null>> {
    const nowAt = now().getTime();
    const quarters = ofQuarters.filter((q) => endOfBeijingDay(quarterOf(q)!.dueOn).getTime() < nowAt);
    const [expectedBy, reports] = await Promise.all([
      Promise.all(quarters.map((q) => reportStore.expectedUnits(store, endOfBeijingDay(quarterOf(q)!.dueOn)))),
      reportStore.byQuarters(store, quarters),
    ]);
    const due = new Map<string, number>();
    const onTime = new Map<string, number>();
    quarters.forEach((q, index) => {
      for (const unitId of expectedBy[index]!) {
        due.set(unitId, (due.get(unitId) ?? 0) + 1);
        const first = reports.find((r) => r.unitId === unitId && r.quarter === q && r.version === 1);
        if (first && !first.late) onTime.set(unitId, (onTime.get(unitId) ?? 0) + 1);
      }
    });
    return new Map([...due].map(([unitId, n]) => [unitId, (onTime.get(unitId) ?? 0) / n]));
  }

  interface RemoteInputs {
    /** The directory as it was read here — before any transaction — and the units it evaluates. */
    directory: Directory;
    units: string[];
    at: string;
    rectification: Map<string, number | null>;
    honouring: Map<string, number | null>;
  }

  /** What the other slices say, asked before any transaction (and only for the kinds the evaluation uses). */
  async function remoteInputs(evaluation: EvaluationRow): Promise<RemoteInputs> {
    const dates = halfYear(evaluation.period)!;
    const dir = await directory.current();
    const units = consideredUnits(dir);
    const uses = (kind: string) => evaluation.indicators.some((i) => i.kind === kind);
    const [rectification, honouring] = await Promise.all([
      uses('RECTIFICATION') ? deps.figures.rectification(units, dates) : new Map<string, number | null>(),
      uses('POLICY_HONOURING') ? deps.figures.policyHonouring(units, dates) : new Map<string, number | null>(),
    ]);
    return { directory: dir, units, at: now().toISOString(), rectification, honouring };
  }

  /** Every unit's result from every input, read now (this slice's own on `store`, the others' from `remote`). */
  async function compute(
    store: Db,
    evaluation: EvaluationRow,
    remote: RemoteInputs,
    known?: {
      contests: Awaited<ReturnType<typeof evaluationStore.latestCityContest>>;
      reviews: Map<string, ReviewFigures>;
      punctual: Map<string, number | null>;
    },
  ): Promise<ComputedResult[]> {
    const dates = halfYear(evaluation.period)!;
    const units = remote.units;
    const dir = remote.directory;
    const range = { from: beijingMidnight(dates.from), to: endOfBeijingDay(dates.to) };
    const [entered, contests, reviews, punctual] = await Promise.all([
      evaluationStore.latestValues(store, evaluation.id),
      known?.contests ?? evaluationStore.latestCityContest(store, dates.from, dates.to),
      known?.reviews ??
        reviewStore.stats(
          store,
          units.map((unitId) => ({ unitId, key: unitId })),
          range,
          now(),
          { open: false },
        ),
      known?.punctual ?? punctuality(quartersOfHalfYear(evaluation.period), store),
    ]);
    const enteredBy = new Map(entered.map((v) => [`${v.unitId}/${v.indicator}`, v]));
    const contestBy = new Map(contests.map((c) => [c.unitId, c]));
    const at = now().toISOString();
    const period = `${dates.from}–${dates.to}`;
    const raw = (unitId: string, indicator: IndicatorSpec): RawValue => {
      switch (indicator.kind) {
        case 'RECTIFICATION':
          return {
            value: remote.rectification.get(unitId) ?? null,
            source: `issues: Unit.issueStats(${period}).rectificationRate`,
            fetchedAt: remote.at,
          };
        case 'POLICY_HONOURING':
          return {
            value: remote.honouring.get(unitId) ?? null,
            source: `policies: Unit.policyStats(${period}) disbursedCount ÷ approved`,
            fetchedAt: remote.at,
          };
        case 'CONTEST':
          return {
            value: contestBy.get(unitId)?.score ?? null,
            source: `evaluations: latest published CITY contest held ${period}`,
            fetchedAt: at,
          };
        case 'REPORT_PUNCTUALITY':
          return {
            value: punctual.get(unitId) ?? null,
            source: `evaluations: quarterly reports of ${quartersOfHalfYear(evaluation.period).join(', ')} already due, first filing on time`,
            fetchedAt: at,
          };
        case 'SERVICE_REVIEWS': {
          const f = reviews.get(unitId);
          return {
            value: f && f.count > 0 ? f.satisfied / f.count : null,
            source: `evaluations: service reviews ${period}, satisfaction rate`,
            fetchedAt: at,
          };
        }
        default: {
          const v = enteredBy.get(`${unitId}/${indicator.code}`);
          // The unit that entered it, never the account: results are public once published.
          return {
            value: v?.value ?? null,
            source: v ? `entered by ${enteringUnit(dir, v.enteredByUnitId)} at ${v.enteredAt.toISOString()}: ${v.source}` : 'not entered',
            fetchedAt: v ? v.enteredAt.toISOString() : at,
          };
        }
      }
    };
    return computeResults(units, evaluation.indicators, raw, gradingOf(evaluation));
  }

  function refuseEarlyPublication(evaluation: EvaluationRow): void {
    const after = publishableAfter(evaluation.period, evaluation.indicators)!;
    if (now().getTime() > after.getTime()) return;
    const when = formatBeijing(after).slice(0, 16).replace('T', ' ');
    const reports = evaluation.indicators.some((i) => i.kind === 'REPORT_PUNCTUALITY');
    throw errors.tooEarly(
      {
        zh: `${evaluation.period} 的评估须在 ${when}（北京时间）之后发布：届时半年已结束${reports ? '、各季度报告已到期' : ''}，结果才完整；在此之前可随时查看预览`,
        en: `The evaluation of ${evaluation.period} can be published after ${when} Beijing time, once the half year has ended${reports ? ' and its quarterly reports have fallen due' : ''}; until then the preview is there at any time`,
      },
      formatBeijing(after),
    );
  }

  return {
    viewer,
    now,

    // ───────────── contests ─────────────

    async createContest(raw: unknown): Promise<ContestRow> {
      const data = parseInput(input.createContestInput, raw, 'input');
      if (!isValidDate(data.heldOn)) throw errors.badInput('input.heldOn', { zh: '比武日期无效', en: 'Invalid contest date' });
      const dir = await directory.current();
      if (data.domainCode && !dir.domains.includes(data.domainCode))
        throw errors.badInput('input.domainCode', { zh: `没有该领域：${data.domainCode}`, en: `No such domain: ${data.domainCode}` });
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
          const [results, entries] = await Promise.all([
            resultStore.byContestIds(tx, [previous.id]),
            entryStore.byContestIds(tx, [previous.id]),
          ]);
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
          if (data.unitId || !data.entrantName)
            throw errors.badInput('input.entrantName', {
              zh: '单位内部比武的参赛者是处室或干部：填写 entrantName，不填 unitId',
              en: 'An INTERNAL contest’s entrant is a department or person: give entrantName, not unitId',
            });
          entrantName = data.entrantName;
        } else {
          if (!data.unitId)
            throw errors.badInput('input.unitId', {
              zh: '市级、系统内比武的参赛者是单位：须填写 unitId',
              en: 'A CITY or SYSTEM contest’s entrant is a unit: give unitId',
            });
          if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
          if (contest.level === 'SYSTEM' && unit.domainCode !== contest.domainCode)
            throw errors.badInput('input.unitId', { zh: '该单位不在本领域', en: 'The unit is not in the contest’s domain' });
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
        // The judge signs in where the organiser does: the organiser's issuer, the role and subject given.
        const issuer = personOf(viewer)!.issuer;
        const judge = await judgeStore.insert(tx, {
          contestId: contest.id,
          subject: data.subject,
          role: data.role,
          issuer,
          name: data.name,
          assignedBy: viewer.subject!,
          assignedAt: now(),
        });
        if (!judge) throw errors.conflict({ zh: '该评委已指定', en: 'The judge is already assigned' });
        return judge;
      });
    },

    async submitScores(contestId: string, raw: unknown) {
      const scores = parseInput(input.scoresInput, raw, 'scores');
      return onContest(contestId, 'submitScores', async (tx, contest) => {
        const judge = access.judgeAmong(await judgeStore.byContestIds(tx, [contest.id]))!;
        const entries = new Set((await entryStore.byContestIds(tx, [contest.id])).map((e) => e.id));
        scores.forEach((s, index) => {
          if (!entries.has(s.entryId))
            throw errors.badInput(`scores[${index}].entryId`, { zh: '本场比武没有该参赛者', en: 'No such entry in this contest' });
          if (s.criterion >= contest.criteria.length)
            throw errors.badInput(`scores[${index}].criterion`, {
              zh: `本场比武只有 ${contest.criteria.length} 个评分项`,
              en: `The contest has ${contest.criteria.length} criteria`,
            });
        });
        const at = now();
        await scoreStore.insert(
          tx,
          scores.map((s) => ({
            contestId: contest.id,
            entryId: s.entryId,
            judgeId: judge.id,
            criterion: s.criterion,
            score: s.score,
            submittedAt: at,
          })),
        );
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
        const ranked = rank(
          entries.map((e) => e.id),
          contest.criteria.map((c) => c.weight),
          scores,
        );
        await resultStore.insert(
          tx,
          ranked.map((r) => ({
            contestId: contest.id,
            entryId: r.entryId,
            rank: r.rank,
            score: r.score,
            judgesCounted: r.judgesCounted,
            judgeTotals: r.judgeTotals,
            contestsAgain: r.contestsAgain,
          })),
        );
        const moved = await contestStore.move(tx, contest.id, contest.version, { status: 'PUBLISHED', publishedAt: now() });
        if (!moved) throw conflict();
        return moved;
      });
    },

    async contest(id: string): Promise<ContestRow | null> {
      return (await visibleContest(id))?.contest ?? null;
    },

    async contests(
      filter: { level?: ContestRow['level'] | null; status?: ContestRow['status'] | null; domainCode?: string | null } | null | undefined,
      page: PageArgs,
    ) {
      const size = pageSize(page.first, deps.maxPageSize);
      const after = page.after ? cursorOfContest(page.after) : null;
      const { rows, count } = await contestStore.page(db, await access.contestScope(), filter ?? {}, after, size);
      for (const row of rows) loaders.contestById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.heldOn, row.id], count);
    },

    entries: (contest: ContestRow) => loaders.entriesByContest.load(contest.id),
    carriedOver: async (contest: ContestRow) =>
      (await loaders.entriesByContest.load(contest.id)).filter((e) => e.carriedFromContestId !== null),

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
        const entriesScored = entries.filter((e) =>
          contest.criteria.every((_, index) => mine.some((s) => s.entryId === e.id && s.criterion === index)),
        ).length;
        return { ...judge, entriesScored };
      });
    },

    async myScores(contest: ContestRow) {
      const judge = access.judgeAmong(await loaders.judgesByContest.load(contest.id));
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
        await reviewActionStore.insert(tx, {
          reviewId: review.id,
          kind: 'ANSWER',
          text: answer,
          at,
          late: lateAt(review.answerDueAt, at),
          lateProvisional: review.pendingCalendarYear !== null,
          bySubject: viewer.subject!,
          byUnitId: viewer.unitId,
        });
        return reviewStore.setStatus(tx, review.id, { status: 'AWAITING_RECTIFICATION' });
      });
    },

    async rectifyServiceReview(id: string, rawMeasures: unknown) {
      const measures = parseInput(input.measuresText, rawMeasures, 'measures');
      return onReview(id, async (tx, review) => {
        await access.mayActOnReview('rectifyServiceReview', review);
        const at = now();
        await reviewActionStore.insert(tx, {
          reviewId: review.id,
          kind: 'RECTIFY',
          text: measures,
          at,
          late: lateAt(review.rectifyDueAt, at),
          lateProvisional: review.pendingCalendarYear !== null,
          bySubject: viewer.subject!,
          byUnitId: viewer.unitId,
        });
        return reviewStore.setStatus(tx, review.id, { status: 'AWAITING_FOLLOW_UP' });
      });
    },

    async recordReviewFollowUp(id: string, raw: unknown) {
      const data = parseInput(input.followUpInput, raw, 'input');
      return onReview(id, async (tx, review) => {
        await access.mayActOnReview('recordReviewFollowUp', review);
        await reviewActionStore.insert(tx, {
          reviewId: review.id,
          kind: 'FOLLOW_UP',
          text: data.note,
          at: now(),
          reached: data.reached,
          level: data.level ?? null,
          bySubject: viewer.subject!,
          byUnitId: viewer.unitId,
        });
        return reviewStore.setStatus(tx, review.id, { status: 'DONE' });
      });
    },

    async appealServiceReview(id: string, rawReason: unknown) {
      const reason = parseInput(input.appealReason, rawReason, 'reason');
      return onReview(id, async (tx, review) => {
        await access.mayAppeal('appealServiceReview', review, await appealState(tx, review));
        if (!isBad(review.level))
          throw errors.invalidTransition({ zh: '只有差评可以申诉', en: 'Only a bad review can be appealed' }, review.status);
        const recorded = await reviewActionStore.insert(tx, {
          reviewId: review.id,
          kind: 'APPEAL',
          text: reason,
          at: now(),
          bySubject: viewer.subject!,
          byUnitId: viewer.unitId,
        });
        if (!recorded) throw errors.conflict({ zh: '该评价已申诉过', en: 'The review was already appealed' });
        return reviewStore.setStatus(tx, review.id, { appealPending: true });
      });
    },

    async decideReviewAppeal(id: string, decision: 'UPHELD' | 'REJECTED', rawReason: unknown) {
      const reason = parseInput(input.decisionReason, rawReason, 'reason');
      return onReview(id, async (tx, review) => {
        await access.mayAppeal('decideReviewAppeal', review, await appealState(tx, review));
        await reviewActionStore.insert(tx, {
          reviewId: review.id,
          kind: 'APPEAL_DECISION',
          text: reason,
          at: now(),
          decision,
          bySubject: viewer.subject!,
          byUnitId: viewer.unitId,
        });
        return reviewStore.setStatus(
          tx,
          review.id,
          decision === 'UPHELD' ? { appealPending: false, status: 'EXCLUDED' } : { appealPending: false },
        );
      });
    },

    async serviceReviews(
      filter:
        | {
            unitId?: string | null;
            domainCode?: string | null;
            bad?: boolean | null;
            overdue?: boolean | null;
            status?: ReviewRow['status'] | null;
            period?: Period | null;
          }
        | null
        | undefined,
      page: PageArgs,
    ) {
      const scope = await access.reviewScope();
      await deps.calendar.current();
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

    async unitReviewStats(unitId: string, period: Period | null): Promise<ReviewStatsView> {
      await access.mayReadUnitFigures(unitId);
      const figures = (await loaders.reviewStats.load({ kind: 'unit', key: unitId, period })) ?? emptyReviewFigures;
      return { ...figures, unitId, period };
    },

    /** The other slices' ratings of the unit's work: every unit of the request in one call to each slice, per period. */
    async otherReviewSources(
      stats: ReviewStatsView,
    ): Promise<{ source: 'ISSUE_HANDLING' | 'POLICY_APPLICATIONS'; count: number; satisfactionRate: number | null }[]> {
      const key = stats.period ? `${beijingDate(stats.period.from)}/${beijingDate(stats.period.to)}` : 'all';
      const loader = (ratingLoaders[key] ??= new DataLoader<string, { issues: SourceFigures; policies: SourceFigures }>(async (unitIds) => {
        const found = await deps.figures.ratings(
          unitIds,
          stats.period ? { from: beijingDate(stats.period.from), to: beijingDate(stats.period.to) } : null,
        );
        return unitIds.map(
          (id) => found.get(id) ?? { issues: { count: 0, satisfactionRate: null }, policies: { count: 0, satisfactionRate: null } },
        );
      }));
      const { issues, policies } = await loader.load(stats.unitId);
      return [
        { source: 'ISSUE_HANDLING', ...issues },
        { source: 'POLICY_APPLICATIONS', ...policies },
      ];
    },

    // ───────────── tackling tasks and quarterly reports ─────────────

    async createTask(raw: unknown): Promise<TaskRow> {
      const data = parseInput(input.createTaskInput, raw, 'input');
      if (!isValidDate(data.dueOn)) throw errors.badInput('input.dueOn', { zh: '完成时限无效', en: 'Invalid due date' });
      data.milestones.forEach((m, index) => {
        if (!isValidDate(m.dueOn) || m.dueOn > data.dueOn)
          throw errors.badInput(`input.milestones[${index}].dueOn`, {
            zh: '里程碑时限无效或晚于完成时限',
            en: 'A milestone date is invalid or after the final date',
          });
      });
      const unit = await directory.unit(data.unitId);
      if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
      await access.prepare();
      await access.mayActOnUnitWork('createTask', data.unitId);
      return db.transaction((tx) =>
        taskStore.insert(
          tx,
          {
            kind: 'TACKLING',
            unitId: data.unitId,
            domainCode: unit.domainCode,
            title: data.title,
            description: data.description,
            dueOn: data.dueOn,
            createdBy: viewer.subject!,
            createdAt: now(),
            sample: deps.sample ?? false,
          },
          data.milestones,
        ),
      );
    },

    async completeMilestone(id: string, rawNote: unknown): Promise<MilestoneRow> {
      const milestoneId = parseInput(input.milestoneId, id, 'id');
      const note = parseInput(input.milestoneNote, rawNote, 'note');
      await access.prepare();
      return db.transaction(async (tx) => {
        const milestone = await milestoneStore.get(tx, milestoneId);
        if (!milestone || !milestone.unitId || !(await access.mayReadUnitWork(milestone.unitId))) {
          if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
          throw errors.notFound({ zh: '里程碑', en: 'Milestone' }, milestoneId);
        }
        await access.mayActOnUnitWork('completeMilestone', milestone.unitId, milestone.doneAt ? 'DONE' : 'OPEN');
        const at = now();
        const late = at.getTime() > endOfBeijingDay(milestone.dueOn).getTime();
        if (!(await milestoneStore.complete(tx, { milestoneId, note, doneAt: at, late, bySubject: viewer.subject! }))) throw conflict();
        return { ...milestone, doneAt: at, note, late };
      });
    },

    async submitQuarterlyReport(raw: unknown): Promise<ReportRow> {
      const data = parseInput(input.quarterlyReportInput, raw, 'input');
      const q = quarterOf(data.quarter);
      if (!q) throw errors.badInput('input.quarter', { zh: '季度无效', en: 'Invalid quarter' });
      const at = now();
      if (beijingDate(at) < q.from) throw errors.badInput('input.quarter', { zh: '该季度尚未开始', en: 'The quarter has not begun' });
      await access.prepare();
      const unitId = data.unitId ?? (await access.callerUnitId());
      if (!unitId) throw errors.badInput('input.unitId', { zh: '须指明报送单位', en: 'Give the unit' });
      await access.mayActOnUnitWork('submitQuarterlyReport', unitId);
      const dueAt = endOfBeijingDay(q.dueOn);
      return db.transaction(async (tx) => {
        await reportStore.lockUnitQuarter(tx, unitId, data.quarter);
        const versions = await reportStore.versions(tx, unitId, data.quarter);
        return reportStore.insert(tx, {
          unitId,
          quarter: data.quarter,
          version: versions.length + 1,
          content: data.content,
          submittedAt: at,
          dueAt,
          late: at.getTime() > dueAt.getTime(),
          bySubject: viewer.subject!,
          sample: deps.sample ?? false,
        });
      });
    },

    async tasks(
      filter: { unitId?: string | null; domainCode?: string | null; kind?: TaskRow['kind'] | null } | null | undefined,
      page: PageArgs,
    ) {
      const scope = await access.workScope();
      const size = pageSize(page.first, deps.maxPageSize);
      const after = page.after ? cursorOfDate(page.after) : null;
      let unitIds: string[] | null = null;
      if (filter?.unitId) unitIds = [parseInput(input.unitId, filter.unitId, 'filter.unitId')];
      if (filter?.domainCode) {
        const inDomain = (await directory.current()).unitsOfDomain(filter.domainCode).map((u) => u.id);
        unitIds = unitIds ? unitIds.filter((id) => inDomain.includes(id)) : inDomain;
      }
      const { rows, count } = await taskStore.page(db, scope, { unitIds, kind: filter?.kind }, after, size);
      return toConnection(rows, size, (row) => [row.dueOn, row.id], count);
    },

    milestones: (task: TaskRow) => loaders.milestonesByTask.load(task.id),
    task: async (milestone: MilestoneRow) => (await loaders.taskById.load(milestone.taskId))!,
    milestoneOverdue: (milestone: MilestoneRow) =>
      milestone.doneAt === null && now().getTime() > endOfBeijingDay(milestone.dueOn).getTime(),

    async overdueMilestones(page: PageArgs) {
      const scope = await access.workScope();
      const size = pageSize(page.first, deps.maxPageSize);
      const after = page.after ? cursorOfDate(page.after) : null;
      const { rows, count } = await milestoneStore.overdue(db, scope, beijingDate(now()), after, size);
      return toConnection(rows, size, (row) => [row.dueOn, row.id], count);
    },

    async quarterlyReportStatus(quarterName: string, onlyProblems: boolean): Promise<ReportStatusRow[]> {
      const q = quarterOf(quarterName);
      if (!q) throw errors.badInput('quarter', { zh: '季度须形如 2026-Q3', en: 'A quarter looks like 2026-Q3' });
      const scope = await access.workScope();
      const dueAt = endOfBeijingDay(q.dueOn);
      const [expected, reports] = await Promise.all([reportStore.expectedUnits(db, dueAt), reportStore.byQuarters(db, [quarterName])]);
      const units = [...new Set([...expected, ...reports.map((r) => r.unitId)])].filter((id) => !scope || scope.includes(id)).sort();
      const past = now().getTime() > dueAt.getTime();
      return units
        .map((unitId) => {
          const mine = reports.filter((r) => r.unitId === unitId);
          const first = mine[0] ?? null;
          return {
            unitId,
            dueAt,
            firstReport: first,
            latestReport: mine.at(-1) ?? null,
            late: first?.late ?? false,
            missing: !first && past,
          };
        })
        .filter((row) => !onlyProblems || row.late || row.missing);
    },

    /**
     * A unit's code and name anywhere a caller of this subgraph asks them (they are the units slice's
     * fields, which the gateway asks here only on the board): from the directory copy, NOT_FOUND for an
     * id the organisation lacks — never a null in a non-null field, which was an internal error.
     */
    async unitLabel(unitId: string): Promise<{ code: string; name: string }> {
      const unit = await directory.unit(unitId);
      if (!unit) throw errors.notFound({ zh: '单位', en: 'Unit' }, unitId);
      return unit;
    },

    async unitReportPunctuality(unitId: string, periodDates: { from: string; to: string } | null): Promise<number | null> {
      await access.mustReadUnitWork(unitId);
      const dates = periodDates ?? { from: '2000-01-01', to: beijingDate(now()) };
      const figures = await punctuality(quartersDueWithin(dates.from, dates.to));
      return figures.get(unitId) ?? null;
    },

    // ───────────── the half-yearly evaluation ─────────────

    async evaluation(periodName: string): Promise<EvaluationRow | null> {
      const name = parseInput(input.period, periodName, 'period');
      const row = await loaders.evaluationByPeriod.load(name);
      if (!row) return null;
      if (row.status === 'PUBLISHED' || (await access.mayReadEvaluationDraft())) return row;
      return null;
    },

    async createEvaluation(raw: unknown): Promise<EvaluationRow> {
      const data = parseInput(input.createEvaluationInput, raw, 'input');
      await access.prepare();
      return db.transaction(async (tx) => {
        const existing = await evaluationStore.get(tx, data.period, true);
        await access.mayActOnEvaluation('createEvaluation', existing?.status ?? 'NONE');
        const definition = {
          // Mandatory unless said otherwise for what the plan evaluates every unit on.
          indicators: data.indicators.map(({ mandatory, ...indicator }) => ({
            ...indicator,
            mandatory: mandatory ?? MANDATORY_BY_DEFAULT.includes(indicator.kind),
          })),
          gradingMethod: data.gradingMethod,
          gradeCutoffs: data.gradeCutoffs,
          minimumCoverage: data.minimumCoverage ?? 0,
        };
        const row = existing
          ? await evaluationStore.redefine(tx, existing.id, existing.version, definition)
          : await evaluationStore.insert(tx, {
              period: data.period,
              ...definition,
              createdBy: viewer.subject!,
              createdAt: now(),
              sample: deps.sample ?? false,
            });
        if (!row) throw conflict();
        // Every definition is kept, with who gave it and when: the evidence of the half year's rules.
        await evaluationStore.insertDefinition(tx, {
          evaluationId: row.id,
          version: row.version,
          ...definition,
          definedBy: viewer.subject!,
          definedAt: now(),
        });
        return row;
      });
    },

    async setIndicatorValue(raw: unknown) {
      const data = parseInput(input.indicatorValueInput, raw, 'input');
      const unit = await directory.unit(data.unitId);
      if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
      await access.prepare();
      return db.transaction(async (tx) => {
        const evaluation = await evaluationStore.get(tx, data.period, true);
        await access.mayActOnEvaluation('setIndicatorValue', evaluation?.status ?? 'NONE');
        const indicator = evaluation!.indicators.find((i) => i.code === data.indicator);
        if (!indicator)
          throw errors.badInput('input.indicator', {
            zh: `本次评估没有指标 ${data.indicator}`,
            en: `The evaluation has no indicator ${data.indicator}`,
          });
        if (!ENTERED_KINDS.includes(indicator.kind))
          throw errors.badInput('input.indicator', {
            zh: '该指标取自其他子图，不能录入',
            en: 'This indicator is read from another subgraph, not entered',
          });
        return evaluationStore.insertValue(tx, {
          evaluationId: evaluation!.id,
          unitId: data.unitId,
          indicator: data.indicator,
          value: data.value,
          source: data.source,
          enteredBy: viewer.subject!,
          enteredByUnitId: viewer.unitId,
          enteredAt: now(),
        });
      });
    },

    /** A whole table of one entered indicator (a survey's results): every row, or none. */
    async importIndicatorValues(raw: unknown) {
      const data = parseInput(input.indicatorImportInput, raw, 'input');
      const dir = await directory.current();
      data.rows.forEach((row, index) => {
        const unit = dir.unit(row.unitId);
        if (!unit || unit.archived)
          throw errors.badInput(`input.rows[${index}].unitId`, {
            zh: `第 ${index + 1} 行：没有该单位，或已撤销`,
            en: `Row ${index + 1}: no such active unit`,
          });
      });
      await access.prepare();
      return db.transaction(async (tx) => {
        const evaluation = await evaluationStore.get(tx, data.period, true);
        await access.mayActOnEvaluation('setIndicatorValue', evaluation?.status ?? 'NONE');
        const indicator = evaluation!.indicators.find((i) => i.code === data.indicator);
        if (!indicator)
          throw errors.badInput('input.indicator', {
            zh: `本次评估没有指标 ${data.indicator}`,
            en: `The evaluation has no indicator ${data.indicator}`,
          });
        if (!ENTERED_KINDS.includes(indicator.kind))
          throw errors.badInput('input.indicator', {
            zh: '该指标取自其他子图，不能录入',
            en: 'This indicator is read from another subgraph, not entered',
          });
        const at = now();
        const saved = [];
        for (const row of data.rows) {
          saved.push(
            await evaluationStore.insertValue(tx, {
              evaluationId: evaluation!.id,
              unitId: row.unitId,
              indicator: data.indicator,
              value: row.value,
              source: data.source,
              enteredBy: viewer.subject!,
              enteredByUnitId: viewer.unitId,
              enteredAt: at,
            }),
          );
        }
        return saved;
      });
    },

    async publishEvaluation(periodName: string): Promise<EvaluationRow> {
      const name = parseInput(input.period, periodName, 'period');
      await access.prepare();
      const draft = await evaluationStore.get(db, name);
      await access.mayActOnEvaluation('publishEvaluation', draft?.status ?? 'NONE');
      // A half year is frozen only once it has ended and its inputs are all in (the reports' due time).
      refuseEarlyPublication(draft!);
      // The other slices are asked first, outside the transaction; then everything of this slice is read and frozen in it.
      const remote = await remoteInputs(draft!);
      return db.transaction(async (tx) => {
        const evaluation = await evaluationStore.get(tx, name, true);
        await access.mayActOnEvaluation('publishEvaluation', evaluation?.status ?? 'NONE');
        if (evaluation!.version !== draft!.version) throw conflict();
        const results = await compute(tx, evaluation!, remote);
        await evaluationStore.insertResults(
          tx,
          results.map((r) => ({
            evaluationId: evaluation!.id,
            unitId: r.unitId,
            evaluated: r.evaluated,
            score: r.score,
            rank: r.rank,
            grade: r.grade,
            inputs: r.inputs,
          })),
        );
        return (await evaluationStore.publish(tx, evaluation!.id, evaluation!.version, now())) ?? Promise.reject(conflict());
      });
    },

    /** The instant after which the evaluation may be published. */
    publishableAfter: (evaluation: EvaluationRow) => publishableAfter(evaluation.period, evaluation.indicators)!,

    async recordEvaluationDecision(raw: unknown) {
      const data = parseInput(input.evaluationDecisionInput, raw, 'input');
      await access.prepare();
      return db.transaction(async (tx) => {
        const evaluation = await evaluationStore.get(tx, data.period, true);
        await access.mayActOnEvaluation('recordEvaluationDecision', evaluation?.status ?? 'NONE');
        const results = await evaluationStore.results(tx, [evaluation!.id]);
        if (!results.some((r) => r.unitId === data.unitId))
          throw errors.badInput('input.unitId', { zh: '该单位没有本次评估结果', en: 'The unit has no result in this evaluation' });
        return evaluationStore.insertDecision(tx, {
          evaluationId: evaluation!.id,
          unitId: data.unitId,
          kind: data.kind,
          text: data.text,
          decidedBy: viewer.subject!,
          decidedAt: now(),
        });
      });
    },

    async preview(evaluation: EvaluationRow): Promise<ResultView[] | null> {
      if (evaluation.status !== 'DRAFT' || !(await access.mayReadEvaluationDraft())) return null;
      return (await compute(db, evaluation, await remoteInputs(evaluation))).map((r) => toView(evaluation, r, true));
    },

    async results(evaluation: EvaluationRow): Promise<ResultView[] | null> {
      if (evaluation.status !== 'PUBLISHED') return null;
      const shown = await access.inputSources();
      return (await loaders.resultsByEvaluation.load(evaluation.id)).map((r) => ({
        ...frozenView(evaluation, r),
        inputs: shown(r.inputs),
      }));
    },

    /** The published results worked out again from their frozen inputs alone. */
    async recomputed(evaluation: EvaluationRow): Promise<ResultView[] | null> {
      if (evaluation.status !== 'PUBLISHED' || !(await access.mayReadEvaluationDraft())) return null;
      const frozen = await loaders.resultsByEvaluation.load(evaluation.id);
      const byUnit = new Map(frozen.map((r) => [r.unitId, new Map(r.inputs.map((i) => [i.indicator, i]))]));
      const raw = (unitId: string, indicator: IndicatorSpec): RawValue => {
        const input = byUnit.get(unitId)!.get(indicator.code)!;
        return { value: input.value, source: input.source, fetchedAt: input.fetchedAt };
      };
      return computeResults(frozen.map((r) => r.unitId).sort(), evaluation.indicators, raw, gradingOf(evaluation)).map((r) =>
        toView(evaluation, r, false),
      );
    },

    /** Every definition given, oldest first (the command office). */
    async definitions(evaluation: EvaluationRow) {
      if (!(await access.mayReadEvaluationDraft())) return null;
      return evaluationStore.definitions(db, evaluation.id);
    },

    async decisions(evaluation: EvaluationRow) {
      const rows = await evaluationStore.decisions(db, [evaluation.id]);
      if (await access.mayReadEvaluationDraft()) return rows;
      const own = await access.callerUnitId();
      return rows.filter((row) => row.unitId === own);
    },

    async unitGrade(unitId: string, periodName: string): Promise<ResultView | null> {
      const name = parseInput(input.period, periodName, 'period');
      const evaluation = await loaders.evaluationByPeriod.load(name);
      if (!evaluation || evaluation.status !== 'PUBLISHED') return null;
      const result = (await loaders.resultsByEvaluation.load(evaluation.id)).find((r) => r.unitId === unitId);
      return result ? { ...frozenView(evaluation, result), inputs: (await access.inputSources())(result.inputs) } : null;
    },

    // ───────────── the board ─────────────

    /**
     * One row per evaluated unit, in a constant number of statements: the latest city contest (1),
     * review figures (1), report punctuality (1 per quarter due, at most 3, plus 1), the evaluation
     * (1) and its frozen results (1) — or, for a draft, its entered values (1) and the other slices'
     * figures (1 call each).
     */
    async board(periodName: string | null | undefined, order: BoardOrder = 'SCORE_DESC'): Promise<BoardRowView[]> {
      const name = boardPeriod(periodName);
      const dates = halfYear(name);
      if (!dates) throw errors.badInput('period', { zh: '期间无效', en: 'Invalid period' });
      await access.mustReadBoard();
      const dir = await directory.current();
      const units = consideredUnits(dir);
      const range = { from: beijingMidnight(dates.from), to: endOfBeijingDay(dates.to) };
      const evaluationRead = loaders.evaluationByPeriod.load(name);
      const [contests, reviews, punctual, evaluation, published] = await Promise.all([
        evaluationStore.latestCityContest(db, dates.from, dates.to),
        // Count and satisfied only (the board's columns, and all the score reads).
        reviewStore.stats(
          db,
          units.map((unitId) => ({ unitId, key: unitId })),
          range,
          now(),
          { open: false },
        ),
        punctuality(quartersOfHalfYear(name)),
        evaluationRead,
        // A published evaluation's frozen results, read while the other figures are.
        evaluationRead.then((found) => (found?.status === 'PUBLISHED' ? loaders.resultsByEvaluation.load(found.id) : null)),
      ]);
      let results = new Map<string, ResultView>();
      let preview = false;
      if (published) results = new Map(published.map((r) => [r.unitId, frozenView(evaluation!, r)]));
      else if (evaluation) {
        preview = true;
        results = new Map(
          (await compute(db, evaluation, await remoteInputs(evaluation), { contests, reviews, punctual })).map((r) => [
            r.unitId,
            toView(evaluation, r, true),
          ]),
        );
      }
      const contestOf = new Map(contests.map((c) => [c.unitId, c]));
      const rows = units.map((unitId): BoardRowView => {
        const review = reviews.get(unitId) ?? emptyReviewFigures;
        const result = results.get(unitId);
        const unit = dir.unit(unitId)!;
        return {
          unitId,
          unitCode: unit.code,
          unitName: unit.name,
          domainCode: unit.domainCode ?? null,
          latestContestRank: contestOf.get(unitId)?.rank ?? null,
          contestsAgain: contestOf.get(unitId)?.contestsAgain ?? null,
          reviewSatisfactionRate: review.count > 0 ? review.satisfied / review.count : null,
          reviews: review.count,
          reportPunctuality: punctual.get(unitId) ?? null,
          score: result?.score ?? null,
          grade: result?.grade ?? null,
          evaluated: result ? result.evaluated : null,
          coverage: result?.coverage ?? null,
          preview,
          rank: result?.score === null || result?.score === undefined ? null : (result.rank ?? null),
        };
      });
      return orderBoard(rows, order, dir.domains);
    },

    /**
     * A short-lived link to one board file (period and format) for a person who may read the board,
     * opened by the gateway with this caller's own token (platform/download-links.ts).
     */
    async boardDownloadLink(periodName: string | null | undefined, format: BoardFileFormat): Promise<DownloadLinkView> {
      const name = boardPeriod(periodName);
      await access.mustReadBoard();
      const person = personOf(viewer);
      if (!deps.links) {
        throw errors.serviceUnavailable({
          zh: '未启用下载链接：请配置 DOWNLOAD_LINK_SECRET（或 JWT_SECRET）；文件仍可带 Authorization 头下载',
          en: 'Download links are not enabled: set DOWNLOAD_LINK_SECRET (or JWT_SECRET); the files still download with an Authorization header',
        });
      }
      // The board's rule admits signed-in people only, whose requests carry their token.
      if (!person || !deps.authorization) throw errors.unauthenticated();
      const fileFormat = format.toLowerCase();
      const { token, expiresAt } = await deps.links.issue(
        { resource: 'board', period: name, format: fileFormat, authorization: deps.authorization, person },
        now(),
      );
      const path = downloadPath('board', fileFormat, name, token);
      return { url: deps.links.publicUrl + path, path, period: name, format, expiresAt };
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

function cursorOfDate(cursor: string): { dueOn: string; id: string } {
  const [dueOn, id] = decodeCursor(cursor, 2);
  if (typeof dueOn !== 'string' || !isValidDate(dueOn) || typeof id !== 'string' || !isUuid(id)) {
    throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
  }
  return { dueOn, id };
}
