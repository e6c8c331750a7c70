/**
 * Chinese text search for every slice (no I/O): what a document is indexed by, how a query is read,
 * and the highlights.
 *
 * **The index: character pairs.** Chinese is written without spaces and PostgreSQL's parsers see a
 * whole run of Han characters as one "word". A document is indexed by the overlapping character
 * pairs of each Han run (the classic CJK bigram index), the last character of every run (so one
 * character can be found at the end of a run too) and every Latin/digit word, as a tsvector written
 * as a literal (no parser, no locale). Which words a text holds is decided at query time, so the
 * stored terms never depend on a dictionary: a better dictionary or a new synonym needs no reindex.
 * `searchTermsFunctionSql` is the same definition in SQL, for a slice that keeps the terms in
 * generated columns; a test holds the two to the same terms.
 *
 * **A query: words, each of which must occur somewhere, in any order.** The query is cut into words
 * by ICU's dictionary-based word segmenter (`Intl.Segmenter`, shipped with Node.js, so the same in
 * the embedded and the server mode); adjacent pieces that make a word of the vocabulary (synonyms
 * and terms: the data a slice passes to `searchVocabulary`, db/reference/search-vocabulary.json) are
 * joined; the question's own words (怎么, 哪些…) and optional ones (政策, 申请, 青岛市…) are not
 * required. A word of two or more characters matches where all its pairs occur; a single character the segmenter left alone (an
 * unknown word cut into characters: 稳/岗, 免/申/即/享) matches where it stands beside one of its
 * neighbours in the query (稳岗, 岗返…), so an unknown word is found in one piece and a known one
 * anywhere. A word with synonyms matches any of them (补贴 also finds 补助 and 奖补).
 *
 * **Ranking** is the lists' (headings before bodies); `SearchQuery.words` carries every word and
 * synonym for the highlights.
 */
import { present } from './invariant.ts';

// ───────────── characters and runs (the one definition, also in SQL below) ─────────────

/** Han ideographs: the URO, extension A, compatibility ideographs and the supplementary planes' blocks. */
const HAN_CLASS = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{323af}';
/** Letters and digits of other scripts that form words: ASCII, Latin, Greek, Cyrillic, kana, Hangul. */
const WORD_CLASS = '0-9a-z\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f\\u0370-\\u03ff\\u0400-\\u04ff\\u3040-\\u30ff\\uac00-\\ud7af';
const TOKEN_RUN = new RegExp(`[${HAN_CLASS}]+|[${WORD_CLASS}]+`, 'gu');
const HAN = new RegExp(`^[${HAN_CLASS}]`, 'u');
/** Latin words are cut here, so one odd token cannot bloat the index. */
const WORD_MAX = 60;

/** NFKC (full-width letters and digits become ASCII, compatibility ideographs unified), ASCII lower-cased. */
export function normalize(text: string): string {
  return text.normalize('NFKC').replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function runsOf(text: string): string[] {
  return normalize(text).match(TOKEN_RUN) ?? [];
}

/** The runs a text is indexed by, in order (normalized): Han runs, whose pairs are its terms, and other words. */
export function wordRuns(text: string): { run: string; han: boolean }[] {
  return runsOf(text).map((run) => ({ run, han: HAN.test(run) }));
}

const pairs = (chars: string[]) => chars.slice(0, -1).map((c, i) => c + (chars[i + 1] ?? ''));

/** The index terms of a text (a set). */
export function termsOf(...texts: (string | null | undefined)[]): Set<string> {
  const terms = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const run of runsOf(text)) {
      if (!HAN.test(run)) {
        terms.add([...run].slice(0, WORD_MAX).join(''));
        continue;
      }
      const chars = [...run];
      for (const pair of pairs(chars)) terms.add(pair);
      terms.add(chars.at(-1) ?? '');
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

/**
 * `termsOf` as an SQL function `<schema>.search_terms(content text) → tsvector`, for a slice that
 * keeps the terms in a generated column (issues: its title's, and its title's and description's).
 * A term holds only letters and digits (the runs' classes), so the array needs no quoting.
 * ASCII-only lower-casing under the "C" collation, as `normalize` does: no locale is involved.
 * Costly (about 40 µs for a title): keep it in a stored column, never evaluate it row by row.
 */
export function searchTermsFunctionSql(schema: string): string {
  const han = HAN_CLASS.replace(/\\u\{(\w+)\}/g, (_, hex: string) => `\\U${hex.padStart(8, '0')}`);
  return `CREATE OR REPLACE FUNCTION "${schema}".search_terms(content text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  WITH runs AS (
    SELECT m[1] AS run, m[1] ~ '^[${han}]' AS han
    FROM regexp_matches(lower(normalize(content, NFKC) COLLATE "C"), '[${han}]+|[${WORD_CLASS}]+', 'g') AS m
  )
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT term)), ''::tsvector) FROM (
    SELECT left(run, ${WORD_MAX}) AS term FROM runs WHERE NOT han
    UNION ALL SELECT substr(run, i, 2) FROM runs, generate_series(1, char_length(run) - 1) AS i WHERE han
    UNION ALL SELECT right(run, 1) FROM runs WHERE han
  ) AS terms
$$`;
}

// ───────────── queries ─────────────

/** A vocabulary as data: synonym groups, words kept whole, optional words, question words. */
export interface VocabularyData {
  synonyms: string[][];
  terms: string[];
  optional: string[];
  stopwords: string[];
}

/** A vocabulary ready for `parseSearch` (build it once, at module level). */
export interface Vocabulary {
  /** Each word's alternatives (itself first). */
  synonyms: Map<string, string[]>;
  /** Words kept whole, longest first by length in characters. */
  whole: Set<string>;
  longest: number;
  optional: Set<string>;
  stopwords: Set<string>;
}

export function searchVocabulary(data: VocabularyData): Vocabulary {
  const synonyms = new Map<string, string[]>();
  for (const group of data.synonyms) {
    const words = group.map(normalize);
    for (const word of words) synonyms.set(word, [...new Set([...(synonyms.get(word) ?? [word]), ...words])]);
  }
  const whole = new Set([...synonyms.keys(), ...data.terms.map(normalize)].filter((w) => HAN.test(w)));
  return {
    synonyms,
    whole,
    longest: Math.max(1, ...[...whole].map((w) => [...w].length)),
    optional: new Set(data.optional.map(normalize)),
    stopwords: new Set(data.stopwords.map(normalize)),
  };
}

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

/** A parsed search. */
export interface SearchQuery {
  /** Every word and synonym that can match, for highlighting. */
  words: string[];
  /** The required words as read (for tests and messages). */
  required: string[];
  /** The tsquery literal: every required word, each by any of its alternatives. */
  tsquery: string;
  /**
   * The part of `tsquery` to look up in an index: all of it, less the characters that stand alone
   * (第 4242 号, 税 优惠) when the query has a word besides them. A lone character matches as a
   * prefix, and a common one's prefix reads every document's entry; such a query finds its rows by
   * its words and checks the characters on those rows (`ts_match_vq(terms, tsquery)`).
   */
  anchors: string;
  /**
   * The query as a document number (文号: issuer's abbreviation, 〔year〕, number, 号), when it is
   * one and nothing else, in the form `documentNumberKey` gives: such a query names one document,
   * and a list can match it exactly on the number (the terms alone would also find 青政发〔2024〕15号
   * with a 5 elsewhere in its heading).
   */
  documentNumber: string | null;
}

// ───────────── document numbers ─────────────

/** Brackets a document number's year is written in, each read as 〔〕 (after NFKC: ［］ and （） are [] and ()). */
export const DOCUMENT_NUMBER_BRACKETS = { from: '[]()【】〖〗', to: '〔〕〔〕〔〕〔〕' } as const;
const YEAR_BRACKETS = new Map([...DOCUMENT_NUMBER_BRACKETS.from].map((c, i) => [c, DOCUMENT_NUMBER_BRACKETS.to.charAt(i)]));
/** 青政发〔2024〕5号: an issuer of Han characters, the year in brackets, the number, 号 (which may be left off). */
const DOCUMENT_NUMBER = new RegExp(`^([${HAN_CLASS}]{1,20})〔(\\d{4})〕(\\d{1,6})号?$`, 'u');

/**
 * A document number as it is compared: NFKC, ASCII lower-cased, the year's brackets as 〔〕, no
 * spaces (an ideographic space is one after NFKC). `documentNumberKeySql` is the same in SQL, for the stored numbers.
 */
export function documentNumberKey(text: string): string {
  return [...normalize(text).replace(/ /g, '')].map((c) => YEAR_BRACKETS.get(c) ?? c).join('');
}

/** `documentNumberKey` of a column (or any SQL text expression), as SQL text. */
export function documentNumberKeySql(expression: string): string {
  return `translate(lower(normalize(${expression}, NFKC) COLLATE "C"), '${DOCUMENT_NUMBER_BRACKETS.from} ', '${DOCUMENT_NUMBER_BRACKETS.to}')`;
}

/** The query as a document number ending in 号, or null when it is not one. */
function documentNumberOf(text: string): string | null {
  const found = DOCUMENT_NUMBER.exec(documentNumberKey(text.trim()));
  return found ? `${found[1]}〔${found[2]}〕${found[3]}号` : null;
}

/** One piece of a Han run, in order: a word, and whether it is a single character left by the segmenter. */
interface Piece {
  text: string;
  kind: 'word' | 'single' | 'optional' | 'stop';
}

/** A Han run cut into words: ICU's segments, with adjacent segments joined where they make a vocabulary word. */
function piecesOf(run: string, vocabulary: Vocabulary): Piece[] {
  const segments = [...segmenter.segment(run)].map((s) => s.segment);
  const pieces: Piece[] = [];
  for (let i = 0; i < segments.length;) {
    let taken = 1;
    // The longest span of whole segments that is a vocabulary word.
    for (let j = segments.length; j > i + 1; j--) {
      const joined = segments.slice(i, j).join('');
      if ([...joined].length <= vocabulary.longest && vocabulary.whole.has(joined)) {
        taken = j - i;
        break;
      }
    }
    const text = segments.slice(i, i + taken).join('');
    const kind = vocabulary.stopwords.has(text)
      ? 'stop'
      : vocabulary.optional.has(text)
        ? 'optional'
        : [...text].length === 1
          ? 'single'
          : 'word';
    pieces.push({ text, kind });
    i += taken;
  }
  return pieces;
}

/**
 * The tsquery of one alternative's text: its runs' pairs, ANDed; one character or a Latin word a
 * prefix (a word typed in part); a number exactly (第 4242 号 is not 42420).
 */
function alternativeQuery(text: string): string | null {
  const parts: string[] = [];
  for (const run of runsOf(text)) {
    const chars = [...run];
    if (/^[0-9]+$/.test(run)) parts.push(lexeme(chars.slice(0, WORD_MAX).join('')));
    else if (!HAN.test(run)) parts.push(`${lexeme(chars.slice(0, WORD_MAX).join(''))}:*`);
    else if (chars.length === 1) parts.push(`${lexeme(run)}:*`);
    else parts.push(...pairs(chars).map(lexeme));
  }
  const unique = [...new Set(parts)];
  if (!unique.length) return null;
  return unique.length === 1 ? (unique[0] ?? '') : `(${unique.join(' & ')})`;
}

/** Null when the text has nothing to search for (only punctuation or spaces). */
export function parseSearch(text: string, vocabulary: Vocabulary): SearchQuery | null {
  // Each required word: its alternatives' texts, or (a single character) the pairs it may stand in.
  const required: { word: string; alternatives: string[] }[] = [];
  const optional: { word: string; alternatives: string[] }[] = [];
  const stop: { word: string; alternatives: string[] }[] = [];
  for (const run of runsOf(text).slice(0, 40)) {
    if (!HAN.test(run)) {
      required.push({ word: run, alternatives: [run] });
      continue;
    }
    const pieces = piecesOf(run, vocabulary);
    pieces.forEach((piece, i) => {
      if (piece.kind === 'stop') return stop.push({ word: piece.text, alternatives: [piece.text] });
      if (piece.kind === 'optional')
        return optional.push({ word: piece.text, alternatives: vocabulary.synonyms.get(piece.text) ?? [piece.text] });
      if (piece.kind === 'word')
        return required.push({ word: piece.text, alternatives: vocabulary.synonyms.get(piece.text) ?? [piece.text] });
      // A single character: beside a neighbour that is part of the query's content.
      const before = pieces[i - 1];
      const after = pieces[i + 1];
      const beside = [
        ...(before && (before.kind === 'word' || before.kind === 'single') ? [([...before.text].at(-1) ?? '') + piece.text] : []),
        ...(after && (after.kind === 'word' || after.kind === 'single') ? [piece.text + ([...after.text][0] ?? '')] : []),
      ];
      required.push({ word: piece.text, alternatives: beside.length ? beside : [piece.text] });
    });
  }
  // A query of nothing but optional words (or question words) still searches for them.
  const words = (required.length ? required : optional.length ? optional : stop).slice(0, 20);
  const clauses = [
    ...new Set(
      words
        .map((w) => [...new Set(w.alternatives.map(alternativeQuery).filter((q): q is string => q !== null))])
        .filter((q) => q.length)
        .map((alternatives) => (alternatives.length === 1 ? (alternatives[0] ?? '') : `(${alternatives.join(' | ')})`)),
    ),
  ];
  if (!clauses.length) return null;
  const lone = (clause: string) => /^'[^']':\*$/u.test(clause);
  const anchors = clauses.some((c) => !lone(c)) ? clauses.filter((c) => !lone(c)) : clauses;
  // Highlighted: each word and its synonyms; a lone character only where it stands beside a neighbour.
  const shown = words.flatMap((w) =>
    [...w.word].length === 1 && w.alternatives[0] !== w.word ? w.alternatives : [w.word, ...w.alternatives],
  );
  return {
    words: [...new Set(shown)],
    required: words.map((w) => w.word),
    tsquery: clauses.join(' & '),
    anchors: anchors.join(' & '),
    documentNumber: documentNumberOf(text),
  };
}

// ───────────── highlights ─────────────

export interface Highlighted {
  text: string;
  highlights: { start: number; end: number }[];
  html: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

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
    for (const pair of pairs([...word])) findAll(pair);
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
  const first = present(ranges[0], 'the first range found');
  let start = Math.max(0, first.start - Math.floor(width / 3));
  let end = Math.min(flat.length, start + width);
  start = Math.max(0, Math.min(start, end - width));
  // Never cut a surrogate pair in two.
  if (start > 0 && /[\uDC00-\uDFFF]/.test(flat.charAt(start))) start--;
  if (end < flat.length && /[\uDC00-\uDFFF]/.test(flat.charAt(end))) end++;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < flat.length ? '…' : '';
  const inside = ranges
    .filter((r) => r.end > start && r.start < end)
    .map((r) => ({ start: Math.max(r.start, start) - start + prefix.length, end: Math.min(r.end, end) - start + prefix.length }));
  return render(prefix + flat.slice(start, end) + suffix, inside);
}
