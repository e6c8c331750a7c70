/**
 * Starts the whole platform in one process: the database (embedded PGlite unless DATABASE_URL),
 * every registered slice's subgraph, and the gateway in front. Used by `npm start` and by the
 * end-to-end tests, which pass port 0 and their own database.
 */
import { openDatabase, type DatabaseHandle } from '../db/client.ts';
import { createAuthenticator } from '../platform/auth.ts';
import type { PlatformEnv } from '../platform/env.ts';
import { batchMutationsOf } from '../platform/budget.ts';
import { startHttpService, type RunningService } from '../platform/http.ts';
import { boardExports, downloadLinksOf } from '../gateway/exports.ts';
import { silentLogger, type Logger } from '../platform/log.ts';
import { prepareDatabase, startObservability, startSlice, type ExplorerFactory, type Observability } from '../platform/start.ts';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { providersOf, type SliceDefinition } from '../platform/subgraph.ts';
import { slices as registeredSlices } from '../subgraphs/registry.ts';
import { gatewayExamples } from '../gateway/examples.ts';
import { createGateway } from '../gateway/server.ts';
import { present } from '../platform/invariant.ts';

export interface PlatformOptions {
  env: PlatformEnv;
  /** The slices to run; the registry's by default (tests add a scratch slice). */
  slices?: readonly SliceDefinition[];
  /** An open database to use instead of the one `env` names (tests). */
  database?: DatabaseHandle;
  /** Port 0 everywhere (tests). */
  ephemeralPorts?: boolean;
  /** Leave these subgraphs out, e.g. to see how the gateway copes without one. */
  without?: string[];
  /** A supergraph other than the committed one (tests composing a scratch slice). */
  supergraphSdl?: string;
  explorer?: ExplorerFactory;
  /** The platform's clock (tests move it to watch deadlines run). */
  now?: () => Date;
  logger?: Logger;
  /** Where spans go instead of OTLP (tests: an in-memory exporter). */
  spanExporter?: SpanExporter;
}

export interface Platform {
  database: DatabaseHandle;
  gateway: RunningService;
  subgraphs: Record<string, RunningService>;
  /** Subgraph name → statement counter (tests count SQL per request). */
  statements: Record<string, { count: number }>;
  /** The process's metrics and traces (and METRICS_PORT's server, when set). */
  observability: Observability;
  stop(): Promise<void>;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const { env } = options;
  const slices = options.slices ?? registeredSlices;
  const providers = providersOf(slices);
  const logger = options.logger ?? silentLogger;
  const opening = performance.now();
  const database = options.database ?? (await openDatabase(env));
  if (!options.database) {
    logger.info(`准备 / start-up: 打开数据库 / database opened (${((performance.now() - opening) / 1000).toFixed(1)} s)`);
  }
  const started: RunningService[] = [];
  const host = options.ephemeralPorts ? '127.0.0.1' : env.host;
  const observability = await startObservability(env, 'qingdao-yingshang', {
    database,
    slices: slices.filter((slice) => !options.without?.includes(slice.name)).map((slice) => slice.name),
    exporter: options.spanExporter,
    host,
    logger,
  });
  const stop = async () => {
    // The gateway first, so nothing new reaches the subgraphs while they drain.
    for (const service of [...started].reverse()) await service.close();
    await observability.close();
    if (!options.database) await database.close();
  };
  try {
    await prepareDatabase(database, slices, {
      sample: env.loadSampleData,
      now: options.now?.(),
      migrate: database.kind === 'pglite' || Boolean(env.database.ownerUrl) || Boolean(options.database),
      env,
      logger,
    });
    const authenticator = createAuthenticator(env.auth);
    const running: Record<string, RunningService> = {};
    const statements: Record<string, { count: number }> = {};
    const subgraphUrls: Record<string, string> = Object.fromEntries(
      Object.entries(env.subgraphs).map(([name, address]) => [name, address.url]),
    );
    for (const slice of slices) {
      if (options.without?.includes(slice.name)) {
        // A subgraph left out still has a URL: one nobody answers, as when it is down.
        if (options.ephemeralPorts) subgraphUrls[slice.name] = 'http://127.0.0.1:9/graphql';
        continue;
      }
      statements[slice.name] = database.forSubgraph(slice.name).statements;
      const service = await startSlice(slice, {
        env,
        database,
        authenticator,
        logger,
        providers,
        sliceUrl: (name) => subgraphUrls[name] ?? '',
        now: options.now,
        port: options.ephemeralPorts ? 0 : present(env.subgraphs[slice.name], `the address of ${slice.name}`).port,
        host,
        explorer: options.explorer,
        behindGateway: true,
        metrics: observability.metrics,
      });
      started.push(service);
      running[slice.name] = service;
      subgraphUrls[slice.name] = `${service.url}graphql`;
    }
    const gatewayService = createGateway({
      authenticator,
      subgraphUrls,
      limits: env.limits,
      introspection: env.introspection,
      logger,
      supergraphSdl: options.supergraphSdl,
      trustedProxies: env.trustedProxies,
      mergeInflight: env.mergeInflightRequests,
      subgraphConnections: env.subgraphConnections,
      metrics: observability.metrics,
    });
    const gateway = await startHttpService({
      service: gatewayService,
      port: options.ephemeralPorts ? 0 : env.gatewayPort,
      host,
      limits: env.limits,
      explorer: env.explorer
        ? await options.explorer?.({ title: '青岛营商环境专项行动 API / Gateway', examples: gatewayExamples, sameOriginDownloads: true })
        : undefined,
      routes: [boardExports({ authenticator, gateway: gatewayService, links: downloadLinksOf(env), now: options.now })],
      logger,
      metrics: observability.metrics,
      metricsAccess: env.metrics.publicPort,
      batchMutations: batchMutationsOf(slices),
    });
    started.push(gateway);
    return { database, gateway, subgraphs: running, statements, observability, stop };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
