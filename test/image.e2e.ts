/**
 * The Dockerfile's stages run without a container engine, command for command, in a folder of
 * their own: the build stage's `npm run build -- --out …`, the deps stage's `npm ci --omit=dev`,
 * and the runtime stage's layout (node_modules beside the compiled platform). Then the services
 * start from there as docker-compose.yml runs them — the migration as the owner, each subgraph
 * with only its own role's URL, given as a file (`<NAME>_DATABASE_URL_FILE`), the gateway with no
 * database at all — and answer, with Node alone: no tsx, no TypeScript, no esbuild installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../platform/auth.ts';
import { envPrefix } from '../platform/env.ts';
import { slices } from '../subgraphs/registry.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { freePort } from './support/ports.ts';
import { createTestDatabase, testServerUrl, type TestDatabase } from './support/database.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const secret = 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4';
const issuer = 'https://id.qingdao.example';
const audience = 'qingdao-yingshang';

let work: string;
let app: string;
let database: TestDatabase | undefined;
const children: ChildProcess[] = [];

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), ...env },
  });
}
function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const result = run(command, args, cwd, env);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Every file under a folder, relative to it. */
function files(dir: string, under = ''): string[] {
  return fs.readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(under, entry.name);
    return entry.isDirectory() ? files(dir, relative) : [relative];
  });
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-image-'));
  app = path.join(work, 'app');
  // Stage "build": the full install is this checkout's; the command is the Dockerfile's.
  sh('npm', ['run', '-s', 'build', '--', '--out', app], root);
  // Stage "deps": the lockfile and the patches alone, production dependencies only.
  const deps = path.join(work, 'deps');
  fs.mkdirSync(deps);
  for (const file of ['package.json', 'package-lock.json', 'patches'])
    fs.cpSync(path.join(root, file), path.join(deps, file), { recursive: true });
  sh('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], deps);
  // Stage "runtime": COPY --from=deps /app/node_modules, COPY --from=build /app/dist.
  fs.renameSync(path.join(deps, 'node_modules'), path.join(app, 'node_modules'));
}, 600_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await database?.drop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the image’s stages, run without an engine', () => {
  it('holds the compiled platform and its production dependencies, and no devDependency, no TypeScript source', () => {
    const own = files(app).filter((file) => !file.startsWith('node_modules'));
    expect(own.filter((file) => /\.(ts|tsx|mts|cts)$/.test(file))).toEqual([]);
    for (const entry of ['bin/start.js', 'bin/gateway.js', 'bin/subgraph.js', 'bin/migrate.js', 'bin/healthcheck.js', 'package.json'])
      expect(own, entry).toContain(entry);
    expect(own).toContain('schema/supergraph.graphql');
    expect(own).toContain('.build/explorer/manifest.json');
    for (const slice of slices) expect(own, slice.name).toContain(`db/migrations/${slice.name}/meta/_journal.json`);
    // Every relative import names a compiled file that is there.
    for (const file of own.filter((name) => name.endsWith('.js'))) {
      const code = fs.readFileSync(path.join(app, file), 'utf8');
      for (const [, specifier] of code.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        expect(specifier, `${file} imports ${specifier}`).not.toMatch(/\.tsx?$/);
        expect(fs.existsSync(path.resolve(path.dirname(path.join(app, file)), specifier as string)), `${file} imports ${specifier}`).toBe(
          true,
        );
      }
    }
    const installed = fs
      .readdirSync(path.join(app, 'node_modules'))
      .flatMap((name) =>
        name.startsWith('@') ? fs.readdirSync(path.join(app, 'node_modules', name)).map((inner) => `${name}/${inner}`) : [name],
      );
    // The tools that build, test and lint (a devDependency a production one needs too, @types/node say, stays).
    const tools = [
      'tsx',
      'typescript',
      'esbuild',
      'vitest',
      'drizzle-kit',
      '@graphql-hive/gateway',
      'graphiql',
      'eslint',
      'prettier',
      'madge',
    ];
    for (const name of tools) {
      expect(pkg.devDependencies[name], name).toBeDefined();
      expect(installed, name).not.toContain(name);
    }
    expect(installed).toEqual(expect.arrayContaining(['@apollo/gateway', 'postgres', 'pino']));
  });

  it('migrates as the owner, then runs each subgraph on its own role from a file and the gateway on no database, Node alone', async () => {
    if (!(await testServerUrl())) {
      // The compose path needs a PostgreSQL server; without one (TEST_DATABASE=pglite) the platform starts alone.
      expect(process.env.CI, 'CI runs this on PostgreSQL').not.toBe('true');
      return;
    }
    database = await createTestDatabase();
    await database.handle.close();
    const owner = database.url as string;
    const common = {
      NODE_ENV: 'production',
      APOLLO_TELEMETRY_DISABLED: '1',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: audience,
      HOST: '127.0.0.1',
    };
    const secrets = path.join(work, 'secrets');
    fs.mkdirSync(secrets);
    const secretFile = (name: string, value: string) => {
      fs.writeFileSync(path.join(secrets, name), `${value}\n`);
      return path.join(secrets, name);
    };
    const jwtSecretFile = secretFile('jwt_secret', secret);
    // The migrate service: owner's URL and the serving roles' password, as files.
    const migrated = run(process.execPath, ['bin/migrate.js'], app, {
      ...common,
      DATABASE_URL_FILE: secretFile('database_url', owner),
      DATABASE_ROLE_PASSWORD_FILE: secretFile('database_role_password', 'serving-password'),
    });
    expect(migrated.status, `${migrated.stdout}\n${migrated.stderr}`).toBe(0);
    expect(migrated.stdout).toMatch(/migrated: units, issues/);

    const ports: Record<string, number> = { gateway: await freePort() };
    for (const slice of slices) ports[slice.name] = await freePort();
    const urls = Object.fromEntries(
      slices.map((slice) => [`${envPrefix(slice.name)}_URL`, `http://127.0.0.1:${ports[slice.name]}/graphql`]),
    );
    let output = '';
    const start = (args: string[], env: Record<string, string>) => {
      const child = spawn(process.execPath, args, {
        cwd: app,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), ...common, ...urls, JWT_SECRET_FILE: jwtSecretFile, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      children.push(child);
      return child;
    };
    for (const slice of slices) {
      const url = new URL(owner);
      url.username = `yingshang_${slice.name}`;
      url.password = 'serving-password';
      start(['bin/subgraph.js', slice.name], {
        PORT: String(ports[slice.name]),
        [`${envPrefix(slice.name)}_DATABASE_URL_FILE`]: secretFile(`${slice.name}_database_url`, url.toString()),
      });
    }
    const gateway = start(['bin/gateway.js'], { PORT: String(ports.gateway), EXPLORER: 'true' });
    const healthcheck = (port: number) =>
      run(process.execPath, ['bin/healthcheck.js'], app, { PORT: String(port), HOST: '0.0.0.0' }).status;

    const started = Date.now();
    while (healthcheck(ports.gateway as number) !== 0) {
      if (children.some((child) => child.exitCode !== null)) throw new Error(`a service exited:\n${output}`);
      if (Date.now() - started > 120_000) throw new Error(`not ready in 120 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    for (const slice of slices) expect(healthcheck(ports[slice.name] as number), slice.name).toBe(0);
    expect(healthcheck(await freePort()), 'nothing listens there').toBe(1);

    const token = await signToken(
      { sub: 'image-test', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') },
      { secret, issuer, audience },
    );
    const response = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ unit(code: "MARKET_REGULATION_BUREAU") { name issueStats { received } } }' }),
    });
    expect(await response.json()).toEqual({ data: { unit: { name: '市市场监管局', issueStats: { received: 0 } } } });
    // The explorer's bundle was built in the build stage: served without esbuild.
    const page = await fetch(`http://127.0.0.1:${ports.gateway}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const script = /src="(\/explorer\/[^"]+\.js)"/.exec(await page.text())?.[1];
    expect((await fetch(`http://127.0.0.1:${ports.gateway}${script}`)).status).toBe(200);

    for (const child of children) child.kill('SIGTERM');
    const codes = await Promise.all(
      children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', resolve)))),
    );
    expect(codes, output).toEqual(children.map(() => 0));
    expect(gateway.exitCode).toBe(0);
  }, 240_000);
});
