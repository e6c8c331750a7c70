/**
 * Builds the issues subgraph. No side effects: index.ts (or the one-process platform) starts it.
 */
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createIssuesLoaders } from './loaders.ts';
import { issuesResolvers } from './resolvers.ts';
import { createIssuesService, type Context } from './service.ts';

export function createIssuesSubgraph(deps: SliceDeps) {
  return createSubgraph<Context>(deps, {
    resolvers: issuesResolvers,
    context: ({ viewer, request }) => ({
      viewer,
      request,
      issues: createIssuesService({
        db: deps.db,
        viewer,
        loaders: createIssuesLoaders(deps.db, deps.directory, deps.now),
        directory: deps.directory,
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
      }),
    }),
    ready: { directory: () => deps.directory.current() },
  });
}
