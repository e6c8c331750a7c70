/**
 * The one place that picks the database: postgres.js against DATABASE_URL, or embedded PGlite
 * (real PostgreSQL in WASM) under the data directory so `npm start` needs nothing but Node.
 *
 * Two kinds of role. Migrations run as the owner (DATABASE_URL), who owns every table. Each slice
 * serves its requests as its own role, `<prefix>_<slice>` (`yingshang_units`): it may read and write
 * the rows of its own schema and nothing else — no other slice's schema, no ALTER, no DISABLE
 * TRIGGER (only an owner may), no UPDATE or DELETE on a table an append-only trigger guards. The
 * owner creates the role when it may (CREATEROLE) and grants it its rights after every migration.
 * On PostgreSQL the slice logs in as its role (`<NAME>_DATABASE_URL`, or DATABASE_URL with the
 * role's name and DATABASE_ROLE_PASSWORD); the embedded database has one connection, so every
 * statement of a slice runs in a transaction that first does `SET LOCAL ROLE` to the slice's role.
 *
 * Each slice gets its own drizzle instance with its own statement counter, so tests can prove a
 * request costs a constant number of SQL statements per subgraph. It knows slices only by name:
 * `db/migrations/<name>/` holds a slice's migrations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { PGlite } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { sql } from 'drizzle-orm';
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
  /** Connected as the slice's own serving role. */
  db: Db;
  /** Statements this subgraph sent since start for requests; tests read and reset it. */
  statements: StatementCounter;
  /** The same connections, for work no request asked for (the outbox worker, its sweeps): not counted in `statements`. */
  background: Db;
  /** The slice's role name. */
  role: string;
}

export interface DatabaseHandle {
  kind: 'postgres' | 'pglite';
  forSubgraph(name: string): SubgraphDatabase;
  /**
   * As the owner: applies the subgraph's checked-in migrations, then makes sure its serving role
   * exists and has exactly its rights. Safe to run on every start and concurrently.
   */
  migrate(name: string): Promise<void>;
  /**
   * The owner's own connection: for migration steps and for tests that must write as an earlier
   * release did. Requests never use it.
   */
  owner(): Db;
  /** Answers when the database accepts a query (for /ready). */
  ping(): Promise<void>;
  /** Connections each pool of this process may open (PostgreSQL); 1 on the embedded database. */
  poolMax: number;
  /**
   * Tells `observer` of every statement a slice's serving connection sends, from now on (the kit's
   * metrics and traces: platform/telemetry.ts); `undefined` stops it.
   */
  observeStatements(observer: StatementObserver | undefined): void;
  /** How full a slice's pool is now (PostgreSQL); undefined on the embedded database or before its first use. */
  poolStats(name: string): PoolStats | undefined;
  close(): Promise<void>;
}

/**
 * Called as a slice's statement is sent, with the slice and the statement's text (placeholders, never
 * values); it returns what is called once the statement has ended — with its error if it failed.
 * The time between includes a wait for a free connection.
 */
export type StatementObserver = (slice: string, text: string) => (error?: unknown) => void;

export interface PoolStats {
  max: number;
  /** Connections running a statement or held by a transaction. */
  inUse: number;
  idle: number;
  /** Statements waiting for a connection. */
  waiting: number;
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

export interface ServingRoles {
  /** Roles are `<prefix>_<slice>`. */
  prefix?: string;
  /** Password of roles whose URL is derived from the owner's. */
  password?: string;
  /** Slice name → the URL of its role, when given explicitly (`<NAME>_DATABASE_URL`). */
  urls?: Record<string, string | undefined>;
  /** The server cancels a serving statement that runs longer. */
  statementTimeoutMs?: number;
}

/** `issues` → `yingshang_issues`; `tax-relief` → `yingshang_tax_relief`. */
export function servingRole(slice: string, prefix = 'yingshang'): string {
  return `${prefix}_${slice.toLowerCase().replace(/[^a-z0-9]+/g, '_')}`;
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;
const quoteLiteral = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Statements (for the owner) that create the serving role if missing and grant it its rights. */
async function grantServingRole(
  run: (statement: string) => Promise<unknown[]>,
  schema: string,
  role: string,
  options: { login: boolean; password?: string },
): Promise<void> {
  const exists = await run(`select 1 from pg_roles where rolname = ${quoteLiteral(role)}`);
  if (exists.length && options.password) {
    // The password given is the role's password from now on (DATABASE_ROLE_PASSWORD changed: a
    // rotation). Only an owner with CREATEROLE may set it; a database administrator's roles are
    // rotated with `npm run db:roles-sql -- --rotate` instead.
    try {
      await run(`alter role ${quoteIdent(role)} with password ${quoteLiteral(options.password)}`);
    } catch (error) {
      throw new Error(
        `数据库所有者无权修改角色 ${role} 的口令：迁移步骤不设 DATABASE_ROLE_PASSWORD，由数据库管理员用 npm run db:roles-sql -- --rotate 轮换口令 / ` +
          `The owner may not set the password of ${role} (${(error as Error).message}): leave DATABASE_ROLE_PASSWORD unset on the migration step, and rotate the role's password with npm run db:roles-sql -- --rotate as a database administrator (docs/DEPLOYMENT.md)`,
        { cause: error },
      );
    }
  }
  if (!exists.length) {
    try {
      // Two starts (or two test databases of one server) may race to create it: either one wins.
      await run(
        `do $$ begin create role ${quoteIdent(role)} ${options.login ? 'login' : 'nologin'}` +
          `${options.password ? ` password ${quoteLiteral(options.password)}` : ''}; ` +
          'exception when duplicate_object or unique_violation then null; end $$',
      );
    } catch (error) {
      throw new Error(
        `The serving role ${role} does not exist and the owner may not create it (${(error as Error).message}). ` +
          `Create it once: CREATE ROLE ${role} LOGIN PASSWORD '…'; (see README, "Database roles")`,
        { cause: error },
      );
    }
  }
  const ident = quoteIdent(role);
  const target = quoteIdent(schema);
  await run(`revoke all on schema ${target} from public`);
  await run(`grant usage on schema ${target} to ${ident}`);
  await run(`grant select, insert, update, delete on all tables in schema ${target} to ${ident}`);
  await run(`grant usage, select on all sequences in schema ${target} to ${ident}`);
  // History tables carry an append-only trigger (the `refuse_history_rewrite` convention): their
  // role may not even ask to change or delete a row.
  const guarded = (await run(
    `select c.relname as "table", bool_or(t.tgtype & 16 <> 0) as "update", bool_or(t.tgtype & 8 <> 0) as "delete"
       from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_proc p on p.oid = t.tgfoid
      where n.nspname = ${quoteLiteral(schema)} and p.proname = 'refuse_history_rewrite' and not t.tgisinternal
      group by c.relname`,
  )) as { table: string; update: boolean; delete: boolean }[];
  for (const row of guarded) {
    const operations = [row.update ? 'update' : '', row.delete ? 'delete' : ''].filter(Boolean).join(', ');
    if (operations) await run(`revoke ${operations} on ${target}.${quoteIdent(row.table)} from ${ident}`);
  }
  // Derived tables (their comment begins "Derived:") are kept by the slice's own triggers, which run
  // as the owner: the serving role reads them and cannot write a figure by hand.
  const derived = (await run(
    `select c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${quoteLiteral(schema)} and c.relkind = 'r' and obj_description(c.oid, 'pg_class') like 'Derived:%'`,
  )) as { table: string }[];
  for (const row of derived) await run(`revoke insert, update, delete, truncate on ${target}.${quoteIdent(row.table)} from ${ident}`);
}

/**
 * The owner's URL with another user and password: a serving role on the same server and database.
 * The password is percent-encoded whole: the URL's setter leaves `%` as it is, and postgres.js
 * decodes what it reads, so `ab%41` would have logged in as `abA`, and `ab%zz` not at all.
 */
export function asRole(ownerUrl: string, role: string, password?: string): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(role);
  url.password = password ? encodeURIComponent(password) : '';
  return url.toString();
}

/**
 * How many distinct statement texts a serving pool keeps prepared. drizzle sends every statement
 * unnamed, and postgres.js then has PostgreSQL describe it first: two round trips and a fresh plan
 * on every call. Prepared once per connection, a statement takes one round trip and PostgreSQL may
 * keep its plan. Texts differ with the length of an IN list, so only the first PREPARED_TEXTS
 * distinct texts are prepared (each connection holds those it used until postgres.js retires it
 * after its max_lifetime); any other goes unnamed, as before.
 */
const PREPARED_TEXTS = 500;

type PendingQuery = ReturnType<postgres.Sql['unsafe']>;

/**
 * Calls `done` when postgres.js settles the query. Not through `then`, which would start the query
 * before drizzle has set it up (`.values()`): through the two callbacks the connection settles it with.
 */
function whenSettled(query: PendingQuery, done: (error?: unknown) => void): PendingQuery {
  const settled = query as unknown as { resolve: (value: unknown) => unknown; reject: (error: unknown) => unknown };
  const { resolve, reject } = settled;
  settled.resolve = (value) => {
    done();
    return resolve(value);
  };
  settled.reject = (error) => {
    done(error);
    return reject(error);
  };
  return query;
}

/**
 * Every statement a slice's pool sends, inside transactions and savepoints too (each gets an `sql`
 * of its own from postgres.js), reported to the observer of the moment.
 */
function observingStatements(client: postgres.Sql, slice: string, observer: () => StatementObserver | undefined): postgres.Sql {
  const observeUnsafe = (sql: postgres.Sql | postgres.TransactionSql) => {
    const unsafe = sql.unsafe.bind(sql);
    sql.unsafe = ((query: string, parameters?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) => {
      const pending = unsafe(query, parameters, options);
      const observe = observer();
      return observe ? whenSettled(pending, observe(slice, query)) : pending;
    }) as typeof sql.unsafe;
  };
  type Scope = (sql: postgres.TransactionSql) => unknown;
  /** `begin(options?, fn)`, `savepoint(name?, fn)`: the scope is the last argument. */
  const observingScope = (open: (...args: unknown[]) => Promise<unknown>) =>
    ((...args: unknown[]) => {
      const scope = args.at(-1) as Scope;
      return open(...args.slice(0, -1), (tx: postgres.TransactionSql) => scope(inTransaction(tx)));
    }) as never;
  const inTransaction = (tx: postgres.TransactionSql) => {
    observeUnsafe(tx);
    tx.savepoint = observingScope(tx.savepoint.bind(tx) as (...args: unknown[]) => Promise<unknown>);
    return tx;
  };
  observeUnsafe(client);
  client.begin = observingScope(client.begin.bind(client) as (...args: unknown[]) => Promise<unknown>);
  return client;
}

/**
 * A statement whose text begins with this comment is never prepared, so PostgreSQL plans it on each
 * call for the rows its tables hold then. For statements over tables that swing from empty to a burst
 * of thousands between two calls, such as the outbox worker's dispatch and claim: prepared, their
 * generic plan was chosen while the outbox was empty and kept until the next ANALYZE, and a burst of
 * 20,000 events then made each dispatch a nested loop over every waiting event (over 40 s a
 * statement, none delivered in 10 minutes, on a server without autovacuum). Planned each time, the
 * planner sizes a table from its current pages. It costs a describe round trip and a plan per call.
 */
export const PLANNED_EACH_TIME = '/* planned each time */';

function preparingStatements(client: postgres.Sql): postgres.Sql {
  const prepared = new Set<string>();
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((query: string, parameters?: postgres.ParameterOrJSON<never>[], options?: postgres.UnsafeQueryOptions) => {
    const prepare =
      !query.startsWith(PLANNED_EACH_TIME) && (prepared.has(query) || (prepared.size < PREPARED_TEXTS && Boolean(prepared.add(query))));
    return unsafe(query, parameters, { ...options, prepare });
  }) as typeof client.unsafe;
  return client;
}

/**
 * After a failed attempt, how long (seconds) a connection waits before it is tried again.
 * postgres.js's default grows as 3^n / 100 up to 20 s, with n counted over the whole pool: after the
 * server had been down for a second under load, requests queued behind connections waiting 10–20 s
 * and passed their own deadline (REQUEST_TIMEOUT) although the server was back. Here at most 1 s,
 * with jitter, so a pool does not knock all at once.
 */
const reconnectBackoff = (retries: number) => Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
/**
 * The memory a request's statement may use for each sort and bitmap before spilling (PostgreSQL's
 * default is 4 MB). A list filtered by several columns ANDs their indexes' bitmaps; at 1M issues a
 * district's (100,000 rows) and a source's (166,667) no longer fit 4 MB and turn lossy, and the AND
 * of lossy bitmaps reads every heap page they name to recheck it — 9,091 pages for a combination
 * with no match at all (issues of one unit, district and source: 74–125 ms; with 8 MB or more the
 * bitmaps stay exact and nothing is read from the heap: 39 ms). 16 MB for each serving connection:
 * at most a few hundred MB over every pool, and only while such a statement runs.
 */
const SERVING_WORK_MEM = '16MB';
/** A server that does not answer a connection attempt is given up well within a request's deadline (postgres.js waits 30 s). */
const CONNECT_TIMEOUT_SECONDS = 5;

/**
 * postgres.js 3.4.9 is patched (patches/postgres+3.4.9.patch, applied by `npm install` through
 * patch-package): a transaction or reserved connection whose backend died — `pg_terminate_backend`,
 * a restart of the server — sent its ROLLBACK to a socket that was gone, and the TypeError that
 * followed from a timer ended the process (upstream issues #1066, #1154, #1208; not fixed in 3.4.10;
 * 4.x, a rewrite, has it fixed). The patch refuses such a query with CONNECTION_CLOSED and keeps
 * nothing of a closed socket (buffered bytes, the last query, the server's last error) for the next
 * one. test/database-faults.e2e.ts terminates the connections and restarts a server under load.
 */
export function openPostgres(
  ownerUrl: string | undefined,
  options: { maxConnections?: number; roles?: ServingRoles } = {},
): DatabaseHandle {
  const roles = options.roles ?? {};
  const clients: postgres.Sql[] = [];
  const connect = (url: string, parameters: Record<string, string> = {}) => {
    const client = postgres(url, {
      max: options.maxConnections ?? 10,
      backoff: reconnectBackoff,
      connect_timeout: CONNECT_TIMEOUT_SECONDS,
      onnotice: () => {},
      connection: { application_name: 'qingdao-yingshang', ...parameters },
    });
    clients.push(client);
    return client;
  };
  let owner: postgres.Sql | undefined;
  const ownerClient = () => {
    if (!ownerUrl) throw new Error('Migrations need the owner role: set DATABASE_URL');
    return (owner ??= connect(ownerUrl));
  };
  const perSubgraph = new Map<string, SubgraphDatabase & { client: postgres.Sql }>();
  let observer: StatementObserver | undefined;
  const serving = (name: string) => {
    let found = perSubgraph.get(name);
    if (!found) {
      const role = servingRole(name, roles.prefix);
      const url = roles.urls?.[name] ?? (ownerUrl ? asRole(ownerUrl, role, roles.password) : undefined);
      if (!url)
        throw new Error(
          `No database for the ${name} subgraph: set DATABASE_URL or ${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_DATABASE_URL`,
        );
      const statements = { count: 0 };
      // Its own pool, as it would have in its own process; statements past the timeout are cancelled.
      const client = observingStatements(
        preparingStatements(
          connect(url, {
            work_mem: SERVING_WORK_MEM,
            ...(roles.statementTimeoutMs ? { statement_timeout: String(roles.statementTimeoutMs) } : {}),
          }),
        ),
        name,
        () => observer,
      );
      found = {
        db: drizzlePostgres(client, { logger: countingLogger(statements) }) as unknown as Db,
        background: drizzlePostgres(client) as unknown as Db,
        statements,
        role,
        client,
      };
      perSubgraph.set(name, found);
    }
    return found;
  };
  return {
    kind: 'postgres',
    poolMax: options.maxConnections ?? 10,
    observeStatements(given) {
      observer = given;
    },
    poolStats(name) {
      // patches/postgres+3.4.9.patch adds poolStats: postgres.js keeps its pool's state to itself.
      const stats = (
        perSubgraph.get(name)?.client as { poolStats?: () => { max: number; idle: number; busy: number; waiting: number } } | undefined
      )?.poolStats?.();
      return stats && { max: stats.max, inUse: stats.busy, idle: stats.idle, waiting: stats.waiting };
    },
    forSubgraph(name) {
      const { db, background, statements, role } = serving(name);
      return { db, background, statements, role };
    },
    owner() {
      return drizzlePostgres(ownerClient()) as unknown as Db;
    },
    async migrate(name) {
      const admin = ownerClient();
      const lock = await admin.reserve();
      try {
        await lock`select pg_advisory_lock(${MIGRATION_LOCK})`;
        await migratePostgres(drizzlePostgres(admin), migrationConfig(name));
        const explicit = roles.urls?.[name];
        const role = explicit ? decodeURIComponent(new URL(explicit).username) : servingRole(name, roles.prefix);
        await grantServingRole((statement) => lock.unsafe(statement) as Promise<unknown[]>, name, role, {
          login: true,
          password: explicit ? undefined : roles.password,
        });
      } finally {
        await lock`select pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
        lock.release();
      }
    },
    async ping() {
      const [any] = perSubgraph.values();
      await (any?.client ?? ownerClient())`select 1`;
    },
    async close() {
      await Promise.all(clients.map((client) => client.end({ timeout: 5 })));
    },
  };
}

/** The embedded database's folder is held by another live process. */
export class DataDirInUse extends Error {
  override name = 'DataDirInUse';
  constructor(
    readonly dataDir: string,
    readonly holder: number,
  ) {
    super(
      `嵌入式数据库 ${dataDir} 正被进程 ${holder} 使用：先停止该进程，或设置 DATA_DIR 另用一个文件夹 / ` +
        `The embedded database in ${dataDir} is in use by process ${holder}: stop that process, set DATA_DIR to another folder, or set DATABASE_URL to share a PostgreSQL server.`,
    );
  }
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
      throw new DataDirInUse(dataDir, holder);
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
export async function openPglite(dataDir?: string, fromDump?: Blob, rolePrefix?: string): Promise<DatabaseHandle> {
  const release = dataDir ? claimDataDir(dataDir) : () => {};
  let client: PGlite;
  try {
    client = await PGlite.create({
      dataDir: dataDir ? path.join(dataDir, 'pglite') : undefined,
      loadDataDir: fromDump,
      extensions: { pg_trgm, btree_gin },
    });
  } catch (error) {
    release();
    throw error;
  }
  return pgliteHandle(client, release, rolePrefix);
}

/**
 * The embedded database's one connection, as a slice's role: each statement, and each transaction,
 * runs under `SET LOCAL ROLE`, which ends with its transaction.
 */
function pgliteAsRole(client: PGlite, role: string, slice: string, observer: () => StatementObserver | undefined): PGlite {
  const setRole = `set local role ${quoteIdent(role)}`;
  type Tx = Parameters<Parameters<PGlite['transaction']>[0]>[0];
  const observed = async <T>(text: string, run: () => Promise<T>): Promise<T> => {
    const done = observer()?.(slice, text);
    try {
      const result = await run();
      done?.();
      return result;
    } catch (error) {
      done?.(error);
      throw error;
    }
  };
  const facade = {
    query: (text: string, params?: unknown[], options?: unknown) =>
      observed(text, () =>
        client.transaction(async (tx: Tx) => {
          await tx.query(setRole);
          return tx.query(text, params, options as never);
        }),
      ),
    transaction: <T>(work: (tx: Tx) => Promise<T>) =>
      client.transaction(async (tx: Tx) => {
        await tx.query(setRole);
        const inner = Object.create(tx) as Tx;
        inner.query = ((text: string, params?: unknown[], options?: unknown) =>
          observed(text, () => tx.query(text, params, options as never))) as Tx['query'];
        return work(inner);
      }),
  };
  return facade as unknown as PGlite;
}

function pgliteHandle(client: PGlite, release: () => void = () => {}, prefix = 'yingshang'): DatabaseHandle {
  const perSubgraph = new Map<string, SubgraphDatabase>();
  let observer: StatementObserver | undefined;
  return {
    kind: 'pglite',
    poolMax: 1,
    observeStatements(given) {
      observer = given;
    },
    poolStats: () => undefined,
    forSubgraph(name) {
      let found = perSubgraph.get(name);
      if (!found) {
        const statements = { count: 0 };
        const role = servingRole(name, prefix);
        found = {
          db: drizzlePglite(
            pgliteAsRole(client, role, name, () => observer),
            { logger: countingLogger(statements) },
          ) as unknown as Db,
          background: drizzlePglite(pgliteAsRole(client, role, name, () => observer)) as unknown as Db,
          statements,
          role,
        };
        perSubgraph.set(name, found);
      }
      return found;
    },
    owner() {
      return drizzlePglite(client) as unknown as Db;
    },
    async migrate(name) {
      await migratePglite(drizzlePglite(client), migrationConfig(name));
      await grantServingRole(async (statement) => (await client.query(statement)).rows, name, servingRole(name, prefix), { login: false });
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

export interface DatabaseSettings {
  dataDir: string;
  database: { ownerUrl?: string; rolePrefix: string; rolePassword?: string; statementTimeoutMs: number; poolMax?: number };
  subgraphs: Record<string, { databaseUrl?: string }>;
}

/** PostgreSQL when DATABASE_URL (the owner) or any slice's own URL is set; the embedded database otherwise. */
export async function openDatabase(env: DatabaseSettings): Promise<DatabaseHandle> {
  const urls = Object.fromEntries(Object.entries(env.subgraphs).map(([name, address]) => [name, address.databaseUrl]));
  if (env.database.ownerUrl || Object.values(urls).some(Boolean)) {
    return openPostgres(env.database.ownerUrl, {
      maxConnections: env.database.poolMax,
      roles: {
        prefix: env.database.rolePrefix,
        password: env.database.rolePassword,
        urls,
        statementTimeoutMs: env.database.statementTimeoutMs,
      },
    });
  }
  return openPglite(env.dataDir, undefined, env.database.rolePrefix);
}

/**
 * What the server allows a role, as the role itself reads it: its CONNECTION LIMIT (null: none),
 * and the server's max_connections less the connections reserved for superusers.
 */
export async function connectionLimits(db: Db): Promise<{ role: string; roleLimit: number | null; serverLimit: number }> {
  const [row] = rowsOf<{ role: string; roleLimit: number; serverLimit: number }>(
    await db.execute(
      sql.raw(`select current_user as "role", r.rolconnlimit as "roleLimit",
        current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int as "serverLimit"
        from pg_roles r where r.rolname = current_user`),
    ),
  );
  if (!row) throw new Error('the current role is not in pg_roles');
  return { role: row.role, roleLimit: row.roleLimit < 0 ? null : row.roleLimit, serverLimit: row.serverLimit };
}

/** `db.execute` answers an array on postgres.js and `{ rows }` on PGlite; callers want rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * Makes the transactions working on one key — an idempotency key (a client request id, an import's
 * source reference) or an entity's own key — run one after the other: a transaction-level advisory
 * lock on a hash of the key, released at commit or rollback. Taken first in the transaction, it
 * makes a retry that raced its original see what the original committed (READ COMMITTED reads
 * afresh in each statement) instead of failing on a check it made before that commit, or on a
 * unique index. A hash collision only makes two unrelated keys wait for each other.
 */
export async function lockKey(db: Queryable, ...parts: string[]): Promise<void> {
  await db.execute(sql`select pg_advisory_xact_lock(hashtextextended(${JSON.stringify(parts)}, 0))`);
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

/**
 * Whether an error means the database is away rather than that the statement was wrong: the
 * connection was closed under it (postgres.js: CONNECTION_CLOSED, also after `pg_terminate_backend`
 * or a restart of the server), could not be made (refused, reset, timed out), or the server said it
 * is shutting down, crashed, starting up, full, or lost the connection (SQLSTATE 57P01–57P03,
 * 53300, class 08). Looks through drizzle's and GraphQL's wrappers.
 */
export function databaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current: unknown = error; current && typeof current === 'object' && !seen.has(current);) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (LOST_CONNECTION.has(code) || UNAVAILABLE_STATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)))
      return true;
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.cause ?? next.originalError;
  }
  return false;
}

/** postgres.js's codes for a connection that is gone, and Node's for one that could not be made or broke. */
const LOST_CONNECTION = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

export const SqlState = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
} as const;

/**
 * A transaction for bulk work (an import): plain SQL with positional parameters, a way to stream
 * rows into a table, and a cursor over a large result. On PostgreSQL rows go in with COPY … FROM
 * STDIN (text format), streamed with back-pressure; the embedded database has no COPY from a
 * client stream, so there they go in as INSERTs of `batchRows` rows at a time (arrays, unnested).
 */
export interface BulkTransaction {
  kind: 'postgres' | 'pglite';
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Streams `rows` (each cell text or null, in `columns` order) into `table`. */
  copyIn(table: string, columns: readonly string[], rows: AsyncIterable<readonly (string | null)[]>): Promise<void>;
  /** The rows of `text`, `size` at a time. */
  cursor<T = Record<string, unknown>>(text: string, params: unknown[], size: number): AsyncIterable<T[]>;
}

/** One COPY text-format field: backslash, tab and line breaks escaped; null as \N. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : value;
}

/** COPY text lines in chunks of about 1 MB, for a stream with back-pressure. */
async function* copyChunks(rows: AsyncIterable<readonly (string | null)[]>): AsyncGenerator<Buffer> {
  let chunk = '';
  for await (const row of rows) {
    chunk += row.map(copyField).join('\t') + '\n';
    if (chunk.length >= 1 << 20) {
      yield Buffer.from(chunk, 'utf8');
      chunk = '';
    }
  }
  if (chunk) yield Buffer.from(chunk, 'utf8');
}

type PostgresTransaction = postgres.TransactionSql;
type PgliteTransaction = Parameters<Parameters<PGlite['transaction']>[0]>[0];

function postgresBulk(tx: PostgresTransaction): BulkTransaction {
  return {
    kind: 'postgres',
    query: async <T>(text: string, params: unknown[] = []) =>
      (await tx.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[],
    async copyIn(table, columns, rows) {
      const writable = await tx.unsafe(`copy ${table} (${columns.join(', ')}) from stdin`).writable();
      await pipeline(Readable.from(copyChunks(rows)), writable);
    },
    async *cursor<T>(text: string, params: unknown[], size: number) {
      for await (const rows of tx.unsafe(text, params as postgres.ParameterOrJSON<never>[]).cursor(size)) yield rows as unknown as T[];
    },
  };
}

function pgliteBulk(tx: PgliteTransaction, batchRows: number): BulkTransaction {
  return {
    kind: 'pglite',
    query: async <T>(text: string, params: unknown[] = []) => (await tx.query<T>(text, params)).rows,
    async copyIn(table, columns, rows) {
      // Text in, as COPY takes it: each cell cast to its column's type, as COPY casts it.
      const types = new Map(
        (
          await tx.query<{ name: string; type: string }>(
            `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute where attrelid = $1::regclass and attnum > 0`,
            [table],
          )
        ).rows.map((row) => [row.name, row.type]),
      );
      const unnest = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
      const cells = columns.map((column, i) => `u.c${i}::${types.get(column) ?? 'text'}`).join(', ');
      const names = columns.map((_, i) => `c${i}`).join(', ');
      const insert = `insert into ${table} (${columns.join(', ')}) select ${cells} from unnest(${unnest}) as u(${names})`;
      let batch: (string | null)[][] = columns.map(() => []);
      let size = 0;
      const flush = async () => {
        if (size) await tx.query(insert, batch);
        batch = columns.map(() => []);
        size = 0;
      };
      for await (const row of rows) {
        row.forEach((value, i) => batch[i]?.push(value));
        if (++size >= batchRows) await flush();
      }
      await flush();
    },
    async *cursor<T>(text: string, params: unknown[]) {
      yield (await tx.query<T>(text, params)).rows;
    },
  };
}

/**
 * Runs `work` in one transaction of `db`'s own connection (as the slice's role): everything it
 * wrote commits together, or nothing does when it throws.
 */
export async function bulkTransaction<T>(
  db: Db,
  work: (tx: BulkTransaction) => Promise<T>,
  options: { batchRows?: number } = {},
): Promise<T> {
  const client = (db as unknown as { $client: unknown }).$client;
  if (typeof client === 'function' && 'begin' in client) {
    return (await (client as postgres.Sql).begin((tx) => work(postgresBulk(tx)))) as T;
  }
  return (client as PGlite).transaction((tx) => work(pgliteBulk(tx, options.batchRows ?? 1000)));
}
