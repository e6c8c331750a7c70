/**
 * Builds the gateway: @apollo/gateway over the committed static supergraph, with the caller's token
 * verified here too, subgraph URLs from configuration, the platform's limits, and health. No side effects.
 */
import fs from 'node:fs';
import type http from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { graphqlServerOptions } from '../platform/apollo.ts';
import type { Authenticator } from '../platform/auth.ts';
import { disableApolloTelemetry, type Limits } from '../platform/env.ts';
import type { GraphQLService } from '../platform/http.ts';
import type { RequestRecord } from '../platform/log.ts';
import type { Logger } from '../platform/log.ts';
import type { PlatformMetrics } from '../platform/metrics.ts';
import { clientAddress, createProxyTrust } from '../platform/client-address.ts';
import { authorizationHeader, supergraphPath } from '../platform/subgraph.ts';
import { InflightRequests, SubgraphClient, SubgraphDataSource, type GatewayContext } from './data-source.ts';

export interface GatewayDeps {
  authenticator: Authenticator;
  /** Subgraph name → GraphQL URL, or its replicas' URLs; overrides the defaults written in the supergraph. */
  subgraphUrls: Record<string, string | readonly string[]>;
  limits: Limits;
  /** Introspection and field suggestions (the explorer needs them); off in production unless enabled. */
  introspection: boolean;
  logger: Logger;
  supergraphSdl?: string;
  /** Proxies in front of the gateway whose `x-forwarded-for` it believes (TRUSTED_PROXIES; none when absent). */
  trustedProxies?: readonly string[];
  /** Identical subgraph reads in flight at once are sent once (MERGE_INFLIGHT_REQUESTS, on by default). */
  mergeInflight?: boolean;
  /** Sockets per subgraph replica (SUBGRAPH_CONNECTIONS); each subgraph gets one pooled client. */
  subgraphConnections?: number;
  /** Balance over every address a subgraph's host name resolves to (SUBGRAPH_REPLICAS_FROM_DNS). */
  subgraphReplicasFromDns?: boolean;
  /** The process's metrics: fetches of each subgraph, its sockets, merged reads (platform/metrics.ts). */
  metrics?: PlatformMetrics;
}

/** The gateway: its server, and a request's context as a given caller (the exports, for a download link's maker). */
export interface GatewayService extends GraphQLService<GatewayContext> {
  /** This request's context with another caller's Authorization (verified here first). */
  contextAs(req: http.IncomingMessage, request: RequestRecord, authorization: string | undefined): Promise<GatewayContext>;
}

const replicaUrls = (configured: string | readonly string[] | undefined): readonly string[] =>
  configured === undefined ? [] : typeof configured === 'string' ? [configured] : configured;

export function createGateway(deps: GatewayDeps): GatewayService {
  // Here rather than in each start script: no path to a running gateway can forget it.
  disableApolloTelemetry();
  const urls = deps.subgraphUrls;
  const log = deps.logger.child({ service: 'gateway' });
  const inflight = deps.mergeInflight === false ? undefined : new InflightRequests();
  const proxies = createProxyTrust(deps.trustedProxies ?? []);
  if (inflight) deps.metrics?.watchSharedFetches(() => inflight.inFlight);
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraphSdl ?? fs.readFileSync(supergraphPath, 'utf8'),
    buildService: ({ name, url }) => {
      const configured = replicaUrls(urls[name] ?? url);
      if (!configured.length) throw new Error(`No URL configured for subgraph ${name}`);
      const client = new SubgraphClient(configured, {
        connections: deps.subgraphConnections ?? 64,
        timeoutMs: deps.limits.subgraphTimeoutMs,
        replicasFromDns: deps.subgraphReplicasFromDns,
      });
      deps.metrics?.watchSubgraphClient(name, () => client.stats);
      return new SubgraphDataSource(name, client, deps.limits.subgraphTimeoutMs, inflight, deps.metrics);
    },
    logger: {
      debug: () => {},
      info: () => {},
      warn: (message: unknown) => log.warn(String(message)),
      error: (message: unknown) => log.error(String(message)),
    },
  });
  // The same limits, timeouts and error handling as every subgraph (platform/apollo.ts).
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    ...graphqlServerOptions({ limits: deps.limits, introspection: deps.introspection }),
  });

  const contextAs: GatewayService['contextAs'] = async (req, request, authorization) => {
    // Verified here so a forged token is refused before any planning; subgraphs verify again.
    await deps.authenticator.viewerFromAuthorization(authorization);
    return { authorization, request, clientAddress: clientAddress(req, proxies) };
  };

  return {
    name: 'gateway',
    apollo,
    context: (req, request) => contextAs(req, request, authorizationHeader(req)),
    contextAs,
    async ready() {
      const checks: Record<string, string> = {};
      const failures: string[] = [];
      // Every configured replica must answer.
      const replicas = Object.entries(urls).flatMap(([name, configured]) => {
        const list = replicaUrls(configured);
        return list.map((url, index) => [list.length > 1 ? `${name}#${index + 1}` : name, url] as const);
      });
      await Promise.all(
        replicas.map(async ([name, url]) => {
          try {
            const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2_000) });
            checks[name] = response.ok ? 'ok' : `HTTP ${response.status}`;
            if (!response.ok) failures.push(`${name}: HTTP ${response.status}`);
            // A subgraph's warnings (a calendar year the command office must enter) show here too.
            const body = (await response.json().catch(() => ({}))) as { checks?: Record<string, unknown> };
            for (const [check, value] of Object.entries(body.checks ?? {})) {
              if (typeof value === 'string' && value.startsWith('warning')) checks[`${name}.${check}`] = value;
            }
          } catch (error) {
            checks[name] = 'unreachable';
            failures.push(`${name}: ${(error as Error).message}`);
          }
        }),
      );
      if (failures.length) throw new Error(`subgraphs not ready — ${failures.join('; ')}`);
      return checks;
    },
  };
}
