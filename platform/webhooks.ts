/**
 * Webhook delivery (issue #25 §3): the event as a JSON body, signed with HMAC-SHA256 over
 * `<timestamp>.<body>` with the webhook's secret, the timestamp in its own header so a receiver
 * can refuse old replays. A URL must be https outside development. A redirect is followed only to
 * the same host (scheme, host and port) — never to another one — and at most three times.
 *
 * Sent with undici's `request` on one keep-alive agent for the process (at most
 * WEBHOOK_CONNECTIONS sockets per receiver, reused from round to round): `fetch` cost a WHATWG
 * stream, an AbortSignal.any and a DOMException for each body it cancelled — a third of the
 * delivery worker's CPU at a thousand events a second (README › Performance, outbox row).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Agent, request as undiciRequest } from 'undici';

export const WEBHOOK_HEADERS = {
  eventId: 'x-yingshang-event-id',
  eventType: 'x-yingshang-event-type',
  timestamp: 'x-yingshang-timestamp',
  signature: 'x-yingshang-signature',
} as const;

export interface WebhookResult {
  outcome: 'DELIVERED' | 'FAILED' | 'NOT_SENT' | 'CAPPED';
  status?: number;
  error?: string;
}

/** A new webhook secret (shown to its owner once, at registration). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

/** The signature header's value: `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>`. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (README): recompute the signature and compare in constant time. */
export function verifyWebhook(secret: string, timestamp: string, body: string, signature: string): boolean {
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Why a URL may not receive webhooks (null: it may). */
export function webhookUrlProblem(raw: string, development: boolean): { zh: string; en: string } | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { zh: '不是有效的网址', en: 'Not a URL' };
  }
  if (url.username || url.password) return { zh: '网址中不得含用户名或口令', en: 'The URL may not carry a user name or password' };
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && development) return null;
  return { zh: '网址须为 https（开发环境外）', en: 'The URL must be https (outside development)' };
}

const MAX_REDIRECTS = 3;
/** Sockets per receiver (origin): a round's deliveries to one receiver beyond this wait for a free one. */
const WEBHOOK_CONNECTIONS = 64;
let client: Promise<{ agent: Agent; request: typeof undiciRequest }> | undefined;
/**
 * The HTTP client, loaded and its agent made on the first delivery: a process that sends no webhook
 * (and the build's composition, which loads every slice) neither loads undici nor holds its sockets.
 */
const webhookClient = () =>
  (client ??= import('undici').then(({ Agent, request }) => ({
    agent: new Agent({ connections: WEBHOOK_CONNECTIONS, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 }),
    request,
  })));

export async function sendWebhook(options: {
  url: string;
  secret: string;
  event: { id: string; type: string; recordKey: string; occurredAt: string; slice: string; payload: Record<string, unknown> };
  now: Date;
  timeoutMs: number;
  development: boolean;
  signal: AbortSignal;
}): Promise<WebhookResult> {
  const problem = webhookUrlProblem(options.url, options.development);
  if (problem) return { outcome: 'FAILED', error: problem.en };
  const body = JSON.stringify(options.event);
  const timestamp = String(Math.floor(options.now.getTime() / 1000));
  const headers = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'qingdao-yingshang-webhooks/1',
    [WEBHOOK_HEADERS.eventId]: options.event.id,
    [WEBHOOK_HEADERS.eventType]: options.event.type,
    [WEBHOOK_HEADERS.timestamp]: timestamp,
    [WEBHOOK_HEADERS.signature]: signWebhook(options.secret, timestamp, body),
  };
  const { agent, request } = await webhookClient();
  // One timer for the whole attempt (redirects included), and the worker's own stop.
  const controller = new AbortController();
  const stop = () => controller.abort();
  const timer = setTimeout(stop, options.timeoutMs);
  if (options.signal.aborted) stop();
  else options.signal.addEventListener('abort', stop, { once: true });
  try {
    let url = new URL(options.url);
    for (let hop = 0; ; hop++) {
      let status: number;
      let location: string | undefined;
      try {
        const response = await request(url, { method: 'POST', headers, body, dispatcher: agent, signal: controller.signal });
        status = response.statusCode;
        const given = response.headers.location;
        location = Array.isArray(given) ? given[0] : given;
        // The answer's body is not read: dropped, and the socket kept for the next delivery.
        await response.body.dump();
      } catch (error) {
        const reason = controller.signal.aborted ? `timed out after ${options.timeoutMs} ms or stopped` : (error as Error).message;
        return { outcome: 'FAILED', error: reason };
      }
      if (status >= 200 && status < 300) return { outcome: 'DELIVERED', status };
      if (status >= 300 && status < 400 && location) {
        const next = new URL(location, url);
        if (next.origin !== url.origin) return { outcome: 'FAILED', status, error: `redirect to another host refused: ${next.host}` };
        if (hop >= MAX_REDIRECTS) return { outcome: 'FAILED', status, error: 'too many redirects' };
        url = next;
        continue;
      }
      return { outcome: 'FAILED', status, error: `HTTP ${status}` };
    }
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
  }
}
