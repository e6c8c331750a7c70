/**
 * The error registry. Every refusal the API makes has a code here, a bilingual message a person
 * can read, and a factory returning a GraphQLError with `extensions.code`. Resolvers and services
 * never throw a plain Error for something the caller did.
 */
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INVALID_TRANSITION: 'INVALID_TRANSITION',
  CALENDAR_YEAR_MISSING: 'CALENDAR_YEAR_MISSING',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  PAGE_SIZE_TOO_LARGE: 'PAGE_SIZE_TOO_LARGE',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  SUBGRAPH_TIMEOUT: 'SUBGRAPH_TIMEOUT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What each code means, for docs/ARCHITECTURE.md and the explorer's readers. */
export const errorCodeDescriptions: Record<ErrorCode, string> = {
  UNAUTHENTICATED: '未登录或令牌无效 / no valid bearer token',
  FORBIDDEN: '无权执行该操作 / the caller may not do this',
  BAD_USER_INPUT: '输入不合法 / invalid input; `extensions.field` names the field',
  NOT_FOUND: '对象不存在 / the object does not exist or is not visible to the caller',
  CONFLICT: '并发冲突或重复 / someone else changed it first, or it already exists',
  INVALID_TRANSITION: '当前状态不允许该操作 / the object is not in a state that allows this',
  CALENDAR_YEAR_MISSING: '工作日历缺少该年份 / the working-day calendar lacks that year',
  QUERY_TOO_DEEP: '查询嵌套过深 / the query nests deeper than allowed',
  PAGE_SIZE_TOO_LARGE: '分页过大 / `first` exceeds the maximum page size',
  REQUEST_TOO_LARGE: '请求体过大 / the request body exceeds the limit',
  SUBGRAPH_UNAVAILABLE: '子服务不可用 / a subgraph could not be reached; other data is still returned',
  SUBGRAPH_TIMEOUT: '子服务超时 / a subgraph did not answer in time; other data is still returned',
  SERVICE_UNAVAILABLE: '依赖的服务不可用 / a service this one depends on is unavailable',
};

export interface Bilingual {
  zh: string;
  en: string;
}

export function codedError(
  code: ErrorCode,
  message: Bilingual,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(`${message.zh} / ${message.en}`, {
    extensions: { code, messageZh: message.zh, messageEn: message.en, ...extensions },
  });
}

export const errors = {
  unauthenticated: (message: Bilingual = { zh: '请先登录', en: 'Authentication required' }) =>
    codedError(ErrorCode.UNAUTHENTICATED, message),
  forbidden: (message: Bilingual = { zh: '无权执行该操作', en: 'You may not do this' }) =>
    codedError(ErrorCode.FORBIDDEN, message),
  badInput: (field: string, message: Bilingual) =>
    codedError(ErrorCode.BAD_USER_INPUT, message, { field }),
  notFound: (what: Bilingual, id: string) =>
    codedError(
      ErrorCode.NOT_FOUND,
      { zh: `${what.zh}不存在：${id}`, en: `${what.en} not found: ${id}` },
      { id },
    ),
  conflict: (message: Bilingual, extensions: Record<string, unknown> = {}) =>
    codedError(ErrorCode.CONFLICT, message, extensions),
  invalidTransition: (message: Bilingual, currentState: string) =>
    codedError(ErrorCode.INVALID_TRANSITION, message, { currentState }),
  calendarYearMissing: (year: number) =>
    codedError(
      ErrorCode.CALENDAR_YEAR_MISSING,
      {
        zh: `工作日历缺少 ${year} 年，请市指挥部办公室按国务院办公厅通知录入`,
        en: `The working-day calendar has no data for ${year}; the command office must enter it from the State Council notice`,
      },
      { year },
    ),
  pageTooLarge: (max: number, requested: number) =>
    codedError(
      ErrorCode.PAGE_SIZE_TOO_LARGE,
      { zh: `每页最多 ${max} 条，请求了 ${requested} 条`, en: `At most ${max} items per page, ${requested} requested` },
      { max, requested },
    ),
  serviceUnavailable: (message: Bilingual) => codedError(ErrorCode.SERVICE_UNAVAILABLE, message),
};

/** For states the code believes impossible: a bug, never the caller's fault. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Invariant violated: ${message}`);
}
