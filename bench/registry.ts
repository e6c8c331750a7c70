/**
 * `BENCH_ONLY=registry npm run bench`: the market-entity registry's bulk import (issue #25 §1) at the
 * city's size — BENCH_REGISTRY_ROWS synthetic entities (default 2,008,000, written by the generator
 * of `npm run generate:enterprises`) imported into an empty registry, then the same file again as a
 * full snapshot (nothing changed, nothing deregistered), each timed from the first byte read to the
 * commit, through the same code as `npm run import:enterprises`. The database
 * (`<BENCH_DB_NAME>_registry`) is made afresh on every run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import { openPostgres } from '../db/client.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { runRegistryImport, type RegistryImportCounts } from '../subgraphs/units/use-cases/registry-import.ts';
import { writeSyntheticRegistry } from '../bin/generate-enterprises.ts';
import { BENCH_DB, benchServerUrl, ensureBenchDatabase } from './env.ts';

const ROWS = Number(process.env.BENCH_REGISTRY_ROWS ?? 2_008_000);

async function freshDatabase(name: string): Promise<string> {
  const admin = postgres(benchServerUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
  return ensureBenchDatabase(name);
}

export async function runRegistryBench(): Promise<void> {
  const file = path.join(os.tmpdir(), `yingshang-registry-${ROWS}.csv`);
  if (!fs.existsSync(file)) {
    console.log(`Writing ${ROWS.toLocaleString('en')} synthetic entities to ${file}…`);
    await writeSyntheticRegistry(file, ROWS);
  }
  const name = `${BENCH_DB}_registry`;
  const database = openPostgres(await freshDatabase(name));
  try {
    await prepareDatabase(
      database,
      slices.filter((slice) => slice.name === 'units'),
      { sample: false },
    );
    const db = database.forSubgraph('units').db;
    const run = async (label: string, fullSnapshot: boolean): Promise<{ counts: RegistryImportCounts; seconds: number }> => {
      const started = performance.now();
      const counts = await runRegistryImport(db, fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>, {
        format: 'CSV',
        fullSnapshot,
        actor: { subject: 'bench', role: 'OPERATOR', unitId: null },
        now: new Date(),
        unbounded: true,
      });
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${label}: ${seconds.toFixed(1)} s (${Math.round(counts.rows / seconds).toLocaleString('en')} rows/s) — ` +
          `${counts.rows.toLocaleString('en')} rows: loaded ${counts.loaded.toLocaleString('en')}, updated ${counts.updated}, ` +
          `unchanged ${counts.unchanged.toLocaleString('en')}, rejected ${counts.rejected}, deregistered ${counts.deregistered}`,
      );
      return { counts, seconds };
    };
    const size = (fs.statSync(file).size / 1e6).toFixed(0);
    console.log(
      `\nRegistry import: ${ROWS.toLocaleString('en')} entities (${size} MB CSV) into ${name} on PostgreSQL; load average ${os.loadavg()[0]?.toFixed(1)}.`,
    );
    const first = await run('  import into an empty registry (goal ≤ 180 s)', false);
    const again = await run('  re-import unchanged, --full-snapshot (goal ≤ 120 s)', true);
    if (first.counts.loaded !== ROWS || again.counts.unchanged !== ROWS) throw new Error('the registry bench did not load what it should');
    console.log('');
  } finally {
    await database.close();
  }
}
