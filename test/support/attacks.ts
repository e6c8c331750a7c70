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
  isObjectType,
  type GraphQLField,
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

/**
 * A path of fields that leads from a type back to itself, at least one of them a list (so nesting
 * it multiplies): e.g. Domain.units → Unit.domain.
 */
function findCycle(schema: GraphQLSchema): { root: Field; cycle: Field[]; introspection?: boolean } {
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
    if (cycle) return { root, cycle };
  }
  // A schema whose own types never lead back to themselves (the evaluations subgraph's) can still be
  // nested without end through introspection: __type { fields { type { fields … } } }.
  const typeType = schema.getType('__Type');
  const fieldType = schema.getType('__Field');
  if (!isObjectType(typeType) || !isObjectType(fieldType)) throw new Error('no cycle of list fields in this schema');
  const root = { name: '__type(name: "Query")', type: typeType, args: [] } as unknown as Field;
  return { root, cycle: [typeType.getFields().fields!, fieldType.getFields().type!], introspection: true };
}

/** `levels` fields deep along the cycle, ending in leaves. */
function nested(cycle: Field[], levels: number): string {
  const path = Array.from({ length: levels }, (_, index) => cycle[index % cycle.length]!);
  let selection = leaves(getNamedType(path.at(-1)!.type));
  for (const field of [...path].reverse()) selection = `${field.name} { ${selection} }`;
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

  const { root: cycleRoot, cycle, introspection } = findCycle(schema);
  // graphql-js refuses deep introspection in validation (its own bilingual-translated code) before our limits look.
  const alsoIntrospection = introspection ? ['GRAPHQL_VALIDATION_FAILED'] : [];
  const wide = `query WideNested { ${Array.from({ length: 40 }, (_, index) => `w${index}: ${cycleRoot.name} { ${nested(cycle, 10)} }`).join(' ')} }`;
  const deep = `query Deep { ${cycleRoot.name} { ${nested(cycle, 15)} } }`;

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
