/**
 * A fresh database per test file: a new database on the PostgreSQL server when one is reachable
 * (DATABASE_URL, or the local server), embedded PGlite otherwise.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { expect } from 'vitest';
import { openPglite, openPostgres, type DatabaseHandle, type Db } from '../../db/client.ts';
import { compareKeptWithRebuild, type KeptFigures } from '../../db/kept-figures.ts';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

let serverUrl: Promise<string | null> | undefined;

/**
 * The server tests run against, or null for PGlite. `TEST_DATABASE=pglite` runs them on PGlite
 * even where a server answers: the path of a fresh machine without PostgreSQL.
 */
export function testServerUrl(): Promise<string | null> {
  return (serverUrl ??= (async () => {
    if (process.env.TEST_DATABASE === 'pglite') return null;
    if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
    const probe = postgres(LOCAL_SERVER, { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      await probe`select 1`;
      return LOCAL_SERVER;
    } catch {
      return null;
    } finally {
      await probe.end({ timeout: 1 });
    }
  })());
}

export interface TestDatabase {
  handle: DatabaseHandle;
  kind: 'postgres' | 'pglite';
  url: string | null;
  drop(): Promise<void>;
}

/** `maxConnections`: each pool's size (10); a test that fires many requests at once keeps it small, as the server is shared. */
export async function createTestDatabase(options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  const server = await testServerUrl();
  if (!server) {
    const handle = await openPglite();
    return { handle, kind: 'pglite', url: null, drop: () => handle.close() };
  }
  const name = `test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const handle = openPostgres(url.toString(), { maxConnections: options.maxConnections ?? 10 });
  return {
    handle,
    kind: 'postgres',
    url: url.toString(),
    async drop() {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}

/**
 * A table of figures kept by triggers, transaction by transaction, equals the same figures rebuilt
 * from every row at once (db/kept-figures.ts: the slice's rebuild function, in a transaction rolled
 * back), and nothing is left staged after the commits. Rows whose parts are all zero count as no row.
 */
export async function expectKeptEqualsRebuild(owner: Db, kept: KeptFigures): Promise<void> {
  const { kept: now, rebuilt, staged } = await compareKeptWithRebuild(owner, kept);
  expect(now.length, `${kept.table} holds something`).toBeGreaterThan(0);
  expect(now).toEqual(rebuilt);
  expect(staged, `${kept.staging}: staged changes left after commit`).toBe(0);
}
