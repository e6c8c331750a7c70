/**
 * `npm run start:gateway`: the gateway alone, in front of subgraphs running elsewhere
 * (`<NAME>_URL`, or `SUBGRAPH_URL_TEMPLATE`). It keeps no database of its own.
 */
import { createAuthenticator } from '../platform/auth.ts';
import { loadEnv } from '../platform/env.ts';
import { batchMutationsOf } from '../platform/budget.ts';
import { startHttpService } from '../platform/http.ts';
import { createLogger } from '../platform/log.ts';
import { stopOnSignals } from '../platform/signals.ts';
import { defaultExplorer, listeningOn, startObservability } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { gatewayExamples } from '../gateway/examples.ts';
import { boardExports, downloadLinksOf } from '../gateway/exports.ts';
import { createGateway } from '../gateway/server.ts';
import { runEntry } from '../platform/entry.ts';

await runEntry(async () => {
  const env = loadEnv(process.env, slices);
  const logger = createLogger({ ...env.log, service: 'gateway' });
  const subgraphUrls = Object.fromEntries(Object.entries(env.subgraphs).map(([name, address]) => [name, address.urls]));
  const authenticator = createAuthenticator(env.auth);
  const observability = await startObservability(env, 'gateway', { logger });
  const gateway = createGateway({
    authenticator,
    subgraphUrls,
    limits: env.limits,
    introspection: env.introspection,
    logger,
    trustedProxies: env.trustedProxies,
    mergeInflight: env.mergeInflightRequests,
    subgraphConnections: env.subgraphConnections,
    subgraphReplicasFromDns: env.subgraphReplicasFromDns,
    metrics: observability.metrics,
  });
  const service = await startHttpService({
    service: gateway,
    port: env.port ?? env.gatewayPort,
    host: env.host,
    limits: env.limits,
    explorer: env.explorer
      ? await defaultExplorer({ title: '青岛营商环境专项行动 API / Gateway', examples: gatewayExamples, sameOriginDownloads: true })
      : undefined,
    routes: [boardExports({ authenticator, gateway, links: downloadLinksOf(env) })],
    logger,
    metrics: observability.metrics,
    metricsAccess: env.metrics.publicPort,
    batchMutations: batchMutationsOf(slices),
  });
  logger.info({ url: service.url, subgraphs: subgraphUrls }, `网关 / gateway: ${service.url}`);
  logger.info(listeningOn(service.host));
  stopOnSignals(
    async () => {
      await service.close();
      await observability.close();
    },
    logger,
    { stopTimeoutMs: env.limits.stopTimeoutMs },
  );
});
