/**
 * Issue #23, bench findings: the attacks of issue #7 (test/support/attacks.ts, also used by
 * `npm run bench -- limits`) are written from each subgraph's own schema. The nested ones must get
 * past graphql-js's validation and reach the platform's own limits — on the evaluations subgraph,
 * whose root types lead nowhere back, they used to nest through introspection and be refused by
 * validation, so its depth and alias limits were never tried. Offline: each subgraph's schema is
 * built from schema/<name>.graphql, and each attack validated and measured as the limits plugin
 * measures it, with the default limits.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createRequire } from 'node:module';
import { buildClientSchema, Kind, parse, validate, type IntrospectionQuery, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../platform/env.ts';
import { limitRefusal, measureOperation } from '../platform/query-limits.ts';
import { loadSubgraphSdl } from '../platform/subgraph.ts';
import { slices } from '../subgraphs/registry.ts';
import { attacksOn } from './support/attacks.ts';

// @apollo/subgraph builds with the CommonJS graphql-js: the schema is read back as a client reads it
// by introspection (as the bench does), into this module's graphql-js.
const graphqlCommonJs = createRequire(import.meta.url)('graphql') as { introspectionFromSchema: (schema: unknown) => unknown };

const { limits } = loadEnv({ DEVELOPMENT_MODE: 'true' }, slices);

describe.each(slices.map((slice) => slice.name))('the attacks on the %s subgraph', (name) => {
  const schema = buildClientSchema(
    graphqlCommonJs.introspectionFromSchema(buildSubgraphSchema({ typeDefs: loadSubgraphSdl(name) })) as unknown as IntrospectionQuery,
  );
  const attacks = attacksOn(schema);

  it.each([
    [2, 'TOO_MANY_ALIASES'],
    [3, 'QUERY_TOO_DEEP'],
  ])('attack #%i passes validation and is refused by the platform’s own limit, %s', (index, code) => {
    const attack = attacks[index]!;
    const document = parse(attack.query);
    expect(validate(schema, document).map((error) => error.message)).toEqual([]);
    expect(attack.refusedWith).not.toContain('GRAPHQL_VALIDATION_FAILED');
    const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    const refusal = limitRefusal(measureOperation(schema, document, operation, {}, limits.maxPageSize), limits);
    expect(refusal?.extensions.code, attack.name).toBe(code);
    expect(attack.refusedWith).toContain(code);
  });
});
