/**
 * The database driver survives the death of a connection in use (issue #20, finding 1): postgres.js
 * 3.4.9 wrote a terminated transaction's ROLLBACK to a socket that was gone and the TypeError ended
 * the process. patches/postgres+3.4.9.patch guards it; this runs the two ways in (a transaction,
 * a reserved connection) in a process of its own — inside `runEntry`, as every process of the platform
 * runs — and asks that it lived, answered each refused query
 * as the database being unavailable, and that the pool answered afterwards.
 * test/database-faults.e2e.ts does the same to the whole platform under load.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testServerUrl } from './support/database.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('postgres.js with a backend terminated in use', () => {
  it('refuses the dead connection’s queries, keeps the process and the pool alive, and ends cleanly', async ({ skip }) => {
    const server = await testServerUrl();
    if (!server) {
      if (process.env.CI === 'true') throw new Error('CI must run the driver fault test: no PostgreSQL server reachable');
      console.warn('postgres-driver: skipped — no PostgreSQL server reachable (set DATABASE_URL)');
      return skip();
    }
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/terminated-connections.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', FIXTURE_DATABASE_URL: server },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(report).toEqual({
      transaction: 'unavailable',
      afterTransaction: 'ok',
      reservedFirst: 'unavailable',
      reservedSecond: 'unavailable',
      poolAfterRelease: 'ok',
      ended: true,
    });
  });
});
