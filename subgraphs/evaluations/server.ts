/**
 * Builds the evaluations subgraph. No side effects: bin/ starts it. The calendar copy is shared by the requests of this subgraph; when it gains a year the command
 * office entered, the review limits that were provisional for want of it are recomputed. The other
 * slices' figures for the evaluation are asked per request, with the caller's own token.
 */
import { providedCalendar } from '../../platform/calendar-source.ts';
import { createDownloadLinks } from '../../platform/download-links.ts';
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createEvaluationsContext, type Context } from './context.ts';
import { openToAnonymous } from './rules.ts';
import { createEvaluationsLoaders } from './loaders.ts';
import { provisionalReviewsReadiness, settleProvisionalReviewLimits } from './provisional-limits.ts';
import { remoteFigures } from './remote.ts';
import { evaluationsResolvers } from './resolvers.ts';
import { EVALUATION_SMS_BY_DEFAULT } from './notices.ts';
import { evaluationsOutbox } from './store.ts';
import { sweepNotices } from './use-cases/notices.ts';

export function createEvaluationsSubgraph(deps: SliceDeps) {
  const calendar = providedCalendar(deps, (current) => settleProvisionalReviewLimits(deps.db, current, deps.env.officeHours), 'review(s)');
  const { secret, ttlSeconds, publicUrl } = deps.env.downloadLinks;
  // The board's files are served by the gateway; this slice, which owns the board and its rule, makes the links.
  const links = secret ? { ...createDownloadLinks({ secret, ttlSeconds }), publicUrl } : undefined;
  return createSubgraph<Context>(deps, {
    resolvers: evaluationsResolvers,
    openToAnonymous,
    context: ({ viewer, request, authorization, clientAddress }) => ({
      viewer,
      request,
      authorization,
      clientAddress,
      evaluations: createEvaluationsContext({
        db: deps.db,
        viewer,
        clientAddress,
        loaders: createEvaluationsLoaders(deps.db, deps.directory, deps.now),
        directory: deps.directory,
        calendar,
        officeHours: deps.env.officeHours,
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
        countLimit: deps.env.limits.exactCount,
        development: deps.env.development,
        figures: remoteFigures({ url: (slice) => deps.sliceUrl(slice), authorization, requestId: request.id }),
        authorization,
        links,
      }),
    }),
    outbox: { tables: evaluationsOutbox, smsByDefault: EVALUATION_SMS_BY_DEFAULT, sweep: sweepNotices },
    ready: {
      // A warning, not a refusal: bad reviews run on provisional limits until the year is entered.
      calendar: async () => {
        await calendar.current();
        return provisionalReviewsReadiness(deps.db);
      },
    },
  });
}
