/**
 * `npm run bench -- observability`: what metrics and tracing cost (issue #27). Two copies of the
 * platform, every service a process of its own, on one database: one as it runs by default (no
 * METRICS_PORT, no OTLP endpoint: spans are ids only), one with METRICS_PORT set on every process,
 * Prometheus-style scrapes every 5 s, and every span recorded and exported over OTLP/HTTP to a local
 * no-op collector (this process, answering 200). Gateway req/s of each, in closed loops of
 * BENCH_OBSERVE_CONCURRENCY (16) clients for BENCH_DURATION_S (8) seconds after a 2-second warm-up,
 * rounds interleaved (off, on, off, on, … BENCH_OBSERVE_ROUNDS, 3 each). The gateway merges no
 * reads in flight (BENCH_OBSERVE_MERGE=true to measure with merging, the production default): every
 * request then goes through a subgraph and its SQL, so each one carries a whole trace.
 */
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { openPostgres } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { signToken } from '../platform/auth.ts';
import { DEFAULT_TRACE_SAMPLE_RATIO, DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { cpuSeconds } from './cpu.ts';
import { benchProcessEnv } from './env.ts';
import { countIssues, fillIssues } from './fill.ts';
import { ensureDatabase, load, sameRequest, start, waitFor, type Load, type Service } from './gateway.ts';

const DB = process.env.BENCH_OBSERVE_DB ?? 'yingshang_bench_observe';
const ISSUES = Number(process.env.BENCH_OBSERVE_ISSUES ?? 2_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 8) * 1000;
const ROUNDS = Number(process.env.BENCH_OBSERVE_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_OBSERVE_CONCURRENCY ?? 16);
const BASE_PORT = Number(process.env.BENCH_OBSERVE_PORT ?? 4910);

/** A collector that takes OTLP/HTTP and keeps nothing: the cost measured is the services' own. */
async function noOpCollector(): Promise<{ url: string; exports: () => number; close: () => Promise<void> }> {
  let exports = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      exports++;
      // An empty answer is an empty ExportTraceServiceResponse in protobuf (the platform's exporter), `{}` in JSON.
      if (req.headers['content-type'] === 'application/x-protobuf') {
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    exports: () => exports,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Copy {
  name: string;
  gatewayUrl: string;
  metricsUrls: string[];
  /** Its processes (for their CPU time). */
  pids: number[];
}

/** One copy of the platform: each slice's subgraph and the gateway, each its own process. */
async function startCopy(
  name: string,
  base: number,
  common: Record<string, string>,
  observed: Record<string, string> | undefined,
  services: Service[],
): Promise<Copy> {
  const ports = Object.fromEntries(slices.map((slice, index) => [slice.name, base + index]));
  const env: Record<string, string> = {
    ...common,
    ...Object.fromEntries(
      slices.flatMap((slice) => [
        [`${slice.name.toUpperCase()}_PORT`, String(ports[slice.name])],
        [`${slice.name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[slice.name]}/graphql`],
      ]),
    ),
  };
  const first = services.length;
  const metricsPort = (port: number) => (observed ? { ...observed, METRICS_PORT: String(port + 1000) } : {});
  for (const slice of slices) {
    services.push(
      start(
        `${name} ${slice.name}`,
        ['--import', 'tsx', 'bin/subgraph.ts', slice.name],
        { ...env, ...metricsPort(ports[slice.name]!) },
        true,
      ),
    );
    await waitFor(`http://127.0.0.1:${ports[slice.name]}/health`);
  }
  for (const slice of slices) await waitFor(`http://127.0.0.1:${ports[slice.name]}/ready`);
  const gatewayPort = base + 20;
  services.push(
    start(`${name} gateway`, ['--import', 'tsx', 'bin/gateway.ts'], {
      ...env,
      ...metricsPort(gatewayPort),
      PORT: String(gatewayPort),
      LOG_LEVEL: 'warn',
    }),
  );
  await waitFor(`http://127.0.0.1:${gatewayPort}/ready`);
  const metricsUrls = observed ? [...Object.values(ports), gatewayPort].map((port) => `http://127.0.0.1:${port + 1000}/metrics`) : [];
  const pids = services.slice(first).map((service) => service.child.pid ?? 0);
  return { name, gatewayUrl: `http://127.0.0.1:${gatewayPort}/graphql`, metricsUrls, pids };
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
};

const fixed = (value: number, digits = 1) => value.toFixed(digits);

function report(name: string, results: Record<string, Load[]>, cpu: Record<string, number[]>): void {
  console.log(name);
  for (const copy of ['off', 'on']) {
    const list = results[copy] ?? [];
    const rps = fixed(mean(list.map((r) => r.rps))).padStart(7);
    const rounds = list.map((r) => fixed(r.rps, 0)).join(', ');
    const latency = `p50 ${fixed(mean(list.map((r) => r.p50)))} ms · p99 ${fixed(Math.max(...list.map((r) => r.p99)))} ms`;
    const errors = `${list.reduce((sum, r) => sum + r.errors, 0)}${list.find((r) => r.firstError) ? ` (first: ${list.find((r) => r.firstError)?.firstError})` : ''}`;
    const perRequest = cpu[copy] ?? [];
    console.log(
      `  ${copy.padEnd(3)} ${rps} req/s (rounds ${rounds}) · ${latency} · ${errors} errors · CPU ${fixed(median(perRequest), 2)} ms per request (rounds ${perRequest.map((ms) => fixed(ms, 2)).join(', ')})`,
    );
  }
  const on = results.on ?? [];
  const off = results.off ?? [];
  const ratio = mean(on.map((r) => r.rps)) / mean(off.map((r) => r.rps));
  // Each round of `on` beside the `off` round just before it, when the machine's load was alike.
  const paired = median(on.map((r, index) => r.rps / (off[index]?.rps ?? Number.NaN)));
  const cpuRatio = median(cpu.on ?? []) / median(cpu.off ?? []);
  const percent = (value: number) => `${value >= 1 ? '+' : ''}${fixed((value - 1) * 100)}%`;
  console.log(
    `  on/off: req/s ${fixed(ratio, 3)} (${percent(ratio)}), median of paired rounds ${fixed(paired, 3)} (${percent(paired)}); CPU per request ${fixed(cpuRatio, 3)} (${percent(cpuRatio)})\n`,
  );
}

export async function runObservabilityBench(): Promise<void> {
  const url = await ensureDatabase(DB);
  const database = openPostgres(url);
  await prepareDatabase(database, slices, { sample: false });
  const present = await countIssues(database.forSubgraph('issues').db);
  if (present < ISSUES) await fillIssues(database.owner(), ISSUES - present, present);
  await database.close();

  const collector = await noOpCollector();
  const common: Record<string, string> = {
    ...benchProcessEnv(url, 'info'),
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    METRICS_PORT: '',
    MERGE_INFLIGHT_REQUESTS: process.env.BENCH_OBSERVE_MERGE ?? 'false',
  };
  const services: Service[] = [];
  const stopAll = () => services.forEach((service) => service.child.kill('SIGTERM'));
  process.on('exit', stopAll);
  try {
    const off = await startCopy('off', BASE_PORT, common, undefined, services);
    // BENCH_OBSERVE_SAMPLE: the share of traces the `on` copy records (OTEL_TRACES_SAMPLER_ARG), the platform's default (0.1) unless set.
    const sample = process.env.BENCH_OBSERVE_SAMPLE ?? String(DEFAULT_TRACE_SAMPLE_RATIO);
    const on = await startCopy(
      'on',
      BASE_PORT + 50,
      common,
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_SAMPLER_ARG: sample },
      services,
    );
    const staff = await signToken(
      { sub: 'bench-staff', role: 'UNIT_STAFF', unit: unitIdForCode('MARKET_REGULATION_BUREAU') },
      { secret: DEVELOPMENT_JWT_SECRET },
    );
    const queries = [
      {
        name: 'units list (one subgraph)',
        body: JSON.stringify({ query: '{ units(first: 50) { totalCount edges { node { id code name kind } } } }' }),
      },
      {
        name: "a bureau's issues with unit names (two subgraphs)",
        body: JSON.stringify({
          query: '{ issues(first: 20) { totalCount edges { node { number title status responsibleUnit { name } } } } }',
        }),
      },
    ];
    console.log(
      `\nObservability cost: every service its own process on ${os.cpus().length} CPUs (load average ${os.loadavg()[0]!.toFixed(1)}); c=${CONCURRENCY}, merging reads in flight ${common.MERGE_INFLIGHT_REQUESTS}, ${DURATION_MS / 1000} s per round after a 2 s warm-up, ${ROUNDS} rounds each, interleaved.`,
    );
    console.log('  off: no METRICS_PORT, no OTLP endpoint (spans are ids only)');
    console.log(
      `  on:  METRICS_PORT on every process, scraped every 5 s; the spans of ${Number(sample) * 100}% of traces recorded and exported (OTLP/HTTP) to a no-op collector\n`,
    );
    for (const query of queries) {
      const results: Record<string, Load[]> = { off: [], on: [] };
      const cpu: Record<string, number[]> = { off: [], on: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const copy of [off, on]) {
          await load(copy.gatewayUrl, sameRequest(query.body, staff), CONCURRENCY, 2_000);
          const scrapes = copy.metricsUrls.length
            ? setInterval(
                () =>
                  copy.metricsUrls.forEach(
                    (metrics) =>
                      void fetch(metrics)
                        .then((r) => r.text())
                        .catch(() => {}),
                  ),
                5_000,
              )
            : undefined;
          const before = cpuSeconds(copy.pids);
          const result = await load(copy.gatewayUrl, sameRequest(query.body, staff), CONCURRENCY, DURATION_MS);
          cpu[copy.name]!.push(((cpuSeconds(copy.pids) - before) * 1000) / result.requests);
          results[copy.name]!.push(result);
          clearInterval(scrapes);
        }
      }
      report(query.name, results, cpu);
    }
    console.log(`The collector took ${collector.exports()} OTLP exports.`);
  } finally {
    stopAll();
    await collector.close();
  }
}
