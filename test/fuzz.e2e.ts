/**
 * No input may yield an internal error (issues #7 and #20). Every argument of every field of the
 * gateway and of every registered subgraph — read from each service's own schema by introspection,
 * so a slice added later is fuzzed without a line changed here — gets generated strings (control
 * characters, invisible and bidirectional ones, lone surrogates, SQL wildcards, long ones), dates
 * (impossible, out of range, malformed), ids, cursors (tampered), numbers at the edges of their
 * scalar and beyond what JSON or a double can hold (written as the raw number text), values nested
 * far deeper than any input, and entity representations whose entity fields are then resolved.
 * Each value is sent as a variable or written into the document as a literal.
 *
 * Every answer must be below 500, JSON, never `data: null` without an error, carry no
 * INTERNAL_SERVER_ERROR, and word every error in both languages; bad input must name its field. A
 * mutation whose every run was refused must have changed no row of any slice. Anything thrown on the
 * way (a reset connection, a body that is not JSON) is a failure too. Bounded: a fixed number of runs
 * per field, a fixed seed.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { slices } from '../subgraphs/registry.ts';
import { introspect } from './support/attacks.ts';
import { ACCEPT_GRAPHQL_RESPONSE, startTestPlatform, tokenFor, type Caller, type TestPlatform } from './support/platform.ts';

const RUNS_PER_FIELD = Number(process.env.FUZZ_RUNS ?? 12);
const SEED = Number(process.env.FUZZ_SEED ?? 20_231_107);

let t: TestPlatform;
const schemas: Record<string, { url: string; schema: GraphQLSchema }> = {};

beforeAll(async () => {
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' } });
  schemas.gateway = { url: t.gatewayUrl, schema: await introspect(t.gatewayUrl) };
  for (const slice of slices) {
    const url = `${t.platform.subgraphs[slice.name]!.url}graphql`;
    schemas[slice.name] = { url, schema: await introspect(url) };
  }
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

// ---- values ----

/** A number written as it is: JSON.stringify cannot write 1e400 or -0, and a literal keeps its text. */
class Raw {
  constructor(readonly text: string) {}
}

/** A value nested `depth` levels deep, written out without recursion (JSON.stringify overflows on 10,000). */
class Deep {
  constructor(
    readonly how: 'shallow' | 'deep',
    readonly shape: 'list' | 'object',
  ) {}
  json(): string {
    const depth = this.how === 'shallow' ? 33 : 10_000;
    return this.shape === 'list' ? `${'['.repeat(depth)}"x"${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
  }
  literal(): string {
    const depth = this.how === 'shallow' ? 33 : 300;
    return this.shape === 'list' ? `${'['.repeat(depth)}"x"${']'.repeat(depth)}` : `${'{a: '.repeat(depth)}"x"${'}'.repeat(depth)}`;
  }
}

/**
 * Just past the platform's nesting limit, and far past it: 10,000 levels as a variable (20 KB, once a
 * stack overflow), 300 as a literal (a document may hold 5,000 tokens; deeper, graphql-js's own
 * parser runs out of stack and says so as a syntax error, and a deep literal is slow to refuse).
 */
const deep = fc
  .tuple(fc.constantFrom('shallow' as const, 'deep' as const), fc.constantFrom('list' as const, 'object' as const))
  .map(([how, shape]) => new Deep(how, shape));

/** JSON with Raw numbers and Deep values written as they are. */
function toJson(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Deep) return value.json();
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The same value as a GraphQL literal of `type` (an enum value bare when it is one of the enum's names). */
function toLiteral(type: GraphQLInputType, value: unknown): string {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (value instanceof Raw) return value.text;
  if (value instanceof Deep) return value.literal();
  if (value === null || value === undefined) return 'null';
  if (isListType(inner))
    return Array.isArray(value) ? `[${value.map((item) => toLiteral(inner.ofType, item)).join(', ')}]` : toLiteral(inner.ofType, value);
  if (isEnumType(inner) && typeof value === 'string' && inner.getValue(value)) return value;
  if (isInputObjectType(inner) && typeof value === 'object' && !Array.isArray(value)) {
    const fields = inner.getFields();
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${key}: ${fields[key] ? toLiteral(fields[key]!.type, item) : toLiteral(inner, item)}`)
      .join(', ')}}`;
  }
  if (Array.isArray(value)) return `[${value.map((item) => toLiteral(inner, item)).join(', ')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([key, item]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(key) ? key : 'k'}: ${toLiteral(inner, item)}`)
      .join(', ')}}`;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return JSON.stringify(value);
}

/** Integers and floats at the edges of GraphQL's Int (32 bits) and of a double, and beyond. */
const intEdges = [
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 53 + 1,
  0,
  new Raw('-0'),
  new Raw('1e400'),
  new Raw('99999999999999999999'),
  1.5,
];
const floatEdges = [
  new Raw('1e400'),
  new Raw('-1e400'),
  new Raw('1e-400'),
  new Raw('-0.0'),
  1.7976931348623157e308,
  -1.7976931348623157e308,
  5e-324,
  2 ** 53 + 1,
  0,
  -1,
  new Raw('10000000000000000000000000000000000000000'),
];
const dateEdges = ['1900-01-01', '1899-12-31', '2199-12-31', '2200-01-01', '0000-01-01', '9999-12-31', '2024-02-29', '2023-02-29'];
const dateTimeEdges = [
  '1900-01-01T00:00:00+08:00',
  '1899-12-31T23:59:59Z',
  '2199-12-31T23:59:59+08:00',
  '2200-01-01T00:00:00Z',
  '2024-02-29T24:00:00+08:00',
  '2026-12-31T23:59:60Z',
];
/** Strings some arguments read as a half year, a quarter or a credit code. */
const namedEdges: Record<string, unknown[]> = {
  period: ['1999-H1', '0000-H1', '2000-H1', '2199-H2', '2200-H2', '2026-H3', '2026-h1'],
  quarter: ['1999-Q4', '2000-Q1', '2199-Q4', '2200-Q1', '0000-Q1', '2026-Q5'],
  creditCode: ['91350100M000100Y43', '91350100m000100y43', '91350100M000100Y4', '91350100M000100Y44', '00000000000000000O'],
};

const nasty = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\u200b\u200c\u200d\u2060\ufeff',
  'abc\u202edcba',
  '\u2066isolated\u2069',
  '\ud800',
  'x\udfffy',
  '%_\\',
  "'; drop table units; --",
  '𠮷'.repeat(300),
  'a'.repeat(5000),
  '0000-01-01T00:00:00Z',
  '2023-02-30',
  '2023-02-30T10:00:00+08:00',
  '9999-12-31T23:59:59Z',
  '2023-13-01T00:00:00+25:00',
  'NaN',
  '-1',
];

const text = fc.oneof(
  fc.constantFrom(...nasty),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
);
const cursor = fc.oneof(
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc
    .tuple(
      fc.oneof(fc.constantFrom('0000-01-01', '2023-02-30T00:00:00Z', 'x'), fc.string()),
      fc.oneof(fc.uuid(), fc.integer(), fc.string()),
    )
    .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url')),
  text,
);
const id = fc.oneof(fc.uuid(), fc.constantFrom(unitIdForCode('COMMAND_OFFICE'), unitIdForCode('MARKET_REGULATION_BUREAU')), text);
const year = fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 2020, max: 2030 }));
const pad = (value: number, size = 2) => String(value).padStart(size, '0');
const date = fc.oneof(
  fc.tuple(year, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`),
  text,
);
const dateTime = fc.oneof(
  fc
    .tuple(date, fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.constantFrom('Z', '+08:00', '-14:00', '+99:99', ''))
    .map(([day, hour, minute, zone]) => `${day}T${pad(hour)}:${pad(minute)}:00${zone}`),
  fc.date({ noInvalidDate: true }).map((value) => value.toISOString()),
  text,
);

function valueFor(schema: GraphQLSchema, type: GraphQLInputType, name: string, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueFor(schema, type.ofType, name, depth);
  const nullable = (arbitrary: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type)) return nullable(fc.array(valueFor(schema, type.ofType, name, depth + 1), { maxLength: depth > 1 ? 1 : 3 }));
  if (isEnumType(type))
    return nullable(
      fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...type.getValues().map((value) => value.name)) }, { weight: 1, arbitrary: text }),
    );
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant(null);
    const fields = Object.values(type.getFields());
    return nullable(
      fc.record(Object.fromEntries(fields.map((field) => [field.name, valueFor(schema, field.type, field.name, depth + 1)])), {
        requiredKeys: fields.filter((field) => isNonNullType(field.type)).map((field) => field.name),
      }),
    );
  }
  if (!isScalarType(type)) return fc.constant(null);
  switch (type.name) {
    case 'Int':
      return nullable(fc.oneof(fc.integer({ min: -5, max: 200 }), fc.integer(), { weight: 2, arbitrary: fc.constantFrom(...intEdges) }));
    case 'Float':
      return nullable(
        fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), { weight: 2, arbitrary: fc.constantFrom(...floatEdges) }),
      );
    case 'Boolean':
      return nullable(fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constantFrom<unknown>('true', 1, 0) }));
    case 'ID':
      return nullable(
        fc.oneof(
          id,
          fc.constantFrom<unknown>(
            123,
            unitIdForCode('COMMAND_OFFICE').toUpperCase(),
            `{${unitIdForCode('COMMAND_OFFICE')}}`,
            '00000000-0000-0000-0000-000000000000',
          ),
        ),
      );
    case 'DateTime':
      return nullable(fc.oneof(dateTime, fc.constantFrom(...dateTimeEdges)));
    case 'Date':
      return nullable(fc.oneof(date, fc.constantFrom(...dateEdges)));
    case '_Any':
      return representation(schema);
    default:
      if (name === 'after' || name === 'before') return nullable(cursor);
      if (namedEdges[name]) return nullable(fc.oneof(text, fc.constantFrom(...namedEdges[name]!)));
      return nullable(type.name === 'String' ? text : fc.oneof(text, fc.jsonValue()));
  }
}

/** `_entities` representations: a type the service knows, with made-up keys. */
function representation(schema: GraphQLSchema): fc.Arbitrary<unknown> {
  const entities =
    (schema.getType('_Entity') as { getTypes?: () => GraphQLNamedType[] } | undefined)?.getTypes?.().map((type) => type.name) ?? [];
  const keys = {
    id: fc.oneof(id, fc.constantFrom<unknown>('x', 123, '', true, null, {}, ['x'], unitIdForCode('COMMAND_OFFICE').toUpperCase())),
    code: fc.oneof(fc.constantFrom<unknown>('POLITICS_LAW', 'COMMAND_OFFICE', '370202', 370202), text),
    creditCode: fc.oneof(fc.constantFrom<unknown>('91350100M000100Y43', 91350100), text),
  };
  // Mostly an entity of the service with every key (a forged key must reach the resolvers, not be
  // refused beside a junk representation in the same list); now and then junk.
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ __typename: fc.constantFrom(...(entities.length ? entities : ['Unit'])), ...keys }) },
    {
      weight: 1,
      arbitrary: fc.record(
        { __typename: fc.oneof(fc.constantFrom(...(entities.length ? entities : ['Unit'])), text), ...keys },
        { requiredKeys: ['__typename'] },
      ),
    },
  );
}

// ---- documents ----

type Field = GraphQLField<unknown, unknown>;

const needsNoArgument = (field: Field) => field.args.every((argument) => !isNonNullType(argument.type));

/**
 * The scalar fields of a type that need no argument, or `__typename`; with `levels`, its object
 * fields too, so a representation's entity has the fields other slices add to it resolved (that is
 * where a forged key reached SQL). A union (`_Entity`) is selected member by member.
 */
function selectionOf(type: GraphQLNamedType, levels = 0): string {
  if (!isCompositeType(type)) return '';
  if (isUnionType(type))
    return `{ __typename ${type
      .getTypes()
      .map((member) => `... on ${member.name} ${selectionOf(member, levels)}`)
      .join(' ')} }`;
  if (!isObjectType(type)) return '{ __typename }';
  const fields = Object.values(type.getFields()).filter(needsNoArgument);
  const leaves = fields.filter((field) => isLeafType(getNamedType(field.type))).map((field) => field.name);
  const objects =
    levels > 0
      ? fields
          .filter(
            (field) => isObjectType(getNamedType(field.type)) && !isListType(isNonNullType(field.type) ? field.type.ofType : field.type),
          )
          .map(
            (field) =>
              `${field.name}${field.args.some((argument) => argument.name === 'first') ? '(first: 2)' : ''} ${selectionOf(getNamedType(field.type), levels - 1)}`,
          )
      : [];
  return `{ __typename ${[...leaves, ...objects].join(' ')} }`;
}

/** Shortest ways from the query root to each object type, through fields that need no argument. */
function pathsToTypes(schema: GraphQLSchema): Map<string, (inner: string) => string> {
  const paths = new Map<string, (inner: string) => string>();
  const root = schema.getQueryType()!;
  paths.set(root.name, (inner) => inner);
  const queue = [root];
  while (queue.length) {
    const type = queue.shift()!;
    const wrap = paths.get(type.name)!;
    for (const field of Object.values(type.getFields())) {
      if (field.name.startsWith('_') || field.args.some((argument) => isNonNullType(argument.type))) continue;
      const next = getNamedType(field.type);
      if (!isObjectType(next) || paths.has(next.name)) continue;
      const call = field.args.some((argument) => argument.name === 'first') ? `${field.name}(first: 2)` : field.name;
      paths.set(next.name, (inner) => wrap(`${call} { __typename ${inner} }`));
      queue.push(next);
    }
  }
  return paths;
}

interface Target {
  label: string;
  operation: 'query' | 'mutation';
  field: Field;
  document: (variables: string, args: string) => string;
}

function targetsOf(schema: GraphQLSchema): Target[] {
  const targets: Target[] = [];
  const paths = pathsToTypes(schema);
  for (const [operation, root] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (field.args.length === 0) continue;
      const levels = field.name === '_entities' ? 1 : 0;
      targets.push({
        label: `${root!.name}.${field.name}`,
        operation,
        field,
        document: (variables, args) =>
          `${operation} Fuzz${variables} { ${field.name}${args} ${selectionOf(getNamedType(field.type), levels)} }`,
      });
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_') || type === schema.getQueryType() || type === schema.getMutationType()) continue;
    const path = paths.get(type.name);
    if (!path) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      targets.push({
        label: `${type.name}.${field.name}`,
        operation: 'query',
        field,
        document: (variables, args) =>
          `query Fuzz${variables} { ${path(`${field.name}${args} ${selectionOf(getNamedType(field.type))}`)} }`,
      });
    }
  }
  return targets;
}

// ---- the property ----

const callers: Caller[] = [
  'COMMAND_OFFICE',
  'ANONYMOUS',
  { role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' },
  { role: 'ENTERPRISE', enterprise: '91350100M000100Y43' },
];
const han = /[\u4e00-\u9fff]/;

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(url: string, query: string, variables: Record<string, unknown> | undefined, caller: Caller): Promise<Answer> {
  const token = await tokenFor(caller);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: ACCEPT_GRAPHQL_RESPONSE,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: `{"query":${JSON.stringify(query)}${variables ? `,"variables":${toJson(variables)}` : ''}}`,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) as Answer['body'] };
  } catch {
    throw new Error(`HTTP ${response.status} ${response.headers.get('content-type')}, not JSON: ${text.slice(0, 200)}`);
  }
}

/**
 * Whether an error at `path` nulls the whole answer: every field and list item from the root down to
 * it is non-null, so the null climbs all the way up. An error without a path (a refused request) does.
 */
function nullsEverything(schema: GraphQLSchema, path: readonly (string | number)[] | undefined, operation: 'query' | 'mutation'): boolean {
  if (!path?.length) return true;
  let type: GraphQLOutputType | null | undefined = operation === 'query' ? schema.getQueryType() : schema.getMutationType();
  for (const key of path) {
    const inner: GraphQLOutputType | null | undefined = type && isNonNullType(type) ? type.ofType : type;
    let next: GraphQLOutputType;
    if (typeof key === 'number') {
      if (!isListType(inner)) return true;
      next = inner.ofType;
    } else {
      // A union's member is not known from the path: assume the error explains the null.
      const field: GraphQLField<unknown, unknown> | undefined = isObjectType(inner) ? inner.getFields()[key] : undefined;
      if (!field) return true;
      next = field.type;
    }
    if (!isNonNullType(next)) return false;
    type = next;
  }
  return true;
}

function problemsOf(answer: Answer, schema?: GraphQLSchema, operation: 'query' | 'mutation' = 'query'): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status} ${String(answer.body.errors?.[0]?.extensions?.code ?? '')}`.trim());
  // A whole answer lost must say why (issue #20: a hidden enterprise made a page `{"data": null}`, and
  // next to another error it would still be lost): some error must sit where its null climbs to the root.
  if ('data' in answer.body && answer.body.data === null) {
    const errors = answer.body.errors ?? [];
    if (!errors.length) problems.push('data: null without an error');
    else if (schema && !errors.some((error) => nullsEverything(schema, (error as { path?: (string | number)[] }).path, operation))) {
      problems.push(`data: null, yet no error explains it: ${JSON.stringify(errors.map((error) => (error as { path?: unknown }).path))}`);
    }
  }
  for (const error of answer.body.errors ?? []) {
    const { code, messageZh, messageEn, field } = error.extensions ?? {};
    if (typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR') problems.push(`code ${String(code)}: ${error.message}`);
    if (typeof messageZh !== 'string' || !han.test(messageZh) || /\b(Variable|Expected|Cannot|claim)\b/.test(messageZh))
      problems.push(`not Chinese: ${String(messageZh)}`);
    // The English may quote what the caller sent (which may be Chinese); the rest of it is English.
    if (typeof messageEn !== 'string' || han.test(messageEn.replace(/"[^"]*"|“[^”]*”|：.*$/g, '')))
      problems.push(`not English: ${String(messageEn)}`);
    if (error.message !== `${String(messageZh)} / ${String(messageEn)}`) problems.push(`message is not "zh / en": ${error.message}`);
    if (code === 'BAD_USER_INPUT' && (typeof field !== 'string' || !field))
      problems.push(`BAD_USER_INPUT without its field: ${error.message}`);
  }
  return problems;
}

let fingerprintQuery: string | undefined;

/**
 * Every row of every slice's tables, as one count and one order-free hash per table: equal before and
 * after, nothing was written.
 */
async function fingerprint(): Promise<string> {
  const owner = t.database.handle.owner();
  if (!fingerprintQuery) {
    const tables = rowsOf<{ name: string }>(
      await owner.execute(
        sql.raw(
          `select format('%I.%I', table_schema, table_name) as name from information_schema.tables where table_type = 'BASE TABLE' and table_schema in (${slices.map((slice) => `'${slice.name}'`).join(', ')}) order by 1`,
        ),
      ),
    );
    fingerprintQuery = tables
      .map(
        ({ name }) =>
          `select '${name}' as name, count(*)::text as n, coalesce(sum(hashtext(x::text)::bigint), 0)::text as h from ${name} x`,
      )
      .join(' union all ');
  }
  const rows = rowsOf<{ name: string; n: string; h: string }>(await owner.execute(sql.raw(fingerprintQuery)));
  return rows
    .map((row) => `${row.name}:${row.n}:${row.h}`)
    .sort()
    .join('\n');
}

function changed(before: string, after: string): string {
  const was = new Set(before.split('\n'));
  return after
    .split('\n')
    .filter((line) => !was.has(line))
    .map((line) => line.split(':')[0])
    .join(', ');
}

/** Every problem found, grouped by field and what went wrong, with a few inputs that showed it: one class never hides another. */
class Failures {
  private readonly groups = new Map<string, string[]>();
  add(field: string, problem: string, example = ''): void {
    const key = `${field}: ${problem.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>').slice(0, 200)}`;
    const list = this.groups.get(key) ?? [];
    list.push(example.slice(0, 240));
    this.groups.set(key, list);
  }
  summary(): string[] {
    return [...this.groups].map(
      ([key, examples]) => `${key} — ${examples.length}×${examples[0] ? `, e.g. ${examples.slice(0, 2).join(' | ')}` : ''}`,
    );
  }
}

const services = ['gateway', ...slices.map((slice) => slice.name)];

describe.each(services)('every argument of every field of the %s', (service) => {
  it('is refused or answered, never with an internal error, in both languages; a refused mutation writes nothing', async () => {
    const { url, schema } = schemas[service]!;
    const targets = targetsOf(schema);
    expect(targets.length).toBeGreaterThan(0);
    const failures = new Failures();
    let mutationsChecked = 0;
    const mutations = targets.filter((target) => target.operation === 'mutation').length;
    for (const target of targets) {
      const args = target.field.args;
      const variables = `(${args.map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ')})`;
      const call = `(${args.map((argument) => `${argument.name}: $${argument.name}`).join(', ')})`;
      // Now and then an argument is nested far deeper than any input. A quarter of the runs write the
      // values into the document (the gateway plans each such document afresh, which costs time).
      const values = fc.record(
        Object.fromEntries(
          args.map((argument) => [
            argument.name,
            fc.oneof({ weight: 15, arbitrary: valueFor(schema, argument.type, argument.name) }, { weight: 1, arbitrary: deep }),
          ]),
        ),
        { requiredKeys: args.filter((argument) => isNonNullType(argument.type)).map((argument) => argument.name) },
      );
      const mutation = target.operation === 'mutation';
      const before = mutation ? await fingerprint() : '';
      let accepted = 0;
      let clean = true;
      const outcome = await fc.check(
        fc.asyncProperty(
          values,
          fc.constantFrom(...callers),
          fc.oneof({ weight: 3, arbitrary: fc.constant('variables' as const) }, { weight: 1, arbitrary: fc.constant('literals' as const) }),
          async (generated, caller, form) => {
            const given = args.filter((argument) => (generated as Record<string, unknown>)[argument.name] !== undefined);
            const document =
              form === 'variables'
                ? target.document(variables, call)
                : target.document(
                    '',
                    given.length
                      ? `(${given.map((argument) => `${argument.name}: ${toLiteral(argument.type, (generated as Record<string, unknown>)[argument.name])}`).join(', ')})`
                      : '',
                  );
            const shown = `${form} ${toJson(generated).slice(0, 200)} as ${JSON.stringify(caller)}`;
            let answer: Answer;
            try {
              answer = await send(url, document, form === 'variables' ? (generated as Record<string, unknown>) : undefined, caller);
            } catch (error) {
              failures.add(target.label, `threw ${String(error)}`, shown);
              return true;
            }
            if (answer.body.data?.[target.field.name] != null) accepted++;
            const problems = problemsOf(answer, schema, target.operation);
            if (problems.length) {
              for (const problem of problems) failures.add(target.label, problem, shown);
              clean = false;
            }
            // Every run is made and every problem recorded: one class of failure must not hide another.
            return true;
          },
        ),
        // A representation is where forged keys reach the resolvers of every entity: more runs there.
        { numRuns: target.field.name === '_entities' ? RUNS_PER_FIELD * 4 : RUNS_PER_FIELD, seed: SEED },
      );
      // Whatever else ended the run (fast-check itself) is a failure, never swallowed.
      if (outcome.failed) failures.add(target.label, String(outcome.errorInstance ?? outcome.counterexample));
      if (mutation && accepted === 0 && clean && !outcome.failed) {
        const after = await fingerprint();
        if (after !== before) failures.add(target.label, `every run refused, yet rows changed in ${changed(before, after)}`);
        mutationsChecked++;
      }
    }
    expect(failures.summary()).toEqual([]);
    // The check above ran for most mutations, not for none.
    expect(mutationsChecked).toBeGreaterThanOrEqual(Math.ceil(mutations / 2));
    // Still up after all of it.
    expect((await fetch(new URL('/health', url))).status).toBe(200);
  }, 300_000);
});

// ---- the whole graph, read by every caller ----

/** Every field a caller may ask without an argument, `levels` deep (lists as their first two). */
function everything(type: GraphQLNamedType, levels: number): string {
  if (!isCompositeType(type)) return '';
  if (isUnionType(type))
    return `{ __typename ${type
      .getTypes()
      .map((member) => `... on ${member.name} ${everything(member, levels)}`)
      .join(' ')} }`;
  if (!isObjectType(type)) return '{ __typename }';
  const fields = Object.values(type.getFields()).filter((field) => needsNoArgument(field) && !field.name.startsWith('_'));
  const selected = fields.flatMap((field) => {
    const named = getNamedType(field.type);
    if (isLeafType(named)) return [field.name];
    if (levels === 0) return [];
    return [
      `${field.name}${field.args.some((argument) => argument.name === 'first') ? '(first: 2)' : ''} ${everything(named, levels - 1)}`,
    ];
  });
  return `{ __typename ${selected.join(' ')} }`;
}

describe.each(services)('the whole graph of the %s, read by every caller', (service) => {
  it('never loses an answer without saying why, and never fails internally', async () => {
    const { url, schema } = schemas[service]!;
    const roots = Object.values(schema.getQueryType()!.getFields()).filter(
      (field) => needsNoArgument(field) && !field.name.startsWith('_'),
    );
    expect(roots.length).toBeGreaterThan(0);
    const failures = new Failures();
    let answered = 0;
    for (const root of roots) {
      for (const caller of callers) {
        // Level by level, as deep as the limits let the document be: a deeper document can carry an
        // error that legitimately explains a null, and so hide a shallower one lost without any.
        for (let levels = 1; levels <= (isLeafType(getNamedType(root.type)) ? 1 : 4); levels++) {
          const call = root.args.some((argument) => argument.name === 'first') ? `${root.name}(first: 2)` : root.name;
          const query = `query Everything { ${call} ${everything(getNamedType(root.type), levels)} }`;
          let answer: Answer;
          try {
            answer = await send(url, query, undefined, caller);
          } catch (error) {
            failures.add(root.name, `threw ${String(error)}`, `${levels} levels as ${JSON.stringify(caller)}`);
            break;
          }
          const code = answer.body.errors?.[0]?.extensions?.code;
          if (code === 'QUERY_TOO_COMPLEX' || code === 'QUERY_TOO_DEEP') break;
          const problems = problemsOf(answer, schema);
          for (const problem of problems) failures.add(root.name, problem, `${levels} levels as ${JSON.stringify(caller)}`);
          if (answer.body.data) answered++;
        }
      }
    }
    expect(failures.summary()).toEqual([]);
    expect(answered).toBeGreaterThan(0);
  }, 300_000);
});
