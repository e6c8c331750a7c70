/**
 * Builds the financing subgraph. No side effects: the platform (bin/) starts it.
 */
import { providedCalendar } from '../../platform/calendar-source.ts';
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createFinancingContext, type Context } from './context.ts';
import { createFinancingLoaders } from './loaders.ts';
import { financingResolvers } from './resolvers.ts';
import { PROFILE_SLICE, remoteEnterprises, remoteReportBasis } from './remote.ts';
import { settleProvisionalLimits } from './limits.ts';
import { REGULATOR_CODE } from './access.ts';
import { FINANCING_SMS_BY_DEFAULT } from './notices.ts';
import { financingOutbox, limitStore } from './store.ts';
import { sweepLimits } from './use-cases/notices.ts';
import { createStatsCache } from './stats-cache.ts';
import { createHoldsInFlight } from './holds-in-flight.ts';
import type { DemandRow } from './store.ts';
import { createLapseSweeper } from './background.ts';

export function createFinancingSubgraph(deps: SliceDeps) {
  // The regulator's unit (the claim limits' notices go to it), looked up before each sweep's transaction.
  let regulatorUnitId: string | null = null;
  const statsCache = createStatsCache();
  const holds = createHoldsInFlight<DemandRow>();
  const calendar = providedCalendar(deps, (current) => settleProvisionalLimits(deps.db, current, deps.env.officeHours), 'demand limit(s)');
  const service = createSubgraph<Context>(deps, {
    resolvers: financingResolvers,
    context: ({ viewer, request, authorization }) => ({
      viewer,
      request,
      authorization,
      financing: createFinancingContext({
        viewer,
        db: deps.db,
        directory: deps.directory,
        loaders: createFinancingLoaders(deps.db),
        enterprises: remoteEnterprises({ url: () => deps.sliceUrl(PROFILE_SLICE), authorization, requestId: request.id }),
        reportBasis: remoteReportBasis({ url: (slice) => deps.sliceUrl(slice), authorization, requestId: request.id }),
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
        countLimit: deps.env.limits.exactCount,
        calendar,
        officeHours: deps.env.officeHours,
        development: deps.env.development,
        statsCache,
        holds,
      }),
    }),
    outbox: {
      tables: financingOutbox,
      smsByDefault: FINANCING_SMS_BY_DEFAULT,
      async prepareSweep() {
        // The directory unreachable: the last one known (claim limits wait while none is), and deliveries go on.
        const directory = await deps.directory.current().catch(() => null);
        const units = directory ? [...directory.units.values()] : [];
        regulatorUnitId = units.find((unit) => unit.code === REGULATOR_CODE && !unit.archived)?.id ?? regulatorUnitId;
      },
      sweep: (tx, now) => sweepLimits(tx, now, regulatorUnitId),
    },
    overdue: limitStore.overdueCount,
  });
  // The sweep of lapsed holds runs where the slice's background work runs (OUTBOX_WORKER, on by default).
  if (!deps.env.outbox.worker) return service;
  const sweeper = createLapseSweeper({
    // Work no request asked for: its statements are not a request's (SliceDeps.backgroundDb).
    db: deps.backgroundDb,
    now: deps.now,
    officeHours: deps.env.officeHours,
    calendar: () => calendar.current(),
    pollMs: deps.env.outbox.pollMs,
    logger: deps.logger,
  });
  // Beside any background work the kit started for the slice (an outbox worker), not instead of it.
  const other = service.background;
  return {
    ...service,
    background: {
      start() {
        other?.start();
        sweeper.start();
      },
      stop: async () => {
        await Promise.all([other?.stop(), sweeper.stop()]);
      },
    },
  };
}
