/**
 * Tokens a deployment must refuse (issue #7, case 6): no `exp`, an `iat` in the future or too long
 * ago, another issuer's or another audience's token, a weak key — each refused as UNAUTHENTICATED
 * with the reason in Chinese and in English, not jose's English inside the Chinese.
 */
import { SignJWT, type JWTPayload } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, VerifiedTokens, type Viewer } from '../platform/auth.ts';
import { loadEnv } from '../platform/env.ts';
import { sampleCreditCode, unitIdForCode } from '../db/reference/organisation.ts';

const secret = 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4';
const issuer = 'https://id.qingdao.example';
const audience = 'qingdao-yingshang';
const env = loadEnv({ JWT_SECRET: secret, JWT_ISSUER: issuer, JWT_AUDIENCE: audience, JWT_MAX_LIFETIME_SECONDS: '3600' });
const authenticator = createAuthenticator(env.auth);
const now = () => Math.floor(Date.now() / 1000);

function sign(payload: JWTPayload, key = secret): Promise<string> {
  return new SignJWT({ role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE'), sub: 'office-1', ...payload })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(key));
}

const valid = () => ({ iss: issuer, aud: audience, iat: now() - 10, exp: now() + 600 });

async function refusal(token: string) {
  try {
    await authenticator.viewerFromAuthorization(`Bearer ${token}`);
  } catch (error) {
    return (error as { extensions: Record<string, unknown> }).extensions;
  }
  throw new Error('the token was accepted');
}

describe('a deployment’s token checks', () => {
  it('accepts a token with exp, a past iat, and the configured issuer and audience', async () => {
    expect(await authenticator.viewerFromAuthorization(`Bearer ${await sign(valid())}`)).toMatchObject({
      role: 'COMMAND_OFFICE',
      subject: 'office-1',
    });
  });

  const cases: [string, () => JWTPayload, RegExp][] = [
    ['a token without exp, which would never expire', () => ({ ...valid(), exp: undefined }), /缺少 exp 声明/],
    [
      'a token issued a year in the future',
      () => ({ ...valid(), iat: now() + 365 * 24 * 3600, exp: now() + 366 * 24 * 3600 }),
      /签发时间在未来/,
    ],
    [
      'a token issued longer ago than the maximum lifetime, whatever its exp',
      () => ({ ...valid(), iat: now() - 7200, exp: now() + 3600 }),
      /超过允许的有效期/,
    ],
    ['an expired token', () => ({ ...valid(), iat: now() - 1200, exp: now() - 600 }), /令牌已过期/],
    [
      'another application’s token from the same identity provider',
      () => ({ ...valid(), aud: 'some-other-application' }),
      /不是签发给本平台的/,
    ],
    ['a token from another issuer', () => ({ ...valid(), iss: 'https://elsewhere.example' }), /签发方不是本平台认可/],
    ['a token without an audience', () => ({ ...valid(), aud: undefined }), /缺少 aud 声明/],
  ];
  for (const [name, payload, chinese] of cases) {
    it(`refuses ${name}, in both languages`, async () => {
      const extensions = await refusal(await sign(payload()));
      expect(extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
      expect(extensions.messageZh).toMatch(chinese);
      // The Chinese is Chinese throughout: no library English inside it.
      expect(extensions.messageZh).not.toMatch(/claim|timestamp|check failed/);
      expect(extensions.messageEn).toMatch(/^Invalid token: [^\u4e00-\u9fff]+$/);
    });
  }

  it('refuses a token signed with another key, and one that is not a token', async () => {
    expect((await refusal(await sign(valid(), 'another-key-that-is-long-enough-0123456789abcdef'))).messageZh).toMatch(/签名不对/);
    expect((await refusal('not.a.token')).messageZh).toMatch(/格式不对/);
  });
});

describe('the claims of a token that verifies (issue #20, finding 11)', () => {
  const enterpriseToken = (enterprise: unknown) => sign({ ...valid(), role: 'ENTERPRISE', unit: undefined, enterprise, sub: 'firm-1' });
  const officeToken = (unit: unknown) => sign({ ...valid(), unit });

  it('accepts an enterprise whose credit code is valid, and a unit given by its id', async () => {
    const code = sampleCreditCode('370202', 601);
    expect(await authenticator.viewerFromAuthorization(`Bearer ${await enterpriseToken(code)}`)).toMatchObject({
      role: 'ENTERPRISE',
      enterprise: code,
      unitId: null,
    });
    expect(await authenticator.viewerFromAuthorization(`Bearer ${await officeToken(unitIdForCode('COMMAND_OFFICE'))}`)).toMatchObject({
      unitId: unitIdForCode('COMMAND_OFFICE'),
    });
  });

  const wrongCheck = (() => {
    const code = sampleCreditCode('370202', 601);
    return code.slice(0, 17) + (code[17] === '0' ? '1' : '0');
  })();
  const refused: [string, () => Promise<string>, RegExp][] = [
    ['an enterprise claim that is no credit code', () => enterpriseToken('x'), /enterprise 声明不是有效的统一社会信用代码/],
    ['an enterprise claim of 2,000 characters', () => enterpriseToken('9'.repeat(2_000)), /enterprise 声明/],
    ['an enterprise claim of 10,000 characters (longer than any token)', () => enterpriseToken('9'.repeat(10_000)), /令牌过长/],
    ['an enterprise claim of a NUL character', () => enterpriseToken('\u0000'), /enterprise 声明/],
    ['an enterprise claim whose check character is wrong', () => enterpriseToken(wrongCheck), /enterprise 声明/],
    ['an enterprise claim that is not a string', () => enterpriseToken(12), /enterprise 声明/],
    ['a unit claim of a NUL character', () => officeToken('\u0000'), /unit 声明不是单位编号/],
    ['a unit claim that is no unit id', () => officeToken('x'), /unit 声明不是单位编号/],
    ['a unit claim of 2,000 characters', () => officeToken('0'.repeat(2_000)), /unit 声明/],
    ['a subject of 2,000 characters', () => sign({ ...valid(), sub: 's'.repeat(2_000) }), /sub 声明/],
    ['a subject with a control character', () => sign({ ...valid(), sub: 'office\u0000' }), /sub 声明/],
  ];
  for (const [name, token, chinese] of refused) {
    it(`refuses ${name}, in both languages`, async () => {
      const extensions = await refusal(await token());
      expect(extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
      expect(extensions.messageZh).toMatch(chinese);
      expect(extensions.messageEn).toMatch(/^Invalid token: [^\u4e00-\u9fff]+$/);
    });
  }

  const institution = '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b';
  const branch = '7a2d3c4b-5e6f-4a71-9b8c-0d1e2f3a4b5c';
  const institutionToken = (claims: JWTPayload) =>
    sign({ ...valid(), role: 'FINANCIAL_INSTITUTION', unit: undefined, sub: 'banker-1', ...claims });

  it('accepts a financial institution’s token naming the institution, and one naming a branch of it', async () => {
    expect(await authenticator.viewerFromAuthorization(`Bearer ${await institutionToken({ institution })}`)).toMatchObject({
      role: 'FINANCIAL_INSTITUTION',
      institution,
      branch: null,
      unitId: null,
      enterprise: null,
    });
    expect(await authenticator.viewerFromAuthorization(`Bearer ${await institutionToken({ institution, branch })}`)).toMatchObject({
      role: 'FINANCIAL_INSTITUTION',
      institution,
      branch,
    });
  });

  it('gives no other role an institution or a branch, whatever its token says', async () => {
    const viewer = await authenticator.viewerFromAuthorization(`Bearer ${await sign({ ...valid(), institution, branch })}`);
    expect(viewer.role).toBe('COMMAND_OFFICE');
    expect(viewer.institution ?? null).toBeNull();
    expect(viewer.branch ?? null).toBeNull();
  });

  const institutionRefused: [string, () => Promise<string>, RegExp][] = [
    ['a financial institution’s token without an institution', () => institutionToken({}), /须带 institution 声明/],
    ['an institution claim that is no id', () => institutionToken({ institution: 'x' }), /institution 声明不是金融机构编号/],
    ['an institution claim of a NUL character', () => institutionToken({ institution: '\u0000' }), /institution 声明/],
    ['an institution claim that is not a string', () => institutionToken({ institution: 12 }), /须带 institution 声明/],
    ['a branch claim that is no id', () => institutionToken({ institution, branch: 'x'.repeat(40) }), /branch 声明不是网点编号/],
    ['a branch claim without its institution', () => institutionToken({ branch }), /须带 institution 声明/],
  ];
  for (const [name, token, chinese] of institutionRefused) {
    it(`refuses ${name}, in both languages`, async () => {
      const extensions = await refusal(await token());
      expect(extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
      expect(extensions.messageZh).toMatch(chinese);
      expect(extensions.messageEn).toMatch(/^Invalid token: [^\u4e00-\u9fff]+$/);
    });
  }

  it('refuses a token longer than any the identity provider issues, before looking into it', async () => {
    const long = await sign({ ...valid(), padding: 'p'.repeat(12_000) });
    const extensions = await refusal(long);
    expect(extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 401 } });
    expect(extensions.messageZh).toMatch(/令牌过长/);
  });
});

describe('tokens verified a moment ago (kept so a request is not verified anew by every service)', () => {
  afterEach(() => vi.useRealTimers());

  it('refuses a token once it has expired, although it was accepted (and kept) before', async () => {
    vi.useFakeTimers({ now: new Date('2026-06-01T09:00:00+08:00'), toFake: ['Date'] });
    const token = await sign({ ...valid(), exp: now() + 5 });
    const fresh = createAuthenticator(env.auth);
    expect((await fresh.viewerFromAuthorization(`Bearer ${token}`)).subject).toBe('office-1');
    expect((await fresh.viewerFromAuthorization(`Bearer ${token}`)).subject).toBe('office-1');
    // Past exp and the clock tolerance jose allows.
    vi.setSystemTime(Date.now() + 6_000 + env.auth.clockToleranceSeconds * 1000);
    await expect(fresh.viewerFromAuthorization(`Bearer ${token}`)).rejects.toMatchObject({
      extensions: { code: 'UNAUTHENTICATED', messageZh: expect.stringMatching(/令牌已过期/) },
    });
  });

  it('keeps no refused token: a forged one is refused every time', async () => {
    const forged = await sign(valid(), 'another-key-that-is-long-enough-0123456789abcdef');
    expect((await refusal(forged)).messageZh).toMatch(/签名不对/);
    expect((await refusal(forged)).messageZh).toMatch(/签名不对/);
  });

  it('keeps an entry until the token’s own end or its time-to-live, whichever is first, and no more than its size', () => {
    let clock = 1_000_000;
    const kept = new VerifiedTokens(60_000, 2, () => clock);
    const viewer: Viewer = { subject: 's', role: 'UNIT_STAFF', unitId: 'u', enterprise: null };
    kept.set('a', viewer, clock + 10_000);
    kept.set('b', viewer, clock + 600_000);
    expect(kept.get('a')).toEqual(viewer);
    clock += 10_000;
    expect(kept.get('a')).toBeUndefined();
    expect(kept.get('b')).toEqual(viewer);
    clock += 50_000;
    expect(kept.get('b')).toBeUndefined();
    kept.set('c', viewer, clock + 1_000);
    kept.set('d', viewer, clock + 1_000);
    kept.set('e', viewer, clock + 1_000);
    expect(kept.size).toBe(2);
    expect(kept.get('c')).toBeUndefined();
    expect(kept.get('e')).toEqual(viewer);
    // Already past its end: not kept at all.
    kept.set('f', viewer, clock - 1);
    expect(kept.get('f')).toBeUndefined();
  });
});
