/**
 * Issue #23: the operator's path of docs/DEPLOYMENT.md, step by step, on a PostgreSQL server of the
 * test's own that asks for passwords (scram-sha-256), as a production server does:
 *
 * 1. a database administrator who is no superuser (CREATEROLE, CREATEDB: a managed service's admin)
 *    runs `npm run db:roles-sql` with psql — every slice of the registry gets its role, passwords
 *    as `openssl rand -base64` makes them (with / and +);
 * 2. `npm run db:migrate` as the owner, which has no CREATEROLE, through DATABASE_HOST & co.;
 * 3. the platform starts with each slice's own role only (no DATABASE_URL), tokens from a JWKS, no
 *    sample data, and warns that MAX_REPLICAS × DATABASE_POOL_MAX is more than the roles' limit;
 *    a unit created later is named in tokens by the id createUnit answers;
 * 4. passwords rotate: `npm run db:roles-sql -- --rotate` for the administrator's roles, and
 *    DATABASE_ROLE_PASSWORD through the owner's migration where the owner may (CREATEROLE), with a
 *    clear refusal where it may not.
 *
 * Skipped, saying why, only where the PostgreSQL server binaries are missing, and never in CI.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../bin/platform.ts';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { envPrefix, loadEnv } from '../platform/env.ts';
import { createLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';
import { postgresBinaries, startOwnPostgres, type OwnPostgres } from './support/own-postgres.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);

const binaries = postgresBinaries();
if ('missing' in binaries && process.env.CI) throw new Error(`CI=true but ${binaries.missing}: the production path cannot be tried`);
if ('missing' in binaries)
  console.warn(`跳过 / skipping the production path: ${binaries.missing} — install PostgreSQL's server package to run it.`);
const PSQL = 'missing' in binaries ? 'psql' : path.join(binaries.dir, 'psql');

/** As `openssl rand -base64 33` makes one: 44 characters, a / and a + in it for certain. */
const secret = () => `${randomBytes(30).toString('base64')}/+`;
const passwords: Record<string, string> = { owner: secret(), ...Object.fromEntries(slices.map((slice) => [slice.name, secret()])) };
const variable = (name: string) => `${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_password`;

let server: OwnPostgres;
let host: string;
let port: string;
const admin = { user: 'city_admin', password: secret() };

function node(script: string, args: string[], env: Record<string, string>) {
  return run(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
}

/** psql as the administrator, the SQL on stdin, passwords as -v variables. */
async function psql(sql: string, variables: Record<string, string>) {
  const child = execFile(
    PSQL,
    [
      `postgres://${admin.user}:${encodeURIComponent(admin.password)}@${host}:${port}/postgres`,
      '-X',
      '-q',
      ...Object.entries(variables).flatMap(([name, value]) => ['-v', `${name}=${value}`]),
      '-f',
      '-',
    ],
    { encoding: 'utf8' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  child.stdin!.end(sql);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

/** Whether a role logs in with a password, over TCP (scram-sha-256). */
async function logsIn(user: string, password: string): Promise<boolean | string> {
  const client = postgres({
    host,
    port: Number(port),
    database: 'yingshang',
    user,
    pass: password,
    max: 1,
    onnotice: () => {},
    connect_timeout: 5,
  });
  try {
    await client`select 1`;
    return true;
  } catch (error) {
    return (error as { code?: string }).code === '28P01' ? false : String(error);
  } finally {
    await client.end({ timeout: 1 });
  }
}

const separate = () => ({ DATABASE_HOST: host, DATABASE_PORT: port, DATABASE_NAME: 'yingshang' });

describe.skipIf('missing' in binaries)('the production path on a server that asks for passwords', () => {
  beforeAll(async () => {
    server = await startOwnPostgres({ superuserPassword: secret() });
    ({ hostname: host, port } = new URL(server.url));
    const superuser = postgres(server.url, { max: 1, onnotice: () => {} });
    await superuser.unsafe(`create role ${admin.user} login createrole createdb password '${admin.password}'`);
    await superuser.end();
  }, 60_000);

  afterAll(async () => {
    await server?.remove();
  });

  it('1. the roles SQL names every slice of the registry and refuses to run with a password missing', async () => {
    const { stdout: sql } = await node('bin/roles-sql.ts', [], { MAX_REPLICAS: '2' });
    for (const slice of slices) {
      expect(sql).toContain(
        `ALTER ROLE yingshang_${slice.name} WITH LOGIN NOCREATEROLE NOCREATEDB PASSWORD :'${variable(slice.name)}' CONNECTION LIMIT 30;`,
      );
    }
    expect(sql).not.toContain(passwords.owner!);
    const { [variable(slices.at(-1)!.name)]: _, ...allButOne } = Object.fromEntries(
      Object.entries(passwords).map(([name, value]) => [variable(name), value]),
    );
    const missing = await psql(sql, allButOne);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`psql -v ${variable(slices.at(-1)!.name)}=… is missing`);
  });

  it('1. …run by an administrator who is no superuser, twice (the second run changes nothing but passwords and limits)', async () => {
    const { stdout: sql } = await node('bin/roles-sql.ts', [], { MAX_REPLICAS: '2' });
    const variables = Object.fromEntries(Object.entries(passwords).map(([name, value]) => [variable(name), value]));
    for (const attempt of [1, 2]) {
      const result = await psql(sql, variables);
      expect(result, `run ${attempt}`).toMatchObject({ code: 0 });
      expect(result.stdout).toContain('roles ready');
    }
    for (const [name, password] of Object.entries(passwords)) expect(await logsIn(`yingshang_${name}`, password), name).toBe(true);
    expect(await logsIn('yingshang_issues', 'wrong')).toBe(false);
  });

  it('2. npm run db:migrate as the owner (no CREATEROLE), its password given as it is', async () => {
    const { stdout } = await node('bin/migrate.ts', [], {
      ...separate(),
      DATABASE_USER: 'yingshang_owner',
      DATABASE_PASSWORD: passwords.owner!,
    });
    expect(stdout).toContain(`migrated: ${slices.map((slice) => slice.name).join(', ')}`);
    // The owner holds no serving role's password: each service loads its reference data at its start.
    expect(stdout).toContain('reference data units: ');
  }, 120_000);

  describe('3. the production start: own roles only, a JWKS, no sample data', () => {
    let platform: Platform;
    let jwks: http.Server;
    let sign: (claims: Record<string, unknown>, forAudience?: string) => Promise<string>;
    const lines: Record<string, unknown>[] = [];

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('ES256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'city-2026', alg: 'ES256', use: 'sig' };
      jwks = http.createServer((_, response) =>
        response.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
      );
      await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
      const issuer = 'https://idp.qingdao.gov.cn/realms/yingshang';
      const audience = 'yingshang-api';
      sign = (claims, forAudience = audience) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'ES256', kid: 'city-2026' })
          .setIssuer(issuer)
          .setAudience(forAudience)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(privateKey);
      const env = loadEnv(
        {
          JWT_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
          JWT_ISSUER: issuer,
          JWT_AUDIENCE: audience,
          ...separate(),
          ...Object.fromEntries(slices.map((slice) => [`${envPrefix(slice.name)}_DATABASE_PASSWORD`, passwords[slice.name]!])),
          // 4 replicas × 10 = 40 connections a role may need, against the CONNECTION LIMIT of 30 set above.
          MAX_REPLICAS: '4',
        },
        slices,
      );
      expect(env).toMatchObject({ development: false, loadSampleData: false, databaseUrl: undefined });
      const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
      platform = await startPlatform({ env, ephemeralPorts: true, logger });
    }, 120_000);

    afterAll(async () => {
      await platform?.stop();
      jwks?.close();
    });

    const ask = async (token: string | null, query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(platform.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] };
    };

    it('is ready, and every slice serves as its own role', async () => {
      expect((await fetch(`${platform.gateway.url}ready`)).status).toBe(200);
      for (const slice of slices) {
        const [row] = rowsOf<{ user: string }>(
          await platform.database.forSubgraph(slice.name).db.execute(sql`select current_user as "user"`),
        );
        expect(row?.user).toBe(`yingshang_${slice.name}`);
      }
    });

    it('warns, for each slice, that MAX_REPLICAS × DATABASE_POOL_MAX is more than its role may open', () => {
      const warnings = lines.filter((line) => line.needed === 40);
      expect(warnings.map((line) => line.slice).sort()).toEqual(slices.map((slice) => slice.name).sort());
      for (const line of warnings) {
        expect(line).toMatchObject({ maxReplicas: 4, poolMax: 10, roleLimit: 30 });
        expect(String(line.msg)).toMatch(
          /个副本 × 连接池 10 = 40 个连接.* \/ .*4 replicas of yingshang_\w+ × a pool of 10 = 40 connections, more than the role's CONNECTION LIMIT of 30/,
        );
      }
    });

    it('takes the identity provider’s token (sub, role, unit, iat, exp, iss, aud; ES256 from the JWKS), and holds no sample data', async () => {
      const office = await sign({ sub: 'zhang.wei', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') });
      const answer = await ask(office, '{ issues(first: 1) { totalCount } units(first: 100) { totalCount } }');
      expect(answer.errors).toBeUndefined();
      expect(answer.data.issues.totalCount).toBe(0);
      expect(answer.data.units.totalCount).toBeGreaterThan(0);
    });

    it('refuses a token signed with the development secret, and one for another audience', async () => {
      const { stdout: developmentToken } = await node('bin/token.ts', ['--role', 'COMMAND_OFFICE'], {});
      expect((await ask(developmentToken.trim(), '{ __typename }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const elsewhere = await sign(
        { sub: 'zhang.wei', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') },
        'another-application',
      );
      expect((await ask(elsewhere, '{ __typename }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    it('names a unit created later by the id createUnit answers', async () => {
      const office = await sign({ sub: 'zhang.wei', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') });
      const created = await ask(office, 'mutation($input: CreateUnitInput!) { createUnit(input: $input) { id code } }', {
        input: { code: 'HARBOUR_BUREAU', name: '市港口局', kind: 'PARTICIPATING', level: 'CITY' },
      });
      expect(created.errors).toBeUndefined();
      const unitId = created.data.createUnit.id as string;
      const admin = await sign({ sub: 'li.na', role: 'UNIT_ADMIN', unit: unitId });
      const seen = await ask(admin, '{ unit(code: "HARBOUR_BUREAU") { id name } }');
      expect(seen.errors).toBeUndefined();
      expect(seen.data.unit).toEqual({ id: unitId, name: '市港口局' });
    });
  });

  it('4. npm run db:roles-sql -- --rotate changes the passwords given, and only those', async () => {
    const { stdout: sql } = await node('bin/roles-sql.ts', ['--rotate'], {});
    const rotated = secret();
    const result = await psql(sql, { [variable('issues')]: rotated });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('issues: yingshang_issues has a new password');
    expect(await logsIn('yingshang_issues', passwords.issues!)).toBe(false);
    expect(await logsIn('yingshang_issues', rotated)).toBe(true);
    expect(await logsIn('yingshang_units', passwords.units!)).toBe(true);
    passwords.issues = rotated;
  });

  it('4. DATABASE_ROLE_PASSWORD on the migration step: refused in one line where the owner may not set passwords', async () => {
    const refused = await node('bin/migrate.ts', [], {
      ...separate(),
      DATABASE_USER: 'yingshang_owner',
      DATABASE_PASSWORD: passwords.owner!,
      DATABASE_ROLE_PASSWORD: secret(),
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/may not set the password of yingshang_units.*db:roles-sql -- --rotate/);
    expect(await logsIn('yingshang_units', passwords.units!)).toBe(true);
  }, 120_000);

  it('4. …and applied to every existing serving role where the owner may (CREATEROLE, as on a single host)', async () => {
    const superuser = new URL(server.url);
    superuser.pathname = '/yingshang';
    const shared = secret();
    await node('bin/migrate.ts', [], { DATABASE_URL: superuser.toString(), DATABASE_ROLE_PASSWORD: shared });
    for (const slice of slices) {
      expect(await logsIn(`yingshang_${slice.name}`, shared), slice.name).toBe(true);
      expect(await logsIn(`yingshang_${slice.name}`, passwords[slice.name]!), slice.name).toBe(false);
    }
  }, 120_000);
});
