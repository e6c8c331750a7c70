/**
 * Builds the units subgraph (owned by the command office). No side effects: index.ts starts it.
 */
import type { SubgraphDatabase } from '../../db/client.ts';
import type { Authenticator } from '../shared/auth.ts';
import { authorizationHeader, createSubgraphApollo, type SubgraphRuntime } from '../shared/subgraph.ts';
import { createUnitsLoaders } from './loaders.ts';
import { unitsResolvers, type UnitsContext } from './resolvers.ts';
import { createUnitsService } from './service.ts';
import { unitsExamples } from './examples.ts';

export interface UnitsSubgraphDeps {
  database: SubgraphDatabase;
  authenticator: Authenticator;
  maxPageSize: number;
  ping: () => Promise<void>;
  log: (message: string) => void;
}

export function createUnitsSubgraph(deps: UnitsSubgraphDeps): SubgraphRuntime<UnitsContext> {
  const { db } = deps.database;
  return {
    name: 'units',
    apollo: createSubgraphApollo<UnitsContext>({ name: 'units', resolvers: unitsResolvers, log: deps.log }),
    async context(req) {
      const viewer = await deps.authenticator.viewerFromAuthorization(authorizationHeader(req));
      const loaders = createUnitsLoaders(db);
      return { viewer, units: createUnitsService({ db, viewer, loaders, maxPageSize: deps.maxPageSize }) };
    },
    async ready() {
      await deps.ping();
      return { database: 'ok' };
    },
    examples: unitsExamples,
  };
}
