/**
 * The HTTP front every service shares (platform/http.ts with platform/apollo.ts): slow bodies and
 * idle connections are cut off, a request that runs too long is stopped and answered, /health keeps
 * answering meanwhile, and status codes follow GraphQL over HTTP for each media type.
 */
import http from 'node:http';
import net from 'node:net';
import { ApolloServer } from '@apollo/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlServerOptions } from '../platform/apollo.ts';
import { loadEnv } from '../platform/env.ts';
import { startHttpService, type RunningService } from '../platform/http.ts';
import { silentLogger, type RequestRecord } from '../platform/log.ts';

const env = loadEnv({
  DEVELOPMENT_MODE: 'true',
  REQUEST_TIMEOUT_MS: '1000',
  HEADERS_TIMEOUT_MS: '1000',
  KEEP_ALIVE_TIMEOUT_MS: '300',
  EXECUTION_TIMEOUT_MS: '400',
});

let service: RunningService;
const resolvedAfterTimeout: string[] = [];

beforeAll(async () => {
  const apollo = new ApolloServer<{ request: RequestRecord }>({
    typeDefs: /* GraphQL */ `
      type Query {
        fast: String!
        slow: Slow!
        count(n: Int!): Int!
      }
      type Slow {
        later: String
      }
    `,
    resolvers: {
      Query: {
        fast: () => 'fast',
        count: (_: unknown, { n }: { n: number }) => n,
        // Takes longer than the execution timeout; its child field must then never run.
        slow: () => new Promise((resolve) => setTimeout(() => resolve({}), 1_000)),
      },
      Slow: {
        later: () => {
          resolvedAfterTimeout.push('later');
          return 'later';
        },
      },
    },
    ...graphqlServerOptions({ limits: env.limits, introspection: true }),
  });
  service = await startHttpService({
    service: { name: 'probe', apollo, context: async (_req, request) => ({ request }), ready: async () => ({}) },
    port: 0,
    host: '127.0.0.1',
    limits: env.limits,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await service?.close();
});

/** node:http rather than fetch, which would add `Accept: *\/*` when none is given. */
function post(body: unknown, accept?: string): Promise<{ status: number; type: string | undefined; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${service.url}graphql`,
      { method: 'POST', headers: { 'content-type': 'application/json', ...(accept ? { accept } : {}) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, type: response.headers['content-type'], body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Opens a raw connection and resolves with what the server sent before closing it. */
function rawConnection(write: (socket: net.Socket) => void): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(service.port, '127.0.0.1', () => write(socket));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('close', () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.on('error', reject);
    // Held open far longer than any timeout of the server: the server must be the one to close it.
    setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open: ${text}`));
    }, 8_000);
  });
}

describe('slow and idle connections', () => {
  it('cuts off a body trickled in a byte at a time with 408', async () => {
    const body = JSON.stringify({ query: '{ fast }' });
    const { text } = await rawConnection((socket) => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      let sent = 0;
      const trickle = setInterval(() => {
        if (socket.destroyed || sent >= body.length - 1) return clearInterval(trickle);
        socket.write(body[sent++]!);
      }, 250);
    });
    expect(text).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const { text } = await rawConnection((socket) => socket.write('POST /graphql HTTP/1.1\r\nHost: x\r\n'));
    // Closed by the server (with a 408 when it had time to write one), long before the client gives up.
    expect(text).toMatch(/^(HTTP\/1\.1 408[^]*)?$/);
  });

  it('closes an idle keep-alive connection', async () => {
    const { text } = await rawConnection((socket) => socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n'));
    expect(text).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('a body that is not JSON (issue #20, finding 3)', () => {
  it('is answered 400 BAD_REQUEST at once, and the connection stays usable', async () => {
    const body = '{"query":';
    const { text } = await rawConnection((socket) => {
      socket.write(`POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      // The answer, then the same connection asked again: a kept-alive connection goes on serving.
      socket.once('data', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    });
    const [answer, next] = text.split(/(?=HTTP\/1\.1 )/);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    const json = JSON.parse(answer!.slice(answer!.indexOf('\r\n\r\n') + 4));
    expect(json.errors[0].extensions).toMatchObject({
      code: 'BAD_REQUEST',
      messageZh: expect.stringMatching(/JSON/),
      messageEn: expect.stringMatching(/not valid JSON/),
    });
    expect(next).toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('a request that runs too long', () => {
  it('is answered 503 REQUEST_TIMEOUT and stopped, while /health answers', async () => {
    const pending = post({ query: '{ slow { later } }' });
    const health = await fetch(`${service.url}health`, { signal: AbortSignal.timeout(2_000) });
    expect(health.status).toBe(200);
    const { status, body } = await pending;
    expect(status).toBe(503);
    expect(body.errors[0].extensions).toMatchObject({ code: 'REQUEST_TIMEOUT', messageZh: expect.stringMatching(/超过 400 毫秒/) });
    // The execution went on in the background only until its next field: that field was refused.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(resolvedAfterTimeout).toEqual([]);
  });
});

describe('GraphQL over HTTP status codes', () => {
  const failures: [string, unknown][] = [
    ['a document that does not parse', { query: '{ fast' }],
    ['a document that does not validate', { query: '{ nothing }' }],
    ['variables that do not fit', { query: 'query($n: Int!) { count(n: $n) }', variables: { n: 'many' } }],
  ];

  for (const [what, body] of failures) {
    it(`answers ${what} with 200 to a client that accepts only application/json`, async () => {
      const answer = await post(body, 'application/json');
      expect(answer.status).toBe(200);
      expect(answer.type).toMatch(/^application\/json/);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors[0].extensions.messageZh).toMatch(/[\u4e00-\u9fff]/);
    });

    it(`answers ${what} with 400 to a client that accepts application/graphql-response+json, or says nothing`, async () => {
      for (const accept of ['application/graphql-response+json', 'application/graphql-response+json, application/json;q=0.9', undefined]) {
        const answer = await post(body, accept);
        expect(answer.status, String(accept)).toBe(400);
        expect(answer.type).toMatch(/^application\/graphql-response\+json/);
      }
    });
  }

  it('keeps 400 for a request that is not GraphQL at all, whatever the client accepts', async () => {
    const answer = await post({ variables: {} }, 'application/json');
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions).toMatchObject({ code: 'BAD_REQUEST', messageZh: expect.stringMatching(/query/) });
  });
});
