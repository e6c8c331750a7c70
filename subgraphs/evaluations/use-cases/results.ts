/**
 * A half year's results, worked out from every input (grading.ts `computeResults`) the same way for
 * the live preview, the board and publication: this slice's own figures (the latest city contest,
 * review satisfaction, report punctuality, values entered) read from its store, the other slices'
 * (rectification, policy honouring) asked of their public APIs before any transaction. Shared by
 * evaluation.ts, board.ts and tasks.ts; nothing here writes.
 */
import { beijingMidnight, endOfBeijingDay } from '../../../platform/calendar.ts';
import type { Directory } from '../../../platform/directory.ts';
import { present } from '../../../platform/invariant.ts';
import { halfYear } from '../../../platform/periods.ts';
import type { Queryable } from '../../../db/client.ts';
import type { EvaluationsContext } from '../context.ts';
import {
  computeResults,
  coverageOf,
  quarter as quarterOf,
  quartersOfHalfYear,
  type ComputedResult,
  type Coverage,
  type GradingRule,
  type IndicatorSpec,
  type RawValue,
} from '../grading.ts';
import {
  evaluationStore,
  reportStore,
  reviewStore,
  surveyStore,
  type EvaluationResultRow,
  type EvaluationRow,
  type ReviewFigures,
  type SurveySatisfaction,
} from '../store.ts';
import type { DutyFigures } from '../remote.ts';
import type { CoverageView, ResultView } from '../views.ts';

/** Units an evaluation considers: active city and county units that answer for work (not the command office); each is then evaluated or not by its data. */
export function consideredUnits(directory: Directory): string[] {
  return [...directory.units.values()]
    .filter((u) => !u.archived && u.kind !== 'COMMAND_OFFICE' && u.kind !== 'OTHER' && (u.level === 'CITY' || u.level === 'COUNTY'))
    .map((u) => u.id)
    .sort();
}

/** The first and last day of an evaluation's half year (stored only once valid). */
export const datesOf = (evaluation: EvaluationRow) =>
  present(halfYear(evaluation.period), `the half year of evaluation ${evaluation.period}`);

/** A half year's days as the instants its figures are counted between. */
export const rangeOf = (dates: { from: string; to: string }) => ({ from: beijingMidnight(dates.from), to: endOfBeijingDay(dates.to) });

function coverageView(evaluation: EvaluationRow, coverage: Coverage): CoverageView {
  return {
    ...coverage,
    missing: coverage.missing.map((code) =>
      present(
        evaluation.indicators.find((i) => i.code === code),
        `indicator ${code} of the evaluation`,
      ),
    ),
  };
}

export const toView = (evaluation: EvaluationRow, result: ComputedResult, preview: boolean): ResultView => ({
  ...result,
  coverage: coverageView(evaluation, result.coverage),
  preview,
});

/** A published result as frozen; its coverage read from its frozen inputs against the frozen definition. */
export function frozenView(evaluation: EvaluationRow, row: EvaluationResultRow): ResultView {
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
export const gradingOf = (evaluation: EvaluationRow): GradingRule => ({
  method: evaluation.gradingMethod,
  cutoffs: evaluation.gradeCutoffs,
  minimumCoverage: evaluation.minimumCoverage,
});

/** The quarter's report due time. */
const dueOfQuarter = (name: string) => endOfBeijingDay(present(quarterOf(name), `quarter ${name}`).dueOn);

/**
 * Report punctuality per unit over the reports of the given quarters already due: the first
 * filing on time ÷ the units expected to report (those with a tackling task by the due date). The
 * evaluation and the board count a half year's own quarters — and, given `duties`, the plan's dated
 * duties due in the half year (方案备案, 自查问题清单: their first filing on time ÷ the duties expected
 * of the unit, from the issues slice), both in one rate; `Unit.reportPunctuality(period)` the
 * quarters whose reports fall due in the period.
 */
export async function punctuality(
  ctx: EvaluationsContext,
  ofQuarters: readonly string[],
  store: Queryable = ctx.db,
  duties: ReadonlyMap<string, DutyFigures> = new Map(),
): Promise<Map<string, number | null>> {
  const nowAt = ctx.now().getTime();
  const quarters = ofQuarters.filter((q) => dueOfQuarter(q).getTime() < nowAt);
  const [expectedBy, reports] = await Promise.all([
    Promise.all(quarters.map((q) => reportStore.expectedUnits(store, dueOfQuarter(q)))),
    reportStore.byQuarters(store, quarters),
  ]);
  const due = new Map<string, number>();
  const onTime = new Map<string, number>();
  quarters.forEach((q, index) => {
    for (const unitId of expectedBy[index] ?? []) {
      due.set(unitId, (due.get(unitId) ?? 0) + 1);
      const first = reports.find((r) => r.unitId === unitId && r.quarter === q && r.version === 1);
      if (first && !first.late) onTime.set(unitId, (onTime.get(unitId) ?? 0) + 1);
    }
  });
  for (const [unitId, figures] of duties) {
    if (figures.expected === 0) continue;
    due.set(unitId, (due.get(unitId) ?? 0) + figures.expected);
    onTime.set(unitId, (onTime.get(unitId) ?? 0) + figures.onTime);
  }
  return new Map([...due].map(([unitId, n]) => [unitId, (onTime.get(unitId) ?? 0) / n]));
}

export interface RemoteInputs {
  /** The directory as it was read here — before any transaction — and the units it evaluates. */
  directory: Directory;
  units: string[];
  at: string;
  rectification: Map<string, number | null>;
  honouring: Map<string, number | null>;
  /** The plan's duties due in the half year, per unit (counted in report punctuality). */
  planDuties: Map<string, DutyFigures>;
}

/** What the other slices say, asked before any transaction (and only for the kinds the evaluation uses). */
export async function remoteInputs(
  ctx: EvaluationsContext,
  evaluation: EvaluationRow,
  knownDuties?: Map<string, DutyFigures>,
): Promise<RemoteInputs> {
  const dates = datesOf(evaluation);
  const dir = await ctx.directory.current();
  const units = consideredUnits(dir);
  const uses = (kind: string) => evaluation.indicators.some((i) => i.kind === kind);
  const [rectification, honouring, planDuties] = await Promise.all([
    uses('RECTIFICATION') ? ctx.figures.rectification(units, dates) : new Map<string, number | null>(),
    uses('POLICY_HONOURING') ? ctx.figures.policyHonouring(units, dates) : new Map<string, number | null>(),
    knownDuties ?? (uses('REPORT_PUNCTUALITY') ? ctx.figures.planDuties(units, dates) : new Map<string, DutyFigures>()),
  ]);
  return { directory: dir, units, at: ctx.now().toISOString(), rectification, honouring, planDuties };
}

/** This slice's own figures of a half year, as the board reads them beside the evaluation (or `compute` alone). */
export interface OwnFigures {
  contests: Awaited<ReturnType<typeof evaluationStore.latestCityContest>>;
  reviews: Map<string, ReviewFigures>;
  punctual: Map<string, number | null>;
}

/**
 * The satisfaction indicators' source (issue #26 §6): the surveys published in the half year about a
 * unit — to enterprises for MARKET_SATISFACTION, to the public for PUBLIC_SATISFACTION. Where one
 * exists the value is its answers' (the average rating × 20, on the 0–100 scale of the scores once
 * typed in) with the answer sheets counted, and nothing is typed in by hand for it; elsewhere the
 * entered value stays.
 */
export const SURVEYED_KINDS: Record<string, SurveySatisfaction['audience']> = {
  MARKET_SATISFACTION: 'ENTERPRISES',
  PUBLIC_SATISFACTION: 'PUBLIC',
};
const surveyKey = (unitId: string, audience: string) => `${unitId}/${audience}`;

/** Every unit's survey satisfaction of the evaluation's half year, by unit and audience. */
export async function surveySatisfaction(store: Queryable, evaluation: EvaluationRow): Promise<Map<string, SurveySatisfaction>> {
  if (!evaluation.indicators.some((i) => i.kind in SURVEYED_KINDS)) return new Map();
  const range = rangeOf(datesOf(evaluation));
  const rows = await surveyStore.satisfaction(store, range.from, range.to);
  return new Map(rows.map((row) => [surveyKey(row.unitId, row.audience), row]));
}

function surveyValue(found: SurveySatisfaction, period: string, at: string): RawValue {
  const who = found.audience === 'ENTERPRISES' ? 'enterprises' : 'the public';
  const average = found.average === null ? 'no rating' : `average rating ${found.average.toFixed(2)} of 5`;
  return {
    value: found.average === null ? null : Math.round(found.average * 20 * 100) / 100,
    source: `evaluations: ${found.surveys} survey(s) of ${who} about the unit published ${period}, ${found.responses} answer sheet(s), ${average} (× 20)`,
    fetchedAt: at,
    responses: found.responses,
  };
}

/** Who entered a value, as a result shows it: the unit, by code and name. */
function enteringUnit(directory: Directory, unitId: string | null): string {
  const unit = unitId ? directory.unit(unitId) : null;
  if (unit) return `unit ${unit.code} ${unit.name}`;
  // Kept before the unit was: only the command office may enter values (rules.ts).
  return 'the command office';
}

/** This slice's own figures of the evaluation's half year, read on `store` (the units `remote` considers). */
async function ownFigures(ctx: EvaluationsContext, store: Queryable, evaluation: EvaluationRow, remote: RemoteInputs): Promise<OwnFigures> {
  const units = remote.units;
  const dates = datesOf(evaluation);
  const [contests, reviews, punctual] = await Promise.all([
    evaluationStore.latestCityContest(store, dates.from, dates.to),
    reviewStore.stats(
      store,
      units.map((unitId) => ({ unitId, key: unitId })),
      rangeOf(dates),
      ctx.now(),
      { open: false },
    ),
    punctuality(ctx, quartersOfHalfYear(evaluation.period), store, remote.planDuties),
  ]);
  return { contests, reviews, punctual };
}

/** Every unit's result from every input, read now (this slice's own on `store`, the others' from `remote`). */
export async function compute(
  ctx: EvaluationsContext,
  store: Queryable,
  evaluation: EvaluationRow,
  remote: RemoteInputs,
  known?: OwnFigures,
): Promise<ComputedResult[]> {
  const dates = datesOf(evaluation);
  const [entered, own, surveyed] = await Promise.all([
    evaluationStore.latestValues(store, evaluation.id),
    known ?? ownFigures(ctx, store, evaluation, remote),
    surveySatisfaction(store, evaluation),
  ]);
  const enteredBy = new Map(entered.map((v) => [`${v.unitId}/${v.indicator}`, v]));
  const contestBy = new Map(own.contests.map((c) => [c.unitId, c]));
  const at = ctx.now().toISOString();
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
          value: own.punctual.get(unitId) ?? null,
          source: `evaluations: quarterly reports of ${quartersOfHalfYear(evaluation.period).join(', ')} already due, first filing on time; issues: Unit.planDutyFigures(${period}) plan duties, first filing on time`,
          fetchedAt: at,
        };
      case 'SERVICE_REVIEWS': {
        const f = own.reviews.get(unitId);
        return {
          value: f && f.count > 0 ? f.satisfied / f.count : null,
          source: `evaluations: service reviews ${period}, satisfaction rate`,
          fetchedAt: at,
        };
      }
      default: {
        const audience = SURVEYED_KINDS[indicator.kind];
        const found = audience ? surveyed.get(surveyKey(unitId, audience)) : undefined;
        if (found) return surveyValue(found, period, at);
        const v = enteredBy.get(`${unitId}/${indicator.code}`);
        // The unit that entered it, never the account: results are public once published.
        return {
          value: v?.value ?? null,
          source: v
            ? `entered by ${enteringUnit(remote.directory, v.enteredByUnitId)} at ${v.enteredAt.toISOString()}: ${v.source}`
            : 'not entered',
          fetchedAt: v ? v.enteredAt.toISOString() : at,
        };
      }
    }
  };
  return computeResults(remote.units, evaluation.indicators, raw, gradingOf(evaluation));
}
