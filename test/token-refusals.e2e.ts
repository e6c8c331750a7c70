/**
 * Issue #20, finding 11: a token whose claims are not what the platform issues is refused when it is
 * verified — at the gateway and at every subgraph — and every refusal, down to headers too large for
 * HTTP itself, is answered as coded JSON, never as an empty body or a reset connection.
 */
import net from 'node:net';
import { SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { slices } from '../subgraphs/registry.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
const urls: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestPlatform();
  urls.gateway = t.gatewayUrl;
  for (const slice of slices) urls[slice.name] = `${t.platform.subgraphs[slice.name]!.url}graphql`;
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const sign = (claims: JWTPayload) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(DEVELOPMENT_JWT_SECRET));

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** A request written by hand, so that nothing between the test and the server changes it; a reset is an answer too. */
function exchange(url: string, token: string): Promise<Answer | string> {
  const { hostname, port, pathname } = new URL(url);
  const body = JSON.stringify({ query: '{ __typename }' });
  return new Promise((resolve) => {
    // Written, not ended: a client that half-closes has its request abandoned by node:http.
    const socket = net.connect(Number(port), hostname === 'localhost' ? '127.0.0.1' : hostname, () => {
      socket.write(
        `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: application/json\r\nAuthorization: Bearer ${token}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.on('close', () => {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      const type = /^content-type:\s*(.*)$/im.exec(head)?.[1] ?? '';
      resolve(status ? { status, type, body: rest.join('\r\n\r\n') } : `no answer: ${JSON.stringify(text.slice(0, 200))}`);
    });
  });
}

function codeOf(answer: Answer | string): string {
  if (typeof answer === 'string') return answer;
  expect(answer.type, answer.body).toMatch(/json/);
  const json = JSON.parse(answer.body) as { errors?: { extensions?: { code?: string; messageZh?: string } }[] };
  const error = json.errors?.[0];
  if (!error) return `${answer.status} accepted`;
  expect(error.extensions?.messageZh).toMatch(/[\u4e00-\u9fff]/);
  return `${answer.status} ${error.extensions?.code}`;
}

const services = ['gateway', ...slices.map((slice) => slice.name)];

describe.each(services)('the %s, given a token it must refuse', (service) => {
  const cases: [string, () => Promise<string>, string][] = [
    [
      'an enterprise claim of a NUL character',
      () => sign({ sub: 'firm', role: 'ENTERPRISE', enterprise: '\u0000' }),
      '401 UNAUTHENTICATED',
    ],
    ['an enterprise claim that is no credit code', () => sign({ sub: 'firm', role: 'ENTERPRISE', enterprise: 'x' }), '401 UNAUTHENTICATED'],
    ['a unit claim of a NUL character', () => sign({ sub: 'office', role: 'COMMAND_OFFICE', unit: '\u0000' }), '401 UNAUTHENTICATED'],
    [
      'a unit claim of 10,000 characters',
      () => sign({ sub: 'office', role: 'COMMAND_OFFICE', unit: 'u'.repeat(10_000) }),
      '401 UNAUTHENTICATED',
    ],
    [
      'a token of 12 KB',
      () => sign({ sub: 'office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE'), padding: 'p'.repeat(9_000) }),
      '401 UNAUTHENTICATED',
    ],
    [
      'a token of 60 KB, larger than the headers may be',
      () => sign({ sub: 'office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE'), padding: 'p'.repeat(45_000) }),
      '431 REQUEST_HEADERS_TOO_LARGE',
    ],
  ];
  for (const [name, token, expected] of cases) {
    it(`answers ${name} with ${expected}, as coded JSON`, async () => {
      expect(codeOf(await exchange(urls[service]!, await token()))).toBe(expected);
    });
  }

  it('answers a request that is not HTTP with 400 BAD_REQUEST, as coded JSON', async () => {
    const { port } = new URL(urls[service]!);
    const answer = await new Promise<Answer | string>((resolve) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('POST /graphql HTTP/1.1\r\nHost x\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      socket.on('close', () => {
        const [head = '', ...rest] = text.split('\r\n\r\n');
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
          type: /^content-type:\s*(.*)$/im.exec(head)?.[1] ?? '',
          body: rest.join(''),
        });
      });
    });
    expect(codeOf(answer)).toBe('400 BAD_REQUEST');
  });
});
