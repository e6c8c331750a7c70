/**
 * The typed context every use case of the financing slice receives (`use-cases/*.ts`): who is
 * asking and what they may do (access.ts), the database, the request's loaders, the clock and the
 * page limit. Built once per request by server.ts; the GraphQL context carries it as `financing`.
 */
import type { Viewer } from '../../platform/auth.ts';
import type { OfficeHours, WorkingCalendar } from '../../platform/calendar.ts';
import type { CalendarSource } from '../../platform/calendar-source.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Db } from '../../db/client.ts';
import { createFinancingAccess, type FinancingAccess } from './access.ts';
import type { FinancingLoaders } from './loaders.ts';
import type { EnterpriseSource, ReportBasisSource } from './remote.ts';
import type { StatsCache } from './stats-cache.ts';
import type { CountLimit } from '../../platform/pagination.ts';
import type { HoldsInFlight } from './holds-in-flight.ts';
import type { DemandRow } from './store.ts';

export interface FinancingContext {
  viewer: Viewer;
  access: FinancingAccess;
  db: Db;
  loaders: FinancingLoaders;
  /** Enterprise profiles, from the units slice (asked before any transaction). */
  enterprises: EnterpriseSource;
  /** What the other slices tell of an enterprise for its credit report (asked before any transaction, with the caller's token). */
  reportBasis: ReportBasisSource;
  /** The platform's clock: every time this slice writes or compares comes from here. */
  now(): Date;
  maxPageSize: number;
  /** How a list counts its rows (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS): exactly up to a limit and within a time box, else an estimate, marked. */
  countLimit?: CountLimit;
  /** The platform's working-day calendar (asked of the slice that keeps it, cached; never inside a transaction). */
  calendar: CalendarSource;
  /** Office hours of a working day, for the yellow warnings. */
  officeHours: OfficeHours;
  /** Development mode: a webhook may be plain http. */
  development?: boolean;
  /** The current calendar copy — ask before a transaction that starts limits. */
  workingCalendar(): Promise<WorkingCalendar>;
  /** `financingStats` answers of this process, each with the mark of the figures it was computed at (use-cases/figures.ts). */
  statsCache: StatsCache;
  /** The holds of demands this process is attempting (holds-in-flight.ts): claimers of the same demand wait for the one in flight. */
  holds: HoldsInFlight<DemandRow>;
}

/** The GraphQL context of the financing subgraph (the generated resolver types name it). */
export interface Context extends RequestContext {
  financing: FinancingContext;
}

export function createFinancingContext(
  deps: Omit<FinancingContext, 'access' | 'workingCalendar'> & { directory: DirectorySource },
): FinancingContext {
  const { directory, ...rest } = deps;
  let current: Promise<WorkingCalendar> | undefined;
  const access = createFinancingAccess(deps.viewer, directory, {
    institution: (id) => deps.loaders.institutionById.load(id),
    branch: (id) => deps.loaders.branchById.load(id),
    route: (demandId, institutionId) => deps.loaders.route.load(`${demandId}|${institutionId}`),
  });
  return { ...rest, access, workingCalendar: () => (current ??= deps.calendar.current()) };
}
