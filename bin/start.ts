/**
 * `npm start`: the whole platform in one process on the embedded database (or DATABASE_URL),
 * printing every URL. Stops gracefully on SIGTERM / SIGINT.
 *
 * On the embedded database it is a developer's machine: development mode (the development signing
 * secret, the explorer) and sample data are chosen there unless DEVELOPMENT_MODE=false /
 * LOAD_SAMPLE_DATA=false, and the banner says so. With any database URL (DATABASE_URL, or the
 * slices' own <NAME>_DATABASE_URL) it is a deployment like any other: a real key, issuer and
 * audience, or no start; no sample data unless asked for by name.
 */
import { embeddedDatabase, loadEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { stopOnSignals } from '../platform/signals.ts';
import { defaultExplorer, listeningOn } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { startPlatform } from './platform.ts';
import { runEntry } from '../platform/entry.ts';

await runEntry(async () => {
  // Any database URL — DATABASE_URL or a slice's own — is a deployment, never a developer's machine.
  const env = loadEnv(process.env, slices, { developmentByDefault: embeddedDatabase(process.env, slices) });
  const logger = createLogger(env.log);
  const started = Date.now();
  if (env.development) {
    logger.warn(
      '开发模式 / DEVELOPMENT MODE: 接受以仓库中的开发密钥签发的令牌，不得用于生产 / tokens signed with the development secret (it is in the repository) are accepted — never expose this to a network',
    );
  }
  logger.info(
    env.embedded
      ? `数据库 / database: embedded PGlite in ${env.dataDir} (set DATABASE_URL to use a PostgreSQL server)`
      : `数据库 / database: PostgreSQL (${env.databaseUrl ? 'DATABASE_URL' : 'each slice’s <NAME>_DATABASE_URL'})`,
  );
  const platform = await startPlatform({ env, explorer: defaultExplorer, logger });
  const width = Math.max(...Object.keys(platform.subgraphs).map((name) => name.length));
  logger.info(`样例数据 / sample data: ${env.loadSampleData ? 'loaded (marked sample)' : 'not loaded'}`);
  logger.info(`网关 / gateway${env.explorer ? ' + explorer' : ''}:  ${platform.gateway.url}`);
  logger.info(listeningOn(platform.gateway.host));
  for (const [name, service] of Object.entries(platform.subgraphs)) {
    logger.info(`子图 / subgraph ${name.padEnd(width)}  ${service.url}graphql${env.explorer ? `  (explorer ${service.url})` : ''}`);
  }
  logger.info(`健康 / health:  ${platform.gateway.url}health   就绪 / ready: ${platform.gateway.url}ready`);
  if (env.development) logger.info(`令牌 / tokens:  npm run token -- --role COMMAND_OFFICE`);
  logger.info(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops.`);
  stopOnSignals(() => platform.stop(), logger, { stopTimeoutMs: env.limits.stopTimeoutMs });
});
