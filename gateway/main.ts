/**
 * `npm start`: the whole platform in one process on the embedded database (or DATABASE_URL),
 * printing every URL. Stops gracefully on SIGTERM / SIGINT.
 */
import { loadEnv } from '../subgraphs/shared/env.ts';
import { createExplorerHandler } from '../subgraphs/shared/explorer/index.ts';
import { startPlatform } from './platform.ts';
import { stopOnSignals } from './signals.ts';

const env = loadEnv();
const started = Date.now();
console.log(
  env.databaseUrl
    ? `数据库 / database: PostgreSQL (DATABASE_URL)`
    : `数据库 / database: embedded PGlite in ${env.dataDir} (set DATABASE_URL to use a PostgreSQL server)`,
);
const platform = await startPlatform({
  env,
  explorer: ({ title, examples }) =>
    createExplorerHandler({
      title,
      endpoint: '/graphql',
      examples,
      defaultHeaders: { Authorization: 'Bearer <粘贴 npm run token 生成的令牌 / paste a token from npm run token>' },
    }),
  log: (message) => console.error(message),
});
console.log(`样例数据 / sample data: ${env.loadSampleData ? 'loaded (marked sample)' : 'not loaded'}`);
console.log(`网关 / gateway + explorer:  ${platform.gateway.url}`);
for (const [name, service] of Object.entries(platform.subgraphs)) {
  console.log(`子图 / subgraph ${name.padEnd(7)} ${service.url}graphql  (explorer ${service.url})`);
}
console.log(`健康 / health:  ${platform.gateway.url}health   就绪 / ready: ${platform.gateway.url}ready`);
console.log(`令牌 / tokens:  npm run token -- --role COMMAND_OFFICE`);
console.log(`Ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops.`);
stopOnSignals(() => platform.stop());
