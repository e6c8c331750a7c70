/**
 * How a half year's composite score and grade are worked out (no I/O), the same way for the live
 * preview, for publication and for recomputing a published result from its frozen inputs.
 *
 * Normalisation to 0–100: rates (rectification, policy honouring, report punctuality, review
 * satisfaction) are taken as percentages (×100), so they mean the same every half year; a contest
 * score is already on 0–100; entered values (economic operation, surveys) are scaled min–max across
 * the units that have one (all equal: 100). Normalised values are rounded to 4 decimals.
 *
 * Coverage: a unit rests on the indicators it has a value for — so many of them, so much of the
 * weight. It is evaluated only when its data covers the evaluation: every mandatory indicator has a
 * value, and the weight with a value reaches the minimum coverage the command office set (and is
 * more than nothing). Otherwise it is not evaluated (未参评, insufficient data): no score, no rank, no
 * grade — never 较差 on no data — and its missing indicators are listed.
 *
 * An evaluated unit's composite is Σ weight × normalised ÷ Σ weight over the indicators it has a
 * value for — a missing optional value is left out and the other weights scaled up, never guessed —
 * rounded to 3 decimals. Evaluated units rank by composite, ties equal. Grades: by thresholds (score
 * ≥ the 优秀, 良好, 一般 cut-offs), or by quotas (ranks within the first ⌊share × evaluated units⌋
 * places, cumulatively; tied units share a grade) — quotas count evaluated units only.
 */
import { endOfBeijingDay } from '../../platform/calendar.ts';
import { present } from '../../platform/invariant.ts';
import { FIRST_YEAR, HALF_YEAR, halfYear, LAST_YEAR } from '../../platform/periods.ts';

export type GradeName = 'EXCELLENT' | 'GOOD' | 'FAIR' | 'POOR';

export const RATE_KINDS = ['RECTIFICATION', 'POLICY_HONOURING', 'REPORT_PUNCTUALITY', 'SERVICE_REVIEWS'];
export const ENTERED_KINDS = ['ECONOMIC_OPERATION', 'MARKET_SATISFACTION', 'PUBLIC_SATISFACTION'];

/**
 * The indicators mandatory unless the command office says otherwise: what the plan evaluates every
 * unit on (建章立制: 综合经济运行、市场主体满意度、群众满意度以及整治整改、打擂比武、督导检查). Policy
 * honouring and service reviews are optional by default: only units that grant policies or serve at
 * windows have them.
 */
export const MANDATORY_BY_DEFAULT = [
  'ECONOMIC_OPERATION',
  'MARKET_SATISFACTION',
  'PUBLIC_SATISFACTION',
  'RECTIFICATION',
  'CONTEST',
  'REPORT_PUNCTUALITY',
];

export interface IndicatorSpec {
  code: string;
  kind: string;
  weight: number;
  /** Absent (definitions published before the rule): not mandatory. */
  mandatory?: boolean;
}

export interface RawValue {
  value: number | null;
  source: string;
  fetchedAt: string;
  /** Answer sheets, when the value came from surveys. */
  responses?: number | null;
}

export interface ComputedInput extends RawValue {
  indicator: string;
  kind: string;
  normalised: number | null;
  weight: number;
  contribution: number;
}

/** What a unit's result rests on. */
export interface Coverage {
  /** indicators with a value */
  indicators: number;
  indicatorsTotal: number;
  /** the weight of the indicators with a value, 0–100 */
  weight: number;
  /** codes of the indicators without a value, in the definition's order */
  missing: string[];
}

export interface ComputedResult {
  unitId: string;
  evaluated: boolean;
  score: number | null;
  rank: number | null;
  grade: GradeName | null;
  coverage: Coverage;
  inputs: ComputedInput[];
}

export interface GradingRule {
  method: 'THRESHOLDS' | 'QUOTAS';
  cutoffs: readonly number[];
  /** the weight (0–100) with a value a unit needs, besides its mandatory indicators */
  minimumCoverage: number;
}

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

function normaliser(kind: string, values: (number | null)[]): (value: number | null) => number | null {
  if (RATE_KINDS.includes(kind)) return (v) => (v === null ? null : round(v * 100, 4));
  if (kind === 'CONTEST') return (v) => (v === null ? null : round(v, 4));
  const given = values.filter((v): v is number => v !== null);
  const min = Math.min(...given);
  const max = Math.max(...given);
  return (v) => (v === null ? null : max === min ? 100 : round(((v - min) / (max - min)) * 100, 4));
}

/** A unit's coverage from which of the indicators have a value. */
export function coverageOf(indicators: readonly IndicatorSpec[], hasValue: (indicator: IndicatorSpec) => boolean): Coverage {
  const present = indicators.filter(hasValue);
  return {
    indicators: present.length,
    indicatorsTotal: indicators.length,
    weight: present.reduce((sum, indicator) => sum + indicator.weight, 0),
    missing: indicators.filter((indicator) => !hasValue(indicator)).map((indicator) => indicator.code),
  };
}

/** Whether data of this coverage is enough to evaluate a unit. */
export function coversEvaluation(indicators: readonly IndicatorSpec[], coverage: Coverage, minimumCoverage: number): boolean {
  if (coverage.weight === 0 || coverage.weight < minimumCoverage) return false;
  return indicators.every((indicator) => indicator.mandatory !== true || !coverage.missing.includes(indicator.code));
}

export function computeResults(
  unitIds: readonly string[],
  indicators: readonly IndicatorSpec[],
  raw: (unitId: string, indicator: IndicatorSpec) => RawValue,
  grading: GradingRule,
): ComputedResult[] {
  const columns = indicators.map((indicator) => {
    const values = unitIds.map((unitId) => raw(unitId, indicator));
    return {
      indicator,
      values,
      normalise: normaliser(
        indicator.kind,
        values.map((r) => r.value),
      ),
    };
  });
  const scored = unitIds.map((unitId, u) => {
    const cells = columns.map(({ indicator, values, normalise }) => {
      const value = present(values[u], `the value of ${indicator.code} for ${unitId}`);
      return { indicator, value, normalised: normalise(value.value) };
    });
    const coverage = coverageOf(indicators, (indicator) => (cells[indicators.indexOf(indicator)]?.normalised ?? null) !== null);
    const evaluated = coversEvaluation(indicators, coverage, grading.minimumCoverage);
    const weightPresent = coverage.weight;
    const inputs: ComputedInput[] = cells.map(({ indicator, value, normalised }) => ({
      indicator: indicator.code,
      kind: indicator.kind,
      ...value,
      normalised,
      weight: indicator.weight,
      contribution: !evaluated || normalised === null ? 0 : round((indicator.weight * normalised) / weightPresent, 4),
    }));
    const score = evaluated
      ? round(
          cells.reduce((sum, { indicator, normalised }) => sum + (normalised === null ? 0 : indicator.weight * normalised), 0) /
            weightPresent,
          3,
        )
      : null;
    return { unitId, evaluated, score, coverage, inputs };
  });
  const ordered = scored
    .flatMap((row) => (row.evaluated && row.score !== null ? [{ ...row, score: row.score }] : []))
    .sort((a, b) => b.score - a.score || a.unitId.localeCompare(b.unitId));
  const ranks = new Map<string, number>();
  ordered.forEach((row, index) => {
    const previous = ordered[index - 1];
    ranks.set(row.unitId, previous && previous.score === row.score ? (ranks.get(previous.unitId) ?? index) : index + 1);
  });
  const grades: GradeName[] = ['EXCELLENT', 'GOOD', 'FAIR'];
  const gradeOf = (score: number, rank: number): GradeName => {
    if (grading.method === 'THRESHOLDS') return grades.find((_, i) => score >= (grading.cutoffs[i] ?? Infinity)) ?? 'POOR';
    let cumulative = 0;
    for (const [i, share] of grading.cutoffs.entries()) {
      cumulative += share;
      if (rank <= Math.floor(round(cumulative * ordered.length, 6))) return grades[i] ?? 'POOR';
    }
    return 'POOR';
  };
  const notEvaluated = scored.filter((row) => !row.evaluated).sort((a, b) => a.unitId.localeCompare(b.unitId));
  return [
    ...ordered.map((row) => {
      const rank = present(ranks.get(row.unitId), `the rank of ${row.unitId}`);
      return { ...row, rank, grade: gradeOf(row.score, rank) };
    }),
    ...notEvaluated.map((row) => ({ ...row, score: null, rank: null, grade: null })),
  ];
}

/** `2026-Q3` → its first and last day and when its report is due (24:00 of the 10th of the next month, Beijing). */
export function quarter(period: string): { from: string; to: string; dueOn: string } | null {
  const match = /^(\d{4})-Q([1-4])$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  if (year < FIRST_YEAR || year > LAST_YEAR) return null;
  const q = Number(match[2]);
  const pad = (n: number) => String(n).padStart(2, '0');
  const lastMonth = q * 3;
  const lastDay = new Date(Date.UTC(year, lastMonth, 0)).getUTCDate();
  const due = q === 4 ? `${year + 1}-01-10` : `${year}-${pad(lastMonth + 1)}-10`;
  return { from: `${year}-${pad(lastMonth - 2)}-01`, to: `${year}-${pad(lastMonth)}-${pad(lastDay)}`, dueOn: due };
}

/** The quarters of a half year, whose reports its evaluation counts: `2026-H2` → 2026-Q3, 2026-Q4. */
export function quartersOfHalfYear(period: string): string[] {
  const match = HALF_YEAR.exec(period);
  if (!match) return [];
  return match[2] === '1' ? [`${match[1]}-Q1`, `${match[1]}-Q2`] : [`${match[1]}-Q3`, `${match[1]}-Q4`];
}

/**
 * The instant after which a half year's evaluation may be published: the end of its last day
 * (24:00 Beijing) and, when it counts report punctuality, the due time of its last quarter's report
 * (24:00 of the 10th of the following month) — whichever is later. Until then its inputs are not
 * all in: publishing would freeze a half year that has not ended. The preview is there any time.
 */
export function publishableAfter(period: string, indicators: readonly { kind: string }[]): Date | null {
  const dates = halfYear(period);
  if (!dates) return null;
  const deadlines = [dates.to];
  if (indicators.some((i) => i.kind === 'REPORT_PUNCTUALITY'))
    deadlines.push(...quartersOfHalfYear(period).map((q) => present(quarter(q), `quarter ${q}`).dueOn));
  return endOfBeijingDay(deadlines.sort().at(-1) ?? dates.to);
}

/** The quarters whose reports fall due within [from, to] (dates); none before 2000 or after 2199. */

export function quartersDueWithin(from: string, to: string): string[] {
  const found: string[] = [];
  // The first quarter due in a year is the previous year's fourth; the range holds nothing outside the campaign's years.
  const first = Math.max(FIRST_YEAR, Number(from.slice(0, 4)) - 1);
  const last = Math.min(LAST_YEAR, Number(to.slice(0, 4)));
  for (let year = first; year <= last; year++) {
    for (let q = 1; q <= 4; q++) {
      const name = `${year}-Q${q}`;
      const due = present(quarter(name), `quarter ${name}`).dueOn;
      if (due >= from && due <= to) found.push(name);
    }
  }
  return found;
}
