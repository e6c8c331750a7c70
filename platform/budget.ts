/**
 * A request's execution budget, chosen by what it asks (issue #25 §2). Every operation has
 * EXECUTION_TIMEOUT_MS (10 s by default) — except a mutation whose every root field is a batch
 * intake of up to 10,000 records (the fields the slices declare as `batchMutations` in their
 * registry entry; the kit names none), which has BATCH_EXECUTION_TIMEOUT_MS (300 s by
 * default): a full batch is thousands of records written a chunk at a time, and no raise of the
 * general limit is needed for it. The same budget bounds the gateway's fetch of that subgraph
 * request (SUBGRAPH_TIMEOUT_MS otherwise). A request that asks for anything else besides a batch —
 * a query, another mutation field — keeps the general limit.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { Limits } from './env.ts';

/** The root mutation fields that take a batch of records (platform/batch.ts `MAX_BATCH_RECORDS`), as the slices declare them. */
export type BatchMutations = ReadonlySet<string>;

/** The batch mutations the given slices declare (`SliceDefinition.batchMutations`): a subgraph's own, or every slice's at the gateway. */
export function batchMutationsOf(slices: readonly { batchMutations?: readonly string[] }[]): BatchMutations {
  return new Set(slices.flatMap((slice) => slice.batchMutations ?? []));
}

/** Whether a GraphQL request body asks only for batch intake (its operation's every root field is one of `batchMutations`). */
export function asksOnlyForBatches(body: unknown, batchMutations: BatchMutations): boolean {
  if (batchMutations.size === 0) return false;
  if (!body || typeof body !== 'object') return false;
  const { query, operationName } = body as { query?: unknown; operationName?: unknown };
  if (typeof query !== 'string') return false;
  // Without the word `mutation` and a batch field's name in its text, a document cannot ask for a
  // batch: most requests are answered here, without a second parse of every query (a profile, #28).
  if (!query.includes('mutation') || ![...batchMutations].some((name) => query.includes(name))) return false;
  let operation: OperationDefinitionNode | undefined;
  try {
    const operations = parse(query, { noLocation: true }).definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    operation = typeof operationName === 'string' ? operations.find((o) => o.name?.value === operationName) : operations[0];
    if (typeof operationName !== 'string' && operations.length !== 1) return false;
  } catch {
    // Not a document: the request is refused later, on the general limit.
    return false;
  }
  if (operation?.operation !== 'mutation') return false;
  const { selections } = operation.selectionSet;
  return (
    selections.length > 0 && selections.every((selection) => selection.kind === Kind.FIELD && batchMutations.has(selection.name.value))
  );
}

/** The execution budget of a request with this body. */
export function executionBudgetMs(
  body: unknown,
  limits: Pick<Limits, 'executionTimeoutMs' | 'batchExecutionTimeoutMs'>,
  batchMutations: BatchMutations,
): number {
  return asksOnlyForBatches(body, batchMutations)
    ? Math.max(limits.executionTimeoutMs, limits.batchExecutionTimeoutMs)
    : limits.executionTimeoutMs;
}
