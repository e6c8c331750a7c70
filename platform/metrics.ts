/**
 * Prometheus metrics (prom-client): one registry per process, served as `GET /metrics` in the
 * Prometheus text format — on its own port (METRICS_PORT) or, in development or with METRICS_TOKEN,
 * on each service's own port (platform/http.ts decides). What each metric means and the alerts worth
 * having: docs/OPERATIONS.md.
 *
 * Labels are bounded: an operation is named by the name its document gives it (a GraphQL name of at
 * most 64 characters) only for the first METRICS_MAX_OPERATIONS names seen, the rest together as
 * `(other)`; an outcome is `ok`, `refused` or `error` with the registered error code; never a query's
 * text, an id, a token or a value a caller sent.
 */
import http from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseHandle, StatementObserver } from '../db/client.ts';
import { ErrorCode } from './errors.ts';
import { endSpan, inTrace, SpanKind, startSpan } from './tracing.ts';

/** A pooled HTTP client's sockets and queue (undici's PoolStats), read at each scrape. */
export interface SocketStats {
  connected: number;
  free: number;
  queued: number;
  running: number;
}

/** What a slice reads of its own database for the gauges (platform/subgraph.ts): its outbox backlog, its overdue limits. */
export interface SliceReading {
  outbox?: { eventsWaiting: number; deliveriesPending: number; deliveriesDead: number; oldestWaitingSeconds: number };
  /** Open limits past their due time, for a slice that keeps limits. */
  overdue?: number;
}

/** A slice's reading is refreshed at most this often (of the slice's clock), whatever the scrape interval. */
export const SLICE_READING_EVERY_MS = 60_000;

export interface PlatformMetrics {
  registry: Registry;
  /** The operation's label: its name if among the first `maxOperations` seen, else `(other)`. */
  operationLabel(name: string | undefined): string;
  /** One answered request of a service (the HTTP front). */
  request(service: string, operation: string | undefined, outcome: string, seconds: number): void;
  /** One fetch the gateway made of a subgraph. */
  subgraphFetch(subgraph: string, outcome: string, seconds: number, merged: boolean): void;
  /** The gateway's HTTP client of a subgraph, its sockets read at each scrape. */
  watchSubgraphClient(subgraph: string, stats: () => SocketStats | undefined): void;
  /** Identical subgraph reads in flight that later ones may join (the gateway's merging). */
  watchSharedFetches(count: () => number): void;
  /** Each slice's database pool, read at each scrape. */
  watchDatabase(database: DatabaseHandle, slices: readonly string[]): void;
  /** A slice's outbox backlog and overdue limits, read on a scrape at most once a minute of `now` (SLICE_READING_EVERY_MS). */
  watchSlice(slice: string, read: () => Promise<SliceReading>, now: () => Date): void;
  /** One attempt of a slice's outbox worker, once marked: DELIVERED, RETRY, DEAD, NOT_SENT, CAPPED. */
  outboxDelivery(slice: string, channel: string, state: string): void;
  /** Times (and traces) every SQL statement of the slices' pools. */
  statementObserver: StatementObserver;
}

const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const CODES = new Set<string>(Object.values(ErrorCode));
/** Outcomes that are the platform's failure rather than the caller's refusal. */
const FAILURES = new Set<string>([
  ErrorCode.INTERNAL_SERVER_ERROR,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.SUBGRAPH_UNAVAILABLE,
  ErrorCode.SUBGRAPH_TIMEOUT,
  ErrorCode.REQUEST_TIMEOUT,
]);

/**
 * `ok`, `refused` (the caller's business: a coded refusal, a 4xx), `error` (5xx, internal,
 * unavailable, timed out) or `cancelled` (the caller went away), with a bounded code.
 */
export function outcomeLabels(outcome: string): { outcome: 'ok' | 'refused' | 'error' | 'cancelled'; code: string } {
  if (outcome === 'ok') return { outcome: 'ok', code: '' };
  // The caller went away before its answer.
  if (outcome === 'CLIENT_CLOSED') return { outcome: 'cancelled', code: outcome };
  const http = /^HTTP_(\d{3})$/.exec(outcome);
  if (http) return { outcome: Number(http[1]) >= 500 ? 'error' : 'refused', code: outcome };
  if (!CODES.has(outcome)) return { outcome: 'error', code: 'OTHER' };
  return { outcome: FAILURES.has(outcome) ? 'error' : 'refused', code: outcome };
}

/** A statement's first keyword, lower case (`select`, `insert`, `with`…), at most 16 letters: a bounded name for its span. */
export function statementOperation(text: string): string {
  return /^\s*([A-Za-z]{1,16})/.exec(text)?.[1]?.toLowerCase() ?? 'statement';
}

/** Seconds: a request through the gateway takes milliseconds, a full board tens; a statement from a fraction of one. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STATEMENT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface WatchedSlice {
  read(): Promise<SliceReading>;
  now(): Date;
  at?: number;
  reading?: Promise<SliceReading | undefined>;
}

/**
 * The slices' readings, shared by the gauges of one scrape (prom-client collects them together)
 * and kept for a minute; a failed reading (the database away) leaves its slice's series out and is
 * tried again at the next scrape.
 */
function sliceReadings(slices: Map<string, WatchedSlice>): Promise<[string, SliceReading | undefined][]> {
  return Promise.all(
    [...slices].map(async ([slice, watched]): Promise<[string, SliceReading | undefined]> => {
      const now = watched.now().getTime();
      if (!watched.reading || watched.at === undefined || Math.abs(now - watched.at) >= SLICE_READING_EVERY_MS) {
        watched.at = now;
        watched.reading = watched.read().catch(() => {
          watched.at = undefined;
          return undefined;
        });
      }
      return [slice, await watched.reading];
    }),
  );
}

/** The outbox backlog and overdue limits of each slice that reports them. */
function sliceGauges(registers: Registry[]): Pick<PlatformMetrics, 'watchSlice'> {
  const slices = new Map<string, WatchedSlice>();
  const sliceGauge = (name: string, help: string, value: (reading: SliceReading) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['slice'] as const,
      registers,
      async collect() {
        const readings = await sliceReadings(slices);
        this.reset();
        for (const [slice, reading] of readings) {
          const read = reading && value(reading);
          if (read !== undefined) this.set({ slice }, read);
        }
      },
    });
  sliceGauge(
    'outbox_events_waiting',
    'Events of a slice’s outbox not yet dispatched (turned into notices and deliveries)',
    (r) => r.outbox?.eventsWaiting,
  );
  sliceGauge(
    'outbox_deliveries_pending',
    'Webhook and SMS deliveries of a slice still to be made (due, in flight or waiting to retry)',
    (r) => r.outbox?.deliveriesPending,
  );
  sliceGauge('outbox_deliveries_dead', 'Deliveries of a slice dead-lettered and not replayed', (r) => r.outbox?.deliveriesDead);
  sliceGauge(
    'outbox_oldest_waiting_seconds',
    'Age of the oldest event of a slice waiting for dispatch, or of its oldest pending delivery; 0 when none waits',
    (r) => r.outbox?.oldestWaitingSeconds,
  );
  sliceGauge(
    'deadlines_overdue',
    'Open limits of a slice past their due time (issue deadlines, application limits, demand limits)',
    (r) => r.overdue,
  );
  return {
    watchSlice(slice, read, now) {
      slices.set(slice, { read, now });
    },
  };
}

/** The gauges read at each scrape: the gateway's sockets and shared reads, each slice's database pool. */
function gauges(registers: Registry[]): Pick<PlatformMetrics, 'watchSubgraphClient' | 'watchSharedFetches' | 'watchDatabase'> {
  const sockets = new Map<string, () => SocketStats | undefined>();
  new Gauge({
    name: 'gateway_subgraph_sockets',
    help: "Sockets of the gateway's HTTP client to each subgraph: connected, and free among them",
    labelNames: ['subgraph', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const [subgraph, read] of sockets) {
        const stats = read();
        if (!stats) continue;
        this.set({ subgraph, state: 'connected' }, stats.connected);
        this.set({ subgraph, state: 'free' }, stats.free);
      }
    },
  });
  new Gauge({
    name: 'gateway_subgraph_queued_fetches',
    help: 'Fetches of a subgraph waiting for a free socket (SUBGRAPH_CONNECTIONS per replica)',
    labelNames: ['subgraph'] as const,
    registers,
    collect() {
      this.reset();
      for (const [subgraph, read] of sockets) {
        const stats = read();
        if (stats) this.set({ subgraph }, stats.queued);
      }
    },
  });
  let shared: () => number = () => 0;
  new Gauge({
    name: 'gateway_inflight_shared_fetches',
    help: 'Subgraph reads in flight that an identical read arriving now would join',
    registers,
    collect() {
      this.set(shared());
    },
  });
  const pools: { database: DatabaseHandle; slices: readonly string[] }[] = [];
  const poolGauge = (name: string, help: string, read: (stats: NonNullable<ReturnType<DatabaseHandle['poolStats']>>) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['slice'] as const,
      registers,
      collect() {
        this.reset();
        for (const { database, slices } of pools) {
          for (const slice of slices) {
            const stats = database.poolStats(slice);
            if (stats) this.set({ slice }, read(stats));
          }
        }
      },
    });
  poolGauge('db_pool_connections_in_use', 'Connections of a slice’s pool running a statement or held by a transaction', (s) => s.inUse);
  poolGauge('db_pool_connections_idle', 'Open connections of a slice’s pool with nothing to do', (s) => s.idle);
  poolGauge('db_pool_waiting', 'Statements of a slice waiting for a free connection of its pool', (s) => s.waiting);
  poolGauge('db_pool_max', 'Connections a slice’s pool may open (DATABASE_POOL_MAX)', (s) => s.max);

  return {
    watchSubgraphClient(subgraph, stats) {
      sockets.set(subgraph, stats);
    },
    watchSharedFetches(count) {
      shared = count;
    },
    watchDatabase(database, slices) {
      pools.push({ database, slices });
    },
  };
}

/** Builds one process's metrics; `maxOperations` bounds the operation label (METRICS_MAX_OPERATIONS). */
export function createMetrics(options: { maxOperations: number }): PlatformMetrics {
  const registry = new Registry();
  // Event-loop lag, heap and RSS, GC, CPU, open handles: the library's defaults.
  collectDefaultMetrics({ register: registry });
  const known = new Set<string>();
  const operationLabel = (name: string | undefined): string => {
    if (!name) return '(anonymous)';
    if (known.has(name)) return name;
    if (!OPERATION_NAME.test(name) || known.size >= options.maxOperations) return '(other)';
    known.add(name);
    return name;
  };
  const registers = [registry];

  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests answered, by service, operation and outcome (ok, refused with its code, error)',
    labelNames: ['service', 'operation', 'outcome', 'code'] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from a GraphQL request arriving to its answer sent, by service and operation',
    labelNames: ['service', 'operation'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const rateLimited = new Counter({
    name: 'rate_limit_refusals_total',
    help: 'Requests refused with RATE_LIMITED (the write limits of the public), by service and operation',
    labelNames: ['service', 'operation'] as const,
    registers,
  });
  const fetches = new Counter({
    name: 'gateway_subgraph_fetches_total',
    help: 'Fetches the gateway made of each subgraph, by outcome (ok, refused with its code, error)',
    labelNames: ['subgraph', 'outcome', 'code'] as const,
    registers,
  });
  const fetchErrors = new Counter({
    name: 'gateway_subgraph_fetch_errors_total',
    help: 'Fetches of a subgraph that failed (unavailable, timed out, internal error), by code',
    labelNames: ['subgraph', 'code'] as const,
    registers,
  });
  const timeouts = new Counter({
    name: 'gateway_subgraph_timeouts_total',
    help: 'Fetches of a subgraph given up after SUBGRAPH_TIMEOUT_MS',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const merged = new Counter({
    name: 'gateway_subgraph_merged_fetches_total',
    help: 'Subgraph reads answered by an identical read already in flight (not sent again)',
    labelNames: ['subgraph'] as const,
    registers,
  });
  const fetchSeconds = new Histogram({
    name: 'gateway_subgraph_fetch_duration_seconds',
    help: 'Time of one fetch of a subgraph as the gateway saw it',
    labelNames: ['subgraph'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const statementSeconds = new Histogram({
    name: 'db_statement_duration_seconds',
    help: 'Time of one SQL statement of a slice, from asking the pool to the answer (a wait for a connection included), by outcome',
    labelNames: ['slice', 'outcome'] as const,
    buckets: STATEMENT_BUCKETS,
    registers,
  });

  const deliveries = new Counter({
    name: 'outbox_deliveries_total',
    help: 'Attempts of each slice’s outbox worker by channel (WEBHOOK, SMS, INBOX) and how they ended (DELIVERED, RETRY, DEAD, NOT_SENT, CAPPED)',
    labelNames: ['slice', 'channel', 'state'] as const,
    registers,
  });
  const watch = gauges(registers);
  const sliceWatch = sliceGauges(registers);

  return {
    registry,
    operationLabel,
    request(service, operation, given, seconds) {
      const name = operationLabel(operation);
      const { outcome, code } = outcomeLabels(given);
      requests.inc({ service, operation: name, outcome, code });
      requestSeconds.observe({ service, operation: name }, seconds);
      if (given === ErrorCode.RATE_LIMITED) rateLimited.inc({ service, operation: name });
    },
    subgraphFetch(subgraph, given, seconds, wasMerged) {
      const { outcome, code } = outcomeLabels(given);
      fetches.inc({ subgraph, outcome, code });
      fetchSeconds.observe({ subgraph }, seconds);
      if (outcome === 'error') fetchErrors.inc({ subgraph, code });
      if (given === ErrorCode.SUBGRAPH_TIMEOUT) timeouts.inc({ subgraph });
      if (wasMerged) merged.inc({ subgraph });
    },
    ...watch,
    ...sliceWatch,
    outboxDelivery(slice, channel, state) {
      deliveries.inc({ slice, channel, state });
    },
    statementObserver(slice, text) {
      const started = performance.now();
      // A span only inside a request's trace: a worker's polling statements would each be a trace of one span.
      const span = inTrace() ? startSpan('sql', SpanKind.CLIENT, { 'db.system.name': 'postgresql', 'db.namespace': slice }) : undefined;
      if (span?.isRecording()) {
        // The operation only (select, insert, with…), never the statement's text: a span stays a few bytes.
        const operation = statementOperation(text);
        span.setAttribute('db.operation.name', operation);
        span.updateName(`sql ${operation} ${slice}`);
      }
      return (error) => {
        statementSeconds.observe({ slice, outcome: error === undefined ? 'ok' : 'error' }, (performance.now() - started) / 1000);
        if (span) endSpan(span, error);
      };
    },
  };
}

/** Who may read /metrics on a service's own (public) port. */
export type MetricsAccess = { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'refused' };

/** Whether a request for /metrics on a public port carries the token (compared in constant time). */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Answers a scrape with the registry in the Prometheus text format. */
export async function sendMetrics(res: http.ServerResponse, metrics: PlatformMetrics): Promise<void> {
  const text = await metrics.registry.metrics();
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * METRICS_PORT: `/metrics` alone on a port of its own, which the network keeps to Prometheus (the
 * service's own port does not serve it outside development unless METRICS_TOKEN is set).
 */
export async function startMetricsServer(metrics: PlatformMetrics, port: number, host: string): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/metrics') {
      sendMetrics(res, metrics).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not found: GET /metrics\n');
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://localhost:${bound}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
