/**
 * `npm run bench -- batch`: one 10,000-record batch of the 12345 hotline (`importIssueBatch`, issue
 * #25 §2) through the gateway, with the platform's DEFAULT limits (execution timeout, the gateway's
 * subgraph timeout, the request size) — not the long ones of the other benchmarks, since what is
 * measured is whether a full batch fits what a deployment runs with. Every tenth record is bad (a
 * phone number that is not one), so the answer is mixed; then the same batch again, which finds
 * every good record (ALREADY_PRESENT). In `<BENCH_DB_NAME>_batch`, a new source system each run.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { openPostgres } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { startPlatform } from '../bin/platform.ts';
import { signToken } from '../platform/auth.ts';
import { MAX_BATCH_RECORDS } from '../platform/batch.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { BENCH_DB, ensureBenchDatabase, postGraphQL } from './env.ts';

const RECORDS = Number(process.env.BENCH_BATCH_RECORDS ?? MAX_BATCH_RECORDS);

const BATCH = `mutation($source: String!, $content: String!) {
  importIssueBatch(sourceSystem: $source, format: NDJSON, content: $content) {
    received created alreadyPresent rejected records { outcome }
  }
}`;

/** A realistic hotline record; every tenth one with a phone number that is not one. */
export function hotlineRecord(index: number, prefix: string): Record<string, unknown> {
  return {
    externalRef: `${prefix}-${String(index).padStart(6, '0')}`,
    source: 'HOTLINE_12345',
    environment: 'SERVICE',
    title: `来电反映办税大厅排队时间长（${index}）`,
    description: '高峰期排队超过一小时，希望增加窗口或开通线上预约。',
    receivedAt: '2023-10-08T10:15:00+08:00',
    contact: { name: '王先生', phone: index % 10 === 9 ? '12345' : `138${String(index).padStart(8, '0')}` },
  };
}

export async function runBatchBench(): Promise<void> {
  // A few connections a pool: the batch is one request, and the server may be shared.
  const database = openPostgres(await ensureBenchDatabase(`${BENCH_DB}_batch`), { maxConnections: 4 });
  await prepareDatabase(database, slices, { sample: false });
  // The defaults: only development tokens and no sample data are chosen here (a limit set in the environment is taken, to compare).
  const chosen = Object.fromEntries(
    ['EXECUTION_TIMEOUT_MS', 'SUBGRAPH_TIMEOUT_MS', 'STATEMENT_TIMEOUT_MS', 'BATCH_EXECUTION_TIMEOUT_MS'].flatMap((name) => {
      const value = process.env[name];
      return value ? [[name, value]] : [];
    }),
  );
  const env = loadEnv({ DEVELOPMENT_MODE: 'true', LOAD_SAMPLE_DATA: 'false', ...chosen }, slices);
  const platform = await startPlatform({ env, database, ephemeralPorts: true, now: () => new Date('2023-10-09T10:00:00+08:00') });
  try {
    const token = await signToken(
      { sub: 'bench-12345', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') },
      { secret: DEVELOPMENT_JWT_SECRET },
    );
    const source = `bench-12345-${Date.now()}`;
    const content = Array.from({ length: RECORDS }, (_, i) => JSON.stringify(hotlineRecord(i, source))).join('\n');
    console.log(
      `Batch intake: ${RECORDS.toLocaleString('en')} records (${(content.length / 1e6).toFixed(2)} MB of NDJSON, ` +
        `${(Buffer.byteLength(content) / 1e6).toFixed(2)} MB UTF-8, ${(Buffer.byteLength(JSON.stringify({ query: BATCH, variables: { source, content } })) / 1e6).toFixed(2)} MB request) through the gateway; limits: execution ${env.limits.executionTimeoutMs} ms, ` +
        `subgraph ${env.limits.subgraphTimeoutMs} ms, request ${env.limits.maxRequestBytes.toLocaleString('en')} bytes; load ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}`,
    );
    for (const label of ['first send', 'sent again']) {
      const started = performance.now();
      const answer = await postGraphQL(platform.gateway.url, { query: BATCH, variables: { source, content } }, token);
      const seconds = (performance.now() - started) / 1000;
      if (answer.errors) {
        console.log(`  ${label}: REFUSED after ${seconds.toFixed(1)} s: ${JSON.stringify(answer.errors).slice(0, 400)}`);
        continue;
      }
      const { received, created, alreadyPresent, rejected } = answer.data.importIssueBatch;
      console.log(
        `  ${label}: ${seconds.toFixed(1)} s (${Math.round(received / seconds).toLocaleString('en')} records/s) — ` +
          `received ${received}, created ${created}, already present ${alreadyPresent}, rejected ${rejected}`,
      );
    }
  } finally {
    await platform.stop();
    await database.close();
  }
}
