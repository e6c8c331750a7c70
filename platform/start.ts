/**
 * How slices start, alone or together: migrations, reference data and (when asked) sample data,
 * then each slice's subgraph behind the HTTP front. The slices come from the caller (the registry);
 * nothing here names one.
 */
import { openDatabase, type DatabaseHandle } from '../db/client.ts';
import type { Authenticator } from './auth.ts';
import { createAuthenticator } from './auth.ts';
import { DIRECTORY_SLICE, remoteDirectory } from './directory.ts';
import { loadEnv, type PlatformEnv } from './env.ts';
import { createExplorerHandler, type ExplorerExample } from './explorer/index.ts';
import { startHttpService, type RequestHandler, type RunningService } from './http.ts';
import { createLogger, type Logger } from './log.ts';
import { stopOnSignals } from './signals.ts';
import type { SliceDefinition } from './subgraph.ts';

export type ExplorerFactory = (options: { title: string; examples: ExplorerExample[] }) => Promise<RequestHandler>;

/** The offline explorer, with a token placeholder in its headers editor. */
export const defaultExplorer: ExplorerFactory = ({ title, examples }) =>
  createExplorerHandler({
    title,
    endpoint: '/graphql',
    examples,
    defaultHeaders: { Authorization: 'Bearer <粘贴 npm run token 生成的令牌 / paste a token from npm run token>' },
  });

/** Migrations, then reference data, then (if asked) sample data — the order every start follows. */
export async function prepareDatabase(
  handle: DatabaseHandle,
  slices: readonly SliceDefinition[],
  options: { sample: boolean; now?: Date },
): Promise<void> {
  for (const slice of slices) await handle.migrate(slice.name);
  for (const slice of slices) await slice.referenceData?.(handle.forSubgraph(slice.name).db);
  if (options.sample) {
    for (const slice of slices) await slice.sampleData?.(handle.forSubgraph(slice.name).db, { now: options.now ?? new Date() });
  }
}

export interface StartSliceOptions {
  env: PlatformEnv;
  database: DatabaseHandle;
  authenticator: Authenticator;
  logger: Logger;
  /** Where the organisation directory's slice answers (read when first needed). */
  directoryUrl: () => string;
  /** Where any slice answers (read when first needed); by default its configured URL. */
  sliceUrl?: (name: string) => string;
  now?: () => Date;
  port: number;
  host?: string;
  explorer?: ExplorerFactory;
}

/** Builds one slice's subgraph and serves it. */
export async function startSlice(slice: SliceDefinition, options: StartSliceOptions): Promise<RunningService> {
  const { env, database } = options;
  const { db, statements } = database.forSubgraph(slice.name);
  const service = slice.build({
    name: slice.name,
    db,
    statements,
    ping: () => database.ping(),
    authenticator: options.authenticator,
    directory: remoteDirectory({ url: options.directoryUrl, ttlMs: env.directoryTtlMs }),
    sliceUrl: options.sliceUrl ?? ((name) => env.subgraphs[name]?.url ?? ''),
    env,
    now: options.now ?? (() => new Date()),
    logger: options.logger,
  });
  return startHttpService({
    service,
    port: options.port,
    host: options.host,
    maxRequestBytes: env.limits.maxRequestBytes,
    explorer: await options.explorer?.({ title: `${slice.title.zh}子图 / ${slice.name} subgraph`, examples: slice.examples }),
    logger: options.logger,
  });
}

/**
 * Runs one slice alone (`subgraphs/<name>/index.ts`): against DATABASE_URL when set, else the
 * embedded database. It prepares only its own tables.
 */
export async function runSlice(name: string, slices: readonly SliceDefinition[]): Promise<void> {
  const slice = slices.find((candidate) => candidate.name === name);
  if (!slice) throw new Error(`No slice named ${name} in the registry`);
  const env = loadEnv(process.env, slices);
  const logger = createLogger({ ...env.log, service: name });
  const database = await openDatabase(env);
  await prepareDatabase(database, [slice], { sample: env.loadSampleData });
  const service = await startSlice(slice, {
    env,
    database,
    authenticator: createAuthenticator(env.auth),
    logger,
    directoryUrl: () => env.subgraphs[DIRECTORY_SLICE]!.url,
    port: env.port ?? env.subgraphs[name]!.port,
    explorer: defaultExplorer,
  });
  logger.info({ url: `${service.url}graphql`, explorer: service.url }, `子图 / subgraph ${name}: ${service.url}graphql (explorer ${service.url})`);
  stopOnSignals(async () => {
    await service.close();
    await database.close();
  }, logger);
}
