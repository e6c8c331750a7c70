/**
 * What every subgraph's server shares: SDL loading, the Apollo Server settings (explorer-friendly
 * introspection, no CDN landing page, errors that never leak SQL), and the identity check.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type http from 'node:http';
import { parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode } from './errors.ts';
import type { ExplorerExample } from './explorer/index.ts';

export type { ExplorerExample };

export const schemaDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema');

export function loadSubgraphSdl(name: string): DocumentNode {
  return parse(fs.readFileSync(path.join(schemaDir, `${name}.graphql`), 'utf8'));
}

const passThroughCodes = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Unexpected failures (a database error, a bug) reach the client as a generic coded error. */
export function formatError(log: (message: string) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && passThroughCodes.has(code)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const original = unwrapResolverError(error);
    log(`unexpected error: ${(original as Error)?.stack ?? String(original)}`);
    return {
      message: '服务器内部错误 / Internal server error',
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: 'INTERNAL_SERVER_ERROR', messageZh: '服务器内部错误', messageEn: 'Internal server error' },
    };
  };
}

export function createSubgraphApollo<TContext extends BaseContext>(options: {
  name: string;
  resolvers: GraphQLResolverMap<TContext>;
  log: (message: string) => void;
}): ApolloServer<TContext> {
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphSdl(options.name),
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
  return new ApolloServer<TContext>({
    schema,
    // The offline explorer needs introspection, also under NODE_ENV=production.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: formatError((message) => options.log(`[${options.name}] ${message}`)),
    // Shutdown is ours (gateway/signals.ts): drain HTTP, then close the database, then exit 0.
    stopOnTerminationSignals: false,
    // No inline traces: nothing here reports usage, and traces cost time on every request.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
}

export function authorizationHeader(req: http.IncomingMessage): string | undefined {
  const value = req.headers.authorization;
  return Array.isArray(value) ? value[0] : value;
}

/** A subgraph ready to be put behind HTTP: built by `subgraphs/<name>/server.ts`, without side effects. */
export interface SubgraphRuntime<TContext extends BaseContext> {
  name: string;
  apollo: ApolloServer<TContext>;
  context(req: http.IncomingMessage): Promise<TContext>;
  ready(): Promise<Record<string, string>>;
  examples: ExplorerExample[];
}
