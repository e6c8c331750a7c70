/**
 * The command office's board as files and as a printable page, on the gateway:
 * `GET /exports/board.csv`, `GET /exports/board.xlsx` (gateway/board-files.ts) and
 * `GET /reports/board` (gateway/board-report.ts), each `?period=2026-H2` (the current half year,
 * Beijing time, when omitted).
 *
 * Who may: whoever the evaluations slice lets read the board — its rule, asked by running the board
 * query; the gateway tests no role. What every file request must carry — a half year and a person
 * to make the file for — is checked by the kit's one function for it (platform/periods.ts
 * `halfYearFile`), which the slice's `boardDownloadLink` asks too. The caller is named either by an Authorization header or by a
 * signed download link (`&link=…`, made by the `boardDownloadLink` mutation; platform/download-links.ts),
 * which opens only the file it was made for (period and format) and runs the query with the
 * maker's own token, whose person must be the one the link names. A browser asking for a page gets
 * a refusal it can read (HTML) saying how to get a link.
 *
 * The export runs the board query on this gateway's own GraphQL server, in-process — the same plan,
 * permissions, limits and figures as the API, without an HTTP call to itself (which Node's fetch
 * refuses on some ports: 6000 with PORT_OFFSET=2000) — and refuses (never truncates) when any part
 * of the board is missing.
 */
import type http from 'node:http';
import { personOf, samePerson, type Authenticator, type Viewer } from '../platform/auth.ts';
import { createDownloadLinks, type DownloadLinks } from '../platform/download-links.ts';
import type { PlatformEnv } from '../platform/env.ts';
import { codedError, ErrorCode, errors, type Bilingual } from '../platform/errors.ts';
import type { AsyncRequestHandler } from '../platform/http.ts';
import { present } from '../platform/invariant.ts';
import type { RequestRecord } from '../platform/log.ts';
import { halfYearFile, type HalfYear } from '../platform/periods.ts';
import { authorizationHeader } from '../platform/subgraph.ts';
import { boardCsv, boardWorkbook, type BoardFileContext, type BoardFileRow } from './board-files.ts';
import { boardReportHtml, REPORT_CONTENT_SECURITY_POLICY, type DomainFigures } from './board-report.ts';
import type { GatewayService } from './server.ts';

export const BOARD_EXPORT_QUERY = /* GraphQL */ `
  query BoardExport($period: String!, $dates: PeriodInput!, $report: Boolean!) {
    board(period: $period, orderBy: SCORE_DESC) {
      rank
      unit {
        code
        name
        issueStats(period: $dates) {
          received
          closed
          overdueNow
          rectificationRate
          onTimeResolutionRate
          satisfactionRate
        }
        policyStats(period: $dates) {
          applicationsReceived
          approved
          disbursedCount
          disbursedAmount
        }
      }
      domain {
        code
        name
      }
      latestContestRank
      contestsAgain
      reviews
      reviewSatisfactionRate
      reportPunctuality
      score
      grade
      evaluated
      coverage {
        indicators
        indicatorsTotal
        weight
        missing {
          name
          mandatory
        }
      }
      preview
    }
    domains {
      code
      name
      issueStats(period: $dates) @include(if: $report) {
        received
        onTimeResolutionRate
        satisfactionRate
      }
    }
  }
`;

type Format = 'csv' | 'xlsx' | 'html';
const ROUTES: Record<string, Format> = { '/exports/board.csv': 'csv', '/exports/board.xlsx': 'xlsx', '/reports/board': 'html' };
const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_USER_INPUT: 400, NOT_FOUND: 404 };

/** A refusal: JSON for programs; a short bilingual page for a person's browser, saying what to do. */
class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: Bilingual,
  ) {}
}

const NO_CREDENTIALS: Bilingual = {
  zh: '请先登录：请求带上 Authorization: Bearer 令牌，或在浏览器中打开 boardDownloadLink 生成的下载链接（网关 explorer 的“看板文件”示例）',
  en: 'Sign in: send Authorization: Bearer <token>, or open a link made by the boardDownloadLink mutation in a browser (the gateway explorer’s “board files” example)',
};

function fromError(error: unknown, status = 401): Refusal {
  const extensions = (error as { extensions?: { code?: string; messageZh?: string; messageEn?: string } }).extensions;
  return new Refusal(status, extensions?.code ?? ErrorCode.UNAUTHENTICATED, {
    zh: extensions?.messageZh ?? '令牌无效',
    en: extensions?.messageEn ?? 'Invalid token',
  });
}

export interface BoardExportsDeps {
  authenticator: Authenticator;
  gateway: GatewayService;
  /** Download links (absent when no secret is configured: only the header opens the files). */
  links?: DownloadLinks;
  /** The platform's clock: the default period, the time a file was made, a link's expiry. */
  now?: () => Date;
}

/** The links the gateway opens, from the same configuration the slices make them with; none without a secret. */
export function downloadLinksOf(env: PlatformEnv): DownloadLinks | undefined {
  const { secret, ttlSeconds } = env.downloadLinks;
  return secret ? createDownloadLinks({ secret, ttlSeconds }) : undefined;
}

/** The routes: `/exports/board.csv`, `/exports/board.xlsx`, `/reports/board`. */
export function boardExports(deps: BoardExportsDeps): AsyncRequestHandler {
  const now = deps.now ?? (() => new Date());
  return async (req, res, url, record) => {
    const format = ROUTES[url.pathname];
    if (!format) return false;
    record.operation = format === 'html' ? 'report board' : `export board.${format}`;
    try {
      if (req.method !== 'GET') {
        res.setHeader('allow', 'GET');
        throw new Refusal(405, ErrorCode.BAD_REQUEST, { zh: '只接受 GET', en: 'GET only' });
      }
      const at = now();
      const { halfYear, authorization } = await credentials(req, url, format, at);
      const period = halfYear.name;
      const dates = { from: halfYear.from, to: halfYear.to };
      const answer = await runBoardQuery(req, record, authorization, { period, dates, report: format === 'html' });
      const context: BoardFileContext = {
        period,
        ...dates,
        generatedAt: at,
        domains: answer.domains.map(({ code, name }) => ({ code, name })),
      };
      res.setHeader('cache-control', 'no-store');
      res.setHeader('referrer-policy', 'no-referrer');
      if (format === 'html') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        res.setHeader('content-security-policy', REPORT_CONTENT_SECURITY_POLICY);
        res.setHeader('x-content-type-options', 'nosniff');
        res.end(boardReportHtml(answer.board, answer.domains, context));
        return true;
      }
      const chineseName = encodeURIComponent(`营商环境看板-${period}.${format}`);
      res.setHeader('content-disposition', `attachment; filename="board-${period}.${format}"; filename*=UTF-8''${chineseName}`);
      if (format === 'csv') {
        res.setHeader('content-type', 'text/csv; charset=utf-8');
        res.end(boardCsv(answer.board, context));
      } else {
        res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        res.end(await boardWorkbook(answer.board, context));
      }
      return true;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      record.outcome = error.code;
      refuse(req, res, error);
      return true;
    }
  };

  /** The half year asked for and whose Authorization runs the query: the link's maker's, or the header's. */
  async function credentials(
    req: http.IncomingMessage,
    url: URL,
    format: Format,
    at: Date,
  ): Promise<{ halfYear: HalfYear; authorization: string }> {
    const asked = url.searchParams.get('period');
    const link = url.searchParams.get('link');
    if (link === null) {
      const authorization = authorizationHeader(req);
      const { halfYear } = fileRequest(await verified(authorization), asked, at, NO_CREDENTIALS);
      return { halfYear, authorization: present(authorization, "the Authorization header of a person's request") };
    }
    if (!deps.links)
      throw new Refusal(401, ErrorCode.UNAUTHENTICATED, {
        zh: '本平台未启用下载链接（DOWNLOAD_LINK_SECRET）',
        en: 'Download links are not enabled here (DOWNLOAD_LINK_SECRET)',
      });
    let grant;
    try {
      grant = await deps.links.open(link, at);
    } catch (error) {
      throw fromError(error);
    }
    const viewer = await verified(grant.authorization);
    // The period asked (a name that is no half year: BAD_USER_INPUT), or the link's.
    const { halfYear } = fileRequest(viewer, asked ?? grant.period, at);
    if (grant.resource !== 'board' || grant.format !== format || halfYear.name !== grant.period) {
      throw new Refusal(401, ErrorCode.UNAUTHENTICATED, {
        zh: `下载链接只能打开它所签的文件（${grant.period} 的 ${grant.format}）`,
        en: `The download link opens only the file it was made for (${grant.format} of ${grant.period})`,
      });
    }
    if (!samePerson(personOf(viewer), grant.person)) {
      throw new Refusal(401, ErrorCode.UNAUTHENTICATED, {
        zh: '下载链接无效：所载令牌不属于链接所签之人',
        en: 'Invalid download link: its token is not the person it names',
      });
    }
    return { halfYear, authorization: grant.authorization };
  }

  async function verified(authorization: string | undefined): Promise<Viewer> {
    try {
      return await deps.authenticator.viewerFromAuthorization(authorization);
    } catch (error) {
      throw fromError(error);
    }
  }

  /** The board query on this gateway's own server, as the given caller, under this request's deadline. */
  async function runBoardQuery(
    req: http.IncomingMessage,
    record: RequestRecord,
    authorization: string,
    variables: { period: string; dates: { from: string; to: string }; report: boolean },
  ): Promise<{ board: BoardFileRow[]; domains: DomainFigures[] }> {
    let answer: {
      data?: { board?: BoardFileRow[] | null; domains?: DomainFigures[] | null } | null;
      errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
    };
    try {
      const contextValue = await deps.gateway.contextAs(req, record, authorization);
      // The same planning, limits, permissions and figures as any API client; this request's record's
      // signal stops the subgraph calls when its time is up.
      const running = deps.gateway.apollo.executeOperation({ query: BOARD_EXPORT_QUERY, variables }, { contextValue });
      const { signal } = record;
      const timedOut = new Promise<never>((_, reject) => {
        if (signal?.aborted) reject(signal.reason);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
      const response = await Promise.race([running, timedOut]);
      if (response.body.kind !== 'single') throw new Error('the board query answered incrementally');
      answer = response.body.singleResult as typeof answer;
    } catch (error) {
      record.log.warn({ err: error }, 'board export failed');
      const failure = errors.serviceUnavailable({ zh: '看板暂时无法生成，请稍后重试', en: 'The board cannot be built now; retry shortly' });
      throw new Refusal(503, ErrorCode.SERVICE_UNAVAILABLE, {
        zh: failure.extensions.messageZh as string,
        en: failure.extensions.messageEn as string,
      });
    }
    const first = answer.errors?.[0];
    if (first || !answer.data?.board || !answer.data.domains) {
      // A board with a hole in it would mislead: refuse, saying which part is missing.
      const code = String(first?.extensions?.code ?? ErrorCode.SERVICE_UNAVAILABLE);
      const error = codedError(code as ErrorCode, {
        zh: String(first?.extensions?.messageZh ?? first?.message ?? '看板不完整'),
        en: String(first?.extensions?.messageEn ?? first?.message ?? 'The board is incomplete'),
      });
      throw new Refusal(STATUS[code] ?? 503, code, { zh: error.extensions.messageZh as string, en: error.extensions.messageEn as string });
    }
    return { board: answer.data.board, domains: answer.data.domains };
  }
}

/** The kit's one check of a file request (platform/periods.ts), its coded refusals as the gateway answers them. */
function fileRequest(viewer: Viewer, asked: string | null, at: Date, unauthenticated?: Bilingual): ReturnType<typeof halfYearFile> {
  try {
    return halfYearFile(viewer, asked, at);
  } catch (error) {
    const refusal = fromError(error, 400);
    if (refusal.code !== ErrorCode.UNAUTHENTICATED) throw refusal;
    throw new Refusal(401, refusal.code, unauthenticated ?? refusal.message);
  }
}

function wantsPage(req: http.IncomingMessage): boolean {
  return /\btext\/html\b/.test(req.headers.accept ?? '');
}

function refuse(req: http.IncomingMessage, res: http.ServerResponse, refusal: Refusal) {
  res.statusCode = refusal.status;
  res.setHeader('cache-control', 'no-store');
  if (wantsPage(req)) {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.setHeader(
      'content-security-policy',
      "default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    res.end(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(refusal.code)}</title><link rel="icon" href="data:,"></head>
<body><h1>${refusal.status} ${escape(refusal.code)}</h1><p>${escape(refusal.message.zh)}</p><p lang="en">${escape(refusal.message.en)}</p></body></html>
`);
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  const { zh, en } = refusal.message;
  res.end(JSON.stringify({ errors: [{ message: `${zh} / ${en}`, extensions: { code: refusal.code, messageZh: zh, messageEn: en } }] }));
}
