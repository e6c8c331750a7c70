/**
 * Every way the platform starts: no path may let @apollo/gateway phone home, and a production start
 * without a real signing key refuses to run instead of accepting forged tokens.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApolloGateway } from '@apollo/gateway';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../gateway/server.ts';
import { createAuthenticator } from '../platform/auth.ts';
import { ConfigurationError, DEVELOPMENT_JWT_SECRET, embeddedDatabase, envPrefix, loadEnv, secretWeakness } from '../platform/env.ts';
import { supergraphPath } from '../platform/subgraph.ts';
import { silentLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { tokenFor } from './support/platform.ts';
import { freePort } from './support/ports.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('Apollo usage telemetry', () => {
  // The module @apollo/gateway calls to start its hourly report to an Apollo host.
  const telemetry = createRequire(import.meta.url)('@apollo/gateway/dist/utilities/opentelemetry.js') as {
    createDataCollectionExporter: () => { shutdown(): Promise<void> };
  };
  const saved = process.env.APOLLO_TELEMETRY_DISABLED;
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env.APOLLO_TELEMETRY_DISABLED;
    else process.env.APOLLO_TELEMETRY_DISABLED = saved;
  });

  it('is what a bare ApolloGateway starts when nobody turns it off (so the next test can see it)', () => {
    delete process.env.APOLLO_TELEMETRY_DISABLED;
    const exporter = vi.spyOn(telemetry, 'createDataCollectionExporter').mockReturnValue({ shutdown: async () => {} });
    new ApolloGateway({ supergraphSdl: fs.readFileSync(supergraphPath, 'utf8') });
    expect(exporter).toHaveBeenCalledTimes(1);
  });

  it('is turned off by createGateway before it builds the gateway', () => {
    delete process.env.APOLLO_TELEMETRY_DISABLED;
    const exporter = vi.spyOn(telemetry, 'createDataCollectionExporter').mockReturnValue({ shutdown: async () => {} });
    const env = loadEnv({ DEVELOPMENT_MODE: 'true' }, slices);
    createGateway({
      authenticator: createAuthenticator(env.auth),
      subgraphUrls: Object.fromEntries(Object.entries(env.subgraphs).map(([name, address]) => [name, address.url])),
      limits: env.limits,
      introspection: true,
      logger: silentLogger,
    });
    expect(process.env.APOLLO_TELEMETRY_DISABLED).toBe('1');
    expect(exporter).not.toHaveBeenCalled();
  });
});

describe('the signing key of a start that did not choose development', () => {
  // 48 random bytes, as `openssl rand -base64 48` prints them.
  const strongSecret = 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4';
  const claimsChecked = { JWT_ISSUER: 'https://id.qingdao.example', JWT_AUDIENCE: 'qingdao-yingshang' };

  for (const nodeEnv of [undefined, 'production', 'Production', 'prod', 'development', 'test']) {
    it(`refuses to start without a key when NODE_ENV is ${nodeEnv ?? 'unset'}`, () => {
      const source = nodeEnv === undefined ? {} : { NODE_ENV: nodeEnv };
      expect(() => loadEnv(source)).toThrow(ConfigurationError);
      expect(() => loadEnv(source)).toThrow(/refusing to start without a real key/);
    });
  }

  it('refuses the development secret, which is in the repository, whatever NODE_ENV says', () => {
    for (const NODE_ENV of ['production', 'development']) {
      expect(() => loadEnv({ NODE_ENV, JWT_SECRET: DEVELOPMENT_JWT_SECRET, ...claimsChecked })).toThrow(/development secret/);
    }
  });

  it('refuses a secret shorter than 32 characters, and a long one that carries little', () => {
    expect(() => loadEnv({ JWT_SECRET: strongSecret.slice(0, 31), ...claimsChecked })).toThrow(/fewer than 32/);
    for (const weak of ['a'.repeat(32), 'abc'.repeat(11), 'k'.repeat(20) + 'Q7p2Xv9Lm4Rt8Wz1Ns5B', '0123456789'.repeat(4)]) {
      expect(() => loadEnv({ JWT_SECRET: weak, ...claimsChecked }), weak).toThrow(/bits, fewer than 128/);
    }
    expect(secretWeakness(strongSecret)).toBeNull();
  });

  it('requires the issuer and the audience tokens must name', () => {
    expect(() => loadEnv({ JWT_SECRET: strongSecret })).toThrow(/JWT_ISSUER and JWT_AUDIENCE are required/);
    expect(() => loadEnv({ JWT_SECRET: strongSecret, JWT_ISSUER: 'https://id.qingdao.example' })).toThrow(/JWT_AUDIENCE/);
  });

  it('starts with a strong secret of its own, or with the identity provider’s JWKS URL, and the claims to check', () => {
    const env = loadEnv({ JWT_SECRET: strongSecret, ...claimsChecked });
    expect(env.development).toBe(false);
    expect(env.auth).toMatchObject({
      jwtSecret: strongSecret,
      jwksUrl: undefined,
      issuer: claimsChecked.JWT_ISSUER,
      audience: claimsChecked.JWT_AUDIENCE,
    });
    const jwksUrl = 'https://id.qingdao.example/.well-known/jwks.json';
    expect(loadEnv({ JWT_JWKS_URL: jwksUrl, ...claimsChecked }).auth).toMatchObject({ jwksUrl, jwtSecret: undefined });
    expect(() => loadEnv({ JWT_JWKS_URL: 'not a url', ...claimsChecked })).toThrow(ConfigurationError);
  });

  it('uses the development secret only when development is chosen explicitly', () => {
    expect(loadEnv({ DEVELOPMENT_MODE: 'true' }).auth.jwtSecret).toBe(DEVELOPMENT_JWT_SECRET);
    expect(loadEnv({}, [], { developmentByDefault: true }).auth.jwtSecret).toBe(DEVELOPMENT_JWT_SECRET);
    expect(() => loadEnv({ DEVELOPMENT_MODE: 'false' }, [], { developmentByDefault: true })).toThrow(
      /refusing to start without a real key/,
    );
  });

  it('turns introspection and the explorer off outside development unless enabled', () => {
    const production = loadEnv({ JWT_SECRET: strongSecret, ...claimsChecked });
    expect(production).toMatchObject({ introspection: false, explorer: false });
    expect(loadEnv({ JWT_SECRET: strongSecret, ...claimsChecked, EXPLORER: 'true' })).toMatchObject({
      introspection: true,
      explorer: true,
    });
    expect(loadEnv({ JWT_SECRET: strongSecret, ...claimsChecked, INTROSPECTION: 'true' })).toMatchObject({
      introspection: true,
      explorer: false,
    });
    expect(loadEnv({ DEVELOPMENT_MODE: 'true' })).toMatchObject({ introspection: true, explorer: true });
  });
});

describe('sample data', () => {
  const dev = { DEVELOPMENT_MODE: 'true' };
  const url = 'postgres://someone@db.example:5432/yingshang';

  it('loads unasked only on the embedded database: any database URL, the owner’s or one slice’s own, means none', () => {
    expect(loadEnv(dev, slices)).toMatchObject({ embedded: true, loadSampleData: true });
    expect(loadEnv({ ...dev, DATABASE_URL: url }, slices)).toMatchObject({ embedded: false, loadSampleData: false });
    for (const slice of slices) {
      expect(loadEnv({ ...dev, [`${envPrefix(slice.name)}_DATABASE_URL`]: url }, slices), slice.name).toMatchObject({
        embedded: false,
        loadSampleData: false,
      });
    }
  });

  it('loads on a real database only when asked for by name, and never when told not to', () => {
    expect(loadEnv({ ...dev, POLICIES_DATABASE_URL: url, LOAD_SAMPLE_DATA: 'true' }, slices).loadSampleData).toBe(true);
    expect(loadEnv({ ...dev, LOAD_SAMPLE_DATA: 'false' }, slices).loadSampleData).toBe(false);
  });

  it('is chosen by development’s default only where development is: npm start on the embedded database', () => {
    expect(embeddedDatabase({}, slices)).toBe(true);
    expect(embeddedDatabase({ DATABASE_URL: url }, slices)).toBe(false);
    for (const slice of slices)
      expect(embeddedDatabase({ [`${envPrefix(slice.name)}_DATABASE_URL`]: url }, slices), slice.name).toBe(false);
  });

  it('stays out of docker-compose unless its operator asks', () => {
    const compose = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain('LOAD_SAMPLE_DATA: ${LOAD_SAMPLE_DATA:-false}');
    expect(compose).not.toMatch(/LOAD_SAMPLE_DATA:\s*(["']?)true\1/);
  });
});

/** Runs a start script as `npm` would, but without npm's extra process. */
function run(file: string, env: Record<string, string>, { killAfterMs = 30_000, args = [] as string[] } = {}) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; killed: boolean }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A start that should have refused but serves instead must not outlive the test.
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

/** A minimal environment: nothing inherited that could supply a key. */
function productionEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    DATA_DIR: dataDir,
    ...extra,
    GATEWAY_PORT: '0',
    ...Object.fromEntries(slices.map((slice) => [`${envPrefix(slice.name)}_PORT`, '0'])),
  };
}

const startScripts = Object.entries(
  (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
)
  .filter(([name]) => name === 'start' || name.startsWith('start:'))
  .map(([name, command]) => ({ name, file: /^node --import tsx (\S+\.ts)$/.exec(command)?.[1], command }));

/**
 * Every way to start something: the npm scripts, and each registered slice's own entry. `npm start`
 * chooses development on the embedded database only: with DATABASE_URL it is a deployment too (it
 * refuses before connecting, so the URL need not answer).
 */
const startFiles: { file: string; args: string[]; env?: Record<string, string> }[] = [
  ...startScripts
    .filter((script) => script.name !== 'start:subgraph')
    .map((script) => ({
      file: script.file!,
      args: [],
      env: script.name === 'start' ? { DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' } : undefined,
    })),
  // A deployment that gives each service only its own role's URL, as the README advises, is one too.
  {
    file: 'bin/start.ts',
    args: [],
    env: Object.fromEntries(slices.map((slice) => [`${envPrefix(slice.name)}_DATABASE_URL`, 'postgres://nobody@127.0.0.1:9/none'])),
  },
  ...slices.map((slice) => ({ file: 'bin/subgraph.ts', args: [slice.name] })),
];

describe('a start without a real key, whatever NODE_ENV says', () => {
  it('finds the start scripts this suite runs', () => {
    expect(startScripts.map((script) => script.name)).toEqual(expect.arrayContaining(['start', 'start:gateway', 'start:subgraph']));
    for (const script of startScripts) expect(script.file, `${script.name}: ${script.command}`).toBeDefined();
    expect(startScripts.find((script) => script.name === 'start')?.file).toBe('bin/start.ts');
    expect(startScripts.find((script) => script.name === 'start:gateway')?.file).toBe('bin/gateway.ts');
    expect(startScripts.find((script) => script.name === 'start:subgraph')?.file).toBe('bin/subgraph.ts');
  });

  // docker-compose used to default to NODE_ENV=development; nothing but DEVELOPMENT_MODE chooses it now.
  const nodeEnvs = ['production', 'development', undefined];
  for (const [index, { file, args, env }] of startFiles.entries()) {
    const nodeEnv = nodeEnvs[index % nodeEnvs.length];
    it(`refuses to run: NODE_ENV=${nodeEnv ?? ''} node --import tsx ${[file, ...args].join(' ')}`, async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-start-'));
      try {
        const result = await run(file, productionEnv(dataDir, { ...env, ...(nodeEnv ? { NODE_ENV: nodeEnv } : {}) }), { args });
        expect(result.killed, `${file} kept running:\n${result.stdout}\n${result.stderr}`).toBe(false);
        expect(result.code).not.toBe(0);
        expect(result.code).not.toBeNull();
        expect(result.stderr).toMatch(/refusing to start without a real key/);
        // Nothing was served and nothing was written.
        expect(result.stdout).not.toMatch(/https?:\/\//);
        expect(fs.readdirSync(dataDir)).toEqual([]);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});

/**
 * Debian's libfaketime (package faketime; .ci/run installs it, CI fails without it). Preloaded into
 * node itself rather than through the `faketime` wrapper, which runs the command as its child: a
 * signal to the wrapper would not reach the platform.
 */
const libfaketime = [
  `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/faketime/libfaketime.so.1`,
  '/usr/lib/faketime/libfaketime.so.1',
].find((file) => fs.existsSync(file));
if (!libfaketime && process.env.CI) throw new Error('CI needs Debian faketime to start the platform at another date (.ci/run installs it)');
if (!libfaketime)
  console.warn(
    'faketime is not installed: the real `npm start` at 2027-01-04 is not run here (CI runs it; apt-get install faketime). test/start-on-any-date.e2e.ts covers the same start with an injected clock.',
  );

describe('npm start', () => {
  it('serves and writes on the embedded database, then stops cleanly on SIGTERM', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-start-'));
    const gatewayPort = await freePort();
    const slicePorts: Record<string, number> = {};
    for (const slice of slices) slicePorts[slice.name] = await freePort();
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      DATA_DIR: dataDir,
      GATEWAY_PORT: String(gatewayPort),
      ...Object.fromEntries(slices.map((slice) => [`${envPrefix(slice.name)}_PORT`, String(slicePorts[slice.name])])),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('Ready in')) resolve();
        });
        void exited.then(() => reject(new Error(`npm start exited early:\n${stdout}\n${stderr}`)));
      });
      expect(stdout).toContain(`http://localhost:${gatewayPort}/`);
      // Development on the embedded database, and the banner says so.
      expect(stdout).toMatch(/开发模式 \/ DEVELOPMENT MODE/);
      for (const slice of slices) expect(stdout).toContain(`http://localhost:${slicePorts[slice.name]}/graphql`);

      const response = await fetch(`http://127.0.0.1:${gatewayPort}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ domains { leadUnit { name } } }' }),
      });
      const body = (await response.json()) as { data: { domains: { leadUnit: { name: string } }[] } };
      expect(body.data.domains[0]!.leadUnit.name).toBe('市委政法委');

      // Writes that look up a domain, a district and a parent inside their transaction: the embedded
      // database has one connection, so a lookup beside the transaction would wait for it forever.
      const token = await tokenFor('COMMAND_OFFICE');
      const write = async (query: string, variables: Record<string, unknown>) => {
        const answer = await fetch(`http://127.0.0.1:${gatewayPort}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await answer.json()) as { data?: any; errors?: unknown[] };
      };
      const created = await write(
        `mutation($input: CreateUnitInput!) { createUnit(input: $input) { id domain { code } district { code } parent { code } } }`,
        {
          input: {
            code: 'EMBEDDED_WRITE_CHECK',
            name: '嵌入式数据库写入检查',
            kind: 'RESPONSIBLE',
            level: 'CITY',
            domainCode: 'POLITICS_LAW',
            districtCode: '370202',
            parentId: unitIdForCode('POLITICS_LAW_COMMITTEE'),
          },
        },
      );
      expect(created.errors).toBeUndefined();
      expect(created.data.createUnit).toMatchObject({
        domain: { code: 'POLITICS_LAW' },
        district: { code: '370202' },
        parent: { code: 'POLITICS_LAW_COMMITTEE' },
      });
      const updated = await write(`mutation($id: ID!) { updateUnit(id: $id, input: { name: "嵌入式数据库写入检查（改）" }) { version } }`, {
        id: created.data.createUnit.id,
      });
      expect(updated).toEqual({ data: { updateUnit: { version: 2 } } });

      child.kill('SIGTERM');
      // A clean stop: servers drained, database closed, exit code 0 (not the "second signal" exit 1).
      expect(await exited, `${stdout}\n${stderr}`).toEqual({ code: 0, signal: null });
      expect(fs.existsSync(path.join(dataDir, 'embedded.pid'))).toBe(false);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  // The whole start — migrations, reference data, sample data, every slice's readiness — with the
  // process's own clock at 09:00 on 2027-01-04 in Beijing (01:00 UTC, running on from there), 2027
  // not in the shipped calendar (#20: the process died during start-up).
  it.skipIf(!libfaketime)(
    'starts on a fresh embedded database at 2027-01-04 under faketime, warning that 2027 is missing, never failing',
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-start-'));
      const gatewayPort = await freePort();
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? os.tmpdir(),
        DATA_DIR: dataDir,
        LOG_FORMAT: 'json',
        GATEWAY_PORT: String(gatewayPort),
        LD_PRELOAD: libfaketime!,
        FAKETIME: '@2027-01-04 01:00:00',
        FAKETIME_DONT_RESET: '1',
        ...Object.fromEntries(await Promise.all(slices.map(async (slice) => [`${envPrefix(slice.name)}_PORT`, String(await freePort())]))),
      };
      const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      try {
        await new Promise<void>((resolve, reject) => {
          const collect = (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes('Ready in')) resolve();
          };
          child.stdout.on('data', collect);
          child.stderr.on('data', collect);
          void exited.then(() => reject(new Error(`npm start exited during start-up at 2027-01-04:\n${output}`)));
        });
        const lines = output
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, any>);
        expect(
          lines.filter((line) => line.level >= 50),
          output,
        ).toEqual([]);
        const ready = await fetch(`http://127.0.0.1:${gatewayPort}/ready`);
        const { checks } = (await ready.json()) as { checks: Record<string, string> };
        expect(ready.status).toBe(200);
        for (const slice of ['issues', 'policies', 'evaluations']) {
          expect(checks[`${slice}.calendar`], slice).toMatch(/^warning: no working-day calendar for 2027/);
          expect(lines.find((line) => line.service === slice && line.check === 'calendar')?.msg, slice).toMatch(
            /no working-day calendar for 2027/,
          );
        }
        // The sample grant in public notice since 2027-01-01 (the clock really is 2027): its end counted provisionally.
        const answer = await fetch(`http://127.0.0.1:${gatewayPort}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ publicNotices(first: 20) { edges { node { period { startsAt endsOn provisional } } } } }' }),
        });
        const notices = (
          (await answer.json()) as { data: { publicNotices: { edges: { node: { period: any } }[] } } }
        ).data.publicNotices.edges.map((e) => e.node.period);
        expect(notices).toContainEqual({ startsAt: '2027-01-01T10:00:00+08:00', endsOn: '2027-01-08', provisional: true });
        child.kill('SIGTERM');
        expect(await exited, output).toEqual({ code: 0, signal: null });
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
