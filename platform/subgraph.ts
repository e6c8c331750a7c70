/**
 * What every slice's subgraph shares, and what a slice is to the platform:
 * - `SliceDefinition`, the registry entry (subgraphs/registry.ts lists one per slice);
 * - `createSubgraph`, which turns a slice's resolvers and per-request context into a served
 *   subgraph: SDL loaded from schema/<name>.graphql, the caller's token verified, errors that never
 *   leak SQL, one log line per request.
 * It knows no particular slice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type http from 'node:http';
import { parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Db, StatementCounter } from '../db/client.ts';
import type { Authenticator, Viewer } from './auth.ts';
import type { DirectorySource } from './directory.ts';
import type { PlatformEnv } from './env.ts';
import { ErrorCode } from './errors.ts';
import type { ExplorerExample } from './explorer/index.ts';
import type { GraphQLService } from './http.ts';
import type { Logger, RequestRecord } from './log.ts';

export type { ExplorerExample };

export const schemaDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema');
/** Composed by `npm run compose` from every slice's SDL; the gateway serves it. */
export const supergraphPath = path.join(schemaDir, 'supergraph.graphql');

export function loadSubgraphSdl(name: string): DocumentNode {
  return parse(fs.readFileSync(path.join(schemaDir, `${name}.graphql`), 'utf8'));
}

/** What the platform hands a slice when it builds its subgraph. */
export interface SliceDeps {
  name: string;
  db: Db;
  /** Statements this slice sent (tests count SQL per request). */
  statements: StatementCounter;
  /** Answers when the database does (for /ready). */
  ping(): Promise<void>;
  authenticator: Authenticator;
  /** The organisation directory, read from the units slice's public API. */
  directory: DirectorySource;
  /** Where another slice's public API answers (for calls made through platform/slice-client.ts). */
  sliceUrl(name: string): string;
  env: PlatformEnv;
  /** The platform's clock (tests move it to watch deadlines run). */
  now(): Date;
  logger: Logger;
}

/**
 * A slice, declared once. Its name is also the name of its SDL (`schema/<name>.graphql`), its
 * tables (`db/<name>.ts`, Postgres schema `<name>`), its migrations (`db/migrations/<name>/`), its
 * folder (`subgraphs/<name>/`) and its variables (`<NAME>_PORT`, `<NAME>_URL`).
 */
export interface SliceDefinition {
  name: string;
  title: { zh: string; en: string };
  /** Default port; `<NAME>_PORT` overrides it. */
  port: number;
  build(deps: SliceDeps): SubgraphRuntime;
  /** Reference data, applied on every start (idempotent). */
  referenceData?(db: Db): Promise<void>;
  /** Sample data, only when asked; returns how many rows it added (0 when already loaded). */
  sampleData?(db: Db, options: { now: Date }): Promise<number>;
  /** Operations offered in the slice's explorer (each one is run by a test). */
  examples: ExplorerExample[];
  /** For the generated resolver types: GraphQL type → the row type its resolvers receive (`./store.ts#UnitRow`). */
  mappers?: Record<string, string>;
}

/** Every subgraph's request context starts with who is asking and the request's log record. */
export interface RequestContext {
  viewer: Viewer;
  request: RequestRecord;
  /** The caller's Authorization header as sent: a slice forwards it when it asks another slice on the caller's behalf. */
  authorization?: string;
}

export type SubgraphRuntime = GraphQLService<any>;

type ResolverMap = Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers'];

const passThroughCodes = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const isExpected = (code: unknown): boolean => typeof code === 'string' && passThroughCodes.has(code);

/** Unexpected failures (a database error, a bug) reach the client as a generic coded error. */
export function formatError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (isExpected(formatted.extensions?.code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: '服务器内部错误 / Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR', messageZh: '服务器内部错误', messageEn: 'Internal server error' },
  };
}

/** Fills the request's log record (operation, outcome) and logs what `formatError` hides. */
export function requestLogPlugin(): ApolloServerPlugin<BaseContext & { request?: RequestRecord }> {
  return {
    async requestDidStart({ contextValue }) {
      const record = contextValue.request;
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (!isExpected(error.extensions?.code)) record?.log.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
          }
        },
        async willSendResponse({ operationName, request, response }) {
          if (!record) return;
          record.operation = operationName ?? request.operationName ?? undefined;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const code = result?.errors?.[0]?.extensions?.code;
          record.outcome = typeof code === 'string' ? (isExpected(code) ? code : 'INTERNAL_SERVER_ERROR') : 'ok';
        },
      };
    },
  };
}

export function authorizationHeader(req: http.IncomingMessage): string | undefined {
  const value = req.headers.authorization;
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A slice's subgraph: its SDL, its resolvers (typed from the SDL by the generated types), and the
 * context each request gets on top of the verified viewer. `ready` adds checks beyond the database.
 */
export function createSubgraph<TContext extends RequestContext>(
  deps: SliceDeps,
  spec: {
    resolvers: object;
    context(base: RequestContext): TContext;
    ready?: Record<string, () => Promise<unknown>>;
  },
): GraphQLService<TContext> {
  const schema = buildSubgraphSchema({
    typeDefs: loadSubgraphSdl(deps.name),
    // The generated `Resolvers` type is what the SDL asks for; buildSubgraphSchema takes a looser map.
    resolvers: spec.resolvers as ResolverMap,
  });
  const apollo = new ApolloServer<TContext>({
    schema,
    // The offline explorer needs introspection, also under NODE_ENV=production.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError,
    // Shutdown is ours (platform/signals.ts): drain HTTP, then close the database, then exit 0.
    stopOnTerminationSignals: false,
    // No inline traces: nothing here reports usage, and traces cost time on every request.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), requestLogPlugin()],
  });
  return {
    name: deps.name,
    apollo,
    async context(req, request) {
      const authorization = authorizationHeader(req);
      const viewer = await deps.authenticator.viewerFromAuthorization(authorization);
      return spec.context({ viewer, request, authorization });
    },
    async ready() {
      const checks: Record<string, string> = {};
      await deps.ping();
      checks.database = 'ok';
      for (const [name, check] of Object.entries(spec.ready ?? {})) {
        await check();
        checks[name] = 'ok';
      }
      return checks;
    },
  };
}
