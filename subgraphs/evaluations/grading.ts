/**
 * How a half year's composite score and grade are worked out (no I/O), the same way for the live
 * preview, for publication and for recomputing a published result from its frozen inputs.
 *
 * Normalisation to 0–100: rates (rectification, policy honouring, report punctuality, review
 * satisfaction) are taken as percentages (×100), so they mean the same every half year; a contest
 * score is already on 0–100; entered values (economic operation, surveys) are scaled min–max across
 * the units that have one (all equal: 100). Normalised values are rounded to 4 decimals.
 * A unit's composite is Σ weight × normalised ÷ Σ weight over the indicators it has a value for — a
 * missing value is left out and the other weights scaled up, never guessed — rounded to 3 decimals.
 * Units rank by composite, ties equal. Grades: by thresholds (score ≥ the 优秀, 良好, 一般 cut-offs),
 * or by quotas (ranks within the first ⌊share × units⌋ places, cumulatively; tied units share a grade).
 */
export type GradeName = 'EXCELLENT' | 'GOOD' | 'FAIR' | 'POOR';

export const RATE_KINDS = ['RECTIFICATION', 'POLICY_HONOURING', 'REPORT_PUNCTUALITY', 'SERVICE_REVIEWS'];
export const ENTERED_KINDS = ['ECONOMIC_OPERATION', 'MARKET_SATISFACTION', 'PUBLIC_SATISFACTION'];

export interface IndicatorSpec {
  code: string;
  kind: string;
  weight: number;
}

export interface RawValue {
  value: number | null;
  source: string;
  fetchedAt: string;
}

export interface ComputedInput extends RawValue {
  indicator: string;
  kind: string;
  normalised: number | null;
  weight: number;
  contribution: number;
}

export interface ComputedResult {
  unitId: string;
  score: number;
  rank: number;
  grade: GradeName;
  inputs: ComputedInput[];
}

const round = (value: number, digits: number) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

function normaliser(kind: string, values: (number | null)[]): (value: number | null) => number | null {
  if (RATE_KINDS.includes(kind)) return (v) => (v === null ? null : round(v * 100, 4));
  if (kind === 'CONTEST') return (v) => (v === null ? null : round(v, 4));
  const present = values.filter((v): v is number => v !== null);
  const min = Math.min(...present);
  const max = Math.max(...present);
  return (v) => (v === null ? null : max === min ? 100 : round(((v - min) / (max - min)) * 100, 4));
}

export function computeResults(
  unitIds: readonly string[],
  indicators: readonly IndicatorSpec[],
  raw: (unitId: string, indicator: IndicatorSpec) => RawValue,
  grading: { method: 'THRESHOLDS' | 'QUOTAS'; cutoffs: readonly number[] },
): ComputedResult[] {
  const rawByIndicator = indicators.map((indicator) => unitIds.map((unitId) => raw(unitId, indicator)));
  const normalisers = indicators.map((indicator, i) => normaliser(indicator.kind, rawByIndicator[i]!.map((r) => r.value)));
  const scored = unitIds.map((unitId, u) => {
    const normalised = indicators.map((_, i) => normalisers[i]!(rawByIndicator[i]![u]!.value));
    const weightPresent = indicators.reduce((sum, indicator, i) => sum + (normalised[i] === null ? 0 : indicator.weight), 0);
    const inputs: ComputedInput[] = indicators.map((indicator, i) => ({
      indicator: indicator.code,
      kind: indicator.kind,
      ...rawByIndicator[i]![u]!,
      normalised: normalised[i]!,
      weight: indicator.weight,
      contribution: normalised[i] === null || weightPresent === 0 ? 0 : round((indicator.weight * normalised[i]!) / weightPresent, 4),
    }));
    const score = weightPresent === 0 ? 0 : round(indicators.reduce((sum, indicator, i) => sum + (normalised[i] === null ? 0 : indicator.weight * normalised[i]!), 0) / weightPresent, 3);
    return { unitId, score, inputs };
  });
  const ordered = [...scored].sort((a, b) => b.score - a.score || a.unitId.localeCompare(b.unitId));
  const ranks = new Map<string, number>();
  ordered.forEach((row, index) => {
    const previous = ordered[index - 1];
    ranks.set(row.unitId, previous && previous.score === row.score ? ranks.get(previous.unitId)! : index + 1);
  });
  const grades: GradeName[] = ['EXCELLENT', 'GOOD', 'FAIR'];
  const gradeOf = (score: number, rank: number): GradeName => {
    if (grading.method === 'THRESHOLDS') return grades.find((_, i) => score >= grading.cutoffs[i]!) ?? 'POOR';
    let cumulative = 0;
    for (const [i, share] of grading.cutoffs.entries()) {
      cumulative += share;
      if (rank <= Math.floor(round(cumulative * unitIds.length, 6))) return grades[i]!;
    }
    return 'POOR';
  };
  return ordered.map((row) => ({ ...row, rank: ranks.get(row.unitId)!, grade: gradeOf(row.score, ranks.get(row.unitId)!) }));
}

/** The years the campaign's periods may name: a half year or quarter outside them names nothing. */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2199;

/** `2026-H1` → its first and last day. */
export function halfYear(period: string): { from: string; to: string } | null {
  const match = /^(\d{4})-H([12])$/.exec(period);
  if (!match) return null;
  const year = Number(match[1]);
  if (year < FIRST_YEAR || year > LAST_YEAR) return null;
  return match[2] === '1' ? { from: `${year}-01-01`, to: `${year}-06-30` } : { from: `${year}-07-01`, to: `${year}-12-31` };
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

/** The quarters whose reports fall due within [from, to] (dates); none before 2000 or after 2199. */
export function quartersDueWithin(from: string, to: string): string[] {
  const found: string[] = [];
  // The first quarter due in a year is the previous year's fourth; the range holds nothing outside the campaign's years.
  const first = Math.max(FIRST_YEAR, Number(from.slice(0, 4)) - 1);
  const last = Math.min(LAST_YEAR, Number(to.slice(0, 4)));
  for (let year = first; year <= last; year++) {
    for (let q = 1; q <= 4; q++) {
      const name = `${year}-Q${q}`;
      const due = quarter(name)!.dueOn;
      if (due >= from && due <= to) found.push(name);
    }
  }
  return found;
}
