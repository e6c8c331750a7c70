/**
 * A PostgreSQL server of the test's own, for faults no shared server may suffer: stopped and
 * started again under load. `initdb` in a temporary folder (as the `postgres` user when the tests
 * run as root: initdb refuses root), `pg_ctl` on a free port of 127.0.0.1, trust authentication,
 * its socket in the same folder. `remove()` stops it and deletes the folder.
 *
 * Where the server binaries are missing, `postgresBinaries()` says so; a test may then skip, except
 * in CI (`CI=true`), where a missing server is a broken machine, not a reason to pass.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

const run = promisify(execFile);

/** The folder holding initdb and pg_ctl, or why there is none. */
export function postgresBinaries(): { dir: string } | { missing: string } {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config: look where Debian puts each major version
  }
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    for (const version of fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(debian, version, 'bin'));
  }
  const dir = candidates.find((candidate) => ['initdb', 'pg_ctl', 'postgres'].every((tool) => fs.existsSync(path.join(candidate, tool))));
  return dir
    ? { dir }
    : {
        missing: `no PostgreSQL server binaries (initdb, pg_ctl) in ${candidates.join(', ') || 'pg_config --bindir or /usr/lib/postgresql/*/bin'}`,
      };
}

export interface OwnPostgres {
  /** The superuser's URL (database `postgres`). */
  url: string;
  /** `pg_ctl stop -m fast`: every backend is terminated, the server gone until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. */
  remove(): Promise<void>;
}

/**
 * `superuserPassword`: connections over TCP must give their password (scram-sha-256), as on a
 * production server, and the superuser's is this one; the socket stays trust. Without it, trust.
 */
export async function startOwnPostgres(options: { superuserPassword?: string } = {}): Promise<OwnPostgres> {
  const found = postgresBinaries();
  if ('missing' in found) throw new Error(found.missing);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-own-pg-'));
  const data = path.join(root, 'data');
  const log = path.join(root, 'server.log');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    fs.chownSync(root, uid, gid);
  }
  const tool = (name: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(found.dir, name), ...args]) : run(path.join(found.dir, name), args);
  const authentication = ['-A', 'trust'];
  if (options.superuserPassword !== undefined) {
    const pwfile = path.join(root, 'superuser.pw');
    fs.writeFileSync(pwfile, `${options.superuserPassword}\n`, { mode: 0o644 });
    authentication.splice(0, 2, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
  }
  await tool('initdb', ['-D', data, '-U', 'postgres', ...authentication, '-E', 'UTF8', '--no-locale', '--no-sync']);
  const serverOptions = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c max_connections=100`;
  let running = false;
  const server = {
    url:
      options.superuserPassword === undefined
        ? `postgres://postgres@127.0.0.1:${port}/postgres`
        : `postgres://postgres:${encodeURIComponent(options.superuserPassword)}@127.0.0.1:${port}/postgres`,
    async start() {
      await tool('pg_ctl', ['-D', data, '-l', log, '-o', serverOptions, '-w', '-t', '60', 'start']);
      running = true;
    },
    async stop() {
      await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      running = false;
    },
    async remove() {
      if (running) await server.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
