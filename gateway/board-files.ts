/**
 * The command office's board as files: the columns (each with what it counts, in Chinese and
 * English — one table for the CSV, the workbook and the printable report), the CSV and the .xlsx.
 * Pure: the rows come from the board query (gateway/exports.ts), the time from the platform's clock.
 *
 * The workbook's score chart is drawn with **data bars** (conditional formatting), not a native
 * chart or a picture: exceljs 4.4 cannot write charts; a picture would need an image renderer with
 * CJK fonts on the server and would go stale the moment someone corrects a score in the sheet,
 * while a data bar is drawn by Excel (and LibreOffice, WPS) from the cell itself, stays true to the
 * number beside it, prints, and reads the unit names as text. Every bar has the same fixed scale,
 * 0–100, so bars of different domains compare.
 */
import ExcelJS from 'exceljs';
import { formatBeijing } from '../platform/scalars.ts';

/** One row of the board as the export query asks it. */
export interface BoardFileRow {
  rank: number | null;
  unit: {
    code: string;
    name: string;
    issueStats: {
      received: number;
      closed: number;
      overdueNow: number;
      rectificationRate: number | null;
      onTimeResolutionRate: number | null;
      satisfactionRate: number | null;
    } | null;
    policyStats: { applicationsReceived: number; approved: number; disbursedCount: number; disbursedAmount: number } | null;
  };
  domain: { code: string; name: string } | null;
  latestContestRank: number | null;
  contestsAgain: boolean | null;
  reviews: number;
  reviewSatisfactionRate: number | null;
  reportPunctuality: number | null;
  score: number | null;
  grade: string | null;
  /** Graded (true), not evaluated for want of data (false, 未参评), or no evaluation for the period (null). */
  evaluated: boolean | null;
  /** What the result rests on: indicators with a value, of how many, their weight, the ones missing. */
  coverage: { indicators: number; indicatorsTotal: number; weight: number; missing: { name: string; mandatory: boolean }[] } | null;
  preview: boolean;
}

/** What a file says about itself: the period, when it was made, whether scores are final. */
export interface BoardFileContext {
  period: string;
  from: string;
  to: string;
  generatedAt: Date;
  /** The domains in the plan's order (the chart's groups). */
  domains: { code: string; name: string }[];
}

type Kind = 'text' | 'integer' | 'rate' | 'number' | 'money';
export interface BoardColumn {
  header: string;
  en: string;
  kind: Kind;
  value(row: BoardFileRow): string | number | null | undefined;
  /** What it counts, in both languages; none for plain labels. */
  definition?: { zh: string; en: string };
}

export const GRADE_NAMES: Record<string, { zh: string; en: string }> = {
  EXCELLENT: { zh: '优秀', en: 'excellent' },
  GOOD: { zh: '良好', en: 'good' },
  FAIR: { zh: '一般', en: 'fair' },
  POOR: { zh: '较差', en: 'poor' },
};

const COHORT = { zh: '期间内收到的问题', en: 'issues received in the period' };

/** The board's columns, in order: Chinese headers as the command office reads them, each with its definition. */
export const BOARD_COLUMNS: BoardColumn[] = [
  {
    header: '排名',
    en: 'Rank',
    kind: 'integer',
    value: (r) => r.rank,
    definition: {
      zh: '按综合得分的名次，同分同名次；无得分者无名次',
      en: 'rank by composite score, equal scores sharing a rank; none without a score',
    },
  },
  { header: '单位代码', en: 'Unit code', kind: 'text', value: (r) => r.unit.code },
  { header: '单位', en: 'Unit', kind: 'text', value: (r) => r.unit.name },
  { header: '领域', en: 'Domain', kind: 'text', value: (r) => r.domain?.name ?? '' },
  {
    header: '收到问题数',
    en: 'Issues received',
    kind: 'integer',
    value: (r) => r.unit.issueStats?.received,
    definition: { zh: `${COHORT.zh}（按收到时间计，由该单位牵头办理的）`, en: `${COHORT.en} (by the time received) that the unit leads` },
  },
  {
    header: '已销号问题数',
    en: 'Issues closed (销号)',
    kind: 'integer',
    value: (r) => r.unit.issueStats?.closed,
    definition: {
      zh: `${COHORT.zh}中已销号（办结并经回访核实关闭）的`,
      en: `of the ${COHORT.en}, those closed (销号: resolved and closed after the command office's check)`,
    },
  },
  {
    header: '当前超期问题数',
    en: 'Overdue now',
    kind: 'integer',
    value: (r) => r.unit.issueStats?.overdueNow,
    definition: {
      zh: `${COHORT.zh}中，此刻有时限已过而未完成的`,
      en: `of the ${COHORT.en}, those with a time limit past due and not met now`,
    },
  },
  {
    header: '整改率',
    en: 'Rectification rate',
    kind: 'rate',
    value: (r) => r.unit.issueStats?.rectificationRate,
    definition: { zh: '已销号问题数 ÷ 已受理问题数（期间内收到的）', en: 'issues closed ÷ issues accepted (received in the period)' },
  },
  {
    header: '按期办结率',
    en: 'On-time resolution rate',
    kind: 'rate',
    value: (r) => r.unit.issueStats?.onTimeResolutionRate,
    definition: {
      zh: '按期完成的办结时限 ÷ 已到期的办结时限（每一轮都计；准予延期的按延期后的时限）',
      en: 'RESOLUTION deadlines met on time ÷ RESOLUTION deadlines due (every round; an extension’s limit when granted)',
    },
  },
  {
    header: '问题满意率',
    en: 'Issue satisfaction rate',
    kind: 'rate',
    value: (r) => r.unit.issueStats?.satisfactionRate,
    definition: {
      zh: '最近一轮企业评价为满意或基本满意的问题 ÷ 有企业评价的问题',
      en: 'issues whose latest enterprise rating is satisfied or basically satisfied ÷ issues rated',
    },
  },
  {
    header: '政策申报数',
    en: 'Applications',
    kind: 'integer',
    value: (r) => r.unit.policyStats?.applicationsReceived,
    definition: {
      zh: '期间内提交的、由该单位审核的政策申报（网上与导入）',
      en: 'applications submitted in the period to items the unit reviews (online and imported)',
    },
  },
  {
    header: '政策批准数',
    en: 'Approved',
    kind: 'integer',
    value: (r) => r.unit.policyStats?.approved,
    definition: { zh: '其中已批准的（含免申即享）', en: 'of those, approved (automatic grants included)' },
  },
  {
    header: '兑现笔数',
    en: 'Paid',
    kind: 'integer',
    value: (r) => r.unit.policyStats?.disbursedCount,
    definition: { zh: '其中已兑现的笔数', en: 'of those, paid' },
  },
  {
    header: '兑现金额（元）',
    en: 'Amount paid (yuan)',
    kind: 'money',
    value: (r) => r.unit.policyStats?.disbursedAmount,
    definition: { zh: '其中已兑现的金额', en: 'the amount paid on those' },
  },
  {
    header: '擂台名次',
    en: 'Contest rank',
    kind: 'integer',
    value: (r) => r.latestContestRank,
    definition: { zh: '半年内最近一次已发布市级擂台比武的名次', en: 'rank in the latest published city contest of the half year' },
  },
  {
    header: '末位打擂',
    en: 'Contests again',
    kind: 'text',
    value: (r) => (r.contestsAgain === null ? '' : r.contestsAgain ? '是' : '否'),
    definition: { zh: '是否为该次比武末位，须继续打擂', en: 'last place in that contest, entered again in the next' },
  },
  {
    header: '好差评数',
    en: 'Service reviews',
    kind: 'integer',
    value: (r) => r.reviews,
    definition: { zh: '期间内收到的好差评（申诉成立的除外）', en: 'service reviews given in the period (upheld appeals excluded)' },
  },
  {
    header: '好差评满意率',
    en: 'Review satisfaction rate',
    kind: 'rate',
    value: (r) => r.reviewSatisfactionRate,
    definition: {
      zh: '（非常满意 + 满意 + 基本满意）÷ 好差评数',
      en: '(very satisfied + satisfied + basically satisfied) ÷ service reviews',
    },
  },
  {
    header: '季度报告按时率',
    en: 'Report punctuality',
    kind: 'rate',
    value: (r) => r.reportPunctuality,
    definition: {
      zh: '首次报送按时的季度 ÷ 应报季度（期间内已到期的）',
      en: 'quarters whose first report was on time ÷ quarters due (within the period, already due)',
    },
  },
  {
    header: '综合得分',
    en: 'Composite score',
    kind: 'number',
    value: (r) => r.score,
    definition: {
      zh: '效果评估：Σ 权重 × 标准化值 ÷ 有值指标的权重之和（0–100）',
      en: 'the half-yearly evaluation: Σ weight × normalised value ÷ Σ weight of the indicators with a value (0–100)',
    },
  },
  // A unit whose data does not cover the evaluation is 未参评 — never an empty score read as 0 or 较差.
  {
    header: '等次',
    en: 'Grade',
    kind: 'text',
    value: (r) => (r.evaluated === false ? '未参评' : r.grade ? (GRADE_NAMES[r.grade]?.zh ?? r.grade) : ''),
    definition: {
      zh: '优秀、良好、一般、较差；必备指标不全（或覆盖不足）的单位为“未参评”，不评等次',
      en: 'excellent, good, fair, poor; a unit lacking a mandatory indicator (or the coverage asked) is “not evaluated” (未参评) and gets no grade',
    },
  },
  {
    header: '参评依据',
    en: 'Rests on',
    kind: 'text',
    value: (r) => (r.coverage ? `${r.coverage.indicators}/${r.coverage.indicatorsTotal} 项指标，权重 ${r.coverage.weight}%` : ''),
    definition: { zh: '有值的指标数 / 指标总数，及其权重之和', en: 'indicators with a value of all indicators, and their total weight' },
  },
  {
    header: '缺少的指标',
    en: 'Missing indicators',
    kind: 'text',
    value: (r) => (r.coverage?.missing ?? []).map((m) => (m.mandatory ? `${m.name}（必备）` : m.name)).join('、'),
    definition: { zh: '无值的指标（必备的注明）', en: 'indicators without a value (mandatory ones marked 必备)' },
  },
  {
    header: '得分状态',
    en: 'Score status',
    kind: 'text',
    value: (r) => (r.evaluated === null || r.evaluated === undefined ? '' : r.preview ? '预览' : '已发布'),
    definition: {
      zh: '预览：评估尚未发布，随数据变化；已发布：冻结',
      en: 'preview: the evaluation is not published and moves with the data; published: frozen',
    },
  },
];

/** Rates whose denominator is 0 are blank, never 0. */
const RATE_NOTE = { zh: '分母为 0 的比率留空', en: 'a rate whose denominator is 0 is left blank' };
const ORDER_NOTE = {
  zh: '按综合得分从高到低；同分按领域（方案顺序，区市在后）、再按单位名称；无得分者在后',
  en: 'by composite score, highest first; equal scores by domain (the plan’s order, districts last), then unit name; units without a score last',
};

/** When the file was made, as a person in Qingdao reads it: `2026-12-07 10:00:00`. */
export function beijingTime(instant: Date): string {
  return formatBeijing(instant).slice(0, 19).replace('T', ' ');
}

/** Whether the scores are final, in both languages. */
export function scoreState(rows: BoardFileRow[]): { zh: string; en: string } {
  const scored = rows.filter((r) => r.score !== null);
  if (!scored.length)
    return {
      zh: '本期无综合得分（效果评估尚未定义，或无单位参评）',
      en: 'no composite scores (no evaluation defined, or no unit evaluated)',
    };
  return scored.some((r) => r.preview)
    ? { zh: '预览：效果评估尚未发布，得分随数据变化', en: 'preview: the evaluation is not published; scores move with the data' }
    : { zh: '已发布：得分与等次已冻结', en: 'published: scores and grades are frozen' };
}

/** The lines every file starts with: what it is, the period, when it was made, the scores' state, the order. */
export function aboutLines(rows: BoardFileRow[], context: BoardFileContext): [string, string][] {
  const state = scoreState(rows);
  return [
    [
      '青岛市营商环境看板 / Business-environment board',
      `${context.period}（${context.from} 至 ${context.to} / ${context.from} to ${context.to}）`,
    ],
    ['生成时间 / Generated', `${beijingTime(context.generatedAt)}（北京时间 / Beijing time）`],
    ['综合得分 / Scores', `${state.zh} / ${state.en}`],
    ['排序 / Order', `${ORDER_NOTE.zh} / ${ORDER_NOTE.en}`],
    ['比率 / Rates', `${RATE_NOTE.zh} / ${RATE_NOTE.en}`],
  ];
}

function cell(value: unknown): unknown {
  return value === undefined || value === null ? null : value;
}

/** RFC 4180: quote a field holding a comma, a quote or a line break; double the quotes. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A rate as a person writes it: 87.5% (one decimal); blank when there is none. */
export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '' : `${(value * 100).toFixed(1)}%`;
}

/**
 * The CSV: a header block (what the file is, the period, when it was made, the scores' state, the
 * order, then each column's definition), a blank line, then the table. Rates are percentages with
 * one decimal (Excel reads "87.5%" as the number 0.875). UTF-8 with a byte-order mark, CRLF.
 */
export function boardCsv(rows: BoardFileRow[], context: BoardFileContext): string {
  const line = (fields: unknown[]) => fields.map(csvField).join(',');
  const lines = aboutLines(rows, context).map(line);
  lines.push('', line(['口径 / Definitions', '中文', 'English']));
  for (const column of BOARD_COLUMNS) if (column.definition) lines.push(line([column.header, column.definition.zh, column.definition.en]));
  lines.push('', line(BOARD_COLUMNS.map((c) => c.header)));
  for (const row of rows)
    lines.push(line(BOARD_COLUMNS.map((c) => (c.kind === 'rate' ? percent(c.value(row) as number | null) : cell(c.value(row))))));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

const NUMBER_FORMATS: Record<Kind, string | undefined> = {
  rate: '0.0%',
  money: '#,##0.00',
  number: '0.000',
  integer: undefined,
  text: undefined,
};
const HEADING_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
const BAR_COLOUR = 'FF5B9BD5';

/** The workbook: 说明 (what it is and each column's definition), 看板 (the table), 得分图 (scores as bars, per domain). */
export async function boardWorkbook(rows: BoardFileRow[], context: BoardFileContext): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '青岛市深化作风能力优化营商环境专项行动指挥部办公室';
  workbook.created = context.generatedAt;
  notesSheet(workbook, rows, context);
  boardSheet(workbook, rows);
  chartSheet(workbook, rows, context);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function notesSheet(workbook: ExcelJS.Workbook, rows: BoardFileRow[], context: BoardFileContext) {
  const sheet = workbook.addWorksheet('说明');
  sheet.columns = [{ width: 26 }, { width: 60 }, { width: 70 }];
  sheet.addRow([`青岛市营商环境看板 ${context.period} / Business-environment board`]).font = { bold: true, size: 14 };
  sheet.addRow([]);
  for (const [label, text] of aboutLines(rows, context)) {
    const row = sheet.addRow([label, text]);
    row.getCell(1).font = { bold: true };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
  }
  sheet.addRow(['单位数 / Units', rows.length]).getCell(1).font = { bold: true };
  sheet.addRow([]);
  const heading = sheet.addRow(['列 / Column', '口径', 'Definition']);
  heading.font = { bold: true };
  heading.eachCell((c) => (c.fill = HEADING_FILL));
  for (const column of BOARD_COLUMNS) {
    if (!column.definition) continue;
    const row = sheet.addRow([`${column.header} / ${column.en}`, column.definition.zh, column.definition.en]);
    row.alignment = { wrapText: true, vertical: 'top' };
  }
}

function boardSheet(workbook: ExcelJS.Workbook, rows: BoardFileRow[]) {
  const sheet = workbook.addWorksheet('看板', { views: [{ state: 'frozen', ySplit: 1, xSplit: 3 }] });
  sheet.columns = BOARD_COLUMNS.map((c) => ({
    header: c.header,
    width: c.kind === 'text' ? 18 : 12,
    style: { numFmt: NUMBER_FORMATS[c.kind] },
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).alignment = { wrapText: true, vertical: 'middle' };
  BOARD_COLUMNS.forEach((c, index) => {
    if (c.definition) sheet.getRow(1).getCell(index + 1).note = `${c.definition.zh}\n${c.definition.en}`;
  });
  for (const row of rows) sheet.addRow(BOARD_COLUMNS.map((c) => cell(c.value(row))));
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: BOARD_COLUMNS.length } };
}

function chartSheet(workbook: ExcelJS.Workbook, rows: BoardFileRow[], context: BoardFileContext) {
  const sheet = workbook.addWorksheet('得分图');
  sheet.columns = [{ width: 30 }, { width: 60, style: { numFmt: '0.0' } }, { width: 16 }];
  sheet.addRow([
    `各领域单位综合得分 ${context.period} / Each domain’s units’ composite scores`,
    '综合得分（0–100） / score',
    '等次 / grade',
  ]).font = { bold: true };
  const groups = [
    ...context.domains.map((d) => ({ code: d.code as string | null, name: d.name })),
    { code: null, name: '区（市）及其他 / Districts and others' },
  ];
  for (const group of groups) {
    const units = rows.filter((r) => (r.domain?.code ?? null) === group.code).sort(byScoreThenName);
    if (!units.length) continue;
    const heading = sheet.addRow([group.name]);
    heading.font = { bold: true };
    heading.eachCell((c) => (c.fill = HEADING_FILL));
    const first = heading.number + 1;
    for (const unit of units) sheet.addRow([unit.unit.name, unit.score, unit.grade ? GRADE_NAMES[unit.grade]?.zh : '无得分 / no score']);
    sheet.addConditionalFormatting({
      ref: `B${first}:B${first + units.length - 1}`,
      rules: [
        {
          type: 'dataBar',
          priority: 1,
          cfvo: [
            { type: 'num', value: 0 },
            { type: 'num', value: 100 },
          ],
          color: { argb: BAR_COLOUR },
          gradient: false,
        } as ExcelJS.DataBarRuleType,
      ],
    });
  }
}

const names = new Intl.Collator('zh-Hans-CN');
function byScoreThenName(a: BoardFileRow, b: BoardFileRow): number {
  if (a.score !== b.score) return a.score === null ? 1 : b.score === null ? -1 : b.score - a.score;
  return names.compare(a.unit.name, b.unit.name);
}
