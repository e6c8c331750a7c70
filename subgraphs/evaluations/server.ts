/**
 * Builds the evaluations subgraph. No side effects: index.ts (or the one-process platform) starts
 * it. The calendar copy is shared by the requests of this subgraph; the other slices' figures for
 * the evaluation are asked per request, with the caller's own token.
 */
import { CALENDAR_SLICE, remoteCalendar } from '../../platform/calendar-source.ts';
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createEvaluationsLoaders } from './loaders.ts';
import { remoteFigures } from './remote.ts';
import { evaluationsResolvers } from './resolvers.ts';
import { createEvaluationsService, type Context } from './service.ts';

export function createEvaluationsSubgraph(deps: SliceDeps) {
  const calendar = remoteCalendar({ url: () => deps.sliceUrl(CALENDAR_SLICE), ttlMs: deps.env.directoryTtlMs });
  return createSubgraph<Context>(deps, {
    resolvers: evaluationsResolvers,
    context: ({ viewer, request, authorization, clientAddress }) => ({
      viewer,
      request,
      authorization,
      clientAddress,
      evaluations: createEvaluationsService({
        db: deps.db,
        viewer,
        clientAddress,
        loaders: createEvaluationsLoaders(deps.db, deps.directory, deps.now),
        directory: deps.directory,
        calendar,
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
        figures: remoteFigures({ url: (slice) => deps.sliceUrl(slice), authorization, requestId: request.id }),
      }),
    }),
    ready: { directory: () => deps.directory.current() },
  });
}
