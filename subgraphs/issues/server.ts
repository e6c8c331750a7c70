/**
 * Builds the issues subgraph: its resolvers and the per-request context (context.ts). No side
 * effects: the composition roots (bin/) start it.
 */
import { createSubgraph, type SliceDeps } from '../../platform/subgraph.ts';
import { createIssuesContext, type Context } from './context.ts';
import { createIssuesLoaders } from './loaders.ts';
import { issuesResolvers } from './resolvers.ts';
import { ISSUE_SMS_BY_DEFAULT } from './notices.ts';
import { deadlineStore, issueOutbox } from './store.ts';
import { calendarReadiness } from './use-cases/calendar.ts';
import { hallUnits, sweepHallReminders } from './use-cases/hall-visits.ts';
import { sweepDeadlines } from './use-cases/notices.ts';

export function createIssuesSubgraph(deps: SliceDeps) {
  // The units 局长进大厅 expects, read from the directory before each sweep's transaction (the last known while it is unreachable).
  let expectedInHalls: string[] = [];
  return createSubgraph<Context>(deps, {
    resolvers: issuesResolvers,
    context: ({ viewer, request }) => ({
      viewer,
      request,
      issues: createIssuesContext({
        db: deps.db,
        viewer,
        loaders: createIssuesLoaders(deps.db, deps.now),
        directory: deps.directory,
        now: deps.now,
        maxPageSize: deps.env.limits.maxPageSize,
        countLimit: deps.env.limits.exactCount,
        officeHours: deps.env.officeHours,
        development: deps.env.development,
      }),
    }),
    outbox: {
      tables: issueOutbox,
      smsByDefault: ISSUE_SMS_BY_DEFAULT,
      async prepareSweep() {
        const directory = await deps.directory.current().catch(() => null);
        if (directory) expectedInHalls = hallUnits(directory);
      },
      async sweep(tx, now) {
        await sweepDeadlines(tx, now);
        await sweepHallReminders(tx, now, expectedInHalls);
      },
    },
    overdue: deadlineStore.overdueCount,
    ready: {
      // A warning, not a refusal: the loop works on provisional due times until the year is entered.
      calendar: () => calendarReadiness(deps.db, deps.now()),
    },
  });
}
