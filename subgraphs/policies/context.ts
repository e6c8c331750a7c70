/**
 * The typed context every use case of the policies slice receives (`use-cases/*.ts`): who is asking
 * and what they may do (access.ts), the database, the request's loaders, what other slices say
 * (the directory, the working-day calendar, enterprise profiles — asked before a transaction, never
 * inside one), the clock and the page limit. Built once per request by server.ts (and by the
 * sample loader for each of its actors); the GraphQL context carries it as `policies`.
 */
import type { Viewer } from '../../platform/auth.ts';
import { beijingDate, type OfficeHours } from '../../platform/calendar.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Db } from '../../db/client.ts';
import { createPoliciesAccess, type PoliciesAccess } from './access.ts';
import type { PoliciesLoaders } from './loaders.ts';
import type { CalendarSource, EnterpriseSource } from './remote.ts';
import type { CountLimit } from '../../platform/pagination.ts';

export interface PoliciesContext {
  viewer: Viewer;
  access: PoliciesAccess;
  db: Db;
  loaders: PoliciesLoaders;
  directory: DirectorySource;
  calendar: CalendarSource;
  /** The office hours (OFFICE_HOURS) a limit's 80% warning is counted in. */
  officeHours: OfficeHours;
  /** Profiles from the units slice, asked on this caller's behalf. */
  enterprises: EnterpriseSource;
  /** The platform's clock: every time this slice writes or compares comes from here. */
  now(): Date;
  /** Today in Beijing, by `now`. */
  today(): string;
  maxPageSize: number;
  /** How a list counts its rows (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS): exactly up to a limit and within a time box, else an estimate, marked. */
  countLimit?: CountLimit;
  /** Development mode: a webhook may be plain http. */
  development?: boolean;
  /**
   * Before limits are shown or counted: the calendar copy is current, and when it has just gained a
   * year the command office entered, the limits provisional for want of it have been recomputed
   * (server.ts hands `settleProvisionalLimits` to the calendar source). Once per request; no
   * statement when the copy is fresh.
   */
  limitsUpToDate(): Promise<unknown>;
}

/** The GraphQL context of the policies subgraph (the generated resolver types name it). */
export interface Context extends RequestContext {
  policies: PoliciesContext;
}

export interface PoliciesContextDeps {
  db: Db;
  viewer: Viewer;
  /** The caller's real network address (the request context's): whom the public's objections are counted against. */
  clientAddress?: string;
  loaders: PoliciesLoaders;
  directory: DirectorySource;
  calendar: CalendarSource;
  officeHours: OfficeHours;
  enterprises: EnterpriseSource;
  now: () => Date;
  maxPageSize: number;
  /** How a list counts its rows (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS): exactly up to a limit and within a time box, else an estimate, marked. */
  countLimit?: CountLimit;
  development?: boolean;
}

export function createPoliciesContext({ clientAddress, ...deps }: PoliciesContextDeps): PoliciesContext {
  let upToDate: Promise<unknown> | undefined;
  return {
    ...deps,
    access: createPoliciesAccess(deps.viewer, deps.directory, clientAddress),
    today: () => beijingDate(deps.now()),
    limitsUpToDate: () => (upToDate ??= deps.calendar.current()),
  };
}
