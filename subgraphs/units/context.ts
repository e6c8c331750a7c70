/**
 * The typed context every use case of the units slice receives (`use-cases/*.ts`): who is asking
 * and what they may do (access.ts), the database, the request's loaders, the clock and the page
 * limit. Built once per request by server.ts; the GraphQL context carries it as `units`.
 */
import type { Viewer } from '../../platform/auth.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Db } from '../../db/client.ts';
import { createUnitsAccess, type UnitsAccess } from './access.ts';
import type { UnitsLoaders } from './loaders.ts';
import { unitStore } from './store.ts';
import type { CountLimit } from '../../platform/pagination.ts';

export interface UnitsContext {
  viewer: Viewer;
  access: UnitsAccess;
  db: Db;
  loaders: UnitsLoaders;
  /** The platform's clock: every time this slice writes or compares comes from here. */
  now(): Date;
  maxPageSize: number;
  /** How a list counts its rows (EXACT_COUNT_UP_TO, EXACT_COUNT_WITHIN_MS): exactly up to a limit and within a time box, else an estimate, marked. */
  countLimit?: CountLimit;
}

/** The GraphQL context of the units subgraph (the generated resolver types name it). */
export interface Context extends RequestContext {
  units: UnitsContext;
}

export function createUnitsContext(deps: Omit<UnitsContext, 'access'>): UnitsContext {
  const access = createUnitsAccess(
    deps.viewer,
    (id) => deps.loaders.unitById.load(id),
    // isBelow(ancestor, id): id is strictly below ancestor (isAncestor(x, y): y is x or above it).
    (ancestorId, id) => unitStore.isAncestor(deps.db, id, ancestorId).then((found) => found && ancestorId !== id),
  );
  return { ...deps, access };
}
