/**
 * Logs are JSON lines with levels; one request id follows a request from the gateway through every
 * subgraph it calls, and each service writes one line per request saying what was asked, how long
 * it took and how it ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { startTestPlatform, tokenFor, type TestPlatform } from './support/platform.ts';

interface Line {
  level: number;
  msg: string;
  service?: string;
  requestId?: string;
  operation?: string | null;
  outcome?: string;
  ms?: number;
  status?: number;
  subgraphCalls?: { subgraph: string; ms: number; outcome: string }[];
}

const lines: Line[] = [];
let t: TestPlatform;
beforeAll(async () => {
  const logger = createLogger({ level: 'info', destination: { write: (text: string) => void lines.push(JSON.parse(text) as Line) } });
  t = await startTestPlatform({ logger });
});
afterAll(async () => {
  await t?.stop();
});

async function ask(query: string, headers: Record<string, string> = {}) {
  const token = await tokenFor('COMMAND_OFFICE');
  const response = await fetch(t.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query }),
  });
  await response.json();
  return response;
}

/** Request lines are written when the response finishes: give the sockets a moment. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('request logs', () => {
  it('carries the caller’s request id through the gateway and every subgraph it called', async () => {
    const response = await ask('query Board { domains { name issueStats { received } } }', { 'x-request-id': 'board-check-1' });
    await settle();
    expect(response.headers.get('x-request-id')).toBe('board-check-1');
    const mine = lines.filter((line) => line.requestId === 'board-check-1' && line.msg === 'request');
    const gateway = mine.find((line) => line.service === 'gateway')!;
    expect(gateway).toMatchObject({ level: 30, operation: 'Board', outcome: 'ok', status: 200 });
    expect(gateway.ms).toBeGreaterThan(0);
    expect(gateway.subgraphCalls!.map((call) => call.subgraph).sort()).toEqual(['issues', 'units']);
    for (const call of gateway.subgraphCalls!) expect(call).toMatchObject({ outcome: 'ok', ms: expect.any(Number) });
    expect(mine.map((line) => line.service).sort()).toEqual(['gateway', 'issues', 'units']);
  });

  it('mints a request id when the caller’s is missing or malformed, and says so in the answer', async () => {
    const response = await ask('{ domains { code } }', { 'x-request-id': 'has spaces and " quotes' });
    await settle();
    const id = response.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.some((line) => line.requestId === id && line.service === 'gateway')).toBe(true);
  });

  it('names the outcome of a refused request by its code', async () => {
    const response = await fetch(t.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'refused-1' },
      body: JSON.stringify({ query: 'query Stats { issueStats { received } }' }),
    });
    await response.json();
    await settle();
    const gateway = lines.find((line) => line.requestId === 'refused-1' && line.service === 'gateway' && line.msg === 'request');
    expect(gateway).toMatchObject({ operation: 'Stats', outcome: 'UNAUTHENTICATED' });
  });
});
