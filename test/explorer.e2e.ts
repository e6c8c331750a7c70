import { ApolloServer, HeaderMap } from '@apollo/server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExplorerHandler } from '../subgraphs/shared/explorer/index.ts';

interface Context {
  authorization?: string;
}

const typeDefs = `#graphql
  type Query {
    "Echoes the Authorization header, so the test can see what the explorer sent."
    whoAmI: String!
    hello: String!
  }
`;
const resolvers = {
  Query: {
    whoAmI: (_: unknown, __: unknown, context: Context) => `authorization=${context.authorization ?? 'none'}`,
    hello: () => '你好，青岛',
  },
};

const examples = [
  {
    name: '市指挥部办公室：跨单位查询 / Command office',
    description: '谁在调用 / who is calling',
    query: 'query CommandOffice {\n  whoAmI\n}',
  },
  { name: '牵头单位：本单位 / Bureau', description: '问候 / greeting', query: 'query Bureau {\n  hello\n}' },
];

// The small glue a real server would get from an integration package: node:http ↔ Apollo Server.
async function handleGraphQL(apollo: ApolloServer<Context>, req: IncomingMessage, res: ServerResponse) {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  const result = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: {
      method: req.method ?? 'GET',
      headers,
      search: new URL(req.url ?? '/', 'http://localhost').search,
      body: raw && headers.get('content-type')?.includes('json') ? JSON.parse(raw) : raw,
    },
    context: async () => ({ authorization: req.headers.authorization }),
  });
  res.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) res.setHeader(name, value);
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
  } else {
    for await (const chunk of result.body.asyncIterator) res.write(chunk);
    res.end();
  }
}

describe('GraphQL explorer', () => {
  let apollo: ApolloServer<Context>;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  // Monaco renders spaces as no-break spaces.
  const editorText = async (selector: string) =>
    (await page.locator(`${selector} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');
  const responseText = () => editorText('.graphiql-response');

  beforeAll(async () => {
    apollo = new ApolloServer<Context>({ typeDefs, resolvers });
    await apollo.start();
    const explorer = await createExplorerHandler({
      title: '青岛营商环境 GraphQL 浏览器 / explorer',
      endpoint: '/',
      examples,
      defaultHeaders: { Authorization: 'Bearer <粘贴令牌 / paste a token from npm run token>' },
    });
    server = createServer((req, res) => {
      if (explorer(req, res)) return;
      handleGraphQL(apollo, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const context = await browser.newContext();
    // Context-wide, so requests made by the Monaco workers are recorded too.
    context.on('request', (request) => requested.push(request.url()));
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(origin, { waitUntil: 'load' });
    await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'CommandOffice' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await apollo?.stop();
  });

  it('serves the page under a Content-Security-Policy that only allows its own origin', async () => {
    const response = await fetch(origin, { headers: { accept: 'text/html' } });
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await response.text();
    expect(html).toContain('<script id="explorer-config" type="application/json">');
    expect(html).not.toMatch(/(src|href)="(?!\/explorer\/|data:)/);
  });

  it('serves its assets compressed and cacheable for good', async () => {
    const html = await (await fetch(origin, { headers: { accept: 'text/html' } })).text();
    const script = /src="(\/explorer\/explorer-\w+\.js)"/.exec(html)![1]!;
    const response = await fetch(origin + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${origin}/explorer/missing-OLDHASH.js`)).status).toBe(404);
  });

  it('leaves requests that are not for the explorer to the GraphQL server', async () => {
    const response = await fetch(origin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hello }' }),
    });
    expect(await response.json()).toEqual({ data: { hello: '你好，青岛' } });
  });

  it('opens every example in its own tab, with the header template in the visible headers editor', async () => {
    expect(await page.locator('.graphiql-tab').allInnerTexts()).toEqual([
      expect.stringContaining('CommandOffice'),
      expect.stringContaining('Bureau'),
    ]);
    expect(await editorText('.graphiql-query-editor')).toContain('市指挥部办公室：跨单位查询 / Command office');
    expect(await editorText('.graphiql-editor-tool .graphiql-editor:visible')).toContain('Authorization');
  });

  it('leaves the unfilled token placeholder out of the request', async () => {
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(responseText, { timeout: 15_000 }).toContain('authorization=none');
  });

  it('sends the Authorization header typed into the headers editor and shows the answer', async () => {
    await page.locator('.graphiql-editor-tool .graphiql-editor:visible .view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Backspace');
    // insertText, not type(): Monaco would auto-close the typed quotes and braces.
    await page.keyboard.insertText('{"Authorization": "Bearer test-token-42"}');
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(responseText, { timeout: 15_000 }).toContain('authorization=Bearer test-token-42');
  });

  it('loads every script, style, font and worker from its own origin, within its CSP', async () => {
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // Monaco quietly falls back to its main thread when a worker fails: check they really ran.
    expect(requested.some((url) => /\/explorer\/graphql\.worker-\w+\.js$/.test(url))).toBe(true);
  });
});
