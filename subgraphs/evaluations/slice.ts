/**
 * The evaluations slice, as the registry knows it: how units are compared — 擂台比武 contests with
 * public rankings; 好差评 service reviews by enterprises and the public with their answers,
 * rectification, follow-ups and appeals; tackling tasks and quarterly reports (督导检查); the
 * half-yearly evaluation and grade; and the command office's board. Run by the command office;
 * units see their own.
 */
import type { SliceDefinition } from '../../platform/subgraph.ts';
import { evaluationsExamples } from './examples.ts';
import { applyEvaluationsReferenceData } from './reference-data.ts';
import { loadEvaluationsSampleData } from './sample-data.ts';
import { createEvaluationsSubgraph } from './server.ts';

export const evaluations: SliceDefinition = {
  name: 'evaluations',
  title: { zh: '评价', en: 'Evaluations' },
  port: 4004,
  build: createEvaluationsSubgraph,
  referenceData: applyEvaluationsReferenceData,
  sampleData: loadEvaluationsSampleData,
  examples: evaluationsExamples,
  mappers: {
    Contest: './store.ts#ContestRow',
    ContestEntry: './store.ts#EntryRow',
    ContestJudge: './store.ts#JudgeRow',
    ContestRanking: './views.ts#RankingRow',
    ContestScore: './store.ts#LatestScoreRow',
    ServiceReview: './store.ts#ReviewRow',
    ReviewAction: './store.ts#ReviewActionRow',
    ReviewStats: './views.ts#ReviewStatsView',
    Task: './store.ts#TaskRow',
    TaskMilestone: './store.ts#MilestoneRow',
    QuarterlyReport: './store.ts#ReportRow',
    QuarterlyReportStatus: './views.ts#ReportStatusRow',
    Evaluation: './store.ts#EvaluationRow',
    Indicator: './store.ts#IndicatorRow',
    EvaluationDefinition: './store.ts#DefinitionRow',
    EvaluationCoverage: './views.ts#CoverageView',
    EvaluationResult: './views.ts#ResultView',
    EvaluationInput: './store.ts#FrozenInputRow',
    IndicatorValue: './store.ts#IndicatorValueRow',
    EvaluationDecision: './store.ts#DecisionRow',
    BoardRow: './views.ts#BoardRowView',
    Survey: './store.ts#SurveyRow',
    SurveyResponse: './store.ts#SurveyResponseRow',
    SurveyAnswer: './store.ts#SurveyAnswerRow',
    SurveyResults: './views.ts#SurveyResultsView',
    Unit: './store.ts#UnitReference',
    Domain: './store.ts#DomainReference',
  },
};
