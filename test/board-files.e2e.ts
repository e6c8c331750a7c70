/**
 * The board as a person reads it (issue #21 items 8–10), through the gateway on real PostgreSQL:
 * rows in a meaningful order (`orderBy`), the current half year by default; files whose headers say
 * what they count, with the period, the time they were made and each rate's definition, rates as
 * percentages; short-lived signed links that open a file in a browser without an Authorization
 * header (bound to the caller, the period and the format, no bearer token); the .xlsx's score chart
 * drawn with data bars; and `/reports/board`, the printable HTML board, in a real Chromium
 * (screenshot, print, nothing from elsewhere) — opened from the explorer's button too.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { gatewayExamples } from '../gateway/examples.ts';
import { createDownloadLinks } from '../platform/download-links.ts';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { createExplorerHandler } from '../platform/explorer/index.ts';
import { launchBrowser, skipWithoutBrowser } from './support/browser.ts';
import { TestClock } from './support/clock.ts';
import { evalCallers as who } from './support/evaluations.ts';
import { appealAt, callers, mutations } from './support/issues.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

const skipBrowser = skipWithoutBrowser('the printable board and the explorer’s download buttons');
const clock = new TestClock('2026-12-07T10:00:00+08:00');
const H2 = '2026-H2';
const H2_DATES = { from: '2026-07-01', to: '2026-12-31' };
let t: TestPlatform;
let browser: Browser | undefined;

async function ok(document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await t.query(document, { as, variables });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

/** Units given an economic-operation value: ties on purpose (equal scores order by domain, then name). */
const VALUES: Record<string, number> = {
  PUBLIC_SECURITY_BUREAU: 120,
  TAXATION_BUREAU: 120,
  MARKET_REGULATION_BUREAU: 100,
  ADMINISTRATIVE_APPROVAL_BUREAU: 100,
  INTERMEDIATE_PEOPLES_COURT: 100,
  JUSTICE_BUREAU: 100,
  EDUCATION_BUREAU: 80,
  SHINAN_DISTRICT: 90,
};

const BOARD = /* GraphQL */ `
  query Board($p: String, $o: BoardOrder, $dates: PeriodInput!) {
    board(period: $p, orderBy: $o) {
      rank
      score
      grade
      preview
      reviews
      reportPunctuality
      reviewSatisfactionRate
      unit {
        id
        code
        name
        issueStats(period: $dates) {
          received
          closed
          satisfactionRate
          onTimeResolutionRate
        }
      }
      domain {
        code
        name
      }
    }
  }
`;
const LINK = /* GraphQL */ `
  mutation Link($p: String, $f: BoardFileFormat!) {
    boardDownloadLink(period: $p, format: $f) {
      url
      path
      period
      format
      expiresAt
    }
  }
`;

let domains: { code: string; name: string }[];
let board: any[];

beforeAll(async () => {
  t = await startTestPlatform({
    now: clock.now,
    env: { DIRECTORY_TTL_MS: '0' },
    explorer: skipBrowser
      ? undefined
      : ({ title, examples, sameOriginDownloads }) =>
          createExplorerHandler({
            title,
            endpoint: '/graphql',
            examples,
            defaultHeaders: { Authorization: 'Bearer <token>' },
            sameOriginDownloads,
          }),
  });
  domains = (await ok(`{ domains { code name } }`, who.office)).domains;
  await ok(`mutation($input: CreateEvaluationInput!) { createEvaluation(input: $input) { id } }`, who.office, {
    input: {
      period: H2,
      indicators: [{ code: 'ECON', name: '经济运行', kind: 'ECONOMIC_OPERATION', weight: 100, measure: '增长指数' }],
      gradingMethod: 'THRESHOLDS',
      gradeCutoffs: [90, 75, 60],
    },
  });
  await ok(`mutation($input: IndicatorImportInput!) { importIndicatorValues(input: $input) { value } }`, who.office, {
    input: {
      period: H2,
      indicator: 'ECON',
      source: '市统计局',
      rows: Object.entries(VALUES).map(([code, value]) => ({ unitId: unitIdForCode(code), value })),
    },
  });
  // Issues rated in two domains: 市场监管 satisfied once of twice, 行政审批 once of once; both resolved on time.
  const rated = async (unitCode: string, staff: Caller, rating: string) => {
    const issue = await appealAt(t, 'RESOLVED', { unitCode, staff });
    const answer = await mutations.rate(t, callers.enterpriseA, issue.id, rating, true);
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  };
  await rated('MARKET_REGULATION_BUREAU', callers.marketStaff, 'SATISFIED');
  await rated('MARKET_REGULATION_BUREAU', callers.marketStaff, 'UNSATISFIED');
  await rated('ADMINISTRATIVE_APPROVAL_BUREAU', callers.approvalStaff, 'SATISFIED');
  board = (await ok(BOARD, who.office, { p: H2, dates: H2_DATES })).board;
  if (!skipBrowser) browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

const collator = new Intl.Collator('zh-Hans-CN');
const domainPosition = (row: any) => (row.domain ? domains.findIndex((d) => d.code === row.domain.code) : domains.length);
const score = (row: any) => (row.score === null || row.score === undefined ? -Infinity : row.score);
const byName = (a: any, b: any) => collator.compare(a.unit.name, b.unit.name);
const byScore = (a: any, b: any) =>
  (score(b) === score(a) ? 0 : score(b) - score(a)) || domainPosition(a) - domainPosition(b) || byName(a, b);
const byDomain = (a: any, b: any) =>
  domainPosition(a) - domainPosition(b) || (score(b) === score(a) ? 0 : score(b) - score(a)) || byName(a, b);
const codes = (rows: any[]) => rows.map((r) => r.unit.code);

/** RFC 4180, as Excel writes and reads it. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const get = async (where: string, as?: Caller, headers: Record<string, string> = {}) => {
  const token = as ? await t.tokenFor(as) : undefined;
  return fetch(new URL(where, t.gatewayUrl), { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
};
const errorCode = async (response: Response) => ((await response.json()) as any).errors[0].extensions.code;
const link = async (format: 'CSV' | 'XLSX' | 'HTML', as: Caller = who.office, period?: string) =>
  (await ok(LINK, as, { f: format, p: period })).boardDownloadLink;

describe('the board, in order (#21 item 8)', () => {
  it('lists units by score, highest first, then by domain in the plan’s order and by name, ranking equal scores equal', () => {
    expect(codes(board)).toEqual(codes([...board].sort(byScore)));
    expect(board.slice(0, 2).map((r) => r.unit.code)).toEqual(
      ['PUBLIC_SECURITY_BUREAU', 'TAXATION_BUREAU'].sort(
        (a, b) => domainPosition(board.find((r) => r.unit.code === a)) - domainPosition(board.find((r) => r.unit.code === b)),
      ),
    );
    for (const row of board) {
      if (row.score === null) expect(row.rank).toBeNull();
      else expect(row.rank).toBe(1 + board.filter((other) => other.score !== null && other.score > row.score).length);
    }
  });

  it('takes an orderBy: by domain, then score and name; by name', async () => {
    const byDomainRows = (await ok(BOARD, who.office, { p: H2, o: 'DOMAIN', dates: H2_DATES })).board;
    expect(codes(byDomainRows)).toEqual(codes([...board].sort(byDomain)));
    const byNameRows = (await ok(BOARD, who.office, { p: H2, o: 'NAME', dates: H2_DATES })).board;
    expect(codes(byNameRows)).toEqual(codes([...board].sort(byName)));
    expect(codes(byNameRows)).not.toEqual(codes(board));
  });

  it('is the current half year when no period is named', async () => {
    expect(codes((await ok(BOARD, who.office, { dates: H2_DATES })).board)).toEqual(codes(board));
    const response = await get('/exports/board.csv', who.office);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`board-${H2}.csv`);
  });
});

describe('the files (#21 items 8 and 10)', () => {
  it('writes the CSV with a header block (period, time made, each rate’s definition), headers that say what they count and rates as percentages', async () => {
    const response = await get(`/exports/board.csv?period=${H2}`, who.office);
    expect(response.status).toBe(200);
    const text = (await response.text()).replace(/^\uFEFF/, '');
    const lines = parseCsv(text);
    const block = lines.slice(
      0,
      lines.findIndex((line) => line[0] === '排名' && line[1] === '单位代码'),
    );
    const blockText = block.map((line) => line.join(' ')).join('\n');
    expect(blockText).toContain(H2);
    expect(blockText).toContain('2026-07-01');
    expect(blockText).toContain('2026-12-31');
    expect(blockText).toContain('2026-12-07 10:00');
    expect(blockText).toMatch(/按期办结率.*÷/);
    expect(blockText).toMatch(/问题满意率.*÷/);
    expect(blockText).toMatch(/好差评满意率.*÷/);
    expect(blockText).toMatch(/季度报告按时率.*÷/);
    const header = lines[block.length]!;
    const rows = lines.slice(block.length + 1);
    expect(header).toContain('收到问题数');
    expect(header).toContain('已销号问题数');
    expect(header).not.toContain('受理问题数');
    expect(header).not.toContain('办结问题数');
    expect(rows).toHaveLength(board.length);
    expect(rows.map((r) => r[header.indexOf('单位代码')])).toEqual(codes(board));
    const column = (row: string[], name: string) => row[header.indexOf(name)];
    const market = rows.find((r) => column(r, '单位代码') === 'MARKET_REGULATION_BUREAU')!;
    expect(column(market, '问题满意率')).toBe('50.0%');
    expect(column(market, '按期办结率')).toBe('100.0%');
    expect(column(market, '收到问题数')).toBe('2');
    const rates = header.filter((name) => name.endsWith('率'));
    expect(rates.length).toBeGreaterThanOrEqual(5);
    for (const row of rows) for (const name of rates) expect(column(row, name)).toMatch(/^(\d{1,3}\.\d%)?$/);
  });

  it('writes the .xlsx with a first sheet of notes, the board with % formats, and a score chart of each domain’s units drawn as data bars', async () => {
    const response = await get(`/exports/board.xlsx?period=${H2}`, who.office);
    expect(response.status).toBe(200);
    const bytes = Buffer.from(await response.arrayBuffer());
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as any);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['说明', '看板', '得分图']);

    const notes = workbook.worksheets[0]!;
    const noteText = notes
      .getSheetValues()
      .flat()
      .filter((v) => typeof v === 'string')
      .join('\n');
    expect(noteText).toContain(H2);
    expect(noteText).toContain('2026-12-07 10:00');
    expect(noteText).toMatch(/按期办结率/);
    expect(noteText).toMatch(/RESOLUTION deadlines/);

    const sheet = workbook.getWorksheet('看板')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1) as string[];
    const col = (name: string) => headers.indexOf(name) + 1;
    expect(headers).toContain('已销号问题数');
    expect(sheet.rowCount).toBe(board.length + 1);
    const sheetCodes: string[] = [];
    sheet.eachRow((row, index) => {
      if (index > 1) sheetCodes.push(String(row.getCell(col('单位代码')).value));
    });
    expect(sheetCodes).toEqual(codes(board));
    const marketRow = sheet.getRow(2 + board.findIndex((r) => r.unit.code === 'MARKET_REGULATION_BUREAU'));
    expect(marketRow.getCell(col('问题满意率')).value).toBe(0.5);
    for (const name of headers.filter((h) => h.endsWith('率'))) expect(marketRow.getCell(col(name)).numFmt).toBe('0.0%');

    const chart = workbook.getWorksheet('得分图')!;
    const cells = (chart.getSheetValues() as unknown[][]).map((row) => (row ?? []).slice(1));
    // Every domain, in the plan's order, heads its units with their scores, highest first.
    let at = 0;
    const scoreCells: string[] = [];
    for (const domain of domains) {
      const heading = cells.findIndex((row, index) => index > at && row[0] === domain.name);
      expect(heading, domain.name).toBeGreaterThan(at);
      const units = board.filter((r) => r.domain?.code === domain.code).sort(byScore);
      units.forEach((unit, offset) => {
        const row = cells[heading + 1 + offset]!;
        expect(row[0]).toBe(unit.unit.name);
        expect(row[1] ?? null).toBe(unit.score);
        scoreCells.push(`B${heading + 1 + offset}`);
      });
      at = heading + units.length;
    }
    // exceljs reads the rules back from the sheet's XML (<dataBar>), though its types do not declare them.
    const formats = (chart as unknown as { conditionalFormattings: { ref: string; rules: any[] }[] }).conditionalFormattings;
    const rules = formats.flatMap((f) => f.rules.map((rule) => ({ ref: f.ref, rule })));
    const bars = rules.filter((r) => r.rule.type === 'dataBar');
    expect(bars.length).toBeGreaterThan(0);
    for (const bar of bars)
      expect(bar.rule.cfvo).toEqual([
        { type: 'num', value: 0 },
        { type: 'num', value: 100 },
      ]);
    const covered = bars.flatMap((bar) => bar.ref.split(' '));
    for (const cell of scoreCells)
      expect(
        covered.some((range) => inRange(cell, range)),
        cell,
      ).toBe(true);
  });
});

function inRange(cell: string, range: string): boolean {
  const [from, to = from] = range.split(':');
  const parse = (ref: string) => ({ col: ref.replace(/\d+/, ''), row: Number(ref.replace(/\D+/, '')) });
  const c = parse(cell);
  const a = parse(from!);
  const b = parse(to!);
  return c.col >= a.col && c.col <= b.col && c.row >= a.row && c.row <= b.row;
}

describe('signed download links (#21 item 9)', () => {
  it('gives the command office a link that opens the file without an Authorization header, for a few minutes', async () => {
    const csv = await link('CSV');
    expect(csv).toMatchObject({ period: H2, format: 'CSV' });
    expect(csv.path).toMatch(/^\/exports\/board\.csv\?period=2026-H2&link=[\w.-]+$/);
    expect(csv.url).toBe(`http://localhost:4000${csv.path}`);
    expect(new Date(csv.expiresAt).getTime()).toBe(clock.now().getTime() + 300_000);
    const opened = await get(csv.path);
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toContain('text/csv');
    const withHeader = await get(`/exports/board.csv?period=${H2}`, who.office);
    expect(await opened.text()).toBe(await withHeader.text());
    for (const format of ['XLSX', 'HTML'] as const) {
      const other = await link(format);
      const response = await get(other.path);
      expect(response.status, other.path).toBe(200);
    }
    const before = clock.now();
    try {
      clock.advance(301_000);
      const expired = await get(csv.path);
      expect(expired.status).toBe(401);
      const body = (await expired.json()) as any;
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(body.errors[0].message).toContain('过期');
    } finally {
      clock.set(before);
    }
  });

  it('opens only the file it was made for: its format, its period, untampered, as the person it names', async () => {
    const csv = await link('CSV');
    const token = new URL(csv.path, t.gatewayUrl).searchParams.get('link')!;
    expect((await get(`/exports/board.xlsx?period=${H2}&link=${token}`)).status).toBe(401);
    expect((await get(`/reports/board?period=${H2}&link=${token}`)).status).toBe(401);
    expect((await get(`/exports/board.csv?period=2026-H1&link=${token}`)).status).toBe(401);
    const tampered = token.slice(0, -6) + (token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
    expect(await errorCode(await get(`/exports/board.csv?period=${H2}&link=${tampered}`))).toBe('UNAUTHENTICATED');
    const earlier = await link('CSV', who.office, '2026-H1');
    expect(earlier.path).toContain('period=2026-H1');
    expect((await get(earlier.path)).status).toBe(200);
    // A link whose named person is not the token inside it (made here with the platform's key).
    const forged = await createDownloadLinks({ secret: DEVELOPMENT_JWT_SECRET, ttlSeconds: 300 }).issue(
      {
        resource: 'board',
        period: H2,
        format: 'csv',
        authorization: `Bearer ${await t.tokenFor(who.office)}`,
        person: { issuer: '', role: 'COMMAND_OFFICE', subject: 'somebody-else' },
      },
      clock.now(),
    );
    expect((await get(`/exports/board.csv?period=${H2}&link=${forged.token}`)).status).toBe(401);
  });

  it('is no bearer token for GraphQL', async () => {
    const token = new URL((await link('CSV')).path, t.gatewayUrl).searchParams.get('link')!;
    const asBearer = await t.query(`{ board { score } }`, { as: { token } });
    expect(asBearer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const direct = await t.querySubgraph('evaluations', `{ board { score } }`, { as: { token } });
    expect(direct.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('is refused by the evaluations slice’s rule for the board: a unit FORBIDDEN, the public UNAUTHENTICATED', async () => {
    for (const [caller, code] of [
      [who.policeAdmin, 'FORBIDDEN'],
      [who.enterprise, 'FORBIDDEN'],
      [who.anonymous, 'UNAUTHENTICATED'],
    ] as const) {
      const response = await t.query(LINK, { as: caller, variables: { f: 'CSV' } });
      expect(response.errors?.[0]?.extensions?.code).toBe(code);
      expect(response.data?.boardDownloadLink ?? null).toBeNull();
    }
    expect((await t.query(LINK, { as: who.office, variables: { f: 'CSV', p: '2026-H3' } })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'period',
    });
    const direct = await t.querySubgraph('evaluations', LINK, { as: who.office, variables: { f: 'XLSX' } });
    expect(direct.data.boardDownloadLink.path).toMatch(/^\/exports\/board\.xlsx\?period=2026-H2&link=/);
  });

  it('tells a browser without credentials, in a page, how to get a link', async () => {
    const response = await get(`/exports/board.csv?period=${H2}`, undefined, { accept: 'text/html,application/xhtml+xml' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('boardDownloadLink');
    expect(await errorCode(await get(`/exports/board.csv?period=${H2}`))).toBe('UNAUTHENTICATED');
  });
});

describe('the printable board (#21 item 10)', () => {
  it('serves /reports/board as one self-contained page: ranking table, SVG chart, bilingual, same-origin policy', async () => {
    const response = await get((await link('HTML')).path);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/https?:|\*|unsafe/);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await response.text();
    // Nothing to fetch: no script, no source or link but the blank icon.
    expect(html).not.toMatch(/<script|(src|href)="(?!data:,")/);
    expect(html).toContain('<svg');
    expect(html).toContain('@media print');
    for (const words of ['按期办结率', 'On-time resolution', '满意率', 'Satisfaction', '排名', 'Rank', H2, '2026-12-07 10:00'])
      expect(html).toContain(words);
    expect(html.match(/<tr class="unit"/g)).toHaveLength(board.length);
  });

  it.skipIf(skipBrowser)(
    'renders in Chromium: bars to scale per domain, the table in the board’s order, nothing loaded from elsewhere, printable (screenshot)',
    async () => {
      const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        const requested: string[] = [];
        const problems: string[] = [];
        page.on('request', (request) => requested.push(request.url()));
        page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
        page.on('pageerror', (error) => problems.push(error.message));
        const { path: where } = await link('HTML');
        const origin = `http://127.0.0.1:${t.platform.gateway.port}`;
        await page.goto(origin + where, { waitUntil: 'load' });
        expect(await page.title()).toContain(H2);
        expect(requested).toEqual([origin + where]);
        expect(problems).toEqual([]);

        // The table, as rendered, in the board's order.
        expect(await page.locator('tr.unit td.code').allInnerTexts()).toEqual(codes(board));

        // The chart's bars, measured on screen: each domain's on-time and satisfaction rate, to scale.
        const bars = await page.locator('svg rect.bar').evaluateAll((rects) =>
          rects.map((rect) => ({
            domain: rect.getAttribute('data-domain'),
            kind: rect.getAttribute('data-kind'),
            height: rect.getBoundingClientRect().height,
          })),
        );
        const full = await page.locator('svg rect.scale').evaluate((rect) => rect.getBoundingClientRect().height);
        expect(full).toBeGreaterThan(100);
        const stats = (
          await ok(
            `query($d: PeriodInput!) { domains { code issueStats(period: $d) { onTimeResolutionRate satisfactionRate } } }`,
            who.office,
            { d: H2_DATES },
          )
        ).domains;
        for (const domain of stats) {
          for (const [kind, rate] of [
            ['onTime', domain.issueStats.onTimeResolutionRate],
            ['satisfaction', domain.issueStats.satisfactionRate],
          ] as const) {
            const bar = bars.find((b) => b.domain === domain.code && b.kind === kind);
            if (rate === null) expect(bar, `${domain.code} ${kind}`).toBeUndefined();
            else expect(bar!.height / full, `${domain.code} ${kind}`).toBeCloseTo(rate, 2);
          }
        }
        expect(bars.find((b) => b.domain === 'MARKET_REGULATION' && b.kind === 'satisfaction')!.height / full).toBeCloseTo(0.5, 2);

        const screenshot = await page.screenshot({ fullPage: true });
        expect([...screenshot.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
        const out = path.join('.build', 'screenshots');
        fs.mkdirSync(out, { recursive: true });
        fs.writeFileSync(path.join(out, 'board-report.png'), screenshot);

        // Printed: the screen-only hint goes, the table keeps its header on every page, and a PDF comes out.
        await page.emulateMedia({ media: 'print' });
        expect(await page.locator('.screen-only').first().isVisible()).toBe(false);
        expect(
          await page
            .locator('thead')
            .first()
            .evaluate((el) => getComputedStyle(el).display),
        ).toBe('table-header-group');
        const pdf = await page.pdf({ format: 'A4', landscape: true, printBackground: true });
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        fs.writeFileSync(path.join(out, 'board-report.pdf'), pdf);
      } finally {
        await context.close();
      }
    },
  );

  it.skipIf(skipBrowser)('offers buttons in the gateway explorer’s example that open the files and the report', async () => {
    const example = gatewayExamples.find((e) => e.query.includes('boardDownloadLink'));
    expect(example).toBeDefined();
    const context = await browser!.newContext({ viewport: { width: 1400, height: 1200 } });
    try {
      const page = await context.newPage();
      const origin = `http://127.0.0.1:${t.platform.gateway.port}`;
      await page.goto(origin, { waitUntil: 'load' });
      // GraphiQL has opened its tabs and its editor once the first example shows.
      await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'CommandOfficeOverview' }).waitFor();
      const index = gatewayExamples.indexOf(example!);
      await page.locator('.graphiql-tab-button').nth(index).click();
      await page.locator('.graphiql-tab-active').filter({ hasText: 'BoardFiles' }).waitFor();
      // The editor shows the tab's operation a moment after the tab is active; running before that runs the previous one.
      await page.locator('.graphiql-query-editor .view-lines').filter({ hasText: 'boardDownloadLink' }).waitFor();
      const headers = '.graphiql-editor-tool .graphiql-editor:visible';
      await page.locator(`${headers} .view-lines`).first().click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.press('Backspace');
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${await t.tokenFor(who.office)}` }));
      await page.locator('.graphiql-execute-button').click();
      const answer = () => page.locator('.graphiql-response .view-lines').first().innerText();
      await expect.poll(answer, { timeout: 15_000 }).toContain('expiresAt');
      const report = page.locator('a.download-link[data-format="HTML"]');
      await report.waitFor({ timeout: 15_000 });
      expect(await page.locator('a.download-link').count()).toBe(3);
      const [opened] = await Promise.all([context.waitForEvent('page'), report.click()]);
      await opened.waitForLoadState('load');
      expect(await opened.locator('tr.unit').count()).toBe(board.length);
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a.download-link[data-format="CSV"]').click()]);
      expect(download.suggestedFilename()).toBe(`营商环境看板-${H2}.csv`);
    } finally {
      await context.close();
    }
  });
});
