/**
 * The command office's board as files, on the gateway: `GET /exports/board.csv?period=2026-H1` (UTF-8
 * with a byte-order mark, so Excel opens the Chinese correctly; RFC 4180 quoting) and
 * `GET /exports/board.xlsx?period=2026-H1` (a workbook built with exceljs). Command office token
 * only. The export runs the board query on this gateway's own GraphQL server, in-process — the same
 * plan, permissions, limits and figures as the API, without an HTTP call to itself (which Node's
 * fetch refuses on some ports: 6000 with PORT_OFFSET=2000) — and refuses (never truncates) when any
 * part of the board is missing.
 */
import type http from 'node:http';
import ExcelJS from 'exceljs';
import { Role, type Authenticator } from '../platform/auth.ts';
import { codedError, ErrorCode, errors, type Bilingual } from '../platform/errors.ts';
import type { AsyncRequestHandler, GraphQLService } from '../platform/http.ts';
import { authorizationHeader } from '../platform/subgraph.ts';
import type { GatewayContext } from './data-source.ts';

const PERIOD = /^(\d{4})-H([12])$/;

export const BOARD_EXPORT_QUERY = /* GraphQL */ `
  query BoardExport($period: String!, $dates: PeriodInput!) {
    board(period: $period) {
      unit {
        code
        name
        issueStats(period: $dates) { received closed overdueNow rectificationRate onTimeResolutionRate satisfactionRate }
        policyStats(period: $dates) { applicationsReceived approved disbursedCount disbursedAmount }
      }
      domain { code name }
      latestContestRank
      contestsAgain
      reviews
      reviewSatisfactionRate
      reportPunctuality
      score
      grade
      evaluated
      coverage { indicators indicatorsTotal weight missing { name mandatory } }
      preview
    }
  }
`;

type Kind = 'text' | 'integer' | 'rate' | 'number' | 'money';
interface Column {
  header: string;
  kind: Kind;
  value(row: any): unknown;
}

const GRADES: Record<string, string> = { EXCELLENT: '优秀', GOOD: '良好', FAIR: '一般', POOR: '较差' };

/** The board's columns, in order: Chinese headers, as the command office reads them. */
export const BOARD_COLUMNS: Column[] = [
  { header: '单位代码', kind: 'text', value: (r) => r.unit.code },
  { header: '单位', kind: 'text', value: (r) => r.unit.name },
  { header: '领域', kind: 'text', value: (r) => r.domain?.name ?? '' },
  { header: '受理问题数', kind: 'integer', value: (r) => r.unit.issueStats?.received },
  { header: '办结问题数', kind: 'integer', value: (r) => r.unit.issueStats?.closed },
  { header: '当前超期', kind: 'integer', value: (r) => r.unit.issueStats?.overdueNow },
  { header: '整改率', kind: 'rate', value: (r) => r.unit.issueStats?.rectificationRate },
  { header: '按时办结率', kind: 'rate', value: (r) => r.unit.issueStats?.onTimeResolutionRate },
  { header: '问题满意率', kind: 'rate', value: (r) => r.unit.issueStats?.satisfactionRate },
  { header: '政策申报数', kind: 'integer', value: (r) => r.unit.policyStats?.applicationsReceived },
  { header: '政策批准数', kind: 'integer', value: (r) => r.unit.policyStats?.approved },
  { header: '兑现笔数', kind: 'integer', value: (r) => r.unit.policyStats?.disbursedCount },
  { header: '兑现金额（元）', kind: 'money', value: (r) => r.unit.policyStats?.disbursedAmount },
  { header: '擂台名次', kind: 'integer', value: (r) => r.latestContestRank },
  { header: '末位打擂', kind: 'text', value: (r) => (r.contestsAgain === null ? '' : r.contestsAgain ? '是' : '否') },
  { header: '好差评数', kind: 'integer', value: (r) => r.reviews },
  { header: '好差评满意率', kind: 'rate', value: (r) => r.reviewSatisfactionRate },
  { header: '季度报告按时率', kind: 'rate', value: (r) => r.reportPunctuality },
  { header: '综合得分', kind: 'number', value: (r) => r.score },
  // A unit whose data does not cover the evaluation is 未参评 — never an empty score read as 0 or 较差.
  { header: '等次', kind: 'text', value: (r) => (r.evaluated === false ? '未参评' : r.grade ? GRADES[r.grade] : '') },
  { header: '参评依据', kind: 'text', value: (r) => (r.coverage ? `${r.coverage.indicators}/${r.coverage.indicatorsTotal} 项指标，权重 ${r.coverage.weight}%` : '') },
  { header: '缺少的指标', kind: 'text', value: (r) => (r.coverage?.missing ?? []).map((m: { name: string; mandatory: boolean }) => (m.mandatory ? `${m.name}（必备）` : m.name)).join('、') },
  { header: '得分状态', kind: 'text', value: (r) => (r.evaluated === null || r.evaluated === undefined ? '' : r.preview ? '预览' : '已发布') },
];

function cell(value: unknown): unknown {
  return value === undefined || value === null ? null : value;
}

/** RFC 4180: quote a field holding a comma, a quote or a line break; double the quotes. */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function boardCsv(rows: any[]): string {
  const lines = [BOARD_COLUMNS.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(BOARD_COLUMNS.map((c) => csvField(cell(c.value(row)))).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function boardWorkbook(rows: any[], period: string): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '青岛市深化作风能力优化营商环境专项行动指挥部办公室';
  const sheet = workbook.addWorksheet(`看板 ${period}`, { views: [{ state: 'frozen', ySplit: 1, xSplit: 2 }] });
  sheet.columns = BOARD_COLUMNS.map((c) => ({
    header: c.header,
    width: c.kind === 'text' ? 18 : 12,
    style: { numFmt: c.kind === 'rate' ? '0.0%' : c.kind === 'money' ? '#,##0.00' : c.kind === 'number' ? '0.000' : undefined },
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of rows) sheet.addRow(BOARD_COLUMNS.map((c) => cell(c.value(row))));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function sendCoded(res: http.ServerResponse, status: number, code: string, message: Bilingual) {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ errors: [{ message: `${message.zh} / ${message.en}`, extensions: { code, messageZh: message.zh, messageEn: message.en } }] }));
}

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, NOT_FOUND: 404 };

/** The route: `/exports/board.csv` and `/exports/board.xlsx`. */
export function boardExports(deps: { authenticator: Authenticator; gateway: GraphQLService<GatewayContext> }): AsyncRequestHandler {
  return async (req, res, url, record) => {
    const match = /^\/exports\/board\.(csv|xlsx)$/.exec(url.pathname);
    if (!match) return false;
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      sendCoded(res, 405, ErrorCode.BAD_REQUEST, { zh: '导出只接受 GET', en: 'Exports accept GET only' });
      return true;
    }
    const authorization = authorizationHeader(req);
    let role: string;
    try {
      role = (await deps.authenticator.viewerFromAuthorization(authorization)).role;
    } catch (error) {
      const extensions = (error as { extensions?: { code?: string; messageZh?: string; messageEn?: string } }).extensions;
      sendCoded(res, 401, ErrorCode.UNAUTHENTICATED, { zh: extensions?.messageZh ?? '令牌无效', en: extensions?.messageEn ?? 'Invalid token' });
      return true;
    }
    if (role === 'ANONYMOUS') {
      sendCoded(res, 401, ErrorCode.UNAUTHENTICATED, { zh: '请先登录（市指挥部办公室令牌）', en: 'Sign in with a command office token' });
      return true;
    }
    if (role !== Role.COMMAND_OFFICE) {
      sendCoded(res, 403, ErrorCode.FORBIDDEN, { zh: '只有市指挥部办公室可以导出看板', en: 'Only the command office may export the board' });
      return true;
    }
    const period = url.searchParams.get('period') ?? '';
    const parts = PERIOD.exec(period);
    if (!parts || Number(parts[1]) < 2000 || Number(parts[1]) > 2199) {
      sendCoded(res, 400, ErrorCode.BAD_USER_INPUT, { zh: 'period 须形如 2026-H1', en: 'period must look like 2026-H1' });
      return true;
    }
    const dates = parts[2] === '1' ? { from: `${parts[1]}-01-01`, to: `${parts[1]}-06-30` } : { from: `${parts[1]}-07-01`, to: `${parts[1]}-12-31` };
    // On this gateway's own server, in-process: the same planning, limits, permissions and figures as
    // any API client, under this request's deadline (its record's signal stops the subgraph calls).
    let answer: { data?: { board?: any[] } | null; errors?: readonly { message: string; extensions?: Record<string, any> }[] };
    try {
      const contextValue = await deps.gateway.context(req, record);
      const running = deps.gateway.apollo.executeOperation({ query: BOARD_EXPORT_QUERY, variables: { period, dates } }, { contextValue });
      const timedOut = new Promise<never>((_, reject) => {
        if (record.signal?.aborted) reject(record.signal.reason);
        record.signal?.addEventListener('abort', () => reject(record.signal!.reason), { once: true });
      });
      const response = await Promise.race([running, timedOut]);
      if (response.body.kind !== 'single') throw new Error('the board query answered incrementally');
      answer = response.body.singleResult as typeof answer;
    } catch (error) {
      record.log.warn({ err: error }, 'board export failed');
      const failure = errors.serviceUnavailable({ zh: '看板暂时无法生成，请稍后重试', en: 'The board cannot be built now; retry shortly' });
      sendCoded(res, 503, ErrorCode.SERVICE_UNAVAILABLE, { zh: failure.extensions.messageZh as string, en: failure.extensions.messageEn as string });
      return true;
    }
    const first = answer.errors?.[0];
    if (first || !answer.data?.board) {
      // A board with a hole in it would mislead: refuse, saying which part is missing.
      const code = String(first?.extensions?.code ?? ErrorCode.SERVICE_UNAVAILABLE);
      const error = codedError(code as ErrorCode, { zh: String(first?.extensions?.messageZh ?? first?.message ?? '看板不完整'), en: String(first?.extensions?.messageEn ?? first?.message ?? 'The board is incomplete') });
      sendCoded(res, STATUS[code] ?? 503, code, { zh: error.extensions.messageZh as string, en: error.extensions.messageEn as string });
      return true;
    }
    const rows = answer.data.board;
    const name = `board-${period}.${match[1]}`;
    const chineseName = encodeURIComponent(`营商环境看板-${period}.${match[1]}`);
    res.setHeader('content-disposition', `attachment; filename="${name}"; filename*=UTF-8''${chineseName}`);
    res.setHeader('cache-control', 'no-store');
    if (match[1] === 'csv') {
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.end(boardCsv(rows));
    } else {
      res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.end(await boardWorkbook(rows, period));
    }
    record.operation = `export board.${match[1]}`;
    return true;
  };
}
