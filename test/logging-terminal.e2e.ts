/**
 * A developer at a terminal (`npm start`, development, pretty logs) reads one short line per
 * request to the gateway — operation, status, outcome, time and the subgraphs it called — not one
 * line per subgraph call under it, which drowned the start banner (issue #21, item 15).
 * JSON logs keep every service's line (test/logging.e2e.ts).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { startTestPlatform, tokenFor, type TestPlatform } from './support/platform.ts';

const lines: string[] = [];
let t: TestPlatform;
beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: 'info', pretty: true, destination });
  t = await startTestPlatform({ logger, env: { LOG_FORMAT: 'pretty' } });
});
afterAll(async () => {
  await t?.stop();
});

describe('request logs at a terminal in development', () => {
  it('writes one line for a board query that crosses every subgraph, saying what it asked and how it ended', async () => {
    const token = await tokenFor('COMMAND_OFFICE');
    const response = await fetch(t.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'terminal-board-1' },
      body: JSON.stringify({
        query: 'query Board { board(period: "2026-H2") { unit { name issueStats { received } policyStats { approved } } score } }',
      }),
    });
    const body = (await response.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const mine = lines.filter((line) => line.includes('terminal-board-1'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatch(/Board → 200 ok in [\d.]+ ms \(.*evaluations [\d.]+ ms.*\)/);
  });
});
