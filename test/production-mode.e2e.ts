/**
 * Issue #7, cases 5 and 9: a platform that did not choose development — introspection and
 * `_service { sdl }` refused, no "Did you mean …?" naming the schema's fields, and tokens signed with
 * the development secret refused — through the gateway and directly at every subgraph.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { signToken } from '../platform/auth.ts';
import { slices } from '../subgraphs/registry.ts';
import { post, startTestPlatform, tokenFor, type TestPlatform } from './support/platform.ts';

const secret = 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4';
const issuer = 'https://id.qingdao.example';
const audience = 'qingdao-yingshang';

let t: TestPlatform;
let urls: Record<string, string>;
beforeAll(async () => {
  t = await startTestPlatform({ env: { DEVELOPMENT_MODE: 'false', JWT_SECRET: secret, JWT_ISSUER: issuer, JWT_AUDIENCE: audience } });
  urls = {
    gateway: t.gatewayUrl,
    ...Object.fromEntries(slices.map((slice) => [slice.name, `${t.platform.subgraphs[slice.name]!.url}graphql`])),
  };
});
afterAll(async () => {
  await t?.stop();
});

const office = () =>
  signToken({ sub: 'office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') }, { secret, issuer, audience });

describe.each(['gateway', ...slices.map((slice) => slice.name)])('the %s outside development', (service) => {
  it('refuses introspection, in both languages', async () => {
    const response = await post<any>(urls[service]!, { query: '{ __schema { types { name } } }' });
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', messageZh: '本服务未开放内省查询' });
  });

  it('names no field in its suggestions', async () => {
    const response = await post<any>(urls[service]!, { query: '{ __typenam }' }, await office());
    expect(response.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('refuses a token signed with the development secret, and accepts one of its own key', async () => {
    const forged = await tokenFor('COMMAND_OFFICE');
    expect((await post<any>(urls[service]!, { query: '{ __typename }' }, forged)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await post<any>(urls[service]!, { query: '{ __typename }' }, await office())).toEqual({
      status: 200,
      data: { __typename: 'Query' },
    });
  });
});

describe.each(slices.map((slice) => slice.name))('the %s subgraph outside development', (service) => {
  it('refuses _service { sdl }, which would print the schema', async () => {
    const response = await post<any>(urls[service]!, { query: '{ _service { sdl } }' });
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
  });

  it('refuses a token without exp, which would never expire', async () => {
    const eternal = await new SignJWT({ role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('office')
      .setIssuedAt()
      .setIssuer(issuer)
      .setAudience(audience)
      .sign(new TextEncoder().encode(secret));
    const response = await post<any>(urls[service]!, { query: '{ __typename }' }, eternal);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', messageZh: '令牌无效：令牌缺少 exp 声明' });
  });
});
