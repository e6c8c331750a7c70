/**
 * The outbox and deadline figures operators alert on (issue #27): `outbox_deliveries_total` moved by
 * the platform's own worker delivering to a local receiver, with the slice, channel and outcome as
 * labels; the backlog and overdue gauges each slice reports, read on a scrape on the platform's clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HOUR, MINUTE, TestClock } from './support/clock.ts';
import { appealAt, callers } from './support/issues.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

/** A receiver answering with the status the test sets, keeping each body it got. */
async function receiver() {
  const bodies: string[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    bodies,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    answer(next: number) {
      status = next;
    },
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** The value of one series of a scrape (its full name with labels, as Prometheus prints it); undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const clock = new TestClock('2023-10-09T09:00:00+08:00');
let t: TestPlatform;
let hook: Awaited<ReturnType<typeof receiver>>;
const scrape = async () => (await fetch(new URL('/metrics', t.platform.subgraphs.issues?.url))).text();

const DELIVERED = 'outbox_deliveries_total{slice="issues",channel="WEBHOOK",state="DELIVERED"}';
const RETRY = 'outbox_deliveries_total{slice="issues",channel="WEBHOOK",state="RETRY"}';

beforeAll(async () => {
  // The platform's own worker, polling often: what the test sees is what a deployment's worker does.
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_POLL_MS: '20' } });
  hook = await receiver();
  const registered = await t.query(`mutation R($input: RegisterIssueWebhookInput!) { registerIssueWebhook(input: $input) { id } }`, {
    as: callers.marketAdmin,
    variables: { input: { url: hook.url, eventTypes: ['ISSUE_ASSIGNED'] } },
  });
  expect(registered.errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await t?.stop();
  await hook?.close();
});

describe('outbox_deliveries_total', () => {
  it('counts a delivery to a local receiver under its slice, channel and outcome', async () => {
    const before = sample(await scrape(), DELIVERED) ?? 0;
    const issue = (await appealAt(t, 'ASSIGNED')) as { id: string };
    await vi.waitFor(() => expect(hook.bodies.some((body) => body.includes(issue.id))).toBe(true), { timeout: 20_000 });
    // Counted once the attempt is marked, just after the receiver answered.
    await vi.waitFor(async () => expect(sample(await scrape(), DELIVERED)).toBe(before + 1), { timeout: 20_000 });
    const text = await scrape();
    expect(sample(text, RETRY)).toBeUndefined();
    expect(text).not.toMatch(/^outbox_deliveries_total\{slice="issues",channel="WEBHOOK",state="DEAD"\}/m);
  });

  it('counts a refused delivery as RETRY, and the gauges then show it pending and how long it has waited', async () => {
    hook.answer(500);
    const issue = (await appealAt(t, 'ASSIGNED')) as { id: string };
    await vi.waitFor(() => expect(hook.bodies.some((body) => body.includes(issue.id))).toBe(true), { timeout: 20_000 });
    await vi.waitFor(async () => expect(sample(await scrape(), RETRY)).toBe(1), { timeout: 20_000 });
    // A reading is kept for a minute of the platform's clock: two minutes on, the next scrape reads again.
    clock.advance(2 * MINUTE);
    const text = await scrape();
    expect(sample(text, 'outbox_deliveries_pending{slice="issues"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'outbox_oldest_waiting_seconds{slice="issues"}')).toBeGreaterThanOrEqual(120);
    expect(sample(text, 'outbox_events_waiting{slice="issues"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'outbox_deliveries_dead{slice="issues"}')).toBe(0);
  });
});

describe('deadlines_overdue', () => {
  it('is reported by each slice that keeps limits, and rises as open deadlines pass their due time', async () => {
    hook.answer(200);
    const before = await scrape();
    const overdue = sample(before, 'deadlines_overdue{slice="issues"}');
    expect(overdue).toBeDefined();
    for (const slice of ['policies', 'financing']) expect(sample(before, `deadlines_overdue{slice="${slice}"}`), slice).toBeDefined();
    // The slices without limits report none; every slice with an outbox reports its backlog.
    expect(sample(before, 'deadlines_overdue{slice="evaluations"}')).toBeUndefined();
    expect(sample(before, 'deadlines_overdue{slice="units"}')).toBeUndefined();
    expect(sample(before, 'outbox_events_waiting{slice="evaluations"}')).toBeDefined();

    // The two assigned issues' contact deadlines (office hours) are long past ten days on.
    clock.advance(10 * 24 * HOUR);
    const after = await scrape();
    expect(sample(after, 'deadlines_overdue{slice="issues"}')).toBeGreaterThanOrEqual((overdue ?? 0) + 2);
  });
});
