/**
 * How a contest is scored, without a server (subgraphs/evaluations/scoring.ts): the extremes are
 * dropped from five judges on — not from four, and not only from six.
 */
import { describe, expect, it } from 'vitest';
import { entryScore, rank, type LatestScore } from '../subgraphs/evaluations/scoring.ts';

/** One entry scored by judges j1…jn on a single criterion of weight 100. */
const scoresOf = (totals: number[]): LatestScore[] =>
  totals.map((score, j) => ({ entryId: 'e', judgeId: `j${j + 1}`, criterion: 0, score }));
const ranked = (totals: number[]) => rank(['e'], [100], scoresOf(totals))[0]!;

describe('the trimmed mean of a contest entry', () => {
  it('averages every judge when four judged: nothing is dropped', () => {
    expect(entryScore([60, 70, 80, 94])).toBe(76);
    expect(ranked([60, 70, 80, 94])).toMatchObject({ score: 76, judgesCounted: 4 });
  });

  it('drops the highest and the lowest when five judged, and counts three', () => {
    // Untrimmed the mean would be 71.
    expect(entryScore([40, 70, 72, 74, 99])).toBe(72);
    expect(ranked([40, 70, 72, 74, 99])).toMatchObject({ score: 72, judgesCounted: 3 });
  });

  it('drops one highest and one lowest when six judged, and counts four', () => {
    expect(entryScore([10, 70, 72, 74, 76, 100])).toBe(73);
    expect(ranked([10, 70, 72, 74, 76, 100])).toMatchObject({ score: 73, judgesCounted: 4 });
  });

  it('drops only one of equal extremes', () => {
    expect(entryScore([60, 60, 80, 100, 100])).toBe(80);
  });

  it('scores nothing without a judge who scored every criterion', () => {
    expect(entryScore([])).toBeNull();
    expect(rank(['e'], [50, 50], [{ entryId: 'e', judgeId: 'j1', criterion: 0, score: 90 }])[0]).toMatchObject({
      score: null,
      judgesCounted: 0,
    });
  });
});
