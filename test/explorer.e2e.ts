/**
 * The offline explorer, on the real platform, in a real browser (Debian's chromium): the gateway's
 * page runs its examples against real data with a token typed into the headers editor, loads
 * nothing from outside its own origin, and every subgraph serves its own explorer too.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayExamples } from '../gateway/examples.ts';
import { createExplorerHandler } from '../platform/explorer/index.ts';
import { unitsExamples } from '../subgraphs/units/examples.ts';
import { launchBrowser, skipWithoutBrowser } from './support/browser.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const skip = skipWithoutBrowser('the explorer');

// What `npm start` (bin/start.ts) puts into the headers editor.
const HEADER_TEMPLATE = { Authorization: 'Bearer <粘贴 npm run token 生成的令牌 / paste a token from npm run token>' };

const operationName = (query: string) =>
  parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)?.name?.value ?? '';

interface OpenedPage {
  context: BrowserContext;
  page: Page;
  origin: string;
  requested: string[];
  consoleErrors: string[];
}

let t: TestPlatform;
let browser: Browser;

beforeAll(async () => {
  if (skip) return;
  t = await startTestPlatform({
    explorer: ({ title, examples }) => createExplorerHandler({ title, endpoint: '/graphql', examples, defaultHeaders: HEADER_TEMPLATE }),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

/** Opens an explorer in its own browser context, recording every request it makes (workers included). */
async function openExplorer(origin: string, firstOperation: string): Promise<OpenedPage> {
  // Tall enough that Monaco renders every line of a long answer, so the test can read it.
  const context = await browser.newContext({ viewport: { width: 1400, height: 16_000 } });
  const requested: string[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (request) => requested.push(request.url()));
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(origin, { waitUntil: 'load' });
  await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: firstOperation }).waitFor();
  return { context, page, origin, requested, consoleErrors };
}

// Monaco renders spaces as no-break spaces.
const editorText = async (page: Page, selector: string) =>
  (await page.locator(`${selector} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');
const responseText = (page: Page) => editorText(page, '.graphiql-response');
const headersEditor = '.graphiql-editor-tool .graphiql-editor:visible';

/** Replaces the whole text of a Monaco editor. insertText, not type(): Monaco would auto-close quotes and braces. */
async function replaceEditorText(page: Page, selector: string, text: string) {
  await page.locator(`${selector} .view-lines`).first().click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(text);
}

async function run(page: Page) {
  await page.locator('.graphiql-execute-button').click();
}

describe.skipIf(skip)('the gateway’s explorer', () => {
  let opened: OpenedPage;
  let origin: string;

  beforeAll(async () => {
    origin = `http://127.0.0.1:${t.platform.gateway.port}`;
    opened = await openExplorer(origin, operationName(gatewayExamples[0]!.query));
  });
  afterAll(async () => {
    await opened?.context.close();
  });

  it('serves the page under a Content-Security-Policy that only allows its own origin', async () => {
    const response = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await response.text();
    expect(html).toContain('<script id="explorer-config" type="application/json">');
    expect(html).not.toMatch(/(src|href)="(?!\/explorer\/|data:)/);
  });

  it('serves its assets compressed and cacheable for good', async () => {
    const html = await (await fetch(`${origin}/`, { headers: { accept: 'text/html' } })).text();
    const script = /src="(\/explorer\/explorer-\w+\.js)"/.exec(html)![1]!;
    const response = await fetch(origin + script, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(response.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${origin}/explorer/missing-OLDHASH.js`)).status).toBe(404);
  });

  it('leaves GraphQL requests on the same paths to the gateway', async () => {
    for (const path of ['/', '/graphql']) {
      const response = await fetch(origin + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ domain(code: "POLITICS_LAW") { leadUnit { name } } }' }),
      });
      expect(await response.json()).toEqual({ data: { domain: { leadUnit: { name: '市委政法委' } } } });
    }
  });

  it('opens every example in its own tab, with the header template in the visible headers editor', async () => {
    const { page } = opened;
    expect(await page.locator('.graphiql-tab').allInnerTexts()).toEqual(
      gatewayExamples.map((example) => expect.stringContaining(operationName(example.query))),
    );
    expect(await editorText(page, '.graphiql-query-editor')).toContain(gatewayExamples[0]!.name);
    expect(await editorText(page, headersEditor)).toContain('Authorization');
  });

  it('runs the first example with a command-office token typed into the headers editor and shows real data', async () => {
    const { page } = opened;
    const token = await t.tokenFor('COMMAND_OFFICE');
    await replaceEditorText(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${token}` }));
    await run(page);
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('市委政法委');
    const answer = await responseText(page);
    expect(answer).toContain('"data"');
    expect(answer).not.toContain('"errors"');
  });

  it('leaves the unfilled token placeholder out of the request, so the caller is anonymous', async () => {
    const { page } = opened;
    await page.locator('.graphiql-tab-button').last().click();
    // The editors show the clicked tab's text a moment later: on a loaded machine the first read may still be the last tab's.
    await expect.poll(() => editorText(page, headersEditor), { timeout: 15_000 }).toContain('<');
    await replaceEditorText(page, '.graphiql-query-editor', 'query WhoAmI { viewer { role subject } }');
    // GraphiQL picks up the new operation name a moment later; running before that sends the old one.
    await page.locator('.graphiql-tab-active').filter({ hasText: 'WhoAmI' }).waitFor();
    await run(page);
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('"role": "ANONYMOUS"');
  });

  it('sends the token typed into the headers editor, which the gateway and the subgraph both accept', async () => {
    const { page } = opened;
    const token = await t.tokenFor({ role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU', subject: 'explorer-user' });
    await replaceEditorText(page, headersEditor, JSON.stringify({ Authorization: `Bearer ${token}` }));
    await run(page);
    await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('"subject": "explorer-user"');
    expect(await responseText(page)).toContain('"role": "UNIT_ADMIN"');
  });

  it('loads every script, style, font and worker from its own origin, within its CSP', () => {
    const { requested, consoleErrors } = opened;
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(consoleErrors).toEqual([]);
    // Monaco quietly falls back to its main thread when a worker fails: check they really ran.
    expect(requested.some((url) => /\/explorer\/graphql\.worker-\w+\.js$/.test(url))).toBe(true);
  });
});

describe.skipIf(skip)('a subgraph’s own explorer', () => {
  it('loads the units subgraph’s page with its examples and runs one against the subgraph', async () => {
    const origin = `http://127.0.0.1:${t.platform.subgraphs.units!.port}`;
    const opened = await openExplorer(origin, operationName(unitsExamples[0]!.query));
    try {
      const { page, requested, consoleErrors } = opened;
      expect(await page.title()).toContain('units');
      expect(await page.locator('.graphiql-tab').allInnerTexts()).toEqual(
        unitsExamples.map((example) => expect.stringContaining(operationName(example.query))),
      );
      await run(page);
      await expect.poll(() => responseText(page), { timeout: 15_000 }).toContain('市委政法委');
      expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
      expect(requested).toContain(`${origin}/graphql`);
      expect(consoleErrors).toEqual([]);
    } finally {
      await opened.context.close();
    }
  });
});
