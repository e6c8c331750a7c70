/**
 * The gateway in front of the subgraphs: query plans across subgraphs, subgraphs that are down or
 * hang, request limits, health, forged tokens and graceful shutdown.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { buildClientSchema, getIntrospectionQuery, parse, type IntrospectionQuery } from 'graphql';
import { SignJWT } from 'jose';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway } from '../gateway/server.ts';
import { createAuthenticator } from '../platform/auth.ts';
import { loadEnv } from '../platform/env.ts';
import { startHttpService, type RunningService } from '../platform/http.ts';
import { schemaDir } from '../platform/subgraph.ts';
import { silentLogger } from '../platform/log.ts';
import { slices } from '../subgraphs/registry.ts';
import { rowsOf } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { post, startTestPlatform, tokenFor, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

// ---- helpers: stand-alone gateways and stub subgraphs ----

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

/** A URL on which nothing listens: the port was free a moment ago and is closed again. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/graphql`;
}

/** A subgraph that accepts the connection and the request, then never answers. */
async function hangingSubgraphUrl(): Promise<{ url: string; received: () => number }> {
  let received = 0;
  const server = http.createServer((req) => {
    received++;
    req.resume();
  });
  return { url: await listen(server), received: () => received };
}

const testEnv = loadEnv({ DEVELOPMENT_MODE: 'true' }, slices);

async function startGateway(options: {
  subgraphUrls: Record<string, string>;
  supergraphSdl?: string;
  subgraphTimeoutMs?: number;
  executionTimeoutMs?: number;
  mergeInflight?: boolean;
}): Promise<RunningService> {
  const runtime = createGateway({
    authenticator: createAuthenticator(testEnv.auth),
    subgraphUrls: options.subgraphUrls,
    limits: { ...testEnv.limits, subgraphTimeoutMs: options.subgraphTimeoutMs ?? testEnv.limits.subgraphTimeoutMs },
    introspection: true,
    supergraphSdl: options.supergraphSdl,
    logger: silentLogger,
    mergeInflight: options.mergeInflight,
  });
  const service = await startHttpService({
    service: runtime,
    port: 0,
    host: '127.0.0.1',
    limits: { ...testEnv.limits, executionTimeoutMs: options.executionTimeoutMs ?? testEnv.limits.executionTimeoutMs },
    logger: silentLogger,
  });
  cleanups.push(() => service.close());
  return service;
}

/** Every subgraph the committed supergraph names, all pointing at `url`. */
const everySubgraphAt = (url: string) => Object.fromEntries(slices.map((slice) => [slice.name, url]));

/**
 * A second subgraph, standing in for the issues subgraph until it exists: it adds a field to Unit
 * and returns bare Unit references, so the gateway must plan `_entities` calls in both directions.
 */
const probeTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  type Query {
    "Bare references to units: every other field comes from the units subgraph."
    probeUnits: [Unit!]!
    "The Authorization header the probe received."
    probeCaller: String!
  }

  type Unit @key(fields: "id") {
    id: ID!
    "A field only the probe knows, so a unit read through the gateway spans both subgraphs."
    probeNote: String!
  }
`);

interface ProbeContext {
  authorization: string | undefined;
}

async function startProbeSubgraph(): Promise<{ url: string; authorizations: (string | undefined)[] }> {
  const authorizations: (string | undefined)[] = [];
  const apollo = new ApolloServer<ProbeContext>({
    schema: buildSubgraphSchema({
      typeDefs: probeTypeDefs,
      resolvers: {
        Query: {
          probeUnits: () =>
            ['STATISTICS_BUREAU', 'STATISTICS_BUREAU', 'MARKET_REGULATION_BUREAU'].map((code) => ({ id: unitIdForCode(code) })),
          probeCaller: (_: unknown, __: unknown, context: ProbeContext) => context.authorization ?? 'none',
        },
        Unit: {
          __resolveReference: (reference: { id: string }) => reference,
          probeNote: (unit: { id: string }) => `probe:${unit.id}`,
        },
      } as never,
    }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const service = await startHttpService<ProbeContext>({
    service: {
      name: 'probe',
      apollo,
      context: async (req) => {
        authorizations.push(req.headers.authorization);
        return { authorization: req.headers.authorization };
      },
      ready: async () => ({}),
    },
    port: 0,
    host: '127.0.0.1',
    limits: testEnv.limits,
    logger: silentLogger,
  });
  cleanups.push(() => service.close());
  return { url: `${service.url}graphql`, authorizations };
}

/** Forwards to a real subgraph and remembers what the gateway asked it. */
async function recordingProxy(target: string): Promise<{ url: string; seen: { query: string; variables: any; authorization?: string }[] }> {
  const seen: { query: string; variables: any; authorization?: string }[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const parsed = JSON.parse(body) as { query: string; variables?: unknown };
    seen.push({ query: parsed.query, variables: parsed.variables, authorization: req.headers.authorization });
    const answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) },
      body,
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(await answer.text());
  });
  return { url: await listen(server), seen };
}

function composeWithProbe(): string {
  const result = composeServices([
    { name: 'units', url: 'http://units.invalid/graphql', typeDefs: parse(fs.readFileSync(path.join(schemaDir, 'units.graphql'), 'utf8')) },
    { name: 'probe', url: 'http://probe.invalid/graphql', typeDefs: probeTypeDefs },
  ]);
  if (result.errors) throw new Error(result.errors.map(String).join('\n'));
  return result.supergraphSdl;
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

// ---- (a) queries across subgraphs ----

describe('queries the gateway plans across subgraphs', () => {
  let t: TestPlatform;
  let gatewayUrl: string;
  let toUnits: Awaited<ReturnType<typeof recordingProxy>>;
  let probe: Awaited<ReturnType<typeof startProbeSubgraph>>;

  beforeAll(async () => {
    t = await startTestPlatform();
    toUnits = await recordingProxy(`${t.platform.subgraphs.units!.url}graphql`);
    probe = await startProbeSubgraph();
    gatewayUrl = (await startGateway({ supergraphSdl: composeWithProbe(), subgraphUrls: { units: toUnits.url, probe: probe.url } })).url;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('follows a unit to its domain and the domain’s lead unit through the platform’s gateway', async () => {
    const { data, errors } = await t.query(`{ viewer { unit { name domain { name leadUnit { name } } } } }`, {
      as: { role: 'UNIT_STAFF', unit: 'INTERMEDIATE_PEOPLES_COURT' },
    });
    expect(errors).toBeUndefined();
    expect(data.viewer.unit).toEqual({ name: '市中级人民法院', domain: { name: expect.any(String), leadUnit: { name: '市委政法委' } } });
  });

  it('joins units from the units subgraph with fields another subgraph adds, both ways', async () => {
    const token = await tokenFor({ role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' });
    toUnits.seen.length = 0;
    const response = await post<any>(
      gatewayUrl,
      {
        query: /* GraphQL */ `
          {
            viewer {
              role
              unit {
                code
                probeNote
                domain {
                  leadUnit {
                    name
                    probeNote
                  }
                }
              }
            }
            probeUnits {
              id
              name
              kind
              probeNote
            }
            probeCaller
          }
        `,
      },
      token,
    );
    expect(response.errors).toBeUndefined();
    const market = unitIdForCode('MARKET_REGULATION_BUREAU');
    const statistics = unitIdForCode('STATISTICS_BUREAU');
    expect(response.data).toEqual({
      viewer: {
        role: 'UNIT_ADMIN',
        unit: {
          code: 'MARKET_REGULATION_BUREAU',
          probeNote: `probe:${market}`,
          domain: { leadUnit: { name: '市市场监管局', probeNote: `probe:${market}` } },
        },
      },
      probeUnits: [
        { id: statistics, name: '市统计局', kind: 'PARTICIPATING', probeNote: `probe:${statistics}` },
        { id: statistics, name: '市统计局', kind: 'PARTICIPATING', probeNote: `probe:${statistics}` },
        { id: market, name: '市市场监管局', kind: 'LEAD', probeNote: `probe:${market}` },
      ],
      probeCaller: `Bearer ${token}`,
    });
    // The units subgraph was asked for the probe's references through `_entities`.
    const entityCalls = toUnits.seen.filter((call) => call.query.includes('_entities'));
    expect(entityCalls).toHaveLength(1);
    expect(entityCalls[0]!.variables.representations.map((r: { id: string }) => r.id)).toEqual(
      expect.arrayContaining([statistics, market]),
    );
    // Every subgraph got the caller's token and decided for itself.
    expect(toUnits.seen.every((call) => call.authorization === `Bearer ${token}`)).toBe(true);
    expect(probe.authorizations.at(-1)).toBe(`Bearer ${token}`);
  });

  it('keeps a subgraph’s own refusal code across the plan', async () => {
    const response = await post<any>(gatewayUrl, { query: `{ probeCaller enterprises(first: 1) { totalCount } }` });
    expect(response.status).toBe(200);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', serviceName: 'units' });
  });

  it('refuses a forged token at the gateway, before any subgraph is asked', async () => {
    const forged = await new SignJWT({ role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('intruder')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a-secret-the-platform-does-not-know-0123456789'));
    const unitsCalls = toUnits.seen.length;
    const probeCalls = probe.authorizations.length;
    for (const [url, query] of [
      [gatewayUrl, `{ probeCaller viewer { role } }`],
      [t.gatewayUrl, `{ viewer { role } }`],
    ]) {
      const response = await post<any>(url!, { query }, forged);
      expect(response.status).toBe(401);
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.data ?? null).toBeNull();
    }
    expect(toUnits.seen.length).toBe(unitsCalls);
    expect(probe.authorizations.length).toBe(probeCalls);
  });

  it('answers /health and /ready with 200 when every subgraph is up', async () => {
    for (const base of [t.gatewayUrl, t.platform.subgraphs.units!.url]) {
      expect((await getJson(`${base}health`)).status).toBe(200);
      const ready = await getJson(`${base}ready`);
      expect(ready.status, JSON.stringify(ready.body)).toBe(200);
      expect(ready.body.status).toBe('ready');
    }
    expect((await getJson(`${t.gatewayUrl}ready`)).body.checks).toMatchObject({ units: 'ok' });
  });

  it('still answers introspection, which the explorer needs, in full', async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      inputValueDeprecation: true,
    });
    const response = await post<IntrospectionQuery>(t.gatewayUrl, { query });
    expect(response.errors).toBeUndefined();
    const schema = buildClientSchema(response.data!);
    expect(schema.getQueryType()?.getFields()).toHaveProperty('units');
    expect(schema.getMutationType()?.getFields()).toHaveProperty('upsertEnterprise');
    expect(schema.getType('Unit')?.description).toContain('单位');
  });
});

// ---- (b) subgraphs that are down or hang ----

describe('a subgraph that is down or hangs', () => {
  it('answers SUBGRAPH_UNAVAILABLE with the subgraph’s name when nothing listens, and keeps serving', async () => {
    const gateway = await startGateway({ subgraphUrls: everySubgraphAt(await closedPortUrl()) });
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await post<any>(gateway.url, { query: `{ domains { name } }` });
      expect(response.status).toBe(200);
      expect(response.data).toEqual({ domains: null });
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'SUBGRAPH_UNAVAILABLE',
        serviceName: 'units',
        messageZh: expect.stringContaining('units'),
        messageEn: expect.stringContaining('units'),
      });
    }
    expect((await getJson(`${gateway.url}health`)).status).toBe(200);
  });

  it('answers SUBGRAPH_TIMEOUT when a subgraph never answers, and keeps serving', async () => {
    const hanging = await hangingSubgraphUrl();
    const gateway = await startGateway({ subgraphUrls: everySubgraphAt(hanging.url), subgraphTimeoutMs: 300 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const response = await post<any>(gateway.url, { query: `{ unit(code: "COMMAND_OFFICE") { name } }` });
      expect(response.status).toBe(200);
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT', serviceName: 'units' });
      expect(response.data).toEqual({ unit: null });
      expect(hanging.received()).toBe(attempt);
    }
    expect((await getJson(`${gateway.url}health`)).status).toBe(200);
  });

  it('stops waiting for a subgraph when the caller’s time is up, and sends the subgraph its own headers only', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    let closed = 0;
    const stub = http.createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      // Never answers; counts the gateway giving up on it.
      res.on('close', () => closed++);
    });
    const url = await listen(stub);
    // Merged reads: the caller stops waiting, the shared read runs on for whoever else waits on it.
    // Not merged: the subgraph call itself is cut off.
    for (const mergeInflight of [true, false]) {
      const gateway = await startGateway({
        subgraphUrls: everySubgraphAt(url),
        subgraphTimeoutMs: 30_000,
        executionTimeoutMs: 500,
        mergeInflight,
      });
      const started = Date.now();
      const response = await post<any>(gateway.url, { query: `{ unit(code: "COMMAND_OFFICE") { name } }` });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(JSON.stringify(response.errors)).toMatch(/TIMEOUT/);
    }
    await expect.poll(() => closed, { timeout: 5_000 }).toBe(1);
    expect(seen).toHaveLength(2);
    for (const headers of seen) {
      expect(Object.keys(headers)).not.toContain('x-gateway-call');
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-request-id']).toMatch(/\S/);
    }
  });

  it('returns the other subgraphs’ data beside the coded error for the missing part', async () => {
    const probe = await startProbeSubgraph();
    const hanging = await hangingSubgraphUrl();
    const supergraphSdl = composeWithProbe();
    const down = await startGateway({ supergraphSdl, subgraphUrls: { units: await closedPortUrl(), probe: probe.url } });
    const slow = await startGateway({ supergraphSdl, subgraphUrls: { units: hanging.url, probe: probe.url }, subgraphTimeoutMs: 300 });
    for (const [gateway, code] of [
      [down, 'SUBGRAPH_UNAVAILABLE'],
      [slow, 'SUBGRAPH_TIMEOUT'],
    ] as const) {
      const response = await post<any>(gateway.url, { query: `{ probeCaller unit(code: "COMMAND_OFFICE") { name } }` });
      expect(response.data).toEqual({ probeCaller: 'none', unit: null });
      expect(response.errors).toHaveLength(1);
      expect(response.errors![0]!.extensions).toMatchObject({ code, serviceName: 'units' });
    }
  });

  it('passes a subgraph’s coded non-2xx answer through with its own code, not as a generic 400 or 500', async () => {
    const stub = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            errors: [{ message: '无权 / not allowed', extensions: { code: 'FORBIDDEN', messageZh: '无权', messageEn: 'not allowed' } }],
          }),
        );
      });
    });
    const gateway = await startGateway({ subgraphUrls: everySubgraphAt(await listen(stub)) });
    const response = await post<any>(gateway.url, { query: `{ domains { name } }` });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', messageZh: '无权', serviceName: 'units' });
  });

  it('reports /ready 503 naming the unreachable subgraph, while /health stays 200', async () => {
    const gateway = await startGateway({ subgraphUrls: everySubgraphAt(await closedPortUrl()) });
    expect((await getJson(`${gateway.url}health`)).status).toBe(200);
    const ready = await getJson(`${gateway.url}ready`);
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'not ready', reason: expect.stringContaining('units') });
  });
});

// ---- (c) limits ----

describe('request limits', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ env: { MAX_REQUEST_BYTES: '2048', MAX_QUERY_DEPTH: '5' } });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('refuses a query deeper than the maximum with QUERY_TOO_DEEP, before asking any subgraph', async () => {
    const before = t.platform.statements.units!.count;
    const response = await t.query(`{ viewer { unit { domain { leadUnit { domain { name } } } } } }`);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', depth: 6, max: 5 });
    expect(response.errors![0]!.extensions!.messageZh).toContain('5');
    expect(t.platform.statements.units!.count).toBe(before);
    const atTheLimit = await t.query(`{ viewer { unit { domain { leadUnit { name } } } } }`);
    expect(atTheLimit.errors).toBeUndefined();
  });

  it('is ready at the lowest depth a start accepts: the platform’s own directory query passes every slice', async () => {
    const response = await fetch(`${t.gatewayUrl}ready`);
    expect(response.status).toBe(200);
    const { checks } = (await response.json()) as { checks: Record<string, string> };
    for (const slice of ['units', 'issues', 'policies', 'evaluations']) expect(checks[slice], slice).toBe('ok');
    // Ask each slice's own /ready too: each reads the directory from units with its own query.
    for (const [name, service] of Object.entries(t.platform.subgraphs)) {
      const own = (await (await fetch(`${service.url}ready`)).json()) as { checks: Record<string, string> };
      if (name !== 'units') expect(own.checks.directory, name).toBe('ok');
    }
  });

  it('counts the depth of fragments too', async () => {
    const response = await t.query(/* GraphQL */ `
      query {
        viewer {
          ...Deep
        }
      }
      fragment Deep on Viewer {
        unit {
          domain {
            leadUnit {
              ... on Unit {
                parent {
                  name
                }
              }
            }
          }
        }
      }
    `);
    expect(response.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('refuses first: 1000 with PAGE_SIZE_TOO_LARGE, written literally, in a variable, nested or as a default', async () => {
    const cases: [string, Record<string, unknown>?][] = [
      [`{ units(first: 1000) { totalCount } }`],
      [`query($n: Int) { units(first: $n) { totalCount } }`, { n: 1000 }],
      [`query($n: Int = 1000) { units(first: $n) { totalCount } }`],
      [`{ unit(code: "COMMAND_OFFICE") { changes(first: 1000) { totalCount } } }`],
      [`query($n: Int) { enterprises(first: $n) { totalCount } }`, { n: 1000 }],
    ];
    for (const [document, variables] of cases) {
      const response = await t.query(document, { as: 'COMMAND_OFFICE', variables });
      expect(response.errors?.[0]?.extensions, document).toMatchObject({ code: 'PAGE_SIZE_TOO_LARGE', max: 100, requested: 1000 });
    }
  });

  it('refuses a request body over the maximum with HTTP 413 and REQUEST_TOO_LARGE, and keeps serving', async () => {
    const padding = '#'.repeat(3000);
    for (const url of [t.gatewayUrl, `${t.platform.subgraphs.units!.url}graphql`]) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ domains { code } }\n${padding}` }),
      });
      expect(response.status).toBe(413);
      const body = (await response.json()) as GraphQLResponse;
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'REQUEST_TOO_LARGE', messageZh: expect.stringContaining('2048') });
    }
    const after = await t.query(`{ domains { code } }`);
    expect(after.errors).toBeUndefined();
    expect(after.data.domains).toHaveLength(10);
  });

  it('refuses an oversized body sent in chunks without a declared length', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(t.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, body: text }));
      });
      request.on('error', reject);
      request.write(`{"query": "{ domains { code } }", "padding": "`);
      request.write('x'.repeat(3000));
      request.end('"}');
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).errors[0].extensions.code).toBe('REQUEST_TOO_LARGE');
  });

  it('answers an unknown or missing operation name with 400 OPERATION_RESOLUTION_FAILURE, as a subgraph does', async () => {
    const bodies = [
      { query: 'query Domains { domains { code } }', operationName: 'NoSuchOperation' },
      { query: 'query Domains { domains { code } } query Me { viewer { role } }' },
    ];
    for (const url of [t.gatewayUrl, `${t.platform.subgraphs.units!.url}graphql`]) {
      for (const body of bodies) {
        const response = await post<any>(url, body);
        expect(response.status, `${url} ${JSON.stringify(body)}`).toBe(400);
        expect(response.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
      }
    }
    const chosen = await post<any>(t.gatewayUrl, { ...bodies[1], operationName: 'Me' });
    expect(chosen).toEqual({ status: 200, data: { viewer: { role: 'ANONYMOUS' } } });
  });

  it('leaves introspection out of the depth limit', async () => {
    const response = await t.query(`{ __schema { queryType { fields { name type { kind ofType { kind ofType { name } } } } } } }`);
    expect(response.errors).toBeUndefined();
    expect(response.data.__schema.queryType.fields.map((field: { name: string }) => field.name)).toContain('units');
  });
});

// ---- (f) graceful shutdown ----

describe('graceful shutdown', () => {
  let t: TestPlatform;
  let release: () => void = () => {};
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    release();
    await t?.platform.stop().catch(() => {});
    await t?.database.drop();
  });

  /** Resolves once a new connection to the gateway is refused. */
  async function refusesNewConnections(url: string): Promise<void> {
    for (;;) {
      const refused = await new Promise<boolean>((resolve) => {
        const request = http.get(`${url}health`, { agent: false }, (response) => {
          response.resume();
          resolve(false);
        });
        request.on('error', () => resolve(true));
      });
      if (refused) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('lets a request in flight when stop() is called finish, and refuses new ones', async () => {
    const target = unitIdForCode('STATISTICS_BUREAU');
    const { db } = t.database.handle.forSubgraph('units');
    // Hold the unit's row so the update below has to wait inside the subgraph.
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const holder = db.transaction(async (tx) => {
      await tx.execute(sql`select id from units.units where id = ${target} for update`);
      locked();
      await released;
    });
    await lockTaken;

    const counter = t.platform.statements.units!;
    const before = counter.count;
    const inFlight = t.query(`mutation($id: ID!) { updateUnit(id: $id, input: { name: "市统计局（停机时修改）" }) { name version } }`, {
      as: 'COMMAND_OFFICE',
      variables: { id: target },
    });
    // The subgraph has started on it: the request is in flight through the gateway.
    while (counter.count === before) await new Promise((resolve) => setTimeout(resolve, 10));

    const stopped = t.platform.stop();
    await refusesNewConnections(t.gatewayUrl);
    release();
    await holder;

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.errors).toBeUndefined();
    expect(response.data.updateUnit).toEqual({ name: '市统计局（停机时修改）', version: 2 });
    await stopped;

    const rows = rowsOf<{ name: string }>(await db.execute(sql`select name from units.units where id = ${target}`));
    expect(rows[0]?.name).toBe('市统计局（停机时修改）');
  });
});

// ---- the real subgraphs together ----

describe('the units and issues subgraphs through the gateway', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('follows an issue to its responsible unit and domain, and a unit to its issues, in one request', async () => {
    const appeal = await t.query(
      /* GraphQL */ `
        mutation ($input: SubmitAppealInput!) {
          submitAppeal(input: $input) {
            id
          }
        }
      `,
      {
        as: { role: 'ENTERPRISE', enterprise: '91350100M000100Y43' },
        variables: {
          input: {
            clientRequestId: 'cross-1',
            kind: 'HELP',
            environment: 'SERVICE',
            title: '跨子图',
            description: '跨子图查询',
            districtCode: '370202',
          },
        },
      },
    );
    const id = appeal.data.submitAppeal.id;
    await t.query(`mutation($id: ID!) { acceptIssue(id: $id) { id } }`, { as: 'COMMAND_OFFICE', variables: { id } });
    await t.query(`mutation($id: ID!, $unitId: ID!) { assignIssue(id: $id, unitId: $unitId) { id } }`, {
      as: 'COMMAND_OFFICE',
      variables: { id, unitId: unitIdForCode('PUBLIC_SECURITY_BUREAU') },
    });
    const { data, errors } = await t.query(
      /* GraphQL */ `
        query ($id: ID!, $unit: ID!) {
          issue(id: $id) {
            status
            district {
              code
            }
            responsibleUnit {
              name
              kind
              domain {
                name
                leadUnit {
                  name
                }
              }
            }
          }
          unit(id: $unit) {
            name
            issues {
              totalCount
              edges {
                node {
                  id
                }
              }
            }
            issueStats {
              received
            }
          }
        }
      `,
      { as: 'COMMAND_OFFICE', variables: { id, unit: unitIdForCode('PUBLIC_SECURITY_BUREAU') } },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      issue: {
        status: 'ASSIGNED',
        district: { code: '370202' },
        responsibleUnit: { name: '市公安局', kind: 'RESPONSIBLE', domain: { name: '政法', leadUnit: { name: '市委政法委' } } },
      },
      unit: { name: '市公安局', issues: { totalCount: 1, edges: [{ node: { id } }] }, issueStats: { received: 1 } },
    });

    // The lead handler's name comes with the issue (@provides, from the issues subgraph's copy of
    // the directory): a list that shows it asks the units subgraph nothing; any other field of the
    // unit still comes from its owner.
    const units = t.platform.statements.units!;
    units.count = 0;
    const named = await t.query(`{ issues(first: 5) { edges { node { id responsibleUnit { id name } } } } }`, { as: 'COMMAND_OFFICE' });
    expect(named.errors).toBeUndefined();
    expect(named.data.issues.edges).toContainEqual({
      node: { id, responsibleUnit: { id: unitIdForCode('PUBLIC_SECURITY_BUREAU'), name: '市公安局' } },
    });
    expect(units.count).toBe(0);
    const more = await t.query(`query($id: ID!) { issue(id: $id) { responsibleUnit { name code } } }`, {
      as: 'COMMAND_OFFICE',
      variables: { id },
    });
    expect(more.data.issue.responsibleUnit).toEqual({ name: '市公安局', code: 'PUBLIC_SECURITY_BUREAU' });
    expect(units.count).toBeGreaterThan(0);
  });
});

describe('the issues subgraph down behind the real gateway', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ without: ['issues'] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('still answers the units part, with a coded error where the issue figures would be', async () => {
    const { status, data, errors } = await t.query(`{ units(first: 2) { edges { node { name issueStats { received } } } } }`, {
      as: 'COMMAND_OFFICE',
    });
    expect(status).toBe(200);
    expect(data.units.edges).toEqual([
      { node: { name: '市“深化作风能力优化营商环境”专项行动指挥部办公室', issueStats: null } },
      { node: { name: '市委政法委', issueStats: null } },
    ]);
    expect(errors?.map((e) => [e.extensions?.code, e.extensions?.serviceName])).toEqual([['SUBGRAPH_UNAVAILABLE', 'issues']]);
  });
});

describe('the policies subgraph stopped behind the real gateway (issue #20, finding 5c)', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform({ without: ['policies'] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers the command office’s board with every other slice’s part, and the policy figures as coded holes', async () => {
    const { status, data, errors } = await t.query(
      `query Board($dates: PeriodInput) {
        units(first: 2) { totalCount edges { node { code } } }
        policies(first: 2) { totalCount }
        issueStats(period: $dates) { received }
        board(period: "2026-H2") { unit { code issueStats(period: $dates) { received } policyStats(period: $dates) { approved } } score }
      }`,
      { as: 'COMMAND_OFFICE', variables: { dates: { from: '2026-07-01', to: '2026-12-31' } } },
    );
    expect(status).toBe(200);
    // Once `data: null`: the non-null root list of the stopped slice took the whole answer with it.
    expect(data).not.toBeNull();
    expect(data.units.totalCount).toBeGreaterThan(0);
    expect(data.units.edges).toHaveLength(2);
    expect(data.policies).toBeNull();
    expect(data.issueStats).toEqual({ received: 0 });
    expect(data.board.length).toBeGreaterThan(0);
    for (const row of data.board)
      expect(row.unit).toMatchObject({ code: expect.any(String), issueStats: { received: 0 }, policyStats: null });
    expect(errors?.length).toBeGreaterThan(0);
    for (const error of errors!) expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'policies' });
  });

  it('acknowledges a mutation of another slice sent beside one the stopped slice cannot take', async () => {
    const before = (await t.query(`{ issues { totalCount } }`, { as: 'COMMAND_OFFICE' })).data.issues.totalCount;
    const { data, errors } = await t.query(
      `mutation Both($i: ReportIssueInput!) { refused: startReview(id: "${unitIdForCode('COMMAND_OFFICE')}") { id } reported: reportIssue(input: $i) { id } }`,
      {
        as: 'COMMAND_OFFICE',
        variables: {
          i: {
            clientRequestId: 'beside-a-stopped-slice',
            source: 'SURVEY',
            environment: 'SERVICE',
            title: '停机时报送',
            description: '说明',
            districtCode: '370202',
          },
        },
      },
    );
    // Once `data: null` although the issue was written: the caller could not know it was.
    expect(data?.refused).toBeNull();
    expect(data?.reported?.id).toEqual(expect.any(String));
    expect(errors?.map((error) => [error.extensions?.code, error.extensions?.serviceName])).toEqual([['SUBGRAPH_UNAVAILABLE', 'policies']]);
    expect((await t.query(`{ issues { totalCount } }`, { as: 'COMMAND_OFFICE' })).data.issues.totalCount).toBe(before + 1);
  });
});
