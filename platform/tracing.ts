/**
 * OpenTelemetry traces: a span for each request a service answers (platform/http.ts), each fetch
 * the gateway makes of a subgraph (gateway/data-source.ts), each call one slice makes of another
 * (platform/slice-client.ts, platform/directory.ts) and each SQL statement (platform/telemetry.ts,
 * through db/client.ts's statement observer), joined by the W3C `traceparent` header.
 *
 * Spans are exported (OTLP over HTTP, protobuf: smaller and cheaper to encode than JSON) only when OTEL_EXPORTER_OTLP_ENDPOINT (or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set: nothing leaves the process unless an operator says
 * where to. Otherwise every span is a non-recording one — an id and nothing else, so the trace id
 * still reaches the log lines and the services a request passes through — and costs next to nothing.
 *
 * The context of a request follows it through its promises by AsyncLocalStorage: on Node 24 that is
 * built on AsyncContextFrame, without the promise hooks that made it costly before (#11).
 *
 * What a span costs is paid only where it is recorded (#27: full recording cost +8–22 % CPU per request):
 * - Inside a trace that is not sampled (no endpoint, or the 90 % a sampler of 0.1 leaves out) a
 *   child "span" is the current span itself: no new object, no ids, no context switch. Only the
 *   first span of a process's part of a trace (its server span, or a worker's) is made, for its ids.
 * - @apollo/gateway's own spans (`gateway.request`, `.plan`, `.fetch`, …) are not recorded: it
 *   has its own copy of @opentelemetry/api (1.9) and takes its tracer when it loads, before this
 *   provider is registered, so it holds a no-op tracer — which costs it a context switch per step,
 *   and records nothing. Ours are the trace: server span, fetch, subgraph request, SQL.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';

export { SpanKind };
export type { Span };

export interface TracingEnv {
  /** OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`: where spans go; none → nothing is recorded. */
  tracesEndpoint?: string;
  /** OTEL_TRACES_SAMPLER_ARG: the share of new traces recorded (0–1, default 0.1: env.ts DEFAULT_TRACE_SAMPLE_RATIO); a caller's sampled flag is followed. */
  sampleRatio: number;
  /** OTEL_SERVICE_NAME: the `service.name` of this process's spans (by default what the process runs). */
  serviceName?: string;
}

export interface Tracing {
  /** Spans are recorded and exported. */
  recording: boolean;
  /** Sends what is buffered (tests, and a stop). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const TRACER = 'qingdao-yingshang';
/**
 * Larger, rarer exports than the SDK's defaults (512 spans every 5 s): a request through the gateway
 * is a dozen spans or more, and each export is an HTTP request and an encoding of its own. The
 * queue bounds memory; spans beyond it are dropped, never waited for.
 */
const BATCHING = { maxQueueSize: 8_192, maxExportBatchSize: 2_048, scheduledDelayMillis: 5_000 };
/** This process's provider's tracer (held directly: the API's proxy would keep the first provider's for good). */
let tracer = trace.getTracer(TRACER);
let contextReady = false;

/**
 * Sets this process's tracing up (the composition roots in bin/, and the tests). `exporter` replaces
 * the OTLP exporter (tests: an in-memory one, every span handed over as it ends). Calling it again
 * replaces the previous set-up.
 */
export function startTracing(env: TracingEnv, defaultServiceName: string, exporter?: SpanExporter): Tracing {
  if (!contextReady) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    contextReady = true;
  }
  const target = exporter ?? (env.tracesEndpoint ? new OTLPTraceExporter({ url: env.tracesEndpoint }) : undefined);
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.serviceName ?? defaultServiceName }),
    sampler: target ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(env.sampleRatio) }) : new AlwaysOffSampler(),
    spanProcessors: target
      ? [exporter ? new SimpleSpanProcessor({ exporter: target }) : new BatchSpanProcessor({ exporter: target, ...BATCHING })]
      : [],
  });
  trace.disable();
  trace.setGlobalTracerProvider(provider);
  tracer = provider.getTracer(TRACER);
  return {
    recording: Boolean(target),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

const headerGetter: TextMapGetter<Record<string, string | string[] | undefined>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key],
};

/** The caller's trace (its `traceparent`), to continue. */
export function callerContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** The current trace's `traceparent` (and `tracestate`), for a request made on its behalf. */
export function traceHeaders(active: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(active, headers);
  return headers;
}

/** Whether what a span starts is recorded: its trace is sampled (ParentBasedSampler: a child follows its parent). */
const sampled = (span: Span) => (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0;

/**
 * A span, child of `parent`'s — or, inside a trace that is not sampled, the parent's span itself:
 * its child would record nothing, so nothing is made (ParentBasedSampler would decide the same).
 */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes = {}, parent: Context = context.active()): Span {
  const current = trace.getSpan(parent);
  if (current && !sampled(current)) return current;
  return tracer.startSpan(name, { kind, attributes }, parent);
}

/** Whether a span is current (a request's): work outside any request (a background worker's polling) starts no trace of its own. */
export function inTrace(): boolean {
  return trace.getSpan(context.active()) !== undefined;
}

/** Runs `work` with `span` as the current span: what it starts (fetches, statements) are its children. */
export function withSpan<T>(span: Span, work: () => T, parent: Context = context.active()): T {
  // The span is already the current one (a trace not sampled: see startSpan): nothing to switch.
  if (parent === context.active() && trace.getSpan(parent) === span) return work();
  return context.with(trace.setSpan(parent, span), work);
}

/** Ends a span, marked as failed when `error` is given (its message is kept, never a value sent). */
export function endSpan(span: Span, error?: unknown, outcome?: string): void {
  if (span.isRecording()) {
    if (outcome) span.setAttribute('app.outcome', outcome);
    if (error !== undefined)
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/** The trace id of a span, for log lines (none for an invalid span). */
export function traceIdOf(span: Span): string | undefined {
  const { traceId } = span.spanContext();
  return trace.isSpanContextValid(span.spanContext()) ? traceId : undefined;
}

/** Calls a slice makes of another: a client span, and its `traceparent` for the request. */
export async function tracedCall<T>(
  name: string,
  attributes: Attributes,
  call: (headers: Record<string, string>) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, SpanKind.CLIENT, attributes);
  try {
    const result = await call(traceHeaders(trace.setSpan(context.active(), span)));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}
