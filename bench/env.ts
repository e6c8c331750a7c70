import postgres from 'postgres';
import { Agent, request } from 'undici';

/**
 * The platform settings every benchmark starts with: development tokens, no sample data, and time
 * limits long enough to measure a slow query instead of refusing it (each overridable from the
 * environment), since a benchmark's job is to report how long something takes.
 */
export function benchPlatformEnv(): Record<string, string> {
  return {
    DEVELOPMENT_MODE: 'true',
    LOAD_SAMPLE_DATA: 'false',
    EXECUTION_TIMEOUT_MS: process.env.EXECUTION_TIMEOUT_MS ?? '300000',
    SUBGRAPH_TIMEOUT_MS: process.env.SUBGRAPH_TIMEOUT_MS ?? '300000',
    STATEMENT_TIMEOUT_MS: process.env.STATEMENT_TIMEOUT_MS ?? '300000',
    REQUEST_TIMEOUT_MS: process.env.REQUEST_TIMEOUT_MS ?? '300000',
  };
}

/**
 * The environment of a platform process a benchmark starts (a gateway, a subgraph, a replica): its
 * database, development tokens, no sample data, JSON logs at `logLevel`, nothing sent to Apollo.
 * Each benchmark adds its ports, pools and switches.
 */
export function benchProcessEnv(url: string, logLevel: 'info' | 'warn'): Record<string, string> {
  return {
    DATABASE_URL: url,
    DEVELOPMENT_MODE: 'true',
    LOAD_SAMPLE_DATA: 'false',
    LOG_LEVEL: logLevel,
    LOG_FORMAT: 'json',
    APOLLO_TELEMETRY_DISABLED: '1',
  };
}

/**
 * The benchmarks' clock over the issues data (bench/fill.ts): the synthetic issues span the three
 * years before it (2024-01-01 … this instant), so a period of 2024, 2025 or 2026 reads full.
 */
export const BENCH_NOW = new Date('2026-12-04T10:00:00+08:00');

/**
 * Untimed runs before each timed series (BENCH_WARMUPS, 20 by default): the board's code paths
 * across five servers in one process take more than a handful of requests to be compiled, and the
 * first runs after three warm-ups were still measuring the JIT (30 vs 36-45 ms of CPU per board).
 */
export const WARMUPS = Number(process.env.BENCH_WARMUPS ?? 20);

/**
 * The benchmarks' client: undici's `request` on one keep-alive agent. It shares the process with
 * the gateway and subgraphs it measures, and WHATWG `fetch` (web streams, Request/Response objects)
 * spent about a millisecond of that process's CPU per request on the client side alone.
 */
const clientAgent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });

export async function postGraphQL<T = any>(url: string, payload: unknown, bearer?: string): Promise<{ data?: T; errors?: unknown }> {
  const response = await request(url, {
    method: 'POST',
    dispatcher: clientAgent,
    headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
    body: JSON.stringify(payload),
  });
  return (await response.body.json()) as { data?: T; errors?: unknown };
}

/** The databases' prefix; BENCH_DB_NAME keeps two checkouts' benchmarks apart on one server. */
export const BENCH_DB = process.env.BENCH_DB_NAME ?? 'yingshang_bench';

/** The benchmarks' server: BENCH_DATABASE_URL, else DATABASE_URL's server, else the local one; its `postgres` database. */
export function benchServerUrl(): string {
  const configured = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(configured);
  url.pathname = '/postgres';
  return url.toString();
}

/** The URL of a database of the benchmarks' server, created when missing. */
export async function ensureBenchDatabase(name: string): Promise<string> {
  const admin = postgres(benchServerUrl(), { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`select 1 from pg_database where datname = ${name}`;
    if (!exists.length) await admin.unsafe(`create database "${name.replaceAll('"', '""')}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(benchServerUrl());
  url.pathname = `/${name}`;
  return url.toString();
}
