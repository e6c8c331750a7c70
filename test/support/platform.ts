/**
 * `startTestPlatform()` starts the database, every subgraph and the gateway on ephemeral ports and
 * returns `query(doc, { as })` against the gateway, `querySubgraph(name, …)` against one subgraph
 * directly (as a bureau frontend does), and `stop()`.
 */
import { signToken, type Role } from '../../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../../platform/env.ts';
import { createLogger } from '../../platform/log.ts';
import { slices as registeredSlices } from '../../subgraphs/registry.ts';
import { unitIdForCode } from '../../db/reference/organisation.ts';
import { startPlatform, type Platform, type PlatformOptions } from '../../bin/platform.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export type Caller =
  | 'ANONYMOUS'
  | Role
  | {
      role: Role;
      unit?: string;
      unitId?: string;
      enterprise?: string;
      /** A financial institution's id, and one of its branches (FINANCIAL_INSTITUTION). */
      institution?: string;
      branch?: string;
      subject?: string;
      issuer?: string;
    }
  | { token: string };

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestPlatform {
  platform: Platform;
  database: TestDatabase;
  gatewayUrl: string;
  query<T = any>(document: string, options?: { as?: Caller; variables?: Record<string, unknown> }): Promise<GraphQLResponse<T>>;
  querySubgraph<T = any>(
    name: string,
    document: string,
    options?: { as?: Caller; variables?: Record<string, unknown> },
  ): Promise<GraphQLResponse<T>>;
  tokenFor(caller: Caller): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** Tokens for the usual callers: unit codes become the seeded units' deterministic ids. */
export async function tokenFor(caller: Caller): Promise<string | undefined> {
  if (caller === 'ANONYMOUS') return undefined;
  if (typeof caller === 'object' && 'token' in caller) return caller.token;
  const spec = typeof caller === 'string' ? { role: caller } : caller;
  const unitCode = 'unit' in spec ? spec.unit : undefined;
  const unitId =
    ('unitId' in spec ? spec.unitId : undefined) ??
    (unitCode ? unitIdForCode(unitCode) : spec.role === 'COMMAND_OFFICE' ? unitIdForCode('COMMAND_OFFICE') : undefined);
  const enterprise = 'enterprise' in spec ? spec.enterprise : undefined;
  const institution = 'institution' in spec ? spec.institution : undefined;
  const branch = 'branch' in spec ? spec.branch : undefined;
  return signToken(
    {
      sub:
        ('subject' in spec ? spec.subject : undefined) ??
        `test-${spec.role.toLowerCase()}-${unitCode ?? enterprise ?? branch ?? institution ?? 'user'}`,
      role: spec.role,
      ...(unitId ? { unit: unitId } : {}),
      ...(enterprise ? { enterprise } : {}),
      ...(institution ? { institution } : {}),
      ...(branch ? { branch } : {}),
    },
    { secret: DEVELOPMENT_JWT_SECRET, ...('issuer' in spec && spec.issuer ? { issuer: spec.issuer } : {}) },
  );
}

/** What a current GraphQL client sends: the GraphQL response media type first (4xx for refused documents). */
export const ACCEPT_GRAPHQL_RESPONSE = 'application/graphql-response+json, application/json;q=0.9';

export async function post<T>(url: string, body: unknown, token?: string, accept = ACCEPT_GRAPHQL_RESPONSE): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as GraphQLResponse<T>;
  return { ...json, status: response.status };
}

export async function startTestPlatform(
  options: Omit<Partial<PlatformOptions>, 'env'> & { env?: Record<string, string>; maxConnections?: number } = {},
): Promise<TestPlatform> {
  const { maxConnections, ...platformOptions } = options;
  const database = await createTestDatabase({ maxConnections });
  let platform: Platform;
  try {
    platform = await startPlatform({
      ...platformOptions,
      // Development chosen explicitly: tests sign their tokens with the development secret. Counts
      // without the time box (EXACT_COUNT_WITHIN_MS): a test's totalCount is exact whatever the
      // machine's load; test/list-counts.e2e.ts sets one where it checks it.
      env: loadEnv(
        { DEVELOPMENT_MODE: 'true', LOAD_SAMPLE_DATA: 'false', EXACT_COUNT_WITHIN_MS: '0', ...options.env },
        options.slices ?? registeredSlices,
      ),
      database: database.handle,
      ephemeralPorts: true,
      // Unexpected errors are a bug: show them; the rest of the platform's lines stay quiet.
      logger: options.logger ?? createLogger({ level: 'error' }),
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const gatewayUrl = platform.gateway.url;
  return {
    platform,
    database,
    gatewayUrl,
    tokenFor,
    async query(document, { as = 'ANONYMOUS', variables } = {}) {
      return post(gatewayUrl, { query: document, variables }, await tokenFor(as));
    },
    async querySubgraph(name, document, { as = 'ANONYMOUS', variables } = {}) {
      const service = platform.subgraphs[name];
      if (!service) throw new Error(`subgraph ${name} is not running`);
      return post(`${service.url}graphql`, { query: document, variables }, await tokenFor(as));
    },
    async stop() {
      await platform.stop();
      await database.drop();
    },
  };
}
