/**
 * `npm run import:enterprises -- FILE [--full-snapshot] [--format csv|ndjson]`: loads a file of the
 * market-entity registry (columns: subgraphs/units/README.md) into the units slice's database —
 * DATABASE_URL (or UNITS_DATABASE_URL), else the embedded one — streamed, checked row by row, COPY'd
 * into a staging table and merged in one transaction (subgraphs/units/use-cases/registry-import.ts).
 * Rejected rows go to FILE.rejects.csv (line, column, value, reason in Chinese and English); the
 * summary says how many rows were loaded, updated, unchanged, rejected and deregistered. On a
 * terminal a progress line shows rows per second, the share of the file read and the time left.
 * Interrupted (Ctrl-C, a crash, the database gone), it loads nothing: run it again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../db/client.ts';
import { loadEnv } from '../platform/env.ts';
import { runEntry } from '../platform/entry.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { formatByName, rejectLine, REJECTS_HEADER, type RegistryFormat } from '../subgraphs/units/registry-file.ts';
import { runRegistryImport, type RegistryImportCounts } from '../subgraphs/units/use-cases/registry-import.ts';

const USAGE =
  '用法 / usage: npm run import:enterprises -- FILE [--full-snapshot] [--format csv|ndjson]\n' +
  '  --full-snapshot  文件为全量：文件中没有的市场主体标记为注销 / the file is the whole registry: entities it lacks are deregistered\n' +
  '  --format         不给则按扩展名或首字符判断 / by default from the extension or the first character';

function parseArguments(argv: string[]): { file: string; fullSnapshot: boolean; format: RegistryFormat | null } {
  let file: string | undefined;
  let fullSnapshot = false;
  let format: RegistryFormat | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--full-snapshot') fullSnapshot = true;
    else if (arg === '--format') {
      const value = (argv[++i] ?? '').toUpperCase();
      if (value !== 'CSV' && value !== 'NDJSON') throw new Error(`--format: csv or ndjson\n${USAGE}`);
      format = value;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (!file && !arg.startsWith('--')) file = arg;
    else throw new Error(`未知参数 / unknown argument: ${arg}\n${USAGE}`);
  }
  if (!file) throw new Error(USAGE);
  return { file, fullSnapshot, format: format ?? formatByName(file) };
}

/** The file's chunks, counting the bytes read (for the progress line). */
async function* counted(file: string, read: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    read.bytes += chunk.length;
    yield chunk;
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const figure = (n: number) => n.toLocaleString('en');

function summary(counts: RegistryImportCounts, rejectsFile: string, elapsedMs: number): string {
  return [
    `导入完成 / import done in ${seconds(elapsedMs)}: ${figure(counts.rows)} rows`,
    `  新增 loaded (new)      ${figure(counts.loaded)}`,
    `  变更 updated           ${figure(counts.updated)}`,
    `  未变 unchanged         ${figure(counts.unchanged)}`,
    `  拒绝 rejected          ${figure(counts.rejected)}${counts.rejected ? ` → ${rejectsFile}` : ''}`,
    `  注销 deregistered      ${figure(counts.deregistered)}`,
  ].join('\n');
}

await runEntry(async () => {
  const { file, fullSnapshot, format } = parseArguments(process.argv.slice(2));
  const size = fs.statSync(file).size;
  // It serves nothing, so it needs no signing key.
  const env = loadEnv(process.env, slices, { developmentByDefault: true });
  const database = await openDatabase(env);
  const rejectsFile = `${file}.rejects.csv`;
  const partial = `${rejectsFile}.partial`;
  const tty = process.stderr.isTTY;
  const started = performance.now();
  const read = { bytes: 0 };
  try {
    const units = slices.filter((slice) => slice.name === 'units');
    await prepareDatabase(database, units, { sample: false, migrate: Boolean(env.database.ownerUrl) || database.kind === 'pglite' });
    const rejects = fs.createWriteStream(partial);
    rejects.write(`${REJECTS_HEADER}\n`);
    const counts = await runRegistryImport(database.forSubgraph('units').db, counted(file, read), {
      format,
      fullSnapshot,
      actor: { subject: `import:enterprises ${path.basename(file)} (${os.userInfo().username})`, role: 'OPERATOR', unitId: null },
      now: new Date(),
      unbounded: true,
      onProgress(rows) {
        if (!tty) return;
        const elapsed = (performance.now() - started) / 1000;
        const share = size ? read.bytes / size : 1;
        const left = share > 0 ? (elapsed / share) * (1 - share) : 0;
        process.stderr.write(
          `\r读取 / reading ${figure(rows)} rows · ${figure(Math.round(rows / Math.max(elapsed, 0.001)))} rows/s · ${(share * 100).toFixed(1)}% · ${Math.ceil(left)} s left   `,
        );
      },
      onStaged() {
        if (tty) process.stderr.write(`\n合并 / merging into the registry…\n`);
      },
      onReject: (reject) => {
        if (!rejects.write(`${rejectLine(reject)}\n`)) return new Promise((resolve) => rejects.once('drain', resolve));
      },
    });
    await new Promise((resolve, reject) => rejects.end((error?: Error | null) => (error ? reject(error) : resolve(undefined))));
    fs.renameSync(partial, rejectsFile);
    console.log(summary(counts, rejectsFile, performance.now() - started));
  } catch (error) {
    fs.rmSync(partial, { force: true });
    if (tty) process.stderr.write('\n');
    console.error('导入未生效，什么也没有载入 / the import did not take effect: nothing was loaded');
    // A file refused as a whole (no header, a column missing): its reason, and exit code 1.
    const refusal = error as { extensions?: { code?: string; messageZh?: string }; message?: string };
    if (refusal.extensions?.code !== 'BAD_USER_INPUT') throw error;
    console.error(refusal.message);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
});
