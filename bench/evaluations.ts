/**
 * The command office's board (`board(period)` with every unit's issueStats and policyStats, through
 * the gateway) on the benchmark database: the issues already filled (BENCH_ISSUES), the policies
 * bench's 100,000 applications, and BENCH_REVIEWS service reviews (default 500,000) added here with
 * set-based SQL; the half year's evaluation defined (a live preview, the heaviest case: it asks the
 * issues and policies subgraphs for their figures too) and, in a second series, published (frozen).
 *
 * The synthetic issues and reviews span 2024-01-01 … BENCH_NOW and the applications lie in 2026, so
 * the half year is 2026-H1 (its draft measured on 2026-06-29, published once its Q2 reports are due)
 * and policies are asked for 2026 — the point is the cost of the query at that volume, not the
 * meaning of one period.
 */
import { BENCH_NOW, benchPlatformEnv, postGraphQL, WARMUPS } from './env.ts';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { rowsOf, type DatabaseHandle } from '../db/client.ts';
import { referenceUnits, unitIdForCode } from '../db/reference/organisation.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';
import { signToken } from '../platform/auth.ts';
import { startPlatform } from '../bin/platform.ts';
import { slices } from '../subgraphs/registry.ts';
import { BENCH_FIRST_DAY, bulk } from './fill.ts';

export const REVIEWS = Number(process.env.BENCH_REVIEWS ?? 500_000);
const PERIOD = '2026-H1';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function count(database: DatabaseHandle, query: ReturnType<typeof sql>): Promise<number> {
  return Number(rowsOf<{ n: number }>(await database.forSubgraph('evaluations').db.execute(query))[0]?.n ?? 0);
}

export async function fillReviews(database: DatabaseHandle, target: number): Promise<void> {
  const db = database.owner();
  const present = await count(
    database,
    sql`select count(*)::int as n from evaluations.service_reviews where client_request_id like 'bench-%'`,
  );
  if (present >= target) return;
  const unitIds = `{${referenceUnits
    .filter((u) => u.kind !== 'COMMAND_OFFICE')
    .map((u) => u.id)
    .join(',')}}`;
  const started = performance.now();
  console.log(`Filling ${(target - present).toLocaleString('en')} service reviews…`);
  // A bulk load, as bench/fill.ts does it: as the owner with the slice's triggers off, then the
  // kept figures rebuilt from every row. Spread over the issues' span: 2024-01-01 … BENCH_NOW.
  const span = Math.floor((BENCH_NOW.getTime() - new Date(`${BENCH_FIRST_DAY}T00:00:00+08:00`).getTime()) / 60_000);
  for (let start = present + 1; start <= target; start += 100_000) {
    const end = Math.min(target, start + 99_999);
    await bulk(
      db,
      sql`
      with g as (
        select n,
          (${unitIds}::uuid[])[1 + (n * 37) % ${referenceUnits.length - 1}] as unit_id,
          (array['VERY_SATISFIED','VERY_SATISFIED','VERY_SATISFIED','VERY_SATISFIED','SATISFIED','SATISFIED','SATISFIED','BASICALLY_SATISFIED','UNSATISFIED','VERY_UNSATISFIED'])[1 + n % 10]::evaluations.review_level as level,
          ${`${BENCH_FIRST_DAY} 00:00+08`}::timestamptz + ((n * 7919) % ${span}) * interval '1 minute' as at
        from generate_series(${start}::bigint, ${end}::bigint) as n
      )
      insert into evaluations.service_reviews (unit_id, service_item, channel, level, reviewer_kind, reviewer_key, client_request_id, reviewed_at, answer_due_at, rectify_due_at, answer_warn_at, rectify_warn_at, status, sample)
      select unit_id, '事项 ' || (n % 200), (array['ONLINE','WINDOW','HOTLINE','MOBILE','SELF_SERVICE','SMS'])[1 + n % 6]::evaluations.review_channel, level,
        'PUBLIC', 'bench-' || (n % 50000), 'bench-' || n, at,
        case when level in ('UNSATISFIED','VERY_UNSATISFIED') then at + interval '1 day' end,
        case when level in ('UNSATISFIED','VERY_UNSATISFIED') then at + interval '21 days' end,
        case when level in ('UNSATISFIED','VERY_UNSATISFIED') then at + interval '20 hours' end,
        case when level in ('UNSATISFIED','VERY_UNSATISFIED') then at + interval '17 days' end,
        case when level not in ('UNSATISFIED','VERY_UNSATISFIED') then 'NO_ACTION'
             else (array['AWAITING_ANSWER','AWAITING_RECTIFICATION','AWAITING_FOLLOW_UP','DONE'])[1 + (n / 10) % 4] end::evaluations.review_status,
        true
      from g`,
    );
    await bulk(
      db,
      sql`
      insert into evaluations.review_actions (review_id, kind, text, at, late, by_subject)
      select r.id, k.kind::evaluations.review_action_kind, '基准测试', r.reviewed_at + k.after, (hashtext(r.id::text) % 5 = 0), 'bench'
        from evaluations.service_reviews r
        cross join (values ('ANSWER', interval '20 hours'), ('RECTIFY', interval '10 days')) as k(kind, after)
       where r.client_request_id like 'bench-%' and r.status in ('AWAITING_FOLLOW_UP', 'DONE')
         and substr(r.client_request_id, 7)::bigint between ${start} and ${end}`,
    );
    process.stdout.write(`\r  ${end.toLocaleString('en')} reviews`);
  }
  await db.execute(sql`select evaluations.rebuild_review_figures()`);
  await db.execute(sql`vacuum analyze evaluations.service_reviews`);
  await db.execute(sql`vacuum analyze evaluations.review_actions`);
  await db.execute(sql`vacuum analyze evaluations.review_figures`);
  console.log(`\n…done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

export async function runEvaluationsBench(database: DatabaseHandle, runs: number): Promise<void> {
  await fillReviews(database, REVIEWS);
  const db = database.owner();
  // The first run measures the draft (live preview), publishes it, then measures the frozen board; later runs the frozen one.
  const published = await count(
    database,
    sql`select count(*)::int as n from evaluations.evaluations where period = ${PERIOD} and status = 'PUBLISHED'`,
  );
  // The draft is measured in the half year's last days; it may be published once its Q2 reports are due (2026-07-10).
  let clock = new Date('2026-06-29T10:00:00+08:00');
  const platform = await startPlatform({
    env: loadEnv(benchPlatformEnv(), slices),
    database,
    ephemeralPorts: true,
    now: () => new Date(clock),
  });
  const office = await signToken(
    { sub: 'bench-office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') },
    { secret: DEVELOPMENT_JWT_SECRET },
  );
  const ask = async (query: string, variables: Record<string, unknown> = {}) => {
    const body = await postGraphQL(platform.gateway.url, { query, variables }, office);
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  if (!published) {
    await ask(`mutation($input: CreateEvaluationInput!) { createEvaluation(input: $input) { id } }`, {
      input: {
        period: PERIOD,
        gradingMethod: 'QUOTAS',
        gradeCutoffs: [0.2, 0.3, 0.3],
        indicators: [
          // Mandatory: rectification only, so most units are evaluated and the quotas have something to share.
          { code: 'RECTIFY', name: '问题整改', kind: 'RECTIFICATION', weight: 35, measure: '问题整改率', mandatory: true },
          { code: 'POLICY', name: '政策兑现', kind: 'POLICY_HONOURING', weight: 25, measure: '已兑现 ÷ 已批准', mandatory: false },
          { code: 'REVIEWS', name: '好差评', kind: 'SERVICE_REVIEWS', weight: 25, measure: '好差评满意率', mandatory: false },
          { code: 'REPORTS', name: '季度报告', kind: 'REPORT_PUNCTUALITY', weight: 15, measure: '季度报告按时率', mandatory: false },
        ],
      },
    });
  }
  const BOARD = `query Board($p: String!) {
    board(period: $p) {
      unit { code name
        issueStats(period: { from: "2026-01-01", to: "2026-06-30" }) { received closed overdueNow rectificationRate onTimeResolutionRate satisfactionRate }
        policyStats(period: { from: "2026-01-01", to: "2026-12-31" }) { applicationsReceived approved disbursedCount disbursedAmount reviews { count satisfactionRate } } }
      domain { code } latestContestRank reviews reviewSatisfactionRate reportPunctuality score grade evaluated coverage { weight missing { code } } preview
    } }`;
  const sizes = {
    issues: Number(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from issues.issues`))[0]!.n),
    applications: Number(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from policies.applications`))[0]!.n),
    reviews: await count(database, sql`select count(*)::int as n from evaluations.service_reviews`),
  };
  console.log(
    `\nThe board: ${sizes.issues.toLocaleString('en')} issues, ${sizes.applications.toLocaleString('en')} applications, ${sizes.reviews.toLocaleString('en')} service reviews; ` +
      `${runs} timed runs after ${WARMUPS} warm-ups, sequential, through the gateway.\n`,
  );
  const series = async (label: string) => {
    for (let i = 0; i < WARMUPS; i++) await ask(BOARD, { p: PERIOD });
    const names = ['evaluations', 'issues', 'policies', 'units'] as const;
    for (const name of names) platform.statements[name]!.count = 0;
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      rows = (await ask(BOARD, { p: PERIOD })).board.length;
      times.push(performance.now() - started);
    }
    const sorted = times.sort((a, b) => a - b);
    const statements = names.map((name) => `${name} ${platform.statements[name]!.count / runs}`).join(', ');
    console.log(
      `${label} (${rows} units)\n  median ${percentile(sorted, 50).toFixed(1)} ms · p95 ${percentile(sorted, 95).toFixed(1)} ms · SQL statements per request: ${statements}\n`,
    );
  };
  if (!published) await series('command office: board(period) of every unit, evaluation in preview (live, asks issues and policies too)');
  clock = new Date('2026-07-13T10:00:00+08:00');
  if (!published) await ask(`mutation { publishEvaluation(period: "${PERIOD}") { status } }`);
  await series('command office: board(period) of every unit, evaluation published (frozen)');
  await platform.stop();
}
