/**
 * Thin resolvers of the evaluations slice: hand the arguments to the service, map rows to the
 * schema's shapes. Their types come from the SDL (schema-types.ts, generated).
 */
import { period } from '../../platform/periods.ts';
import { ref } from '../../platform/refs.ts';
import { scalarResolvers } from '../../platform/scalars.ts';
import type { ReviewActionRow } from './store.ts';
import { halfYear } from './grading.ts';
import type { IndicatorKind, Resolvers } from './schema-types.ts';

const rate = (numerator: number, denominator: number) => (denominator > 0 ? numerator / denominator : null);
const action = (row: ReviewActionRow | undefined) => row ?? null;

export const evaluationsResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    contest: (_, { id }, { evaluations }) => evaluations.contest(id),
    contests: (_, { filter, first, after }, { evaluations }) => evaluations.contests(filter, { first, after }),
    serviceReviews: (_, { filter, first, after }, { evaluations }) =>
      evaluations.serviceReviews(filter && { ...filter, period: period(filter.period) }, { first, after }),
    tasks: (_, { filter, first, after }, { evaluations }) => evaluations.tasks(filter, { first, after }),
    quarterlyReportStatus: (_, { quarter, onlyProblems }, { evaluations }) =>
      evaluations.quarterlyReportStatus(quarter, onlyProblems ?? false),
    overdueTaskMilestones: (_, { first, after }, { evaluations }) => evaluations.overdueMilestones({ first, after }),
    evaluation: (_, { period: name }, { evaluations }) => evaluations.evaluation(name),
    board: (_, { period: name, orderBy }, { evaluations }) => evaluations.board(name, orderBy ?? undefined),
  },
  Mutation: {
    createContest: (_, { input }, { evaluations }) => evaluations.createContest(input),
    addContestEntry: (_, a, { evaluations }) => evaluations.addContestEntry(a.contestId, a.input),
    assignJudge: (_, a, { evaluations }) => evaluations.assignJudge(a.contestId, a.input),
    submitScores: (_, a, { evaluations }) => evaluations.submitScores(a.contestId, a.scores),
    closeContest: (_, { id }, { evaluations }) => evaluations.closeContest(id),
    publishContest: (_, { id }, { evaluations }) => evaluations.publishContest(id),
    submitServiceReview: (_, { input }, { evaluations }) => evaluations.submitServiceReview(input),
    answerServiceReview: (_, a, { evaluations }) => evaluations.answerServiceReview(a.id, a.answer),
    rectifyServiceReview: (_, a, { evaluations }) => evaluations.rectifyServiceReview(a.id, a.measures),
    recordReviewFollowUp: (_, a, { evaluations }) => evaluations.recordReviewFollowUp(a.id, a.input),
    appealServiceReview: (_, a, { evaluations }) => evaluations.appealServiceReview(a.id, a.reason),
    decideReviewAppeal: (_, a, { evaluations }) => evaluations.decideReviewAppeal(a.id, a.decision, a.reason),
    createTask: (_, { input }, { evaluations }) => evaluations.createTask(input),
    completeTaskMilestone: (_, a, { evaluations }) => evaluations.completeMilestone(a.id, a.note),
    submitQuarterlyReport: (_, { input }, { evaluations }) => evaluations.submitQuarterlyReport(input),
    createEvaluation: (_, { input }, { evaluations }) => evaluations.createEvaluation(input),
    setIndicatorValue: (_, { input }, { evaluations }) => evaluations.setIndicatorValue(input),
    importIndicatorValues: (_, { input }, { evaluations }) => evaluations.importIndicatorValues(input),
    publishEvaluation: (_, { period: name }, { evaluations }) => evaluations.publishEvaluation(name),
    recordEvaluationDecision: (_, { input }, { evaluations }) => evaluations.recordEvaluationDecision(input),
    boardDownloadLink: (_, { period: name, format }, { evaluations }) => evaluations.boardDownloadLink(name, format),
  },
  Unit: {
    __resolveReference: (reference) => ({ id: reference.id }),
    // The units slice's fields, provided on the board; asked anywhere else directly, read from the directory copy.
    code: async (unit, _, { evaluations }) => unit.code ?? (await evaluations.unitLabel(unit.id)).code,
    name: async (unit, _, { evaluations }) => unit.name ?? (await evaluations.unitLabel(unit.id)).name,
    reviewStats: async (unit, args, { evaluations }) => evaluations.unitReviewStats(unit.id, period(args.period)),
    grade: (unit, args, { evaluations }) => evaluations.unitGrade(unit.id, args.period),
    reportPunctuality: (unit, args, { evaluations }) => {
      if (args.period && args.period.from > args.period.to) period(args.period);
      return evaluations.unitReportPunctuality(unit.id, args.period ? { from: args.period.from, to: args.period.to } : null);
    },
  },
  Domain: {
    __resolveReference: (reference) => ({ code: reference.code }),
  },
  Contest: {
    domain: (contest) => ref('code', contest.domainCode),
    unit: (contest) => ref('id', contest.unitId),
    criteria: (contest) => contest.criteria.map((c, index) => ({ index, name: c.name, weight: c.weight })),
    entries: (contest, _, { evaluations }) => evaluations.entries(contest),
    judges: (contest, _, { evaluations }) => evaluations.judges(contest),
    myScores: (contest, _, { evaluations }) => evaluations.myScores(contest),
    ranking: (contest, _, { evaluations }) => evaluations.ranking(contest),
    carriedOver: (contest, _, { evaluations }) => evaluations.carriedOver(contest),
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
    otherSources: (f, _, { evaluations }) => evaluations.otherReviewSources(f),
    overallSatisfactionRate: async (f, _, { evaluations }) => {
      const others = await evaluations.otherReviewSources(f);
      const total = f.count + others.reduce((sum, o) => sum + o.count, 0);
      const satisfied = f.satisfied + others.reduce((sum, o) => sum + (o.satisfactionRate ?? 0) * o.count, 0);
      return total > 0 ? satisfied / total : null;
    },
  },
  Task: {
    unit: (task) => ref('id', task.unitId),
    domain: (task) => ref('code', task.domainCode),
    milestones: (task, _, { evaluations }) => evaluations.milestones(task),
  },
  TaskMilestone: {
    overdue: (milestone, _, { evaluations }) => evaluations.milestoneOverdue(milestone),
    task: (milestone, _, { evaluations }) => evaluations.task(milestone),
  },
  QuarterlyReport: {
    unit: (report) => ({ id: report.unitId }),
  },
  QuarterlyReportStatus: {
    unit: (row) => ({ id: row.unitId }),
  },
  Evaluation: {
    from: (evaluation) => halfYear(evaluation.period)!.from,
    to: (evaluation) => halfYear(evaluation.period)!.to,
    preview: (evaluation, _, { evaluations }) => evaluations.preview(evaluation),
    results: (evaluation, _, { evaluations }) => evaluations.results(evaluation),
    recomputed: (evaluation, _, { evaluations }) => evaluations.recomputed(evaluation),
    decisions: (evaluation, _, { evaluations }) => evaluations.decisions(evaluation),
    publishableAfter: (evaluation, _, { evaluations }) => evaluations.publishableAfter(evaluation),
    definitions: (evaluation, _, { evaluations }) => evaluations.definitions(evaluation),
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
    score: (review, _, { evaluations }) => evaluations.score(review.level),
    bad: (review) => review.level === 'UNSATISFIED' || review.level === 'VERY_UNSATISFIED',
    overdue: (review, _, { evaluations }) => evaluations.overdue(review),
    provisional: (review) => review.pendingCalendarYear !== null,
    answer: async (review, _, { evaluations }) => action((await evaluations.actions(review)).find((a) => a.kind === 'ANSWER')),
    rectification: async (review, _, { evaluations }) => action((await evaluations.actions(review)).find((a) => a.kind === 'RECTIFY')),
    followUps: async (review, _, { evaluations }) => (await evaluations.actions(review)).filter((a) => a.kind === 'FOLLOW_UP'),
    appeal: async (review, _, { evaluations }) => action((await evaluations.actions(review)).find((a) => a.kind === 'APPEAL')),
    appealDecision: async (review, _, { evaluations }) =>
      action((await evaluations.actions(review)).find((a) => a.kind === 'APPEAL_DECISION')),
  },
};
