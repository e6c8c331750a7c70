/**
 * Thin resolvers of the evaluations slice: hand the arguments — the generated argument types, as one
 * object — to the use cases (use-cases/*.ts) with the request's `EvaluationsContext`, and map rows to
 * the schema's shapes. Their types come from the SDL (schema-types.ts, generated).
 */
import { present } from '../../platform/invariant.ts';
import { halfYear } from '../../platform/periods.ts';
import { ref } from '../../platform/refs.ts';
import { scalarResolvers } from '../../platform/scalars.ts';
import type { IndicatorKind, Resolvers } from './schema-types.ts';
import type { EvaluationRow, ReviewActionRow } from './store.ts';
import * as notices from './use-cases/notices.ts';
import * as boards from './use-cases/board.ts';
import * as contests from './use-cases/contests.ts';
import * as evaluations from './use-cases/evaluation.ts';
import * as reviews from './use-cases/reviews.ts';
import * as surveys from './use-cases/surveys.ts';
import * as tasks from './use-cases/tasks.ts';

const rate = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : null);
const action = (row: ReviewActionRow | undefined) => row ?? null;
const days = (evaluation: EvaluationRow) => present(halfYear(evaluation.period), `the half year of evaluation ${evaluation.period}`);

export const evaluationsResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    evaluationNotices: (_, args, { evaluations }) => notices.inbox(evaluations, args),
    evaluationNoticeSettings: (_, __, { evaluations }) => notices.settings(evaluations),
    evaluationWebhooks: (_, args, { evaluations }) => notices.webhooks(evaluations, args),
    evaluationWebhookDeadLetters: (_, args, { evaluations }) => notices.deadLetters(evaluations, args),
    contest: (_, args, { evaluations: ctx }) => contests.contest(ctx, args),
    contests: (_, args, { evaluations: ctx }) => contests.contests(ctx, args),
    serviceReviews: (_, args, { evaluations: ctx }) => reviews.serviceReviews(ctx, args),
    tasks: (_, args, { evaluations: ctx }) => tasks.tasks(ctx, args),
    quarterlyReportStatus: (_, args, { evaluations: ctx }) => tasks.quarterlyReportStatus(ctx, args),
    overdueTaskMilestones: (_, args, { evaluations: ctx }) => tasks.overdueMilestones(ctx, args),
    evaluation: (_, args, { evaluations: ctx }) => evaluations.evaluation(ctx, args),
    board: (_, args, { evaluations: ctx }) => boards.board(ctx, args),
    surveys: (_, args, { evaluations: ctx }) => surveys.surveys(ctx, args),
    survey: (_, args, { evaluations: ctx }) => surveys.survey(ctx, args),
    surveyTextAnswers: (_, args, { evaluations: ctx }) => surveys.textAnswers(ctx, args),
  },
  Mutation: {
    markEvaluationNoticesRead: (_, args, { evaluations }) => notices.markRead(evaluations, args),
    setEvaluationNoticeSettings: (_, args, { evaluations }) => notices.setSettings(evaluations, args),
    registerEvaluationWebhook: (_, args, { evaluations }) => notices.registerWebhook(evaluations, args),
    replayEvaluationWebhookDelivery: (_, args, { evaluations }) => notices.replay(evaluations, args),
    createContest: (_, args, { evaluations: ctx }) => contests.createContest(ctx, args),
    addContestEntry: (_, args, { evaluations: ctx }) => contests.addContestEntry(ctx, args),
    assignJudge: (_, args, { evaluations: ctx }) => contests.assignJudge(ctx, args),
    submitScores: (_, args, { evaluations: ctx }) => contests.submitScores(ctx, args),
    closeContest: (_, args, { evaluations: ctx }) => contests.closeContest(ctx, args),
    publishContest: (_, args, { evaluations: ctx }) => contests.publishContest(ctx, args),
    submitServiceReview: (_, args, { evaluations: ctx }) => reviews.submitServiceReview(ctx, args),
    answerServiceReview: (_, args, { evaluations: ctx }) => reviews.answerServiceReview(ctx, args),
    rectifyServiceReview: (_, args, { evaluations: ctx }) => reviews.rectifyServiceReview(ctx, args),
    recordReviewFollowUp: (_, args, { evaluations: ctx }) => reviews.recordReviewFollowUp(ctx, args),
    appealServiceReview: (_, args, { evaluations: ctx }) => reviews.appealServiceReview(ctx, args),
    decideReviewAppeal: (_, args, { evaluations: ctx }) => reviews.decideReviewAppeal(ctx, args),
    createTask: (_, args, { evaluations: ctx }) => tasks.createTask(ctx, args),
    completeTaskMilestone: (_, args, { evaluations: ctx }) => tasks.completeMilestone(ctx, args),
    submitQuarterlyReport: (_, args, { evaluations: ctx }) => tasks.submitQuarterlyReport(ctx, args),
    createEvaluation: (_, args, { evaluations: ctx }) => evaluations.createEvaluation(ctx, args),
    setIndicatorValue: (_, args, { evaluations: ctx }) => evaluations.setIndicatorValue(ctx, args),
    publishSurvey: (_, args, { evaluations: ctx }) => surveys.publishSurvey(ctx, args),
    answerSurvey: (_, args, { evaluations: ctx }) => surveys.answerSurvey(ctx, args),
    importIndicatorValues: (_, args, { evaluations: ctx }) => evaluations.importIndicatorValues(ctx, args),
    publishEvaluation: (_, args, { evaluations: ctx }) => evaluations.publishEvaluation(ctx, args),
    recordEvaluationDecision: (_, args, { evaluations: ctx }) => evaluations.recordEvaluationDecision(ctx, args),
    boardDownloadLink: (_, args, { evaluations: ctx }) => boards.boardDownloadLink(ctx, args),
  },
  Unit: {
    __resolveReference: (reference) => ({ id: reference.id }),
    // The units slice's fields, provided on the board; asked anywhere else directly, read from the directory copy.
    code: async (unit, _, { evaluations: ctx }) => unit.code ?? (await boards.unitLabel(ctx, unit.id)).code,
    name: async (unit, _, { evaluations: ctx }) => unit.name ?? (await boards.unitLabel(ctx, unit.id)).name,
    reviewStats: (unit, args, { evaluations: ctx }) => reviews.unitReviewStats(ctx, unit.id, args),
    grade: (unit, args, { evaluations: ctx }) => evaluations.unitGrade(ctx, unit.id, args),
    reportPunctuality: (unit, args, { evaluations: ctx }) => tasks.unitReportPunctuality(ctx, unit.id, args),
  },
  Domain: {
    __resolveReference: (reference) => ({ code: reference.code }),
  },
  Contest: {
    domain: (contest) => ref('code', contest.domainCode),
    unit: (contest) => ref('id', contest.unitId),
    criteria: (contest) => contest.criteria.map((c, index) => ({ index, name: c.name, weight: c.weight })),
    entries: (contest, _, { evaluations: ctx }) => contests.entries(ctx, contest),
    judges: (contest, _, { evaluations: ctx }) => contests.judges(ctx, contest),
    myScores: (contest, _, { evaluations: ctx }) => contests.myScores(ctx, contest),
    ranking: (contest, _, { evaluations: ctx }) => contests.ranking(ctx, contest),
    carriedOver: (contest, _, { evaluations: ctx }) => contests.carriedOver(ctx, contest),
  },
  ContestEntry: {
    unit: (entry) => ref('id', entry.unitId),
  },
  ContestRanking: {
    unit: (row) => ref('id', row.entry.unitId),
    entrantName: (row) => row.entry.entrantName,
  },
  ReviewStats: {
    satisfactionRate: (f) => rate(f.satisfied, f.count),
    rectificationRate: (f) => rate(f.rectified, f.badReviews),
    onTimeRate: (f) => rate(f.onTime, f.due),
    otherSources: (f, _, { evaluations: ctx }) => reviews.otherReviewSources(ctx, f),
    overallSatisfactionRate: async (f, _, { evaluations: ctx }) => {
      const others = await reviews.otherReviewSources(ctx, f);
      const total = f.count + others.reduce((sum, o) => sum + o.count, 0);
      const satisfied = f.satisfied + others.reduce((sum, o) => sum + (o.satisfactionRate ?? 0) * o.count, 0);
      return total > 0 ? satisfied / total : null;
    },
  },
  Task: {
    unit: (task) => ref('id', task.unitId),
    domain: (task) => ref('code', task.domainCode),
    milestones: (task, _, { evaluations: ctx }) => tasks.milestones(ctx, task),
  },
  TaskMilestone: {
    overdue: (milestone, _, { evaluations: ctx }) => tasks.milestoneOverdue(ctx, milestone),
    task: (milestone, _, { evaluations: ctx }) => tasks.taskOf(ctx, milestone),
  },
  QuarterlyReport: {
    unit: (report) => ({ id: report.unitId }),
  },
  QuarterlyReportStatus: {
    unit: (row) => ({ id: row.unitId }),
  },
  Evaluation: {
    from: (evaluation) => days(evaluation).from,
    to: (evaluation) => days(evaluation).to,
    preview: (evaluation, _, { evaluations: ctx }) => evaluations.preview(ctx, evaluation),
    results: (evaluation, _, { evaluations: ctx }) => evaluations.results(ctx, evaluation),
    recomputed: (evaluation, _, { evaluations: ctx }) => evaluations.recomputed(ctx, evaluation),
    decisions: (evaluation, _, { evaluations: ctx }) => evaluations.decisions(ctx, evaluation),
    publishableAfter: (evaluation) => evaluations.publishableAfter(evaluation),
    definitions: (evaluation, _, { evaluations: ctx }) => evaluations.definitions(ctx, evaluation),
  },
  Indicator: {
    kind: (indicator) => indicator.kind as IndicatorKind,
    // Definitions published before indicators could be mandatory have none.
    mandatory: (indicator) => indicator.mandatory === true,
  },
  EvaluationResult: {
    unit: (result) => ({ id: result.unitId }),
  },
  EvaluationInput: {
    kind: (input) => input.kind as IndicatorKind,
    fetchedAt: (input) => new Date(input.fetchedAt),
    responses: (input) => input.responses ?? null,
  },
  Survey: {
    unit: (row) => (row.unitId ? { id: row.unitId } : null),
    questions: (row) => row.questions.map((question, index) => ({ ...question, index })),
    state: (row, _, { evaluations: ctx }) => surveys.state(ctx, row),
    results: (row, _, { evaluations: ctx }) => surveys.results(ctx, row),
  },
  SurveyResults: {
    averageRating: (view) => surveys.averageRating(view),
    questions: (view) => surveys.questionResults(view),
  },
  SurveyResponse: {
    survey: (row, _, { evaluations: ctx }) => surveys.surveyOf(ctx, row),
    answers: (row, _, { evaluations: ctx }) => surveys.answersOf(ctx, row),
  },
  SurveyAnswer: {
    choices: (row) => row.choices ?? null,
  },
  IndicatorValue: {
    unit: (value) => ({ id: value.unitId }),
    enteredAt: (value) => value.enteredAt,
  },
  EvaluationDecision: {
    unit: (decision) => ({ id: decision.unitId }),
  },
  BoardRow: {
    unit: (row) => ({ id: row.unitId, code: row.unitCode, name: row.unitName }),
    domain: (row) => ref('code', row.domainCode),
  },
  ReviewAction: {
    provisional: (row) => row.lateProvisional,
  },
  ServiceReview: {
    unit: (review) => ({ id: review.unitId }),
    score: (review) => reviews.score(review),
    bad: (review) => review.level === 'UNSATISFIED' || review.level === 'VERY_UNSATISFIED',
    overdue: (review, _, { evaluations: ctx }) => reviews.overdue(ctx, review),
    provisional: (review) => review.pendingCalendarYear !== null,
    answer: async (review, _, { evaluations: ctx }) => action((await reviews.actions(ctx, review)).find((a) => a.kind === 'ANSWER')),
    rectification: async (review, _, { evaluations: ctx }) =>
      action((await reviews.actions(ctx, review)).find((a) => a.kind === 'RECTIFY')),
    followUps: async (review, _, { evaluations: ctx }) => (await reviews.actions(ctx, review)).filter((a) => a.kind === 'FOLLOW_UP'),
    appeal: async (review, _, { evaluations: ctx }) => action((await reviews.actions(ctx, review)).find((a) => a.kind === 'APPEAL')),
    appealDecision: async (review, _, { evaluations: ctx }) =>
      action((await reviews.actions(ctx, review)).find((a) => a.kind === 'APPEAL_DECISION')),
  },
};
