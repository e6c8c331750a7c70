/**
 * How one slice asks another slice's public GraphQL API — the only way data crosses slices besides
 * federation. It forwards the caller's Authorization header when the question is asked on the
 * caller's behalf (the other slice then applies its own permissions to that caller), the request id
 * (so the lines of both services can be read together), and gives up after a timeout.
 *
 * The other slice's coded refusals keep their code and message; an unreachable or failing slice
 * becomes SERVICE_UNAVAILABLE. Never call this inside a database transaction.
 */
import { codedError, ErrorCode, errors } from './errors.ts';
import { REQUEST_ID_HEADER } from './log.ts';
import { tracedCall } from './tracing.ts';

export interface SliceQuery {
  /** The slice asked, for messages. */
  slice: string;
  url: string;
  query: string;
  variables?: Record<string, unknown>;
  authorization?: string;
  requestId?: string;
  timeoutMs?: number;
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

function unavailable(slice: string, reason: string) {
  return errors.serviceUnavailable({
    zh: `${slice} 子图暂不可用，请稍后重试`,
    en: `The ${slice} subgraph is unavailable (${reason}); retry shortly`,
  });
}

export async function askSlice<T>(ask: SliceQuery): Promise<T> {
  let answer: GraphQLAnswer<T>;
  try {
    // A client span in the caller's trace; its traceparent makes the other slice's spans its children.
    answer = await tracedCall(`ask ${ask.slice}`, { 'app.slice': ask.slice }, async (trace) => {
      const response = await fetch(ask.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...trace,
          ...(ask.authorization ? { authorization: ask.authorization } : {}),
          ...(ask.requestId ? { [REQUEST_ID_HEADER]: ask.requestId } : {}),
        },
        body: JSON.stringify({ query: ask.query, variables: ask.variables ?? {} }),
        signal: AbortSignal.timeout(ask.timeoutMs ?? 10_000),
      });
      return (await response.json()) as GraphQLAnswer<T>;
    });
  } catch (error) {
    throw unavailable(ask.slice, (error as Error).message);
  }
  const first = answer.errors?.[0];
  if (first) {
    const code = first.extensions?.code;
    if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.SERVICE_UNAVAILABLE) {
      const { code: _code, messageZh, messageEn, ...rest } = first.extensions ?? {};
      throw codedError(
        code as ErrorCode,
        { zh: String(messageZh ?? first.message ?? code), en: String(messageEn ?? first.message ?? code) },
        rest,
      );
    }
    throw unavailable(ask.slice, first.message ?? String(code));
  }
  if (!answer.data) throw unavailable(ask.slice, 'no data');
  return answer.data;
}
