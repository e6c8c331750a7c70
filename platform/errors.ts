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
