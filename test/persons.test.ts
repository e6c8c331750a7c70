/**
 * How the platform knows a person (platform/auth.ts): the token's issuer, role and subject together
 * (issue #20) — the same `sub` in another role, or from another issuer, is somebody else.
 */
import { describe, expect, it } from 'vitest';
import { anonymous, createAuthenticator, isPerson, personKey, personOf, signToken, type Viewer } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';

const judge = { issuer: 'https://id.qingdao.example', role: 'OBSERVER', subject: 'judge-1' };
const as = (role: Viewer['role'], subject: string, issuer: string | null): Viewer => ({
  role,
  subject,
  issuer,
  unitId: null,
  enterprise: role === 'ENTERPRISE' ? '91370200MA3C5B7X1K' : null,
});

describe('a person', () => {
  it('is the issuer, role and subject of the token together', () => {
    expect(isPerson(as('OBSERVER', 'judge-1', judge.issuer), judge)).toBe(true);
    expect(isPerson(as('ENTERPRISE', 'judge-1', judge.issuer), judge)).toBe(false);
    expect(isPerson(as('OBSERVER', 'judge-1', 'https://elsewhere.example'), judge)).toBe(false);
    expect(isPerson(as('OBSERVER', 'judge-1', null), judge)).toBe(false);
    expect(isPerson(as('OBSERVER', 'judge-2', judge.issuer), judge)).toBe(false);
    expect(isPerson(anonymous, judge)).toBe(false);
  });

  it('recorded before issuers were kept is known by role and subject; before roles were, by nobody', () => {
    expect(isPerson(as('OBSERVER', 'judge-1', 'https://any.example'), { ...judge, issuer: null })).toBe(true);
    expect(isPerson(as('ENTERPRISE', 'judge-1', 'https://any.example'), { ...judge, issuer: null })).toBe(false);
    expect(isPerson(as('OBSERVER', 'judge-1', judge.issuer), { ...judge, role: null })).toBe(false);
  });

  it('has one key per issuer, role and subject, whose parts cannot run into each other', () => {
    expect(personOf(anonymous)).toBeNull();
    expect(personOf(as('OBSERVER', 'judge-1', null))).toEqual({ issuer: '', role: 'OBSERVER', subject: 'judge-1' });
    const keys = [
      { issuer: 'a', role: 'OBSERVER', subject: 'b' },
      { issuer: 'a', role: 'ENTERPRISE', subject: 'b' },
      { issuer: '', role: 'OBSERVER', subject: 'b' },
      { issuer: 'a","OBSERVER', role: 'OBSERVER', subject: 'b' },
    ].map(personKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('carries the token’s issuer from verification', async () => {
    const authenticator = createAuthenticator(loadEnv({ DEVELOPMENT_MODE: 'true' }).auth);
    const token = await signToken({ sub: 'judge-1', role: 'OBSERVER' }, { secret: DEVELOPMENT_JWT_SECRET, issuer: judge.issuer });
    expect(await authenticator.viewerFromAuthorization(`Bearer ${token}`)).toMatchObject({
      subject: 'judge-1',
      role: 'OBSERVER',
      issuer: judge.issuer,
    });
    const none = await signToken({ sub: 'judge-1', role: 'OBSERVER' }, { secret: DEVELOPMENT_JWT_SECRET });
    expect(personOf(await authenticator.viewerFromAuthorization(`Bearer ${none}`))).toEqual({
      issuer: '',
      role: 'OBSERVER',
      subject: 'judge-1',
    });
  });
});
