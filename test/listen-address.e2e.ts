/**
 * Issue #20, finding 4: development accepts tokens signed with the development secret, which is in
 * this repository, so a development start listens on this machine only (127.0.0.1) unless HOST says
 * otherwise, and its banner says where it listens. A deployment listens on every interface.
 *
 * 127.0.0.2 is this machine too, but not the address the services bound: a service listening on
 * every interface answers there, one bound to 127.0.0.1 refuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../platform/env.ts';
import { startChildPlatform, type ChildPlatform } from './support/child-platform.ts';

const production = {
  JWT_SECRET: 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4',
  JWT_ISSUER: 'https://id.qingdao.example',
  JWT_AUDIENCE: 'qingdao-yingshang',
};

describe('the address a service listens on', () => {
  it('is 127.0.0.1 in development and every interface otherwise, unless HOST says', () => {
    expect(loadEnv({ DEVELOPMENT_MODE: 'true' }).host).toBe('127.0.0.1');
    expect(loadEnv({}, [], { developmentByDefault: true }).host).toBe('127.0.0.1');
    expect(loadEnv({ DEVELOPMENT_MODE: 'true', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadEnv(production).host).toBe('0.0.0.0');
    expect(loadEnv({ ...production, HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(() => loadEnv({ DEVELOPMENT_MODE: 'true', HOST: 'not an address' })).toThrow(/HOST/);
  });
});

describe('npm start in development', () => {
  let platform: ChildPlatform;
  beforeAll(async () => {
    platform = await startChildPlatform({ LOG_LEVEL: 'info' });
  }, 120_000);
  afterAll(async () => {
    if (platform) await platform.stop();
  });

  it('answers on 127.0.0.1 and refuses on any other address, the gateway and every subgraph', async () => {
    for (const [name, url] of Object.entries(platform.health)) {
      expect((await fetch(url)).status, name).toBe(200);
      const elsewhere = await fetch(url.replace('127.0.0.1', '127.0.0.2')).then(
        (response) => `HTTP ${response.status}`,
        (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
      );
      expect(elsewhere, name).toBe('ECONNREFUSED');
    }
  });

  it('says in its banner where it listens', () => {
    expect(platform.output()).toMatch(/监听 \/ listening on 127\.0\.0\.1 .*HOST/);
  });
});
