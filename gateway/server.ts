/**
 * Builds the gateway: @apollo/gateway over the committed static supergraph, with the caller's token
 * verified here too, subgraph URLs from configuration, limits, and health. No side effects.
 */
import fs from 'node:fs';
import type http from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Authenticator } from '../subgraphs/shared/auth.ts';
import { disableApolloTelemetry } from '../subgraphs/shared/env.ts';
import { authorizationHeader, formatError, type ExplorerExample } from '../subgraphs/shared/subgraph.ts';
import { supergraphPath } from '../schema/compose.ts';
import { SubgraphDataSource, type GatewayContext } from './data-source.ts';
import { limitsPlugin, type Limits } from './limits.ts';
import { gatewayExamples } from './examples.ts';

export interface GatewayDeps {
  authenticator: Authenticator;
  /** Subgraph name → GraphQL URL; overrides the defaults written in the supergraph. */
  subgraphUrls: Record<string, string>;
  limits: Limits & { subgraphTimeoutMs: number };
  log: (message: string) => void;
  supergraphSdl?: string;
}

export interface GatewayRuntime {
  name: 'gateway';
  apollo: ApolloServer<GatewayContext>;
  context(req: http.IncomingMessage): Promise<GatewayContext>;
  ready(): Promise<Record<string, string>>;
  examples: ExplorerExample[];
}

export function createGateway(deps: GatewayDeps): GatewayRuntime {
  // Here rather than in each start script: no path to a running gateway can forget it.
  disableApolloTelemetry();
  const urls = deps.subgraphUrls;
  const gateway = new ApolloGateway({
    supergraphSdl: deps.supergraphSdl ?? fs.readFileSync(supergraphPath, 'utf8'),
    buildService: ({ name, url }) => {
      const configured = urls[name] ?? url;
      if (!configured) throw new Error(`No URL configured for subgraph ${name}`);
      return new SubgraphDataSource(name, configured, deps.limits.subgraphTimeoutMs);
    },
    logger: {
      debug: () => {},
      info: () => {},
      warn: (message: unknown) => deps.log(`[gateway] ${String(message)}`),
      error: (message: unknown) => deps.log(`[gateway] ${String(message)}`),
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatError((message) => deps.log(`[gateway] ${message}`)),
    // Shutdown is ours (gateway/signals.ts): drain HTTP, then close the database, then exit 0.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), limitsPlugin(deps.limits)],
  });

  return {
    name: 'gateway',
    apollo,
    async context(req) {
      const authorization = authorizationHeader(req);
      // Verified here so a forged token is refused before any planning; subgraphs verify again.
      await deps.authenticator.viewerFromAuthorization(authorization);
      return { authorization };
    },
    async ready() {
      const checks: Record<string, string> = {};
      const failures: string[] = [];
      await Promise.all(
        Object.entries(urls).map(async ([name, url]) => {
          try {
            const response = await fetch(new URL('/ready', url), { signal: AbortSignal.timeout(2_000) });
            checks[name] = response.ok ? 'ok' : `HTTP ${response.status}`;
            if (!response.ok) failures.push(`${name}: HTTP ${response.status}`);
          } catch (error) {
            checks[name] = 'unreachable';
            failures.push(`${name}: ${(error as Error).message}`);
          }
        }),
      );
      if (failures.length) throw new Error(`subgraphs not ready — ${failures.join('; ')}`);
      return checks;
    },
    examples: gatewayExamples,
  };
}
