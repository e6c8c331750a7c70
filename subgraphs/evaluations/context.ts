/**
 * The typed context every use case of the evaluations slice receives (`use-cases/*.ts`): who is
 * asking and what they may do (access.ts), the database, the request's loaders, the organisation
 * directory and the working-day calendar (copies of other slices' answers), the other slices'
 * figures for the evaluation, the clock and the page limit. Built once per request by server.ts (and
 * per sample caller by sample-data.ts); the GraphQL context carries it as `evaluations`.
 */
import type DataLoader from 'dataloader';
import type { Viewer } from '../../platform/auth.ts';
import type { OfficeHours } from '../../platform/calendar.ts';
import type { CalendarSource } from '../../platform/calendar-source.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import type { DownloadLinks } from '../../platform/download-links.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Db } from '../../db/client.ts';
import { createEvaluationsAccess, type EvaluationsAccess } from './access.ts';
import type { EvaluationsLoaders } from './loaders.ts';
import type { FiguresSource, SourceFigures } from './remote.ts';
import type { CountLimit } from '../../platform/pagination.ts';

/** The other slices' ratings of a unit's work, per period of the request (use-cases/reviews.ts). */
export type RatingLoader = DataLoader<string, { issues: SourceFigures; policies: SourceFigures }>;

export interface EvaluationsContext {
  viewer: Viewer;
  access: EvaluationsAccess;
  db: Db;
  loaders: EvaluationsLoaders;
  /** The organisation directory as the units slice publishes it. */
  directory: DirectorySource;
  /** The working-day calendar as the issues slice publishes it. */
  calendar: CalendarSource;
  /** The office hours (OFFICE_HOURS) a limit's 80% warning is counted in. */
  officeHours: OfficeHours;
  /** The platform's clock: every time this slice writes or compares comes from here. */
  now(): Date;
  maxPageSize: number;
  /** How a list counts its rows (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS): exactly up to a limit and within a time box, else an estimate, marked. */
  countLimit?: CountLimit;
  /** Development mode: a webhook may be plain http. */
  development?: boolean;
  /** Sample data is played through the use cases with this set: what they create is flagged `sample`. */
  sample: boolean;
  /** Other slices' figures for the evaluation (their public APIs). */
  figures: FiguresSource;
  /** The request's rating loaders, one per period asked. */
  ratings: Map<string, RatingLoader>;
  /** The caller's Authorization header as sent: a download link carries it, sealed, to the gateway. */
  authorization?: string;
  /** Download links to the gateway's board files; absent when no secret is configured for them. */
  links?: DownloadLinks & { publicUrl: string };
}

/** The GraphQL context of the evaluations subgraph (the generated resolver types name it). */
export interface Context extends RequestContext {
  evaluations: EvaluationsContext;
}

export function createEvaluationsContext(
  deps: Omit<EvaluationsContext, 'access' | 'ratings' | 'sample'> & { clientAddress?: string; sample?: boolean },
): EvaluationsContext {
  const { clientAddress, ...rest } = deps;
  return {
    ...rest,
    sample: deps.sample ?? false,
    ratings: new Map(),
    access: createEvaluationsAccess(deps.viewer, deps.directory, clientAddress),
  };
}
