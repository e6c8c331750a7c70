/**
 * How the gateway talks to a subgraph: forwards the caller's Authorization header (each subgraph
 * decides for itself), gives up after a timeout, and turns every failure into a coded error so the
 * client gets the other subgraphs' data plus a clear note of what is missing.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { lookup } from 'node:dns/promises';
import { STATUS_CODES } from 'node:http';
import { isIP } from 'node:net';
import { BalancedPool, Pool } from 'undici';
import { GraphQLError } from 'graphql';
import { codedError, ErrorCode } from '../platform/errors.ts';
import { REQUEST_ID_HEADER, type RequestRecord } from '../platform/log.ts';
import type { PlatformMetrics } from '../platform/metrics.ts';
import { endSpan, SpanKind, startSpan, traceHeaders, withSpan } from '../platform/tracing.ts';
import { present } from '../platform/invariant.ts';

/** What a subgraph call answers the query plan with. */
type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export interface GatewayContext {
  authorization?: string;
  /** The caller's address as the gateway saw it (or as a proxy the gateway trusts forwarded it). */
  clientAddress?: string;
  request: RequestRecord;
}

/**
 * The key under which identical subgraph reads in flight at the same moment are merged: the
 * subgraph (its name, or a URL), the Authorization header (each caller's permissions stay theirs) and the request body (query,
 * operation name, variables — as the gateway serialises them, deterministically). Null for anything
 * but a query: a mutation always goes out once per caller.
 */
export function mergeKey(subgraph: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }): string | null {
  if ((init.method ?? 'POST') !== 'POST' || typeof init.body !== 'string') return null;
  if (!isRead(init.body)) return null;
  return `${subgraph}\n${init.headers?.authorization ?? ''}\n${init.body}`;
}

/**
 * Whether a request body is a query. The gateway writes its subgraph requests with the query first
 * (`{"query":"query …`), so the operation's kind is read off the start of the text; any other body
 * is parsed whole (a JSON.parse of every subgraph request was the gateway's own cost here, #28).
 */
function isRead(body: string): boolean {
  const head = /^\{"query":"(?:\s|\\[nrt])*(query\b|\{|mutation\b|subscription\b)/.exec(body);
  if (head) return head[1] === 'query' || head[1] === '{';
  let query: unknown;
  try {
    query = (JSON.parse(body) as { query?: unknown }).query;
  } catch {
    return false;
  }
  return typeof query === 'string' && /^\s*(query\b|\{)/.test(query);
}

/** A subgraph's response headers as undici gives them (lower-case names). */
type RawHeaders = Record<string, string | string[] | undefined>;

/**
 * A subgraph's answer, read whole: what the data source reads of a fetch Response (status, headers,
 * text, JSON) without WHATWG Response's streams. Building a Response for every subgraph answer and
 * reading it back (twice with in-flight merging) was a tenth of the gateway's CPU with distinct
 * users (#28). `json()` parses anew at every call, so no two readers share an object. The headers
 * are kept as undici gave them and made a WHATWG `Headers` only when someone asks (nobody on a
 * request's path does: the content type is read off the record).
 */
export class SubgraphAnswer {
  readonly url = '';
  private made?: Headers;
  constructor(
    readonly status: number,
    readonly statusText: string,
    private readonly raw: RawHeaders,
    private readonly body: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  get headers(): Headers {
    if (!this.made) {
      this.made = new Headers();
      for (const [name, value] of Object.entries(this.raw))
        if (value !== undefined) this.made.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    return this.made;
  }

  /** The media type the subgraph declared (`application/json; charset=utf-8` → as sent). */
  get contentType(): string {
    const value = this.raw['content-type'];
    return (Array.isArray(value) ? value[0] : value) ?? '';
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }

  /** The same answer for another reader (its headers, if it makes them, its own). */
  copy(): SubgraphAnswer {
    return new SubgraphAnswer(this.status, this.statusText, this.raw, this.body);
  }
}

/** Resolves with `promise`, or rejects as soon as `signal` aborts (the shared work goes on for the others). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * One pooled HTTP client per subgraph (undici): at most `connections` sockets per replica, kept alive
 * between requests (a little shorter than the subgraphs' own keep-alive, so a socket is never reused
 * as the far end closes it), with its own connect, headers and body timeouts. Without it, Node's
 * fetch opened a socket per concurrent request, and the HTTP client was the gateway's largest cost in
 * a profile.
 *
 * Several replicas (several URLs, or one host name that resolves to several addresses when
 * `replicasFromDns` is on) go through undici's BalancedPool: requests in turn, and a replica that
 * fails gets fewer until it answers again.
 */
export class SubgraphClient {
  private readonly dispatcher: Pool | BalancedPool;
  private readonly path: string;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    urls: string | readonly string[],
    options: { connections: number; timeoutMs: number; connectTimeoutMs?: number; replicasFromDns?: boolean; resolveEveryMs?: number },
  ) {
    const targets = (typeof urls === 'string' ? [urls] : [...urls]).map((url) => new URL(url));
    if (!targets.length) throw new Error('A subgraph needs at least one URL');
    const first = present(targets[0], 'a subgraph URL');
    this.path = `${first.pathname}${first.search}`;
    for (const target of targets) {
      if (`${target.pathname}${target.search}` !== this.path)
        throw new Error(`Replicas of one subgraph must share a path: ${targets.map(String).join(', ')}`);
    }
    const origins = [...new Set(targets.map((target) => target.origin))];
    const poolOptions = {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
      connectTimeout: options.connectTimeoutMs ?? Math.min(options.timeoutMs, 5_000),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    };
    const resolvable = options.replicasFromDns
      ? targets.filter((target) => target.protocol === 'http:' && isIP(target.hostname.replace(/^\[|\]$/g, '')) === 0)
      : [];
    if (origins.length === 1 && !resolvable.length) {
      this.dispatcher = new Pool(present(origins[0], 'a subgraph origin'), poolOptions);
      return;
    }
    const balanced = new BalancedPool(origins, poolOptions);
    this.dispatcher = balanced;
    if (resolvable.length) {
      const resolve = () => void resolveReplicas(balanced, origins, resolvable).catch(() => {});
      resolve();
      this.timer = setInterval(resolve, options.resolveEveryMs ?? 10_000);
      this.timer.unref();
    }
  }

  /** Its sockets now (undici's pool statistics), for the metrics. */
  get stats(): { connected: number; free: number; queued: number; running: number } {
    // BalancedPool has them too (undici's PoolBase), though its type does not say so.
    const { connected, free, queued, running } = (this.dispatcher as Pool).stats;
    return { connected, free, queued, running };
  }

  /** The upstreams requests are balanced over (origins). */
  get upstreams(): string[] {
    return this.dispatcher instanceof BalancedPool ? [...this.dispatcher.upstreams] : [];
  }

  async send(
    init: { method?: string; headers?: Record<string, string>; body?: unknown },
    signal: AbortSignal | undefined,
    /** A caller with a budget of its own (a batch intake) waits that long for headers and body instead of the pool's. */
    timeoutMs?: number,
  ): Promise<SubgraphAnswer> {
    const request = () =>
      this.dispatcher.request({
        path: this.path,
        method: (init.method ?? 'POST') as 'POST',
        headers: init.headers,
        body: typeof init.body === 'string' ? init.body : undefined,
        signal,
        ...(timeoutMs ? { headersTimeout: timeoutMs, bodyTimeout: timeoutMs } : {}),
      });
    let answer: Awaited<ReturnType<typeof request>>;
    // A replica that refuses the connection never saw the request (not even a mutation): the next
    // replica in turn gets it, so one replica down costs no caller anything.
    for (let attempt = 0; ; attempt++) {
      try {
        answer = await request();
        break;
      } catch (error) {
        if (attempt + 1 >= this.upstreams.length || !neverSent(error)) throw error;
      }
    }
    const text = await answer.body.text();
    const empty = [101, 204, 205, 304].includes(answer.statusCode);
    return new SubgraphAnswer(answer.statusCode, STATUS_CODES[answer.statusCode] ?? '', answer.headers, empty ? '' : text);
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    return this.dispatcher.close();
  }
}

/** The connection was refused or never opened: the request cannot have reached the replica. */
function neverSent(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND';
}

/**
 * Points the pool at every IPv4 address the host names resolve to now (docker-compose answers a
 * service's name with all its replicas); a name that does not resolve keeps the upstreams it had.
 */
async function resolveReplicas(pool: BalancedPool, configured: readonly string[], targets: readonly URL[]): Promise<void> {
  const wanted = new Set(configured.filter((origin) => !targets.some((target) => target.origin === origin)));
  for (const target of targets) {
    const addresses = await lookup(target.hostname, { all: true, family: 4 }).catch(() => []);
    if (!addresses.length) wanted.add(target.origin);
    const port = target.port || '80';
    for (const { address } of addresses) wanted.add(`http://${address}:${port}`);
  }
  const current = new Set(pool.upstreams);
  for (const origin of wanted) if (!current.has(origin)) pool.addUpstream(origin);
  for (const origin of current) if (!wanted.has(origin)) pool.removeUpstream(origin);
}

/** Subgraph reads in flight, per gateway: the first caller's fetch answers every identical one that arrives before it ends. */
export class InflightRequests {
  private readonly pending = new Map<string, Promise<SubgraphAnswer>>();
  /** Requests that went out, and requests answered by one already in flight (for tests and benchmarks). */
  readonly counts = { sent: 0, merged: 0 };

  /** Reads in flight now that an identical one would join. */
  get inFlight(): number {
    return this.pending.size;
  }

  run(key: string, send: () => Promise<SubgraphAnswer>, signal: AbortSignal | undefined, onMerged?: () => void): Promise<SubgraphAnswer> {
    let shared = this.pending.get(key);
    if (shared) {
      this.counts.merged++;
      onMerged?.();
    } else {
      this.counts.sent++;
      shared = send().finally(() => this.pending.delete(key));
      this.pending.set(key, shared);
    }
    // Every waiter gets an answer of its own; nothing is kept once the request has ended.
    return untilAborted(shared, signal).then((answer) => answer.copy());
  }
}

/** The media types of a GraphQL answer in JSON. */
const JSON_ANSWER = /^application\/(graphql-response\+)?json/;

/** A subgraph's error answer as the client sees it: its own first error's code, else the HTTP status. */
async function errorFromAnswer(serviceName: string, answer: SubgraphAnswer): Promise<GraphQLError> {
  const text = await answer.text();
  let body: unknown = text;
  if (JSON_ANSWER.test(answer.contentType)) {
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON after all: the text is the body
    }
  }
  const first = (body as { errors?: { message?: string; extensions?: Record<string, unknown> }[] } | undefined)?.errors?.[0];
  if (first?.extensions?.code) {
    return new GraphQLError(first.message ?? `${answer.status}: ${answer.statusText}`, {
      extensions: { ...first.extensions, serviceName },
    });
  }
  return new GraphQLError(`${answer.status}: ${answer.statusText}`, {
    extensions: {
      response: { url: answer.url, status: answer.status, statusText: answer.statusText, body },
      ...(answer.status === 401 ? { code: 'UNAUTHENTICATED' } : answer.status === 403 ? { code: 'FORBIDDEN' } : {}),
    },
  });
}

/**
 * One subgraph as the gateway's query plan calls it. It forwards the caller's Authorization
 * header, request id, address and trace; gives up after the subgraph timeout (or the caller's own
 * budget, or when the caller's request is stopped); merges identical reads in flight; and times
 * every call for the request line, the metrics and a span.
 *
 * It is @apollo/gateway's `GraphQLDataSource` itself rather than a `RemoteGraphQLDataSource`: that
 * class built node-fetch `Headers` and a node-fetch `Request` (parsing the URL with the legacy
 * `url.parse`) for every call, for hooks this platform does not use — with distinct users, a twentieth
 * of the gateway's CPU (#28).
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    private readonly client: SubgraphClient,
    private readonly timeoutMs: number,
    /** When given, identical reads in flight at once are sent once (see `mergeKey`). */
    private readonly inflight?: InflightRequests,
    /** When given, each fetch is counted and timed (platform/metrics.ts). */
    private readonly metrics?: PlatformMetrics,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const started = performance.now();
    const context: Partial<GatewayContext> = options.context;
    const record = context.request;
    let outcome = 'ok';
    let merged = false;
    const span = startSpan(`fetch ${this.serviceName}`, SpanKind.CLIENT, { 'app.subgraph': this.serviceName });
    try {
      // The fetch's span (current inside) is the parent of the subgraph's request span.
      const response = await withSpan(span, () =>
        this.fetch(options.request, context, () => {
          merged = true;
        }),
      );
      const code = response.errors?.[0]?.extensions?.code;
      if (typeof code === 'string') outcome = code;
      return response;
    } catch (error) {
      const code = (error as GraphQLError).extensions?.code;
      outcome = typeof code === 'string' ? code : 'SUBGRAPH_UNAVAILABLE';
      throw error;
    } finally {
      const ms = performance.now() - started;
      record?.subgraphCalls.push({ subgraph: this.serviceName, ms: Math.round(ms * 10) / 10, outcome });
      this.metrics?.subgraphFetch(this.serviceName, outcome, ms / 1000, merged);
      if (span.isRecording()) span.setAttribute('app.merged', merged);
      endSpan(span, outcome === 'ok' ? undefined : outcome, outcome);
    }
  }

  private async fetch(
    request: GraphQLDataSourceProcessOptions<GatewayContext>['request'],
    context: Partial<GatewayContext>,
    onMerged: () => void,
  ): Promise<GatewayGraphQLResponse> {
    if (!request.query) throw new Error('Missing query');
    const record = context.request;
    const headers: Record<string, string> = {};
    for (const [name, value] of request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    if (context.authorization) headers.authorization = context.authorization;
    // One request id through every service, so their log lines can be read together.
    if (record) headers[REQUEST_ID_HEADER] = record.id;
    // Whom the gateway forwards for: limits on anonymous callers (好差评) count the caller, not the gateway.
    if (context.clientAddress) headers['x-forwarded-for'] = context.clientAddress;
    Object.assign(headers, traceHeaders());
    // The query first: the merge key reads a read's kind off the start of the body (`isRead`).
    const { http: _http, query, ...rest } = request;
    const init = { method: 'POST', headers, body: JSON.stringify({ query, ...rest }) };
    // A caller with a budget of its own (a batch intake) may wait that long.
    const timeoutMs = Math.max(this.timeoutMs, record?.budgetMs ?? 0);
    const key = this.inflight ? mergeKey(this.serviceName, init) : null;
    try {
      // A merged read is stopped by its own deadline only: one caller leaving stops that caller's wait, the others still get their answer.
      const answer =
        key && this.inflight
          ? await this.inflight.run(
              key,
              () => withDeadline(timeoutMs, undefined, (signal) => this.client.send(init, signal, timeoutMs)),
              record?.signal,
              onMerged,
            )
          : await withDeadline(timeoutMs, record?.signal, (signal) => this.client.send(init, signal, timeoutMs));
      if (!answer.ok) throw await errorFromAnswer(this.serviceName, answer);
      const body: unknown = JSON_ANSWER.test(answer.contentType) ? await answer.json() : await answer.text();
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new Error(`Expected JSON response body, but received: ${String(body)}`);
      return body as GatewayGraphQLResponse;
    } catch (error) {
      throw this.coded(error);
    }
  }

  /** Every failure as a coded error: the subgraph's own, a timeout, or the subgraph unavailable. */
  private coded(error: unknown): GraphQLError {
    if (error instanceof GraphQLError) return error;
    const name = (error as { name?: string }).name;
    if (name && ['TimeoutError', 'AbortError', 'HeadersTimeoutError', 'BodyTimeoutError', 'RequestAbortedError'].includes(name)) {
      return codedError(
        ErrorCode.SUBGRAPH_TIMEOUT,
        {
          zh: `子服务 ${this.serviceName} 在 ${this.timeoutMs} 毫秒内未响应，相关数据暂缺`,
          en: `Subgraph ${this.serviceName} did not answer within ${this.timeoutMs} ms; its data is missing`,
        },
        { serviceName: this.serviceName },
      );
    }
    return codedError(
      ErrorCode.SUBGRAPH_UNAVAILABLE,
      {
        zh: `子服务 ${this.serviceName} 不可用，相关数据暂缺`,
        en: `Subgraph ${this.serviceName} is unavailable; its data is missing`,
      },
      { serviceName: this.serviceName },
    );
  }
}

/**
 * Runs `work` with a signal that aborts after `ms` (a TimeoutError) or when `caller` does (with its
 * reason), and lets go of both when the work ends. `AbortSignal.timeout` left a timer behind every
 * subgraph call that fired long after the answer (building a DOMException each time), and
 * `AbortSignal.any` tracked every signal it combined.
 */
async function withDeadline<T>(ms: number, caller: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  if (caller?.aborted) throw caller.reason;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`No answer within ${ms} ms`, 'TimeoutError')), ms);
  const onAbort = () => controller.abort(caller?.reason);
  caller?.addEventListener('abort', onAbort, { once: true });
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onAbort);
  }
}
