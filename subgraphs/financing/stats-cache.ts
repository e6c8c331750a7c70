/**
 * `financingStats` answers a process keeps, each with the versions of the groups' figures it was
 * computed at (use-cases/figures.ts: its one statement computes only the groups whose version
 * moved). Its own module, so the context can hold the cache without importing a use case.
 */
import type { FinancingFigures } from './figures.ts';
import type { StatsRow } from './store.ts';

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

/** An answer kept: the rows it was made of (each with its group's version and the groups' mark), and the answer. */
export interface KeptStats {
  rows: StatsRow[];
  stats: FinancingStats;
}

/** Answers computed at versions of the figures, by scope and period. */
export interface StatsCache {
  get(key: string): KeptStats | undefined;
  set(key: string, entry: KeptStats): void;
}

export function createStatsCache(size = CACHED_ANSWERS): StatsCache {
  const entries = new Map<string, KeptStats>();
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
