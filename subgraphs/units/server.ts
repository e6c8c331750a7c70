/**
 * Builds the units subgraph. No side effects: index.ts (or the one-process platform) starts it.
 */
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createUnitsContext, type Context } from './context.ts';
import { createUnitsLoaders } from './loaders.ts';
import { unitsResolvers } from './resolvers.ts';

export function createUnitsSubgraph(deps: SliceDeps) {
  return createSubgraph<Context>(deps, {
    resolvers: unitsResolvers,
    context: ({ viewer, request }) => ({
      viewer,
      request,
      units: createUnitsContext({
        viewer,
        db: deps.db,
        loaders: createUnitsLoaders(deps.db),
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
        countLimit: deps.env.limits.exactCount,
      }),
    }),
  });
}
