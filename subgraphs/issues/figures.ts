/**
 * The command office's figures, defined once. The store's aggregate counts the parts below; this
 * module turns parts into figures, and says for every rate what its numerator and denominator are
 * (the README repeats these words; test/issues-figures.e2e.ts recounts each rate from raw rows).
 *
 * The cohort is the issues received in the period (all time when no period is given). Grouped by
 * unit, each part counts under the unit it belongs to: issue counts under the lead handler now;
 * a deadline under the unit whose clock it was (lateness stays with the unit that was late, also
 * after 转办); a rating under the unit that handled the rated round; a follow-up under the unit that
 * handled the item when the command office called. By environment, channel (source) or district,
 * everything counts under the issue's own value.
 *
 * A deadline is due when it was met, when it stopped unmet at or after its due time (LAPSED: the
 * item was reassigned, returned, merged or re-planned while late), or when it is still open and its
 * due time has passed. It was on time when it was met before its due time. A rate whose
 * denominator is zero is null, not zero: "nothing was due" is not "nothing was done".
 */

import { present } from '../../platform/invariant.ts';

/** What the aggregate counts, per group. */
export interface FigureParts {
  received: number;
  accepted: number;
  closed: number;
  overdueNow: number;
  reopened: number;
  dispatched: number;
  dispatchSeconds: number;
  resolvedSolved: number;
  resolvedServiceConfirmed: number;
  contactDue: number;
  contactOnTime: number;
  feedbackDue: number;
  feedbackOnTime: number;
  resolutionDue: number;
  resolutionOnTime: number;
  milestoneDue: number;
  milestoneOnTime: number;
  rated: number;
  ratedSolved: number;
  ratedSatisfied: number;
  firstRated: number;
  firstRatedSolved: number;
  firstRatedSatisfied: number;
  followedUp: number;
  followUpSatisfied: number;
}

export const emptyParts: FigureParts = {
  received: 0,
  accepted: 0,
  closed: 0,
  overdueNow: 0,
  reopened: 0,
  dispatched: 0,
  dispatchSeconds: 0,
  resolvedSolved: 0,
  resolvedServiceConfirmed: 0,
  contactDue: 0,
  contactOnTime: 0,
  feedbackDue: 0,
  feedbackOnTime: 0,
  resolutionDue: 0,
  resolutionOnTime: 0,
  milestoneDue: 0,
  milestoneOnTime: 0,
  rated: 0,
  ratedSolved: 0,
  ratedSatisfied: 0,
  firstRated: 0,
  firstRatedSolved: 0,
  firstRatedSatisfied: 0,
  followedUp: 0,
  followUpSatisfied: 0,
};

export interface RateDefinition {
  /** The IssueStats field that shows it. */
  field: string;
  zh: string;
  numerator: keyof FigureParts;
  denominator: keyof FigureParts;
}

/** Every rate: its numerator ÷ its denominator, both parts of the aggregate. */
export const rates = {
  RESPONSE: { field: 'responseRate', zh: '响应率', numerator: 'contactOnTime', denominator: 'contactDue' },
  FEEDBACK: { field: 'feedbackRate', zh: '答复率', numerator: 'feedbackOnTime', denominator: 'feedbackDue' },
  ON_TIME_RESOLUTION: { field: 'onTimeResolutionRate', zh: '按期办结率', numerator: 'resolutionOnTime', denominator: 'resolutionDue' },
  ON_TIME_MILESTONE: { field: 'onTimeMilestoneRate', zh: '节点按期完成率', numerator: 'milestoneOnTime', denominator: 'milestoneDue' },
  RECTIFICATION: { field: 'rectificationRate', zh: '整改率', numerator: 'closed', denominator: 'accepted' },
  RESOLUTION: { field: 'resolutionRate', zh: '解决率', numerator: 'ratedSolved', denominator: 'rated' },
  SATISFACTION: { field: 'satisfactionRate', zh: '满意率', numerator: 'ratedSatisfied', denominator: 'rated' },
  FIRST_ROUND_RESOLUTION: { field: 'firstRoundResolutionRate', zh: '首轮解决率', numerator: 'firstRatedSolved', denominator: 'firstRated' },
  FIRST_ROUND_SATISFACTION: {
    field: 'firstRoundSatisfactionRate',
    zh: '首轮满意率',
    numerator: 'firstRatedSatisfied',
    denominator: 'firstRated',
  },
  FOLLOW_UP_SATISFACTION: {
    field: 'followUpSatisfactionRate',
    zh: '回访满意率',
    numerator: 'followUpSatisfied',
    denominator: 'followedUp',
  },
} satisfies Record<string, RateDefinition>;

/** A rate's name, as the schema's `RateName` lists them. */
export type RateName = keyof typeof rates;

export const rateNames = Object.keys(rates) as RateName[];

export interface RateFigure {
  rate: RateName;
  value: number | null;
  numerator: number;
  denominator: number;
}

export interface IssueStats {
  received: number;
  accepted: number;
  closed: number;
  overdueNow: number;
  reopened: number;
  dispatched: number;
  averageDispatchHours: number | null;
  resolvedSolved: number;
  resolvedServiceConfirmed: number;
  rated: number;
  followedUp: number;
  responseRate: number | null;
  feedbackRate: number | null;
  onTimeResolutionRate: number | null;
  onTimeMilestoneRate: number | null;
  rectificationRate: number | null;
  resolutionRate: number | null;
  satisfactionRate: number | null;
  firstRoundResolutionRate: number | null;
  firstRoundSatisfactionRate: number | null;
  followUpSatisfactionRate: number | null;
  rates: RateFigure[];
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

export function rateFigure(parts: FigureParts, rate: RateName): RateFigure {
  const { numerator, denominator } = rates[rate];
  return { rate, value: ratio(parts[numerator], parts[denominator]), numerator: parts[numerator], denominator: parts[denominator] };
}

export function figuresFrom(parts: FigureParts): IssueStats {
  const figures = rateNames.map((rate) => rateFigure(parts, rate));
  const value = (rate: RateName) =>
    present(
      figures.find((figure) => figure.rate === rate),
      `the ${rate} figure`,
    ).value;
  return {
    received: parts.received,
    accepted: parts.accepted,
    closed: parts.closed,
    overdueNow: parts.overdueNow,
    reopened: parts.reopened,
    dispatched: parts.dispatched,
    averageDispatchHours: parts.dispatched ? parts.dispatchSeconds / parts.dispatched / 3600 : null,
    resolvedSolved: parts.resolvedSolved,
    resolvedServiceConfirmed: parts.resolvedServiceConfirmed,
    rated: parts.rated,
    followedUp: parts.followedUp,
    responseRate: value('RESPONSE'),
    feedbackRate: value('FEEDBACK'),
    onTimeResolutionRate: value('ON_TIME_RESOLUTION'),
    onTimeMilestoneRate: value('ON_TIME_MILESTONE'),
    rectificationRate: value('RECTIFICATION'),
    resolutionRate: value('RESOLUTION'),
    satisfactionRate: value('SATISFACTION'),
    firstRoundResolutionRate: value('FIRST_ROUND_RESOLUTION'),
    firstRoundSatisfactionRate: value('FIRST_ROUND_SATISFACTION'),
    followUpSatisfactionRate: value('FOLLOW_UP_SATISFACTION'),
    rates: figures,
  };
}

export interface Ranked<T> {
  item: T;
  figure: RateFigure;
  /** 1 for the best; equal figures share a rank (1, 1, 3); null when nothing was due. */
  rank: number | null;
}

/**
 * Ranks by one rate, best first, ties ranked equal. Figures are compared as exact fractions, so
 * 1/3 and 2/6 tie. Those with nothing due are listed last, unranked.
 */
export function rankBy<T>(entries: { item: T; parts: FigureParts }[], rate: RateName): Ranked<T>[] {
  const scored = entries.map(({ item, parts }) => ({ item, figure: rateFigure(parts, rate) }));
  const ranked = scored.filter((entry) => entry.figure.denominator > 0);
  const unranked = scored.filter((entry) => entry.figure.denominator === 0);
  // a/b vs c/d without floating point: compare a·d with c·b.
  const compare = (x: RateFigure, y: RateFigure) => y.numerator * x.denominator - x.numerator * y.denominator;
  ranked.sort((x, y) => compare(x.figure, y.figure));
  const result: Ranked<T>[] = [];
  ranked.forEach((entry, index) => {
    const previous = result[index - 1];
    const rank = previous && compare(previous.figure, entry.figure) === 0 ? previous.rank : index + 1;
    result.push({ ...entry, rank });
  });
  return [...result, ...unranked.map((entry) => ({ ...entry, rank: null }))];
}
