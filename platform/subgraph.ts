/**
 * What every slice's subgraph shares, and what a slice is to the platform:
 * - `SliceDefinition`, the registry entry (subgraphs/registry.ts lists one per slice);
 * - `createSubgraph`, which turns a slice's resolvers and per-request context into a served
 *   subgraph: SDL loaded from schema/<name>.graphql, the caller's token verified, and everything
 *   platform/apollo.ts gives every server (limits, timeouts, bilingual errors that never leak SQL,
 *   one log line per request) — a slice cannot forget any of it.
 * It knows no particular slice.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type http from 'node:http';
import { Kind, parse, type DocumentNode, type GraphQLError, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Db, StatementCounter } from '../db/client.ts';
import type { Authenticator, Viewer } from './auth.ts';
import type { DirectorySource } from './directory.ts';
import type { PlatformEnv } from './env.ts';
import { graphqlServerOptions } from './apollo.ts';
import { clientAddress, createProxyTrust } from './client-address.ts';
import { errors } from './errors.ts';
import { isUuid } from './input.ts';
import type { ExplorerExample } from './explorer/index.ts';
import type { GraphQLService } from './http.ts';
import type { Logger, RequestRecord } from './log.ts';
import type { PlatformMetrics } from './metrics.ts';
import { present } from './invariant.ts';
import { createOutboxWorker, outboxBacklog, type OutboxWorkerOptions } from './outbox.ts';

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
  /** The process's metrics (platform/metrics.ts): the outbox worker counts its deliveries there. */
  metrics?: PlatformMetrics;
  db: Db;
  /** Statements this slice sent (tests count SQL per request). */
  statements: StatementCounter;
  /** The same database for background work (the outbox worker): its statements are not counted as a request's. */
  backgroundDb: Db;
  /** Answers when the database does (for /ready). */
  ping(): Promise<void>;
  authenticator: Authenticator;
  /** The organisation directory, read from the public API of the slice that provides it. */
  directory: DirectorySource;
  /** Where another slice's public API answers (for calls made through platform/slice-client.ts). */
  sliceUrl(name: string): string;
  /** Which slice provides each shared service (the registry says it: `provides`). */
  providers: Providers;
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
/**
 * What one slice provides to every other through its public API, and the kit asks it for: the
 * organisation directory (who is who, for every slice's permissions) and the working-day calendar.
 * The kit names no slice: the registry's slices say which of them provides what.
 */
export type SharedService = 'directory' | 'calendar';
export type Providers = Record<SharedService, string>;

/** The slice providing each shared service, from the slices' own declarations; exactly one each. */
export function providersOf(slices: readonly SliceDefinition[]): Providers {
  const one = (service: SharedService): string => {
    const names = slices.filter((slice) => slice.provides?.includes(service)).map((slice) => slice.name);
    if (names.length !== 1) {
      throw new Error(`Exactly one slice must provide the ${service}; the registry has ${names.length ? names.join(', ') : 'none'}`);
    }
    return names[0] ?? '';
  };
  return { directory: one('directory'), calendar: one('calendar') };
}

export interface SliceDefinition {
  name: string;
  title: { zh: string; en: string };
  /** Default port; `<NAME>_PORT` overrides it. */
  port: number;
  /** The shared services this slice provides to the others (at most one slice each). */
  provides?: readonly SharedService[];
  build(deps: SliceDeps): SubgraphRuntime;
  /** Reference data, applied on every start (idempotent); `env` when the start has one (e.g. office hours). */
  referenceData?(db: Db, env?: PlatformEnv): Promise<void>;
  /** Sample data, only when asked; returns how many rows it added (0 when already loaded). */
  sampleData?(db: Db, options: { now: Date }): Promise<number>;
  /** Operations offered in the slice's explorer (each one is run by a test). */
  examples: ExplorerExample[];
  /** For the generated resolver types: GraphQL type → the row type its resolvers receive (`./store.ts#UnitRow`). */
  mappers?: Record<string, string>;
  /**
   * The slice's root mutation fields that take a batch of up to 10,000 records (platform/batch.ts): a request asking
   * only for them gets BATCH_EXECUTION_TIMEOUT_MS instead of EXECUTION_TIMEOUT_MS, in this subgraph and at the gateway
   * (platform/budget.ts).
   */
  batchMutations?: readonly string[];
}

/** Every subgraph's request context starts with who is asking and the request's log record. */
export interface RequestContext {
  viewer: Viewer;
  request: RequestRecord;
  /** The caller's Authorization header as sent: a slice forwards it when it asks another slice on the caller's behalf. */
  authorization?: string;
  /** The caller's network address: the peer's, or what a trusted proxy (the gateway) forwarded (platform/client-address.ts). */
  clientAddress?: string;
}

// Each slice's runtime has a context type of its own, and ApolloServer is invariant in it: the registry
// holds them side by side, so here (and only here) the context type is left open.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type SubgraphRuntime = GraphQLService<any>;

type ResolverMap = Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers'];

interface EntityKeys {
  /** The `@key` field sets: `[['id']]`. */
  sets: string[][];
  /** Key fields typed `ID`: on this platform ids are UUIDs. */
  ids: Set<string>;
}

/** Each entity type's `@key` field sets and which key fields are ids, from the SDL: `{ Unit: { sets: [['id']], ids: {'id'} } }`. */
function entityKeys(sdl: DocumentNode): Map<string, EntityKeys> {
  const keys = new Map<string, EntityKeys>();
  for (const definition of sdl.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'key') continue;
      const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
      if (fields?.kind !== Kind.STRING) continue;
      const entry = keys.get(definition.name.value) ?? { sets: [], ids: new Set<string>() };
      const names = fields.value.split(/\s+/).filter(Boolean);
      entry.sets.push(names);
      for (const field of definition.fields ?? []) {
        const named = field.type.kind === Kind.NON_NULL_TYPE ? field.type.type : field.type;
        if (names.includes(field.name.value) && named.kind === Kind.NAMED_TYPE && named.name.value === 'ID')
          entry.ids.add(field.name.value);
      }
      keys.set(definition.name.value, entry);
    }
  }
  return keys;
}

/**
 * What one key field set of a representation is: usable; naming nothing (an id that is no uuid, as
 * `unit(id: "x")` names nothing); or malformed (a key missing, or not a string).
 */
function keyCheck(record: Record<string, unknown>, names: string[], ids: Set<string>, field: string): 'usable' | 'nothing' | GraphQLError {
  for (const name of names) {
    const value = record[name];
    if (ids.has(name)) {
      if (value === undefined || value === null || value === '')
        return errors.badInput(`${field}.${name}`, { zh: `表示缺少键字段 ${name}`, en: `The representation lacks its key field ${name}` });
      // Sent on, an id that is no uuid reached a uuid column as an SQL error.
      if (typeof value !== 'string' || !isUuid(value)) return 'nothing';
    } else if (typeof value !== 'string' || value === '') {
      return errors.badInput(`${field}.${name}`, {
        zh: `表示缺少键字段 ${name}（须为字符串）`,
        en: `The representation lacks its key field ${name} (a string)`,
      });
    }
  }
  return 'usable';
}

/**
 * `_entities` is callable by anyone who reaches a subgraph, and @apollo/subgraph hands whatever it
 * gets to `__resolveReference`: an unknown type, a missing key or an id that is no uuid became an
 * internal error. Each representation must name an entity of this slice and carry one of its keys
 * as strings; one whose id is no uuid names nothing and resolves to null without reaching the
 * slice (the others are answered); ids are lower-cased, as every id input is.
 */
function checkedEntities(
  resolve: GraphQLFieldResolver<unknown, unknown>,
  keys: Map<string, EntityKeys>,
): GraphQLFieldResolver<unknown, unknown> {
  return (source, args, context, info) => {
    const given: unknown = (args as { representations?: unknown }).representations;
    const representations: unknown[] = Array.isArray(given) ? given : [];
    const namesNothing = new Set<number>();
    representations.forEach((representation, index) => {
      const field = `representations[${index}]`;
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const typeKeys = typeof typename === 'string' ? keys.get(typename) : undefined;
      if (!typeKeys) {
        throw errors.badInput(`${field}.__typename`, {
          zh: '表示中的类型不是本子图的实体',
          en: 'The representation names no entity of this subgraph',
        });
      }
      const record = representation as Record<string, unknown>;
      const checks = typeKeys.sets.map((names) => keyCheck(record, names, typeKeys.ids, field));
      const usable = typeKeys.sets.find((_, set) => checks[set] === 'usable');
      if (usable) {
        for (const name of usable) if (typeKeys.ids.has(name)) record[name] = (record[name] as string).toLowerCase();
      } else if (checks.includes('nothing')) {
        namesNothing.add(index);
      } else {
        throw present(checks[0], 'the key check of a representation');
      }
    });
    if (!namesNothing.size) return resolve(source, args, context, info);
    const kept = representations.filter((_, index) => !namesNothing.has(index));
    const resolved = resolve(source, { ...(args as object), representations: kept }, context, info);
    const align = (answers: unknown) => {
      const list = answers as unknown[];
      let next = 0;
      return representations.map((_, index) => (namesNothing.has(index) ? null : list[next++]));
    };
    return resolved instanceof Promise ? resolved.then(align) : align(resolved);
  };
}

/**
 * A mutation no anonymous caller has a standing for refuses one with UNAUTHENTICATED before its
 * resolver reads anything it was sent: "sign in" comes before "须指明报送单位". GraphQL's own checks
 * of the document and the variables' types come first, as for everyone; the mutations named in
 * `openToAnonymous` (where a slice's rules give ANONYMOUS a standing) are left to the slice.
 */
function signInFirst(schema: GraphQLSchema, openToAnonymous: readonly string[]): void {
  const fields = schema.getMutationType()?.getFields() ?? {};
  for (const unknown of openToAnonymous.filter((name) => !fields[name])) throw new Error(`openToAnonymous names no mutation: ${unknown}`);
  for (const field of Object.values(fields)) {
    const resolve = field.resolve;
    if (!resolve || openToAnonymous.includes(field.name)) continue;
    field.resolve = (source, args, context: RequestContext, info) => {
      if (context.viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      return resolve(source, args, context, info);
    };
  }
}

export function authorizationHeader(req: http.IncomingMessage): string | undefined {
  const value = req.headers.authorization;
  return Array.isArray(value) ? value[0] : value;
}

/** The slice's outbox backlog and overdue limits, as gauges read from its database on a scrape (background pool, platform clock). */
function watchSlice(deps: SliceDeps, spec: { outbox?: Pick<OutboxWorkerOptions, 'tables'>; overdue?(db: Db, now: Date): Promise<number> }) {
  const { outbox, overdue } = spec;
  if (!deps.metrics || (!outbox && !overdue)) return;
  deps.metrics.watchSlice(
    deps.name,
    async () => {
      const now = deps.now();
      return {
        ...(outbox ? { outbox: await outboxBacklog(deps.backgroundDb, outbox.tables, now) } : {}),
        ...(overdue ? { overdue: await overdue(deps.backgroundDb, now) } : {}),
      };
    },
    deps.now,
  );
}

/**
 * A slice's subgraph: its SDL, its resolvers (typed from the SDL by the generated types), and the
 * context each request gets on top of the verified viewer. `ready` adds checks beyond the database:
 * a check that throws makes the subgraph not ready; one that resolves to a string other than 'ok'
 * (a warning) is shown as it is in /ready and at start, and the subgraph stays ready.
 */
export function createSubgraph<TContext extends RequestContext>(
  deps: SliceDeps,
  spec: {
    resolvers: object;
    context(base: RequestContext): TContext;
    ready?: Record<string, () => Promise<unknown>>;
    /** Mutations an anonymous caller may call (the slice's rules give ANONYMOUS a standing); every other one asks to sign in first. */
    openToAnonymous?: readonly string[];
    /** The slice's notices (platform/outbox.ts): its tables, who gets SMS by default, the sweep of events time makes. */
    outbox?: Pick<OutboxWorkerOptions, 'tables' | 'smsByDefault' | 'sweep' | 'prepareSweep'>;
    /**
     * A slice that keeps limits counts its own open ones past their due time at `now` (the gauge
     * `deadlines_overdue`): one cheap statement on an index, read at most once a minute.
     */
    overdue?(db: Db, now: Date): Promise<number>;
  },
): GraphQLService<TContext> {
  const sdl = loadSubgraphSdl(deps.name);
  const schema = buildSubgraphSchema({
    typeDefs: sdl,
    // The generated `Resolvers` type is what the SDL asks for; buildSubgraphSchema takes a looser map.
    resolvers: spec.resolvers as ResolverMap,
  });
  const entities = schema.getQueryType()?.getFields()._entities;
  if (entities?.resolve) entities.resolve = checkedEntities(entities.resolve, entityKeys(sdl));
  signInFirst(schema, spec.openToAnonymous ?? []);
  const common = graphqlServerOptions({ limits: deps.env.limits, introspection: deps.env.introspection });
  // The gateway forwards its caller's address; a subgraph believes it of the peers named here only.
  const proxies = createProxyTrust(deps.env.subgraphTrustedProxies);
  const apollo = new ApolloServer<TContext>({
    schema,
    ...common,
    // No inline traces: nothing here reports usage, and traces cost time on every request.
    plugins: [...common.plugins, ApolloServerPluginInlineTraceDisabled()],
  });
  const outbox = spec.outbox
    ? createOutboxWorker({
        ...spec.outbox,
        slice: deps.name,
        db: deps.backgroundDb,
        env: deps.env.outbox,
        development: deps.env.development,
        now: deps.now,
        logger: deps.logger,
        onDelivery: (channel, state) => deps.metrics?.outboxDelivery(deps.name, channel, state),
      })
    : undefined;
  watchSlice(deps, spec);
  return {
    name: deps.name,
    apollo,
    ...(outbox && deps.env.outbox.worker ? { background: { start: () => outbox.start(), stop: () => outbox.stop() } } : {}),
    async context(req, request) {
      const authorization = authorizationHeader(req);
      const viewer = await deps.authenticator.viewerFromAuthorization(authorization);
      return spec.context({ viewer, request, authorization, clientAddress: clientAddress(req, proxies) });
    },
    async ready() {
      const checks: Record<string, string> = {};
      await deps.ping();
      checks.database = 'ok';
      const failures: string[] = [];
      // Every slice but the directory's provider reads the directory for its permissions: it is
      // ready only when it can (the kit's check, so a slice made from the recipe has it too).
      const kitChecks: Record<string, () => Promise<unknown>> =
        deps.providers.directory === deps.name ? {} : { directory: () => deps.directory.current() };
      for (const [name, check] of Object.entries({ ...kitChecks, ...spec.ready })) {
        try {
          const result = await check();
          checks[name] = typeof result === 'string' ? result : 'ok';
        } catch (error) {
          checks[name] = 'failed';
          failures.push(`${name}: ${(error as Error).message}`);
        }
      }
      if (failures.length) throw Object.assign(new Error(failures.join('; ')), { checks });
      return checks;
    },
  };
}
