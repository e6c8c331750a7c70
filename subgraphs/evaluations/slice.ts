/**
 * The evaluations slice, as the registry knows it: how units are compared — 擂台比武 contests with
 * public rankings, and 好差评 service reviews by enterprises and the public with their answers,
 * rectification, follow-ups and appeals. Run by the command office; units see their own.
 */
import type { SliceDefinition } from '../../platform/subgraph.ts';
import { evaluationsExamples } from './examples.ts';
import { loadEvaluationsSampleData } from './sample-data.ts';
import { createEvaluationsSubgraph } from './server.ts';

export const evaluations: SliceDefinition = {
  name: 'evaluations',
  title: { zh: '评价', en: 'Evaluations' },
  port: 4004,
  build: createEvaluationsSubgraph,
  sampleData: loadEvaluationsSampleData,
  examples: evaluationsExamples,
  mappers: {
    Contest: './store.ts#ContestRow',
    ContestEntry: './store.ts#EntryRow',
    ContestJudge: './store.ts#JudgeRow',
    ContestRanking: './service.ts#RankingRow',
    ContestScore: './store.ts#LatestScoreRow',
    ServiceReview: './store.ts#ReviewRow',
    ReviewAction: './store.ts#ReviewActionRow',
    ReviewStats: './store.ts#ReviewFigures',
    Unit: './store.ts#UnitReference',
    Domain: './store.ts#DomainReference',
  },
};
