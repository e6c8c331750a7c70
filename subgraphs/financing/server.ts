/**
 * Builds the financing subgraph. No side effects: the platform (bin/) starts it.
 */
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createFinancingContext, type Context } from './context.ts';
import { createFinancingLoaders } from './loaders.ts';
import { financingResolvers } from './resolvers.ts';

export function createFinancingSubgraph(deps: SliceDeps) {
  return createSubgraph<Context>(deps, {
    resolvers: financingResolvers,
    context: ({ viewer, request }) => ({
      viewer,
      request,
      financing: createFinancingContext({
        viewer,
        db: deps.db,
        directory: deps.directory,
        loaders: createFinancingLoaders(deps.db),
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
      }),
    }),
  });
}
