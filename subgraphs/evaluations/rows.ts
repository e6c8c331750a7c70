/**
 * The evaluations slice's rows as the kit changes them (platform/change.ts `changeRow`, `createRow`):
 * how each kind of row is named and loaded — locked for the rest of the transaction, so of two people
 * acting at once exactly one wins — and whether the caller may know it exists. A use case supplies
 * the rest: who may (access.ts), the next state, the write, and the record it leaves.
 *
 * What this slice records is kept as rows of their own, append-only by trigger (migrations 0001,
 * 0003): a review's steps (`review_actions`), an evaluation's definitions, entries, judges, scores,
 * results, milestones done, reports, values, decisions. Where the row written is itself that record,
 * a change appends nothing more (`keptByItself`).
 */
import type { RowKind } from '../../platform/change.ts';
import type { Queryable } from '../../db/client.ts';
import type { ContestExtras } from './access.ts';
import type { EvaluationsContext } from './context.ts';
import type { EvaluationState } from './rules.ts';
import {
  contestStore,
  entryStore,
  evaluationStore,
  judgeStore,
  milestoneStore,
  reviewStore,
  type ContestRow,
  type EntryRow,
  type EvaluationRow,
  type JudgeRow,
  type MilestoneRow,
  type ReviewRow,
  surveyStore,
  type SurveyRow,
} from './store.ts';

export const CONTEST = { zh: '擂台比武', en: 'Contest' };
export const REVIEW = { zh: '评价', en: 'Review' };
export const MILESTONE = { zh: '里程碑', en: 'Milestone' };
export const TASK = { zh: '攻坚事项', en: 'Task' };
export const REPORT = { zh: '季度报告', en: 'Quarterly report' };
export const EVALUATION = { zh: '效果评估', en: 'Evaluation' };
export const SURVEY = { zh: '问卷', en: 'Survey' };
export const SURVEY_RESPONSE = { zh: '答卷', en: 'Answer sheet' };

/** The CONFLICT wording of this slice for a write another one got in before. */
export const CHANGED = { zh: '已被他人修改，请刷新后重试', en: 'Changed by someone else; reload and try again' };

/** The record step of a change whose written row is itself the record: nothing more to append. */
export const keptByItself = async (): Promise<void> => {};

/** A contest as locked for a change, with its judges and entries as the same transaction reads them. */
export interface LockedContest {
  contest: ContestRow;
  judges: JudgeRow[];
  entries: EntryRow[];
  /** What the caller's standings on it depend on: whether they judge it, which units entered. */
  extras: ContestExtras;
}

/** A contest, by id: someone who may not even see it learns nothing about it (NOT_FOUND). */
export function contestRow(ctx: EvaluationsContext): RowKind<LockedContest, Queryable> {
  return {
    noun: CONTEST,
    async load(tx, id) {
      const contest = await contestStore.get(tx, id, true);
      if (!contest) return null;
      const [judges, entries] = await Promise.all([judgeStore.byContestIds(tx, [id]), entryStore.byContestIds(tx, [id])]);
      return { contest, judges, entries, extras: ctx.access.extrasOf(judges, entries) };
    },
    visible: async ({ contest, extras }) => (await ctx.access.contestView(contest, extras)) !== null,
    version: ({ contest }) => contest.version,
    state: ({ contest }) => contest.status,
  };
}

/** A service review, by id: hidden from whoever may not read it (NOT_FOUND). */
export function reviewRow(ctx: EvaluationsContext): RowKind<ReviewRow, Queryable> {
  return {
    noun: REVIEW,
    load: (tx, id) => reviewStore.get(tx, id, true),
    visible: (review) => ctx.access.canReadReview(review),
    state: (review) => review.status,
  };
}

/** A milestone of a tackling task, with its task's unit: hidden from whoever may not read that unit's work. */
export function milestoneRow(ctx: EvaluationsContext): RowKind<MilestoneRow & { unitId: string | null }, Queryable> {
  return {
    noun: MILESTONE,
    load: (tx, id) => milestoneStore.get(tx, id),
    visible: (milestone) => milestone.unitId !== null && ctx.access.canReadUnitWork(milestone.unitId),
  };
}

/** A half year's evaluation slot: the evaluation, or none yet (state NONE) — it is defined by the first change. */
export interface HalfYearEvaluation {
  period: string;
  evaluation: EvaluationRow | undefined;
}

export const evaluationState = (slot: HalfYearEvaluation): EvaluationState => slot.evaluation?.status ?? 'NONE';

/** A half year's evaluation, by period, locked while it exists; never NOT_FOUND (the rules refuse by state NONE). */
export const halfYearEvaluation: RowKind<HalfYearEvaluation, Queryable> = {
  noun: EVALUATION,
  load: async (tx, period) => ({ period, evaluation: await evaluationStore.get(tx, period, true) }),
  state: evaluationState,
};

/** A survey is open from its publication until 24:00 of its closing day. */
export const surveyState = (survey: SurveyRow, now: Date): 'OPEN' | 'CLOSED' =>
  now.getTime() >= survey.opensAt.getTime() && now.getTime() < survey.closesAt.getTime() ? 'OPEN' : 'CLOSED';

/** A survey, by id, as an answer is written to it (never changed itself: no lock); its state by the clock. */
export function surveyRow(ctx: EvaluationsContext): RowKind<SurveyRow, Queryable> {
  return {
    noun: SURVEY,
    load: (tx, id) => surveyStore.get(tx, id),
    state: (survey) => surveyState(survey, ctx.now()),
  };
}
