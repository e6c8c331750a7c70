/**
 * What operators see (issue #27): one trace per request across the gateway, the subgraphs, the
 * calls between slices and SQL, its trace id in the log lines; `/metrics` with the histograms and
 * gauges docs/OPERATIONS.md describes, its labels bounded whatever callers send; and `/metrics`
 * kept off the public port outside development.
 */
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { startTestPlatform, tokenFor, type TestPlatform } from './support/platform.ts';

/** Prometheus text → the label values of `label` over the series of `metric` with `filter` in their labels. */
function labelValues(text: string, metric: string, label: string, filter = ''): Set<string> {
  const values = new Set<string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) || !line.includes(filter)) continue;
    const value = new RegExp(`${label}="([^"]*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

const sampleOf = (text: string, series: string): number => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(series));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
};

describe('traces and metrics through the platform (development)', () => {
  const exporter = new InMemorySpanExporter();
  const lines: Record<string, unknown>[] = [];
  let platform: TestPlatform;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    platform = await startTestPlatform({
      spanExporter: exporter,
      // The issues slice asks the units slice for the directory on every request: a call between slices in the trace.
      // Every trace recorded (the platform's default is 10 %).
      env: { DIRECTORY_TTL_MS: '0', OTEL_TRACES_SAMPLER_ARG: '1' },
      logger: createLogger({ level: 'info', destination }),
    });
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('gives one request through the gateway one trace: gateway, fetch, subgraph, the slice-to-slice call and SQL', async () => {
    exporter.reset();
    const token = await tokenFor('COMMAND_OFFICE');
    const response = await fetch(platform.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'query TracedIssues { issues(first: 1) { edges { node { id } } } }' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    const requestId = response.headers.get('x-request-id');

    // The gateway's span ends as its answer is sent: wait for it.
    const gatewaySpan = await vi.waitFor(() => {
      const found = exporter.getFinishedSpans().find((span) => span.name === 'gateway TracedIssues');
      if (!found)
        throw new Error(
          `no gateway span yet: ${exporter
            .getFinishedSpans()
            .map((s) => s.name)
            .slice(-30)
            .join(', ')}`,
        );
      return found;
    });
    const traceId = gatewaySpan.spanContext().traceId;
    expect(gatewaySpan.attributes['app.request_id']).toBe(requestId);
    expect(gatewaySpan.parentSpanContext).toBeUndefined();

    const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: ReadableSpan) => (span.parentSpanContext ? byId.get(span.parentSpanContext.spanId) : undefined);
    const ancestors = (span: ReadableSpan) => {
      const names: string[] = [];
      for (let current = parentOf(span); current; current = parentOf(current)) names.push(current.name);
      return names;
    };

    const fetchSpan = spans.find((span) => span.name === 'fetch issues');
    expect(fetchSpan, spans.map((span) => span.name).join(', ')).toBeDefined();
    expect(ancestors(fetchSpan!)).toContain('gateway TracedIssues');
    // The subgraph continued the gateway's trace: its request span is the fetch's child, across HTTP.
    const subgraphSpan = spans.find((span) => span.name.startsWith('issues ') && span.kind === 1);
    expect(subgraphSpan, spans.map((span) => span.name).join(', ')).toBeDefined();
    expect(parentOf(subgraphSpan!)?.name).toBe('fetch issues');
    expect(subgraphSpan!.attributes['app.request_id']).toBe(requestId);
    // Its SQL, inside its request.
    const issuesSql = spans.filter((span) => span.name.startsWith('sql ') && span.attributes['db.namespace'] === 'issues');
    expect(issuesSql.length).toBeGreaterThan(0);
    for (const statement of issuesSql) expect(ancestors(statement)).toContain(subgraphSpan!.name);
    expect(issuesSql[0]!.attributes['db.operation.name']).toMatch(/^(select|with)$/);
    // No statement text on a span: its name and the operation only.
    for (const statement of issuesSql) expect(statement.attributes['db.query.text']).toBeUndefined();
    // The directory asked of the units slice on the way, in the same trace: its request span and its SQL.
    const unitsSpan = spans.find((span) => span.name.startsWith('units ') && parentOf(span)?.name === 'ask directory');
    expect(unitsSpan, spans.map((span) => span.name).join(', ')).toBeDefined();
    expect(ancestors(unitsSpan!)).toContain(subgraphSpan!.name);
    expect(spans.some((span) => span.attributes['db.namespace'] === 'units' && ancestors(span).includes(unitsSpan!.name))).toBe(true);

    // The log lines of the request carry its id and its trace id, in the gateway and in the subgraph.
    const requestLines = lines.filter((line) => line.msg === 'request' && line.requestId === requestId);
    expect(requestLines.map((line) => line.service).sort()).toEqual(expect.arrayContaining(['gateway', 'issues']));
    for (const line of requestLines) expect(line.traceId).toBe(traceId);
  });

  it('serves /metrics with the request, fetch, statement and pool figures and the process defaults', async () => {
    await platform.query('query MetricsWarmUp { unit(code: "COMMAND_OFFICE") { id name } }', { as: 'COMMAND_OFFICE' });
    const text = await (await fetch(new URL('/metrics', platform.gatewayUrl))).text();
    for (const name of [
      'graphql_requests_total',
      'graphql_request_duration_seconds_bucket',
      'gateway_subgraph_fetches_total',
      'gateway_subgraph_fetch_duration_seconds_bucket',
      'gateway_subgraph_sockets',
      'gateway_inflight_shared_fetches',
      'db_statement_duration_seconds_bucket',
      'db_pool_connections_in_use',
      'db_pool_connections_idle',
      'db_pool_waiting',
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    }
    expect(sampleOf(text, 'graphql_requests_total{service="gateway",operation="MetricsWarmUp",outcome="ok",code=""}')).toBe(1);
    expect(labelValues(text, 'gateway_subgraph_fetches_total', 'subgraph')).toContain('units');
    expect(labelValues(text, 'db_pool_connections_idle', 'slice')).toContain('units');
    // A subgraph's own port serves the same process's metrics in development.
    const subgraph = await fetch(new URL('/metrics', platform.platform.subgraphs.units!.url));
    expect(subgraph.status).toBe(200);
  });

  it('keeps the operation label bounded: 1,000 distinct operation names give at most 100 labels and (other)', async () => {
    const names = Array.from({ length: 1_000 }, (_, index) => `Distinct${index}`);
    for (let start = 0; start < names.length; start += 20) {
      await Promise.all(names.slice(start, start + 20).map((name) => platform.query(`query ${name} { __typename }`)));
    }
    // A refusal with a token and a raw query in it: neither reaches a label.
    await platform.query('query Refused { issueStats { total } }', { as: { token: 'not-a-token-secret-0123456789' } });
    const text = await (await fetch(new URL('/metrics', platform.gatewayUrl))).text();
    const operations = labelValues(text, 'graphql_requests_total', 'operation', 'service="gateway"');
    expect(operations.size).toBeLessThanOrEqual(100 + 2);
    expect(operations).toContain('(other)');
    const buckets = labelValues(text, 'graphql_request_duration_seconds_bucket', 'operation', 'service="gateway"');
    expect(buckets.size).toBeLessThanOrEqual(100 + 2);
    expect(text).not.toMatch(/not-a-token|__typename|issueStats \{/);
    const other = [...text.matchAll(/^graphql_requests_total\{service="gateway",operation="\(other\)",outcome="ok",code=""\} (\d+)$/gm)];
    expect(Number(other[0]?.[1])).toBeGreaterThanOrEqual(1_000 - 100);
  });
});

describe('/metrics outside development', () => {
  const production = {
    DEVELOPMENT_MODE: 'false',
    JWT_SECRET: 'kJ9#vQ2$mX7!pL4@wR8%tY3^zN6&bH1*cF5(dG0)sA',
    JWT_ISSUER: 'https://id.qingdao.example',
    JWT_AUDIENCE: 'qingdao-yingshang',
    METRICS_PORT: '0',
  };

  it('is refused on the public ports and served on METRICS_PORT', async () => {
    const platform = await startTestPlatform({ env: production });
    try {
      for (const url of [platform.gatewayUrl, platform.platform.subgraphs.issues!.url]) {
        const refused = await fetch(new URL('/metrics', url));
        expect(refused.status, url).toBe(404);
        expect(await refused.text()).not.toMatch(/graphql_requests_total/);
      }
      const server = platform.platform.observability.metricsServer;
      expect(server).toBeDefined();
      const scraped = await fetch(server!.url);
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await scraped.text()).toMatch(/^process_resident_memory_bytes /m);
    } finally {
      await platform.stop();
    }
  });

  it('is served on the public port only with METRICS_TOKEN as a bearer token', async () => {
    const token = 'Zq8!xW3@cV7#bN2$mK5%jH9^gF4&dS1*aP6(oI0)uY';
    const platform = await startTestPlatform({ env: { ...production, METRICS_TOKEN: token } });
    try {
      const url = new URL('/metrics', platform.gatewayUrl);
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
      const allowed = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
      expect(await allowed.text()).toMatch(/^nodejs_heap_size_used_bytes/m);
    } finally {
      await platform.stop();
    }
  });
});
