/**
 * Builds the units subgraph. No side effects: index.ts (or the one-process platform) starts it.
 */
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createUnitsLoaders } from './loaders.ts';
import { unitsResolvers } from './resolvers.ts';
import { createUnitsService, type Context } from './service.ts';

export function createUnitsSubgraph(deps: SliceDeps) {
  return createSubgraph<Context>(deps, {
    resolvers: unitsResolvers,
    context: ({ viewer, request }) => ({
      viewer,
      request,
      units: createUnitsService({
        db: deps.db,
        viewer,
        loaders: createUnitsLoaders(deps.db),
        maxPageSize: deps.env.limits.maxPageSize,
        now: deps.now,
      }),
    }),
  });
}
