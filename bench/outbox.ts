/**
 * `BENCH_ONLY=outbox npm run bench` (or `npm run bench -- outbox`): the outbox's delivery rate
 * (issue #25 §3) — BENCH_OUTBOX_EVENTS events (default 20,000, on 2,000 records) written by SQL
 * into the issues slice's outbox, delivered to a local webhook receiver by TWO REPLICAS of the
 * issues slice: two processes of `npm run start:subgraph -- issues` on the same database, each with
 * its delivery worker (OUTBOX_WORKER, the default), sharing the work only through PostgreSQL's
 * `FOR UPDATE SKIP LOCKED`. The receiver runs in this process; the figure is the replicas' own.
 * Checked: every event delivered to the subscriber that asked for its type and audience, once (by
 * event id), in order per record; none to the three that did not ask; both replicas delivered.
 *
 * Then a receiver down for 10 minutes of an injected clock while events keep coming (2,000): two
 * workers of the kit (platform/outbox.ts) in this process, a pool each, since a clock can be
 * injected only there; they retry with their backoff, and once the receiver is back everything
 * arrives, once each, in order.
 *
 * In a database of its own (`<BENCH_DB_NAME>_outbox`), its outbox tables emptied first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openPostgres, rowsOf, type Db } from '../db/client.ts';
import { loadEnv, type OutboxEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { createOutboxWorker, type OutboxWorker } from '../platform/outbox.ts';
import { prepareDatabase } from '../platform/start.ts';
import { issueOutbox } from '../subgraphs/issues/store.ts';
import { ISSUE_SMS_BY_DEFAULT } from '../subgraphs/issues/notices.ts';
import { slices } from '../subgraphs/registry.ts';
import { cpuSeconds } from './cpu.ts';
import { BENCH_DB, benchProcessEnv, ensureBenchDatabase } from './env.ts';
import { start, waitFor, type Service } from './gateway.ts';

const EVENTS = Number(process.env.BENCH_OUTBOX_EVENTS ?? 20_000);
const RECORDS = Math.max(1, Math.round(EVENTS / 10));
const OUTAGE_EVENTS = 2_000;
const silent = createLogger({ level: 'silent' });
/** The two replicas' ports (BENCH_OUTBOX_PORT, 4960 and 4961 by default). */
const REPLICA_PORT = Number(process.env.BENCH_OUTBOX_PORT ?? 4960);

interface Delivered {
  path: string;
  id: string;
  type: string;
  recordKey: string;
  seq: number;
}

/** The local receiver: records every delivery by path (one path per subscriber); `down()` closes it, `up()` opens it again on its port. */
async function receiver() {
  const received: Delivered[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        id: string;
        type: string;
        recordKey: string;
        payload: { n: number };
      };
      received.push({ path: req.url ?? '', id: event.id, type: event.type, recordKey: event.recordKey, seq: event.payload.n });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    down: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
    up: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
  };
}

/** Writes `n` events by SQL: 90% ISSUE_FEEDBACK for every connected system, 10% ISSUE_RESOLVED to unit X, on `records` records, numbered from `from`. */
async function fill(db: Db, from: number, n: number, records: number, at: Date): Promise<void> {
  await db.execute(sql`insert into issues.outbox_events (type, record_key, audience, payload, title, body, occurred_at)
    select case when g % 10 = 0 then 'ISSUE_RESOLVED' else 'ISSUE_FEEDBACK' end,
      'bench:' || (g % ${records}),
      case when g % 10 = 0 then '[{"kind":"UNIT","id":"unit-x"}]'::jsonb else '[]'::jsonb end,
      jsonb_build_object('n', g), '反馈', '第 ' || g || ' 件', ${at.toISOString()}::timestamptz
    from generate_series(${from}::int, ${from + n - 1}::int) g order by g`);
}

/** Every delivery once, in order per record and subscriber; the subscribers that did not ask, nothing. */
function check(received: Delivered[], expected: { feedback: number; resolved: number }) {
  const byPath = (path: string) => received.filter((r) => r.path === path);
  const ids = new Set(received.map((r) => `${r.path}|${r.id}`));
  let outOfOrder = 0;
  const last = new Map<string, number>();
  for (const r of received) {
    const key = `${r.path}|${r.recordKey}`;
    if ((last.get(key) ?? -1) > r.seq) outOfOrder++;
    last.set(key, r.seq);
  }
  const feedback = new Set(byPath('/system-feedback').map((r) => r.id)).size;
  const resolved = new Set(byPath('/unit-x-resolved').map((r) => r.id)).size;
  const unasked = byPath('/unit-y-resolved').length + byPath('/system-assigned').length;
  const wrongType =
    byPath('/system-feedback').filter((r) => r.type !== 'ISSUE_FEEDBACK').length +
    byPath('/unit-x-resolved').filter((r) => r.type !== 'ISSUE_RESOLVED').length;
  const lost = expected.feedback - feedback + (expected.resolved - resolved);
  return { delivered: received.length, duplicates: received.length - ids.size, lost, outOfOrder, unasked, wrongType };
}

function workers(url: string, env: OutboxEnv, now: () => Date): { pools: ReturnType<typeof openPostgres>[]; pair: OutboxWorker[] } {
  const pools = [openPostgres(url, { maxConnections: 10 }), openPostgres(url, { maxConnections: 10 })];
  const pair = pools.map((pool) =>
    createOutboxWorker({
      slice: 'issues',
      db: pool.owner(),
      tables: issueOutbox,
      env,
      development: true,
      now,
      logger: silent,
      smsByDefault: ISSUE_SMS_BY_DEFAULT,
    }),
  );
  return { pools, pair };
}

/**
 * Two processes of the issues slice on the bench database, each running its delivery worker with the
 * bench's batch and poll interval, and its metrics on a port of its own (to see who delivered what).
 */
async function startReplicas(url: string, env: OutboxEnv): Promise<Service[] & { stop(): Promise<void> }> {
  const common: Record<string, string> = {
    ...benchProcessEnv(url, 'warn'),
    OUTBOX_WORKER: 'true',
    OUTBOX_BATCH: String(env.batch),
    OUTBOX_POLL_MS: String(env.pollMs),
    OTEL_SDK_DISABLED: 'true',
  };
  const services = [0, 1].map((i) =>
    start(
      `issues#${i + 1}`,
      ['--import', 'tsx', 'bin/subgraph.ts', 'issues'],
      { ...common, ISSUES_PORT: String(REPLICA_PORT + i), METRICS_PORT: String(REPLICA_PORT + 10 + i) },
      true,
    ),
  );
  const stop = async () => {
    await Promise.all(
      services.map(
        (service) =>
          new Promise<void>((resolve) => {
            if (service.child.exitCode !== null) return resolve();
            service.child.once('exit', () => resolve());
            service.child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    await Promise.all(services.map((_, i) => waitFor(`http://127.0.0.1:${REPLICA_PORT + i}/health`)));
  } catch (error) {
    await stop();
    throw error;
  }
  return Object.assign(services, { stop });
}

/** The webhook deliveries a replica counts in its metrics (outbox_deliveries_total, DELIVERED). */
async function deliveredBy(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('outbox_deliveries_total{') && l.includes('channel="WEBHOOK"') && l.includes('state="DELIVERED"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

export async function runOutboxBench(): Promise<void> {
  const url = await ensureBenchDatabase(`${BENCH_DB}_outbox`);
  const database = openPostgres(url);
  await prepareDatabase(database, slices, { sample: false });
  const db = database.owner();
  await db.execute(
    sql`truncate issues.notices, issues.outbox_deliveries, issues.outbox_events, issues.outbox_webhooks, issues.notice_settings`,
  );
  const hook = await receiver();
  const register = async (ownerKind: string, ownerId: string, path: string, type: string) =>
    db.execute(sql`insert into issues.outbox_webhooks (owner_kind, owner_id, url, event_types, secret, created_at, created_by)
      values (${ownerKind}, ${ownerId}, ${hook.url(path)}, array[${type}]::text[], 'whsec_bench', now(), 'bench')`);
  await register('SYSTEM', 'hotline', '/system-feedback', 'ISSUE_FEEDBACK');
  await register('UNIT', 'unit-x', '/unit-x-resolved', 'ISSUE_RESOLVED');
  // Two that did not ask: another unit's, and a system's for another type.
  await register('UNIT', 'unit-y', '/unit-y-resolved', 'ISSUE_RESOLVED');
  await register('SYSTEM', 'hotline', '/system-assigned', 'ISSUE_ASSIGNED');

  const base = loadEnv({ DEVELOPMENT_MODE: 'true' }, slices).outbox;
  const env: OutboxEnv = { ...base, batch: Number(process.env.OUTBOX_BATCH ?? 500), pollMs: 20 };
  console.log(
    `\nOutbox delivery (issue #25 §3): ${EVENTS.toLocaleString('en')} events on ${RECORDS.toLocaleString('en')} records, two replicas of the issues slice (processes of their own), batch ${env.batch}, ${cpus().length} CPUs, load (uptime) before ${load()}`,
  );

  // 1. Throughput on the real clock, by two replicas of the slice (processes of their own).
  const replicas = await startReplicas(url, env);
  try {
    const cpuBefore = replicas.map((r) => cpuSeconds([r.child.pid]));
    const started = performance.now();
    await fill(db, 0, EVENTS, RECORDS, new Date());
    const wanted = EVENTS;
    // Every event once to its subscriber: a delivery sent again after a timeout (at least once) is not counted twice.
    const distinct = () =>
      new Set(hook.received.filter((r) => r.path === '/system-feedback' || r.path === '/unit-x-resolved').map((r) => `${r.path}|${r.id}`))
        .size;
    while (distinct() < wanted) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (performance.now() - started > 600_000) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = replicas.map((r, i) => cpuSeconds([r.child.pid]) - cpuBefore[i]!);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const shares = await Promise.all(replicas.map((_, i) => deliveredBy(REPLICA_PORT + 10 + i)));
    const resolvedCount = Math.floor((EVENTS - 1) / 10) + 1;
    const first = check(hook.received, { feedback: EVENTS - resolvedCount, resolved: resolvedCount });
    console.log(
      `  delivered ${wanted.toLocaleString('en')} in ${seconds.toFixed(2)} s: ${Math.round(wanted / seconds).toLocaleString('en')} events/s · ` +
        `webhooks delivered by replica 1 / 2: ${shares.map((n) => n.toLocaleString('en')).join(' / ')} · ` +
        `replicas' CPU ${cpu.map((c) => c.toFixed(1)).join(' + ')} s · load after ${load()}`,
    );
    console.log(`  checks: ${JSON.stringify({ ...first, bothReplicasDelivered: shares.every((n) => n > 0) })}`);
  } finally {
    await replicas.stop();
  }

  // 2. The receiver down for 10 minutes of the injected clock while events keep coming.
  hook.received.length = 0;
  let clock = new Date('2026-06-01T10:00:00+08:00').getTime();
  const outage = workers(url, { ...base, batch: 500 }, () => new Date(clock));
  const round = () => Promise.all(outage.pair.map((w) => w.runOnce()));
  await hook.down();
  const perMinute = OUTAGE_EVENTS / 10;
  for (let minute = 0; minute < 10; minute++) {
    await fill(db, EVENTS + minute * perMinute, perMinute, 200, new Date(clock));
    for (let step = 0; step < 4; step++) {
      await round();
      clock += 15_000;
    }
  }
  const failed = rowsOf<{ pending: number; dead: number; attempts: number }>(
    await db.execute(sql`select count(*) filter (where state = 'PENDING')::int as pending, count(*) filter (where state = 'DEAD')::int as dead,
      coalesce(max(attempts), 0)::int as attempts from issues.outbox_deliveries where record_key like 'bench:%' and event_seq > ${EVENTS}`),
  )[0];
  await hook.up();
  const back = clock;
  for (let i = 0; i < 400; i++) {
    const done = await round();
    if (done.every((d) => d.dispatched + d.attempted === 0)) {
      const left = rowsOf<{ n: number }>(
        await db.execute(sql`select count(*)::int as n from issues.outbox_deliveries where state = 'PENDING'`),
      )[0];
      if (!left?.n) break;
      clock += 15_000;
    }
  }
  const outageResolved = OUTAGE_EVENTS / 10;
  const second = check(hook.received, { feedback: OUTAGE_EVENTS - outageResolved, resolved: outageResolved });
  console.log(
    `  a receiver down 10 min (injected clock), ${OUTAGE_EVENTS.toLocaleString('en')} events meanwhile: at its return ${failed?.pending} deliveries pending ` +
      `(${failed?.dead} dead, up to ${failed?.attempts} attempts); all in ${((clock - back) / 60_000).toFixed(1)} min of the clock after — checks: ${JSON.stringify(second)}`,
  );
  await Promise.all(outage.pools.map((pool) => pool.close()));
  await hook.down();
  await database.close();
}

/** uptime's load averages (1, 5, 15 minutes). */
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
