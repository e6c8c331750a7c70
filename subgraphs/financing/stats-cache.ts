/**
 * `financingStats` answers a process keeps, each with the mark of the figures it was computed at
 * (use-cases/figures.ts reads the mark in its one statement and computes only when it moved). Its
 * own module, so the context can hold the cache without importing a use case.
 */
import type { FinancingFigures } from './figures.ts';

export interface FiguresGroup {
  key: string;
  name: string;
  figures: FinancingFigures;
}

export interface FinancingStats {
  city: FinancingFigures | null;
  institutions: FiguresGroup[];
  branches: FiguresGroup[];
  districts: FiguresGroup[];
  categories: FiguresGroup[];
}

/** How many answers (scope × period) a process keeps; the oldest goes first. */
const CACHED_ANSWERS = 64;

/** Answers computed at a mark of the figures, by scope and period. */
export interface StatsCache {
  get(key: string): { mark: string; stats: FinancingStats } | undefined;
  set(key: string, entry: { mark: string; stats: FinancingStats }): void;
}

export function createStatsCache(size = CACHED_ANSWERS): StatsCache {
  const entries = new Map<string, { mark: string; stats: FinancingStats }>();
  return {
    get: (key) => entries.get(key),
    set(key, entry) {
      entries.delete(key);
      entries.set(key, entry);
      const oldest = entries.keys().next();
      if (entries.size > size && !oldest.done) entries.delete(oldest.value);
    },
  };
}
