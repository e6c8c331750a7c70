/**
 * `npm run generate:enterprises -- --count 2008000 --out FILE [--seed N]`: a synthetic registry file
 * (CSV with a header row) for benches and tests, in the proportions of
 * subgraphs/units/registry-synthetic.ts; the same file for the same count and seed.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { runEntry } from '../platform/entry.ts';
import { SYNTHETIC_HEADER, syntheticRegistryLines } from '../subgraphs/units/registry-synthetic.ts';

const USAGE = '用法 / usage: npm run generate:enterprises -- --count 2008000 --out FILE [--seed 2008]';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

/** Writes the header and `count` rows to `out`, a megabyte at a time, waiting when the disk is behind. */
export async function writeSyntheticRegistry(out: string, count: number, seed?: number): Promise<void> {
  const file = fs.createWriteStream(out);
  let chunk = `${SYNTHETIC_HEADER}\n`;
  for (const line of syntheticRegistryLines(count, { seed })) {
    chunk += `${line}\n`;
    if (chunk.length >= 1 << 19) {
      if (!file.write(chunk)) await once(file, 'drain');
      chunk = '';
    }
  }
  file.end(chunk);
  await once(file, 'finish');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runEntry(async () => {
    const count = Number(option('--count'));
    const out = option('--out');
    const seed = option('--seed');
    if (!Number.isInteger(count) || count < 0 || !out) throw new Error(USAGE);
    await writeSyntheticRegistry(out, count, seed === undefined ? undefined : Number(seed));
    console.log(`已生成 / written: ${count.toLocaleString('en')} synthetic entities → ${out}`);
  });
}
