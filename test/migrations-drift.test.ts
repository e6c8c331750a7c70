/**
 * Each slice's migrations say what its tables file says: drizzle-kit, asked to write the next
 * migration of db/<slice>.ts against a copy of db/migrations/<slice>, finds nothing to write. A
 * snapshot chain broken by two branches' migrations (or a table changed without its migration)
 * would otherwise only show when the next engineer runs `npm run db:generate`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { slices } from '../subgraphs/registry.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const drizzleKit = path.join(root, 'node_modules', '.bin', 'drizzle-kit');

describe('migrations and tables', () => {
  for (const slice of slices) {
    it(`has nothing left to migrate for ${slice.name}, on an unbroken chain of snapshots`, () => {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), `drift-${slice.name}-`));
      try {
        fs.cpSync(path.join(root, 'db', 'migrations', slice.name), copy, { recursive: true });
        // drizzle-kit reads the folder as a path relative to the project, whatever it is given.
        const result = spawnSync(
          drizzleKit,
          ['generate', '--dialect=postgresql', `--schema=./db/${slice.name}.ts`, `--out=${path.relative(root, copy)}`, '--name=drift'],
          {
            cwd: root,
            encoding: 'utf8',
          },
        );
        const output = `${result.stdout}${result.stderr}`;
        expect(output, output).toContain('No schema changes');
        expect(fs.readdirSync(copy).filter((file) => file.includes('drift'))).toEqual([]);
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
