/**
 * Builds the issues subgraph: the closed loop of problems and enterprise appeals. No side effects.
 */
import type { SubgraphDatabase } from '../../db/client.ts';
import type { Authenticator } from '../shared/auth.ts';
import type { DirectorySource } from '../shared/directory.ts';
import { authorizationHeader, createSubgraphApollo, type SubgraphRuntime } from '../shared/subgraph.ts';
import { createIssuesLoaders } from './loaders.ts';
import { issuesResolvers, type IssuesContext } from './resolvers.ts';
import { createIssuesService } from './service.ts';
import { issuesExamples } from './examples.ts';

export interface IssuesSubgraphDeps {
  database: SubgraphDatabase;
  authenticator: Authenticator;
  directory: DirectorySource;
  now: () => Date;
  maxPageSize: number;
  ping: () => Promise<void>;
  log: (message: string) => void;
}

export function createIssuesSubgraph(deps: IssuesSubgraphDeps): SubgraphRuntime<IssuesContext> {
  const { db } = deps.database;
  return {
    name: 'issues',
    apollo: createSubgraphApollo<IssuesContext>({ name: 'issues', resolvers: issuesResolvers, log: deps.log }),
    async context(req) {
      const viewer = await deps.authenticator.viewerFromAuthorization(authorizationHeader(req));
      const loaders = createIssuesLoaders(db, deps.directory, deps.now);
      return {
        viewer,
        issues: createIssuesService({ db, viewer, loaders, directory: deps.directory, now: deps.now, maxPageSize: deps.maxPageSize }),
      };
    },
    async ready() {
      await deps.ping();
      await deps.directory.current();
      return { database: 'ok', directory: 'ok' };
    },
    examples: issuesExamples,
  };
}
