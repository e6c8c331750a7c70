/**
 * The kit's download links (platform/download-links.ts) and their settings: a sealed grant opens
 * only with the links' key, only until it expires, never longer than the configured lifetime, and
 * reads as nothing else (no bearer token verifies it); the settings refuse what would make a link
 * a long-lived capability or a guessable key.
 */
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../platform/auth.ts';
import { createDownloadLinks, downloadLinkKey, downloadPath } from '../platform/download-links.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';

const SECRET = 'kZ2v8QpX4rT7wYb1nM5cJ9hL3sD6fG0aE8uI2oP4qR7tV1xB';
const grant = {
  resource: 'board',
  period: '2026-H2',
  format: 'csv',
  authorization: 'Bearer header.payload.signature',
  person: { issuer: 'https://idp.example', role: 'COMMAND_OFFICE', subject: 'office-1' },
};
const at = new Date('2026-12-07T02:00:00Z');
const code = async (promise: Promise<unknown>) =>
  (
    (await promise.then(
      () => null,
      (error: { extensions?: { code?: string } }) => error,
    )) as any
  )?.extensions?.code;

describe('a download link', () => {
  it('opens to the grant it sealed, until it expires, and says so in both languages when it has', async () => {
    const links = createDownloadLinks({ secret: SECRET, ttlSeconds: 300 });
    const { token, expiresAt } = await links.issue(grant, at);
    expect(expiresAt.getTime()).toBe(at.getTime() + 300_000);
    expect(token.split('.')).toHaveLength(5); // a JWE: sealed, not a signed token
    expect(token).not.toContain('office-1');
    expect(await links.open(token, new Date(at.getTime() + 299_000))).toEqual(grant);
    const expired = await links.open(token, new Date(at.getTime() + 301_000)).catch((error) => error);
    expect(expired.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(expired.extensions.messageZh).toContain('过期');
    expect(expired.extensions.messageEn).toContain('expired');
  });

  it('opens with its own key only: another secret, a changed byte or a longer lifetime than configured are refused', async () => {
    const { token } = await createDownloadLinks({ secret: SECRET, ttlSeconds: 300 }).issue(grant, at);
    expect(await code(createDownloadLinks({ secret: `${SECRET}x`, ttlSeconds: 300 }).open(token, at))).toBe('UNAUTHENTICATED');
    const parts = token.split('.');
    parts[3] = parts[3]!.slice(0, -2) + (parts[3]!.endsWith('AA') ? 'BB' : 'AA');
    expect(await code(createDownloadLinks({ secret: SECRET, ttlSeconds: 300 }).open(parts.join('.'), at))).toBe('UNAUTHENTICATED');
    // Made for an hour where links live five minutes: refused after five.
    const long = await createDownloadLinks({ secret: SECRET, ttlSeconds: 3600 }).issue(grant, at);
    expect(await code(createDownloadLinks({ secret: SECRET, ttlSeconds: 300 }).open(long.token, new Date(at.getTime() + 600_000)))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('is no bearer token, even where the links’ secret is the token secret: the key is derived, and it is no JWS', async () => {
    const { token } = await createDownloadLinks({ secret: DEVELOPMENT_JWT_SECRET, ttlSeconds: 300 }).issue(grant, new Date());
    const authenticator = createAuthenticator(loadEnv({ DEVELOPMENT_MODE: 'true' }).auth);
    expect(await code(authenticator.viewerFromAuthorization(`Bearer ${token}`))).toBe('UNAUTHENTICATED');
    expect(Buffer.from(downloadLinkKey(DEVELOPMENT_JWT_SECRET)).toString()).not.toContain(DEVELOPMENT_JWT_SECRET.slice(0, 8));
  });

  it('has the gateway’s path for each file, with the period and the sealed grant in its query', () => {
    expect(downloadPath('board', 'csv', '2026-H2', 'a.b.c')).toBe('/exports/board.csv?period=2026-H2&link=a.b.c');
    expect(downloadPath('board', 'html', '2026-H1', 'x')).toBe('/reports/board?period=2026-H1&link=x');
    expect(() => downloadPath('board', 'pdf', '2026-H1', 'x')).toThrow();
  });
});

describe('the download links’ settings', () => {
  const production = { JWT_SECRET: SECRET, JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'yingshang' };

  it('lives five minutes by default, between 30 s and an hour, at PUBLIC_URL (the gateway’s port by default)', () => {
    expect(loadEnv({ DEVELOPMENT_MODE: 'true' }).downloadLinks).toEqual({
      secret: DEVELOPMENT_JWT_SECRET,
      ttlSeconds: 300,
      publicUrl: 'http://localhost:4000',
    });
    expect(loadEnv({ DEVELOPMENT_MODE: 'true', PORT_OFFSET: '100' }).downloadLinks.publicUrl).toBe('http://localhost:4100');
    expect(
      loadEnv({ ...production, DOWNLOAD_LINK_TTL_SECONDS: '120', PUBLIC_URL: 'https://yingshang.qingdao.gov.cn/' }).downloadLinks,
    ).toEqual({
      secret: SECRET,
      ttlSeconds: 120,
      publicUrl: 'https://yingshang.qingdao.gov.cn',
    });
    expect(() => loadEnv({ ...production, DOWNLOAD_LINK_TTL_SECONDS: '7200' })).toThrow(/DOWNLOAD_LINK_TTL_SECONDS/);
    expect(() => loadEnv({ ...production, DOWNLOAD_LINK_TTL_SECONDS: '5' })).toThrow(/DOWNLOAD_LINK_TTL_SECONDS/);
    expect(() => loadEnv({ ...production, PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL/);
  });

  it('takes a secret of its own when given (a strong one), and none where only a JWKS is configured', () => {
    const own = 'Xy7pL2qW9eR4tZ8uA1sD5fG3hJ6kC0vB7nM2bQ9wE4rT8yU1';
    expect(loadEnv({ ...production, DOWNLOAD_LINK_SECRET: own }).downloadLinks.secret).toBe(own);
    expect(() => loadEnv({ ...production, DOWNLOAD_LINK_SECRET: 'short' })).toThrow(/DOWNLOAD_LINK_SECRET/);
    const jwksOnly = { JWT_JWKS_URL: 'https://idp.example/jwks', JWT_ISSUER: 'https://idp.example', JWT_AUDIENCE: 'yingshang' };
    expect(loadEnv(jwksOnly).downloadLinks.secret).toBeUndefined();
    expect(loadEnv({ ...jwksOnly, JWT_SECRET: 'weak' }).downloadLinks.secret).toBeUndefined();
  });
});
