/**
 * Replicas of a subgraph (issue #11, "it scales out"): `<NAME>_URL` may list several, the gateway's
 * client takes them in turn, a replica that refuses connections costs no caller anything, and a host
 * name can stand for every address it resolves to (docker-compose's replicas share their service's
 * name). Other slices call the replicas in turn too.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SubgraphClient } from '../gateway/data-source.ts';
import { ConfigurationError, loadEnv, replicasInTurn } from '../platform/env.ts';

const servers: http.Server[] = [];

/** A stand-in replica that answers with its own name and counts what it got. */
async function replica(name: string): Promise<{ url: string; port: number; seen: string[]; server: http.Server }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push(body);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { replica: name } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/graphql`, port, seen, server };
}

const post = (n: number) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ query: `{ n${n} }` }),
});
const clients: SubgraphClient[] = [];
const client = (urls: string | string[], options: { replicasFromDns?: boolean; resolveEveryMs?: number } = {}) => {
  const made = new SubgraphClient(urls, { connections: 2, timeoutMs: 2_000, ...options });
  clients.push(made);
  return made;
};

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((resolve) => {
          s.closeAllConnections();
          s.close(resolve);
        }),
    ),
  );
});

describe('the gateway’s client to a subgraph with replicas', () => {
  it('sends requests to every replica in turn', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    const subgraph = client([a.url, b.url]);
    const answers = [];
    for (let n = 0; n < 20; n++)
      answers.push(((await (await subgraph.send(post(n), undefined)).json()) as { data: { replica: string } }).data.replica);
    expect(a.seen.length + b.seen.length).toBe(20);
    // Balanced, not all on one: each replica gets a fair share.
    expect(a.seen.length).toBeGreaterThanOrEqual(5);
    expect(b.seen.length).toBeGreaterThanOrEqual(5);
    expect(new Set(answers)).toEqual(new Set(['a', 'b']));
  });

  it('answers every request when one replica is down, and sends each once', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await new Promise((resolve) => b.server.close(resolve));
    const subgraph = client([a.url, b.url]);
    for (let n = 0; n < 10; n++) expect((await subgraph.send(post(n), undefined)).status).toBe(200);
    expect(a.seen).toEqual(Array.from({ length: 10 }, (_, n) => post(n).body));
  });

  it('fails with the connection error when every replica is down', async () => {
    const [a, b] = [await replica('a'), await replica('b')];
    await Promise.all([a, b].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    await expect(client([a.url, b.url]).send(post(0), undefined)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('refuses replicas that do not share a path', () => {
    expect(() => client(['http://127.0.0.1:1/graphql', 'http://127.0.0.1:2/other'])).toThrow(/share a path/);
  });

  it('balances over the addresses a host name resolves to when asked to', async () => {
    const a = await replica('a');
    const byName = client(`http://localhost:${a.port}/graphql`, { replicasFromDns: true, resolveEveryMs: 50 });
    await expect.poll(() => byName.upstreams, { timeout: 2_000 }).toEqual([`http://127.0.0.1:${a.port}`]);
    expect((await byName.send(post(1), undefined)).status).toBe(200);
    // Without the setting a name stays a name (virtual hosts, TLS): one plain pool.
    expect(client(`http://localhost:${a.port}/graphql`).upstreams).toEqual([]);
  });
});

describe('replicas in the configuration', () => {
  const slices = [
    { name: 'units', port: 4001 },
    { name: 'issues', port: 4002 },
  ];

  it('reads a comma-separated <NAME>_URL as the replicas of one subgraph', () => {
    const env = loadEnv({ DEVELOPMENT_MODE: 'true', ISSUES_URL: 'http://a:4000/graphql, http://b:4000/graphql' }, slices);
    expect(env.subgraphs.issues!.urls).toEqual(['http://a:4000/graphql', 'http://b:4000/graphql']);
    expect(env.subgraphs.issues!.url).toBe('http://a:4000/graphql');
    expect(env.subgraphs.units!.urls).toEqual([env.subgraphs.units!.url]);
  });

  it('refuses a list with a bad URL, naming the variable', () => {
    expect(() => loadEnv({ DEVELOPMENT_MODE: 'true', ISSUES_URL: 'http://a:4000/graphql,not a url' }, slices)).toThrow(ConfigurationError);
    expect(() => loadEnv({ DEVELOPMENT_MODE: 'true', ISSUES_URL: 'http://a:4000/graphql,not a url' }, slices)).toThrow(/ISSUES_URL/);
  });

  it('gives other slices the replicas in turn', () => {
    const env = loadEnv({ DEVELOPMENT_MODE: 'true', ISSUES_URL: 'http://a:4000/graphql,http://b:4000/graphql' }, slices);
    const inTurn = replicasInTurn(env.subgraphs);
    expect([inTurn('issues'), inTurn('issues'), inTurn('issues'), inTurn('units')]).toEqual([
      'http://a:4000/graphql',
      'http://b:4000/graphql',
      'http://a:4000/graphql',
      env.subgraphs.units!.url,
    ]);
  });
});
