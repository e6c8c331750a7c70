/**
 * The benchmarks' closed-loop HTTP load (bench/gateway.ts, bench/gateway-users.ts,
 * bench/observability.ts): `concurrency` clients over kept-alive connections, each sending what a
 * generator gives it, for a given time; answered requests, errors, req/s, p50 and p99.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface Load {
  requests: number;
  errors: number;
  /** What the first failed request got (its code, or the exception), to say what the errors were. */
  firstError?: string;
  rps: number;
  p50: number;
  p99: number;
}

/** One request of a load: the GraphQL body and the caller's token. */
export interface BenchRequest {
  body: string;
  token: string;
}

/**
 * What client number `client` sends as its `sequence`-th request, given the text of its previous
 * answer (undefined for its first, or after a failure): a user paging on from the last cursor, say.
 */
export type NextRequest = (client: number, sequence: number, previous: string | undefined) => BenchRequest;

/** Every client sends the same body with the same token (in-flight merging answers most of them with one call). */
export function sameRequest(body: string, token: string): NextRequest {
  const request = { body, token };
  return () => request;
}

/** A closed loop of `concurrency` clients posting what `next` gives each of them to `url` for `ms`. */
export async function load(url: string, next: NextRequest, concurrency: number, ms: number): Promise<Load> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const until = performance.now() + ms;
  const client = async (_: unknown, index: number) => {
    let previous: string | undefined;
    for (let sequence = 0; performance.now() < until; sequence++) {
      const { body, token } = next(index, sequence, previous);
      previous = undefined;
      const started = performance.now();
      try {
        const response = await pool.request({
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body,
          headersTimeout: 20_000,
          bodyTimeout: 20_000,
        });
        const text = await response.body.text();
        if (response.statusCode !== 200 || text.includes('"errors"')) {
          errors++;
          firstError ??= `${response.statusCode} ${/"code":"([A-Z_]+)"/.exec(text)?.[1] ?? text.slice(0, 200)}`;
        } else {
          latencies.push(performance.now() - started);
          previous = text;
        }
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
      }
    }
  };
  const begun = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = performance.now() - begun;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    rps: (latencies.length / elapsed) * 1000,
    p50: at(50),
    p99: at(99),
  };
}
