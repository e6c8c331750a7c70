/**
 * Requests an attacker would send, written for any schema: the gateway's, or any registered
 * subgraph's (read by introspection), so a slice added later is attacked the same way without a
 * line changed here. Used by test/attacks.e2e.ts and `npm run bench -- limits`.
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isCompositeType,
  isLeafType,
  isListType,
  isNonNullType,
  isEnumType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

export interface Attack {
  name: string;
  query: string;
  /** The codes a refusal may carry (the first limit the request hits). */
  refusedWith: string[];
}

export async function introspect(url: string): Promise<GraphQLSchema> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = (await response.json()) as { data?: IntrospectionQuery; errors?: unknown };
  if (!body.data) throw new Error(`introspection of ${url} failed: ${JSON.stringify(body.errors)}`);
  return buildClientSchema(body.data);
}

type Field = GraphQLField<unknown, unknown>;

const callable = (field: Field) =>
  !field.name.startsWith('_') && field.args.every((argument) => !isNonNullType(argument.type) || argument.defaultValue !== undefined);
const fieldsOf = (type: GraphQLNamedType): Field[] => (isObjectType(type) ? Object.values(type.getFields()) : []);
const returnsMany = (field: Field) =>
  isListType(isNonNullType(field.type) ? field.type.ofType : field.type) || field.args.some((argument) => argument.name === 'first');

/** A few scalar fields of a type, or `__typename`. */
function leaves(type: GraphQLNamedType): string {
  const names = fieldsOf(type)
    .filter((field) => isLeafType(getNamedType(field.type)) && field.args.length === 0)
    .slice(0, 2)
    .map((field) => field.name);
  return names.length ? names.join(' ') : '__typename';
}

/** The root query fields an anonymous caller can write without arguments, lists first. */
function rootFields(schema: GraphQLSchema): Field[] {
  const fields = Object.values(schema.getQueryType()!.getFields()).filter(
    (field) => callable(field) && isCompositeType(getNamedType(field.type)),
  );
  return [...fields.filter(returnsMany), ...fields.filter((field) => !returnsMany(field))];
}

/** A field as written in a query: with a literal for each argument it requires. */
function call(field: Field): string {
  const required = field.args.filter((argument) => isNonNullType(argument.type) && argument.defaultValue === undefined);
  if (!required.length) return field.name;
  return `${field.name}(${required.map((argument) => `${argument.name}: ${literal(argument.type)}`).join(', ')})`;
}

/**
 * A value of a type that passes validation (the limits are measured after it), or null when the
 * type takes no simple literal: a scalar of the platform's own (a Date would have to be valid) or an
 * input object.
 */
function literal(type: GraphQLInputType): string | null {
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]?.name ?? null;
  switch (named.name) {
    case 'String':
    case 'ID':
      return '"x"';
    case 'Int':
    case 'Float':
      return '1';
    case 'Boolean':
      return 'false';
    default:
      return null;
  }
}

/** Writable with literals for its required arguments (`Unit.grade(period: String!)`). */
const writable = (field: Field) =>
  !field.name.startsWith('_') &&
  field.args.every((argument) => !isNonNullType(argument.type) || argument.defaultValue !== undefined || literal(argument.type) !== null);

interface Cycle {
  root: Field;
  /** Fields from the root's type to the first type of the cycle. */
  prefix: Field[];
  /** Fields that lead from a type back to itself. */
  cycle: Field[];
  introspection?: boolean;
}

/**
 * A path of fields that leads from a type back to itself, at least one of them a list (so nesting
 * it multiplies): e.g. Domain.units → Unit.domain.
 */
function findCycle(schema: GraphQLSchema): Cycle {
  for (const root of rootFields(schema)) {
    const start = getNamedType(root.type);
    const seen = new Set<string>();
    const search = (type: GraphQLNamedType, path: Field[]): Field[] | null => {
      if (path.length > 6) return null;
      for (const field of fieldsOf(type)) {
        if (!callable(field)) continue;
        const next = getNamedType(field.type);
        if (!isCompositeType(next)) continue;
        const extended = [...path, field];
        if (next.name === start.name && extended.some(returnsMany)) return extended;
        const key = `${next.name}:${path.length}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const found = search(next, extended);
        if (found) return found;
      }
      return null;
    };
    const cycle = search(start, []);
    if (cycle) return { root, prefix: [], cycle };
  }
  // A schema whose root types never lead back to themselves (the evaluations subgraph's) may still
  // hold a cycle further down, or one through a field with a required argument:
  // contests → edges → node → unit → Unit.grade(period: "x") → EvaluationResult.unit → Unit … —
  // deep enough to try the depth and alias limits themselves, not graphql-js's validation.
  const deeper = findAnyCycle(schema);
  if (deeper) return deeper;
  // Without any cycle it can still be nested without end through introspection:
  // __type { fields { type { fields … } } }, which graphql-js refuses in validation.
  const typeType = schema.getType('__Type');
  const fieldType = schema.getType('__Field');
  if (!isObjectType(typeType) || !isObjectType(fieldType)) throw new Error('no cycle of list fields in this schema');
  const root = { name: '__type(name: "Query")', type: typeType, args: [] } as unknown as Field;
  return { root, prefix: [], cycle: [typeType.getFields().fields!, fieldType.getFields().type!], introspection: true };
}

/** Any cycle reachable from a root field, through fields written with literals; one with a list first. */
function findAnyCycle(schema: GraphQLSchema): Cycle | null {
  const roots = Object.values(schema.getQueryType()!.getFields()).filter(
    (field) => writable(field) && isCompositeType(getNamedType(field.type)),
  );
  let withoutList: Cycle | null = null;
  for (const root of roots) {
    const search = (types: string[], path: Field[]): Cycle | null => {
      if (path.length > 8) return null;
      const type = schema.getType(types.at(-1)!)!;
      for (const field of fieldsOf(type)) {
        if (!writable(field)) continue;
        const next = getNamedType(field.type);
        if (!isCompositeType(next)) continue;
        const back = types.indexOf(next.name);
        if (back >= 0) {
          const found = { root, prefix: path.slice(0, back), cycle: [...path.slice(back), field] };
          if (found.cycle.some(returnsMany)) return found;
          withoutList ??= found;
          continue;
        }
        const result = search([...types, next.name], [...path, field]);
        if (result) return result;
      }
      return null;
    };
    const found = search([getNamedType(root.type).name], []);
    if (found) return found;
  }
  return withoutList;
}

/** `levels` fields deep: the prefix, then round the cycle, ending in leaves. */
function nested({ prefix, cycle }: Cycle, levels: number): string {
  const path = Array.from({ length: levels }, (_, index) =>
    index < prefix.length ? prefix[index]! : cycle[(index - prefix.length) % cycle.length]!,
  );
  let selection = leaves(getNamedType(path.at(-1)!.type));
  for (const field of [...path].reverse()) selection = `${call(field)} { ${selection} }`;
  return selection;
}

/** The four requests of issue #7, for one schema. */
export function attacksOn(schema: GraphQLSchema): Attack[] {
  const [root] = rootFields(schema);
  if (!root) throw new Error('no root field to attack');
  const rootType = getNamedType(root.type);

  // Each fragment spreads the one below it twice: 2^40 fields once expanded, 1.6 KB as sent.
  const levels = 40;
  const fragments = [`fragment F0 on ${rootType.name} { __typename }`];
  for (let level = 1; level <= levels; level++)
    fragments.push(`fragment F${level} on ${rootType.name} { ...F${level - 1} ...F${level - 1} }`);
  const fragmentBomb = `query FragmentBomb { ${root.name} { ...F${levels} } }\n${fragments.join('\n')}`;

  const listRoot = rootFields(schema).find(returnsMany) ?? root;
  const listType = getNamedType(listRoot.type);
  const aliasFlood = `query Aliases { ${Array.from({ length: 2000 }, (_, index) => `a${index}: ${listRoot.name} { ${leaves(listType)} }`).join(' ')} }`;

  const found = findCycle(schema);
  const cycleRoot = call(found.root);
  // graphql-js refuses deep introspection in validation (its own bilingual-translated code) before our limits look.
  const alsoIntrospection = found.introspection ? ['GRAPHQL_VALIDATION_FAILED'] : [];
  const wide = `query WideNested { ${Array.from({ length: 40 }, (_, index) => `w${index}: ${cycleRoot} { ${nested(found, 10)} }`).join(' ')} }`;
  const deep = `query Deep { ${cycleRoot} { ${nested(found, 15)} } }`;

  return [
    { name: 'fragments spreading each other twice, 40 levels', query: fragmentBomb, refusedWith: ['QUERY_TOO_COMPLEX'] },
    { name: '2,000 aliases', query: aliasFlood, refusedWith: ['TOO_MANY_ALIASES', 'QUERY_TOO_LONG', 'QUERY_TOO_COMPLEX'] },
    {
      name: '40 aliases of a nested list, 10 levels deep',
      query: wide,
      refusedWith: ['QUERY_TOO_COMPLEX', 'TOO_MANY_ALIASES', ...alsoIntrospection],
    },
    { name: 'a query 16 levels deep', query: deep, refusedWith: ['QUERY_TOO_DEEP', ...alsoIntrospection] },
  ];
}
