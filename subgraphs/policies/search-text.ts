/**
 * Chinese text search without a word segmenter (no I/O).
 *
 * Chinese is written without spaces, and PostgreSQL's parsers see a whole run of Han characters as
 * one "word"; pg_trgm does extract Han trigrams under the databases' C.UTF-8 ctype (checked on the
 * server and on PGlite), but a two-character query — the commonest Chinese word length (政策, 补贴,
 * 人才) — gives `LIKE '%政策%'` no trigram at all, so the index could not narrow it. We index
 * overlapping character pairs instead (the classic CJK bigram index):
 * - a document becomes the set of its character bigrams, plus the last character of every Han run
 *   (so a one-character query finds characters at the end of a run too), plus every Latin/digit word;
 * - a query term of two or more Han characters becomes all of its bigrams, ANDed; one Han character
 *   or a Latin/digit word becomes a prefix query; the terms of a query are ANDed.
 * A document matches when it contains every pair of adjacent characters of each term: for real
 * queries that is the term itself, and the snippet shows the exact occurrence.
 *
 * The vectors are written as tsvector literals (lexemes without positions), so no parser and no
 * locale is involved, and a GIN match needs no recheck of the (large) row.
 */

/** Han characters (CJK ideographs of every block) or a run of Latin letters and digits. */
const TOKEN_RUN = /\p{Script=Han}+|(?:(?!\p{Script=Han})[\p{L}\p{N}])+/gu;
const HAN = /^\p{Script=Han}/u;

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function runsOf(text: string): string[] {
  return normalize(text).match(TOKEN_RUN) ?? [];
}

/** The index terms of a text (a set). */
export function termsOf(...texts: (string | null | undefined)[]): Set<string> {
  const terms = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const run of runsOf(text)) {
      if (!HAN.test(run)) {
        // Latin and digits: the whole word, bounded so one odd token cannot bloat the index.
        terms.add(run.slice(0, 60));
        continue;
      }
      const chars = [...run];
      for (let i = 0; i + 1 < chars.length; i++) terms.add(chars[i]! + chars[i + 1]!);
      terms.add(chars.at(-1)!);
    }
  }
  return terms;
}

/** A lexeme as a tsvector/tsquery literal: quoted, quotes and backslashes doubled. */
const lexeme = (term: string) => `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

/** A tsvector literal of the texts' terms. */
export function tsvectorOf(...texts: (string | null | undefined)[]): string {
  return [...termsOf(...texts)].map(lexeme).join(' ');
}

/** A parsed search: the terms as the user typed them (for highlighting) and the tsquery literal. */
export interface SearchQuery {
  /** Normalised query words (runs), each to be found in the document. */
  words: string[];
  tsquery: string;
}

/** Null when the text has nothing to search for (only punctuation or spaces). */
export function parseSearch(text: string): SearchQuery | null {
  const words = [...new Set(runsOf(text))].slice(0, 20);
  if (!words.length) return null;
  const parts: string[] = [];
  for (const word of words) {
    if (!HAN.test(word)) {
      parts.push(`${lexeme(word.slice(0, 60))}:*`);
      continue;
    }
    const chars = [...word];
    if (chars.length === 1) parts.push(`${lexeme(word)}:*`);
    else for (let i = 0; i + 1 < chars.length; i++) parts.push(lexeme(chars[i]! + chars[i + 1]!));
  }
  return { words, tsquery: [...new Set(parts)].join(' & ') };
}

export interface Highlighted {
  text: string;
  highlights: { start: number; end: number }[];
  html: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Ranges of `text` where the query's words occur. NFKC keeps the length of the characters that
 * matter here (Han, ASCII letters and digits), so offsets in the lower-cased text are offsets in the
 * original; a word that is not found as a whole is shown by its character pairs.
 */
function rangesIn(text: string, query: SearchQuery): { start: number; end: number }[] {
  // Lower-cased character by character, keeping every offset where it was.
  const haystack = Array.from(text, (c) => {
    const lower = c.toLowerCase();
    return lower.length === c.length ? lower : c;
  }).join('');
  const ranges: { start: number; end: number }[] = [];
  const findAll = (needle: string) => {
    let found = false;
    for (let at = haystack.indexOf(needle); at !== -1 && needle; at = haystack.indexOf(needle, at + needle.length)) {
      ranges.push({ start: at, end: at + needle.length });
      found = true;
    }
    return found;
  };
  for (const word of query.words) {
    if (findAll(word)) continue;
    const chars = [...word];
    for (let i = 0; i + 1 < chars.length; i++) findAll(chars[i]! + chars[i + 1]!);
  }
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: { start: number; end: number }[] = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

function render(text: string, ranges: { start: number; end: number }[]): Highlighted {
  let html = '';
  let at = 0;
  for (const range of ranges) {
    html += `${escapeHtml(text.slice(at, range.start))}<mark>${escapeHtml(text.slice(range.start, range.end))}</mark>`;
    at = range.end;
  }
  return { text, highlights: ranges, html: html + escapeHtml(text.slice(at)) };
}

/** The whole text, its matches highlighted. */
export function highlightAll(text: string, query: SearchQuery): Highlighted {
  return render(text, rangesIn(text, query));
}

/**
 * A window of about `width` characters around the first match (…-marked where cut), highlighted;
 * null when the text has no match.
 */
export function snippet(text: string, query: SearchQuery, width = 80): Highlighted | null {
  const flat = text.replace(/\s+/g, ' ');
  const ranges = rangesIn(flat, query);
  if (!ranges.length) return null;
  const first = ranges[0]!;
  let start = Math.max(0, first.start - Math.floor(width / 3));
  let end = Math.min(flat.length, start + width);
  start = Math.max(0, Math.min(start, end - width));
  // Never cut a surrogate pair in two.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(flat[start]!)) start--;
  if (end < flat.length && /[\uDC00-\uDFFF]/.test(flat[end]!)) end++;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < flat.length ? '…' : '';
  const inside = ranges
    .filter((r) => r.end > start && r.start < end)
    .map((r) => ({ start: Math.max(r.start, start) - start + prefix.length, end: Math.min(r.end, end) - start + prefix.length }));
  return render(prefix + flat.slice(start, end) + suffix, inside);
}
