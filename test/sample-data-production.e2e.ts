/**
 * Sample data never lands in a real database unless asked for by name (issue #20, 5a): a service
 * started as the README advises for production — with only its own `<NAME>_DATABASE_URL` — loaded
 * 29 sample enterprises, 10 issues, 5 policies and 9 reviews. Each way of starting is run here as a
 * real process against a real PostgreSQL database migrated beforehand by its owner: `npm start`
 * with every slice's own URL, and `npm run start:subgraph -- <name>` (what `bin/subgraph.ts <name>`
 * runs) for every slice with its own URL only. docker-compose's default is checked in
 * test/start-paths.test.ts; `npm run seed:sample` is the way to ask for it by name.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { envPrefix } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { createTestDatabase, testServerUrl, type TestDatabase } from './support/database.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const server = await testServerUrl();
if (!server && process.env.CI) throw new Error('CI must run these tests against PostgreSQL (DATABASE_URL)');
if (!server)
  console.warn(
    'No PostgreSQL reachable: the sample-data start tests need separate processes on a real database and are not run here (CI runs them).',
  );

let database: TestDatabase;

beforeAll(async () => {
  if (!server) return;
  database = await createTestDatabase();
  // The release step, as the owner: migrations and each slice's role, no sample data.
  await prepareDatabase(database.handle, slices, { sample: false });
}, 120_000);
afterAll(async () => {
  await database?.drop();
});

/** Each slice's own login role on the test database, as an operator gives it to that service. */
function roleUrl(slice: string): string {
  const url = new URL(database.url!);
  url.username = `yingshang_${slice}`;
  return url.toString();
}

/** A production start's environment: a real key and the claims it checks, nothing inherited. */
function productionEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    JWT_SECRET: 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4',
    JWT_ISSUER: 'https://id.qingdao.example',
    JWT_AUDIENCE: 'qingdao-yingshang',
    GATEWAY_PORT: '0',
    ...Object.fromEntries(slices.map((slice) => [`${envPrefix(slice.name)}_PORT`, '0'])),
    LOG_FORMAT: 'json',
    ...extra,
  };
}

/** Starts a script, waits until its log says it serves, then stops it with SIGTERM; returns its output. */
function serveThenStop(args: string[], env: Record<string, string>, served: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} did not start:\n${output}`));
    }, 90_000);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (served.test(output) && child.exitCode === null && !child.killed) child.kill('SIGTERM');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (served.test(output)) resolve(output);
      else reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before serving:\n${output}`));
    });
  });
}

async function sampleRows(): Promise<Record<string, number>> {
  const [row] = rowsOf<Record<string, number>>(
    await database.handle.owner().execute(sql`
      select (select count(*) from units.enterprises where sample)::int as enterprises,
             (select count(*) from issues.issues where sample)::int as issues,
             (select count(*) from policies.policies where sample)::int as policies,
             (select count(*) from evaluations.service_reviews where sample)::int as reviews`),
  );
  return row!;
}

const none = { enterprises: 0, issues: 0, policies: 0, reviews: 0 };

describe.skipIf(!server)('a start on a real database loads no sample data unless asked for by name', () => {
  it('npm start with every slice’s own <NAME>_DATABASE_URL and no DATABASE_URL', async () => {
    const urls = Object.fromEntries(slices.map((slice) => [`${envPrefix(slice.name)}_DATABASE_URL`, roleUrl(slice.name)]));
    const output = await serveThenStop(['bin/start.ts'], productionEnv(urls), /Ready in/);
    expect(output).toContain('sample data: not loaded');
    expect(output).not.toMatch(/DEVELOPMENT MODE/);
    expect(await sampleRows()).toEqual(none);
  }, 120_000);

  for (const slice of slices) {
    it(`npm run start:subgraph -- ${slice.name} with only ${envPrefix(slice.name)}_DATABASE_URL`, async () => {
      await serveThenStop(
        ['bin/subgraph.ts', slice.name],
        productionEnv({ [`${envPrefix(slice.name)}_DATABASE_URL`]: roleUrl(slice.name), PORT: '0' }),
        new RegExp(`subgraph ${slice.name}: http`),
      );
      expect(await sampleRows()).toEqual(none);
    }, 120_000);
  }
});
