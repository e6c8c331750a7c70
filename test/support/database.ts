/**
 * A fresh database per test file: a new database on the PostgreSQL server when one is reachable
 * (DATABASE_URL, or the local server), embedded PGlite otherwise.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { openPglite, openPostgres, type DatabaseHandle } from '../../db/client.ts';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

let serverUrl: Promise<string | null> | undefined;

/** The server tests run against, or null for PGlite. */
export function testServerUrl(): Promise<string | null> {
  return (serverUrl ??= (async () => {
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

export async function createTestDatabase(): Promise<TestDatabase> {
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
  const handle = openPostgres(url.toString(), { maxConnections: 10 });
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
