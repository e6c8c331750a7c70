/**
 * What tracing makes, and what it does not (issue #27, platform/tracing.ts): inside a trace that is
 * not sampled — no endpoint, or left out by the sampler — a child span is the current span itself
 * (no new object, no ids), yet the trace id still reaches the headers of the calls made on its
 * behalf; in a sampled trace each child is a span of its own, recorded.
 */
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { callerContext, endSpan, SpanKind, startSpan, startTracing, traceHeaders, withSpan, type Tracing } from '../platform/tracing.ts';

let tracing: Tracing | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
});

/** A server span as platform/http.ts starts one, and what its work starts: two statements and a call. */
async function request(headers: Record<string, string> = {}) {
  const parent = callerContext(headers);
  const server = startSpan('GET test', SpanKind.SERVER, {}, parent);
  const inside = await withSpan(
    server,
    async () => {
      await Promise.resolve();
      const first = startSpan('sql', SpanKind.CLIENT);
      const second = startSpan('sql', SpanKind.CLIENT);
      const call = startSpan('ask units', SpanKind.CLIENT);
      const sent = traceHeaders(trace.setSpan(context.active(), call));
      for (const span of [first, second, call]) endSpan(span);
      return { active: trace.getSpan(context.active()), children: [first, second, call], sent };
    },
    parent,
  );
  endSpan(server);
  return { server, ...inside };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0([01])$/;

describe.each([
  ['no endpoint', () => startTracing({ sampleRatio: 1 }, 'test')],
  ['an exporter, no trace sampled', () => startTracing({ sampleRatio: 0 }, 'test', new InMemorySpanExporter())],
])('a trace not sampled (%s)', (_label, start) => {
  it('makes one span for its ids: the children are that span, and the trace id goes on in traceparent', async () => {
    tracing = start();
    const { server, active, children, sent } = await request();
    const { traceId, traceFlags } = server.spanContext();
    expect(trace.isSpanContextValid(server.spanContext())).toBe(true);
    expect(traceFlags & TraceFlags.SAMPLED).toBe(0);
    expect(active).toBe(server);
    for (const child of children) expect(child).toBe(server);
    expect(TRACEPARENT.exec(sent.traceparent ?? '')?.slice(1)).toEqual([traceId, server.spanContext().spanId, '0']);
  });

  it('continues a caller’s trace id (its traceparent not sampled), making nothing below it', async () => {
    tracing = start();
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { server, children, sent } = await request({ traceparent: `00-${callerTrace}-00f067aa0ba902b7-00` });
    expect(server.spanContext().traceId).toBe(callerTrace);
    for (const child of children) expect(child).toBe(server);
    expect(TRACEPARENT.exec(sent.traceparent ?? '')?.[1]).toBe(callerTrace);
  });
});

describe('a sampled trace', () => {
  it('records each child as a span of its own under the server span', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing({ sampleRatio: 1 }, 'test', exporter);
    const { server, children, sent } = await request();
    expect(new Set(children).size).toBe(3);
    for (const child of children) expect(child).not.toBe(server);
    const finished = exporter.getFinishedSpans();
    expect(finished.map((span) => span.name).sort()).toEqual(['GET test', 'ask units', 'sql', 'sql']);
    for (const span of finished.filter((s) => s.name !== 'GET test'))
      expect(span.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    const call = finished.find((span) => span.name === 'ask units');
    expect(TRACEPARENT.exec(sent.traceparent ?? '')?.slice(1)).toEqual([server.spanContext().traceId, call?.spanContext().spanId, '1']);
  });
});
