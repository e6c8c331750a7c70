/**
 * The financing slice's benchmark (`npm run bench -- financing`, or BENCH_ONLY=financing), on 57
 * institutions, 546 branches, 300 products and 200,000 demands with their events, limits, loans and
 * kept figures (bench/financing-fill.ts), in a database of its own (`<BENCH_DB_NAME>_financing`):
 * - financingStats of the city and every institution, branch, district and category in one request,
 *   the regulator asking through the gateway, for a calendar month, the year to date, six weeks
 *   read from daily rows alone, and all time (goal: p95 ≤ 50 ms), with its SQL statements — asked
 *   again and again (the answer kept between steps, use-cases/figures.ts), and each time right after
 *   a step (a demand posted, untimed: the groups it moved computed anew), and the answer kept asked
 *   straight at the financing subgraph (without the gateway's share);
 * - productMatches for one enterprise, the enterprise asking through the gateway (goal: p95 ≤ 30 ms);
 * - 57 institutions claiming one fresh demand at the same instant, through the financing
 *   subgraph's HTTP endpoint, a round per fresh demand (goal: p99 ≤ 200 ms; exactly one winner per
 *   round, asserted).
 */
import { performance } from 'node:perf_hooks';
import { openPostgres } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { startPlatform } from '../bin/platform.ts';
import { signToken } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { BENCH_DB, benchPlatformEnv, ensureBenchDatabase, postGraphQL, WARMUPS } from './env.ts';
import { BENCH_ENTERPRISE, fillFinancing, financingCounts, FINANCING_SIZES } from './financing-fill.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
/** Rounds of the 57-claimer race (BENCH_CLAIM_ROUNDS), each on a fresh demand. */
const CLAIM_ROUNDS = Number(process.env.BENCH_CLAIM_ROUNDS ?? 20);
/** Runs of financingStats each right after a step (BENCH_RECOMPUTED_RUNS): the answer computed anew, not the one kept. */
const RECOMPUTED_RUNS = Number(process.env.BENCH_RECOMPUTED_RUNS ?? 20);
const NOW = new Date('2026-11-23T10:00:00+08:00');

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `median ${percentile(sorted, 50).toFixed(1)} ms · p95 ${percentile(sorted, 95).toFixed(1)} ms · p99 ${percentile(sorted, 99).toFixed(1)} ms · max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`;
};

const FIGURES = `{ posted routed claimed dispatched chosen approved disbursed declined withdrawn amountAsked amountLent firstLoans firstLoanAmount
  pureCreditLoans pureCreditAmount medianHoursToClaim medianWorkingDaysToDecision pastLimit averageRatePercent ratings averageRating }`;
const STATS = `query($period: PeriodInput) { financingStats(period: $period) { city ${FIGURES}
  institutions { key name figures ${FIGURES} } branches { key name figures ${FIGURES} }
  districts { key name figures ${FIGURES} } categories { key name figures ${FIGURES} } } }`;
const MATCHES = `query($code: String!) { productMatches(creditCode: $code) { product { id name category } criteria { criterion met reason } } }`;

export async function runFinancingBench(): Promise<void> {
  const name = `${BENCH_DB}_financing`;
  const database = openPostgres(await ensureBenchDatabase(name));
  await prepareDatabase(database, slices, { sample: false });
  const financingDb = database.forSubgraph('financing').db;
  const present = await financingCounts(financingDb);
  if (present.institutions < FINANCING_SIZES.institutions || present.demands < FINANCING_SIZES.demands) {
    const started = performance.now();
    console.log(`Filling ${name}: 57 institutions, 546 branches, 300 products, 200,000 demands with events, limits, loans, kept figures…`);
    await fillFinancing(database.owner(), database.owner(), NOW);
    console.log(`…done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const platform = await startPlatform({ env: loadEnv(benchPlatformEnv(), slices), database, ephemeralPorts: true, now: () => NOW });
  try {
    const token = (claims: Parameters<typeof signToken>[0]) => signToken(claims, { secret: DEVELOPMENT_JWT_SECRET });
    const regulator = await token({
      sub: 'bench-regulator',
      role: 'UNIT_STAFF',
      unit: unitIdForCode('LOCAL_FINANCIAL_REGULATION_BUREAU'),
    });
    const enterprise = await token({ sub: 'bench-enterprise', role: 'ENTERPRISE', enterprise: BENCH_ENTERPRISE.creditCode });
    const ask = async (url: string, query: string, variables: Record<string, unknown>, bearer?: string) => {
      const body = await postGraphQL(url, { query, variables }, bearer);
      if (body.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
      return body.data;
    };
    const time = async (run: () => Promise<unknown>) => {
      for (let i = 0; i < WARMUPS; i++) await run();
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      return times;
    };
    const gateway = platform.gateway.url;
    const POST = `mutation($input: PostFinancingDemandInput!) { postFinancingDemand(input: $input) { id routedCount } }`;
    const postInput = (clientRequestId: string) => ({
      creditCode: BENCH_ENTERPRISE.creditCode,
      amount: 500_000,
      termMonths: 12,
      purpose: '基准抢单',
      guaranteeOffered: 'PURE_CREDIT',
      firstLoan: true,
      contact: '基准 13800000000',
      creditReportConsent: true,
      clientRequestId,
    });
    const statements = platform.statements.financing ?? { count: 0 };
    console.log(
      `Financing: ${FINANCING_SIZES.institutions} institutions, ${FINANCING_SIZES.branches} branches, ${FINANCING_SIZES.products} products, ` +
        `${FINANCING_SIZES.demands.toLocaleString('en')} demands; ${RUNS} timed runs after ${WARMUPS} warm-ups.\n`,
    );

    for (const [label, period] of [
      ['a calendar month (2026-10)', { from: '2026-10-01', to: '2026-10-31' }],
      ['the year to date (10 months + 22 days)', { from: '2026-01-01', to: '2026-11-22' }],
      ['six weeks, all days (2026-10-12 … 2026-11-22)', { from: '2026-10-12', to: '2026-11-22' }],
      ['all time', null],
    ] as const) {
      const sample = await ask(gateway, STATS, { period }, regulator);
      statements.count = 0;
      await ask(gateway, STATS, { period }, regulator);
      const perRequest = statements.count;
      const times = await time(() => ask(gateway, STATS, { period }, regulator));
      const stats = sample.financingStats;
      console.log(
        `financingStats, ${label}: city + ${stats.institutions.length} institutions + ${stats.branches.length} branches + ` +
          `${stats.districts.length} districts + ${stats.categories.length} categories (${stats.city.posted.toLocaleString('en')} posted), ` +
          `${perRequest} SQL statement(s), asked again between steps (the answer kept): ${summary(times)}  (goal: p95 ≤ 50 ms)`,
      );
      // The same straight at the subgraph (no gateway: its parse, result shaping and second JSON).
      const direct = await time(() => ask(`${platform.subgraphs.financing?.url ?? ''}`, STATS, { period }, regulator));
      console.log(`financingStats, ${label}, asked again, straight at the financing subgraph: ${summary(direct)}`);
      // The same after a step each time (a demand posted, untimed): the groups it counted under are computed anew.
      const fresh: number[] = [];
      for (let i = 0; i < RECOMPUTED_RUNS; i++) {
        await ask(gateway, POST, { input: postInput(`bench-stats-${Date.now()}-${i}`) }, enterprise);
        const started = performance.now();
        await ask(gateway, STATS, { period }, regulator);
        fresh.push(performance.now() - started);
      }
      console.log(`financingStats, ${label}, right after a step (computed anew): ${summary(fresh)}`);
    }

    const matched = await ask(gateway, MATCHES, { code: BENCH_ENTERPRISE.creditCode }, enterprise);
    const matchTimes = await time(() => ask(gateway, MATCHES, { code: BENCH_ENTERPRISE.creditCode }, enterprise));
    console.log(
      `productMatches for one enterprise (${matched.productMatches.length} of ${FINANCING_SIZES.products} products): ${summary(matchTimes)}  (goal: p95 ≤ 30 ms)`,
    );

    // ── 57 claimers, one demand, one instant, straight at the subgraph ──
    const subgraph = `${platform.subgraphs.financing?.url ?? ''}`;
    const claimers = await Promise.all(
      Array.from({ length: FINANCING_SIZES.institutions }, (_, i) =>
        token({
          sub: `bench-claimer-${i + 1}`,
          role: 'FINANCIAL_INSTITUTION',
          institution: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        }),
      ),
    );
    const CLAIM = `mutation($id: ID!) { claimFinancingDemand(id: $id) { id status } }`;
    const latencies: number[] = [];
    let rounds = 0;
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      const posted = await ask(gateway, POST, { input: postInput(`bench-race-${Date.now()}-${round}`) }, enterprise);
      const demand = posted.postFinancingDemand as { id: string; routedCount: number };
      if (demand.routedCount !== FINANCING_SIZES.institutions) throw new Error(`routed to ${demand.routedCount}, not 57`);
      const answers = await Promise.all(
        claimers.map(async (bearer) => {
          const started = performance.now();
          const body = await postGraphQL(subgraph, { query: CLAIM, variables: { id: demand.id } }, bearer);
          latencies.push(performance.now() - started);
          return body;
        }),
      );
      const winners = answers.filter((body) => !body.errors).length;
      if (winners !== 1) throw new Error(`round ${round}: ${winners} winners`);
      rounds += 1;
    }
    console.log(
      `claimFinancingDemand, 57 institutions at once on one fresh demand, ${rounds} rounds (exactly one winner each): ${summary(latencies)}  (goal: p99 ≤ 200 ms)`,
    );
  } finally {
    await platform.stop();
    await database.close();
  }
}
