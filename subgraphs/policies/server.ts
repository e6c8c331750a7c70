/**
 * Builds the policies subgraph. No side effects: bin/ (or the one-process platform) starts it.
 * The calendar copy is shared by the requests of this subgraph; when it gains a year the command
 * office entered, the limits that were provisional for want of it are recomputed. Enterprise
 * profiles are asked per request, with the caller's own token.
 */
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { openToAnonymous } from './rules.ts';
import { createPoliciesLoaders } from './loaders.ts';
import { PROFILE_SLICE, remoteEnterprises } from './remote.ts';
import { providedCalendar } from '../../platform/calendar-source.ts';
import { policiesResolvers } from './resolvers.ts';
import { createPoliciesContext, type Context } from './context.ts';
import { provisionalLimitsReadiness, settleProvisionalLimits } from './settling.ts';
import { POLICY_SMS_BY_DEFAULT } from './notices.ts';
import { applicationStore, policiesOutbox } from './store.ts';
import { sweepLimits } from './use-cases/notices.ts';

export function createPoliciesSubgraph(deps: SliceDeps) {
  const calendar = providedCalendar(deps, (current) => settleProvisionalLimits(deps.db, current, deps.env.officeHours), 'application(s)');
  return createSubgraph<Context>(deps, {
    resolvers: policiesResolvers,
    openToAnonymous,
    context: ({ viewer, request, authorization, clientAddress }) => ({
      viewer,
      request,
      authorization,
      clientAddress,
      policies: createPoliciesContext({
        db: deps.db,
        viewer,
        clientAddress,
        loaders: createPoliciesLoaders(deps.db, deps.directory, deps.now),
        directory: deps.directory,
        calendar,
        officeHours: deps.env.officeHours,
        enterprises: remoteEnterprises({ url: () => deps.sliceUrl(PROFILE_SLICE), authorization, requestId: request.id }),
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
        countLimit: deps.env.limits.exactCount,
        development: deps.env.development,
      }),
    }),
    outbox: { tables: policiesOutbox, smsByDefault: POLICY_SMS_BY_DEFAULT, sweep: sweepLimits },
    overdue: applicationStore.overdueCount,
    ready: {
      // A warning, not a refusal: applications run on provisional limits until the year is entered.
      calendar: async () => {
        await calendar.current();
        return provisionalLimitsReadiness(deps.db);
      },
    },
  });
}
