/**
 * How the gateway talks to a subgraph: forwards the caller's Authorization header (each subgraph
 * decides for itself), gives up after a timeout, and turns every failure into a coded error so the
 * client gets the other subgraphs' data plus a clear note of what is missing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { codedError, ErrorCode } from '../platform/errors.ts';
import { REQUEST_ID_HEADER, type RequestRecord } from '../platform/log.ts';

export interface GatewayContext {
  authorization?: string;
  /** The caller's address as the gateway saw it (or as a proxy the gateway trusts forwarded it). */
  clientAddress?: string;
  request: RequestRecord;
}

type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** The signal of the caller's request, for the fetch the data source makes on its behalf. */
const callerSignal = new AsyncLocalStorage<AbortSignal | undefined>();

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly serviceName: string,
    url: string,
    private readonly timeoutMs: number,
  ) {
    super({ url });
    // Node's fetch with an abort deadline: a hanging subgraph must not hang the gateway. The
    // caller's request signal also stops it when the request's time is up or the caller has gone.
    this.fetcher = ((input: string, init: RequestInit) => {
      const deadline = AbortSignal.timeout(this.timeoutMs);
      const requestSignal = callerSignal.getStore();
      return fetch(input, { ...init, signal: requestSignal ? AbortSignal.any([deadline, requestSignal]) : deadline });
    }) as unknown as Fetcher;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    // One request id through every service, so their log lines can be read together.
    if (context.request) request.http?.headers.set(REQUEST_ID_HEADER, context.request.id);
    // Whom the gateway forwards for: limits on anonymous callers (好差评) count the caller, not the gateway.
    if (context.clientAddress) request.http?.headers.set('x-forwarded-for', context.clientAddress);
  }

  /** Times each subgraph call for the gateway's request line. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const started = performance.now();
    const record = 'request' in options.context ? (options.context as GatewayContext).request : undefined;
    let outcome = 'ok';
    try {
      const response = await callerSignal.run(record?.signal, () => super.process(options));
      const code = response.errors?.[0]?.extensions?.code;
      if (typeof code === 'string') outcome = code;
      return response;
    } catch (error) {
      const code = (error as GraphQLError).extensions?.code;
      outcome = typeof code === 'string' ? code : 'SUBGRAPH_UNAVAILABLE';
      throw error;
    } finally {
      record?.subgraphCalls.push({ subgraph: this.serviceName, ms: Math.round((performance.now() - started) * 10) / 10, outcome });
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
    if (name === 'TimeoutError' || name === 'AbortError') {
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
