/**
 * How a contest is scored (no I/O). A judge's total for an entry is the weighted sum of their latest
 * score on every criterion (weights sum to 100, so a total is on the 0–100 scale); a judge counts
 * for an entry only when they scored every criterion of it. With at least five judges counted, the
 * highest and the lowest total are dropped (one each), and the rest averaged. Scores are kept to
 * three decimals and compared at that precision, so equal scores rank equal (1, 1, 3). The last
 * place — every entry sharing the lowest rank, when more than one rank exists — contests again.
 */
export const DROP_EXTREMES_FROM = 5;

export interface LatestScore {
  entryId: string;
  judgeId: string;
  criterion: number;
  score: number;
}

export interface RankedEntry {
  entryId: string;
  rank: number;
  /** Null when no judge scored every criterion of the entry. */
  score: number | null;
  judgesCounted: number;
  judgeTotals: { judgeId: string; total: number }[];
  contestsAgain: boolean;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** Every judge's weighted total of one entry, only for judges who scored all criteria. */
export function judgeTotals(weights: readonly number[], scores: readonly LatestScore[]): { judgeId: string; total: number }[] {
  const byJudge = new Map<string, Map<number, number>>();
  for (const s of scores) {
    const judge = byJudge.get(s.judgeId) ?? new Map<number, number>();
    judge.set(s.criterion, s.score);
    byJudge.set(s.judgeId, judge);
  }
  const totals: { judgeId: string; total: number }[] = [];
  for (const [judgeId, criteria] of byJudge) {
    if (weights.some((_, index) => !criteria.has(index))) continue;
    // In hundredths of points times weight, as integers, so the sum does not drift.
    const hundredths = weights.reduce((sum, weight, index) => sum + Math.round((criteria.get(index) ?? 0) * 100) * weight, 0);
    totals.push({ judgeId, total: round3(hundredths / 10_000) });
  }
  return totals.sort((a, b) => a.judgeId.localeCompare(b.judgeId));
}

/** The entry's score from its judges' totals. */
export function entryScore(totals: readonly number[]): number | null {
  if (!totals.length) return null;
  let counted = [...totals].sort((a, b) => a - b);
  if (counted.length >= DROP_EXTREMES_FROM) counted = counted.slice(1, -1);
  return round3(counted.reduce((sum, total) => sum + total, 0) / counted.length);
}

/** The ranking of a contest's entries (in the order given for equal scores). */
export function rank(entryIds: readonly string[], weights: readonly number[], scores: readonly LatestScore[]): RankedEntry[] {
  const byEntry = new Map<string, LatestScore[]>(entryIds.map((id) => [id, []]));
  for (const s of scores) byEntry.get(s.entryId)?.push(s);
  const scored = entryIds.map((entryId) => {
    const totals = judgeTotals(weights, byEntry.get(entryId) ?? []);
    const score = entryScore(totals.map((t) => t.total));
    const judgesCounted = totals.length >= DROP_EXTREMES_FROM ? totals.length - 2 : totals.length;
    return { entryId, score, judgesCounted, judgeTotals: totals };
  });
  // Higher first; unscored entries last.
  const ordered = [...scored].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  const ranked: RankedEntry[] = [];
  ordered.forEach((entry, index) => {
    const previous = ranked[index - 1];
    const rankValue = previous && previous.score === entry.score ? previous.rank : index + 1;
    ranked.push({ ...entry, rank: rankValue, contestsAgain: false });
  });
  const lastRank = Math.max(0, ...ranked.map((r) => r.rank));
  if (new Set(ranked.map((r) => r.rank)).size > 1) for (const r of ranked) r.contestsAgain = r.rank === lastRank;
  return ranked;
}
