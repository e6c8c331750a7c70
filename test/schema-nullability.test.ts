/**
 * Where the composed graph may be null (issue #20, findings 5c and 7; the rule is in
 * docs/ARCHITECTURE.md, "Nullability across slices"). A non-null field the gateway cannot fill nulls
 * its parent, and so on up to the nearest nullable field: a slice that is down or slow, or a profile
 * the units slice withholds, must never take another slice's data with it. Read from the committed
 * supergraph, so a slice added later is held to the same rule.
 */
import fs from 'node:fs';
import {
  buildASTSchema,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { supergraphPath } from '../platform/subgraph.ts';

const schema = buildASTSchema(parse(fs.readFileSync(supergraphPath, 'utf8')), { assumeValid: true, assumeValidSDL: true });

const argument = (directive: ConstDirectiveNode, name: string): unknown => {
  const value = directive.arguments?.find((candidate) => candidate.name.value === name)?.value;
  return value && 'value' in value ? value.value : undefined;
};
const directives = (node: { directives?: readonly ConstDirectiveNode[] } | null | undefined, name: string) =>
  (node?.directives ?? []).filter((directive) => directive.name.value === name);

/** The slices that hold a type (`@join__type`). */
const slicesOf = (type: GraphQLObjectType): string[] =>
  directives(type.astNode, 'join__type').map((directive) => String(argument(directive, 'graph')));

/** The slices that can resolve a field: its `@join__field`s that are not `@external`, or every slice that holds the type. */
function resolvedBy(type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): string[] {
  const joins = directives(field.astNode, 'join__field');
  if (!joins.length) return slicesOf(type);
  return joins
    .filter((join) => argument(join, 'external') !== true && argument(join, 'graph'))
    .map((join) => String(argument(join, 'graph')));
}

/** The field, or any list item in it, may not be null. */
function nonNullAnywhere(type: GraphQLOutputType): boolean {
  if (isNonNullType(type)) return true;
  return isListType(type) ? nonNullAnywhere(type.ofType) : false;
}

const objectTypes = Object.values(schema.getTypeMap()).filter(
  (type): type is GraphQLObjectType =>
    isObjectType(type) && !type.name.startsWith('__') && !type.name.startsWith('join__') && !type.name.startsWith('link__'),
);
const entities = objectTypes.filter((type) => slicesOf(type).length > 1);

describe('the composed graph', () => {
  it.each(['Query', 'Mutation'])('has every %s field nullable: one slice down or slow never nulls the answer of another', (root) => {
    const type = schema.getType(root) as GraphQLObjectType;
    const nonNull = Object.values(type.getFields())
      .filter((field) => isNonNullType(field.type))
      .map((field) => `${root}.${field.name}: ${String(field.type)}`);
    expect(Object.keys(type.getFields()).length).toBeGreaterThan(0);
    expect(nonNull).toEqual([]);
  });

  it('takes the non-null fields of every entity from one slice: a field another slice adds to it is nullable', () => {
    expect(entities.map((type) => type.name)).toEqual(expect.arrayContaining(['Unit', 'Enterprise', 'Domain']));
    const problems: string[] = [];
    for (const type of entities) {
      const everywhere = slicesOf(type);
      // Key fields and fields every holder resolves never need another slice.
      const needHop = Object.values(type.getFields()).filter(
        (field) => isNonNullType(field.type) && resolvedBy(type, field).length < everywhere.length,
      );
      const common = everywhere.filter((slice) => needHop.every((field) => resolvedBy(type, field).includes(slice)));
      if (needHop.length && !common.length) {
        problems.push(`${type.name}: ${needHop.map((field) => `${field.name} (${resolvedBy(type, field).join(', ')})`).join('; ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('refers to an enterprise from another slice only through a nullable field: the units slice withholds profiles the caller may not see', () => {
    const enterprise = schema.getType('Enterprise') as GraphQLObjectType;
    // The slice that gives an enterprise's profile: the one that resolves most of its fields.
    const fields = Object.values(enterprise.getFields());
    const [owner] = slicesOf(enterprise)
      .map((slice) => [slice, fields.filter((field) => resolvedBy(enterprise, field).includes(slice)).length] as const)
      .sort((a, b) => b[1] - a[1])[0]!;
    const profileSlices = new Set([owner]);
    const problems: string[] = [];
    let references = 0;
    for (const type of objectTypes) {
      for (const field of Object.values(type.getFields())) {
        if (getNamedType(field.type) !== enterprise) continue;
        const from = resolvedBy(type, field).filter((slice) => !profileSlices.has(slice));
        if (!from.length) continue;
        references++;
        if (nonNullAnywhere(field.type)) problems.push(`${type.name}.${field.name}: ${String(field.type)} (from ${from.join(', ')})`);
      }
    }
    expect(references).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
