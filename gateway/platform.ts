/**
 * Starts the whole platform in one process: the database (embedded PGlite unless DATABASE_URL),
 * every subgraph, and the gateway in front. Used by `npm start` and by the end-to-end tests, which
 * pass port 0 and their own database.
 */
import { openDatabase, type DatabaseHandle } from '../db/client.ts';
import { createAuthenticator } from '../subgraphs/shared/auth.ts';
import type { PlatformEnv } from '../subgraphs/shared/env.ts';
import { startHttpService, type RequestHandler, type RunningService } from '../subgraphs/shared/http.ts';
import type { ExplorerExample } from '../subgraphs/shared/subgraph.ts';
import { prepareDatabase, subgraphs, type SubgraphDefinition } from '../subgraphs/registry.ts';
import { createGateway } from './server.ts';

export type ExplorerFactory = (options: { title: string; examples: ExplorerExample[] }) => Promise<RequestHandler>;

export interface PlatformOptions {
  env: PlatformEnv;
  /** An open database to use instead of the one `env` names (tests). */
  database?: DatabaseHandle;
  /** Port 0 everywhere (tests). */
  ephemeralPorts?: boolean;
  /** Leave these subgraphs out, e.g. to see how the gateway copes without one. */
  without?: string[];
  explorer?: ExplorerFactory;
  /** The platform's clock (tests move it to watch deadlines run). */
  now?: () => Date;
  log?: (message: string) => void;
}

export interface Platform {
  database: DatabaseHandle;
  gateway: RunningService;
  subgraphs: Record<string, RunningService>;
  /** Subgraph name → statement counter (tests count SQL per request). */
  statements: Record<string, { count: number }>;
  stop(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { env } = options;
  const log = options.log ?? ((message: string) => console.error(message));
  const database = options.database ?? (await openDatabase(env));
  const started: RunningService[] = [];
  const stop = async () => {
    // The gateway first, so nothing new reaches the subgraphs while they drain.
    for (const service of [...started].reverse()) await service.close();
    if (!options.database) await database.close();
  };
  try {
    const active: SubgraphDefinition[] = subgraphs.filter((definition) => !options.without?.includes(definition.name));
    await prepareDatabase(database, subgraphs, { sample: env.loadSampleData });
    const authenticator = createAuthenticator(env.auth);
    const running: Record<string, RunningService> = {};
    const statements: Record<string, { count: number }> = {};
    const subgraphUrls: Record<string, string> = { ...env.subgraphUrls };
    for (const definition of active) {
      const db = database.forSubgraph(definition.name);
      statements[definition.name] = db.statements;
      const runtime = definition.build({ handle: database, db, env, authenticator, subgraphUrls, now: options.now ?? (() => new Date()), log });
      const service = await startHttpService({
        name: definition.name,
        apollo: runtime.apollo,
        context: (req) => runtime.context(req),
        ready: () => runtime.ready(),
        port: options.ephemeralPorts ? 0 : definition.port(env),
        host: options.ephemeralPorts ? '127.0.0.1' : undefined,
        maxRequestBytes: env.limits.maxRequestBytes,
        explorer: await options.explorer?.({ title: `${definition.name} 子图 / subgraph`, examples: runtime.examples }),
        log,
      });
      started.push(service);
      running[definition.name] = service;
      subgraphUrls[definition.name] = `${service.url}graphql`;
    }
    for (const name of options.without ?? []) {
      // A subgraph left out still has a URL: one nobody answers, as when it is down.
      if (options.ephemeralPorts) subgraphUrls[name] = 'http://127.0.0.1:9/graphql';
    }
    const gatewayRuntime = createGateway({ authenticator, subgraphUrls, limits: env.limits, log });
    const gateway = await startHttpService({
      name: 'gateway',
      apollo: gatewayRuntime.apollo,
      context: (req) => gatewayRuntime.context(req),
      ready: () => gatewayRuntime.ready(),
      port: options.ephemeralPorts ? 0 : env.ports.gateway,
      host: options.ephemeralPorts ? '127.0.0.1' : undefined,
      maxRequestBytes: env.limits.maxRequestBytes,
      explorer: await options.explorer?.({ title: '青岛营商环境专项行动 API / Gateway', examples: gatewayRuntime.examples }),
      log,
    });
    started.push(gateway);
    return { database, gateway, subgraphs: running, statements, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
