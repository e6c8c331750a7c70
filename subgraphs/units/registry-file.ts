/**
 * A file of the market-entity registry, read as a stream: CSV (a header row; UTF-8 with or without
 * a byte-order mark; RFC 4180 quoting) or NDJSON (one JSON object a line), told apart by the
 * caller or by the first character. Each data row is checked here, before it reaches the database:
 * the credit code's check character (GB 32100), a district of the city, an industry code of
 * GB/T 4754 (industry-code.ts: a known section, and a division of that section), the size class, the date of registration, the qualifications and the status. What
 * this module cannot know — a credit code twice in one file — the import finds in its staging
 * table. No I/O of its own: it consumes chunks and yields rows.
 */
import { creditCodeProblem, creditCodeProblemMessages, normalizeCreditCode } from '../../platform/credit-code.ts';
import type { Bilingual } from '../../platform/errors.ts';
import { industryCodeProblem } from './industry-code.ts';

export type RegistryFormat = 'CSV' | 'NDJSON';
/** A file's bytes (or text) as they arrive: a file stream, or a string in a list. */
export type RegistryChunks = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** The columns of a registry file, in the order the staging table and the rejects name them. */
export const REGISTRY_COLUMNS = [
  'credit_code',
  'name',
  'district_code',
  'industry_code',
  'size_class',
  'registered_on',
  'qualifications',
  'status',
] as const;
export type RegistryColumn = (typeof REGISTRY_COLUMNS)[number];

/** Headers accepted for each column besides its own name (case and surrounding blanks ignored). */
const HEADER_ALIASES: Record<string, RegistryColumn> = {
  统一社会信用代码: 'credit_code',
  名称: 'name',
  企业名称: 'name',
  区市代码: 'district_code',
  所在区市: 'district_code',
  行业代码: 'industry_code',
  规模: 'size_class',
  企业规模: 'size_class',
  成立日期: 'registered_on',
  资质: 'qualifications',
  登记状态: 'status',
  状态: 'status',
};

/** Columns an NDJSON object may leave out (null, empty): the date of registration and the qualifications. */
const OPTIONAL_IN_NDJSON: ReadonlySet<RegistryColumn> = new Set(['registered_on', 'qualifications']);

const SIZE_CLASSES: Record<string, string> = {
  LARGE: 'LARGE',
  MEDIUM: 'MEDIUM',
  SMALL: 'SMALL',
  MICRO: 'MICRO',
  大型: 'LARGE',
  中型: 'MEDIUM',
  小型: 'SMALL',
  微型: 'MICRO',
};
/** 存续 (also 在业、开业), 注销, 吊销; or the status's code. */
const STATUSES: Record<string, string> = {
  ACTIVE: 'ACTIVE',
  DEREGISTERED: 'DEREGISTERED',
  REVOKED: 'REVOKED',
  存续: 'ACTIVE',
  在业: 'ACTIVE',
  开业: 'ACTIVE',
  注销: 'DEREGISTERED',
  吊销: 'REVOKED',
};
const QUALIFICATIONS: Record<string, string> = {
  HIGH_TECH: 'HIGH_TECH',
  TECH_SME: 'TECH_SME',
  SPECIALIZED_SME: 'SPECIALIZED_SME',
  LITTLE_GIANT: 'LITTLE_GIANT',
  GAZELLE: 'GAZELLE',
  MANUFACTURING_CHAMPION: 'MANUFACTURING_CHAMPION',
  高新技术企业: 'HIGH_TECH',
  科技型中小企业: 'TECH_SME',
  专精特新中小企业: 'SPECIALIZED_SME',
  专精特新小巨人企业: 'LITTLE_GIANT',
  瞪羚企业: 'GAZELLE',
  制造业单项冠军: 'MANUFACTURING_CHAMPION',
};
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_NAME_LENGTH = 120;

/** What the whole file is refused for (nothing of it is loaded): no header, a required column missing. */
export class RegistryFileProblem extends Error {
  constructor(readonly reason: Bilingual) {
    super(`${reason.zh} / ${reason.en}`);
  }
}

/** A row that is not loaded: its line, the column at fault ('' for the row as a whole), the value as given, why. */
export interface RegistryReject {
  line: number;
  column: RegistryColumn | '';
  value: string;
  reason: Bilingual;
}

/** What the checks know of the city: its districts' codes, the industry sections, today's date (Beijing). */
export interface RegistryReference {
  districts: ReadonlySet<string>;
  industrySections: ReadonlySet<string>;
  today: string;
}

/**
 * A row as staged: its cells as text, normalised, or its problem. The credit code is kept (with
 * `codeOk`) for a rejected row too: a code twice in the file rejects both rows, and a full
 * snapshot does not deregister an entity whose row was only rejected.
 */
export interface StagedRow {
  line: number;
  creditCode: string | null;
  codeOk: boolean;
  values: Record<Exclude<RegistryColumn, 'credit_code'>, string | null> | null;
  problem: RegistryReject | null;
}

/** A record as read: its line and its cells by column, or what made it unreadable. */
type ReadRecord = { line: number; cells: Partial<Record<RegistryColumn, string>> } | { line: number; unreadable: Bilingual };

/** Physical lines of UTF-8 chunks (a BOM dropped, CR LF or LF), numbered from 1. */
async function* linesOf(chunks: RegistryChunks): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let rest = '';
  for await (const chunk of chunks) {
    rest += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = rest.indexOf('\n'); end !== -1; end = rest.indexOf('\n', start)) {
      yield rest.charCodeAt(end - 1) === 13 ? rest.slice(start, end - 1) : rest.slice(start, end);
      start = end + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

/** One CSV record with quotes (RFC 4180: "" inside quotes is a quote), or null while a quote is still open. */
function quotedCells(text: string): string[] | null {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  let atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      atStart = true;
      continue;
    } else if (c === '"' && atStart) quoted = true;
    else cell += c;
    atStart = false;
  }
  if (quoted) return null;
  cells.push(cell);
  return cells;
}

function headerColumns(cells: string[]): (RegistryColumn | null)[] {
  const columns = cells.map((cell) => {
    const name = cell.trim().replace(/^\uFEFF/, '');
    const lower = name.toLowerCase();
    return (REGISTRY_COLUMNS as readonly string[]).includes(lower) ? (lower as RegistryColumn) : (HEADER_ALIASES[name] ?? null);
  });
  const missing = REGISTRY_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length)
    throw new RegistryFileProblem({
      zh: `文件首行（表头）缺少列：${missing.join('、')}`,
      en: `The header row lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    });
  return columns;
}

async function* csvRecords(lines: AsyncIterable<string>): AsyncGenerator<ReadRecord> {
  let columns: (RegistryColumn | null)[] | null = null;
  let lineNo = 0;
  let pending: string | null = null;
  let startLine = 0;
  for await (const text of lines) {
    lineNo++;
    if (pending === null && !text.trim()) continue;
    const record: string = pending === null ? text : `${pending}\n${text}`;
    if (pending === null) startLine = lineNo;
    const cells = record.includes('"') ? quotedCells(record) : record.split(',');
    if (!cells) {
      pending = record;
      continue;
    }
    pending = null;
    if (!columns) {
      columns = headerColumns(cells);
      continue;
    }
    if (cells.length !== columns.length) {
      yield {
        line: startLine,
        unreadable: {
          zh: `该行有 ${cells.length} 个字段，表头有 ${columns.length} 个`,
          en: `The row has ${cells.length} fields; the header has ${columns.length}`,
        },
      };
      continue;
    }
    const byColumn: Partial<Record<RegistryColumn, string>> = {};
    columns.forEach((column, i) => {
      if (column) byColumn[column] = cells[i];
    });
    yield { line: startLine, cells: byColumn };
  }
  if (pending !== null)
    yield { line: startLine, unreadable: { zh: '引号未闭合，直到文件结尾', en: 'A quote opened here is never closed' } };
  if (!columns) throw new RegistryFileProblem({ zh: '文件为空：没有表头', en: 'The file is empty: no header row' });
}

function cellText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(String).join(';');
  return typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean);
}

async function* ndjsonRecords(lines: AsyncIterable<string>): AsyncGenerator<ReadRecord> {
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (!text.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      yield { line: lineNo, unreadable: { zh: '该行不是合法的 JSON', en: 'The line is not valid JSON' } };
      continue;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      yield { line: lineNo, unreadable: { zh: '该行不是 JSON 对象', en: 'The line is not a JSON object' } };
      continue;
    }
    const cells: Partial<Record<RegistryColumn, string>> = {};
    for (const column of REGISTRY_COLUMNS) {
      const text = cellText((parsed as Record<string, unknown>)[column]);
      cells[column] = text ?? (OPTIONAL_IN_NDJSON.has(column) ? '' : undefined);
    }
    yield { line: lineNo, cells };
  }
}

/** The format of a file by its name, when it says: `.csv`, `.ndjson` / `.jsonl`; null to sniff. */
export function formatByName(fileName: string): RegistryFormat | null {
  if (/\.csv$/i.test(fileName)) return 'CSV';
  if (/\.(nd)?jsonl?$/i.test(fileName) || /\.ndjson$/i.test(fileName)) return 'NDJSON';
  return null;
}

/** The records of a file: its format given, or sniffed from the first character that is not a BOM or a blank (`{`: NDJSON). */
export async function* readRegistryRecords(chunks: RegistryChunks, format: RegistryFormat | null): AsyncGenerator<ReadRecord> {
  const lines = linesOf(chunks);
  // Lines up to the first that is not blank, kept so that every line keeps its number.
  const leading: string[] = [];
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    leading.push(leading.length ? next.value : next.value.replace(/^\uFEFF/, ''));
    if (next.value.trim()) break;
  }
  const firstText = (leading.at(-1) ?? '').trimStart();
  const chosen = format ?? (firstText.startsWith('{') ? 'NDJSON' : 'CSV');
  async function* replay(): AsyncGenerator<string> {
    yield* leading;
    yield* lines;
  }
  yield* chosen === 'CSV' ? csvRecords(replay()) : ndjsonRecords(replay());
}

const reasons = {
  missing: (label: Bilingual): Bilingual => ({ zh: `${label.zh}不能为空`, en: `${label.en} is missing` }),
  name: { zh: `名称不能超过 ${MAX_NAME_LENGTH} 个字符`, en: `The name has more than ${MAX_NAME_LENGTH} characters` },
  district: {
    zh: '区(市)代码不是本市的区(市)（GB/T 2260，如 370202 市南区）',
    en: 'Not a district code of Qingdao (GB/T 2260, e.g. 370202 for Shinan)',
  },
  industry: {
    zh: '行业代码须符合 GB/T 4754-2017，如 C、C13 或 C131',
    en: 'The industry code must follow GB/T 4754-2017, e.g. C, C13 or C131',
  },
  size: {
    zh: '规模须为 LARGE、MEDIUM、SMALL、MICRO（或 大型、中型、小型、微型）',
    en: 'The size class is one of LARGE, MEDIUM, SMALL, MICRO (or 大型, 中型, 小型, 微型)',
  },
  date: { zh: '成立日期须为 YYYY-MM-DD 格式的有效日期', en: 'The date of registration must be a real date as YYYY-MM-DD' },
  future: { zh: '成立日期不能晚于今天', en: 'The date of registration cannot be in the future' },
  qualification: (value: string): Bilingual => ({
    zh: `未知资质「${value}」（可用 HIGH_TECH、TECH_SME、SPECIALIZED_SME、LITTLE_GIANT、GAZELLE、MANUFACTURING_CHAMPION 或其中文名，以 ; 分隔）`,
    en: `Unknown qualification "${value}" (HIGH_TECH, TECH_SME, SPECIALIZED_SME, LITTLE_GIANT, GAZELLE, MANUFACTURING_CHAMPION or their Chinese names, separated by ;)`,
  }),
  status: {
    zh: '登记状态须为 存续、注销 或 吊销（或 ACTIVE、DEREGISTERED、REVOKED）',
    en: 'The status is one of 存续, 注销, 吊销 (or ACTIVE, DEREGISTERED, REVOKED)',
  },
};

const LABELS: Record<RegistryColumn, Bilingual> = {
  credit_code: { zh: '统一社会信用代码', en: 'The credit code' },
  name: { zh: '名称', en: 'The name' },
  district_code: { zh: '区(市)代码', en: 'The district code' },
  industry_code: { zh: '行业代码', en: 'The industry code' },
  size_class: { zh: '规模', en: 'The size class' },
  registered_on: { zh: '成立日期', en: 'The date of registration' },
  qualifications: { zh: '资质', en: 'The qualifications' },
  status: { zh: '登记状态', en: 'The status' },
};

/** A real calendar date as YYYY-MM-DD, or the reason it is not one. */
function dateProblem(value: string, today: string): Bilingual | null {
  const match = DATE.exec(value);
  if (!match) return reasons.date;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1900 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return reasons.date;
  return value > today ? reasons.future : null;
}

/** `{A,B}` (a PostgreSQL array literal of the qualifications, sorted, each once), or the unknown one. */
function qualificationsOf(value: string): { literal: string } | { unknown: string } {
  const codes = new Set<string>();
  for (const part of value.split(/[;；|、]/)) {
    const given = part.trim();
    if (!given) continue;
    const code = QUALIFICATIONS[given.toUpperCase()] ?? QUALIFICATIONS[given];
    if (!code) return { unknown: given };
    codes.add(code);
  }
  return { literal: `{${[...codes].sort().join(',')}}` };
}

/** The problem of a row's cells, by column in file order; null when every cell is good. */
function cellProblem(cells: Partial<Record<RegistryColumn, string>>, ref: RegistryReference): RegistryReject | null {
  const fail = (column: RegistryColumn, reason: Bilingual): RegistryReject => ({ line: 0, column, value: cells[column] ?? '', reason });
  for (const column of REGISTRY_COLUMNS) {
    const value = (cells[column] ?? '').trim();
    if (!value && !OPTIONAL_IN_NDJSON.has(column)) return fail(column, reasons.missing(LABELS[column]));
    if (column === 'credit_code') {
      const problem = creditCodeProblem(normalizeCreditCode(value));
      if (problem) return fail(column, creditCodeProblemMessages[problem]);
    } else if (column === 'name' && [...value].length > MAX_NAME_LENGTH) return fail(column, reasons.name);
    else if (column === 'district_code' && !ref.districts.has(value)) return fail(column, reasons.district);
    else if (column === 'industry_code') {
      const code = value.toUpperCase();
      const problem = industryCodeProblem(code);
      if (problem) return fail(column, problem);
      if (!ref.industrySections.has(code.slice(0, 1))) return fail(column, reasons.industry);
    } else if (column === 'size_class' && !SIZE_CLASSES[value.toUpperCase()] && !SIZE_CLASSES[value]) return fail(column, reasons.size);
    else if (column === 'registered_on' && value) {
      const problem = dateProblem(value, ref.today);
      if (problem) return fail(column, problem);
    } else if (column === 'qualifications') {
      const parsed = qualificationsOf(value);
      if ('unknown' in parsed) return fail(column, reasons.qualification(parsed.unknown));
    } else if (column === 'status' && !STATUSES[value.toUpperCase()] && !STATUSES[value]) return fail(column, reasons.status);
  }
  return null;
}

/** A record as the staging table takes it: normalised cells, or its problem (the credit code kept when it is good). */
export function stageRecord(record: ReadRecord, ref: RegistryReference): StagedRow {
  if ('unreadable' in record)
    return {
      line: record.line,
      creditCode: null,
      codeOk: false,
      values: null,
      problem: { line: record.line, column: '', value: '', reason: record.unreadable },
    };
  const { cells } = record;
  const code = normalizeCreditCode(cells.credit_code ?? '');
  const codeOk = creditCodeProblem(code) === null;
  const problem = cellProblem(cells, ref);
  if (problem) return { line: record.line, creditCode: code || null, codeOk, values: null, problem: { ...problem, line: record.line } };
  const text = (column: RegistryColumn) => (cells[column] ?? '').trim();
  const upper = (column: RegistryColumn) => text(column).toUpperCase();
  const qualifications = qualificationsOf(text('qualifications'));
  return {
    line: record.line,
    creditCode: code,
    codeOk,
    values: {
      name: text('name'),
      district_code: text('district_code'),
      industry_code: upper('industry_code'),
      size_class: SIZE_CLASSES[upper('size_class')] ?? SIZE_CLASSES[text('size_class')] ?? null,
      registered_on: text('registered_on') || null,
      qualifications: 'literal' in qualifications ? qualifications.literal : '{}',
      status: STATUSES[upper('status')] ?? STATUSES[text('status')] ?? null,
    },
    problem: null,
  };
}

/** The rejects file's header and one of its lines (CSV, RFC 4180 quoting). */
export const REJECTS_HEADER = 'line,column,value,reason_zh,reason_en';
const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
export function rejectLine(reject: RegistryReject): string {
  return [String(reject.line), reject.column, reject.value, reject.reason.zh, reject.reason.en].map(csvCell).join(',');
}
