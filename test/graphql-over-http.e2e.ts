/**
 * Issue #20, finding 3: GraphQL over HTTP as graphql-http's own audit suite checks it (the reference
 * implementation of the specification's working group), against the gateway and a subgraph: every
 * MUST and SHOULD passes — an error or a warning fails; a MAY that is not done is only a notice.
 * Each audit is a test of its own; one the server never answers fails on its own time limit.
 */
import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
const urls: Record<string, string> = {};

beforeAll(async () => {
  t = await startTestPlatform();
  urls.gateway = t.gatewayUrl;
  urls.units = `${t.platform.subgraphs.units!.url}graphql`;
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

/** What a failed audit got, for the message. */
async function describeFailure(result: AuditResult): Promise<string> {
  if (result.status === 'ok') return 'ok';
  const body = await result.response.text().catch((error: Error) => `(body unreadable: ${error.message})`);
  return `${result.status}: ${result.reason}\n  HTTP ${result.response.status} ${result.response.headers.get('content-type') ?? ''}\n  ${body.slice(0, 400)}`;
}

describe.each(['gateway', 'units'])('the %s, audited by graphql-http', (service) => {
  for (const audit of serverAudits({ url: () => urls[service]! })) {
    it(audit.name, { timeout: 10_000 }, async () => {
      const result = await audit.fn();
      expect(['ok', 'notice'], await describeFailure(result)).toContain(result.status);
    });
  }
});
