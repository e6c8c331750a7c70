/**
 * The request limits' one walk (platform/query-limits.ts), without a server: what it counts, that a
 * fragment is measured once however often it is spread, and which limit refuses first.
 */
import fc from 'fast-check';
import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { limitRefusal, measureOperation, operationMeasurer, type QueryLimits } from '../platform/query-limits.ts';

const schema = buildSchema(/* GraphQL */ `
  type Query {
    domains: [Domain!]!
    units(first: Int, after: String): UnitConnection!
    _entities(representations: [String!]!): [Unit]!
  }
  type Domain {
    code: String!
    units: [Unit!]!
  }
  type Unit {
    id: ID!
    name: String!
    domain: Domain
    changes(first: Int): ChangeConnection!
  }
  type UnitConnection {
    totalCount: Int!
    edges: [UnitEdge!]!
  }
  type UnitEdge {
    cursor: String!
    node: Unit!
  }
  type ChangeConnection {
    edges: [ChangeEdge!]!
  }
  type ChangeEdge {
    node: Change!
  }
  type Change {
    at: String!
  }
`);

const limits: QueryLimits = { maxQueryDepth: 12, maxQueryAliases: 30, maxQueryCost: 50_000, maxQueryTokens: 5_000, maxPageSize: 100 };

function measure(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition') as OperationDefinitionNode;
  return measureOperation(schema, document, operation, variables, limits.maxPageSize);
}

function fragmentBomb(levels: number): string {
  const fragments = ['fragment F0 on Domain { code }'];
  for (let level = 1; level <= levels; level++) fragments.push(`fragment F${level} on Domain { ...F${level - 1} ...F${level - 1} }`);
  return `{ domains { ...F${levels} } }\n${fragments.join('\n')}`;
}

describe('measuring an operation', () => {
  it('counts fragments that spread each other twice per level as 2^n fields without walking them 2^n times', () => {
    // 2^40 walks would never end; the measure is exact and immediate.
    const result = measure(fragmentBomb(40));
    expect(result.depth).toBe(2);
    expect(result.cost).toBe((1 + 2 ** 40) * 20);
    expect(limitRefusal(result, limits)?.extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('counts aliases inside fragments as often as the fragments are spread', () => {
    const result = measure(`{ domains { ...A ...A ...B } } fragment A on Domain { a: code b: code } fragment B on Domain { ...A }`);
    expect(result.aliases).toBe(6);
  });

  it('multiplies the selection under a page by its size: literal, variable, default, and never the edges twice', () => {
    const page = (first: string) => measure(`query($n: Int) { units${first} { edges { node { id name } } } }`, { n: 7 }).cost;
    // units: 1 + pageSize × (edges 1 + node 1 + id 1 + name 1)
    expect(page('(first: 50)')).toBe((1 + 4) * 50);
    expect(page('(first: $n)')).toBe((1 + 4) * 7);
    expect(page('')).toBe((1 + 4) * 20);
    expect(measure(`query($n: Int = 3) { units(first: $n) { totalCount } }`).cost).toBe((1 + 1) * 3);
  });

  it('multiplies a list without a page argument by the default page, and _entities by its representations', () => {
    expect(measure(`{ domains { code } }`).cost).toBe((1 + 1) * 20);
    expect(measure(`query($r: [String!]!) { _entities(representations: $r) { name } }`, { r: ['a', 'b', 'c'] }).cost).toBe((1 + 1) * 3);
  });

  it('multiplies nested lists, so a wide nested query is refused for its cost', () => {
    const nested = `{ domains { units { domain { units { domain { units { id } } } } } } }`;
    const result = measure(nested);
    expect(result.cost).toBeGreaterThan(limits.maxQueryCost);
    expect(limitRefusal(result, limits)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', max: 50_000 });
  });

  it('reports the largest page asked for, in a literal or a variable, nested or not', () => {
    expect(measure(`{ units(first: 1000) { totalCount } }`).largestPage).toBe(1000);
    expect(
      measure(`query($n: Int) { units { edges { node { changes(first: $n) { edges { node { at } } } } } } }`, { n: 500 }).largestPage,
    ).toBe(500);
    expect(limitRefusal(measure(`{ units(first: 1000) { totalCount } }`), limits)?.extensions).toMatchObject({
      code: 'PAGE_SIZE_TOO_LARGE',
      max: 100,
      requested: 1000,
    });
  });

  it('leaves introspection out of depth and cost, and survives a fragment cycle (validation refuses it)', () => {
    expect(measure(`{ __schema { types { fields { type { ofType { name } } } } } }`)).toMatchObject({ depth: 0, cost: 0 });
    expect(() => measure(`{ domains { ...A } } fragment A on Domain { ...B } fragment B on Domain { ...A }`)).not.toThrow();
  });

  it('refuses depth first, then aliases, with the measured value and the maximum', () => {
    // domains → (units → domain) six times → code: 14 fields deep.
    const deep = measure(
      `{ domains { ${Array.from({ length: 6 }).reduceRight<string>((inner) => `units { domain { ${inner} } }`, 'code')} } }`,
    );
    expect(limitRefusal(deep, limits)?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', depth: 14, max: 12 });
    const aliased = measure(`{ ${Array.from({ length: 31 }, (_, index) => `a${index}: domains { code }`).join(' ')} }`);
    expect(limitRefusal(aliased, { ...limits, maxQueryCost: 10 ** 9 })?.extensions).toMatchObject({
      code: 'TOO_MANY_ALIASES',
      aliases: 31,
      max: 30,
    });
    expect(limitRefusal(measure(`{ domains { code } }`), limits)).toBeNull();
  });
});

describe('measures kept per operation (the server plugin)', () => {
  const operationOf = (query: string) => {
    const document = parse(query);
    return { document, operation: document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode };
  };
  const paged = operationOf(
    `query($units: Int, $changes: Int = 7, $after: String) { units(first: $units, after: $after) { edges { node { changes(first: $changes) { edges { node { at } } } } } } }`,
  );
  const entities = operationOf(`query($r: [String!]!) { _entities(representations: $r) { name domain { code } } }`);

  it('answers exactly as a fresh walk, for any sequence of variables (page sizes given or not, representations of any number)', () => {
    const size = fc.option(fc.oneof(fc.integer({ min: -3, max: 400 }), fc.constant(2.5)), { nil: undefined });
    const request = fc.oneof(
      fc.record({ kind: fc.constant('paged' as const), units: size, changes: size, after: fc.option(fc.string(), { nil: undefined }) }),
      fc.record({ kind: fc.constant('entities' as const), r: fc.array(fc.constant('x'), { maxLength: 120 }) }),
    );
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 40 }), (requests) => {
        const measured = operationMeasurer(limits.maxPageSize);
        for (const { kind, ...given } of requests) {
          const variables = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
          const { document, operation } = kind === 'paged' ? paged : entities;
          expect(measured(schema, document, operation, variables)).toEqual(
            measureOperation(schema, document, operation, variables, limits.maxPageSize),
          );
        }
      }),
    );
  });

  it('walks an operation once per page sizes: the same sizes get the kept measure, other sizes a new one, another schema anew', () => {
    const measured = operationMeasurer(limits.maxPageSize);
    const first = measured(schema, paged.document, paged.operation, { units: 10, after: 'a' });
    // The cursor is not read by the measure: another cursor, the same measure.
    expect(measured(schema, paged.document, paged.operation, { units: 10, after: 'b' })).toBe(first);
    const bigger = measured(schema, paged.document, paged.operation, { units: 50 });
    expect(bigger).not.toBe(first);
    expect(bigger.cost).toBeGreaterThan(first.cost);
    expect(Object.isFrozen(first)).toBe(true);
    const other = buildSchema(`type Query { units(first: Int, after: String): [String] }`);
    expect(measured(other, paged.document, paged.operation, { units: 10 })).not.toBe(first);
  });
});
