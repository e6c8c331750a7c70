/**
 * A period's kept figures are read as whole months plus the days at either edge
 * (platform/calendar.ts `keptRanges`, used by the issues and policies slices): together they must cover every day of the period exactly once, and nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keptRanges } from '../platform/calendar.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daysOf = (from: string, until: string) => {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t < Date.parse(`${until}T00:00:00Z`); t += DAY) out.push(iso(t));
  return out;
};

describe('the kept ranges of a period', () => {
  it('reads a calendar year as twelve months and no days, and a partial month as days only', () => {
    expect(keptRanges({ from: '2023-01-01', to: '2023-12-31' })).toEqual({ months: { from: '2023-01-01', until: '2024-01-01' }, days: [] });
    expect(keptRanges({ from: '2023-03-05', to: '2023-03-20' })).toEqual({
      months: null,
      days: [{ from: '2023-03-05', until: '2023-03-21' }],
    });
    expect(keptRanges({ from: '2023-01-15', to: '2023-03-10' })).toEqual({
      months: { from: '2023-02-01', until: '2023-03-01' },
      days: [
        { from: '2023-01-15', until: '2023-02-01' },
        { from: '2023-03-01', until: '2023-03-11' },
      ],
    });
  });

  it('covers every day of any period exactly once', () => {
    const start = Date.parse('2023-01-01T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 800 }), (offset, length) => {
        const from = iso(start + offset * DAY);
        const to = iso(start + (offset + length) * DAY);
        const ranges = keptRanges({ from, to });
        const covered = [
          ...(ranges.months ? daysOf(ranges.months.from, ranges.months.until) : []),
          ...ranges.days.flatMap((r) => daysOf(r.from, r.until)),
        ].sort();
        expect(covered).toEqual(daysOf(from, iso(start + (offset + length + 1) * DAY)));
        if (ranges.months) expect(ranges.months.from.endsWith('-01') && ranges.months.until.endsWith('-01')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
