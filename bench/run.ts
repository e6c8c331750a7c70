/**
 * `npm run bench`: response times of the command office's cross-unit queries through the gateway at
 * two sizes side by side (BENCH_ISSUES, default 100,000 and 1,000,000 issues, interleaved), with
 * p50/p95, SQL statements per request and the larger size's p95 over the smaller's; then the policies
 * slice's (bench/policies.ts): Chinese text search on 30,000 documents, matching one enterprise
 * against 10,000 items, runAutomaticGrants over 100,000 enterprises, policyStats of every unit; then
 * the command office's board with BENCH_REVIEWS service reviews (bench/evaluations.ts); and first the
 * market-entity registry's import of 2,008,000 entities (bench/registry.ts).
 *
 * Uses BENCH_DATABASE_URL, else DATABASE_URL's server, else the local server at 127.0.0.1:5432,
 * in a database per size (`yingshang_bench_100k`, `yingshang_bench_1m`: created and filled on the
 * first run, reused after); the policies and evaluations parts use the largest.
 * Client, gateway and subgraphs share this process, as in the stack notes' measurements.
 */
import { BENCH_NOW, benchPlatformEnv, postGraphQL, WARMUPS } from './env.ts';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/client.ts';
import { loadEnv } from '../platform/env.ts';
import { slices } from '../subgraphs/registry.ts';
import { startPlatform } from '../bin/platform.ts';
import { signToken } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { issuesDatabase, sizeLabel } from './fill.ts';
import { runEvaluationsBench } from './evaluations.ts';
import { runFinancingBench } from './financing.ts';
import { runOutboxBench } from './outbox.ts';
import { runPoliciesBench } from './policies.ts';

/**
 * The sizes measured side by side, in one run (BENCH_ISSUES, comma-separated; default 100,000 and
 * 1,000,000), each in a database of its own: `<BENCH_DB_NAME>_<size>` (yingshang_bench_100k, …).
 */
const SIZES = (process.env.BENCH_ISSUES ?? '100000,1000000').split(',').map((size) => Number(size.trim()));
/** BENCH_ONLY=issues,policies,evaluations,financing,registry,outbox runs only those parts (all by default); `npm run bench -- financing` the financing part alone. */
const ONLY = new Set(
  (process.env.BENCH_ONLY ?? 'issues,policies,evaluations,financing,registry,outbox').split(',').map((part) => part.trim()),
);
/** Timed runs per case and size (BENCH_RUNS), 50 by default: out of 20, a p95 would be the second-slowest run. */
const RUNS = Number(process.env.BENCH_RUNS ?? 50);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  if (process.argv[2] === 'limits') {
    await import('./limits.ts');
    return;
  }
  if (process.argv[2] === 'observability') {
    const { runObservabilityBench } = await import('./observability.ts');
    await runObservabilityBench();
    return;
  }
  if (process.argv[2] === 'financing') {
    await runFinancingBench();
    return;
  }
  if (process.argv[2] === 'batch') {
    const { runBatchBench } = await import('./batch.ts');
    await runBatchBench();
    return;
  }
  if (process.argv[2] === 'outbox') {
    await runOutboxBench();
    return;
  }
  if (process.argv[2] === 'lists') {
    const { runListsBench } = await import('./lists.ts');
    await runListsBench();
    return;
  }
  if (process.argv[2] === 'city') {
    const { runCityBench } = await import('./city.ts');
    await runCityBench();
    return;
  }
  if (process.argv[2] === 'soak') {
    const { runSoakBench } = await import('./soak.ts');
    await runSoakBench();
    return;
  }
  if (process.argv[2] === 'gateway') {
    const { runGatewayBench } = await import('./gateway.ts');
    await runGatewayBench();
    return;
  }
  // The registry import (bench/registry.ts) needs none of the issues databases.
  if (ONLY.has('registry')) {
    const { runRegistryBench } = await import('./registry.ts');
    await runRegistryBench();
  }
  if (!['issues', 'policies', 'evaluations'].some((part) => ONLY.has(part))) {
    // In a database of its own (yingshang_bench_financing): it needs none of the issues databases either.
    if (ONLY.has('financing')) await runFinancingBench();
    // In a database of its own (yingshang_bench_outbox): the delivery rate and a receiver's outage.
    if (ONLY.has('outbox')) await runOutboxBench();
    return;
  }
  const sized = [];
  for (const size of SIZES) sized.push(await issuesDatabase(size));

  // The clock of the benchmark sits where the synthetic issues end (BENCH_NOW), so deadlines are a realistic mix.
  const platforms = await Promise.all(
    sized.map((entry) =>
      startPlatform({
        env: loadEnv(benchPlatformEnv(), slices),
        database: entry.database,
        ephemeralPorts: true,
        now: () => BENCH_NOW,
      }),
    ),
  );
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
  const cases: { name: string; token: string; query: string }[] = [
    {
      name: 'command office: issueStats of every unit, 2026 (one request)',
      token: office,
      query: `{ units(first: 100) { edges { node { code name issueStats(period: { from: "2026-01-01", to: "2026-12-31" }) { ${STATS} } } } } }`,
    },
    {
      name: 'command office: issueStats of every unit + every domain + the city, 2026 (one request)',
      token: office,
      query: `{ units(first: 100) { edges { node { code name issueStats(period: { from: "2026-01-01", to: "2026-12-31" }) { ${STATS} } } } }
               domains { code issueStats(period: { from: "2026-01-01", to: "2026-12-31" }) { ${STATS} } }
               issueStats(period: { from: "2026-01-01", to: "2026-12-31" }) { ${STATS} } }`,
    },
    {
      name: 'command office: overdue issues of a domain, first 20 with totalCount and units',
      token: office,
      query: `{ issues(filter: { domainCode: "POLITICS_LAW", overdue: true }, first: 20) { totalCount edges { node { number title status responsibleUnit { name } deadlines { stage dueAt state } } } } }`,
    },
    {
      name: 'command office: free-text search "第 4242 号" (search terms index), first 20 with totalCount',
      token: office,
      query: `{ issues(filter: { text: "第 4242 号" }, first: 20) { totalCount edges { node { number title } } } }`,
    },
    {
      name: 'command office: free-text search of a word in every description, "审批用地", first 20 with totalCount',
      token: office,
      query: `{ issues(filter: { text: "审批用地" }, first: 20) { totalCount edges { node { number title } } } }`,
    },
    {
      name: 'command office: near-due and overdue alerts, first 20',
      token: office,
      query: `{ issueAlerts(first: 20) { totalCount edges { node { issue { number title } deadline { stage dueAt state } } } } }`,
    },
    {
      // One candidate lookup per waiting item (the credit code's and the search terms' indexes within 30 days).
      name: 'command office: duplicate appeals at intake (intakeDuplicates), 20 waiting items with their likely duplicates',
      token: office,
      query: `{ intakeDuplicates(first: 20) { edges { node { issue { number } likelyDuplicates { score issue { number } reasons { kind sharedTerms } merge { id intoId } } } } pageInfo { endCursor } } }`,
    },
    {
      name: 'bureau (市市场监管局 staff): own issues, first 20 with deadlines and history',
      token: staff,
      query: `{ issues(first: 20) { totalCount edges { node { number status deadlines { stage state } history { action at } } } } }`,
    },
  ];

  const open = await Promise.all(
    sized.map(
      async ({ database }) =>
        rowsOf<{ issues: number; deadlines: number }>(
          await database.owner().execute(sql`select (select count(*) from issues.issues where next_due_at is not null)::int as issues,
          (select count(*) from issues.issue_deadlines where met_at is null and cancelled_at is null)::int as deadlines`),
        )[0]!,
    ),
  );
  console.log(
    `\nDatabases: ${sized.map((s, i) => `${s.total.toLocaleString('en')} issues (${s.name}; open: ${open[i]!.issues.toLocaleString('en')} issues with a running clock, ${open[i]!.deadlines.toLocaleString('en')} open deadlines)`).join(', ')} on PostgreSQL.\n` +
      `${RUNS} timed runs per size after ${WARMUPS} warm-ups, sequential, the sizes interleaved, through the gateway; the clock at ${BENCH_NOW.toISOString()} (the issues span 2024-01-01 … then).\n`,
  );
  for (const c of ONLY.has('issues') ? cases : []) {
    const run = async (index: number) => {
      const body = await postGraphQL(platforms[index]!.gateway.url, { query: c.query }, c.token);
      if (body.errors) throw new Error(`${c.name}: ${JSON.stringify(body.errors)}`);
    };
    for (let i = 0; i < WARMUPS; i++) for (const index of sized.keys()) await run(index);
    const times: number[][] = sized.map(() => []);
    for (const platform of platforms) platform.statements.issues!.count = 0;
    for (let i = 0; i < RUNS; i++) {
      for (const index of sized.keys()) {
        const started = performance.now();
        await run(index);
        times[index]!.push(performance.now() - started);
      }
    }
    console.log(c.name);
    const p95s: number[] = [];
    for (const [index, entry] of sized.entries()) {
      const sorted = [...times[index]!].sort((a, b) => a - b);
      p95s.push(percentile(sorted, 95));
      const statements = platforms[index]!.statements.issues!.count / RUNS;
      console.log(
        `  ${sizeLabel(entry.size).padStart(5)}: median ${percentile(sorted, 50).toFixed(1)} ms · p95 ${percentile(sorted, 95).toFixed(1)} ms · min ${sorted[0]!.toFixed(1)} ms · ${statements} SQL statements per request in the issues subgraph`,
      );
    }
    if (sized.length > 1)
      console.log(`  p95 ${sizeLabel(sized.at(-1)!.size)} ÷ ${sizeLabel(sized[0]!.size)}: ${(p95s.at(-1)! / p95s[0]!).toFixed(2)}×`);
    console.log('');
  }
  await Promise.all(platforms.map((platform) => platform.stop()));
  const largest = sized.at(-1)!.database;
  if (ONLY.has('policies')) await runPoliciesBench(largest, RUNS);
  if (ONLY.has('evaluations')) await runEvaluationsBench(largest, RUNS);
  for (const entry of sized) await entry.database.close();
  // In a database of its own (yingshang_bench_financing), whatever the sizes above.
  if (ONLY.has('financing')) await runFinancingBench();
  // In a database of its own (yingshang_bench_outbox): the delivery rate and a receiver's outage.
  if (ONLY.has('outbox')) await runOutboxBench();
}

await main();
