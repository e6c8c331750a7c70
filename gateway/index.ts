/**
 * `npm run start:gateway`: the gateway alone, in front of subgraphs running elsewhere
 * (UNITS_URL, ISSUES_URL). It keeps no database of its own.
 */
import { createAuthenticator } from '../subgraphs/shared/auth.ts';
import { loadEnv } from '../subgraphs/shared/env.ts';
import { startHttpService } from '../subgraphs/shared/http.ts';
import { createExplorerHandler } from '../subgraphs/shared/explorer/index.ts';
import { createGateway } from './server.ts';
import { stopOnSignals } from './signals.ts';

const env = loadEnv();
const runtime = createGateway({
  authenticator: createAuthenticator(env.auth),
  subgraphUrls: env.subgraphUrls,
  limits: env.limits,
  log: (message) => console.error(message),
});
const service = await startHttpService({
  name: 'gateway',
  apollo: runtime.apollo,
  context: (req) => runtime.context(req),
  ready: () => runtime.ready(),
  port: env.ports.gateway,
  maxRequestBytes: env.limits.maxRequestBytes,
  explorer: await createExplorerHandler({
    title: '青岛营商环境专项行动 API / Gateway',
    endpoint: '/graphql',
    examples: runtime.examples,
    defaultHeaders: { Authorization: 'Bearer <npm run token>' },
  }),
  log: (message) => console.error(message),
});
console.log(`网关 / gateway: ${service.url} → ${Object.entries(env.subgraphUrls).map(([n, u]) => `${n} ${u}`).join(', ')}`);
stopOnSignals(() => service.close());
