/**
 * How the gateway talks to a subgraph: forwards the caller's Authorization header (each subgraph
 * decides for itself), gives up after a timeout, and turns every failure into a coded error so the
 * client gets the other subgraphs' data plus a clear note of what is missing.
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
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

export interface GatewayContext {
  authorization?: string;
  /** The caller's address as the gateway saw it (or as a proxy the gateway trusts forwarded it). */
  clientAddress?: string;
  request: RequestRecord;
}

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/**
 * The signal of the caller's request, for the fetch the data source makes on its behalf: the data
 * source's fetcher is called without the request's context, so each call carries a number in a
 * header only the gateway sees (taken off before the request leaves). An AsyncLocalStorage did the
 * same, but its promise hooks cost every promise of the gateway a little (a profile, #11).
 */
const CALL_HEADER = 'x-gateway-call';
const callerSignals = new Map<string, AbortSignal>();
/** The caller's own budget when it has one (a batch intake, platform/budget.ts): its fetch may take that long. */
const callerBudgets = new Map<string, number>();
/** The call number of a subgraph request on its way (from `process` to `willSendRequest`). */
const callNumbers = new WeakMap<object, string>();
/** Calls answered by an identical read in flight (from the fetcher back to `process`, for the metrics). */
const mergedCalls = new Set<string>();
let calls = 0;

/**
 * The key under which identical subgraph reads in flight at the same moment are merged: the URL,
 * the Authorization header (each caller's permissions stay theirs) and the request body (query,
 * operation name, variables — as the gateway serialises them, deterministically). Null for anything
 * but a query: a mutation always goes out once per caller.
 */
export function mergeKey(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }): string | null {
  if ((init.method ?? 'POST') !== 'POST' || typeof init.body !== 'string') return null;
  if (!isRead(init.body)) return null;
  return `${url}\n${init.headers?.authorization ?? ''}\n${init.body}`;
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

/**
 * A subgraph's answer, read whole: what the data source reads of a fetch Response (status, headers,
 * text, JSON) without WHATWG Response's streams. Building a Response for every subgraph answer and
 * reading it back (twice with in-flight merging) was a tenth of the gateway's CPU with distinct
 * users (#28). `json()` parses anew at every call, so no two readers share an object.
 */
export class SubgraphAnswer {
  readonly url = '';
  constructor(
    readonly status: number,
    readonly statusText: string,
    readonly headers: Headers,
    private readonly body: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return this.body;
  }

  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }

  /** The same answer for another reader, with headers of its own. */
  copy(): SubgraphAnswer {
    return new SubgraphAnswer(this.status, this.statusText, new Headers(this.headers), this.body);
  }
}

/** What a subgraph request gives back: our pooled client's answer, or Node's fetch Response (no pooled client). */
export type SubgraphResponse = SubgraphAnswer | Response;

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
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    const empty = [101, 204, 205, 304].includes(answer.statusCode);
    return new SubgraphAnswer(answer.statusCode, STATUS_CODES[answer.statusCode] ?? '', headers, empty ? '' : text);
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

  run(key: string, send: () => Promise<SubgraphResponse>, signal: AbortSignal | undefined, onMerged?: () => void): Promise<SubgraphAnswer> {
    let shared = this.pending.get(key);
    if (shared) {
      this.counts.merged++;
      onMerged?.();
    } else {
      this.counts.sent++;
      shared = send()
        .then(async (response) =>
          response instanceof SubgraphAnswer
            ? response
            : new SubgraphAnswer(response.status, response.statusText, response.headers, await response.text()),
        )
        .finally(() => this.pending.delete(key));
      this.pending.set(key, shared);
    }
    // Every waiter gets an answer of its own; nothing is kept once the request has ended.
    return untilAborted(shared, signal).then((answer) => answer.copy());
  }
}

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    url: string,
    private readonly timeoutMs: number,
    /** When given, identical reads in flight at once are sent once (see `mergeKey`). */
    inflight?: InflightRequests,
    /** When given, requests go through this pooled client instead of Node's fetch. */
    client?: SubgraphClient,
    /** When given, each fetch is counted and timed (platform/metrics.ts). */
    private readonly metrics?: PlatformMetrics,
  ) {
    super({ url });
    // Node's fetch with an abort deadline: a hanging subgraph must not hang the gateway. The
    // caller's request signal also stops it when the request's time is up or the caller has gone;
    // for a merged read, it stops only that caller's wait, the others still get their answer.
    this.fetcher = ((input: string, init: RequestInit & { headers?: Record<string, string> }) => {
      let requestSignal: AbortSignal | undefined;
      let timeoutMs = this.timeoutMs;
      const call = init.headers?.[CALL_HEADER];
      if (call !== undefined) {
        requestSignal = callerSignals.get(call);
        timeoutMs = Math.max(timeoutMs, callerBudgets.get(call) ?? 0);
        const { [CALL_HEADER]: _call, ...headers } = present(init.headers, 'the subgraph request’s headers');
        init = { ...init, headers };
      }
      const key = inflight ? mergeKey(input, init) : null;
      const send = (signal: AbortSignal) => (client ? client.send(init, signal, timeoutMs) : fetch(input, { ...init, signal }));
      if (!key || !inflight) {
        const deadline = AbortSignal.timeout(timeoutMs);
        return send(requestSignal ? AbortSignal.any([deadline, requestSignal]) : deadline);
      }
      return inflight.run(
        key,
        () => send(AbortSignal.timeout(timeoutMs)),
        requestSignal,
        () => {
          if (call !== undefined) mergedCalls.add(call);
        },
      );
    }) as unknown as Fetcher;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    // One request id through every service, so their log lines can be read together.
    if (context.request) request.http?.headers.set(REQUEST_ID_HEADER, context.request.id);
    // Whom the gateway forwards for: limits on anonymous callers (好差评) count the caller, not the gateway.
    if (context.clientAddress) request.http?.headers.set('x-forwarded-for', context.clientAddress);
    const call = callNumbers.get(request);
    if (call) request.http?.headers.set(CALL_HEADER, call);
    // The fetch's span (current here, see `process`) is the parent of the subgraph's request span.
    for (const [name, value] of Object.entries(traceHeaders())) request.http?.headers.set(name, value);
  }

  /** Times each subgraph call for the gateway's request line, its metrics and its span. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const started = performance.now();
    const record = 'request' in options.context ? (options.context as GatewayContext).request : undefined;
    let outcome = 'ok';
    const call = String(++calls);
    const span = startSpan(`fetch ${this.serviceName}`, SpanKind.CLIENT, { 'app.subgraph': this.serviceName });
    try {
      callNumbers.set(options.request, call);
      if (record?.signal) callerSignals.set(call, record.signal);
      if (record?.budgetMs) callerBudgets.set(call, record.budgetMs);
      const response = await withSpan(span, () => super.process(options)).finally(() => {
        callerSignals.delete(call);
        callerBudgets.delete(call);
      });
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
      const merged = mergedCalls.delete(call);
      this.metrics?.subgraphFetch(this.serviceName, outcome, ms / 1000, merged);
      if (span.isRecording()) span.setAttribute('app.merged', merged);
      endSpan(span, outcome === 'ok' ? undefined : outcome, outcome);
    }
  }

  /** A subgraph's non-2xx GraphQL answer keeps its own code instead of becoming "400: Bad Request". */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const fallback = await super.errorFromResponse(response);
    const body = (fallback.extensions.response as { body?: unknown } | undefined)?.body;
    const first = (body as { errors?: { message?: string; extensions?: Record<string, unknown> }[] } | undefined)?.errors?.[0];
    if (first?.extensions?.code) {
      return new GraphQLError(first.message ?? fallback.message, {
        extensions: { ...first.extensions, serviceName: this.serviceName },
      });
    }
    return fallback;
  }

  override didEncounterError(error: Error): never {
    if (error instanceof GraphQLError) throw error;
    const name = (error as { name?: string }).name;
    if (name && ['TimeoutError', 'AbortError', 'HeadersTimeoutError', 'BodyTimeoutError', 'RequestAbortedError'].includes(name)) {
      throw codedError(
        ErrorCode.SUBGRAPH_TIMEOUT,
        {
          zh: `子服务 ${this.serviceName} 在 ${this.timeoutMs} 毫秒内未响应，相关数据暂缺`,
          en: `Subgraph ${this.serviceName} did not answer within ${this.timeoutMs} ms; its data is missing`,
        },
        { serviceName: this.serviceName },
      );
    }
    throw codedError(
      ErrorCode.SUBGRAPH_UNAVAILABLE,
      {
        zh: `子服务 ${this.serviceName} 不可用，相关数据暂缺`,
        en: `Subgraph ${this.serviceName} is unavailable; its data is missing`,
      },
      { serviceName: this.serviceName },
    );
  }
}
