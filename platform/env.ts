/**
 * The one place that reads process.env. Everything else receives a validated `PlatformEnv`, so a
 * misconfigured deployment fails at start, not mid-request.
 *
 * It knows no slice by name: ports and URLs are derived from the slices it is given (the registry's
 * names and default ports), as `<NAME>_PORT` and `<NAME>_URL`.
 */
import path from 'node:path';
import { DEFAULT_OFFICE_HOURS, parseOfficeHours, type OfficeHours } from './calendar.ts';

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

/** What the environment needs to know of a slice: its name and the port it listens on by default. */
export interface SlicePort {
  name: string;
  port: number;
}

export interface SubgraphAddress {
  port: number;
  /** Where the gateway (and other slices) reach it. */
  url: string;
}

export interface PlatformEnv {
  production: boolean;
  /** postgres.js connection string; absent → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Load the clearly-marked sample data on start (default: only on the embedded database). */
  loadSampleData: boolean;
  auth: AuthEnv;
  /** `PORT`: the port of the one service a process runs alone (container platforms set it). */
  port?: number;
  gatewayPort: number;
  /** Slice name → its port and URL. */
  subgraphs: Record<string, SubgraphAddress>;
  limits: {
    subgraphTimeoutMs: number;
    maxQueryDepth: number;
    maxPageSize: number;
    maxRequestBytes: number;
  };
  /** How long a subgraph trusts its cached copy of the unit directory. */
  directoryTtlMs: number;
  /** Office hours of a working day (OFFICE_HOURS), for time limits counted in office hours. */
  officeHours: OfficeHours;
  log: { level: string; pretty: boolean };
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

function url(key: string, raw: string): string {
  try {
    new URL(raw);
  } catch {
    throw new ConfigurationError(`${key} is not a URL: "${raw}"`);
  }
  return raw;
}

function oneOf<T extends string>(source: Source, key: string, allowed: readonly T[], fallback: T): T {
  const raw = source[key];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigurationError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** `issues` → `ISSUES`, `tax-relief` → `TAX_RELIEF`: the prefix of a slice's variables. */
export const envPrefix = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

export function loadEnv(source: Source = process.env, slices: readonly SlicePort[] = []): PlatformEnv {
  const production = source.NODE_ENV === 'production';
  const databaseUrl = source.DATABASE_URL || undefined;
  const auth: AuthEnv = {
    jwtSecret: source.JWT_SECRET || (production ? undefined : DEVELOPMENT_JWT_SECRET),
    jwksUrl: source.JWT_JWKS_URL || undefined,
    issuer: source.JWT_ISSUER || undefined,
    audience: source.JWT_AUDIENCE || undefined,
  };
  if (auth.jwksUrl) url('JWT_JWKS_URL', auth.jwksUrl);
  if (production) assertProductionKey(auth);

  // PORT_OFFSET moves every default port at once (a second copy of the platform on one machine).
  const offset = integer(source, 'PORT_OFFSET', 0);
  const template = source.SUBGRAPH_URL_TEMPLATE || 'http://127.0.0.1:{port}/graphql';
  const subgraphs: Record<string, SubgraphAddress> = {};
  for (const slice of slices) {
    const prefix = envPrefix(slice.name);
    const port = integer(source, `${prefix}_PORT`, slice.port + offset);
    const fallback = template.replaceAll('{name}', slice.name).replaceAll('{port}', String(port));
    subgraphs[slice.name] = { port, url: url(`${prefix}_URL`, source[`${prefix}_URL`] || fallback) };
  }
  const port = source.PORT ? integer(source, 'PORT', 0) : undefined;
  const logFormat = oneOf(source, 'LOG_FORMAT', ['json', 'pretty', 'auto'], 'auto');
  return {
    production,
    databaseUrl,
    dataDir: path.resolve(source.DATA_DIR || '.data'),
    loadSampleData: flag(source, 'LOAD_SAMPLE_DATA') ?? !databaseUrl,
    auth,
    port,
    gatewayPort: integer(source, 'GATEWAY_PORT', 4000 + offset),
    subgraphs,
    limits: {
      subgraphTimeoutMs: integer(source, 'SUBGRAPH_TIMEOUT_MS', 10_000, 1),
      maxQueryDepth: integer(source, 'MAX_QUERY_DEPTH', 12, 2),
      maxPageSize: integer(source, 'MAX_PAGE_SIZE', 100, 1),
      maxRequestBytes: integer(source, 'MAX_REQUEST_BYTES', 1_000_000, 1024),
    },
    directoryTtlMs: integer(source, 'DIRECTORY_TTL_MS', 30_000),
    officeHours: officeHours(source),
    log: {
      level: oneOf(source, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
      // Pretty lines for a person at a terminal in development; JSON lines everywhere else.
      pretty: logFormat === 'pretty' || (logFormat === 'auto' && !production && Boolean(process.stdout.isTTY)),
    },
  };
}

function officeHours(source: Source): OfficeHours {
  const raw = source.OFFICE_HOURS || DEFAULT_OFFICE_HOURS;
  const parsed = parseOfficeHours(raw);
  if (!parsed) throw new ConfigurationError(`OFFICE_HOURS must be ordered HH:MM-HH:MM blocks separated by commas, e.g. ${DEFAULT_OFFICE_HOURS}; got "${raw}"`);
  return parsed;
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
