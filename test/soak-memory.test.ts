/**
 * The soak's memory verdict (bench/soak.ts memoryGrowth): a garbage collector's sawtooth is not
 * growth, a ceiling that climbs is.
 */
import { describe, expect, it } from 'vitest';
import { memoryGrowth } from '../bench/soak.ts';

const series = (values: number[]) => values.map((rss, index) => ({ t: index * 10, rss: { p: rss } }));

describe('the soak’s memory growth', () => {
  it('reads a sawtooth with a steady ceiling as no growth, whatever points its ends fall on', () => {
    // Warm-up at 300, then collections every few samples; the last sample is high, the first after warm-up low.
    const [growth] = memoryGrowth(series([300, 220, 300, 390, 250, 320, 390, 214, 285, 375, 390, 260, 330, 388, 300, 390]), ['p'], 10);
    expect(growth!.growth).toBeGreaterThan(0.5);
    expect(growth!.peakGrowth).toBeCloseTo(0, 2);
  });

  it('reads a ceiling that climbs third after third as growth', () => {
    const leaking = Array.from({ length: 30 }, (_, i) => 300 + i * 5 - (i % 3) * 40);
    const [growth] = memoryGrowth(series(leaking), ['p'], 0);
    expect(growth!.peakGrowth).toBeGreaterThan(0.2);
  });

  it('leaves the warm-up out', () => {
    const [growth] = memoryGrowth(series([100, 150, 300, 300, 300, 300, 300, 300]), ['p'], 20);
    expect(growth!.peakFirst).toBe(300);
    expect(growth!.peakGrowth).toBe(0);
  });
});
