/**
 * The one place that picks the database: postgres.js against DATABASE_URL, or embedded PGlite
 * (real PostgreSQL in WASM) under the data directory so `npm start` needs nothing but Node.
 *
 * Each slice gets its own drizzle instance with its own statement counter, so tests can prove a
 * request costs a constant number of SQL statements per subgraph. It knows slices only by name:
 * `db/migrations/<name>/` holds a slice's migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger } from 'drizzle-orm/logger';

export type Db = PgDatabase<PgQueryResultHKT>;
/** Either the database or an open transaction: data access functions accept both. */
export type Queryable = Db | Parameters<Parameters<Db['transaction']>[0]>[0];

const migrationsRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface StatementCounter {
  count: number;
}

export interface SubgraphDatabase {
  db: Db;
  /** Statements this subgraph sent since start; tests read and reset it. */
  statements: StatementCounter;
}

export interface DatabaseHandle {
  kind: 'postgres' | 'pglite';
  forSubgraph(name: string): SubgraphDatabase;
  /** Applies the subgraph's checked-in migrations; safe to run on every start and concurrently. */
  migrate(name: string): Promise<void>;
  /** Answers when the database accepts a query (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

function countingLogger(counter: StatementCounter): Logger {
  return { logQuery: () => void counter.count++ };
}

function migrationConfig(name: string) {
  // Bookkeeping lives outside the subgraph's own schema, one table per subgraph: a shared table
  // would make the second subgraph skip its migrations (see stack notes).
  return {
    migrationsFolder: path.join(migrationsRoot, name),
    migrationsSchema: 'drizzle',
    migrationsTable: `__drizzle_migrations_${name}`,
  };
}

/** Same number in every process, so concurrent starts serialise their migrations. */
const MIGRATION_LOCK = 0x5144_5953; // "QDYS"

export function openPostgres(url: string, options: { maxConnections?: number } = {}): DatabaseHandle {
  const clients: postgres.Sql[] = [];
  const connect = () => {
    const client = postgres(url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connection: { application_name: 'qingdao-yingshang' },
    });
    clients.push(client);
    return client;
  };
  const admin = connect();
  const perSubgraph = new Map<string, SubgraphDatabase>();
  return {
    kind: 'postgres',
    forSubgraph(name) {
      let found = perSubgraph.get(name);
      if (!found) {
        const statements = { count: 0 };
        // Its own pool, as it would have in its own process.
        found = { db: drizzlePostgres(connect(), { logger: countingLogger(statements) }) as unknown as Db, statements };
        perSubgraph.set(name, found);
      }
      return found;
    },
    async migrate(name) {
      const lock = await admin.reserve();
      try {
        await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
        const db = drizzlePostgres(admin);
        await migratePostgres(db, migrationConfig(name));
      } finally {
        await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
        lock.release();
      }
    },
    async ping() {
      await admin`select 1`;
    },
    async close() {
      await Promise.all(clients.map((client) => client.end({ timeout: 5 })));
    },
  };
}

/**
 * PGlite does not lock its folder, and two processes writing one folder corrupt it. A pid file
 * turns that into a clear refusal instead of lost data.
 */
function claimDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'embedded.pid');
  try {
    const holder = Number(fs.readFileSync(lockFile, 'utf8'));
    if (holder && holder !== process.pid && isAlive(holder)) {
      throw new Error(
        `嵌入式数据库 ${dataDir} 正被进程 ${holder} 使用 / The embedded database in ${dataDir} is in use by process ${holder}. ` +
          'Stop that process, or set DATABASE_URL to share a PostgreSQL server.',
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.writeFileSync(lockFile, String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(lockFile, 'utf8') === String(process.pid)) fs.unlinkSync(lockFile);
    } catch {
      // already gone
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `dataDir` undefined → in memory (tests). */
export async function openPglite(dataDir?: string, fromDump?: Blob): Promise<DatabaseHandle> {
  const release = dataDir ? claimDataDir(dataDir) : () => {};
  let client: PGlite;
  try {
    client = await PGlite.create({
      dataDir: dataDir ? path.join(dataDir, 'pglite') : undefined,
      loadDataDir: fromDump,
      extensions: { pg_trgm },
    });
  } catch (error) {
    release();
    throw error;
  }
  return pgliteHandle(client, release);
}

function pgliteHandle(client: PGlite, release: () => void = () => {}): DatabaseHandle {
  const perSubgraph = new Map<string, SubgraphDatabase>();
  return {
    kind: 'pglite',
    forSubgraph(name) {
      let found = perSubgraph.get(name);
      if (!found) {
        const statements = { count: 0 };
        found = { db: drizzlePglite(client, { logger: countingLogger(statements) }) as unknown as Db, statements };
        perSubgraph.set(name, found);
      }
      return found;
    },
    async migrate(name) {
      await migratePglite(drizzlePglite(client), migrationConfig(name));
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
      release();
    },
  };
}

export async function openDatabase(env: { databaseUrl?: string; dataDir: string }): Promise<DatabaseHandle> {
  return env.databaseUrl ? openPostgres(env.databaseUrl) : openPglite(env.dataDir);
}

/** `db.execute` answers an array on postgres.js and `{ rows }` on PGlite; callers want rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** A user's search text inside LIKE/ILIKE: its % and _ are letters, not wildcards. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The SQLSTATE of a database error, looking through drizzle's DrizzleQueryError wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (let current: unknown = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export const SqlState = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
} as const;
