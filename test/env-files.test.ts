/**
 * `<NAME>_FILE` (platform/env.ts, withFileVariables): every setting may come from a file, as
 * Compose `secrets:` and Kubernetes Secret volumes hand secrets over, so none has to sit in the
 * environment where `docker inspect` shows it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, embeddedDatabase, loadEnv, withFileVariables } from '../platform/env.ts';
import { slices } from '../subgraphs/registry.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function secretFile(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

const strongSecret = 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4';
const production = { JWT_ISSUER: 'https://id.qingdao.example', JWT_AUDIENCE: 'qingdao-yingshang' };

describe('<NAME>_FILE variables', () => {
  it('reads the value from the file, less the newline echo adds, and leaves the variable itself to the platform', () => {
    const env = loadEnv({ ...production, JWT_SECRET_FILE: secretFile('jwt', `${strongSecret}\n`) }, slices);
    expect(env.auth.jwtSecret).toBe(strongSecret);
    // Only one trailing newline is the file's end; anything else is the value.
    expect(withFileVariables({ A_FILE: secretFile('a', ' two lines\nend\n\n') }).A).toBe(' two lines\nend\n');
    expect(withFileVariables({ B_FILE: secretFile('b', 'crlf\r\n') }).B).toBe('crlf');
  });

  it('works for any variable, a slice’s own database URL too, which then is no embedded start', () => {
    const url = 'postgres://yingshang_issues:pa%2Fss@db.internal:5432/yingshang';
    const source = { ...production, JWT_SECRET: strongSecret, ISSUES_DATABASE_URL_FILE: secretFile('issues-url', `${url}\n`) };
    expect(embeddedDatabase(source, slices)).toBe(false);
    expect(embeddedDatabase({}, slices)).toBe(true);
    const env = loadEnv(source, slices);
    expect(env.subgraphs.issues?.databaseUrl).toBe(url);
    expect(env.embedded).toBe(false);
    expect(env.loadSampleData).toBe(false);
  });

  it('takes an empty file for a variable not set: a JWKS deployment mounts an empty signing secret', () => {
    const env = loadEnv(
      { ...production, JWT_JWKS_URL: 'https://id.qingdao.example/jwks', JWT_SECRET_FILE: secretFile('empty', '') },
      slices,
    );
    expect(env.auth.jwtSecret).toBeUndefined();
    expect(() => loadEnv({ ...production, JWT_SECRET_FILE: secretFile('empty2', '\n') }, slices)).toThrow(/No JWT_JWKS_URL or JWT_SECRET/);
  });

  it('refuses both the variable and its file, and a file that cannot be read, naming the variable', () => {
    const both = { ...production, JWT_SECRET: strongSecret, JWT_SECRET_FILE: secretFile('jwt2', strongSecret) };
    expect(() => loadEnv(both, slices)).toThrow(ConfigurationError);
    expect(() => loadEnv(both, slices)).toThrow(/JWT_SECRET and JWT_SECRET_FILE are both set/);
    const missing = { ...production, JWT_SECRET: strongSecret, DATABASE_URL_FILE: path.join(dir, 'no-such-file') };
    expect(() => loadEnv(missing, slices)).toThrow(/DATABASE_URL_FILE names .*no-such-file, which cannot be read \(ENOENT\)/);
    expect(() => embeddedDatabase(missing, slices)).toThrow(ConfigurationError);
  });

  it('reads only the settings the platform reads: another program’s …_FILE is neither read nor a refusal', () => {
    const env = loadEnv(
      { ...production, JWT_SECRET: strongSecret, TF_CLI_CONFIG_FILE: path.join(dir, 'no-such-file'), SSL_CERT_FILE: '/x' },
      slices,
    );
    expect(env.auth).toBeDefined();
    expect(embeddedDatabase({ TF_CLI_CONFIG_FILE: path.join(dir, 'no-such-file') }, slices)).toBe(true);
  });

  it('leaves the given environment as it was, and ignores an empty _FILE and names that are not variables', () => {
    const source = { JWT_SECRET_FILE: secretFile('jwt3', strongSecret), lower_FILE: '/nonexistent', EMPTY_FILE: '', _FILE: '/x' };
    const resolved = withFileVariables(source);
    expect(source).not.toHaveProperty('JWT_SECRET');
    expect(resolved.JWT_SECRET).toBe(strongSecret);
    expect(resolved).not.toHaveProperty('lower');
    expect(resolved).not.toHaveProperty('EMPTY');
  });
});
