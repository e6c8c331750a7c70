/**
 * The shapes the evaluations slice answers that are not rows of its tables: what the use cases
 * work out (a ranking, a unit's figures, a result, a board row) and the generated resolver types
 * name as their mappers (slice.ts). Types only: the generated types import this file.
 */
import type { Coverage, GradeName } from './grading.ts';
import type { RankedEntry } from './scoring.ts';
import type { EntryRow, FrozenInputRow, IndicatorRow, Period, QuestionTally, ReportRow, ReviewFigures, SurveyRow } from './store.ts';

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
  grade: GradeName | null;
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

/** A survey's results as the API shows them: its questions' tallies beside the questions. */
export interface SurveyResultsView {
  survey: SurveyRow;
  responses: number;
  tallies: QuestionTally[];
}
