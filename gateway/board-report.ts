/**
 * The board as a printable web page (`/reports/board`): the ranking table and an SVG chart of each
 * domain's on-time resolution and satisfaction rates, server-rendered, in Chinese and English. One
 * self-contained document — no script, no external asset; its one style sheet is allowed by its
 * hash in the Content-Security-Policy, the chart is inline SVG drawn with presentation attributes
 * (a `style` attribute would need 'unsafe-inline'). Printed, it is A4 landscape with the table's
 * header on every page.
 */
import { createHash } from 'node:crypto';
import {
  aboutLines,
  beijingTime,
  BOARD_COLUMNS,
  GRADE_NAMES,
  percent,
  scoreState,
  type BoardFileContext,
  type BoardFileRow,
} from './board-files.ts';
import { present } from '../platform/invariant.ts';

/** A domain's issue figures for the chart. */
export interface DomainFigures {
  code: string;
  name: string;
  issueStats: { received: number; onTimeResolutionRate: number | null; satisfactionRate: number | null } | null;
}

const STYLE = `
:root { color: #1f2328; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif; }
body { margin: 24px auto; max-width: 1200px; padding: 0 16px; font-size: 14px; line-height: 1.45; }
h1 { font-size: 22px; margin: 0 0 4px; }
h1 .en, h2 .en, th .en { font-weight: normal; color: #57606a; }
h1 .en { font-size: 16px; margin-left: 8px; }
h2 { font-size: 17px; margin: 24px 0 8px; border-bottom: 2px solid #5b9bd5; padding-bottom: 2px; }
h2 .en { font-size: 14px; margin-left: 6px; }
.meta { margin: 2px 0; color: #333; }
.meta b { display: inline-block; min-width: 12em; }
.hint { color: #57606a; font-size: 12px; }
svg { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: right; vertical-align: top; }
th { background: #ddebf7; text-align: center; }
th .en { display: block; font-size: 10px; }
td.text { text-align: left; }
td.code { color: #57606a; font-size: 10px; text-align: left; }
tbody tr:nth-child(even) { background: #f6f8fa; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 12px; }
dt { font-weight: bold; }
dd { margin: 0; }
dd .en { color: #57606a; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  .screen-only { display: none; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  table { font-size: 8pt; }
  thead { display: table-header-group; }
  tr, .chart { break-inside: avoid; }
  tbody tr:nth-child(even) { background: #f3f3f3; }
  h2 { break-after: avoid; }
}
`;

/** The policy the page is served with: nothing but its own style sheet and the blank icon. */
export const REPORT_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escape = (text: string | number) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const both = (zh: string, en: string) => `${escape(zh)}<span class="en" lang="en">${escape(en)}</span>`;

/** The table's columns: the files' columns a reader of the page compares units by. */
const REPORT_COLUMNS = [
  '排名',
  '单位',
  '领域',
  '综合得分',
  '等次',
  '收到问题数',
  '已销号问题数',
  '当前超期问题数',
  '按期办结率',
  '问题满意率',
  '好差评满意率',
  '季度报告按时率',
].map((header) =>
  present(
    BOARD_COLUMNS.find((c) => c.header === header),
    `the board column ${header}`,
  ),
);

export function boardReportHtml(rows: BoardFileRow[], domains: DomainFigures[], context: BoardFileContext): string {
  const state = scoreState(rows);
  const about = aboutLines(rows, context);
  // The unit's code stands beside its name (small): the key a reader matches the files by.
  const head = REPORT_COLUMNS.map(
    (c) => `<th>${both(c.header, c.en)}</th>${c.header === '单位' ? `<th>${both('代码', 'Code')}</th>` : ''}`,
  ).join('');
  const body = rows
    .map((row) => {
      const cells = REPORT_COLUMNS.map((c) => {
        if (c.header === '单位') return `<td class="text">${escape(row.unit.name)}</td><td class="code">${escape(row.unit.code)}</td>`;
        if (c.header === '等次') {
          if (row.evaluated === false) return `<td class="text">${both('未参评', ' not evaluated')}</td>`;
          return `<td class="text">${row.grade ? both(GRADE_NAMES[row.grade]?.zh ?? row.grade, ` ${GRADE_NAMES[row.grade]?.en ?? ''}`) : ''}</td>`;
        }
        const value = c.value(row);
        const shown =
          c.kind === 'rate'
            ? percent(value as number | null)
            : value === null || value === undefined
              ? ''
              : c.kind === 'number'
                ? Number(value).toFixed(1)
                : String(value);
        return `<td class="${c.kind === 'text' ? 'text' : 'number'}">${escape(shown)}</td>`;
      }).join('');
      return `<tr class="unit">${cells}</tr>`;
    })
    .join('\n');
  const definitions = BOARD_COLUMNS.filter((c) => c.definition && REPORT_COLUMNS.includes(c))
    .map(
      (c) =>
        `<dt>${escape(c.header)} / ${escape(c.en)}</dt><dd>${escape(c.definition?.zh ?? '')}<br><span class="en" lang="en">${escape(c.definition?.en ?? '')}</span></dd>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>营商环境看板 ${escape(context.period)} / Business-environment board</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>青岛市营商环境看板 ${escape(context.period)}<span class="en" lang="en">Qingdao business-environment board</span></h1>
${about
  .slice(0, 3)
  .map(([label, text]) => `<p class="meta"><b>${escape(label)}</b> ${escape(text)}</p>`)
  .join('\n')}
<p class="hint screen-only">打印：Ctrl+P，A4 横向 / Print with Ctrl+P, A4 landscape. 本页链接几分钟后失效，请另存或打印 / This link expires within minutes: save or print the page.</p>
</header>
<section class="chart">
<h2>各领域按期办结率与问题满意率${both('', 'On-time resolution and satisfaction by domain')}</h2>
${domainChart(domains)}
<p class="hint">${escape(`期间内收到的问题，按领域合计（${context.from} 至 ${context.to}）；比率分母为 0 时标“无数据”`)} / <span lang="en">issues received in the period, summed per domain; “no data” where a rate's denominator is 0</span></p>
</section>
<section>
<h2>排名${both('', 'Ranking')}</h2>
<p class="hint">${escape(present(about[3], 'the board file’s definitions line')[1])} · ${escape(`${state.zh} / ${state.en}`)}</p>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</section>
<section>
<h2>口径${both('', 'Definitions')}</h2>
<dl>
${definitions}
</dl>
<p class="hint">生成时间 / Generated ${escape(beijingTime(context.generatedAt))}（北京时间 / Beijing time）</p>
</section>
</body>
</html>
`;
}

const COLOURS = { onTime: '#5b9bd5', satisfaction: '#ed7d31' };

/**
 * Grouped bars, one group per domain: on-time resolution rate and satisfaction rate, 0–100% on one
 * scale (`rect.scale` is that full height, for whoever measures the bars). A rate without a
 * denominator draws no bar and says so.
 */
function domainChart(domains: DomainFigures[]): string {
  const plot = { left: 56, top: 44, height: 240, group: 100 };
  const width = plot.left + domains.length * plot.group + 16;
  const bottom = plot.top + plot.height;
  const height = bottom + 56;
  const bar = 30;
  const parts: string[] = [];
  parts.push(
    `<rect class="scale" x="${plot.left}" y="${plot.top}" width="${domains.length * plot.group}" height="${plot.height}" fill="none" stroke="none"/>`,
  );
  for (const tick of [0, 25, 50, 75, 100]) {
    const y = bottom - (tick / 100) * plot.height;
    parts.push(
      `<line x1="${plot.left}" x2="${plot.left + domains.length * plot.group}" y1="${y}" y2="${y}" stroke="${tick === 0 ? '#57606a' : '#d0d7de'}" stroke-width="1"/>`,
    );
    parts.push(`<text x="${plot.left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="#57606a">${tick}%</text>`);
  }
  domains.forEach((domain, index) => {
    const x0 = plot.left + index * plot.group + (plot.group - 2 * bar - 6) / 2;
    const figures: [keyof typeof COLOURS, number | null | undefined][] = [
      ['onTime', domain.issueStats?.onTimeResolutionRate],
      ['satisfaction', domain.issueStats?.satisfactionRate],
    ];
    figures.forEach(([kind, rate], k) => {
      const x = x0 + k * (bar + 6);
      if (rate === null || rate === undefined) {
        parts.push(
          `<text x="${x + bar / 2}" y="${bottom - 6}" text-anchor="middle" font-size="10" fill="#8c959f" data-domain="${escape(domain.code)}" data-kind="${kind}">无数据</text>`,
        );
        return;
      }
      const h = rate * plot.height;
      parts.push(
        `<rect class="bar" data-domain="${escape(domain.code)}" data-kind="${kind}" x="${x}" y="${bottom - h}" width="${bar}" height="${h}" fill="${COLOURS[kind]}"><title>${escape(domain.name)} ${kind === 'onTime' ? '按期办结率 / on-time resolution' : '问题满意率 / satisfaction'} ${percent(rate)}</title></rect>`,
      );
      parts.push(
        `<text x="${x + bar / 2}" y="${bottom - h - 4}" text-anchor="middle" font-size="10" fill="#1f2328">${percent(rate)}</text>`,
      );
    });
    parts.push(
      `<text x="${plot.left + index * plot.group + plot.group / 2}" y="${bottom + 18}" text-anchor="middle" font-size="12" fill="#1f2328">${escape(domain.name)}</text>`,
    );
  });
  const legend = (x: number, kind: keyof typeof COLOURS, zh: string, en: string) =>
    `<rect x="${x}" y="12" width="14" height="14" fill="${COLOURS[kind]}"/><text x="${x + 20}" y="24" font-size="12" fill="#1f2328">${escape(zh)} / ${escape(en)}</text>`;
  parts.push(legend(plot.left, 'onTime', '按期办结率', 'On-time resolution rate'));
  parts.push(legend(plot.left + 280, 'satisfaction', '问题满意率', 'Satisfaction rate'));
  parts.push(`<text x="${plot.left}" y="${height - 8}" font-size="11" fill="#57606a">${escape('领域 / Domain')}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="各领域按期办结率与问题满意率 / On-time resolution and satisfaction rate by domain">
${parts.join('\n')}
</svg>`;
}
