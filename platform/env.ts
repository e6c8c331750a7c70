/**
 * The one place that reads process.env. Everything else receives a validated `PlatformEnv`, so a
 * misconfigured deployment fails at start, not mid-request.
 *
 * It knows no slice by name: ports and URLs are derived from the slices it is given (the registry's
 * names and default ports), as `<NAME>_PORT` and `<NAME>_URL`.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { DEFAULT_OFFICE_HOURS, parseOfficeHours, type OfficeHours } from './calendar.ts';
import { trustEntryProblem } from './client-address.ts';
import { present } from './invariant.ts';
import type { MetricsAccess } from './metrics.ts';
import type { TracingEnv } from './tracing.ts';

/**
 * The development signing secret. It is in the repository, so anyone can sign with it: it is
 * accepted only when development is chosen explicitly (`DEVELOPMENT_MODE=true`, or `npm start` on
 * the embedded database, which says so in its banner). Every other start without a real key refuses
 * to run, whatever NODE_ENV says.
 */
export const DEVELOPMENT_JWT_SECRET = 'qingdao-yingshang-development-secret-not-for-production';

export interface AuthEnv {
  /** HS256 shared secret. */
  jwtSecret?: string;
  /** JWKS URL of the city's identity provider. */
  jwksUrl?: string;
  /** Required outside development: a token from another application of the same provider is refused. */
  issuer?: string;
  audience?: string;
  /** A token older than this (by its `iat`) is refused, whatever its `exp` says. */
  maxTokenLifetimeSeconds: number;
  /** Clocks differ a little: `iat` may be this far in the future, `exp` this far in the past. */
  clockToleranceSeconds: number;
}

/** What the environment needs to know of a slice: its name and the port it listens on by default. */
export interface SlicePort {
  name: string;
  port: number;
}

export interface SubgraphAddress {
  port: number;
  /** Where the gateway (and other slices) reach it: the first of `urls`. */
  url: string;
  /**
   * Every replica (`<NAME>_URL` may list several, comma-separated): the gateway balances its
   * requests over them and other slices take them in turn.
   */
  urls: string[];
  /** `<NAME>_DATABASE_URL`: the slice's own login role, when given explicitly. */
  databaseUrl?: string;
}

export interface DatabaseEnv {
  /** `DATABASE_URL`: the owner role. Migrations run with it; requests never do. */
  ownerUrl?: string;
  /** Serving roles are `<prefix>_<slice>` (`yingshang_units`); roles are per server, so the prefix tells deployments apart. */
  rolePrefix: string;
  /** Password of the serving roles when their URLs are derived from DATABASE_URL. */
  rolePassword?: string;
  /** A statement running longer is cancelled by the server. */
  statementTimeoutMs: number;
  /** DATABASE_POOL_MAX: connections each pool of this process may open (one pool per slice it serves). */
  poolMax: number;
  /**
   * MAX_REPLICAS: the most copies of this process that run at once (a HorizontalPodAutoscaler's
   * maxReplicas, compose's replicas). With `poolMax` it says how many connections a serving role
   * may need; the start warns when that is more than the role's CONNECTION LIMIT.
   */
  maxReplicas: number;
}

export interface Limits {
  subgraphTimeoutMs: number;
  maxQueryDepth: number;
  maxQueryAliases: number;
  maxQueryCost: number;
  maxQueryTokens: number;
  maxPageSize: number;
  /**
   * How a list's `totalCount` counts (pagination.ts countUpTo): exactly up to EXACT_COUNT_UP_TO rows
   * (1,000 by default) within EXACT_COUNT_WITHIN_MS (25 ms by default; 0: no time box); above that
   * many rows, or when the count takes longer, it is the database's estimate, marked
   * `totalCountIsEstimate`.
   */
  exactCount: { upTo: number; withinMs: number };
  maxRequestBytes: number;
  /** Headers must have arrived within this. */
  headersTimeoutMs: number;
  /** The whole request (headers and body) must have arrived within this. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A GraphQL request running longer is stopped and answered with REQUEST_TIMEOUT. */
  executionTimeoutMs: number;
  /**
   * BATCH_EXECUTION_TIMEOUT_MS (300 s by default): the budget instead of executionTimeoutMs for a
   * mutation asking only for batch intake (platform/budget.ts), in the subgraph and in the gateway's
   * fetch of it; every other operation keeps the general limits.
   */
  batchExecutionTimeoutMs: number;
  /** SIGTERM: the process is gone within this, in-flight requests or not. */
  stopTimeoutMs: number;
}

export interface PlatformEnv {
  /** Chosen explicitly: the development secret is accepted, the explorer is on. */
  development: boolean;
  /** postgres.js connection string of the owner role; absent (and no slice URL) → embedded PGlite under `dataDir`. */
  databaseUrl?: string;
  database: DatabaseEnv;
  dataDir: string;
  /** No database URL at all (neither DATABASE_URL nor any `<NAME>_DATABASE_URL`): embedded PGlite under `dataDir`. */
  embedded: boolean;
  /**
   * Load the clearly-marked sample data on start: by default only on the embedded database; with
   * any real database URL only when asked for by name (LOAD_SAMPLE_DATA=true).
   */
  loadSampleData: boolean;
  auth: AuthEnv;
  /** Introspection (and `_service { sdl }`): on in development, off otherwise unless enabled. */
  introspection: boolean;
  /** The bundled explorer: on in development, off otherwise unless enabled (it turns introspection on). */
  explorer: boolean;
  /**
   * `HOST`: the address every service of the process listens on. In development 127.0.0.1 (this
   * machine only: the development secret is in the repository, so anyone who reaches the port can
   * sign a command-office token); otherwise every interface (0.0.0.0).
   */
  host: string;
  /** `PORT`: the port of the one service a process runs alone (container platforms set it). */
  port?: number;
  gatewayPort: number;
  /** Slice name → its port and URL. */
  subgraphs: Record<string, SubgraphAddress>;
  limits: Limits;
  /** How long a subgraph trusts its cached copy of the unit directory. */
  directoryTtlMs: number;
  /**
   * The proxies in front of the gateway whose `x-forwarded-for` it believes (TRUSTED_PROXIES: its own
   * front proxy by address, range or host name; none by default). The caller's address is what limits
   * anonymous callers; platform/client-address.ts reads it.
   */
  trustedProxies: string[];
  /**
   * The peers whose `x-forwarded-for` a subgraph believes (SUBGRAPH_TRUSTED_PROXIES): the gateway,
   * which forwards its caller's address, and any proxy in front of a subgraph. `loopback` by default
   * (the gateway of the one-process platform); docker-compose names the `gateway` service.
   */
  subgraphTrustedProxies: string[];
  /** Whether the gateway sends identical subgraph reads in flight at once only once (MERGE_INFLIGHT_REQUESTS, default true). */
  mergeInflightRequests: boolean;
  /**
   * Sockets the gateway keeps to each subgraph replica (SUBGRAPH_CONNECTIONS, default 64): as many
   * requests in flight to a replica as that. 16 held distinct users' requests back at the gateway
   * (each reaches the subgraph, none is merged): at c=64 through the gateway the throughput stayed
   * at c=16's while the subgraph called directly nearly doubled (#28, docs/PERFORMANCE.md).
   */
  subgraphConnections: number;
  /**
   * SUBGRAPH_REPLICAS_FROM_DNS: the gateway resolves each subgraph's host name to all its addresses
   * (again every 10 s) and balances over them — docker-compose's replicas of one service share its name.
   */
  subgraphReplicasFromDns: boolean;
  /** Office hours of a working day (OFFICE_HOURS), for time limits counted in office hours. */
  officeHours: OfficeHours;
  /** Short-lived download links to the gateway's files (platform/download-links.ts). */
  downloadLinks: DownloadLinksEnv;
  log: { level: string; pretty: boolean };
  metrics: MetricsEnv;
  tracing: TracingEnv;
  /** Notices (issue #25 §3): each slice's outbox worker, its webhooks and the SMS gateway (platform/outbox.ts). */
  outbox: OutboxEnv;
}

/** Prometheus metrics (platform/metrics.ts, docs/OPERATIONS.md). */
export interface MetricsEnv {
  /** METRICS_PORT: `/metrics` on a port of its own (none by default). */
  port?: number;
  /**
   * `/metrics` on each service's own port: open in development; outside it only with
   * `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set, refused otherwise.
   */
  publicPort: MetricsAccess;
  /** METRICS_MAX_OPERATIONS: operation names given a label of their own (default 100); the rest are `(other)`. */
  maxOperations: number;
}

export interface OutboxEnv {
  /** OUTBOX_WORKER: whether a slice's process runs its delivery worker (default true). */
  worker: boolean;
  /** OUTBOX_POLL_MS: how long an idle worker waits before it looks again. */
  pollMs: number;
  /** OUTBOX_BATCH: events dispatched, and deliveries attempted, per round. */
  batch: number;
  /** WEBHOOK_TIMEOUT_MS: how long one webhook call may take. */
  webhookTimeoutMs: number;
  /** WEBHOOK_RETRY_BASE_MS, WEBHOOK_RETRY_MAX_MS: the first wait after a failure, doubling up to the most. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** WEBHOOK_RETRY_WINDOW_MS: how long a delivery is retried before it is dead-lettered (24 h). */
  retryWindowMs: number;
  /** SMS_GATEWAY_URL, SMS_GATEWAY_USER, SMS_GATEWAY_PASSWORD: the government SMS gateway; without the URL, SMS is recorded as not sent. */
  sms: { url?: string; user?: string; password?: string; dailyCap: number; signature: string };
}

export interface DownloadLinksEnv {
  /**
   * The secret the links' key is derived from: DOWNLOAD_LINK_SECRET, else JWT_SECRET (the
   * development secret in development). Absent — only a JWKS and no DOWNLOAD_LINK_SECRET — no links
   * are made (the mutation says so); the files still open with an Authorization header.
   */
  secret?: string;
  /** DOWNLOAD_LINK_TTL_SECONDS: how long a link works (30–3600 s, default 300). */
  ttlSeconds: number;
  /** PUBLIC_URL: the gateway's address as people reach it, the start of every link's `url`. */
  publicUrl: string;
}

/**
 * A subgraph's URL for a call from another slice: its replicas in turn (one replica down then costs
 * that call, not every call).
 */
export function replicasInTurn(subgraphs: Record<string, SubgraphAddress>): (name: string) => string {
  const turns = new Map<string, number>();
  return (name) => {
    const urls = subgraphs[name]?.urls ?? [];
    if (!urls.length) return '';
    const turn = turns.get(name) ?? 0;
    turns.set(name, (turn + 1) % urls.length);
    return urls[turn % urls.length] ?? '';
  };
}

/**
 * The deepest query the platform sends itself: the unit directory every slice reads from the units
 * slice (`units → edges → node → parent → id`, platform/directory.ts). Every service applies
 * MAX_QUERY_DEPTH to every caller, itself included, so a lower setting would make every slice
 * refuse its own directory query and never be ready: a start refuses it instead
 * (test/internal-queries.test.ts measures every internal query against this).
 */
export const PLATFORM_QUERY_DEPTH = 5;

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
  /**
   * `message` is English; `zh`, when given, is the same in Chinese and the refusal prints both
   * (platform/entry.ts); without it, a general Chinese line goes before the English.
   */
  constructor(
    message: string,
    readonly zh?: string,
  ) {
    super(message);
  }
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
  if (!(allowed as readonly string[]).includes(raw))
    throw new ConfigurationError(`${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** `issues` → `ISSUES`, `tax-relief` → `TAX_RELIEF`: the prefix of a slice's variables. */
export const envPrefix = (name: string): string => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

/**
 * `<NAME>_FILE`: any setting may be given as a file instead, as Docker and Compose `secrets:` and
 * Kubernetes Secret volumes hand a secret over — it then shows neither in `docker inspect` nor in
 * the process's environment. The value is the file's content less one trailing newline (`echo`
 * adds one); an empty file is a variable not set. Both `<NAME>` and `<NAME>_FILE` set, or a file
 * that cannot be read, refuse the start: which value counts must never be a guess.
 *
 * Only the settings the platform reads are resolved, when it reads them: the environment holds
 * other programs' `…_FILE` variables too (`SSL_CERT_FILE`, `TF_CLI_CONFIG_FILE`), and those are
 * neither read nor a reason to refuse a start.
 */
export function withFileVariables(source: Source, read: (file: string) => string = (file) => fs.readFileSync(file, 'utf8')): Source {
  const resolved = new Map<string, string | undefined>();
  const valueOf = (name: string): string | undefined => {
    const key = `${name}_FILE`;
    const file = source[key];
    if (!file || !/^[A-Z][A-Z0-9_]*$/.test(name)) return source[name];
    if (resolved.has(name)) return resolved.get(name);
    if (source[name]) throw new ConfigurationError(`${name} and ${key} are both set: set only one of them`);
    let content: string;
    try {
      content = read(file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ConfigurationError(`${key} names ${file}, which cannot be read (${reason}): mount the secret there, or unset ${key}`);
    }
    const value = content.replace(/\r?\n$/, '') || undefined;
    resolved.set(name, value);
    return value;
  };
  return new Proxy(source, {
    get: (target, name) => (typeof name === 'string' ? valueOf(name) : Reflect.get(target, name)),
    has: (target, name) => (typeof name === 'string' ? valueOf(name) !== undefined : Reflect.has(target, name)),
  });
}

/**
 * Whether a start runs on the embedded database: no DATABASE_URL and no slice's own
 * `<NAME>_DATABASE_URL` (a production service is given only its own). Only then is development
 * chosen by default (`npm start`) and sample data loaded unasked.
 */
export function embeddedDatabase(given: Source, slices: readonly SlicePort[]): boolean {
  const source = withFileVariables(given);
  return (
    !source.DATABASE_URL &&
    !source.DATABASE_HOST &&
    !slices.some((slice) => source[`${envPrefix(slice.name)}_DATABASE_URL`] || source[`${envPrefix(slice.name)}_DATABASE_PASSWORD`])
  );
}

/** How to write a password the URL cannot carry as it is; said with every refusal of a connection string. */
const CONNECTION_HINT = {
  zh: '口令中的 / ? # @ % : 等字符须按百分号编码（/ 写作 %2F，可用 node -p "encodeURIComponent(process.argv[1])" \'口令\' 生成）；或不用连接串，改设 DATABASE_HOST、DATABASE_PORT、DATABASE_NAME、DATABASE_USER、DATABASE_PASSWORD（各服务的角色口令：<NAME>_DATABASE_PASSWORD），口令可为任意字符',
  en: "characters such as / ? # @ % : in a password must be percent-encoded (/ as %2F; node -p \"encodeURIComponent(process.argv[1])\" '<password>' prints it), or set DATABASE_HOST, DATABASE_PORT, DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD (a service's own role: <NAME>_DATABASE_PASSWORD) instead of a URL, which take any password as it is",
};

/**
 * A PostgreSQL connection string, checked as postgres.js will read it — never echoed back, as it
 * carries a password. A password with `/` (as `openssl rand -base64` makes) used to end the start
 * in a bare "TypeError: Invalid URL"; one with `#` or `?` after digits even parsed, as another host.
 */
export function connectionString(key: string, raw: string): string {
  const refuse = (zh: string, en: string): never => {
    throw new ConfigurationError(`${key} ${en}: ${CONNECTION_HINT.en}`, `${key} ${zh}：${CONNECTION_HINT.zh}`);
  };
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return refuse(
      '不是有效的 PostgreSQL 连接串（postgres://用户:口令@主机:端口/数据库）',
      'is not a valid PostgreSQL connection string (postgres://user:password@host:port/database)',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') refuse('应以 postgres:// 开头', 'must begin with postgres://');
  // What follows the host holds no @ and there is no fragment: an unencoded password ran past the host.
  if (parsed.hash || `${parsed.pathname}${parsed.search}`.includes('@'))
    refuse(
      '的口令中有未编码的字符，主机和数据库因而读错',
      'has a character in its password that is not encoded, so its host and database read wrong',
    );
  try {
    decodeURIComponent(parsed.username);
    decodeURIComponent(parsed.password);
  } catch {
    refuse('的用户名或口令中有不成对的 %', 'has a % in its user or password that begins no %XX code');
  }
  if (!parsed.hostname) refuse('没有主机名', 'names no host');
  return raw;
}

/**
 * The connection settings of the database, from DATABASE_URL or from separate variables (any
 * password as it is), as the URLs the database layer reads: the owner's, and each slice's own
 * role's when given.
 */
function databaseConnections(
  source: Source,
  slices: readonly SlicePort[],
  rolePrefix: string,
): { ownerUrl?: string; sliceUrls: Record<string, string | undefined> } {
  const host = source.DATABASE_HOST || undefined;
  const separate = ['DATABASE_PORT', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD', 'DATABASE_SSLMODE'].filter(
    (key) => source[key],
  );
  if (source.DATABASE_URL && (host || separate.length))
    throw new ConfigurationError(
      `set DATABASE_URL or DATABASE_HOST with ${separate.join(', ') || 'DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD'}, not both`,
      `DATABASE_URL 与 DATABASE_HOST 等分项设置只能二选一`,
    );
  if (!host && separate.length)
    throw new ConfigurationError(
      `${separate.join(', ')} need DATABASE_HOST: the server's host name`,
      `${separate.join('、')} 须与 DATABASE_HOST（数据库主机）一同设置`,
    );
  let server: ((user: string, password: string | undefined) => string) | undefined;
  if (host) {
    if (/[\s/@?#]/.test(host))
      throw new ConfigurationError(
        `DATABASE_HOST must be a host name or address, got "${host}"`,
        `DATABASE_HOST 应为主机名或地址，而不是 "${host}"`,
      );
    const port = integer(source, 'DATABASE_PORT', 5432, 1);
    const name = source.DATABASE_NAME;
    if (!name)
      throw new ConfigurationError(
        'DATABASE_HOST needs DATABASE_NAME: the database',
        'DATABASE_HOST 须与 DATABASE_NAME（数据库名）一同设置',
      );
    // postgres.js does not decode the database's name from the URL: it must need no encoding.
    if (!/^[A-Za-z0-9_.-]{1,63}$/.test(name))
      throw new ConfigurationError(
        `DATABASE_NAME must be letters, digits, _ . - (at most 63), got "${name}"`,
        `DATABASE_NAME 只能由字母、数字和 _ . - 组成（至多 63 个），而不是 "${name}"`,
      );
    const sslmode = oneOf(source, 'DATABASE_SSLMODE', ['disable', 'allow', 'prefer', 'require', 'verify-full'], 'disable');
    const hostPart = net.isIPv6(host) ? `[${host}]` : host;
    server = (user, password) =>
      `postgres://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@${hostPart}:${port}/${name}` +
      (sslmode === 'disable' ? '' : `?sslmode=${sslmode}`);
  }
  let ownerUrl: string | undefined;
  if (source.DATABASE_URL) ownerUrl = connectionString('DATABASE_URL', source.DATABASE_URL);
  else if (server && source.DATABASE_USER) ownerUrl = server(source.DATABASE_USER, source.DATABASE_PASSWORD || undefined);
  else if (source.DATABASE_PASSWORD)
    throw new ConfigurationError(
      'DATABASE_PASSWORD needs DATABASE_USER: the owner role',
      'DATABASE_PASSWORD 须与 DATABASE_USER（所有者角色）一同设置',
    );
  const sliceUrls: Record<string, string | undefined> = {};
  for (const slice of slices) {
    const prefix = envPrefix(slice.name);
    const url = source[`${prefix}_DATABASE_URL`] || undefined;
    const password = source[`${prefix}_DATABASE_PASSWORD`] || undefined;
    const user = source[`${prefix}_DATABASE_USER`] || undefined;
    if (url && (password || user))
      throw new ConfigurationError(
        `set ${prefix}_DATABASE_URL or ${prefix}_DATABASE_PASSWORD, not both`,
        `${prefix}_DATABASE_URL 与 ${prefix}_DATABASE_PASSWORD 只能二选一`,
      );
    if (url) sliceUrls[slice.name] = connectionString(`${prefix}_DATABASE_URL`, url);
    else if (password || user) {
      if (!server)
        throw new ConfigurationError(
          `${prefix}_DATABASE_PASSWORD needs DATABASE_HOST and DATABASE_NAME: the server and database of its role`,
          `${prefix}_DATABASE_PASSWORD 须与 DATABASE_HOST、DATABASE_NAME 一同设置`,
        );
      // The role's name is the platform's (`yingshang_issues`) unless the database administrator chose another.
      sliceUrls[slice.name] = server(user ?? `${rolePrefix}_${slice.name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`, password);
    }
  }
  if (server && !ownerUrl && !Object.values(sliceUrls).some(Boolean))
    throw new ConfigurationError(
      "DATABASE_HOST names a server but no role: set DATABASE_USER and DATABASE_PASSWORD (the owner), or a service's own <NAME>_DATABASE_PASSWORD",
      'DATABASE_HOST 只指明了服务器，未指明角色：设置 DATABASE_USER 和 DATABASE_PASSWORD（所有者），或服务自己的 <NAME>_DATABASE_PASSWORD',
    );
  return { ownerUrl, sliceUrls };
}

export interface LoadOptions {
  /**
   * Whether development is chosen when DEVELOPMENT_MODE is not set: only `npm start` on the
   * embedded database (and the developer tools) pass true.
   */
  developmentByDefault?: boolean;
}

export function loadEnv(given: Source = process.env, slices: readonly SlicePort[] = [], options: LoadOptions = {}): PlatformEnv {
  const source = withFileVariables(given);
  const development = flag(source, 'DEVELOPMENT_MODE') ?? options.developmentByDefault ?? false;
  const rolePrefix = source.DATABASE_ROLE_PREFIX || 'yingshang';
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(rolePrefix))
    throw new ConfigurationError(`DATABASE_ROLE_PREFIX must be lower-case letters, digits and _, got "${rolePrefix}"`);
  const connections = databaseConnections(source, slices, rolePrefix);
  const databaseUrl = connections.ownerUrl;
  const auth: AuthEnv = {
    jwtSecret: source.JWT_SECRET || (development ? DEVELOPMENT_JWT_SECRET : undefined),
    jwksUrl: source.JWT_JWKS_URL || undefined,
    issuer: source.JWT_ISSUER || undefined,
    audience: source.JWT_AUDIENCE || undefined,
    maxTokenLifetimeSeconds: integer(source, 'JWT_MAX_LIFETIME_SECONDS', 12 * 60 * 60, 60),
    clockToleranceSeconds: integer(source, 'JWT_CLOCK_TOLERANCE_SECONDS', 60),
  };
  if (auth.jwksUrl) url('JWT_JWKS_URL', auth.jwksUrl);
  if (!development) assertProductionAuth(auth);

  // PORT_OFFSET moves every default port at once (a second copy of the platform on one machine).
  const offset = integer(source, 'PORT_OFFSET', 0);
  const template = source.SUBGRAPH_URL_TEMPLATE || 'http://127.0.0.1:{port}/graphql';
  const subgraphs: Record<string, SubgraphAddress> = {};
  for (const slice of slices) {
    const prefix = envPrefix(slice.name);
    const port = integer(source, `${prefix}_PORT`, slice.port + offset);
    const fallback = template.replaceAll('{name}', slice.name).replaceAll('{port}', String(port));
    const sliceDatabase = connections.sliceUrls[slice.name];
    const urls = (source[`${prefix}_URL`] || fallback)
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => url(`${prefix}_URL`, entry));
    if (!urls.length) throw new ConfigurationError(`${prefix}_URL lists no URL`);
    subgraphs[slice.name] = {
      port,
      url: present(urls[0], `${prefix}_URL's first URL`),
      urls,
      ...(sliceDatabase ? { databaseUrl: sliceDatabase } : {}),
    };
  }
  const port = source.PORT ? integer(source, 'PORT', 0) : undefined;
  const host = source.HOST || (development ? '127.0.0.1' : '0.0.0.0');
  if (!net.isIP(host) && host !== 'localhost')
    throw new ConfigurationError(`HOST must be an IP address to listen on (127.0.0.1, 0.0.0.0, ::), got "${host}"`);
  const logFormat = oneOf(source, 'LOG_FORMAT', ['json', 'pretty', 'auto'], 'auto');
  const explorer = flag(source, 'EXPLORER') ?? development;
  const introspection = flag(source, 'INTROSPECTION') ?? explorer;
  if (explorer && !introspection) throw new ConfigurationError('EXPLORER=true needs introspection: do not set INTROSPECTION=false with it');
  const stopTimeoutMs = integer(source, 'STOP_TIMEOUT_MS', 10_000, 1_000);
  const executionTimeoutMs = integer(source, 'EXECUTION_TIMEOUT_MS', 10_000, 100);
  const requestTimeoutMs = integer(source, 'REQUEST_TIMEOUT_MS', 15_000, 100);
  const embedded = !databaseUrl && !Object.values(subgraphs).some((address) => address.databaseUrl);
  return {
    development,
    databaseUrl,
    database: {
      ownerUrl: databaseUrl,
      rolePrefix,
      rolePassword: source.DATABASE_ROLE_PASSWORD || undefined,
      statementTimeoutMs: integer(source, 'STATEMENT_TIMEOUT_MS', executionTimeoutMs, 100),
      poolMax: integer(source, 'DATABASE_POOL_MAX', 10, 1),
      maxReplicas: integer(source, 'MAX_REPLICAS', 1, 1),
    },
    dataDir: path.resolve(source.DATA_DIR || '.data'),
    embedded,
    loadSampleData: flag(source, 'LOAD_SAMPLE_DATA') ?? embedded,
    auth,
    introspection,
    explorer,
    host,
    port,
    gatewayPort: integer(source, 'GATEWAY_PORT', 4000 + offset),
    subgraphs,
    limits: {
      subgraphTimeoutMs: integer(source, 'SUBGRAPH_TIMEOUT_MS', 10_000, 1),
      maxQueryDepth: queryDepth(source),
      maxQueryAliases: integer(source, 'MAX_QUERY_ALIASES', 30, 0),
      maxQueryCost: integer(source, 'MAX_QUERY_COST', 50_000, 100),
      maxQueryTokens: integer(source, 'MAX_QUERY_TOKENS', 5_000, 100),
      maxPageSize: integer(source, 'MAX_PAGE_SIZE', 100, 1),
      exactCount: {
        upTo: integer(source, 'EXACT_COUNT_UP_TO', 1000, 0),
        withinMs: integer(source, 'EXACT_COUNT_WITHIN_MS', 25, 0),
      },
      maxRequestBytes: integer(source, 'MAX_REQUEST_BYTES', 4_000_000, 1024),
      headersTimeoutMs: Math.min(integer(source, 'HEADERS_TIMEOUT_MS', 10_000, 100), requestTimeoutMs),
      requestTimeoutMs,
      keepAliveTimeoutMs: integer(source, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, 100),
      executionTimeoutMs,
      batchExecutionTimeoutMs: integer(source, 'BATCH_EXECUTION_TIMEOUT_MS', 300_000, 100),
      stopTimeoutMs,
    },
    directoryTtlMs: integer(source, 'DIRECTORY_TTL_MS', 30_000),
    mergeInflightRequests: flag(source, 'MERGE_INFLIGHT_REQUESTS') ?? true,
    subgraphConnections: integer(source, 'SUBGRAPH_CONNECTIONS', 64, 1),
    subgraphReplicasFromDns: flag(source, 'SUBGRAPH_REPLICAS_FROM_DNS') ?? false,
    trustedProxies: trustList(source, 'TRUSTED_PROXIES', ''),
    subgraphTrustedProxies: trustList(source, 'SUBGRAPH_TRUSTED_PROXIES', 'loopback'),
    officeHours: officeHours(source),
    downloadLinks: downloadLinks(source, auth, development, integer(source, 'GATEWAY_PORT', 4000 + offset)),
    metrics: metricsEnv(source, development),
    tracing: tracingEnv(source),
    outbox: outboxEnv(source),
    log: {
      level: oneOf(source, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
      // Pretty lines for a person at a terminal in development; JSON lines everywhere else.
      pretty: logFormat === 'pretty' || (logFormat === 'auto' && development && Boolean(process.stdout.isTTY)),
    },
  };
}

function metricsEnv(source: Source, development: boolean): MetricsEnv {
  const token = source.METRICS_TOKEN || undefined;
  if (token && !development) {
    const weakness = secretWeakness(token);
    if (weakness) throw new ConfigurationError(`METRICS_TOKEN is too weak: ${weakness} (generate one with: openssl rand -base64 48)`);
  }
  const port = source.METRICS_PORT ? integer(source, 'METRICS_PORT', 0) : undefined;
  return {
    ...(port !== undefined ? { port } : {}),
    publicPort: token ? { kind: 'token', token } : development ? { kind: 'open' } : { kind: 'refused' },
    maxOperations: integer(source, 'METRICS_MAX_OPERATIONS', 100, 1),
  };
}

/** The share of new traces recorded when OTEL_TRACES_SAMPLER_ARG is not set. */
export const DEFAULT_TRACE_SAMPLE_RATIO = 0.1;

/** The OpenTelemetry variables this platform reads (platform/tracing.ts): where to send spans, how many, under which name. */
function tracingEnv(source: Source): TracingEnv {
  const httpUrl = (key: string, raw: string) => {
    if (!/^https?:$/.test(new URL(url(key, raw)).protocol)) throw new ConfigurationError(`${key} must be an http(s) URL, got "${raw}"`);
    return raw;
  };
  const traces = source.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined;
  const base = source.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  const tracesEndpoint = traces
    ? httpUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', traces)
    : base
      ? `${httpUrl('OTEL_EXPORTER_OTLP_ENDPOINT', base).replace(/\/+$/, '')}/v1/traces`
      : undefined;
  const rawRatio = source.OTEL_TRACES_SAMPLER_ARG;
  // 10 % of new traces by default, not OpenTelemetry's 100 %: recording every trace costs 5–7 % of the
  // gateway's throughput (#27, docs/OPERATIONS.md › The cost), 10 % is within the noise; a caller's
  // sampled `traceparent` is still followed, and OTEL_TRACES_SAMPLER_ARG=1 records everything.
  const sampleRatio = rawRatio ? Number(rawRatio) : DEFAULT_TRACE_SAMPLE_RATIO;
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1)
    throw new ConfigurationError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${rawRatio}"`);
  return {
    ...(tracesEndpoint ? { tracesEndpoint } : {}),
    sampleRatio,
    ...(source.OTEL_SERVICE_NAME ? { serviceName: source.OTEL_SERVICE_NAME } : {}),
  };
}

function outboxEnv(source: Source): OutboxEnv {
  const smsUrl = source.SMS_GATEWAY_URL ? url('SMS_GATEWAY_URL', source.SMS_GATEWAY_URL) : undefined;
  return {
    worker: flag(source, 'OUTBOX_WORKER') ?? true,
    pollMs: integer(source, 'OUTBOX_POLL_MS', 1_000, 10),
    batch: integer(source, 'OUTBOX_BATCH', 200, 1),
    webhookTimeoutMs: integer(source, 'WEBHOOK_TIMEOUT_MS', 10_000, 100),
    retryBaseMs: integer(source, 'WEBHOOK_RETRY_BASE_MS', 30_000, 1),
    retryMaxMs: integer(source, 'WEBHOOK_RETRY_MAX_MS', 3_600_000, 1),
    retryWindowMs: integer(source, 'WEBHOOK_RETRY_WINDOW_MS', 86_400_000, 1),
    sms: {
      url: smsUrl,
      user: source.SMS_GATEWAY_USER || undefined,
      password: source.SMS_GATEWAY_PASSWORD || undefined,
      dailyCap: integer(source, 'SMS_DAILY_CAP', 20, 1),
      signature: source.SMS_SIGNATURE || '【青岛营商环境】',
    },
  };
}

function queryDepth(source: Source): number {
  const depth = integer(source, 'MAX_QUERY_DEPTH', 12, 1);
  if (depth < PLATFORM_QUERY_DEPTH) {
    throw new ConfigurationError(
      `MAX_QUERY_DEPTH must be at least ${PLATFORM_QUERY_DEPTH}, got ${depth}: the platform's own queries between services nest that deep ` +
        `(the unit directory every slice reads), and every service would refuse them`,
    );
  }
  return depth;
}

/** A comma-separated list of proxies (platform/client-address.ts): `none` or empty trusts nobody. */
function trustList(source: Source, key: string, fallback: string): string[] {
  const raw = source[key] ?? fallback;
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry && entry !== 'none');
  for (const entry of entries) {
    const problem = trustEntryProblem(entry);
    if (problem)
      throw new ConfigurationError(`${key}: ${problem} (loopback, private, addresses, CIDR ranges or host names, comma-separated)`);
  }
  return entries;
}

function downloadLinks(source: Source, auth: AuthEnv, development: boolean, gatewayPort: number): DownloadLinksEnv {
  const own = source.DOWNLOAD_LINK_SECRET || undefined;
  if (own && !development) {
    const weakness = secretWeakness(own);
    if (weakness)
      throw new ConfigurationError(`DOWNLOAD_LINK_SECRET is too weak: ${weakness} (generate one with: openssl rand -base64 48)`);
  }
  const ttlSeconds = integer(source, 'DOWNLOAD_LINK_TTL_SECONDS', 300, 30);
  if (ttlSeconds > 3600)
    throw new ConfigurationError(
      `DOWNLOAD_LINK_TTL_SECONDS must be at most 3600 (an hour): a link is a capability anyone holding the URL may use; got ${ttlSeconds}`,
    );
  const publicUrl = url('PUBLIC_URL', source.PUBLIC_URL || `http://localhost:${gatewayPort}`).replace(/\/+$/, '');
  // JWT_SECRET is checked at start unless a JWKS is configured; a weak one is never used for links.
  const fallback = auth.jwtSecret && (development || !secretWeakness(auth.jwtSecret)) ? auth.jwtSecret : undefined;
  return { secret: own ?? fallback, ttlSeconds, publicUrl };
}

function officeHours(source: Source): OfficeHours {
  const raw = source.OFFICE_HOURS || DEFAULT_OFFICE_HOURS;
  const parsed = parseOfficeHours(raw);
  if (!parsed)
    throw new ConfigurationError(
      `OFFICE_HOURS must be ordered HH:MM-HH:MM blocks separated by commas, e.g. ${DEFAULT_OFFICE_HOURS}; got "${raw}"`,
    );
  return parsed;
}

/** Why a shared secret is too weak to sign tokens with, or null. */
export function secretWeakness(secret: string): string | null {
  if (secret === DEVELOPMENT_JWT_SECRET) return 'it is the development secret, which is in the repository';
  if (secret.length < 32) return `it has ${secret.length} characters, fewer than 32`;
  // Two estimates, the lower one counts: Shannon's over the secret's own characters ("aaaa…" carries
  // nothing) and what is left once deflate has removed repetition ("0123456789" four times).
  const counts = new Map<string, number>();
  for (const char of secret) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...secret].length;
  let bitsPerChar = 0;
  for (const count of counts.values()) bitsPerChar -= (count / length) * Math.log2(count / length);
  const bits = Math.floor(Math.min(bitsPerChar * length, deflateRawSync(Buffer.from(secret)).length * 8));
  if (bits < 128) return `it carries about ${bits} bits, fewer than 128 (too few different characters, or too regular)`;
  return null;
}

/**
 * Outside development: a real key (the identity provider's JWKS, or a strong secret) and the
 * issuer and audience tokens must name, or the service would accept tokens it should not.
 */
function assertProductionAuth(auth: AuthEnv): void {
  const hint = "set DEVELOPMENT_MODE=true only on a developer's machine";
  if (!auth.jwksUrl) {
    if (!auth.jwtSecret) {
      throw new ConfigurationError(
        `No JWT_JWKS_URL or JWT_SECRET: refusing to start without a real key (${hint})`,
        '未设置 JWT_JWKS_URL 或 JWT_SECRET：没有真实密钥，拒绝启动（DEVELOPMENT_MODE=true 只用于开发者本机）',
      );
    }
    const weakness = secretWeakness(auth.jwtSecret);
    if (weakness) {
      throw new ConfigurationError(
        `JWT_SECRET is too weak: ${weakness}; refusing to start without a real key (generate one with: openssl rand -base64 48)`,
        `JWT_SECRET 强度不足（${weakness}），拒绝启动（可用 openssl rand -base64 48 生成）`,
      );
    }
  }
  if (!auth.issuer || !auth.audience) {
    throw new ConfigurationError(
      'JWT_ISSUER and JWT_AUDIENCE are required outside development: without them a token the identity provider issued to another application would be accepted',
      '开发模式以外必须设置 JWT_ISSUER 和 JWT_AUDIENCE：否则身份认证系统签发给其他应用的令牌也会被接受',
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
