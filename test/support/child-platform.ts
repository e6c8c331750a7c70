/**
 * The whole platform in a process of its own (`bin/start.ts`, as `npm start` runs it), for what
 * cannot be watched from inside: a request that blocks the event loop would block the test too, and
 * a SIGTERM has to reach a real process. On a test database of the PostgreSQL server when one is
 * reachable, on a fresh embedded database otherwise.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { envPrefix } from '../../platform/env.ts';
import { slices } from '../../subgraphs/registry.ts';
import { createTestDatabase, testServerUrl, type TestDatabase } from './database.ts';
import { freePort } from './ports.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ChildPlatform {
  /** `gateway` and each slice's name → its GraphQL URL. */
  graphql: Record<string, string>;
  /** The same services' /health URLs. */
  health: Record<string, string>;
  child: ChildProcess;
  /** The owner's URL of the PostgreSQL database the child runs on; null on the embedded database. */
  databaseUrl: string | null;
  output(): string;
  /** Sends the signal and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `databaseUrl`: the owner's URL of a database the caller owns (a server of its own, say); without
 * it, a fresh test database of the tests' server, or the embedded database.
 */
export async function startChildPlatform(env: Record<string, string> = {}, options: { databaseUrl?: string } = {}): Promise<ChildPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-child-'));
  let database: TestDatabase | undefined;
  if (!options.databaseUrl && (await testServerUrl())) database = await createTestDatabase();
  // Created and migrated by the child itself: this handle only drops it afterwards.
  if (database) await database.handle.close();
  const ports: Record<string, number> = { gateway: await freePort() };
  for (const slice of slices) ports[slice.name] = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      DEVELOPMENT_MODE: 'true',
      LOAD_SAMPLE_DATA: 'false',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(ports.gateway),
      ...Object.fromEntries(slices.map((slice) => [`${envPrefix(slice.name)}_PORT`, String(ports[slice.name])])),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : database?.url ? { DATABASE_URL: database.url } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const cleanUp = async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  };
  const health = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}/health`]));
  const graphql = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}/graphql`]));
  // Ready when the gateway says every subgraph is.
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await cleanUp();
      throw new Error(`the platform exited while starting:\n${output}`);
    }
    const ready = await fetch(`http://127.0.0.1:${ports.gateway}/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() - started > 90_000) {
      child.kill('SIGKILL');
      await cleanUp();
      throw new Error(`the platform did not get ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    graphql,
    health,
    child,
    databaseUrl: options.databaseUrl ?? database?.url ?? null,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      await cleanUp();
      return result;
    },
  };
}
