/**
 * 青融通's figures (`financingStats`), defined once. Every figure counts steps of demands by the day
 * (Beijing) they happened on — a period's figures are what happened in it — under the city, the
 * demand's district and product category, and the institution and branch the step concerns (its
 * event's `institution_id` / `branch_id`: the one the step names, else the demand's holder). Only
 * `recordDemandStep` (rows.ts) moves them, in the transaction of the step, from what this module
 * answers for the step; test/financing-figures.e2e.ts recounts them from the raw rows.
 *
 * - posted: POSTED and IMPORTED steps; amountAsked: their demands' amounts (never under an
 *   institution or branch: nobody holds a demand when it is posted);
 * - routed: ROUTED steps, under the city, district and category once, and under every institution
 *   (and the branch of it) the demand was routed to (its demand_routes rows);
 * - claimed, dispatched, chosen: CLAIMED, DISPATCHED, CHOSEN steps (under the holder);
 *   medianHoursToClaim: of those steps, the time from posting to the step, kept as counts per band
 *   of minutes (CLAIM_BANDS) and interpolated linearly within the band holding the median (as
 *   Prometheus' histogram_quantile does) — exact to the band's width: 5 minutes in the first
 *   quarter hour, 15–30 minutes up to an hour, … a week beyond 7 days; the last band (two weeks or
 *   more) answers its lower bound;
 * - approved, declined: APPROVED and DECLINED steps; medianWorkingDaysToDecision: of those, the
 *   step's `workingDaysToDecision` (whole working days), kept as counts per number of days 0 … 30
 *   (more than 30 counted as 31) — percentile_cont(0.5): exact up to 30;
 * - disbursed, amountLent, firstLoans/firstLoanAmount, pureCreditLoans/pureCreditAmount,
 *   averageRatePercent: DISBURSED steps and the loan each carries (the rate averaged over loans,
 *   unweighted);
 * - withdrawn: WITHDRAWN steps;
 * - pastLimit: time limits that stopped at or after their due time — met late, or lapsed (the claim
 *   returned the demand to the pool) — counted once (financing.limit_lateness) on the day they
 *   stopped, under the institution and branch whose clock it was (a claim limit: nobody's);
 * - ratings, averageRating: RATED steps, scored 5 (very satisfied) … 1.
 *
 * Medians cannot be summed; counts per band (per day) can, and are kept in the same rows, so a
 * period's medians cost no more than its sums.
 */
import { referenceDistricts } from '../../db/reference/organisation.ts';
import { beijingDate } from '../../platform/calendar.ts';
import { invariant } from '../../platform/invariant.ts';
import type { demandEvents, demands } from '../../db/financing.ts';

/** The rows as store.ts reads them (named here from the tables, so this module needs nothing of the store). */
type DemandRow = typeof demands.$inferSelect;
type DemandEventRow = typeof demandEvents.$inferSelect;

export type Dimension = 'CITY' | 'INSTITUTION' | 'BRANCH' | 'DISTRICT' | 'CATEGORY';
export type Measure = 'MINUTES_TO_CLAIM' | 'WORKING_DAYS_TO_DECISION';

/** The lower bounds (minutes) of the bands the time to claim is counted in; the last is open-ended. */
export const CLAIM_BANDS = [0, 5, 10, 15, 30, 60, 120, 180, 240, 360, 480, 720, 960, 1440, 2160, 2880, 4320, 5760, 7200, 10080, 20160];
/** Decisions are counted per whole working day 0 … 30, and beyond as 31. */
export const DECISION_DAYS = 32;

/** The band (index into CLAIM_BANDS) of a time to claim in minutes. */
export function claimBandOf(minutes: number): number {
  let band = 0;
  while (band + 1 < CLAIM_BANDS.length && minutes >= (CLAIM_BANDS[band + 1] ?? Infinity)) band += 1;
  return band;
}

/** The slot of a number of working days to decision. */
export const decisionSlotOf = (days: number) => Math.min(days, DECISION_DAYS - 1);

/**
 * The median of counts per band of minutes, in hours: the band holding the middle (half of the
 * total), interpolated linearly within it; the open-ended last band answers its lower bound.
 */
export function claimMedianHours(counts: readonly number[]): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (!total) return null;
  const rank = total / 2;
  let before = 0;
  for (let band = 0; band < CLAIM_BANDS.length; band += 1) {
    const n = counts[band] ?? 0;
    if (n > 0 && before + n >= rank) {
      const low = CLAIM_BANDS[band] ?? 0;
      const high = CLAIM_BANDS[band + 1];
      return (high === undefined ? low : low + ((high - low) * (rank - before)) / n) / 60;
    }
    before += n;
  }
  return null;
}

/** percentile_cont(0.5) of counts per whole number of working days: the mean of the two middle values. */
export function decisionMedianDays(counts: readonly number[]): number | null {
  const total = counts.reduce((sum, n) => sum + n, 0);
  if (!total) return null;
  const at = (index: number) => {
    let before = 0;
    for (let days = 0; days < counts.length; days += 1) {
      before += counts[days] ?? 0;
      if (index < before) return days;
    }
    return counts.length - 1;
  };
  return (at(Math.floor((total - 1) / 2)) + at(Math.ceil((total - 1) / 2))) / 2;
}

/** The kept counters, as financing.figures has them. */
export interface FigureParts {
  posted: number;
  routed: number;
  claimed: number;
  dispatched: number;
  chosen: number;
  approved: number;
  disbursed: number;
  declined: number;
  withdrawn: number;
  amountAsked: number;
  amountLent: number;
  firstLoans: number;
  firstLoanAmount: number;
  pureCreditLoans: number;
  pureCreditAmount: number;
  rateBpSum: number;
  pastLimit: number;
  ratings: number;
  ratingScoreSum: number;
}

export const PART_NAMES: (keyof FigureParts)[] = [
  'posted',
  'routed',
  'claimed',
  'dispatched',
  'chosen',
  'approved',
  'disbursed',
  'declined',
  'withdrawn',
  'amountAsked',
  'amountLent',
  'firstLoans',
  'firstLoanAmount',
  'pureCreditLoans',
  'pureCreditAmount',
  'rateBpSum',
  'pastLimit',
  'ratings',
  'ratingScoreSum',
];

export const emptyParts = (): FigureParts => ({
  posted: 0,
  routed: 0,
  claimed: 0,
  dispatched: 0,
  chosen: 0,
  approved: 0,
  disbursed: 0,
  declined: 0,
  withdrawn: 0,
  amountAsked: 0,
  amountLent: 0,
  firstLoans: 0,
  firstLoanAmount: 0,
  pureCreditLoans: 0,
  pureCreditAmount: 0,
  rateBpSum: 0,
  pastLimit: 0,
  ratings: 0,
  ratingScoreSum: 0,
});

/** One kept row's change: add `parts` to (dimension, key, day). */
export interface FigureChange {
  dimension: Dimension;
  key: string;
  day: string;
  parts: Partial<FigureParts>;
}

/** One more step that took `value` of a measure, kept under (dimension, key, day). */
export interface ValueChange {
  measure: Measure;
  dimension: Dimension;
  key: string;
  day: string;
  value: number;
}

/** The key of the city's row. */
export const CITY_KEY = '';

/** 好差评's five levels, scored. */
export const ratingScores: Record<NonNullable<DemandRow['rating']>, number> = {
  VERY_SATISFIED: 5,
  SATISFIED: 4,
  BASICALLY_SATISFIED: 3,
  UNSATISFIED: 2,
  VERY_UNSATISFIED: 1,
};

/** The product categories' names, as the schema's FinancialProductCategory describes them. */
export const categoryNames: Record<DemandRow['category'], string> = {
  CREDIT: '信用贷',
  MORTGAGE: '抵押贷',
  GUARANTEED: '担保贷',
  SUPPLY_CHAIN: '供应链金融',
  IP_PLEDGE: '知识产权质押',
  FIRST_LOAN: '首贷',
  RENEWAL: '续贷（无还本续贷）',
  AGRICULTURE: '涉农（金农通）',
  POLICY: '政策性',
};

/** The districts' names (reference data), by GB/T 2260 code. */
export const districtNames: ReadonlyMap<string, string> = new Map(referenceDistricts.map((district) => [district.code, district.name]));

/** The (dimension, key) pairs a step of `demand` counts under, with the institution and branch it concerns. */
export function keysOf(demand: Pick<DemandRow, 'districtCode' | 'category'>, institutionId: string | null, branchId: string | null) {
  const keys: { dimension: Dimension; key: string }[] = [
    { dimension: 'CITY', key: CITY_KEY },
    { dimension: 'DISTRICT', key: demand.districtCode },
    { dimension: 'CATEGORY', key: demand.category },
  ];
  if (institutionId) keys.push({ dimension: 'INSTITUTION', key: institutionId });
  if (branchId) keys.push({ dimension: 'BRANCH', key: branchId });
  return keys;
}

const number = (data: Record<string, unknown> | null, name: string, kind: string): number => {
  const value = data?.[name];
  invariant(typeof value === 'number' && Number.isFinite(value), `a ${kind} step's data carries ${name} as a number`);
  return value;
};
const flag = (data: Record<string, unknown> | null, name: string, kind: string): boolean => {
  const value = data?.[name];
  invariant(typeof value === 'boolean', `a ${kind} step's data carries ${name} as a boolean`);
  return value;
};

/** What one step adds to each of its keys (ROUTED aside: its institutions are the demand's routes). */
export function partsOfStep(demand: Pick<DemandRow, 'amount'>, event: Pick<DemandEventRow, 'kind' | 'data'>): Partial<FigureParts> {
  const { kind, data } = event;
  switch (kind) {
    case 'POSTED':
    case 'IMPORTED':
      return { posted: 1, amountAsked: demand.amount };
    case 'ROUTED':
      return { routed: 1 };
    case 'CLAIMED':
      return { claimed: 1 };
    case 'DISPATCHED':
      return { dispatched: 1 };
    case 'CHOSEN':
      return { chosen: 1 };
    case 'APPROVED':
      return { approved: 1 };
    case 'DECLINED':
      return { declined: 1 };
    case 'WITHDRAWN':
      return { withdrawn: 1 };
    case 'DISBURSED': {
      const amount = number(data, 'amount', kind);
      const firstLoan = flag(data, 'firstLoan', kind);
      const pureCredit = flag(data, 'pureCredit', kind);
      return {
        disbursed: 1,
        amountLent: amount,
        rateBpSum: number(data, 'rateBp', kind),
        firstLoans: firstLoan ? 1 : 0,
        firstLoanAmount: firstLoan ? amount : 0,
        pureCreditLoans: pureCredit ? 1 : 0,
        pureCreditAmount: pureCredit ? amount : 0,
      };
    }
    case 'RATED': {
      const rating = data?.rating;
      invariant(typeof rating === 'string' && rating in ratingScores, 'a RATED step carries its rating');
      return { ratings: 1, ratingScoreSum: ratingScores[rating as keyof typeof ratingScores] };
    }
    default:
      return {};
  }
}

/** The measure a step gives a value of, and the value: minutes to claim for a hold, working days for a decision. */
export function valueOfStep(
  demand: Pick<DemandRow, 'postedAt'>,
  event: Pick<DemandEventRow, 'kind' | 'data' | 'at'>,
): { measure: Measure; value: number } | null {
  if (event.kind === 'CLAIMED' || event.kind === 'DISPATCHED' || event.kind === 'CHOSEN') {
    return { measure: 'MINUTES_TO_CLAIM', value: Math.max(0, Math.floor((event.at.getTime() - demand.postedAt.getTime()) / 60_000)) };
  }
  if (event.kind === 'APPROVED' || event.kind === 'DECLINED') {
    const days = number(event.data, 'workingDaysToDecision', event.kind);
    invariant(Number.isInteger(days) && days >= 0, 'workingDaysToDecision is a whole number of working days');
    return { measure: 'WORKING_DAYS_TO_DECISION', value: days };
  }
  return null;
}

/** A limit recorded as stopped past its due time (financing.limit_lateness). */
export interface LateLimit {
  institutionId: string | null;
  branchId: string | null;
  stoppedAt: Date;
}

/**
 * Everything one step changes in the kept figures: the step's parts under its keys on its day, the
 * routes' institutions and branches for ROUTED, the lateness of limits it found stopped late.
 */
export function changesOfStep(
  demand: Pick<DemandRow, 'amount' | 'postedAt' | 'districtCode' | 'category'>,
  event: Pick<DemandEventRow, 'kind' | 'data' | 'at' | 'institutionId' | 'branchId'>,
  routes: { institutionId: string; branchId: string | null }[],
  late: LateLimit[],
): { figures: FigureChange[]; values: ValueChange[] } {
  const day = beijingDate(event.at);
  const parts = partsOfStep(demand, event);
  const figures: FigureChange[] = [];
  const values: ValueChange[] = [];
  if (Object.keys(parts).length) {
    for (const key of keysOf(demand, event.institutionId, event.branchId)) figures.push({ ...key, day, parts });
  }
  if (event.kind === 'ROUTED') {
    for (const route of routes) {
      figures.push({ dimension: 'INSTITUTION', key: route.institutionId, day, parts: { routed: 1 } });
      if (route.branchId) figures.push({ dimension: 'BRANCH', key: route.branchId, day, parts: { routed: 1 } });
    }
  }
  const value = valueOfStep(demand, event);
  if (value) for (const key of keysOf(demand, event.institutionId, event.branchId)) values.push({ ...value, ...key, day });
  for (const limit of late) {
    const lateDay = beijingDate(limit.stoppedAt);
    for (const key of keysOf(demand, limit.institutionId, limit.branchId)) figures.push({ ...key, day: lateDay, parts: { pastLimit: 1 } });
  }
  return { figures, values };
}

/** The first day of a day's month. */
export const monthOf = (day: string) => `${day.slice(0, 8)}01`;

const DIMENSION_ORDER: Record<Dimension, number> = { CITY: 0, INSTITUTION: 1, BRANCH: 2, DISTRICT: 3, CATEGORY: 4 };

/** One kept row's whole change: its parts, and the counts to add per band of minutes and per number of days. */
export interface RowChange {
  dimension: Dimension;
  key: string;
  day: string;
  parts: Partial<FigureParts>;
  claimBands: number[];
  decisionDays: number[];
}

/**
 * Changes of the same row added up, in the one order every transaction writes kept rows in: the
 * city's rows first (so whoever writes figures holds the city's row of that day before any other,
 * and two transactions never wait on each other's rows in opposite orders), then by dimension, key, day.
 */
export function mergeChanges(changes: FigureChange[], values: ValueChange[], period: (day: string) => string = (day) => day): RowChange[] {
  const merged = new Map<string, RowChange>();
  const rowOf = (change: { dimension: Dimension; key: string; day: string }) => {
    const day = period(change.day);
    const id = `${DIMENSION_ORDER[change.dimension]}|${change.key}|${day}`;
    let row = merged.get(id);
    if (!row) {
      row = { dimension: change.dimension, key: change.key, day, parts: {}, claimBands: [], decisionDays: [] };
      merged.set(id, row);
    }
    return row;
  };
  for (const change of changes) {
    const row = rowOf(change);
    for (const [name, amount] of Object.entries(change.parts) as [keyof FigureParts, number][]) {
      row.parts[name] = (row.parts[name] ?? 0) + amount;
    }
  }
  for (const value of values) {
    const row = rowOf(value);
    const [counts, slot] =
      value.measure === 'MINUTES_TO_CLAIM' ? [row.claimBands, claimBandOf(value.value)] : [row.decisionDays, decisionSlotOf(value.value)];
    counts[slot] = (counts[slot] ?? 0) + 1;
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** The figures the schema shows, from the summed parts and the medians. */
export interface FinancingFigures extends Omit<FigureParts, 'rateBpSum' | 'ratingScoreSum'> {
  medianHoursToClaim: number | null;
  medianWorkingDaysToDecision: number | null;
  averageRatePercent: number | null;
  averageRating: number | null;
}

export function figuresFrom(
  parts: FigureParts,
  bands: { claimBands: readonly number[]; decisionDays: readonly number[] },
): FinancingFigures {
  const { rateBpSum, ratingScoreSum, ...counts } = parts;
  return {
    ...counts,
    medianHoursToClaim: claimMedianHours(bands.claimBands),
    medianWorkingDaysToDecision: decisionMedianDays(bands.decisionDays),
    averageRatePercent: parts.disbursed ? rateBpSum / parts.disbursed / 100 : null,
    averageRating: parts.ratings ? ratingScoreSum / parts.ratings : null,
  };
}
