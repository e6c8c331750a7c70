/**
 * `npm run bench -- limits`: how long the gateway and each subgraph take to refuse the requests of
 * issue #7 (fragments spreading each other 40 levels deep, 2,000 aliases, 40 aliases of a nested
 * list, a query 16 levels deep), and whether every /health answered meanwhile. The platform runs in
 * a process of its own (`bin/start.ts`), as it would in production: a blocked event loop there
 * shows as a /health that does not answer here.
 *
 * Its database is `<BENCH_DB_NAME>_limits` (yingshang_bench_limits) on the benchmarks' server
 * (BENCH_DATABASE_URL, else DATABASE_URL's, else 127.0.0.1:5432), created when missing. Every answer
 * must be a 400 with one of the codes the attack expects (the limit it tries, not graphql-js's
 * validation): another answer is marked and the run ends with exit code 1.
 */
import { performance } from 'node:perf_hooks';
import { attacksOn, introspect } from '../test/support/attacks.ts';
import { startChildPlatform } from '../test/support/child-platform.ts';
import { ACCEPT_GRAPHQL_RESPONSE } from '../test/support/platform.ts';
import { BENCH_DB, ensureBenchDatabase } from './env.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const databaseName = `${BENCH_DB}_limits`;
const platform = await startChildPlatform({}, { databaseUrl: await ensureBenchDatabase(databaseName) });
let unexpected = 0;
try {
  const rows: string[][] = [];
  let healthFailures = 0;
  let healthChecks = 0;
  // /health of every service, asked every 20 ms for as long as the attacks run.
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await Promise.all(
        Object.values(platform.health).map(async (url) => {
          healthChecks++;
          const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
            (response) => response.ok,
            () => false,
          );
          if (!ok) healthFailures++;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  for (const [service, url] of Object.entries(platform.graphql)) {
    for (const attack of attacksOn(await introspect(url))) {
      const times: number[] = [];
      let outcome = '';
      for (let run = 0; run < RUNS; run++) {
        const started = performance.now();
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: ACCEPT_GRAPHQL_RESPONSE },
          body: JSON.stringify({ query: attack.query }),
        });
        const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
        times.push(performance.now() - started);
        const code = body.errors?.[0]?.extensions?.code;
        outcome = `${response.status} ${code ?? 'answered'}`;
        if (response.status !== 400 || !code || !attack.refusedWith.includes(code)) {
          outcome += ` — UNEXPECTED (expected 400 ${attack.refusedWith.join(' | ')})`;
          unexpected++;
          break;
        }
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)]!;
      rows.push([
        service,
        attack.name,
        `${(attack.query.length / 1024).toFixed(1)} KB`,
        outcome,
        `${median.toFixed(1)} ms`,
        `${times.at(-1)!.toFixed(1)} ms`,
      ]);
    }
  }
  polling = false;
  await poller;
  const header = ['service', 'request', 'size', 'answer', 'median', 'max'];
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => row[index]!.length)));
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ');
  console.log(`\nRefusals (${RUNS} runs each, client in this process, platform in its own, database ${databaseName}):\n`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`\n/health asked ${healthChecks} times across all services during the attacks: ${healthFailures} did not answer within 1 s.`);
  if (unexpected) {
    console.log(`${unexpected} attack(s) not refused by the limit they try: see UNEXPECTED above.`);
    process.exitCode = 1;
  }
} finally {
  const started = performance.now();
  const stopped = await platform.stop('SIGTERM');
  console.log(`SIGTERM → exit ${JSON.stringify(stopped)} after ${(performance.now() - started).toFixed(0)} ms.`);
}
