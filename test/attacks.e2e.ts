/**
 * Issue #7, cases 1–3: requests that used to stall the whole platform (one process under `npm
 * start`), hold a core for seconds, or pass through a subgraph that had no limits of its own. Each is
 * sent to the gateway and to every registered subgraph directly, built from that service's own
 * schema; each must be refused with a coded 400 while every /health keeps answering, and a SIGTERM
 * must still stop the process.
 *
 * The platform runs in a child process: a request that blocked its event loop would otherwise block
 * this test as well.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slices } from '../subgraphs/registry.ts';
import { attacksOn, introspect, type Attack } from './support/attacks.ts';
import { startChildPlatform, type ChildPlatform } from './support/child-platform.ts';
import { ACCEPT_GRAPHQL_RESPONSE } from './support/platform.ts';

let platform: ChildPlatform;
const attacks: Record<string, Attack[]> = {};
const STOP_TIMEOUT_MS = 5_000;

beforeAll(async () => {
  platform = await startChildPlatform({ STOP_TIMEOUT_MS: String(STOP_TIMEOUT_MS) });
  for (const [name, url] of Object.entries(platform.graphql)) attacks[name] = attacksOn(await introspect(url));
}, 120_000);

afterAll(async () => {
  if (platform && platform.child.exitCode === null) await platform.stop('SIGKILL');
});

/** Every service's /health, asked while an attack is in flight; a blocked loop never answers. */
async function everyHealth(): Promise<Record<string, number | string>> {
  const answers = await Promise.all(
    Object.entries(platform.health).map(async ([name, url]) => {
      const status = await fetch(url, { signal: AbortSignal.timeout(5_000) }).then(
        (response) => response.status,
        (error: Error) => error.name,
      );
      return [name, status] as const;
    }),
  );
  return Object.fromEntries(answers);
}

const services = ['gateway', ...slices.map((slice) => slice.name)];

describe.each(services)('the %s, attacked', (service) => {
  for (const index of [0, 1, 2, 3]) {
    it(`refuses attack #${index + 1} with a coded 400 while every /health answers`, async () => {
      const attack = attacks[service]![index]!;
      const pending = fetch(platform.graphql[service]!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT_GRAPHQL_RESPONSE },
        body: JSON.stringify({ query: attack.query }),
        signal: AbortSignal.timeout(20_000),
      });
      const health = await everyHealth();
      expect(health, attack.name).toEqual(Object.fromEntries(services.map((name) => [name, 200])));
      const response = await pending;
      const body = (await response.json()) as {
        data?: unknown;
        errors?: { extensions?: { code?: string; messageZh?: string; messageEn?: string } }[];
      };
      expect(response.status, attack.name).toBe(400);
      expect(body.data, attack.name).toBeUndefined();
      expect(attack.refusedWith, `${attack.name}: ${JSON.stringify(body.errors)}`).toContain(body.errors?.[0]?.extensions?.code);
      expect(body.errors?.[0]?.extensions?.messageZh).toMatch(/[\u4e00-\u9fff]/);
      expect(body.errors?.[0]?.extensions?.messageEn).toMatch(/^[^\u4e00-\u9fff]+$/);
    });
  }
});

describe('after the attacks', () => {
  it('still answers an ordinary query through the gateway', async () => {
    const response = await fetch(platform.graphql.gateway!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('stops on SIGTERM within the stop period', async () => {
    const started = Date.now();
    const result = await platform.stop('SIGTERM');
    expect(result, platform.output()).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(STOP_TIMEOUT_MS + 2_000);
  });
});
