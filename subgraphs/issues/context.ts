/**
 * The typed context every use case of the issues slice receives (`use-cases/*.ts`): who is asking
 * and what they may do (access.ts), the database, the directory of the organisation, the request's
 * loaders, the clock, the page limit and the office hours the 2-hour contact limit counts in.
 * Built once per request by server.ts; the GraphQL context carries it as `issues`.
 */
import type { Viewer } from '../../platform/auth.ts';
import { DEFAULT_OFFICE_HOURS, parseOfficeHours, type OfficeHours } from '../../platform/calendar.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { present } from '../../platform/invariant.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Db } from '../../db/client.ts';
import { createIssuesAccess, type IssuesAccess } from './access.ts';
import type { IssuesLoaders } from './loaders.ts';
import type { CountLimit } from '../../platform/pagination.ts';

export interface IssuesContext {
  viewer: Viewer;
  access: IssuesAccess;
  db: Db;
  loaders: IssuesLoaders;
  /** The organisation directory (the units slice's API, cached); access.ts takes the request's snapshot of it. */
  directory: DirectorySource;
  /** The platform's clock: every time this slice writes or compares comes from here. */
  now(): Date;
  maxPageSize: number;
  /** How a list counts its rows (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS): exactly up to a limit and within a time box, else an estimate, marked. */
  countLimit?: CountLimit;
  /** Office hours of a working day, for the 2-hour contact limit (OFFICE_HOURS). */
  officeHours: OfficeHours;
  /** Development chosen: a webhook may be plain http. */
  development?: boolean;
  /** The sample loader plays this request: the plan records it writes are flagged `sample`. */
  sample?: boolean;
}

/** The GraphQL context of the issues subgraph (the generated resolver types name it). */
export interface Context extends RequestContext {
  issues: IssuesContext;
}

/** The office hours when none are configured. */
export const defaultOfficeHours = (): OfficeHours => present(parseOfficeHours(DEFAULT_OFFICE_HOURS), 'the default office hours');

export function createIssuesContext(
  deps: Omit<IssuesContext, 'access' | 'officeHours'> & { officeHours?: OfficeHours | undefined },
): IssuesContext {
  return {
    ...deps,
    officeHours: deps.officeHours ?? defaultOfficeHours(),
    access: createIssuesAccess(deps.viewer, deps.directory),
  };
}
