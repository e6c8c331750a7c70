/**
 * `npm run bench`: response times of the command office's cross-unit queries through the gateway,
 * on a PostgreSQL database holding at least BENCH_ISSUES issues (default 100,000); then the policies
 * slice's (bench/policies.ts): Chinese text search on 30,000 documents, matching one enterprise
 * against 10,000 items, runAutomaticGrants over 100,000 enterprises, policyStats of every unit; then
 * the command office's board with BENCH_REVIEWS service reviews (bench/evaluations.ts).
 *
 * Uses BENCH_DATABASE_URL, else DATABASE_URL's server, else the local server at 127.0.0.1:5432,
 * in a database of its own (`yingshang_bench`, created and filled on the first run, reused after).
 * Client, gateway and subgraphs share this process, as in the stack notes' measurements.
 */
import { benchPlatformEnv } from './env.ts';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { openPostgres } from '../db/client.ts';
import { loadEnv } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { startPlatform } from '../gateway/platform.ts';
import { signToken } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { countIssues, fillIssues } from './fill.ts';
import { runEvaluationsBench } from './evaluations.ts';
import { runPoliciesBench } from './policies.ts';

const TARGET = Number(process.env.BENCH_ISSUES ?? 100_000);
/** BENCH_ONLY=issues,policies,evaluations runs only those parts (all by default). */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'issues,policies,evaluations').split(',').map((part) => part.trim()));
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
/** Its own database; BENCH_DB_NAME keeps two checkouts' benchmarks apart on one server. */
const BENCH_DB = process.env.BENCH_DB_NAME ?? 'yingshang_bench';

function serverUrl(): string {
  const configured = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(configured);
  url.pathname = '/postgres';
  return url.toString();
}

async function ensureDatabase(): Promise<string> {
  const admin = postgres(serverUrl(), { max: 1, onnotice: () => {} });
  try {
    const exists = await admin`select 1 from pg_database where datname = ${BENCH_DB}`;
    if (!exists.length) await admin.unsafe(`create database ${BENCH_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  if (process.argv[2] === 'limits') {
    await import('./limits.ts');
    return;
  }
  if (process.argv[2] === 'gateway') {
    const { runGatewayBench } = await import('./gateway.ts');
    await runGatewayBench();
    return;
  }
  const url = await ensureDatabase();
  const database = openPostgres(url);
  await prepareDatabase(database, slices, { sample: false });
  const issuesDb = database.forSubgraph('issues').db;
  const present = await countIssues(issuesDb);
  if (present < TARGET) {
    const started = performance.now();
    console.log(`Filling ${TARGET - present} synthetic issues…`);
    await fillIssues(issuesDb, TARGET - present, present, (done) => process.stdout.write(`\r  ${done.toLocaleString('en')} issues`));
    process.stdout.write('\n');
    console.log(`…done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const total = await countIssues(issuesDb);

  // The clock of the benchmark sits at the end of the campaign, so deadlines are a realistic mix.
  const platform = await startPlatform({
    env: loadEnv(benchPlatformEnv(), slices),
    database,
    ephemeralPorts: true,
    now: () => new Date('2023-12-29T10:00:00+08:00'),
  });
  const office = await signToken({ sub: 'bench-office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') }, { secret: DEVELOPMENT_JWT_SECRET });
  const staff = await signToken({ sub: 'bench-staff', role: 'UNIT_STAFF', unit: unitIdForCode('MARKET_REGULATION_BUREAU') }, { secret: DEVELOPMENT_JWT_SECRET });
  const STATS = 'received accepted closed overdueNow reopened responseRate feedbackRate onTimeResolutionRate rectificationRate resolutionRate satisfactionRate';
  const cases: { name: string; token: string; query: string }[] = [
    {
      name: 'command office: issueStats of every unit, 2023 (one request)',
      token: office,
      query: `{ units(first: 100) { edges { node { code name issueStats(period: { from: "2023-01-01", to: "2023-12-31" }) { ${STATS} } } } } }`,
    },
    {
      name: 'command office: issueStats of every unit + every domain + the city, 2023 (one request)',
      token: office,
      query: `{ units(first: 100) { edges { node { code name issueStats(period: { from: "2023-01-01", to: "2023-12-31" }) { ${STATS} } } } }
               domains { code issueStats(period: { from: "2023-01-01", to: "2023-12-31" }) { ${STATS} } }
               issueStats(period: { from: "2023-01-01", to: "2023-12-31" }) { ${STATS} } }`,
    },
    {
      name: 'command office: overdue issues of a domain, first 20 with totalCount and units',
      token: office,
      query: `{ issues(filter: { domainCode: "POLITICS_LAW", overdue: true }, first: 20) { totalCount edges { node { number title status responsibleUnit { name } deadlines { stage dueAt state } } } } }`,
    },
    {
      name: 'command office: free-text search "第 4242 号" (trigram index), first 20 with totalCount',
      token: office,
      query: `{ issues(filter: { text: "第 4242 号" }, first: 20) { totalCount edges { node { number title } } } }`,
    },
    {
      name: 'command office: near-due and overdue alerts, first 20',
      token: office,
      query: `{ issueAlerts(first: 20) { totalCount edges { node { issue { number title } deadline { stage dueAt state } } } } }`,
    },
    {
      name: 'bureau (市市场监管局 staff): own issues, first 20 with deadlines and history',
      token: staff,
      query: `{ issues(first: 20) { totalCount edges { node { number status deadlines { stage state } history { action at } } } } }`,
    },
  ];

  console.log(`\nDatabase: ${total.toLocaleString('en')} issues on PostgreSQL (${BENCH_DB}); ${RUNS} timed runs after 3 warm-ups, sequential, through the gateway.\n`);
  for (const c of ONLY.has('issues') ? cases : []) {
    const run = async () => {
      const response = await fetch(platform.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
        body: JSON.stringify({ query: c.query }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (body.errors) throw new Error(`${c.name}: ${JSON.stringify(body.errors)}`);
    };
    for (let i = 0; i < 3; i++) await run();
    const times: number[] = [];
    platform.statements.issues!.count = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const statements = platform.statements.issues!.count / RUNS;
    console.log(`${c.name}\n  median ${percentile(sorted, 50).toFixed(1)} ms · p95 ${percentile(sorted, 95).toFixed(1)} ms · min ${sorted[0]!.toFixed(1)} ms · ${statements} SQL statements per request in the issues subgraph\n`);
  }
  await platform.stop();
  if (ONLY.has('policies')) await runPoliciesBench(database, RUNS);
  if (ONLY.has('evaluations')) await runEvaluationsBench(database, RUNS);
  await database.close();
}

await main();
