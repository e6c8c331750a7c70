/**
 * Identical subgraph reads in flight at the same moment are sent once (issue #11): keyed by URL,
 * Authorization and body; never a mutation; a failure reaches every waiter; nothing is kept after
 * the request ends; a caller who goes away stops only their own wait.
 */
import { describe, expect, it } from 'vitest';
import { InflightRequests, mergeKey, SubgraphAnswer } from '../gateway/data-source.ts';

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
const init = (query: string, authorization = 'Bearer a', variables: Record<string, unknown> = {}) => ({
  method: 'POST',
  headers: { authorization, 'x-request-id': `r-${Math.random()}` },
  body: body(query, variables),
});

function deferred() {
  let resolve!: (answer: SubgraphAnswer) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<SubgraphAnswer>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('the merge key', () => {
  it('is the same for the same URL, token and body, whatever the request id', () => {
    const a = mergeKey('http://issues/graphql', init('query Q { a }'));
    expect(a).not.toBeNull();
    expect(mergeKey('http://issues/graphql', init('query Q { a }'))).toBe(a);
    expect(mergeKey('http://issues/graphql', init('{ a }'))).not.toBeNull();
  });

  it('differs by token, variables and subgraph', () => {
    const a = mergeKey('http://issues/graphql', init('query Q($x: Int) { a(x: $x) }', 'Bearer a', { x: 1 }));
    expect(mergeKey('http://issues/graphql', init('query Q($x: Int) { a(x: $x) }', 'Bearer b', { x: 1 }))).not.toBe(a);
    expect(mergeKey('http://issues/graphql', init('query Q($x: Int) { a(x: $x) }', 'Bearer a', { x: 2 }))).not.toBe(a);
    expect(mergeKey('http://units/graphql', init('query Q($x: Int) { a(x: $x) }', 'Bearer a', { x: 1 }))).not.toBe(a);
  });

  it('reads the kind off the start of the body as the gateway writes it, and parses any other body whole', () => {
    expect(mergeKey('http://issues/graphql', init('\n\t  query Q { a }'))).not.toBeNull();
    expect(mergeKey('http://issues/graphql', init('\n  mutation M { a }'))).toBeNull();
    expect(mergeKey('http://issues/graphql', init('subscription S { a }'))).toBeNull();
    expect(mergeKey('http://issues/graphql', init('queryX { a }'))).toBeNull();
    const reordered = (query: string) => ({ method: 'POST', headers: {}, body: JSON.stringify({ variables: {}, query }) });
    expect(mergeKey('http://issues/graphql', reordered('query Q { a }'))).not.toBeNull();
    expect(mergeKey('http://issues/graphql', reordered('mutation M { a }'))).toBeNull();
  });

  it('is null for mutations and anything unreadable', () => {
    expect(mergeKey('http://issues/graphql', init('mutation M { acceptIssue(id: "1") { id } }'))).toBeNull();
    expect(mergeKey('http://issues/graphql', init('  mutation { a }'))).toBeNull();
    expect(mergeKey('http://issues/graphql', { method: 'POST', headers: {}, body: 'not json' })).toBeNull();
    expect(mergeKey('http://issues/graphql', { method: 'GET', headers: {}, body: body('{ a }') })).toBeNull();
  });
});

describe('in-flight requests', () => {
  it('sends identical reads once and gives every waiter its own response', async () => {
    const inflight = new InflightRequests();
    const pending = deferred();
    let sent = 0;
    const send = () => {
      sent++;
      return pending.promise;
    };
    const waiters = Array.from({ length: 5 }, () => inflight.run('k', send, undefined));
    pending.resolve(new SubgraphAnswer(200, 'OK', { 'content-type': 'application/json' }, JSON.stringify({ data: { a: 1 } })));
    const answers = await Promise.all(waiters);
    expect(sent).toBe(1);
    expect(inflight.counts).toEqual({ sent: 1, merged: 4 });
    for (const answer of answers) expect(await answer.json()).toEqual({ data: { a: 1 } });
    expect(answers[0]!.headers.get('content-type')).toBe('application/json');
  });

  it('keeps nothing once the request has ended: the next read goes out again', async () => {
    const inflight = new InflightRequests();
    let sent = 0;
    const send = async () => {
      sent++;
      return new SubgraphAnswer(200, 'OK', {}, String(sent));
    };
    expect(await (await inflight.run('k', send, undefined)).text()).toBe('1');
    expect(await (await inflight.run('k', send, undefined)).text()).toBe('2');
    expect(sent).toBe(2);
  });

  it('gives a failure to every waiter', async () => {
    const inflight = new InflightRequests();
    const pending = deferred();
    const waiters = [inflight.run('k', () => pending.promise, undefined), inflight.run('k', () => pending.promise, undefined)];
    pending.reject(Object.assign(new Error('connect ECONNREFUSED'), { name: 'TypeError' }));
    for (const waiter of waiters) await expect(waiter).rejects.toThrow('ECONNREFUSED');
  });

  it('lets a caller who goes away stop only their own wait', async () => {
    const inflight = new InflightRequests();
    const pending = deferred();
    const gone = new AbortController();
    const leaving = inflight.run('k', () => pending.promise, gone.signal);
    const staying = inflight.run('k', () => pending.promise, undefined);
    gone.abort(Object.assign(new Error('caller went away'), { name: 'AbortError' }));
    await expect(leaving).rejects.toThrow('caller went away');
    pending.resolve(new SubgraphAnswer(200, 'OK', {}, 'ok'));
    expect(await (await staying).text()).toBe('ok');
  });
});

describe('the pooled client of a subgraph', () => {
  it('keeps to its bound of sockets under concurrent load, reusing them, and answers every request', async () => {
    const http = await import('node:http');
    const { SubgraphClient } = await import('../gateway/data-source.ts');
    let sockets = 0;
    let inFlight = 0;
    let mostAtOnce = 0;
    const server = http.createServer((req, res) => {
      inFlight++;
      mostAtOnce = Math.max(mostAtOnce, inFlight);
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () =>
        setTimeout(() => {
          inFlight--;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: { echo: JSON.parse(body).query } }));
        }, 20),
      );
    });
    server.on('connection', () => sockets++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const client = new SubgraphClient(`http://127.0.0.1:${port}/graphql`, { connections: 3, timeoutMs: 5_000 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, index) =>
          client.send(
            { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `q${index}` }) },
            undefined,
          ),
        ),
      );
      expect(await Promise.all(answers.map(async (answer) => ((await answer.json()) as any).data.echo))).toEqual(
        Array.from({ length: 30 }, (_, index) => `q${index}`),
      );
      expect(sockets).toBeLessThanOrEqual(3);
      expect(mostAtOnce).toBeLessThanOrEqual(3);
    } finally {
      await client.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
