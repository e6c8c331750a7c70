/**
 * What the notice tests of every slice share: a local receiver standing in for a webhook subscriber
 * or the government SMS gateway, draining a worker (rounds until one finds nothing to do), and a
 * sweep run twice at one instant.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboxWorker } from '../../platform/outbox.ts';
import type { TestClock } from './clock.ts';

/** A local HTTP receiver answering 200 to every POST, keeping each request's headers and body. */
export async function localReceiver(path = '/in') {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    received,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    /** Each body as JSON: a webhook's event, or an SMS gateway's `{ phone, content }`. */
    json: <T = Record<string, any>>() => received.map((r) => JSON.parse(r.body) as T),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

/** Runs a worker's rounds until one dispatches and attempts nothing (at most 100). */
export async function drain(worker: OutboxWorker): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const done = await worker.runOnce();
    if (done.dispatched + done.attempted === 0) return;
  }
}

/**
 * Sets the clock to `at` and drains, then drains again two minutes later, past the sweep's
 * once-a-minute pace: what the second sweep finds must be nothing new (the once keys).
 */
export async function sweepTwiceAt(worker: OutboxWorker, clock: TestClock, at: string): Promise<void> {
  clock.set(at);
  await drain(worker);
  clock.advance(2 * 60_000);
  await drain(worker);
}
