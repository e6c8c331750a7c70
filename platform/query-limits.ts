/**
 * What one GraphQL request may ask, measured before anything runs, the same in the gateway and in
 * every subgraph (a bureau frontend calls its subgraph directly, so a subgraph cannot rely on the
 * gateway having looked).
 *
 * One walk over the operation measures its depth, its aliases, the largest page it asks for and its
 * cost; each fragment is measured once and remembered, so a document whose fragments spread each
 * other twice per level (2^40 fields once expanded) costs forty steps, not 2^40. The cost counts the
 * values an answer can hold: every field is 1, and the selection below a list is multiplied by the
 * number of items it can return — its `first` (literal, or the variable's value), the default page
 * when `first` is absent, the number of representations for `_entities`.
 *
 * The number of tokens is limited by the parser itself (`parseOptions.maxTokens`), before this walk.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { codedError, errors, ErrorCode } from './errors.ts';
import { DEFAULT_PAGE_SIZE } from './pagination.ts';

export interface QueryLimits {
  /** Nesting of fields (fragments add no level of their own). */
  maxQueryDepth: number;
  /** Aliased fields in the operation, fragments counted as often as they are spread. */
  maxQueryAliases: number;
  /** The values an answer can hold (see above). */
  maxQueryCost: number;
  /** Lexical tokens of the document (enforced by the parser). */
  maxQueryTokens: number;
  maxPageSize: number;
}

export interface OperationMeasure {
  depth: number;
  aliases: number;
  cost: number;
  /** The largest `first` asked for, literal or variable; 0 when none. */
  largestPage: number;
}

const NONE: OperationMeasure = { depth: 0, aliases: 0, cost: 0, largestPage: 0 };

// The schema may come from another copy of graphql-js than this module's (Apollo's packages load
// the CommonJS build, this code the ES module): graphql's `isListType` & co. would refuse its types
// as "from another realm". Types are read by their shape instead.
/** Objects and interfaces have interfaces, unions have member types; scalars, enums and inputs neither. */
const isCompositeType = (type: GraphQLNamedType | undefined | null): type is GraphQLCompositeType =>
  Boolean(type && ('getInterfaces' in type || 'getTypes' in type));
/** `[Unit!]!` → a list; `UnitConnection!` → not. */
const isList = (type: GraphQLType) => String(type).replace(/!$/, '').startsWith('[');
const namedTypeOf = (schema: GraphQLSchema, type: GraphQLType) => schema.getType(String(type).replace(/[[\]!]/g, '')) ?? undefined;

/** Introspection is bounded by the schema's size, and graphql-js limits its nesting itself. */
const isIntrospection = (name: string) => name === '__schema' || name === '__type';

function combine(into: OperationMeasure, part: OperationMeasure): void {
  into.depth = Math.max(into.depth, part.depth);
  into.aliases += part.aliases;
  into.cost += part.cost;
  into.largestPage = Math.max(into.largestPage, part.largestPage);
}

/**
 * Measures one operation. `variables` are the request's: a page size or a list of representations
 * given in a variable counts at its real size.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxPageSize: number,
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, unknown>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, valueFromASTUntyped(definition.defaultValue));
  }
  const argumentValue = (field: FieldNode, name: string): unknown => {
    const node = field.arguments?.find((argument) => argument.name.value === name)?.value;
    if (!node) return undefined;
    if (node.kind === Kind.VARIABLE) {
      const variable = node.name.value;
      return variable in variables ? variables[variable] : defaults.get(variable);
    }
    return valueFromASTUntyped(node, variables);
  };

  // A fragment's measure depends only on itself and on whether it sits right under a paged field
  // (whose `edges`/`nodes` lists are that page): two entries per fragment at most.
  const measured = new Map<string, OperationMeasure | 'measuring'>();
  const fragment = (name: string, underPage: boolean): OperationMeasure => {
    const key = `${underPage ? 'p' : 'f'}:${name}`;
    const known = measured.get(key);
    if (known === 'measuring') return NONE; // a cycle: validation (NoFragmentCyclesRule) refuses it
    if (known) return known;
    const definition = fragments.get(name);
    const type = definition && schema.getType(definition.typeCondition.name.value);
    if (!definition || !isCompositeType(type)) return NONE; // validation names the unknown fragment or type
    measured.set(key, 'measuring');
    const result = selectionSet(definition.selectionSet, type, underPage);
    measured.set(key, result);
    return result;
  };

  /** How many items a list field can return. */
  const itemsOf = (field: FieldNode, definition: GraphQLField<unknown, unknown>, underPage: boolean): number => {
    if (definition.name === '_entities') {
      const representations = argumentValue(field, 'representations');
      return Array.isArray(representations) ? representations.length : maxPageSize;
    }
    if (underPage) return 1; // the edges of a connection: its page was counted on the connection
    return DEFAULT_PAGE_SIZE;
  };

  const selectionSet = (set: SelectionSetNode, parent: GraphQLCompositeType, underPage: boolean): OperationMeasure => {
    const total: OperationMeasure = { ...NONE };
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        combine(total, fragment(selection.name.value, underPage));
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (isCompositeType(type)) combine(total, selectionSet(selection.selectionSet, type, underPage));
        continue;
      }
      const name = selection.name.value;
      const own: OperationMeasure = { depth: 1, aliases: selection.alias ? 1 : 0, cost: 1, largestPage: 0 };
      if (isIntrospection(name)) {
        combine(total, { ...own, depth: 0, cost: 0 });
        continue;
      }
      const definition = 'getFields' in parent ? parent.getFields()[name] : undefined;
      let multiplier = 1;
      let paged = false;
      if (definition?.args.some((argument) => argument.name === 'first')) {
        paged = true;
        const first = argumentValue(selection, 'first');
        const requested = typeof first === 'number' && Number.isFinite(first) ? first : undefined;
        own.largestPage = requested ?? 0;
        multiplier = requested === undefined ? Math.min(DEFAULT_PAGE_SIZE, maxPageSize) : Math.max(0, Math.min(requested, maxPageSize));
      } else if (definition && isList(definition.type)) {
        multiplier = itemsOf(selection, definition, underPage);
      }
      const named = definition && namedTypeOf(schema, definition.type);
      if (selection.selectionSet && named && isCompositeType(named)) {
        const below = selectionSet(selection.selectionSet, named, paged);
        own.depth += below.depth;
        own.aliases += below.aliases;
        own.largestPage = Math.max(own.largestPage, below.largestPage);
        own.cost = (own.cost + below.cost) * multiplier;
      }
      combine(total, own);
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  return root ? selectionSet(operation.selectionSet, root, false) : NONE;
}

/** The measures of one operation already taken, by the values of the variables a measure reads. */
interface Kept {
  schema: GraphQLSchema;
  /** The variables the measure reads (`first` given in a variable, `_entities`' representations): the same for any values. */
  reads: readonly string[];
  byValues: Map<string, OperationMeasure>;
}

/** How many measures of one operation are kept (distinct page sizes, mostly); past it, they start over. */
const KEPT_PER_OPERATION = 256;

/**
 * The values of `names` in `variables` as a key, or undefined when one is an object or a list
 * (`_entities`' representations: measured each time, never kept).
 */
function valuesKey(names: readonly string[], variables: Record<string, unknown>): string | undefined {
  let key = '';
  for (const name of names) {
    const value = variables[name];
    if (value !== null && typeof value === 'object') return undefined;
    key += value === undefined ? ',' : `${JSON.stringify(value)},`;
  }
  return key;
}

/**
 * `measureOperation` for a server: an operation measured once per schema and per values of the
 * variables its measure reads (its page sizes), then answered from what was kept. Apollo Server hands
 * the same parsed document for the same query text, so a frontend's operation is walked once, not on
 * every request (2% of the gateway's CPU with distinct users, #28). Kept by the operation's node:
 * nothing outlives the document.
 */
export function operationMeasurer(maxPageSize: number) {
  const kept = new WeakMap<OperationDefinitionNode, Kept>();
  return (schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>) => {
    const entry = kept.get(operation);
    if (!entry || entry.schema !== schema) {
      // Measured once while noting which variables the walk reads.
      const reads = new Set<string>();
      const noted = new Proxy(variables, {
        get: (target, name, receiver) => {
          if (typeof name === 'string') reads.add(name);
          return Reflect.get(target, name, receiver) as unknown;
        },
        has: (target, name) => {
          if (typeof name === 'string') reads.add(name);
          return Reflect.has(target, name);
        },
      });
      const measure = Object.freeze(measureOperation(schema, document, operation, noted, maxPageSize));
      const fresh: Kept = { schema, reads: [...reads], byValues: new Map() };
      const key = valuesKey(fresh.reads, variables);
      if (key !== undefined) fresh.byValues.set(key, measure);
      kept.set(operation, fresh);
      return measure;
    }
    const key = valuesKey(entry.reads, variables);
    if (key === undefined) return measureOperation(schema, document, operation, variables, maxPageSize);
    let measure = entry.byValues.get(key);
    if (!measure) {
      measure = Object.freeze(measureOperation(schema, document, operation, variables, maxPageSize));
      if (entry.byValues.size >= KEPT_PER_OPERATION) entry.byValues.clear();
      entry.byValues.set(key, measure);
    }
    return measure;
  };
}

function badRequest<T extends Error>(error: T): T {
  (error as unknown as { extensions: Record<string, unknown> }).extensions.http = { status: 400 };
  return error;
}

/** The refusal for the first limit an operation exceeds, or null. */
export function limitRefusal(measure: OperationMeasure, limits: QueryLimits) {
  if (measure.depth > limits.maxQueryDepth) {
    return codedError(
      ErrorCode.QUERY_TOO_DEEP,
      {
        zh: `查询嵌套 ${measure.depth} 层，超过上限 ${limits.maxQueryDepth} 层`,
        en: `The query nests ${measure.depth} levels, more than the maximum of ${limits.maxQueryDepth}`,
      },
      { depth: measure.depth, max: limits.maxQueryDepth },
    );
  }
  if (measure.aliases > limits.maxQueryAliases) {
    return codedError(
      ErrorCode.TOO_MANY_ALIASES,
      {
        zh: `查询使用了 ${measure.aliases} 个别名，超过上限 ${limits.maxQueryAliases} 个`,
        en: `The query uses ${measure.aliases} aliases, more than the maximum of ${limits.maxQueryAliases}`,
      },
      { aliases: measure.aliases, max: limits.maxQueryAliases },
    );
  }
  if (measure.largestPage > limits.maxPageSize) return errors.pageTooLarge(limits.maxPageSize, measure.largestPage);
  if (measure.cost > limits.maxQueryCost) {
    const cost = measure.cost > Number.MAX_SAFE_INTEGER ? Number.MAX_SAFE_INTEGER : Math.round(measure.cost);
    return codedError(
      ErrorCode.QUERY_TOO_COMPLEX,
      {
        zh: `查询最多可返回约 ${cost} 个值，超过上限 ${limits.maxQueryCost} 个；请减少字段、嵌套或每页条数`,
        en: `The query can return about ${cost} values, more than the maximum of ${limits.maxQueryCost}; ask for fewer fields, less nesting or smaller pages`,
      },
      { cost, max: limits.maxQueryCost },
    );
  }
  return null;
}

/**
 * Refuses an operation over a limit with a coded 400 before it is planned or executed. It also
 * answers an unknown or missing operation name, which the gateway's executor would otherwise turn
 * into a 500.
 */
export function limitsPlugin(limits: QueryLimits): ApolloServerPlugin<BaseContext> {
  const measured = operationMeasurer(limits.maxPageSize);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (!operation) throw badRequest(errors.operationNotFound(request.operationName));
          const measure = measured(schema, document, operation, request.variables ?? {});
          const refusal = limitRefusal(measure, limits);
          if (refusal) throw badRequest(refusal);
        },
      };
    },
  };
}
