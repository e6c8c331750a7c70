/**
 * Builds the issues subgraph. No side effects: index.ts (or the one-process platform) starts it.
 */
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createIssuesLoaders } from './loaders.ts';
import { issuesResolvers } from './resolvers.ts';
import { calendarReadiness, createIssuesService, type Context } from './service.ts';

export function createIssuesSubgraph(deps: SliceDeps) {
  return createSubgraph<Context>(deps, {
    resolvers: issuesResolvers,
    context: ({ viewer, request }) => ({
      viewer,
      request,
      issues: createIssuesService({
        db: deps.db,
        viewer,
        loaders: createIssuesLoaders(deps.db, deps.now),
        directory: deps.directory,
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
        officeHours: deps.env.officeHours,
      }),
    }),
    ready: {
      // A warning, not a refusal: the loop works on provisional due times until the year is entered.
      calendar: () => calendarReadiness(deps.db, deps.now()),
      directory: () => deps.directory.current(),
    },
  });
}
