/**
 * The board's row order (`board(orderBy)`), pure: by composite score, highest first, then by domain
 * in the plan's order (units of no domain — the districts — after the domains), then by unit name
 * in pinyin order; or by domain first; or by name. A unit without a score (no evaluation defined,
 * or not evaluated) comes after every unit with one, whatever its other figures.
 */
import type { BoardOrder } from './schema-types.ts';

export interface Orderable {
  unitName: string;
  domainCode: string | null;
  score: number | null;
}

/** Chinese names in pinyin order (ICU's zh collation), the order a Chinese index follows. */
const names = new Intl.Collator('zh-Hans-CN');

export function orderBoard<T extends Orderable>(rows: readonly T[], order: BoardOrder, domainCodes: readonly string[]): T[] {
  const position = new Map(domainCodes.map((code, index) => [code, index]));
  const domainOf = (row: T) => (row.domainCode === null ? domainCodes.length : (position.get(row.domainCode) ?? domainCodes.length));
  const byScore = (a: T, b: T) => (a.score === b.score ? 0 : a.score === null ? 1 : b.score === null ? -1 : b.score - a.score);
  const byDomain = (a: T, b: T) => domainOf(a) - domainOf(b);
  const byName = (a: T, b: T) => names.compare(a.unitName, b.unitName);
  const comparators = { SCORE_DESC: [byScore, byDomain, byName], DOMAIN: [byDomain, byScore, byName], NAME: [byName] }[order];
  return [...rows].sort((a, b) => {
    for (const compare of comparators) {
      const result = compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  });
}
