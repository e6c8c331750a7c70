/**
 * Issue #23, connection strings: any password reaches the server as it is — through DATABASE_HOST
 * and its siblings (no encoding needed), through a percent-encoded DATABASE_URL, and through
 * DATABASE_ROLE_PASSWORD derived into each serving role's URL — and a connection string that cannot
 * be read is refused at start in one line of Chinese and English saying how to write it, never a
 * bare "TypeError: Invalid URL", and never echoing the password.
 *
 * What postgres.js will send is read from its own parsed options (`postgres(url).options`), which
 * connects to nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { asRole } from '../db/client.ts';
import { ConfigurationError, embeddedDatabase, loadEnv } from '../platform/env.ts';
import { slices } from '../subgraphs/registry.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dev = { DEVELOPMENT_MODE: 'true' };

/** What postgres.js makes of a URL: host, port, user, password, database. */
function driverReads(url: string) {
  const options = postgres(url).options as unknown as { host: string[]; port: number[]; user: string; pass: string; database: string };
  return { host: options.host[0], port: options.port[0], user: options.user, pass: options.pass, database: options.database };
}

/** A password as `openssl rand -base64 48` makes it, with a / and a + for certain, and the rest of URL syntax. */
const awkward = `${randomBytes(30).toString('base64')}/+=#?@%:ab%41%zz 中`;

function refusal(source: Record<string, string>): ConfigurationError {
  try {
    loadEnv({ ...dev, ...source }, slices);
  } catch (error) {
    if (error instanceof ConfigurationError) return error;
    throw error;
  }
  throw new Error(`accepted: ${JSON.stringify(source)}`);
}

describe('separate connection variables take any password as it is', () => {
  it('the owner: DATABASE_HOST, DATABASE_PORT, DATABASE_NAME, DATABASE_USER, DATABASE_PASSWORD', () => {
    const env = loadEnv(
      {
        ...dev,
        DATABASE_HOST: 'db.city.internal',
        DATABASE_PORT: '6432',
        DATABASE_NAME: 'yingshang',
        DATABASE_USER: 'yingshang_owner',
        DATABASE_PASSWORD: awkward,
      },
      slices,
    );
    expect(env.embedded).toBe(false);
    expect(driverReads(env.databaseUrl!)).toEqual({
      host: 'db.city.internal',
      port: 6432,
      user: 'yingshang_owner',
      pass: awkward,
      database: 'yingshang',
    });
  });

  it("a service's own role: <NAME>_DATABASE_PASSWORD (its user is the platform's role unless <NAME>_DATABASE_USER names another)", () => {
    const passwords = Object.fromEntries(slices.map((slice) => [slice.name, `${awkward}-${slice.name}`]));
    const env = loadEnv(
      {
        ...dev,
        DATABASE_HOST: '10.1.2.3',
        DATABASE_NAME: 'yingshang',
        DATABASE_SSLMODE: 'verify-full',
        ...Object.fromEntries(slices.map((slice) => [`${slice.name.toUpperCase()}_DATABASE_PASSWORD`, passwords[slice.name]!])),
        ISSUES_DATABASE_USER: 'issues_reader_writer',
      },
      slices,
    );
    expect(env.databaseUrl).toBeUndefined();
    expect(embeddedDatabase({ DATABASE_HOST: '10.1.2.3', UNITS_DATABASE_PASSWORD: 'x' }, slices)).toBe(false);
    for (const slice of slices) {
      const url = env.subgraphs[slice.name]!.databaseUrl!;
      expect(driverReads(url), slice.name).toEqual({
        host: '10.1.2.3',
        port: 5432,
        user: slice.name === 'issues' ? 'issues_reader_writer' : `yingshang_${slice.name}`,
        pass: passwords[slice.name],
        database: 'yingshang',
      });
      expect(new URL(url).searchParams.get('sslmode')).toBe('verify-full');
    }
  });

  it('DATABASE_ROLE_PASSWORD reaches each derived serving role as it is, % included', () => {
    const env = loadEnv(
      {
        ...dev,
        DATABASE_HOST: 'db',
        DATABASE_NAME: 'yingshang',
        DATABASE_USER: 'owner',
        DATABASE_PASSWORD: 'o/p',
        DATABASE_ROLE_PASSWORD: awkward,
      },
      slices,
    );
    const derived = asRole(env.databaseUrl!, 'yingshang_policies', env.database.rolePassword);
    expect(driverReads(derived)).toEqual({ host: 'db', port: 5432, user: 'yingshang_policies', pass: awkward, database: 'yingshang' });
  });

  it('a percent-encoded DATABASE_URL carries the same password', () => {
    const env = loadEnv({ ...dev, DATABASE_URL: `postgres://owner:${encodeURIComponent(awkward)}@db:5432/yingshang` }, slices);
    expect(driverReads(env.databaseUrl!).pass).toBe(awkward);
  });
});

describe('a connection setting that cannot work is refused with what to do', () => {
  const secret = 'k9/Zq+Wm';
  it.each([
    ['a / in the password (openssl rand -base64)', { DATABASE_URL: `postgres://owner:${secret}x@db:5432/yingshang` }],
    ['digits, then / in the password: it parsed as another host', { DATABASE_URL: `postgres://owner:123/${secret}@db:5432/yingshang` }],
    ['a # in the password', { DATABASE_URL: `postgres://owner:12#${secret}@db:5432/yingshang` }],
    ['a lone % in the password', { DATABASE_URL: `postgres://owner:${secret.replace('/', '')}%zz@db:5432/yingshang` }],
    ["a slice's own URL", { ISSUES_DATABASE_URL: `postgres://yingshang_issues:${secret}@db:5432/yingshang` }],
  ])('%s', (_, source) => {
    const error = refusal(source);
    const key = Object.keys(source)[0]!;
    expect(error.message).toMatch(new RegExp(`^${key} .*percent-encoded.*DATABASE_HOST`));
    expect(error.zh).toMatch(new RegExp(`^${key} .*百分号编码.*DATABASE_HOST`));
    // The password is never echoed, not even in part.
    expect(`${error.message} ${error.zh}`).not.toContain('k9');
  });

  it.each([
    ['DATABASE_URL and DATABASE_HOST both', { DATABASE_URL: 'postgres://o@db/y', DATABASE_HOST: 'db' }, /not both/],
    ['DATABASE_PASSWORD without a host', { DATABASE_USER: 'o', DATABASE_PASSWORD: 'p' }, /need DATABASE_HOST/],
    ['DATABASE_HOST without a database', { DATABASE_HOST: 'db', DATABASE_USER: 'o' }, /needs DATABASE_NAME/],
    ['DATABASE_HOST without any role', { DATABASE_HOST: 'db', DATABASE_NAME: 'y' }, /no role/],
    ["a slice's password without a host", { UNITS_DATABASE_PASSWORD: 'p' }, /UNITS_DATABASE_PASSWORD needs DATABASE_HOST/],
    ["a slice's URL and password both", { UNITS_DATABASE_URL: 'postgres://u@db/y', UNITS_DATABASE_PASSWORD: 'p' }, /not both/],
    ['a database name that needs encoding', { DATABASE_HOST: 'db', DATABASE_NAME: 'a/b', DATABASE_USER: 'o' }, /DATABASE_NAME must be/],
  ])('%s', (_, source, expected) => {
    const error = refusal(source);
    expect(error.message).toMatch(expected);
    expect(error.zh ?? '').toMatch(/[\u4e00-\u9fff]/);
  });

  it('an unknown DATABASE_SSLMODE', () => {
    expect(refusal({ DATABASE_HOST: 'db', DATABASE_NAME: 'y', DATABASE_USER: 'o', DATABASE_SSLMODE: 'on' }).message).toMatch(
      /DATABASE_SSLMODE must be one of disable, allow, prefer, require, verify-full/,
    );
  });

  it('npm run db:migrate with such a URL ends in one bilingual line and exit code 1, no TypeError', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/migrate.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        DATABASE_URL: `postgres://owner:${secret}@db:5432/yingshang`,
      },
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^配置有误：DATABASE_URL 不是有效的 PostgreSQL 连接串.* \/ Configuration error: DATABASE_URL is not a valid PostgreSQL connection string/,
    );
    expect(result.stderr).not.toMatch(/TypeError|Invalid URL|k9/);
  });
});
