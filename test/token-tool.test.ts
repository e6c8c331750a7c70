/**
 * `npm run token`, as a newcomer runs it: unknown unit codes and bad lifetimes are refused in one
 * line of Chinese and English with exit code 1 (never a stack trace or a token for a unit that does
 * not exist), an enterprise token without a credit code gets a named sample enterprise, and
 * `--list` prints what may be named.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { referenceUnits, sampleEnterprises, unitIdForCode } from '../db/reference/organisation.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

function token(...args: string[]) {
  return tokenWith({}, ...args);
}

function tokenWith(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/token.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run token', () => {
  it('refuses an unknown unit code with the way to list the valid ones, and prints no token', () => {
    const result = token('--role', 'UNIT_STAFF', '--unit', 'NOSUCH_BUREAU');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/没有代码为 NOSUCH_BUREAU 的单位.* \/ no unit has the code NOSUCH_BUREAU.*--list/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a lifetime it cannot read in one line, not a TypeError', () => {
    const result = token('--role', 'COMMAND_OFFICE', '--expires', 'banana');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe(
      '--expires "banana" 不是有效时长（如 30m、8h、2d） / --expires "banana" is not a duration (e.g. 30m, 8h, 2d)',
    );
    expect(result.stderr).not.toMatch(/TypeError|\n\s+at /);
  });

  it('picks a sample enterprise for an enterprise token without one, and says which', () => {
    const result = token('--role', 'ENTERPRISE');
    expect(result.status).toBe(0);
    const claims = decodeJwt(result.stdout.trim());
    const sample = sampleEnterprises().find((enterprise) => enterprise.creditCode === claims.enterprise);
    expect(sample).toBeDefined();
    expect(result.stderr).toContain(sample!.creditCode);
  });

  it('signs a seeded unit by its code, and a unit created later by its id', () => {
    const byCode = decodeJwt(token('--role', 'UNIT_ADMIN', '--unit', 'market_regulation_bureau').stdout.trim());
    expect(byCode.unit).toBe(unitIdForCode('MARKET_REGULATION_BUREAU'));
    const id = '0b5d3a8e-6a4f-4c1e-9f7a-2d1c3b4a5e6f';
    expect(decodeJwt(token('--role', 'UNIT_STAFF', '--unit', id).stdout.trim()).unit).toBe(id);
  });

  it('lists every seeded unit code and every sample enterprise with --list', () => {
    const result = token('--list');
    expect(result.status).toBe(0);
    for (const unit of referenceUnits) expect(result.stdout).toContain(unit.code);
    for (const enterprise of sampleEnterprises()) expect(result.stdout).toContain(enterprise.creditCode);
  });

  it('refuses production settings without a key in one line of Chinese and English, not a stack trace', () => {
    const result = tokenWith({ DEVELOPMENT_MODE: 'false' }, '--role', 'OBSERVER');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      '配置有误：未设置 JWT_JWKS_URL 或 JWT_SECRET：没有真实密钥，拒绝启动（DEVELOPMENT_MODE=true 只用于开发者本机）（见 README「配置」） / ' +
        "Configuration error: No JWT_JWKS_URL or JWT_SECRET: refusing to start without a real key (set DEVELOPMENT_MODE=true only on a developer's machine) (see README › Configuration)",
    ]);
    expect(result.stderr).not.toMatch(/ConfigurationError|\n\s+at /);
    // With the production secret, issuer and audience it signs, as docs/DEPLOYMENT.md says.
    const secret = 'k7Qz2vX9pL4mN8rT1wY6bF3hJ5sD0gAcE+uV/oIqZx=';
    const signed = tokenWith(
      { DEVELOPMENT_MODE: 'false', JWT_SECRET: secret, JWT_ISSUER: 'https://id.example', JWT_AUDIENCE: 'yingshang' },
      '--role',
      'OBSERVER',
    );
    expect(signed.status, signed.stderr).toBe(0);
    expect(decodeJwt(signed.stdout.trim())).toMatchObject({ role: 'OBSERVER', iss: 'https://id.example', aud: 'yingshang' });
  });

  it('signs a financial institution’s token with its institution and branch, and refuses one without an institution', () => {
    const institution = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
    const branch = '7a2d3c4b-5e6f-4a71-9b8c-0d1e2f3a4b5c';
    const claims = decodeJwt(token('--role', 'FINANCIAL_INSTITUTION', '--institution', institution, '--branch', branch).stdout.trim());
    expect(claims).toMatchObject({ role: 'FINANCIAL_INSTITUTION', institution, branch });
    const missing = token('--role', 'FINANCIAL_INSTITUTION');
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toMatch(/需要 --institution .* \/ .*needs --institution/);
    const notAnId = token('--role', 'FINANCIAL_INSTITUTION', '--institution', 'qingdao-bank');
    expect(notAnId.status).toBe(1);
    expect(notAnId.stderr).toMatch(/--institution 须为编号/);
    expect(token('--role', 'ENTERPRISE', '--institution', institution).status).toBe(1);
  });

  it('refuses an option it does not know', () => {
    const result = token('--role', 'COMMAND_OFFICE', '--bogus');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/参数有误 \/ .*--bogus/);
  });
});
