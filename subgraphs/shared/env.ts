/**
 * The one place that reads process.env. Everything else receives a validated
 * `PlatformEnv` so a misconfigured deployment fails at start, not mid-request.
 */
import path from 'node:path';

/** Development-only signing secret. A production start refuses it. */
export const DEVELOPMENT_JWT_SECRET = 'qingdao-yingshang-development-secret-not-for-production';

export interface AuthEnv {
  /** HS256 shared secret (development, tests). */
  jwtSecret?: string;
  /** JWKS URL of the city's identity provider (production). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface PlatformEnv {
  production: boolean;
  /** postgres.js connection string; absent → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Load the clearly-marked sample data on start (default: only on the embedded database). */
  loadSampleData: boolean;
  auth: AuthEnv;
  ports: { gateway: number; units: number; issues: number };
  subgraphUrls: { units: string; issues: string };
  limits: {
    subgraphTimeoutMs: number;
    maxQueryDepth: number;
    maxPageSize: number;
    maxRequestBytes: number;
  };
  /** How long a subgraph trusts its cached copy of the unit directory. */
  directoryTtlMs: number;
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

type Source = Record<string, string | undefined>;

function integer(source: Source, key: string, fallback: number, min = 0): number {
  const raw = source[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigurationError(`${key} must be an integer ≥ ${min}, got "${raw}"`);
  }
  return value;
}

function flag(source: Source, key: string): boolean | undefined {
  const raw = source[key];
  if (raw === undefined || raw === '') return undefined;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigurationError(`${key} must be true or false, got "${raw}"`);
}

function url(source: Source, key: string, fallback: string): string {
  const raw = source[key] || fallback;
  try {
    new URL(raw);
  } catch {
    throw new ConfigurationError(`${key} is not a URL: "${raw}"`);
  }
  return raw;
}

export function loadEnv(source: Source = process.env): PlatformEnv {
  const production = source.NODE_ENV === 'production';
  const databaseUrl = source.DATABASE_URL || undefined;
  const auth: AuthEnv = {
    jwtSecret: source.JWT_SECRET || (production ? undefined : DEVELOPMENT_JWT_SECRET),
    jwksUrl: source.JWT_JWKS_URL || undefined,
    issuer: source.JWT_ISSUER || undefined,
    audience: source.JWT_AUDIENCE || undefined,
  };
  if (auth.jwksUrl) url(source, 'JWT_JWKS_URL', auth.jwksUrl);
  if (production) assertProductionKey(auth);

  const ports = {
    gateway: integer(source, 'GATEWAY_PORT', integer(source, 'PORT', 4000)),
    units: integer(source, 'UNITS_PORT', 4001),
    issues: integer(source, 'ISSUES_PORT', 4002),
  };
  return {
    production,
    databaseUrl,
    dataDir: path.resolve(source.DATA_DIR || '.data'),
    loadSampleData: flag(source, 'LOAD_SAMPLE_DATA') ?? !databaseUrl,
    auth,
    ports,
    subgraphUrls: {
      units: url(source, 'UNITS_URL', `http://127.0.0.1:${ports.units}/graphql`),
      issues: url(source, 'ISSUES_URL', `http://127.0.0.1:${ports.issues}/graphql`),
    },
    limits: {
      subgraphTimeoutMs: integer(source, 'SUBGRAPH_TIMEOUT_MS', 10_000, 1),
      maxQueryDepth: integer(source, 'MAX_QUERY_DEPTH', 12, 2),
      maxPageSize: integer(source, 'MAX_PAGE_SIZE', 100, 1),
      maxRequestBytes: integer(source, 'MAX_REQUEST_BYTES', 1_000_000, 1024),
    },
    directoryTtlMs: integer(source, 'DIRECTORY_TTL_MS', 30_000),
  };
}

/** A production start with the development secret, or no key at all, would accept forged tokens. */
function assertProductionKey(auth: AuthEnv): void {
  if (auth.jwksUrl) return;
  if (!auth.jwtSecret) {
    throw new ConfigurationError(
      'NODE_ENV=production needs JWT_JWKS_URL (or JWT_SECRET): refusing to start without a real key',
    );
  }
  if (auth.jwtSecret === DEVELOPMENT_JWT_SECRET || auth.jwtSecret.length < 32) {
    throw new ConfigurationError(
      'NODE_ENV=production refuses the development JWT secret or one shorter than 32 characters',
    );
  }
}

/**
 * @apollo/gateway phones home hourly unless this is set. The city's networks are closed and a
 * government system reports to nobody, so every start path calls this before building a gateway.
 */
export function disableApolloTelemetry(target: Source = process.env): void {
  target.APOLLO_TELEMETRY_DISABLED = '1';
}
