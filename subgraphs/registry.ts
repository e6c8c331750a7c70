/**
 * Every subgraph of the platform, with what it needs at start: how to build it, and the data it
 * applies to its own tables (reference data on every start; sample data only when asked).
 */
import type { DatabaseHandle, Db, SubgraphName } from '../db/client.ts';
import type { Authenticator } from './shared/auth.ts';
import type { PlatformEnv } from './shared/env.ts';
import type { SubgraphRuntime } from './shared/subgraph.ts';
import { createUnitsSubgraph } from './units/server.ts';
import { applyUnitsReferenceData } from './units/reference-data.ts';
import { loadUnitsSampleData } from './units/sample-data.ts';
import { createIssuesSubgraph } from './issues/server.ts';
import { applyIssuesReferenceData } from './issues/reference-data.ts';
import { loadIssuesSampleData } from './issues/sample-data.ts';
import { remoteDirectory } from './shared/directory.ts';

export interface SubgraphBuildDeps {
  handle: DatabaseHandle;
  db: ReturnType<DatabaseHandle['forSubgraph']>;
  env: PlatformEnv;
  authenticator: Authenticator;
  /** Where the other subgraphs answer (the issues subgraph reads the unit directory there). */
  subgraphUrls: Record<string, string>;
  now: () => Date;
  log: (message: string) => void;
}

export interface SubgraphDefinition {
  name: SubgraphName;
  port: (env: PlatformEnv) => number;
  build(deps: SubgraphBuildDeps): SubgraphRuntime<any>;
  applyReferenceData(db: Db): Promise<void>;
  /** Returns how many sample rows it offered. */
  loadSampleData(db: Db): Promise<number>;
}

export const subgraphs: SubgraphDefinition[] = [
  {
    name: 'units',
    port: (env) => env.ports.units,
    build: ({ handle, db, env, authenticator, log }) =>
      createUnitsSubgraph({
        database: db,
        authenticator,
        maxPageSize: env.limits.maxPageSize,
        ping: () => handle.ping(),
        log,
      }),
    applyReferenceData: applyUnitsReferenceData,
    loadSampleData: loadUnitsSampleData,
  },
  {
    name: 'issues',
    port: (env) => env.ports.issues,
    build: ({ handle, db, env, authenticator, subgraphUrls, now, log }) =>
      createIssuesSubgraph({
        database: db,
        authenticator,
        directory: remoteDirectory({ url: subgraphUrls.units ?? env.subgraphUrls.units, ttlMs: env.directoryTtlMs }),
        now,
        maxPageSize: env.limits.maxPageSize,
        ping: () => handle.ping(),
        log,
      }),
    applyReferenceData: applyIssuesReferenceData,
    loadSampleData: loadIssuesSampleData,
  },
];

export function subgraphByName(name: string): SubgraphDefinition {
  const found = subgraphs.find((subgraph) => subgraph.name === name);
  if (!found) throw new Error(`No subgraph named ${name}`);
  return found;
}

/** Migrations, then reference data, then (if asked) sample data — the order every start follows. */
export async function prepareDatabase(
  handle: DatabaseHandle,
  definitions: readonly SubgraphDefinition[],
  options: { sample: boolean },
): Promise<void> {
  for (const definition of definitions) await handle.migrate(definition.name);
  for (const definition of definitions) await definition.applyReferenceData(handle.forSubgraph(definition.name).db);
  if (options.sample) {
    for (const definition of definitions) await definition.loadSampleData(handle.forSubgraph(definition.name).db);
  }
}
