/**
 * A small node:http front for an Apollo Server (gateway or subgraph): GraphQL on `/` and `/graphql`,
 * `/health` (alive) and `/ready` (dependencies reachable), the offline explorer, a request-size
 * limit, and a graceful stop that lets in-flight requests finish.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ErrorCode } from './errors.ts';
import { REQUEST_ID_HEADER, requestIdOf, type Logger, type RequestRecord } from './log.ts';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/** What the HTTP front needs of a gateway or subgraph: its Apollo Server, context and readiness. */
export interface GraphQLService<TContext extends BaseContext> {
  name: string;
  apollo: ApolloServer<TContext>;
  context(req: http.IncomingMessage, request: RequestRecord): Promise<TContext>;
  /** Resolves when the service can do its work; rejects with the reason otherwise. */
  ready(): Promise<Record<string, string>>;
}

export interface HttpServiceOptions<TContext extends BaseContext> {
  service: GraphQLService<TContext>;
  port: number;
  host?: string;
  maxRequestBytes: number;
  explorer?: RequestHandler;
  logger: Logger;
}

export interface RunningService {
  name: string;
  url: string;
  port: number;
  close(): Promise<void>;
}

class RequestTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
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

function parseJsonBody(text: string, contentType: string | undefined): unknown {
  if (!text) return undefined;
  if (contentType?.includes('application/json') || contentType?.includes('application/graphql-response+json')) {
    return JSON.parse(text);
  }
  return text;
}

export async function startHttpService<TContext extends BaseContext>(
  options: HttpServiceOptions<TContext>,
): Promise<RunningService> {
  const { service, maxRequestBytes } = options;
  const { apollo } = service;
  const name = service.name;
  const logger = options.logger.child({ service: name });
  await apollo.start();
  let closing = false;

  const handleGraphQL = async (req: http.IncomingMessage, res: http.ServerResponse, search: string, record: RequestRecord) => {
    let body: unknown;
    try {
      body = parseJsonBody(await readBody(req, maxRequestBytes), req.headers['content-type']);
    } catch (error) {
      if (error instanceof RequestTooLarge) {
        sendJson(
          res,
          413,
          codedBody(ErrorCode.REQUEST_TOO_LARGE, `请求体超过 ${maxRequestBytes} 字节`, `Request body exceeds ${maxRequestBytes} bytes`),
          true,
        );
        return;
      }
      sendJson(res, 400, codedBody(ErrorCode.BAD_USER_INPUT, '请求体不是合法的 JSON', 'Request body is not valid JSON'));
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search, body },
      context: () => service.context(req, record),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  const server = http.createServer((req, res) => {
    if (closing) res.setHeader('connection', 'close');
    const started = performance.now();
    const id = requestIdOf(req);
    const record: RequestRecord = { id, log: logger.child({ requestId: id }), subgraphCalls: [] };
    res.setHeader(REQUEST_ID_HEADER, id);
    // A keep-alive connection that was busy when the stop began is closed as soon as it is idle.
    res.on('finish', () => {
      if (closing) server.closeIdleConnections();
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    let graphql = false;
    res.on('finish', () => {
      // One line per GraphQL request: what was asked, how long it took, how it ended.
      if (!graphql) return;
      record.log.info(
        {
          method: req.method,
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
          operation: record.operation ?? null,
          outcome: record.outcome ?? (res.statusCode < 400 ? 'ok' : `HTTP_${res.statusCode}`),
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
      if (options.explorer?.(req, res)) return;
      if (url.pathname === '/' || url.pathname === '/graphql') {
        graphql = true;
        await handleGraphQL(req, res, url.search, record);
        return;
      }
      sendJson(res, 404, codedBody(ErrorCode.NOT_FOUND, '没有这个地址', 'No such path'));
    };
    route().catch((error: unknown) => {
      record.outcome = 'INTERNAL_SERVER_ERROR';
      record.log.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, codedBody('INTERNAL_SERVER_ERROR', '服务器内部错误', 'Internal server error'));
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    name,
    port,
    url: `http://localhost:${port}/`,
    async close() {
      if (closing) return;
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight requests get a grace period; then the stragglers are cut.
      const grace = setTimeout(() => server.closeAllConnections(), 10_000);
      await stopped;
      clearTimeout(grace);
      await apollo.stop();
    },
  };
}
