/**
 * Records other systems send in batches (issue #25): the 12345 hotline, the discipline platform and
 * the departments' systems send NDJSON or CSV, up to `MAX_BATCH_RECORDS` records a call. The kit
 * reads the content into records with their line numbers, coerces each record with the GraphQL
 * input type of the slice's single import (so a record takes exactly what that import takes: its
 * enums, its scalars), and turns a record's coded refusal into its result — one bad record never
 * refuses the batch. A slice decides what a record means, who may send it, and how it is kept.
 */
import { createRequire } from 'node:module';
import * as esmGraphql from 'graphql';
import { GraphQLError, type GraphQLInputObjectType, type GraphQLInputType, type GraphQLSchema } from 'graphql';
import { codedError, ErrorCode, errors, type Bilingual } from './errors.ts';
import { invariant, present } from './invariant.ts';
import type { Transactional } from './change.ts';
import { sqlState, SqlState } from '../db/client.ts';

/**
 * The copy of graphql-js a schema's types come from: Apollo's packages load the CommonJS build, this
 * module the ES one, and graphql-js refuses a type "from another realm" — so the type's own copy
 * coerces it.
 */
const cjsGraphql = createRequire(import.meta.url)('graphql') as typeof esmGraphql;
const cjsInputClasses = [
  cjsGraphql.GraphQLInputObjectType,
  cjsGraphql.GraphQLList,
  cjsGraphql.GraphQLNonNull,
  cjsGraphql.GraphQLScalarType,
  cjsGraphql.GraphQLEnumType,
];
const graphqlOf = (type: object): typeof esmGraphql => (cjsInputClasses.some((kind) => type instanceof kind) ? cjsGraphql : esmGraphql);

/** At most this many records in one call. */
export const MAX_BATCH_RECORDS = 10_000;

export type BatchFormat = 'NDJSON' | 'CSV';

/** One record as read from the content: its fields, or why the line could not be read. */
export interface RawRecord {
  /** The line of the content it starts on (1 is the first line; a CSV header is line 1). */
  line: number;
  fields: Record<string, unknown> | null;
  problem: GraphQLError | null;
}

/** What became of one record. */
export interface RecordResult {
  line: number;
  externalRef: string | null;
  outcome: 'CREATED' | 'ALREADY_PRESENT' | 'REJECTED';
  /** The record kept here (new, or the one sent before). */
  id: string | null;
  code: string | null;
  field: string | null;
  messageZh: string | null;
  messageEn: string | null;
}

const unreadable = (line: number, message: Bilingual): RawRecord => ({ line, fields: null, problem: errors.badInput('line', message) });

function tooMany(count: number): GraphQLError {
  return codedError(
    ErrorCode.BAD_USER_INPUT,
    {
      zh: `一批最多 ${MAX_BATCH_RECORDS} 条记录，本批有 ${count} 条；请分批发送`,
      en: `A batch holds at most ${MAX_BATCH_RECORDS} records; this one has ${count}: send it in parts`,
    },
    { field: 'content', maxRecords: MAX_BATCH_RECORDS, records: count },
  );
}

function readNdjson(content: string): RawRecord[] {
  const records: RawRecord[] = [];
  content.split(/\r?\n/).forEach((text, index) => {
    if (!text.trim()) return;
    const line = index + 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      records.push(unreadable(line, { zh: `第 ${line} 行不是合法的 JSON`, en: `Line ${line} is not valid JSON` }));
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      records.push(unreadable(line, { zh: `第 ${line} 行须为一个 JSON 对象`, en: `Line ${line} must be one JSON object` }));
      return;
    }
    records.push({ line, fields: value as Record<string, unknown>, problem: null });
  });
  return records;
}

/** RFC 4180 rows (quoted cells may hold commas, quotes as "" and line breaks), each with the line it starts on. */
function csvRows(content: string): { line: number; cells: string[]; closed: boolean }[] {
  const rows: { line: number; cells: string[]; closed: boolean }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let touched = false;
  const endRow = () => {
    cells.push(cell);
    if (touched || cells.length > 1 || cell !== '') rows.push({ line: start, cells, closed: true });
    cells = [];
    cell = '';
    touched = false;
  };
  for (let i = 0; i < content.length; i++) {
    const c = content[i];
    if (quoted) {
      if (c === '"' && content[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
      touched = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
      touched = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && content[i + 1] === '\n') i++;
      endRow();
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) rows.push({ line: start, cells: [...cells, cell], closed: false });
  else if (touched || cell !== '' || cells.length) endRow();
  return rows;
}

/** Sets `a.b.c` in `target` (a CSV column `contact.name` is the field `name` of `contact`). */
function setPath(target: Record<string, unknown>, path: string, value: string): void {
  const keys = path.split('.');
  let at = target;
  keys.slice(0, -1).forEach((key) => {
    const next = at[key];
    at = (at[key] = next && typeof next === 'object' ? next : {}) as Record<string, unknown>;
  });
  at[keys[keys.length - 1] ?? path] = value;
}

function readCsv(content: string): RawRecord[] {
  const [header, ...rows] = csvRows(content);
  if (!header) return [];
  const names = header.cells.map((name) => name.trim());
  return rows.map(({ line, cells, closed }) => {
    if (!closed) return unreadable(line, { zh: `第 ${line} 行的引号没有闭合`, en: `Line ${line} has an unclosed quote` });
    if (cells.length !== names.length) {
      return unreadable(line, {
        zh: `第 ${line} 行有 ${cells.length} 列，表头有 ${names.length} 列`,
        en: `Line ${line} has ${cells.length} columns; the header has ${names.length}`,
      });
    }
    const fields: Record<string, unknown> = {};
    // An empty cell is a field not given.
    names.forEach((name, index) => {
      const value = cells[index] ?? '';
      if (value !== '') setPath(fields, name, value);
    });
    return { line, fields, problem: null };
  });
}

/** The records of `content`, in order; BAD_USER_INPUT (field `content`) for more than MAX_BATCH_RECORDS or none. */
export function readBatch(format: BatchFormat, content: string): RawRecord[] {
  const text = content.replace(/^\uFEFF/, '');
  const records = format === 'CSV' ? readCsv(text) : readNdjson(text);
  if (records.length > MAX_BATCH_RECORDS) throw tooMany(records.length);
  if (!records.length) throw errors.badInput('content', { zh: '这一批没有记录', en: 'The batch holds no records' });
  return records;
}

/** The input type of a slice's single import, by name, from the schema serving the request (a record is coerced with it). */
export function inputType(schema: GraphQLSchema, name: string): GraphQLInputObjectType {
  const type = schema.getType(name);
  invariant(type && graphqlOf(type).isInputObjectType(type), `the input type ${name} of a single import`);
  return type;
}

/** A CSV cell as the type of its field needs it: numbers and booleans from their text, lists and objects from JSON. */
function fromText(type: GraphQLInputType, value: unknown): unknown {
  const { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType } = graphqlOf(type);
  const inner = isNonNullType(type) ? type.ofType : type;
  if (typeof value !== 'string') {
    if (isInputObjectType(inner) && value && typeof value === 'object') return typedFields(inner, value as Record<string, unknown>);
    return value;
  }
  if (isListType(inner) || isInputObjectType(inner)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  const named = getNamedType(inner);
  if (isScalarType(named) && (named.name === 'Int' || named.name === 'Float') && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  if (isScalarType(named) && named.name === 'Boolean' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
  if (isEnumType(named)) return value.trim();
  return value;
}

function typedFields(type: GraphQLInputObjectType, fields: Record<string, unknown>): Record<string, unknown> {
  const defined = type.getFields();
  return Object.fromEntries(
    Object.entries(fields).map(([name, value]) => {
      const field = defined[name];
      return [name, field ? fromText(field.type, value) : value];
    }),
  );
}

/**
 * A record as the single import's input type takes it (`fieldsFromText`: a CSV row, whose cells are
 * text). Throws BAD_USER_INPUT naming the first field that does not fit.
 */
export function coerceRecord(
  type: GraphQLInputObjectType,
  fields: Record<string, unknown>,
  fieldsFromText: boolean,
): Record<string, unknown> {
  const value = fieldsFromText ? typedFields(type, fields) : fields;
  let first: GraphQLError | null = null;
  const coerced = graphqlOf(type).coerceInputValue(value, type, (path, _invalid, error) => {
    const field = path.reduce<string>((name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${key}` : key), '');
    first ??= errors.badInput(field || 'record', { zh: `${field || '记录'} 的值不合法：${error.message}`, en: error.message });
  });
  if (first) throw first;
  return coerced as Record<string, unknown>;
}

/** A record's refusal as its result; anything that is not a caller's coded refusal (the database gone) is thrown on. */
export function rejected(line: number, externalRef: string | null, error: unknown): RecordResult {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  if (typeof code !== 'string' || code === ErrorCode.INTERNAL_SERVER_ERROR) throw error;
  const { field, messageZh, messageEn } = (error as GraphQLError).extensions;
  return {
    line,
    externalRef,
    outcome: 'REJECTED',
    id: null,
    code,
    field: typeof field === 'string' ? field : null,
    messageZh: typeof messageZh === 'string' ? messageZh : error instanceof Error ? error.message : null,
    messageEn: typeof messageEn === 'string' ? messageEn : error instanceof Error ? error.message : null,
  };
}

/** A record kept: new, or the same one sent before. */
export function kept(line: number, externalRef: string, id: string, created: boolean): RecordResult {
  return {
    line,
    externalRef,
    outcome: created ? 'CREATED' : 'ALREADY_PRESENT',
    id,
    code: null,
    field: null,
    messageZh: null,
    messageEn: null,
  };
}

/**
 * Records entered a chunk at a time (BATCH_CHUNK_RECORDS): one transaction per chunk, each record in
 * a savepoint of its own. A record refused with a coded error rolls back to its savepoint alone and
 * gets its result; anything else (the connection gone, the server stopping) rolls back its whole
 * chunk and is thrown on — so what a crash leaves is every chunk before it, committed, and nothing of
 * the rest; the batch sent again finds those (ALREADY_PRESENT) and enters the others. One commit per
 * chunk instead of per record is what lets 10,000 records fit a request's time.
 *
 * The savepoint is the one the kit's createRow/changeRow opens when handed the chunk's transaction
 * (a transaction inside a transaction): `enter` writes only through them, and before them only
 * reads and checks — a coded refusal there has changed nothing. (A savepoint of the kit's around
 * each record as well cost two more statements a record for nothing.) `enter` never calls another
 * slice: they are asked once per batch, before.
 */
export const BATCH_CHUNK_RECORDS = 500;

const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Times a chunk is tried when PostgreSQL chose it as a deadlock's (or serialization failure's) victim. */
const CHUNK_ATTEMPTS = 3;

/**
 * A chunk holds each record's lock until it commits. Its records' own locks are taken in key order;
 * should PostgreSQL still choose a chunk as a deadlock's victim (a lock the slice takes besides,
 * such as an enterprise's live application of an item), the chunk is entered again.
 */
async function retriedOnDeadlock<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= CHUNK_ATTEMPTS || (state !== SqlState.DEADLOCK_DETECTED && state !== SqlState.SERIALIZATION_FAILURE)) throw error;
    }
  }
}

export async function enterInChunks<Item, Tx extends Transactional<Tx>>(
  db: Transactional<Tx>,
  items: readonly Item[],
  enter: (tx: Tx, item: Item) => Promise<RecordResult>,
  refused: (item: Item, error: unknown) => RecordResult,
  /** The key a record is locked by (its source reference): a chunk takes its records' locks in this order. */
  keyOf: (item: Item) => string,
): Promise<RecordResult[]> {
  const results: RecordResult[] = [];
  for (let start = 0; start < items.length; start += BATCH_CHUNK_RECORDS) {
    const chunk = items.slice(start, start + BATCH_CHUNK_RECORDS);
    // Every chunk takes its locks in key order (stable: a reference sent twice keeps its order), so
    // two batches with the same records in other orders wait for each other instead of deadlocking.
    const keys = chunk.map(keyOf);
    const order = keys.map((_, index) => index).sort((a, b) => compareKeys(keys[a] ?? '', keys[b] ?? '') || a - b);
    const enterChunk = () =>
      db.transaction(async (tx) => {
        const done: RecordResult[] = new Array<RecordResult>(chunk.length);
        for (const index of order) {
          const item = present(chunk[index], 'a record of the chunk');
          try {
            done[index] = await enter(tx, item);
          } catch (error) {
            // A coded refusal is this record's result; anything else is thrown on (rejected()), rolling the chunk back.
            done[index] = refused(item, error);
          }
        }
        return done;
      });
    results.push(...(await retriedOnDeadlock(enterChunk)));
  }
  return results;
}

/** The counts a batch's answer gives beside its records. */
export function tally(results: RecordResult[]) {
  return {
    received: results.length,
    created: results.filter((r) => r.outcome === 'CREATED').length,
    alreadyPresent: results.filter((r) => r.outcome === 'ALREADY_PRESENT').length,
    rejected: results.filter((r) => r.outcome === 'REJECTED').length,
    records: results,
  };
}

/** The source system's name: 1–60 letters, digits or _.:- (as importApplication's). */
export const SOURCE_SYSTEM = /^[A-Za-z0-9_.:-]{1,60}$/;

export function requireSourceSystem(value: string, field: string): string {
  if (!SOURCE_SYSTEM.test(value)) {
    throw errors.badInput(field, { zh: '来源系统须为 1–60 位字母、数字或 _.:-', en: `${field} is 1–60 letters, digits or _.:-` });
  }
  return value;
}

/** The external reference of a raw record, when it has a usable one (for its result line even when refused). */
export function externalRefOf(fields: Record<string, unknown> | null, name: string): string | null {
  const value = fields?.[name];
  return typeof value === 'string' && value.trim() ? value.trim() : null;
}
