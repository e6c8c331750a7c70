/**
 * Structured logs: JSON lines (pino) with levels, each request's lines carrying its request id.
 * The gateway mints the id (or takes a well-formed `x-request-id` from the caller) and forwards it
 * to the subgraphs, so one id follows a request through every service. A person at a terminal in
 * development gets the same lines pretty-printed.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** The fields of a request line (platform/http.ts), which a terminal shows in the message instead. */
const REQUEST_LINE_FIELDS = ['method', 'status', 'ms', 'operation', 'outcome', 'subgraphCalls'];

export const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function createLogger(
  options: { level?: string; pretty?: boolean; service?: string; destination?: DestinationStream } = {},
): Logger {
  const settings = { level: options.level ?? 'info', base: options.service ? { service: options.service } : {} };
  // pino-pretty as a plain stream (no worker thread): a terminal in development only.
  if (options.pretty) {
    return pino(
      settings,
      pretty({
        colorize: !options.destination,
        sync: true,
        ...(options.destination ? { destination: options.destination } : {}),
        singleLine: true,
        // A request line reads as one short sentence; its fields stay in the JSON lines.
        ignore: `pid,hostname,${REQUEST_LINE_FIELDS.join(',')}`,
        messageFormat: (log, messageKey) => {
          const message = String(log[messageKey] ?? '');
          if (message !== 'request') return message;
          const calls = (log.subgraphCalls as SubgraphCall[] | undefined)?.map((call) => `${call.subgraph} ${call.ms} ms`).join(', ');
          return `${String(log.operation ?? '(anonymous)')} → ${String(log.status)} ${String(log.outcome)} in ${String(log.ms)} ms${calls ? ` (${calls})` : ''}`;
        },
      }),
    );
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** Discards everything (tests that do not look at logs). */
export const silentLogger: Logger = pino({ level: 'silent' });

/** The caller's request id when it is well formed, a new one otherwise: never an unbounded string in a log line. */
export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

/** A subgraph call the gateway made for a request, for its request line. */
export interface SubgraphCall {
  subgraph: string;
  ms: number;
  outcome: string;
}

/**
 * What one request's closing log line says. The HTTP front creates it, the GraphQL server fills in
 * the operation and its outcome, the gateway's data source adds each subgraph call.
 */
export interface RequestRecord {
  id: string;
  /** The request's OpenTelemetry trace (its caller's, from `traceparent`, or a new one): in every line of the request. */
  traceId?: string;
  log: Logger;
  operation?: string;
  /** `ok`, or the first error code of the answer. */
  outcome?: string;
  subgraphCalls: SubgraphCall[];
  /** Aborted when the request's time is up (EXECUTION_TIMEOUT_MS) or its caller has gone. */
  signal?: AbortSignal;
  /** A budget of its own, set once its body is read (platform/budget.ts: a batch intake); EXECUTION_TIMEOUT_MS when unset. */
  budgetMs?: number;
}
