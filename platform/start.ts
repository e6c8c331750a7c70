/**
 * How slices start, alone or together: migrations, reference data and (when asked) sample data,
 * then each slice's subgraph behind the HTTP front. The slices come from the caller (the registry);
 * nothing here names one.
 */
import { sql } from 'drizzle-orm';
import { connectionLimits, openDatabase, type DatabaseHandle } from '../db/client.ts';
import type { Authenticator } from './auth.ts';
import { createAuthenticator } from './auth.ts';
import { remoteDirectory } from './directory.ts';
import { loadEnv, replicasInTurn, type PlatformEnv } from './env.ts';
import { createExplorerHandler, type ExplorerExample } from './explorer/index.ts';
import { batchMutationsOf } from './budget.ts';
import { startHttpService, type RequestHandler, type RunningService } from './http.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics, startMetricsServer, type MetricsServer, type PlatformMetrics } from './metrics.ts';
import { startTracing, type Tracing } from './tracing.ts';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { stopOnSignals } from './signals.ts';
import { runEntry } from './entry.ts';
import { providersOf, type Providers, type SliceDefinition } from './subgraph.ts';
import { present } from './invariant.ts';

export type ExplorerFactory = (options: {
  title: string;
  examples: ExplorerExample[];
  /** The page's own origin serves the download links' files (the gateway): their buttons open `path`, else `url`. */
  sameOriginDownloads?: boolean;
}) => Promise<RequestHandler>;

/** The offline explorer, with a token placeholder in its headers editor. */
export const defaultExplorer: ExplorerFactory = ({ title, examples, sameOriginDownloads }) =>
  createExplorerHandler({
    title,
    endpoint: '/graphql',
    examples,
    sameOriginDownloads,
    defaultHeaders: { Authorization: 'Bearer <粘贴 npm run token 生成的令牌 / paste a token from npm run token>' },
  });

/** A process's metrics and traces, and the metrics port when METRICS_PORT is set. */
export interface Observability {
  metrics: PlatformMetrics;
  tracing: Tracing;
  /** METRICS_PORT's server, when set. */
  metricsServer?: MetricsServer;
  close(): Promise<void>;
}

/**
 * Sets up what operators see of a process (docs/OPERATIONS.md): its metrics, served on METRICS_PORT
 * when set, and its traces, exported when OTEL_EXPORTER_OTLP_ENDPOINT is set (or to `exporter`:
 * tests). With a database, every statement of its slices is timed and traced, and their pools watched.
 */
export async function startObservability(
  env: PlatformEnv,
  serviceName: string,
  options: { database?: DatabaseHandle; slices?: readonly string[]; exporter?: SpanExporter; host?: string; logger?: Logger } = {},
): Promise<Observability> {
  const metrics = createMetrics({ maxOperations: env.metrics.maxOperations });
  const tracing = startTracing(env.tracing, serviceName, options.exporter);
  const { database } = options;
  if (database) {
    database.observeStatements(metrics.statementObserver);
    metrics.watchDatabase(database, options.slices ?? []);
  }
  const metricsServer =
    env.metrics.port === undefined ? undefined : await startMetricsServer(metrics, env.metrics.port, options.host ?? env.host);
  if (metricsServer) options.logger?.info({ url: metricsServer.url }, `指标 / metrics: ${metricsServer.url}`);
  if (env.tracing.tracesEndpoint) options.logger?.info(`追踪 / traces: OTLP → ${env.tracing.tracesEndpoint}`);
  return {
    metrics,
    tracing,
    metricsServer,
    async close() {
      database?.observeStatements(undefined);
      await metricsServer?.close();
      await tracing.shutdown().catch(() => {});
    },
  };
}

/**
 * Migrations (as the owner, who also grants each slice's role its rights), then reference data,
 * then (if asked) sample data — the order every start follows. The data goes in through each
 * slice's own role, as its requests will. Without the owner (`migrate: false`: a deployment that
 * migrates in a release step and gives the services only their own roles) the migrations are skipped.
 */
export async function prepareDatabase(
  handle: DatabaseHandle,
  slices: readonly SliceDefinition[],
  options: { sample: boolean; now?: Date; migrate?: boolean; referenceData?: boolean; env?: PlatformEnv; logger?: Logger },
): Promise<void> {
  // A cold start takes tens of seconds on the embedded database: each step says what it did and how long it took.
  const step = async (zh: string, en: string, slice: SliceDefinition, run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    options.logger?.info(
      { step: en, slice: slice.name, seconds: Number(seconds) },
      `准备 / start-up: ${zh} / ${en} ${slice.name} (${seconds} s)`,
    );
  };
  if (options.migrate !== false) for (const slice of slices) await step('迁移', 'migrations', slice, () => handle.migrate(slice.name));
  for (const slice of options.referenceData === false ? [] : slices) {
    const load = slice.referenceData;
    if (load) await step('参考数据', 'reference data', slice, () => load(handle.forSubgraph(slice.name).db, options.env));
  }
  if (options.sample) {
    for (const slice of slices) {
      const load = slice.sampleData;
      if (load)
        await step('样例数据', 'sample data', slice, () => load(handle.forSubgraph(slice.name).db, { now: options.now ?? new Date() }));
    }
  }
}

export interface StartSliceOptions {
  env: PlatformEnv;
  database: DatabaseHandle;
  authenticator: Authenticator;
  logger: Logger;
  /** Which slice provides the directory and the calendar (`providersOf` the registry). */
  providers: Providers;
  /** Where any slice answers (read when first needed); by default its configured URL. */
  sliceUrl?: (name: string) => string;
  now?: () => Date;
  port: number;
  host?: string;
  explorer?: ExplorerFactory;
  /** Started with the gateway in one process (`npm start`), which logs each request already. */
  behindGateway?: boolean;
  /** The process's metrics (startObservability). */
  metrics?: PlatformMetrics;
}

/** Builds one slice's subgraph and serves it. */
export async function startSlice(slice: SliceDefinition, options: StartSliceOptions): Promise<RunningService> {
  const { env, database } = options;
  const { db, background: backgroundDb, statements } = database.forSubgraph(slice.name);
  const sliceUrl = options.sliceUrl ?? replicasInTurn(env.subgraphs);
  const service = slice.build({
    name: slice.name,
    db,
    backgroundDb,
    statements,
    // Through the slice's own role: /ready fails if that role cannot log in.
    ping: async () => void (await db.execute(sql`select 1`)),
    authenticator: options.authenticator,
    directory: remoteDirectory({ url: () => sliceUrl(options.providers.directory), ttlMs: env.directoryTtlMs }),
    sliceUrl,
    providers: options.providers,
    env,
    now: options.now ?? (() => new Date()),
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const running = await startHttpService({
    service,
    port: options.port,
    host: options.host,
    limits: env.limits,
    explorer: env.explorer
      ? await options.explorer?.({ title: `${slice.title.zh}子图 / ${slice.name} subgraph`, examples: slice.examples })
      : undefined,
    logger: options.logger,
    // At a terminal in development one line per gateway request is enough: behind the gateway in
    // one process, each subgraph's request lines are at debug.
    requestLogLevel: options.behindGateway && env.log.pretty ? 'debug' : 'info',
    metrics: options.metrics,
    metricsAccess: env.metrics.publicPort,
    batchMutations: batchMutationsOf([slice]),
  });
  await warnAboutReadiness(service, options.logger);
  await warnAboutConnectionBudget(database, slice.name, env, options.logger);
  const background = service.background;
  if (!background) return running;
  // The outbox worker runs while the slice serves; a stop lets its round in flight finish and mark what it sent.
  background.start();
  return {
    ...running,
    async close() {
      await Promise.all([background.stop(), running.close()]);
    },
  };
}

/**
 * The connections a slice's role may need — every replica's pool full: MAX_REPLICAS ×
 * DATABASE_POOL_MAX — against what the server allows the role (its CONNECTION LIMIT) and allows
 * at all (max_connections less the superusers' reserve). More than that, and under load a replica's
 * pool is refused connections (`too many connections for role`): said at start, in the log.
 */
export async function warnAboutConnectionBudget(database: DatabaseHandle, slice: string, env: PlatformEnv, logger: Logger): Promise<void> {
  if (database.kind !== 'postgres') return;
  let limits: Awaited<ReturnType<typeof connectionLimits>>;
  try {
    limits = await connectionLimits(database.forSubgraph(slice).db);
  } catch {
    return; // the database is not there yet: /ready says so
  }
  const replicas = env.database.maxReplicas;
  const pool = database.poolMax;
  const needed = replicas * pool;
  const over: { zh: string; en: string }[] = [];
  if (limits.roleLimit !== null && needed > limits.roleLimit)
    over.push({ zh: `角色的 CONNECTION LIMIT ${limits.roleLimit}`, en: `the role's CONNECTION LIMIT of ${limits.roleLimit}` });
  if (needed > limits.serverLimit)
    over.push({
      zh: `服务器的 max_connections（除去超级用户保留后 ${limits.serverLimit}）`,
      en: `the server's max_connections (${limits.serverLimit} less the superusers' reserve)`,
    });
  if (!over.length) return;
  logger.warn(
    {
      slice,
      role: limits.role,
      maxReplicas: replicas,
      poolMax: pool,
      needed,
      roleLimit: limits.roleLimit,
      serverLimit: limits.serverLimit,
    },
    `${slice}: ${limits.role} 的 ${replicas} 个副本 × 连接池 ${pool} = ${needed} 个连接，超过${over.map((o) => o.zh).join('及')}；` +
      `调小 DATABASE_POOL_MAX 或 MAX_REPLICAS，或调大上限（ALTER ROLE … CONNECTION LIMIT，见 docs/DEPLOYMENT.md） / ` +
      `${slice}: ${replicas} replicas of ${limits.role} × a pool of ${pool} = ${needed} connections, more than ${over.map((o) => o.en).join(' and ')}; ` +
      'lower DATABASE_POOL_MAX or MAX_REPLICAS, or raise the limit (ALTER ROLE … CONNECTION LIMIT; docs/DEPLOYMENT.md)',
  );
}

/** The banner's line on where a process listens (HOST). */
export function listeningOn(host: string): string {
  if (host === '127.0.0.1' || host === '::1')
    return `监听 / listening on ${host} — 仅本机 / this machine only (set HOST=0.0.0.0 to serve the network)`;
  return `监听 / listening on ${host} (HOST)${host === '0.0.0.0' || host === '::' ? ' — 所有网络接口 / every network interface' : ''}`;
}

/** The start banner repeats what /ready warns about (e.g. a calendar year the command office must enter). */
async function warnAboutReadiness(service: { name: string; ready(): Promise<Record<string, string>> }, logger: Logger): Promise<void> {
  let checks: Record<string, string>;
  try {
    checks = await service.ready();
  } catch (error) {
    // Not ready yet (another slice still starting, say): /ready tells when it is; warnings still show.
    checks = (error as { checks?: Record<string, string> }).checks ?? {};
  }
  for (const [name, value] of Object.entries(checks)) {
    if (value !== 'ok' && value !== 'failed') logger.warn({ service: service.name, check: name }, `${service.name} ${name}: ${value}`);
  }
}

/**
 * Runs one slice alone (`bin/subgraph.ts <name>`): against DATABASE_URL when set, else the
 * embedded database. It prepares only its own tables.
 */
export async function runSlice(name: string, slices: readonly SliceDefinition[]): Promise<void> {
  // A port in use, a setting out of range, a database that does not answer: one line, exit code 1.
  await runEntry(async () => {
    const slice = slices.find((candidate) => candidate.name === name);
    if (!slice) throw new Error(`No slice named ${name} in the registry`);
    const env = loadEnv(process.env, slices);
    const logger = createLogger({ ...env.log, service: name });
    const database = await openDatabase(env);
    const observability = await startObservability(env, name, { database, slices: [name], logger });
    await prepareDatabase(database, [slice], {
      sample: env.loadSampleData,
      migrate: database.kind === 'pglite' || Boolean(env.database.ownerUrl),
      env,
      logger,
    });
    const service = await startSlice(slice, {
      env,
      database,
      authenticator: createAuthenticator(env.auth),
      logger,
      providers: providersOf(slices),
      port: env.port ?? present(env.subgraphs[name], `the address of ${name}`).port,
      host: env.host,
      explorer: defaultExplorer,
      metrics: observability.metrics,
    });
    logger.info(
      { url: `${service.url}graphql`, explorer: service.url },
      `子图 / subgraph ${name}: ${service.url}graphql (explorer ${service.url})`,
    );
    logger.info(listeningOn(service.host));
    stopOnSignals(
      async () => {
        await service.close();
        await observability.close();
        await database.close();
      },
      logger,
      { stopTimeoutMs: env.limits.stopTimeoutMs },
    );
  });
}
