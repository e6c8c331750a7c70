/**
 * A small node:http front for an Apollo Server (gateway or subgraph): GraphQL on `/` and `/graphql`,
 * `/health` (alive) and `/ready` (dependencies reachable), the offline explorer, and the limits of
 * HTTP itself: request size, how long headers, a body and an idle connection may take, how long a
 * request may run, and a graceful stop that lets in-flight requests finish.
 *
 * GraphQL over HTTP as its specification says: a client that accepts only `application/json` gets
 * 200 with `errors` for a document that does not parse or validate or variables that do not fit
 * (only a request that is not GraphQL at all gets 4xx); one that accepts
 * `application/graphql-response+json` — or says nothing, as the specification prefers since 2025 —
 * gets the 4xx (graphql-http's audit suite checks it: test/graphql-over-http.e2e.ts).
 *
 * Why not Fastify (issue #20 asked, and it was measured): Fastify 5.12 with @as-integrations/fastify
 * 3.1 fits Node 20 and Apollo Server 5.5.1 (peer ^4 || ^5, engines >= 20), passed this front's HTTP
 * and logging tests, and costs nothing measurable (the gateway bench within the machine's noise; the
 * front alone on a trivial query 1,596–1,856 req/s against 1,348–1,613 here). But it would not have
 * saved the hard parts: its close sweeps idle kept-alive connections and closes the listening socket
 * at once, and its client-error handler destroys the socket under its answer — the very resets of
 * issue #20 — so the drain and the coded refusals below would be needed on top of it; its Apollo
 * handler has no place for the status rule above or the execution deadline. What it would replace
 * (reading a body, routing four paths) is ~50 lines, against 21 packages. Proxy trust uses
 * proxy-addr, the library Fastify itself uses.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { HeaderMap, type ApolloServer, type BaseContext, type HTTPGraphQLResponse } from '@apollo/server';
import type { Limits } from './env.ts';
import { ErrorCode, errors } from './errors.ts';
import { executionBudgetMs, type BatchMutations } from './budget.ts';
import { REQUEST_ID_HEADER, requestIdOf, type Logger, type RequestRecord } from './log.ts';
import { bearerMatches, sendMetrics, type MetricsAccess, type PlatformMetrics } from './metrics.ts';
import { callerContext, endSpan, SpanKind, startSpan, traceIdOf, withSpan } from './tracing.ts';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
/** A route of its own beside GraphQL (e.g. the gateway's exports): resolves true when it answered. */
export type AsyncRequestHandler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  record: RequestRecord,
) => Promise<boolean>;

/** What the HTTP front needs of a gateway or subgraph: its Apollo Server, context and readiness. */
export interface GraphQLService<TContext extends BaseContext> {
  name: string;
  apollo: ApolloServer<TContext>;
  context(req: http.IncomingMessage, request: RequestRecord): Promise<TContext>;
  /** Resolves when the service can do its work; rejects with the reason otherwise. */
  ready(): Promise<Record<string, string>>;
  /** Work beside the requests (a slice's outbox worker): started with the service, stopped before it closes. */
  background?: { start(): void; stop(): Promise<void> };
}

export type HttpLimits = Pick<
  Limits,
  | 'maxRequestBytes'
  | 'headersTimeoutMs'
  | 'requestTimeoutMs'
  | 'keepAliveTimeoutMs'
  | 'executionTimeoutMs'
  | 'batchExecutionTimeoutMs'
  | 'stopTimeoutMs'
>;

export interface HttpServiceOptions<TContext extends BaseContext> {
  service: GraphQLService<TContext>;
  port: number;
  host?: string;
  limits: HttpLimits;
  explorer?: RequestHandler;
  /** Routes of the service's own, asked before GraphQL. */
  routes?: AsyncRequestHandler[];
  logger: Logger;
  /**
   * The level of the one line per GraphQL request: `info` by default; a subgraph in development
   * on a terminal passes `debug`, so a person reads one line per gateway request, not one per
   * subgraph call.
   */
  requestLogLevel?: 'info' | 'debug';
  /** The process's metrics: each GraphQL request counted and timed. */
  metrics?: PlatformMetrics;
  /** Who may read `/metrics` on this (public) port: refused unless said otherwise (platform/env.ts `metrics.publicPort`). */
  metricsAccess?: MetricsAccess;
  /** The root mutation fields that take a batch of records and so get BATCH_EXECUTION_TIMEOUT_MS (platform/budget.ts); none by default. */
  batchMutations?: BatchMutations;
}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  /** The address it listens on (127.0.0.1: this machine only; 0.0.0.0 or ::: every interface). */
  host: string;
  close(): Promise<void>;
}

class RequestTooLarge extends Error {}
class RequestAborted extends Error {}

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    // The connection went away mid-body (the caller, or the request timeout closing it).
    req.on('close', () => {
      if (!req.complete) reject(new RequestAborted());
    });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new RequestTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(new RequestTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}

function codedBody(code: string, zh: string, en: string) {
  return { errors: [{ message: `${zh} / ${en}`, extensions: { code, messageZh: zh, messageEn: en } }] };
}

/** How long a stop waits for requests already on their way on idle kept-alive connections (a network hop, not loopback). */
const DRAIN_WINDOW_MS = 100;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Accepts the connections the kernel has already queued. Node takes one queued connection per turn
 * of its event loop — under load that is one every few tens of milliseconds, and a listening socket
 * closed at once resets the rest of the queue. So the socket stays open until two turns pass
 * without a new connection (or `maxMs`, should clients keep coming).
 */
async function acceptQueued(server: http.Server, maxMs: number): Promise<void> {
  let accepted = 0;
  const count = () => accepted++;
  server.on('connection', count);
  const until = performance.now() + maxMs;
  try {
    for (;;) {
      const before = accepted;
      await nextTurn();
      await nextTurn();
      if (accepted === before || performance.now() > until) return;
    }
  } finally {
    server.off('connection', count);
  }
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };
/** How long the rest of a refused request is read and dropped before the connection is cut. */
const DRAIN_REFUSED_MS = 1_000;

/**
 * What node:http refuses before there is a request to answer — headers too large (a 60 KB token), a
 * request that is not HTTP, headers or a body that did not arrive in time — is answered as coded
 * JSON like every other refusal (node:http writes an empty body). What the client is still sending
 * is then read and dropped for a moment: closing a socket with unread data resets it, and the client
 * would see the reset instead of the answer.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, limits: HttpLimits, answered: WeakSet<Duplex>): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, body] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          codedBody(
            ErrorCode.REQUEST_HEADERS_TOO_LARGE,
            '请求头过大（令牌过长？）',
            'The request headers are too large (a token too long?)',
          ),
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            codedBody(
              ErrorCode.REQUEST_TIMEOUT,
              `请求未在 ${limits.requestTimeoutMs} 毫秒内送达`,
              `The request did not arrive within ${limits.requestTimeoutMs} ms`,
            ),
          ]
        : [400, codedBody(ErrorCode.BAD_REQUEST, '请求不是合法的 HTTP', 'The request is not valid HTTP')];
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
  );
  socket.resume();
  setTimeout(() => socket.destroy(), DRAIN_REFUSED_MS).unref();
}

function parseJsonBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('application/json') || contentType?.includes('application/graphql-response+json')) {
    return JSON.parse(text);
  }
  return text;
}

/**
 * A 400 for a GraphQL document that did not parse or validate, or for variables that do not fit,
 * becomes 200 when the answer is `application/json` (the specification's SHOULD). A request that is
 * not GraphQL at all (`BAD_REQUEST`: no query, a body of the wrong shape) stays 400.
 */
function statusFor(response: HTTPGraphQLResponse): number {
  const status = response.status ?? 200;
  if (status !== 400 || response.body.kind !== 'complete') return status;
  if (!response.headers.get('content-type')?.startsWith('application/json')) return status;
  try {
    const code = (JSON.parse(response.body.string) as { errors?: { extensions?: { code?: unknown } }[] }).errors?.[0]?.extensions?.code;
    return code === ErrorCode.BAD_REQUEST ? status : 200;
  } catch {
    return status;
  }
}

/** Answers one GraphQL request: its body read within the limit, executed, or answered 503 when its time is up. */
async function answerGraphQL<TContext extends BaseContext>(
  service: GraphQLService<TContext>,
  limits: HttpLimits,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  search: string,
  record: RequestRecord,
  allow: (budgetMs: number) => void,
  batchMutations: BatchMutations,
): Promise<void> {
  const { maxRequestBytes } = limits;
  const { apollo } = service;
  let body: unknown;
  try {
    body = parseJsonBody(await readBody(req, maxRequestBytes), req.headers['content-type']);
  } catch (error) {
    // Nobody to answer when the connection is gone. (Not `req.destroyed`: a body read to its end
    // is destroyed too, and a body that was not JSON then went unanswered — issue #20.)
    if (error instanceof RequestAborted || res.destroyed) return;
    if (error instanceof RequestTooLarge) {
      sendJson(
        res,
        413,
        codedBody(ErrorCode.REQUEST_TOO_LARGE, `请求体超过 ${maxRequestBytes} 字节`, `Request body exceeds ${maxRequestBytes} bytes`),
        true,
      );
      return;
    }
    sendJson(res, 400, codedBody(ErrorCode.BAD_REQUEST, '请求体不是合法的 JSON', 'Request body is not valid JSON'));
    return;
  }
  // A batch intake has a budget of its own (platform/budget.ts); every other request keeps the general one.
  const budgetMs = executionBudgetMs(body, limits, batchMutations);
  if (budgetMs !== limits.executionTimeoutMs) allow(budgetMs);
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  // No Accept header: the specification (since 2025) answers as for application/graphql-response+json.
  if (!headers.get('accept')) headers.set('accept', GRAPHQL_RESPONSE);
  const running = apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search, body },
    context: () => service.context(req, record),
  });
  // The request's time is up: answer now; the execution sees the aborted signal and stops.
  const timedOut = new Promise<'timeout'>((resolve) => {
    if (record.signal?.aborted) resolve('timeout');
    record.signal?.addEventListener('abort', () => resolve('timeout'), { once: true });
  });
  const response = await Promise.race([running, timedOut]);
  if (response === 'timeout') {
    running.catch(() => {});
    if (res.headersSent || res.destroyed) return;
    const timeout = errors.requestTimeout(record.budgetMs ?? limits.executionTimeoutMs);
    record.outcome = ErrorCode.REQUEST_TIMEOUT;
    sendJson(res, 503, { errors: [{ message: timeout.message, extensions: timeout.extensions }] });
    return;
  }
  for (const [key, value] of response.headers) res.setHeader(key, value);
  res.statusCode = statusFor(response);
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** Paths asked for by machines every few seconds: no span of their own. */
const UNTRACED = new Set(['/health', '/ready', '/metrics']);

/**
 * A request's server span, continuing its caller's trace (`traceparent`), and what is recorded when
 * it has been answered: the span's status and attributes, and for GraphQL the request's metrics.
 */
function requestTrace(req: http.IncomingMessage, url: URL, service: string) {
  if (UNTRACED.has(url.pathname)) {
    return { traceId: undefined, run: (work: () => Promise<void>) => work(), end: () => {} } as const;
  }
  const parent = callerContext(req.headers);
  const span = startSpan(`${req.method ?? 'GET'} ${service}`, SpanKind.SERVER, { 'http.request.method': req.method ?? 'GET' }, parent);
  let ended = false;
  return {
    traceId: traceIdOf(span),
    run: (work: () => Promise<void>) => withSpan(span, work, parent),
    end(res: http.ServerResponse, record: RequestRecord, graphql: boolean, started: number, metrics: PlatformMetrics | undefined) {
      if (ended) return;
      ended = true;
      const outcome = record.outcome ?? (!res.writableFinished ? 'CLIENT_CLOSED' : res.statusCode < 400 ? 'ok' : `HTTP_${res.statusCode}`);
      if (graphql) metrics?.request(service, record.operation, outcome, (performance.now() - started) / 1000);
      if (span.isRecording()) {
        span.setAttributes({ 'http.response.status_code': res.statusCode, 'app.request_id': record.id, 'url.path': url.pathname });
        if (graphql) {
          const operation = metrics ? metrics.operationLabel(record.operation) : (record.operation ?? '(anonymous)');
          span.setAttribute('graphql.operation.name', operation);
          span.updateName(`${service} ${operation}`);
        }
      }
      endSpan(span, res.statusCode >= 500 ? `HTTP ${res.statusCode}` : undefined, outcome);
    },
  };
}

/** `GET /metrics` on a service's own port: only as `access` allows (platform/env.ts). */
async function answerMetrics(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  metrics: PlatformMetrics | undefined,
  access: MetricsAccess,
): Promise<void> {
  const allowed = access.kind === 'open' || (access.kind === 'token' && bearerMatches(req.headers.authorization, access.token));
  if (metrics && allowed) {
    await sendMetrics(res, metrics);
    return;
  }
  if (metrics && access.kind === 'token') {
    sendJson(
      res,
      401,
      codedBody(ErrorCode.UNAUTHENTICATED, '读取指标须带 METRICS_TOKEN', 'Reading the metrics needs Authorization: Bearer <METRICS_TOKEN>'),
    );
    return;
  }
  sendJson(
    res,
    404,
    codedBody(ErrorCode.NOT_FOUND, '此端口不提供指标（见 METRICS_PORT）', 'Metrics are not served on this port (see METRICS_PORT)'),
  );
}

export async function startHttpService<TContext extends BaseContext>(options: HttpServiceOptions<TContext>): Promise<RunningService> {
  const { service, limits } = options;
  const batchMutations = options.batchMutations ?? new Set<string>();
  const requestLogLevel = options.requestLogLevel ?? 'info';
  const { apollo } = service;
  const name = service.name;
  const logger = options.logger.child({ service: name });
  await apollo.start();
  let closing = false;
  /** Set once everything sent before the stop has been read: idle connections may then be closed. */
  let drained = false;
  const unanswered = new Set<http.ServerResponse>();

  const server = http.createServer(
    {
      // Headers, then the whole request, must arrive in time: a body trickled in byte by byte is cut off (408).
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node looks for requests past those timeouts (its default is every 30 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2))),
    },
    (req, res) => {
      if (closing) res.setHeader('connection', 'close');
      // Until it is answered: a stop that begins meanwhile still tells its client to close.
      unanswered.add(res);
      res.on('close', () => unanswered.delete(res));
      const started = performance.now();
      const id = requestIdOf(req);
      const controller = new AbortController();
      const url = new URL(req.url ?? '/', 'http://localhost');
      const trace = requestTrace(req, url, name);
      const record: RequestRecord = {
        id,
        ...(trace.traceId ? { traceId: trace.traceId } : {}),
        log: logger.child({ requestId: id, ...(trace.traceId ? { traceId: trace.traceId } : {}) }),
        subgraphCalls: [],
        signal: controller.signal,
      };
      // A request may run for executionTimeoutMs (a batch longer, once its body is read); its caller going away stops it too.
      const expire = (budgetMs: number, inMs: number) =>
        setTimeout(() => controller.abort(errors.requestTimeout(budgetMs)), Math.max(0, inMs));
      let deadline = expire(limits.executionTimeoutMs, limits.executionTimeoutMs);
      const allow = (budgetMs: number) => {
        if (controller.signal.aborted) return;
        clearTimeout(deadline);
        record.budgetMs = budgetMs;
        deadline = expire(budgetMs, budgetMs - (performance.now() - started));
      };
      res.on('close', () => {
        clearTimeout(deadline);
        if (!res.writableFinished) controller.abort(errors.requestTimeout(0));
      });
      res.setHeader(REQUEST_ID_HEADER, id);
      // Once the stop has read what was sent before it, an idle keep-alive connection is closed as soon as it is.
      res.on('finish', () => {
        if (drained) server.closeIdleConnections();
      });
      let graphql = false;
      res.on('close', () => trace.end(res, record, graphql, started, options.metrics));
      res.on('finish', () => {
        // One line per GraphQL request: what was asked, how long it took, how it ended.
        if (!graphql) return;
        const ms = Math.round((performance.now() - started) * 10) / 10;
        const outcome = record.outcome ?? (res.statusCode < 400 ? 'ok' : `HTTP_${res.statusCode}`);
        record.log[requestLogLevel](
          {
            method: req.method,
            status: res.statusCode,
            ms,
            operation: record.operation ?? null,
            outcome,
            ...(record.subgraphCalls.length ? { subgraphCalls: record.subgraphCalls } : {}),
          },
          'request',
        );
      });
      const route = async () => {
        if (req.method === 'GET' && url.pathname === '/health') {
          sendJson(res, closing ? 503 : 200, { status: closing ? 'stopping' : 'ok', service: name });
          return;
        }
        if (req.method === 'GET' && url.pathname === '/ready') {
          if (closing) {
            sendJson(res, 503, { status: 'stopping', service: name });
            return;
          }
          try {
            sendJson(res, 200, { status: 'ready', service: name, checks: await service.ready() });
          } catch (error) {
            sendJson(res, 503, { status: 'not ready', service: name, reason: (error as Error).message });
          }
          return;
        }
        if (req.method === 'GET' && url.pathname === '/metrics') {
          await answerMetrics(req, res, options.metrics, options.metricsAccess ?? { kind: 'refused' });
          return;
        }
        if (options.explorer?.(req, res)) return;
        for (const handler of options.routes ?? []) if (await handler(req, res, url, record)) return;
        if (url.pathname === '/' || url.pathname === '/graphql') {
          graphql = true;
          await answerGraphQL(service, limits, req, res, url.search, record, allow, batchMutations);
          return;
        }
        sendJson(res, 404, codedBody(ErrorCode.NOT_FOUND, '没有这个地址', 'No such path'));
      };
      const answer = () =>
        route().catch((error: unknown) => {
          record.outcome = 'INTERNAL_SERVER_ERROR';
          record.log.error({ err: error }, 'request failed');
          if (!res.headersSent) sendJson(res, 500, codedBody('INTERNAL_SERVER_ERROR', '服务器内部错误', 'Internal server error'));
          else res.end();
        });
      // Whatever the request causes — subgraph fetches, calls to other slices, SQL — is in its trace.
      void trace.run(answer);
    },
  );
  // A connection with no traffic at all either way (a reader that stopped reading) is closed.
  server.timeout = limits.requestTimeoutMs + Math.max(limits.executionTimeoutMs, limits.batchExecutionTimeoutMs);
  const answered = new WeakSet<Duplex>();
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, limits, answered));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const { port, address: host } = server.address() as AddressInfo;

  return {
    name,
    port,
    host,
    url: `http://localhost:${port}/`,
    /**
     * The graceful stop (SIGTERM): stop accepting, finish what was accepted, then close. "Accepted"
     * includes what the kernel already holds: connections waiting to be accepted (closing the
     * listening socket at once would reset them) and requests sitting unread on kept-alive
     * connections (closing "idle" connections at once would reset those) — both were sent before the
     * signal (issue #20). So: every answer from now on says `connection: close`; the listening socket
     * closes after one turn of the event loop (which accepts the queue); idle connections are closed
     * only after a short drain window, read in a later turn; then each connection closes as its last
     * answer is sent.
     */
    async close() {
      if (closing) return;
      closing = true;
      for (const res of unanswered) if (!res.headersSent) res.setHeader('connection', 'close');
      await acceptQueued(server, Math.max(500, limits.stopTimeoutMs / 4));
      // Now stop accepting. (Not http.Server#close: since Node 19 it also closes idle connections at once.)
      const stopped = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, DRAIN_WINDOW_MS));
      // Read in the poll phase before this check phase: a request sent before the stop has its answer under way.
      await nextTurn();
      drained = true;
      server.closeIdleConnections();
      // In-flight requests get most of the stop period; then the stragglers are cut, leaving time
      // to close the database before platform/signals.ts gives up on a clean stop.
      const grace = setTimeout(() => server.closeAllConnections(), Math.max(500, limits.stopTimeoutMs - 2_000));
      await stopped;
      clearTimeout(grace);
      // Nothing is left to close; this only stops node:http's timer that checks connections for timeouts.
      server.close(() => {});
      await apollo.stop();
    },
  };
}
