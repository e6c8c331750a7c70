/**
 * Issue #20, finding 2: the limits on anonymous 好差评 (3 reviews of a unit a day, 10 an hour) count
 * the real caller, whatever it writes into x-forwarded-for — sent straight to the gateway, to the
 * evaluations subgraph, or through a front proxy that appends the address it was called from
 * (nginx's `$proxy_add_x_forwarded_for`). And the gateway passes the real caller on to the
 * subgraph: two callers behind the same proxy each have limits of their own.
 *
 * Callers are told apart by the loopback address they call from (127.0.0.2, 127.0.0.3, …); the
 * simulated proxy calls the gateway from 127.0.0.9.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { loadEnv } from '../platform/env.ts';
import { TestClock } from './support/clock.ts';
import { evalDocs } from './support/evaluations.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const PROXY_ADDRESS = '127.0.0.9';
const UNITS = [
  'EDUCATION_BUREAU',
  'SCIENCE_TECHNOLOGY_BUREAU',
  'JUSTICE_BUREAU',
  'COMMERCE_BUREAU',
  'TRANSPORT_BUREAU',
  'HOUSING_CONSTRUCTION_BUREAU',
  'ECOLOGY_ENVIRONMENT_BUREAU',
  'INDUSTRY_IT_BUREAU',
  'DEVELOPMENT_REFORM_COMMISSION',
  'NATURAL_RESOURCES_PLANNING_BUREAU',
  'ADMINISTRATIVE_APPROVAL_BUREAU',
].map(unitIdForCode);

let requests = 0;
const reviewBody = (unitId: string) => ({
  query: evalDocs.submitReview,
  variables: {
    input: {
      clientRequestId: `xff-${++requests}`,
      unitId,
      serviceItem: '户籍办理',
      channel: 'WINDOW',
      level: 'VERY_UNSATISFIED',
      comment: '刷评测试',
    },
  },
});

/** POSTs from a given local address, with whatever x-forwarded-for the caller chooses to write. */
function postFrom(from: string, url: string, body: unknown, forwardedFor?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Sends reviews of `unitIds` from one caller, each with a new forged header; the outcome of each. */
async function flood(from: string, url: string, unitIds: string[]): Promise<string[]> {
  const outcomes: string[] = [];
  for (const [index, unitId] of unitIds.entries()) {
    const answer = await postFrom(from, url, reviewBody(unitId), `203.0.113.${index + 1}`);
    outcomes.push(
      answer.body.errors?.[0]?.extensions?.code ?? (answer.body.data?.submitServiceReview?.id ? 'OK' : JSON.stringify(answer.body)),
    );
  }
  return outcomes;
}

const ok = (n: number) => Array.from({ length: n }, () => 'OK');

/** A front proxy as nginx is usually set up: it appends its caller's address to x-forwarded-for. */
async function startAppendingProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress!;
    const given = req.headers['x-forwarded-for'];
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        localAddress: PROXY_ADDRESS,
        agent: false,
        headers: { ...req.headers, 'x-forwarded-for': given ? `${given}, ${peer}` : peer },
      },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the caller’s address by default', () => {
  it('believes no x-forwarded-for at the gateway, and the gateway’s at a subgraph', () => {
    const env = loadEnv({ DEVELOPMENT_MODE: 'true' });
    expect(env.trustedProxies).toEqual([]);
    expect(env.subgraphTrustedProxies).toEqual(['loopback']);
  });
});

describe('a caller forging x-forwarded-for straight at the gateway (default settings)', () => {
  const clock = new TestClock('2026-06-02T10:00:00+08:00');
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ now: clock.now });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
  });

  it('gets 3 reviews of one unit a day, not one per forged address', async () => {
    const unit = UNITS[0]!;
    expect(await flood('127.0.0.1', t.gatewayUrl, [unit, unit, unit, unit, unit])).toEqual([...ok(3), 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});

describe('callers behind a front proxy that appends their address', () => {
  const clock = new TestClock('2026-06-02T10:00:00+08:00');
  let t: TestPlatform;
  let proxy: { url: string; close(): Promise<void> };
  let subgraphUrl: string;
  beforeAll(async () => {
    // The gateway trusts its front proxy only; the subgraphs trust the gateway only (it calls them from 127.0.0.1).
    t = await startTestPlatform({ now: clock.now, env: { TRUSTED_PROXIES: PROXY_ADDRESS, SUBGRAPH_TRUSTED_PROXIES: '127.0.0.1' } });
    proxy = await startAppendingProxy(t.gatewayUrl);
    subgraphUrl = `${t.platform.subgraphs.evaluations!.url}graphql`;
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await t?.stop();
  });

  it('limits a caller forging the header to 10 reviews an hour, as itself', async () => {
    expect(await flood('127.0.0.2', proxy.url, UNITS)).toEqual([...ok(10), 'RATE_LIMITED']);
  });

  it('limits a caller forging the header to 3 reviews of one unit a day', async () => {
    const unit = UNITS[1]!;
    expect(await flood('127.0.0.3', proxy.url, [unit, unit, unit, unit])).toEqual([...ok(3), 'RATE_LIMITED']);
  });

  it('gives another caller behind the same proxy limits of its own: the gateway forwards who called', async () => {
    expect(await flood('127.0.0.4', proxy.url, UNITS.slice(0, 3))).toEqual(ok(3));
    expect(await flood('127.0.0.5', proxy.url, UNITS.slice(0, 3))).toEqual(ok(3));
  });

  it('counts a caller by its own address when it bypasses the proxy, at the gateway and at the subgraph', async () => {
    const unit = UNITS[2]!;
    // 127.0.0.6 is no proxy of the gateway's or the subgraph's: its header is ignored at both doors,
    // and the two doors count it as one caller.
    expect(await flood('127.0.0.6', t.gatewayUrl, [unit, unit])).toEqual(ok(2));
    expect(await flood('127.0.0.6', subgraphUrl, [unit, unit])).toEqual(['OK', 'RATE_LIMITED']);
    expect(await flood('127.0.0.6', proxy.url, [unit])).toEqual(['RATE_LIMITED']);
  });
});
