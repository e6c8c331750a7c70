import DataLoader from 'dataloader';
import type { Db } from '../../db/client.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { figuresLoader, groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import {
  contestStore,
  emptyReviewFigures,
  entryStore,
  evaluationStore,
  judgeStore,
  milestoneStore,
  resultStore,
  reviewActionStore,
  reviewStore,
  scoreStore,
  taskStore,
  type LatestScoreRow,
  type Period,
} from './store.ts';

export type EvaluationsLoaders = ReturnType<typeof createEvaluationsLoaders>;

/**
 * Built per request. The figures loader keeps "every unit's review figures in one gateway request"
 * at one aggregate statement per period: the gateway's `_entities` call hands every unit over at once.
 */
export function createEvaluationsLoaders(db: Db, directory: DirectorySource, now: () => Date) {
  return {
    contestById: keyedLoader(
      (ids: readonly string[]) => contestStore.byIds(db, ids),
      (row) => row.id,
    ),
    entriesByContest: groupedLoader(
      (ids: readonly string[]) => entryStore.byContestIds(db, ids),
      (row) => row.contestId,
    ),
    judgesByContest: groupedLoader(
      (ids: readonly string[]) => judgeStore.byContestIds(db, ids),
      (row) => row.contestId,
    ),
    resultsByContest: groupedLoader(
      (ids: readonly string[]) => resultStore.byContestIds(db, ids),
      (row) => row.contestId,
    ),
    latestScoresByContest: new DataLoader<string, LatestScoreRow[]>(async (ids) => {
      const rows = await scoreStore.latest(db, ids);
      return ids.map((id) => rows.filter((row) => row.contestId === id));
    }),
    reviewById: keyedLoader(
      (ids: readonly string[]) => reviewStore.byIds(db, ids),
      (row) => row.id,
    ),
    actionsByReview: groupedLoader(
      (ids: readonly string[]) => reviewActionStore.byReviewIds(db, ids),
      (row) => row.reviewId,
    ),
    taskById: keyedLoader(
      (ids: readonly string[]) => taskStore.byIds(db, ids),
      (row) => row.id,
    ),
    milestonesByTask: groupedLoader(
      (ids: readonly string[]) => milestoneStore.byTaskIds(db, ids),
      (row) => row.taskId,
    ),
    evaluationByPeriod: keyedLoader(
      (periods: readonly string[]) => evaluationStore.byPeriods(db, periods),
      (row) => row.period,
    ),
    resultsByEvaluation: groupedLoader(
      (ids: readonly string[]) => evaluationStore.results(db, ids),
      (row) => row.evaluationId,
    ),
    reviewStats: figuresLoader(
      (groups, period: Period | null) => reviewStore.stats(db, groups, period, now()),
      emptyReviewFigures,
      directory,
    ),
  };
}
