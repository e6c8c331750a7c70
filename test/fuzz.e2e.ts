/**
 * No input may yield an internal error (issue #7). Every argument of every field of the gateway and
 * of every registered subgraph — read from each service's own schema by introspection, so a slice
 * added later is fuzzed without a line changed here — gets generated strings (control characters,
 * invisible and bidirectional ones, lone surrogates, SQL wildcards, long ones), dates (impossible,
 * out of range, malformed), ids, cursors (tampered) and entity representations. Every answer must be
 * below 500, carry no INTERNAL_SERVER_ERROR, and word every error in both languages; bad input must
 * name its field. Bounded: a fixed number of runs per field, a fixed seed.
 */
import fc from 'fast-check';
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
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const text = fc.oneof(fc.constantFrom(...nasty), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 30 }));
const cursor = fc.oneof(
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc.tuple(fc.oneof(fc.constantFrom('0000-01-01', '2023-02-30T00:00:00Z', 'x'), fc.string()), fc.oneof(fc.uuid(), fc.integer(), fc.string())).map((key) =>
    Buffer.from(JSON.stringify(key)).toString('base64url'),
  ),
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
  fc.tuple(date, fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.constantFrom('Z', '+08:00', '-14:00', '+99:99', '')).map(
    ([day, hour, minute, zone]) => `${day}T${pad(hour)}:${pad(minute)}:00${zone}`,
  ),
  fc.date({ noInvalidDate: true }).map((value) => value.toISOString()),
  text,
);

function valueFor(schema: GraphQLSchema, type: GraphQLInputType, name: string, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueFor(schema, type.ofType, name, depth);
  const nullable = (arbitrary: fc.Arbitrary<unknown>) => fc.oneof({ weight: 6, arbitrary }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type)) return nullable(fc.array(valueFor(schema, type.ofType, name, depth + 1), { maxLength: depth > 1 ? 1 : 3 }));
  if (isEnumType(type)) return nullable(fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...type.getValues().map((value) => value.name)) }, { weight: 1, arbitrary: text }));
  if (isInputObjectType(type)) {
    if (depth > 3) return fc.constant(null);
    const fields = Object.values(type.getFields());
    return nullable(fc.record(Object.fromEntries(fields.map((field) => [field.name, valueFor(schema, field.type, field.name, depth + 1)])), { requiredKeys: fields.filter((field) => isNonNullType(field.type)).map((field) => field.name) }));
  }
  if (!isScalarType(type)) return fc.constant(null);
  switch (type.name) {
    case 'Int':
      return nullable(fc.oneof(fc.integer({ min: -5, max: 200 }), fc.integer(), fc.constantFrom(2 ** 31, -(2 ** 53), 1.5)));
    case 'Float':
      return nullable(fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'Boolean':
      return nullable(fc.boolean());
    case 'ID':
      return nullable(id);
    case 'DateTime':
      return nullable(dateTime);
    case 'Date':
      return nullable(date);
    case '_Any':
      return representation(schema);
    default:
      if (name === 'after' || name === 'before') return nullable(cursor);
      return nullable(type.name === 'String' ? text : fc.oneof(text, fc.jsonValue()));
  }
}

/** `_entities` representations: a type the service knows, with made-up keys. */
function representation(schema: GraphQLSchema): fc.Arbitrary<unknown> {
  const entities = (schema.getType('_Entity') as { getTypes?: () => GraphQLNamedType[] } | undefined)?.getTypes?.().map((type) => type.name) ?? [];
  return fc.record({
    __typename: fc.oneof(fc.constantFrom(...(entities.length ? entities : ['Unit'])), text),
    id,
    code: fc.oneof(fc.constantFrom('POLITICS_LAW', 'COMMAND_OFFICE', '370202'), text),
    creditCode: fc.oneof(fc.constantFrom('91350100M000100Y43'), text),
  }, { requiredKeys: ['__typename'] });
}

// ---- documents ----

type Field = GraphQLField<unknown, unknown>;

/** The scalar fields without arguments of a type, or `__typename`. */
function selectionOf(type: GraphQLNamedType): string {
  if (!isCompositeType(type)) return '';
  if (!isObjectType(type)) return '{ __typename }';
  const leaves = Object.values(type.getFields()).filter((field) => isLeafType(getNamedType(field.type)) && field.args.length === 0).map((field) => field.name);
  return `{ __typename ${leaves.join(' ')} }`;
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
  for (const [operation, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (field.args.length === 0) continue;
      targets.push({ label: `${root!.name}.${field.name}`, operation, field, document: (variables, args) => `${operation} Fuzz${variables} { ${field.name}${args} ${selectionOf(getNamedType(field.type))} }` });
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_') || type === schema.getQueryType() || type === schema.getMutationType()) continue;
    const path = paths.get(type.name);
    if (!path) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      targets.push({ label: `${type.name}.${field.name}`, operation: 'query', field, document: (variables, args) => `query Fuzz${variables} { ${path(`${field.name}${args} ${selectionOf(getNamedType(field.type))}`)} }` });
    }
  }
  return targets;
}

// ---- the property ----

const callers: Caller[] = ['COMMAND_OFFICE', 'ANONYMOUS', { role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' }, { role: 'ENTERPRISE', enterprise: '91350100M000100Y43' }];
const han = /[\u4e00-\u9fff]/;

interface Answer {
  status: number;
  body: { errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(url: string, query: string, variables: Record<string, unknown>, caller: Caller): Promise<Answer> {
  const token = await tokenFor(caller);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT_GRAPHQL_RESPONSE, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

function problemsOf(answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  for (const error of answer.body.errors ?? []) {
    const { code, messageZh, messageEn, field } = error.extensions ?? {};
    if (typeof code !== 'string' || code === 'INTERNAL_SERVER_ERROR') problems.push(`code ${String(code)}: ${error.message}`);
    if (typeof messageZh !== 'string' || !han.test(messageZh) || /\b(Variable|Expected|Cannot|claim)\b/.test(messageZh)) problems.push(`not Chinese: ${String(messageZh)}`);
    // The English may quote what the caller sent (which may be Chinese); the rest of it is English.
    if (typeof messageEn !== 'string' || han.test(messageEn.replace(/"[^"]*"|“[^”]*”|：.*$/g, ''))) problems.push(`not English: ${String(messageEn)}`);
    if (error.message !== `${String(messageZh)} / ${String(messageEn)}`) problems.push(`message is not "zh / en": ${error.message}`);
    if (code === 'BAD_USER_INPUT' && (typeof field !== 'string' || !field)) problems.push(`BAD_USER_INPUT without its field: ${error.message}`);
  }
  return problems;
}

const services = ['gateway', ...slices.map((slice) => slice.name)];

describe.each(services)('every argument of every field of the %s', (service) => {
  it('is refused or answered, never with an internal error, in both languages', async () => {
    const { url, schema } = schemas[service]!;
    const targets = targetsOf(schema);
    expect(targets.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const target of targets) {
      const args = target.field.args;
      const variables = `(${args.map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ')})`;
      const call = `(${args.map((argument) => `${argument.name}: $${argument.name}`).join(', ')})`;
      const document = target.document(variables, call);
      const values = fc.record(Object.fromEntries(args.map((argument) => [argument.name, valueFor(schema, argument.type, argument.name)])), {
        requiredKeys: args.filter((argument) => isNonNullType(argument.type)).map((argument) => argument.name),
      });
      await fc.assert(
        fc.asyncProperty(values, fc.constantFrom(...callers), async (generated, caller) => {
          const answer = await send(url, document, generated, caller);
          const problems = problemsOf(answer);
          if (problems.length) {
            failures.push(`${target.label} ${JSON.stringify(generated).slice(0, 300)} as ${JSON.stringify(caller)}: ${problems.join('; ')}`);
            return false;
          }
          return true;
        }),
        { numRuns: RUNS_PER_FIELD, seed: SEED, endOnFailure: true },
      ).catch(() => {});
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
