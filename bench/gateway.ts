/**
 * `npm run bench -- gateway`: our @apollo/gateway against Hive Gateway 2.15 (default configuration,
 * benchmark-only dev dependency) in front of the same subgraphs, same data, same queries, in the same
 * run, interleaved (apollo, hive, apollo, hive); and our gateway against calling a subgraph directly.
 *
 * Every service is a process of its own (each subgraph, each gateway), on a database of its own
 * (BENCH_GATEWAY_DB, default yingshang_bench_gateway, filled with BENCH_GATEWAY_ISSUES issues, default
 * 20,000). The load is a closed loop of `c` clients over kept-alive connections for
 * BENCH_DURATION_S seconds (default 8) after a 2-second warm-up. Subgraph calls are counted from the
 * subgraphs' own request log lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { openPostgres } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { signToken } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { openCpuBudgets } from './cpu-budget.ts';
import { benchProcessEnv } from './env.ts';
import { countIssues, fillIssues } from './fill.ts';
import { fillGatewayEnterprises } from './gateway-fill.ts';
import { load, sameRequest, type Load } from './load.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = process.env.BENCH_GATEWAY_DB ?? 'yingshang_bench_gateway';
const ISSUES = Number(process.env.BENCH_GATEWAY_ISSUES ?? 20_000);
const DURATION_MS = Number(process.env.BENCH_DURATION_S ?? 8) * 1000;
const BASE_PORT = Number(process.env.BENCH_GATEWAY_PORT ?? 4810);
/** The CPU budget of each subgraph replica in the second scale-out figure (BENCH_REPLICA_CPUS, in CPUs). */
const REPLICA_CPUS = Number(process.env.BENCH_REPLICA_CPUS ?? 0.25);
/**
 * The CPU budget of each gateway in the distinct users' gateway-bound rounds (BENCH_GATEWAY_CPUS, in
 * CPUs): small enough that the gateway, not the subgraphs and PostgreSQL sharing the other cores,
 * is what limits req/s — as a gateway replica with a container's CPU limit is.
 */
const GATEWAY_CPUS = Number(process.env.BENCH_GATEWAY_CPUS ?? 0.25);
/**
 * The parts to run (BENCH_GATEWAY_PARTS, comma-separated; all by default): `same` (one query, one
 * token from every connection, and the units list against the subgraph), `distinct` (a user per
 * connection and changing variables, bench/gateway-users.ts), `scale-out` (one vs two replicas).
 */
const PARTS = new Set((process.env.BENCH_GATEWAY_PARTS ?? 'same,distinct,scale-out').split(',').map((part) => part.trim()));
/** A directory to write our (first) gateway's CPU profile into when it stops (BENCH_GATEWAY_CPU_PROF; `node --cpu-prof`). */
const CPU_PROFILE_DIR = process.env.BENCH_GATEWAY_CPU_PROF;
/** A directory to write each subgraph's (first replica's) CPU profile into when it stops (BENCH_SUBGRAPH_CPU_PROF). */
const SUBGRAPH_PROFILE_DIR = process.env.BENCH_SUBGRAPH_CPU_PROF;
/**
 * A checkout of an earlier commit (BENCH_GATEWAY_BASELINE, e.g. `git archive <commit> | tar -x -C <dir>`
 * with node_modules linked): its gateway runs beside ours in the distinct-user rounds, interleaved,
 * for a before/after of a change measured in one run.
 */
const BASELINE_DIR = process.env.BENCH_GATEWAY_BASELINE;

export interface Service {
  name: string;
  child: ChildProcess;
  requests: number;
  /** A subgraph process (its request lines are subgraph calls). */
  subgraph: boolean;
}

export function serverUrl(database: string): string {
  const url = new URL(process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}

export async function ensureDatabase(name = DB): Promise<string> {
  const admin = postgres(serverUrl('postgres'), { max: 1, onnotice: () => {} });
  try {
    if (!(await admin`select 1 from pg_database where datname = ${name}`).length) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return serverUrl(name);
}

export function start(name: string, args: string[], env: Record<string, string>, subgraph = false, cwd = root): Service {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const service: Service = { name, child, requests: 0, subgraph };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) if (line.includes('"msg":"request"')) service.requests++;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    if (/error/i.test(text) && !/ExperimentalWarning|nodedir/.test(text)) process.stderr.write(`[${name}] ${text}`);
  });
  return service;
}

/** How long a service may take to come up (BENCH_START_TIMEOUT_S, 180 s by default: a dozen processes start at once on a shared machine). */
const START_TIMEOUT_MS = Number(process.env.BENCH_START_TIMEOUT_S ?? 180) * 1000;

export async function waitFor(url: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not come up`);
}

export { load, sameRequest, type BenchRequest, type Load, type NextRequest } from './load.ts';

export async function runGatewayBench(): Promise<void> {
  const url = await ensureDatabase();
  const database = openPostgres(url);
  await prepareDatabase(database, slices, { sample: false });
  const issuesDb = database.forSubgraph('issues').db;
  const present = await countIssues(issuesDb);
  if (present < ISSUES) await fillIssues(database.owner(), ISSUES - present, present);
  // Enterprises with applications of their own, for the distinct users' enterprise tokens.
  if (PARTS.has('distinct')) await fillGatewayEnterprises(database.owner(), database.owner());
  await database.close();

  const ports = Object.fromEntries(slices.map((slice, index) => [slice.name, BASE_PORT + index]));
  const common: Record<string, string> = {
    ...benchProcessEnv(url, 'info'),
    ...Object.fromEntries(
      slices.flatMap((slice) => [
        [`${slice.name.toUpperCase()}_PORT`, String(ports[slice.name])],
        [`${slice.name.toUpperCase()}_URL`, `http://127.0.0.1:${ports[slice.name]}/graphql`],
      ]),
    ),
  };
  const services: Service[] = [];
  const stopAll = () => services.forEach((service) => service.child.kill('SIGTERM'));
  process.on('exit', stopAll);
  // Each subgraph replica in a control group of its own, unlimited until the budgeted scale-out figure.
  const budgets = openCpuBudgets(`yingshang-bench-${process.pid}`);
  try {
    // The units subgraph first (the others read its directory), then the rest; and a second replica
    // of each, for the scale-out figure at the end.
    const replicaPorts = Object.fromEntries(slices.map((slice, index) => [slice.name, BASE_PORT + 20 + index]));
    const subgraphProfile = SUBGRAPH_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(SUBGRAPH_PROFILE_DIR)] : [];
    for (const slice of slices) {
      services.push(start(slice.name, [...subgraphProfile, '--import', 'tsx', 'bin/subgraph.ts', slice.name], common, true));
      await waitFor(`http://127.0.0.1:${ports[slice.name]}/health`);
    }
    // The second replicas and the scale-out gateways only when that part runs.
    const scaling = PARTS.has('scale-out');
    for (const slice of scaling ? slices : []) {
      services.push(
        start(
          `${slice.name}#2`,
          ['--import', 'tsx', 'bin/subgraph.ts', slice.name],
          { ...common, [`${slice.name.toUpperCase()}_PORT`]: String(replicaPorts[slice.name]) },
          true,
        ),
      );
    }
    for (const service of services) budgets?.add(service.name, service.child.pid!);
    const subgraphGroups = services.map((service) => service.name);
    for (const slice of slices) {
      await waitFor(`http://127.0.0.1:${ports[slice.name]}/ready`);
      if (scaling) await waitFor(`http://127.0.0.1:${replicaPorts[slice.name]}/ready`);
    }
    const apolloPort = BASE_PORT + 50;
    const hivePort = BASE_PORT + 51;
    const profile = CPU_PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(CPU_PROFILE_DIR)] : [];
    const apollo = start('apollo', [...profile, '--import', 'tsx', 'bin/gateway.ts'], {
      ...common,
      PORT: String(apolloPort),
      LOG_LEVEL: 'warn',
    });
    services.push(apollo);
    // Our gateway again, in front of both replicas of every subgraph (`<NAME>_URL` lists both); and
    // the pair once more without merging reads in flight, so that every request reaches a subgraph.
    const replicaUrls = Object.fromEntries(
      slices.map((slice) => [
        `${slice.name.toUpperCase()}_URL`,
        `http://127.0.0.1:${ports[slice.name]}/graphql,http://127.0.0.1:${replicaPorts[slice.name]}/graphql`,
      ]),
    );
    const scaleOut = [
      { name: 'one replica', port: apolloPort, merge: true },
      { name: 'two replicas', port: BASE_PORT + 52, merge: true, env: replicaUrls },
      { name: 'one replica, no merging', port: BASE_PORT + 53, merge: false },
      { name: 'two replicas, no merging', port: BASE_PORT + 54, merge: false, env: replicaUrls },
    ];
    for (const setup of scaling ? scaleOut.slice(1) : []) {
      services.push(
        start(`apollo ${setup.name}`, ['--import', 'tsx', 'bin/gateway.ts'], {
          ...common,
          ...setup.env,
          PORT: String(setup.port),
          LOG_LEVEL: 'warn',
          MERGE_INFLIGHT_REQUESTS: String(setup.merge),
        }),
      );
    }

    // Hive Gateway, default settings, on the same supergraph with the subgraphs' URLs, forwarding the token.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hive-bench-'));
    let supergraph = fs.readFileSync(path.join(root, 'schema/supergraph.graphql'), 'utf8');
    for (const slice of slices) {
      supergraph = supergraph.replace(
        new RegExp(`(@join__graph\\(name: "${slice.name}", url: ")[^"]*(")`),
        `$1http://127.0.0.1:${ports[slice.name]}/graphql$2`,
      );
    }
    fs.writeFileSync(path.join(dir, 'supergraph.graphql'), supergraph);
    fs.writeFileSync(
      path.join(dir, 'gateway.config.mjs'),
      `export const gatewayConfig = { propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? '' }) } };\n`,
    );
    const hiveBin = path.join(root, 'node_modules/@graphql-hive/gateway/dist/bin.js');
    const hive = start(
      'hive',
      [
        hiveBin,
        'supergraph',
        path.join(dir, 'supergraph.graphql'),
        '--port',
        String(hivePort),
        '--host',
        '127.0.0.1',
        '--config-path',
        path.join(dir, 'gateway.config.mjs'),
        '--disable-websockets',
      ],
      { NODE_ENV: 'production' },
    );
    services.push(hive);
    const baselinePort = BASE_PORT + 55;
    const baseline = BASELINE_DIR
      ? start(
          'apollo before',
          ['--import', 'tsx', 'bin/gateway.ts'],
          { ...common, PORT: String(baselinePort), LOG_LEVEL: 'warn' },
          false,
          path.resolve(BASELINE_DIR),
        )
      : undefined;
    if (baseline) {
      services.push(baseline);
      await waitFor(`http://127.0.0.1:${baselinePort}/ready`);
    }
    for (const setup of scaling ? scaleOut : scaleOut.slice(0, 1)) await waitFor(`http://127.0.0.1:${setup.port}/ready`);
    // The gateways compared, each in a group of its own for the gateway-bound rounds.
    const gatewayGroups = [apollo, hive, ...(baseline ? [baseline] : [])].map((service) => service.name);
    for (const service of [apollo, hive, ...(baseline ? [baseline] : [])]) budgets?.add(service.name, service.child.pid!);
    await waitFor(`http://127.0.0.1:${hivePort}/healthcheck`);

    const office = await signToken(
      { sub: 'bench-office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') },
      { secret: DEVELOPMENT_JWT_SECRET },
    );
    const staff = await signToken(
      { sub: 'bench-staff', role: 'UNIT_STAFF', unit: unitIdForCode('MARKET_REGULATION_BUREAU') },
      { secret: DEVELOPMENT_JWT_SECRET },
    );
    const STATS =
      'received accepted closed overdueNow reopened responseRate feedbackRate onTimeResolutionRate rectificationRate resolutionRate satisfactionRate';
    const queries = [
      {
        name: 'board (units → issueStats, every unit, one year)',
        token: office,
        body: JSON.stringify({
          query: `{ units(first: 100) { edges { node { code name issueStats(period: { from: "2026-01-01", to: "2026-12-31" }) { ${STATS} } } } } }`,
        }),
      },
      {
        name: "a bureau's list with unit names",
        token: staff,
        body: JSON.stringify({
          query: `{ issues(first: 20) { totalCount edges { node { number title status responsibleUnit { name } } } } }`,
        }),
      },
    ];
    const subgraphCalls = () => services.filter((s) => s.subgraph).reduce((sum, s) => sum + s.requests, 0);
    const engines = [
      { name: 'apollo', url: `http://127.0.0.1:${apolloPort}/graphql` },
      { name: 'hive', url: `http://127.0.0.1:${hivePort}/graphql` },
    ];
    console.log(
      `\nGateway throughput: ${Math.max(present, ISSUES).toLocaleString('en')} issues (${DB}); every service its own process on ${os.cpus().length} CPUs; ${DURATION_MS / 1000} s per round after a 2 s warm-up, rounds interleaved.\n`,
    );
    for (const query of PARTS.has('same') ? queries : []) {
      for (const concurrency of [16, 64]) {
        const results: Record<string, Load[]> = { apollo: [], hive: [] };
        const calls: Record<string, number> = { apollo: 0, hive: 0 };
        for (let round = 0; round < 2; round++) {
          for (const engine of engines) {
            await load(engine.url, sameRequest(query.body, query.token), concurrency, 2_000);
            const before = subgraphCalls();
            const result = await load(engine.url, sameRequest(query.body, query.token), concurrency, DURATION_MS);
            calls[engine.name]! += subgraphCalls() - before;
            results[engine.name]!.push(result);
          }
        }
        const sum = (name: string) => {
          const list = results[name]!;
          const requests = list.reduce((s, r) => s + r.requests, 0);
          return {
            rps: list.reduce((s, r) => s + r.rps, 0) / list.length,
            p50: list.reduce((s, r) => s + r.p50, 0) / list.length,
            p99: Math.max(...list.map((r) => r.p99)),
            errors: list.reduce((s, r) => s + r.errors, 0),
            callsPerRequest: requests ? calls[name]! / requests : NaN,
          };
        };
        const a = sum('apollo');
        const h = sum('hive');
        console.log(`${query.name}, c=${concurrency}`);
        for (const [name, r] of [
          ['apollo', a],
          ['hive', h],
        ] as const) {
          console.log(
            `  ${name.padEnd(6)} ${r.rps.toFixed(1).padStart(7)} req/s · p50 ${r.p50.toFixed(1)} ms · p99 ${r.p99.toFixed(1)} ms · ${r.errors} errors · ${r.callsPerRequest.toFixed(2)} subgraph calls per request`,
          );
        }
        console.log(
          `  apollo/hive ${(a.rps / h.rps).toFixed(2)}× req/s, p99 ${a.p99 <= h.p99 ? 'no worse' : `worse (${a.p99.toFixed(1)} vs ${h.p99.toFixed(1)} ms)`}\n`,
        );
      }
    }
    // Our gateway against the subgraph itself, on a query one subgraph answers alone.
    const unitsList = JSON.stringify({ query: `{ units(first: 50) { totalCount edges { node { id code name kind } } } }` });
    const direct = { gateway: [] as Load[], direct: [] as Load[] };
    for (let round = 0; round < (PARTS.has('same') ? 2 : 0); round++) {
      for (const [name, target] of [
        ['gateway', `http://127.0.0.1:${apolloPort}/graphql`],
        ['direct', `http://127.0.0.1:${ports.units}/graphql`],
      ] as const) {
        await load(target, sameRequest(unitsList, office), 16, 2_000);
        direct[name].push(await load(target, sameRequest(unitsList, office), 16, DURATION_MS));
      }
    }
    const mean = (list: Load[]) => list.reduce((s, r) => s + r.rps, 0) / list.length;
    if (PARTS.has('same'))
      console.log(
        `units list (one subgraph), c=16\n  gateway ${mean(direct.gateway).toFixed(1)} req/s · direct ${mean(direct.direct).toFixed(1)} req/s · gateway/direct ${(mean(direct.gateway) / mean(direct.direct)).toFixed(2)}×\n`,
      );

    // Scale-out: the board through our gateway with one and with two replicas of every subgraph
    // (processes on this machine; docker-compose runs them as containers the same way).
    // First as the processes are, sharing this machine's cores; then with a CPU budget per replica,
    // as replicas in containers or on machines of their own have (bench/cpu-budget.ts).
    const board = queries[0]!;
    if (PARTS.has('distinct')) {
      const { runDistinctUsers } = await import('./gateway-users.ts');
      await runDistinctUsers({
        apolloUrl: engines[0]!.url,
        hiveUrl: engines[1]!.url,
        subgraphUrl: (name) => `http://127.0.0.1:${ports[name]}/graphql`,
        subgraphCalls,
        ms: DURATION_MS,
        ...(BASELINE_DIR ? { baselineUrl: `http://127.0.0.1:${baselinePort}/graphql` } : {}),
        processes: {
          apollo: apollo.child.pid!,
          hive: hive.child.pid!,
          ...(baseline ? { before: baseline.child.pid! } : {}),
          subgraphs: Object.fromEntries(slices.map((slice) => [slice.name, services.find((s) => s.name === slice.name)!.child.pid!])),
        },
        ...(budgets ? { gatewayBudget: { cpus: GATEWAY_CPUS, limit: (cpus: number | null) => budgets.limit(cpus, gatewayGroups) } } : {}),
      });
      if (!budgets) console.log('(No gateway-bound rounds: this process may not create control groups; run as root on Linux.)\n');
    }
    const budgetsToMeasure: (number | null)[] = PARTS.has('scale-out') ? [null, ...(budgets ? [REPLICA_CPUS] : [])] : [];
    for (const cpus of budgetsToMeasure) {
      budgets?.limit(cpus, subgraphGroups);
      for (const concurrency of [16, 64]) {
        const byName: Record<string, Load[]> = {};
        for (let round = 0; round < 2; round++) {
          for (const setup of scaleOut) {
            const target = `http://127.0.0.1:${setup.port}/graphql`;
            await load(target, sameRequest(board.body, board.token), concurrency, 2_000);
            (byName[setup.name] ??= []).push(await load(target, sameRequest(board.body, board.token), concurrency, DURATION_MS));
          }
        }
        const sharing = cpus === null ? `sharing the machine's ${os.cpus().length} CPUs` : `each replica with a budget of ${cpus} CPU`;
        console.log(`board, one vs two replicas of every subgraph (${sharing}), c=${concurrency}`);
        for (const setup of scaleOut) {
          const list = byName[setup.name]!;
          console.log(
            `  ${setup.name.padEnd(26)} ${mean(list).toFixed(1).padStart(7)} req/s · p99 ${Math.max(...list.map((r) => r.p99)).toFixed(1)} ms · ${list.reduce((s, r) => s + r.errors, 0)} errors`,
          );
        }
        console.log(
          `  two/one ${(mean(byName['two replicas']!) / mean(byName['one replica']!)).toFixed(2)}× · without merging ${(mean(byName['two replicas, no merging']!) / mean(byName['one replica, no merging']!)).toFixed(2)}×\n`,
        );
      }
    }
    if (!budgets && PARTS.has('scale-out'))
      console.log('(No CPU budget per replica measured: this process may not create control groups; run as root on Linux.)\n');
  } finally {
    budgets?.limit(null);
    stopAll();
    const exited = services.map((service) =>
      service.child.exitCode === null && service.child.signalCode === null
        ? new Promise((resolve) => service.child.once('exit', resolve))
        : null,
    );
    await Promise.race([Promise.all(exited), new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
    budgets?.remove();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await runGatewayBench();
