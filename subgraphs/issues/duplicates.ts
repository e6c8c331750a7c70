/**
 * Duplicate appeals at intake (多头反映, issue #26 §7), without I/O: how alike two issues are, why,
 * and which of the two a merge folds into the other.
 *
 * **Candidates** (the store finds them, index-only): issues received within 30 days either side,
 * from any channel, not rejected or merged, that share the enterprise (credit code) or hold one of
 * the subject's rarer search terms (the character pairs of platform/search-text.ts, migration 0014).
 *
 * **Text similarity** is the Ochiai coefficient of the two texts' character pairs (title and
 * description), each pair weighted by its rarity — the weight the two share over the geometric mean
 * of each text's total. A pair's weight is `−ln(frequency)`, the share of all issues that hold it,
 * from PostgreSQL's own statistics of the `search_terms` column (`pg_stats.most_common_elems`, kept
 * by ANALYZE / autovacuum); a pair too rare to be listed there counts at half the rarest listed
 * frequency, as PostgreSQL's planner estimates it. Without statistics (a table never analysed)
 * every pair weighs the same. Single characters (a run's last) are left out: they say little.
 *
 * **Place**: the district column, and the places the texts name — a road, street, village,
 * estate, park, market, port… (`PLACE_SUFFIXES`) or a house number — as the two characters before
 * the ending and the ending (九水东路 → 水东路, 128号), common words (道路, 农村, 市场监管) and
 * anonymised names (某工业园) left out.
 *
 * **The score** (0–1): the text similarity, plus `BONUS` for the same enterprise, a named place
 * both hold (not counted for one enterprise's two items: its own address is in both), the same
 * unit, the same district. Two items that name places and share none, or lie in two districts with
 * no named place in common, are about different places: not duplicates, however alike the words —
 * unless one enterprise sent both. Listed when at least `DUPLICATE_THRESHOLD`, best first, at most
 * `first` (5 by default). The labelled set that chose these figures, and their precision and
 * recall, are in subgraphs/issues/README.md.
 */
import { wordRuns } from '../../platform/search-text.ts';
import type { IssueRow } from './store.ts';

/** Within how many days (either side of the subject's receipt) a duplicate is looked for. */
export const DUPLICATE_WINDOW_DAYS = 30;
/** The lowest score listed. */
export const DUPLICATE_THRESHOLD = 0.27;
/** How many duplicates a field lists at most. */
export const MAX_DUPLICATES = 20;
/**
 * How many of the subject's rarest pairs the store looks candidates up by (the GIN index) at most,
 * and how many issues they may be in together (estimated): the posting lists read whole, whatever
 * the 30-day window — a budget of 50,000 entries is a few tens of milliseconds.
 */
export const ANCHOR_TERMS = 48;
export const ANCHOR_BUDGET = 50_000;
/** How many candidates are scored at most (the nearest in time first). */
export const MAX_CANDIDATES = 300;

const BONUS = { enterprise: 0.05, place: 0.15, unit: 0.05, district: 0.05 } as const;

/** Endings of the places a text names (longest first, so 工业园 is not read as 园). */
export const PLACE_SUFFIXES = [
  '港',
  '工业园',
  '产业园',
  '大道',
  '社区',
  '小区',
  '园区',
  '广场',
  '大厦',
  '市场',
  '码头',
  '公园',
  '商城',
  '街道',
  '路',
  '街',
  '巷',
  '村',
  '镇',
];

/** A place ending that is a common word with the character before it (道路, 农村), not a name. */
const GENERIC_PLACES = new Set([
  '道路',
  '马路',
  '线路',
  '思路',
  '出路',
  '销路',
  '电路',
  '门路',
  '公路',
  '铁路',
  '网路',
  '农村',
  '乡村',
  '城镇',
  '乡镇',
  '城市场',
  '进港',
  '出港',
  '入港',
  '离港',
  '在港',
  '香港',
  '海港',
]);
/** Two characters before an ending that say "the street where it is", not which one. */
const GENERIC_BEFORE = new Set([
  '所在',
  '当地',
  '辖区',
  '相关',
  '属地',
  '有关',
  '周边',
  '附近',
  '沿街',
  '临街',
  '主要',
  '部分',
  '各个',
  '城市',
  '农贸',
  '菜市',
]);
/** 市场 followed by these is the market as a economy or its regulator (市场监管, 市场主体), not a place. */
const MARKET_WORDS = new Set([...'监主准化秩经价需行营竞环']);

const HAN_CHAR = /^\p{Script=Han}$/u;

/** How rare each search term is: its weight, from the statistics of the issues' terms. */
export interface TermRarity {
  weight(term: string): number;
  /** Whether the weights come from statistics (false: every term weighs 1). */
  measured: boolean;
  /** The estimated number of issues that hold the term (null without statistics). */
  issues(term: string): number | null;
  /** How many issues the table holds (estimated; 0 when unknown). */
  rows: number;
}

/** The terms' frequencies as PostgreSQL's statistics give them (`most_common_elems`, `most_common_elem_freqs`). */
export interface TermStatistics {
  terms: string[];
  /** One per term, then the minimum, the maximum and the null fraction (PostgreSQL's layout). */
  frequencies: number[];
  /** The table's estimated row count (pg_class.reltuples). */
  rows: number;
}

export function rarityOf(stats: TermStatistics | null): TermRarity {
  if (!stats || stats.terms.length === 0) return { weight: () => 1, measured: false, issues: () => null, rows: stats?.rows ?? 0 };
  const byTerm = new Map(stats.terms.map((term, i) => [term, stats.frequencies[i] ?? 0]));
  const listed = stats.frequencies.slice(0, stats.terms.length).filter((f) => f > 0);
  const floor = Math.max(1e-7, Math.min(...listed) / 2);
  const frequency = (term: string) => Math.min(1, Math.max(byTerm.get(term) ?? floor, 1e-7));
  // A term in every issue weighs a little, never nothing (−ln 1 = 0 would drop it from both sums).
  return {
    weight: (term) => Math.max(0.05, -Math.log(frequency(term))),
    measured: true,
    issues: (term) => frequency(term) * stats.rows,
    rows: stats.rows,
  };
}

/** The pairs (and other words) that count for similarity: a lone Han character says too little. */
export const scoringTerms = (terms: readonly string[]) => terms.filter((t) => !([...t].length === 1 && HAN_CHAR.test(t)));

/**
 * The subject's pairs to look candidates up by in the GIN index: its rarest first, at most
 * `ANCHOR_TERMS`, while the issues they are in add up to no more than `ANCHOR_BUDGET` (a common
 * pair's posting list is long, and a duplicate shares rarer pairs too). Without statistics a small
 * table (within the budget) is looked up by every pair, a large one by none (the enterprise
 * alone) — autovacuum analyses the table, and migration 0014 did. As a tsquery literal of
 * alternatives; null when none.
 */
export function anchorsOf(terms: readonly string[], rarity: TermRarity): string | null {
  if (!rarity.measured && rarity.rows > ANCHOR_BUDGET) return null;
  const ranked: string[] = [];
  let budget = ANCHOR_BUDGET;
  for (const t of scoringTerms(terms).sort((a, b) => rarity.weight(b) - rarity.weight(a) || (a < b ? -1 : 1))) {
    const cost = rarity.issues(t) ?? 0;
    if (ranked.length >= ANCHOR_TERMS || cost > budget) break;
    ranked.push(t);
    budget -= cost;
  }
  if (!ranked.length) return null;
  return ranked.map((t) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`).join(' | ');
}

/** The places a text names, as keys: the two characters before a place ending and the ending; a house number. */
export function placesOf(text: string): Set<string> {
  const places = new Set<string>();
  const runs = wordRuns(text);
  runs.forEach(({ run, han }, i) => {
    if (!han) {
      // 128号: a number followed by a Han run starting with 号.
      if (/^[0-9]+$/.test(run) && runs[i + 1]?.run.startsWith('号')) places.add(`${run}号`);
      return;
    }
    const chars = [...run];
    for (let end = 0; end < chars.length; end++) {
      for (const suffix of PLACE_SUFFIXES) {
        const length = [...suffix].length;
        if (chars.slice(end, end + length).join('') !== suffix) continue;
        const before = chars.slice(end - 2, end).join('');
        const generic =
          GENERIC_PLACES.has(`${chars[end - 1] ?? ''}${suffix}`) ||
          GENERIC_BEFORE.has(before) ||
          before.includes('某') ||
          (suffix === '市场' && MARKET_WORDS.has(chars[end + length] ?? ''));
        if (end >= 2 && !generic) places.add(before + suffix);
        end += length - 1;
        break;
      }
    }
  });
  return places;
}

/** What the scoring needs of an issue: the row and its search terms (title and description). */
export interface Scored {
  row: IssueRow;
  terms: readonly string[];
}

export type ReasonKind = 'SAME_ENTERPRISE' | 'SIMILAR_TEXT' | 'SAME_UNIT' | 'SAME_PLACE';

export interface DuplicateReasonView {
  kind: ReasonKind;
  sharedTerms: string[];
  enterprise: string | null;
  unitId: string | null;
  districtCode: string | null;
}

export interface DuplicateView {
  row: IssueRow;
  score: number;
  reasons: DuplicateReasonView[];
  daysApart: number;
  merge: { id: string; intoId: string; expectedVersion: number } | null;
}

const textOf = (row: IssueRow) => `${row.title}\n${row.description}`;
const unitsOf = (row: IssueRow) => [row.proposedUnitId, row.responsibleUnitId].filter((id): id is string => id !== null);
const reason = (kind: ReasonKind, parts: Partial<DuplicateReasonView> = {}): DuplicateReasonView => ({
  kind,
  sharedTerms: [],
  enterprise: null,
  unitId: null,
  districtCode: null,
  ...parts,
});

/** The two texts' weighted overlap (Ochiai: shared weight over the geometric mean of each text's), and the shared pairs. */
function textSimilarity(a: readonly string[], b: readonly string[], rarity: TermRarity) {
  const mine = new Set(scoringTerms(a));
  const theirs = new Set(scoringTerms(b));
  const weight = (t: string) => rarity.weight(t);
  let own = 0;
  let other = 0;
  let common = 0;
  const shared = new Set<string>();
  for (const t of mine) {
    own += weight(t);
    if (theirs.has(t)) {
      common += weight(t);
      shared.add(t);
    }
  }
  for (const t of theirs) other += weight(t);
  return { similarity: own && other ? common / Math.sqrt(own * other) : 0, shared };
}

/**
 * The shared pairs as the words a reader sees: the longest spans of the subject's text whose every
 * pair the other text holds too (办税服务厅, not 办税 税服 服务 务厅), weightiest first.
 */
export function sharedPhrases(text: string, shared: ReadonlySet<string>, rarity: TermRarity, limit = 8): string[] {
  const phrases = new Map<string, number>();
  for (const { run, han } of wordRuns(text)) {
    if (!han) {
      if (shared.has(run)) phrases.set(run, rarity.weight(run));
      continue;
    }
    const chars = [...run];
    let start = -1;
    let weight = 0;
    for (let i = 0; i <= chars.length - 1; i++) {
      const pair = i < chars.length - 1 ? `${chars[i]}${chars[i + 1]}` : '';
      if (pair && shared.has(pair)) {
        if (start < 0) start = i;
        weight += rarity.weight(pair);
        continue;
      }
      if (start >= 0) {
        const phrase = chars.slice(start, i + 1).join('');
        phrases.set(phrase, Math.max(phrases.get(phrase) ?? 0, weight));
      }
      start = -1;
      weight = 0;
    }
  }
  // A phrase inside a longer one says nothing more.
  const all = [...phrases.entries()].sort((x, y) => y[1] - x[1] || y[0].length - x[0].length);
  const kept: string[] = [];
  for (const [phrase] of all) if (!kept.some((k) => k.includes(phrase))) kept.push(phrase);
  return kept.slice(0, limit);
}

/**
 * The merge a suggestion offers: the later received folds into the earlier, when it is still open;
 * else the earlier into the later; null when neither can be merged (mergeIssue's own rules decide
 * the rest, the lateness of the duplicate's clocks included).
 */
export function mergeOf(a: IssueRow, b: IssueRow): DuplicateView['merge'] {
  const [earlier, later] = a.receivedAt <= b.receivedAt ? [a, b] : [b, a];
  const open = (row: IssueRow) => !['REJECTED', 'CLOSED', 'MERGED'].includes(row.status);
  const original = (row: IssueRow) => row.status !== 'MERGED' && row.status !== 'REJECTED';
  if (open(later) && original(earlier)) return { id: later.id, intoId: earlier.id, expectedVersion: later.version };
  if (open(earlier) && original(later)) return { id: earlier.id, intoId: later.id, expectedVersion: earlier.version };
  return null;
}

/** How likely `candidate` duplicates `subject`, with the reasons; null when it is not a candidate at all. */
export function scoreDuplicate(subject: Scored, candidate: Scored, rarity: TermRarity): DuplicateView | null {
  const s = subject.row;
  const c = candidate.row;
  const sameEnterprise = s.enterpriseCreditCode !== null && s.enterpriseCreditCode === c.enterpriseCreditCode;
  const sameDistrict = s.districtCode !== null && s.districtCode === c.districtCode;
  const sameUnit = unitsOf(s).find((id) => unitsOf(c).includes(id)) ?? null;
  const ownPlaces = placesOf(textOf(s));
  const otherPlaces = placesOf(textOf(c));
  const sharedPlaces = [...ownPlaces].filter((p) => otherPlaces.has(p));
  const differentPlaces = ownPlaces.size > 0 && otherPlaces.size > 0 && sharedPlaces.length === 0;
  const differentDistricts = s.districtCode !== null && c.districtCode !== null && !sameDistrict;
  // About another place: not the same matter, however alike the words (unless one enterprise sent both).
  if (!sameEnterprise && (differentPlaces || (differentDistricts && !sharedPlaces.length))) return null;

  const { similarity, shared } = textSimilarity(subject.terms, candidate.terms, rarity);
  const score =
    similarity +
    (sameEnterprise ? BONUS.enterprise : 0) +
    (sharedPlaces.length && !sameEnterprise ? BONUS.place : 0) +
    (sameUnit ? BONUS.unit : 0) +
    (sameDistrict ? BONUS.district : 0);

  const reasons: DuplicateReasonView[] = [];
  if (sameEnterprise) reasons.push(reason('SAME_ENTERPRISE', { enterprise: s.enterpriseCreditCode }));
  const phrases = sharedPhrases(textOf(s), shared, rarity);
  if (phrases.length) reasons.push(reason('SIMILAR_TEXT', { sharedTerms: phrases }));
  if (sameUnit) reasons.push(reason('SAME_UNIT', { unitId: sameUnit }));
  if (sameDistrict || sharedPlaces.length)
    reasons.push(reason('SAME_PLACE', { districtCode: sameDistrict ? s.districtCode : null, sharedTerms: sharedPlaces }));
  return {
    row: c,
    score: Math.round(Math.min(1, score) * 1000) / 1000,
    reasons,
    daysApart: Math.round((Math.abs(c.receivedAt.getTime() - s.receivedAt.getTime()) / 86_400_000) * 10) / 10,
    merge: mergeOf(s, c),
  };
}

/** The candidates above the threshold, best first (the nearer in time first among equals), at most `first`. */
export function rankDuplicates(subject: Scored, candidates: readonly Scored[], rarity: TermRarity, first: number): DuplicateView[] {
  return candidates
    .filter((candidate) => candidate.row.id !== subject.row.id)
    .map((candidate) => scoreDuplicate(subject, candidate, rarity))
    .filter((view): view is DuplicateView => view !== null && view.score >= DUPLICATE_THRESHOLD)
    .sort((a, b) => b.score - a.score || a.daysApart - b.daysApart || (a.row.id < b.row.id ? -1 : 1))
    .slice(0, first);
}

/** An item of the intake view: waiting for intake, with its likely duplicates. */
export interface IntakeDuplicatesView {
  issue: IssueRow;
  likelyDuplicates: DuplicateView[];
}
