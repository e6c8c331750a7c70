/**
 * The dashboard, the alerts and docs/OPERATIONS.md are built on the platform's metrics: each metric
 * they name exists in a process's registry, and each metric the platform defines is described.
 * A renamed metric would otherwise leave a dashboard panel empty and an alert silent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../platform/env.ts';
import { createMetrics, outcomeLabels } from '../platform/metrics.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

const metrics = createMetrics({ maxOperations: 3 });
const defined = new Set(metrics.registry.getMetricsAsArray().map((metric) => metric.name));
const own = [...defined].filter((name) => !/^(process|nodejs)_/.test(name));

/** Metric names in PromQL: words followed by `{`, `[` or `)`, less the histogram's suffixes. */
function metricsIn(expression: string): string[] {
  return [
    ...expression.matchAll(
      /\b([a-z][a-z0-9_]*(?:_total|_seconds|_bytes|_fetches|_in_use|_idle|_waiting|_pending|_dead|_overdue|_max|_sockets|_bucket|_count|_sum))\b/g,
    ),
  ]
    .map((match) => match[1]!.replace(/_(bucket|count|sum)$/, ''))
    .filter((name) => name !== 'label_values');
}

describe('the operators’ documents', () => {
  it('the dashboard names only metrics the platform exposes', () => {
    const dashboard = JSON.parse(read('docs/grafana-dashboard.json')) as { panels: { title: string; targets: { expr: string }[] }[] };
    expect(dashboard.panels.length).toBeGreaterThan(8);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const names = metricsIn(target.expr);
        expect(names.length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
        for (const name of names) expect(defined, `${panel.title}: ${name}`).toContain(name);
      }
    }
  });

  it('the alerts name only metrics the platform exposes (or Prometheus’s own up)', () => {
    const alerts = parse(read('deploy/observability/alerts.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    for (const rule of alerts.groups.flatMap((group) => group.rules)) {
      if (/^up == 0$/.test(rule.expr.trim())) continue;
      const names = metricsIn(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names) expect(defined, `${rule.alert}: ${name}`).toContain(name);
    }
  });

  it('docs/OPERATIONS.md describes every metric the platform defines', () => {
    const text = read('docs/OPERATIONS.md');
    expect(own.length).toBeGreaterThan(10);
    for (const name of own) expect(text, name).toContain(`\`${name}\``);
  });

  it('bounds the operation label and sorts outcomes into ok, refused, error and cancelled', () => {
    expect(['A', 'B', 'C', 'D', 'A'].map((name) => metrics.operationLabel(name))).toEqual(['A', 'B', 'C', '(other)', 'A']);
    expect(metrics.operationLabel(undefined)).toBe('(anonymous)');
    expect(metrics.operationLabel(`x${'y'.repeat(64)}`)).toBe('(other)');
    expect(outcomeLabels('ok')).toEqual({ outcome: 'ok', code: '' });
    expect(outcomeLabels('FORBIDDEN')).toEqual({ outcome: 'refused', code: 'FORBIDDEN' });
    expect(outcomeLabels('SUBGRAPH_TIMEOUT')).toEqual({ outcome: 'error', code: 'SUBGRAPH_TIMEOUT' });
    expect(outcomeLabels('HTTP_503')).toEqual({ outcome: 'error', code: 'HTTP_503' });
    expect(outcomeLabels('HTTP_413')).toEqual({ outcome: 'refused', code: 'HTTP_413' });
    expect(outcomeLabels('CLIENT_CLOSED').outcome).toBe('cancelled');
    // Anything else a caller could make up is one value.
    expect(outcomeLabels('Bearer eyJhbGciOi')).toEqual({ outcome: 'error', code: 'OTHER' });
  });
});

describe('the slices’ gauges: outbox backlog and overdue limits (platform/metrics.ts watchSlice)', () => {
  const backlog = { eventsWaiting: 1, deliveriesPending: 2, deliveriesDead: 0, oldestWaitingSeconds: 42 };

  it('reads each slice at most once a minute of its clock, one reading for all the gauges of a scrape', async () => {
    const watched = createMetrics({ maxOperations: 3 });
    let now = new Date('2026-01-05T09:00:00+08:00');
    let reads = 0;
    let overdue = 3;
    watched.watchSlice(
      'issues',
      async () => (reads++, { outbox: backlog, overdue }),
      () => now,
    );
    watched.watchSlice(
      'evaluations',
      async () => (reads++, { outbox: backlog }),
      () => now,
    );
    let text = await watched.registry.metrics();
    expect(reads).toBe(2);
    expect(text).toMatch(/^deadlines_overdue\{slice="issues"\} 3$/m);
    expect(text).toMatch(/^outbox_oldest_waiting_seconds\{slice="evaluations"\} 42$/m);
    expect(text).toMatch(/^outbox_deliveries_pending\{slice="issues"\} 2$/m);
    // A slice that keeps no limits reports none.
    expect(text).not.toMatch(/deadlines_overdue\{slice="evaluations"\}/);

    overdue = 5;
    now = new Date(now.getTime() + 59_000);
    text = await watched.registry.metrics();
    expect(reads).toBe(2);
    expect(text).toMatch(/^deadlines_overdue\{slice="issues"\} 3$/m);
    now = new Date(now.getTime() + 1_000);
    text = await watched.registry.metrics();
    expect(reads).toBe(4);
    expect(text).toMatch(/^deadlines_overdue\{slice="issues"\} 5$/m);
  });

  it('leaves a slice out while its reading fails, and tries again at the next scrape', async () => {
    const watched = createMetrics({ maxOperations: 3 });
    let failing = true;
    watched.watchSlice(
      'financing',
      async () => {
        if (failing) throw new Error('database away');
        return { outbox: backlog, overdue: 7 };
      },
      () => new Date('2026-01-05T09:00:00+08:00'),
    );
    expect(await watched.registry.metrics()).not.toMatch(/slice="financing"/);
    failing = false;
    expect(await watched.registry.metrics()).toMatch(/^deadlines_overdue\{slice="financing"\} 7$/m);
  });

  it('has the alerts the issue asks for on them', () => {
    const alerts = parse(read('deploy/observability/alerts.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const rules = new Map(alerts.groups.flatMap((group) => group.rules).map((rule) => [rule.alert, rule.expr]));
    expect(rules.get('OutboxBacklog')).toMatch(/outbox_oldest_waiting_seconds/);
    expect(rules.get('OverdueDeadlinesNotMoving')).toMatch(/deadlines_overdue/);
  });
});

describe('the observability settings (platform/env.ts)', () => {
  const production = {
    JWT_SECRET: 'kJ9#vQ2$mX7!pL4@wR8%tY3^zN6&bH1*cF5(dG0)sA',
    JWT_ISSUER: 'https://id.qingdao.example',
    JWT_AUDIENCE: 'qingdao-yingshang',
  };

  it('keeps /metrics off the public port outside development, open in development, behind a token when one is set', () => {
    expect(loadEnv(production).metrics).toEqual({ publicPort: { kind: 'refused' }, maxOperations: 100 });
    expect(loadEnv({ DEVELOPMENT_MODE: 'true' }).metrics.publicPort).toEqual({ kind: 'open' });
    const token = 'Zq8!xW3@cV7#bN2$mK5%jH9^gF4&dS1*aP6(oI0)uY';
    expect(loadEnv({ ...production, METRICS_TOKEN: token, METRICS_PORT: '9464' }).metrics).toMatchObject({
      port: 9464,
      publicPort: { kind: 'token', token },
    });
    expect(() => loadEnv({ ...production, METRICS_TOKEN: 'metrics' })).toThrow(/METRICS_TOKEN is too weak/);
  });

  it('sends spans nowhere unless an OTLP endpoint is set, and reads the sampling ratio and service name', () => {
    expect(loadEnv(production).tracing).toEqual({ sampleRatio: 0.1 });
    expect(loadEnv({ ...production, OTEL_TRACES_SAMPLER_ARG: '1' }).tracing.sampleRatio).toBe(1);
    expect(loadEnv({ ...production, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318/' }).tracing.tracesEndpoint).toBe(
      'http://jaeger:4318/v1/traces',
    );
    expect(
      loadEnv({ ...production, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/traces' })
        .tracing.tracesEndpoint,
    ).toBe('http://b:4318/traces');
    expect(loadEnv({ ...production, OTEL_TRACES_SAMPLER_ARG: '0.1', OTEL_SERVICE_NAME: 'gw' }).tracing).toEqual({
      sampleRatio: 0.1,
      serviceName: 'gw',
    });
    expect(() => loadEnv({ ...production, OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
    expect(() => loadEnv({ ...production, OTEL_EXPORTER_OTLP_ENDPOINT: 'jaeger:4318 x' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
