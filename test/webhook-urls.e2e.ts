/**
 * A webhook's URL must be https outside development (issue #25 §3, platform/webhooks.ts): refused
 * at registration with its coded, bilingual error and nothing stored — through the gateway and at
 * the subgraph — and, at send time, a stored http URL is never called outside development. In
 * development an http URL on this machine is allowed, at registration and at send time.
 *
 * Development is chosen only explicitly (platform/env.ts: DEVELOPMENT_MODE=true, or `npm start` on
 * the embedded database); this platform does not choose it, so it signs its tokens with a key of
 * its own, as test/production-mode.e2e.ts does. Its outbox worker is off: the test runs workers
 * itself, one outside development and one in it, on the same tables.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type Db } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { signToken } from '../platform/auth.ts';
import { loadEnv } from '../platform/env.ts';
import { silentLogger } from '../platform/log.ts';
import { createOutboxWorker, emit } from '../platform/outbox.ts';
import { newWebhookSecret } from '../platform/webhooks.ts';
import { ISSUE_SMS_BY_DEFAULT } from '../subgraphs/issues/notices.ts';
import { issueOutbox } from '../subgraphs/issues/store.ts';
import { slices } from '../subgraphs/registry.ts';
import { HOUR, TestClock } from './support/clock.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const secret = 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4';
const issuer = 'https://id.qingdao.example';
const audience = 'qingdao-yingshang';

const clock = new TestClock('2023-10-09T09:00:00+08:00');
let t: TestPlatform;
let db: Db;
let server: http.Server;
let port: number;
const received: string[] = [];

beforeAll(async () => {
  t = await startTestPlatform({
    now: clock.now,
    env: { DEVELOPMENT_MODE: 'false', JWT_SECRET: secret, JWT_ISSUER: issuer, JWT_AUDIENCE: audience, OUTBOX_WORKER: 'false' },
  });
  db = t.database.handle.forSubgraph('issues').db;
  server = http.createServer((req, res) => {
    received.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await t?.stop();
});

const marketAdmin = () =>
  signToken({ sub: 'market-admin', role: 'UNIT_ADMIN', unit: unitIdForCode('MARKET_REGULATION_BUREAU') }, { secret, issuer, audience });

const REGISTER = /* GraphQL */ `
  mutation R($input: RegisterIssueWebhookInput!) {
    registerIssueWebhook(input: $input) {
      id
      url
    }
  }
`;

const webhooks = async () =>
  rowsOf<{ url: string }>(await db.execute(sql`select url from issues.outbox_webhooks order by created_at`)).map((row) => row.url);

function worker(development: boolean) {
  return createOutboxWorker({
    slice: 'issues',
    db,
    tables: issueOutbox,
    env: { ...loadEnv({ DEVELOPMENT_MODE: 'true' }, slices).outbox, retryBaseMs: 60_000, webhookTimeoutMs: 2_000 },
    development,
    now: clock.now,
    logger: silentLogger,
    smsByDefault: ISSUE_SMS_BY_DEFAULT,
  });
}

describe('outside development', () => {
  it('refuses an http URL at registration with BAD_USER_INPUT on input.url, in both languages, and stores nothing', async () => {
    const token = { token: await marketAdmin() };
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, 'http://hotline.example/hooks']) {
      for (const ask of [
        () => t.query(REGISTER, { as: token, variables: { input: { url, eventTypes: ['ISSUE_ASSIGNED'] } } }),
        () => t.querySubgraph('issues', REGISTER, { as: token, variables: { input: { url, eventTypes: ['ISSUE_ASSIGNED'] } } }),
      ]) {
        const response = await ask();
        expect(response.data?.registerIssueWebhook ?? null).toBeNull();
        expect(response.errors?.[0]?.extensions).toMatchObject({
          code: 'BAD_USER_INPUT',
          field: 'input.url',
          messageZh: '网址须为 https（开发环境外）',
          messageEn: 'The URL must be https (outside development)',
        });
      }
    }
    expect(await webhooks()).toEqual([]);

    // An https URL is taken (registration does not call it).
    const https = await t.query(REGISTER, {
      as: token,
      variables: { input: { url: 'https://hotline.example/hooks', eventTypes: ['ISSUE_ASSIGNED'] } },
    });
    expect(https.errors).toBeUndefined();
    expect(await webhooks()).toEqual(['https://hotline.example/hooks']);
    await db.execute(sql`update issues.outbox_webhooks set active = false`);
  });

  it('never calls a stored http URL; a worker in development delivers the same event to it on localhost', async () => {
    // A webhook stored with an http URL (registered while the deployment ran in development).
    const [hook] = await db
      .insert(issueOutbox.outboxWebhooks)
      .values({
        ownerKind: 'SYSTEM',
        ownerId: 'plain-http',
        url: `http://localhost:${port}/plain`,
        eventTypes: ['ISSUE_FEEDBACK'],
        secret: newWebhookSecret(),
        createdAt: clock.now(),
        createdBy: 'test',
      })
      .returning({ id: issueOutbox.outboxWebhooks.id });
    await db.transaction((tx) =>
      emit(
        tx,
        issueOutbox,
        { type: 'ISSUE_FEEDBACK', recordKey: 'rec:plain-http', audience: [], payload: {}, title: '反馈', body: '已反馈' },
        clock.now(),
      ),
    );
    const delivery = async () =>
      rowsOf<{ state: string; attempts: number; last_error: string | null }>(
        await db.execute(sql`select state, attempts, last_error from issues.outbox_deliveries where webhook_id = ${hook?.id}`),
      );

    const production = worker(false);
    await production.runOnce();
    expect(received).toEqual([]);
    expect(await delivery()).toEqual([{ state: 'PENDING', attempts: 1, last_error: 'The URL must be https (outside development)' }]);
    clock.advance(HOUR);
    await production.runOnce();
    expect(received, 'a retry outside development does not call it either').toEqual([]);
    expect(await delivery()).toMatchObject([{ state: 'PENDING', attempts: 2 }]);

    clock.advance(HOUR);
    await worker(true).runOnce();
    expect(received).toEqual(['/plain']);
    expect(await delivery()).toMatchObject([{ state: 'DELIVERED', attempts: 3 }]);
  });
});
