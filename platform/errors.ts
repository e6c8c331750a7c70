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
  TOO_EARLY: 'TOO_EARLY',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  QUERY_TOO_LONG: 'QUERY_TOO_LONG',
  PAGE_SIZE_TOO_LARGE: 'PAGE_SIZE_TOO_LARGE',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  REQUEST_HEADERS_TOO_LARGE: 'REQUEST_HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  SUBGRAPH_TIMEOUT: 'SUBGRAPH_TIMEOUT',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  // What GraphQL itself refuses (graphql-js, Apollo Server), with the libraries' messages translated.
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  BAD_REQUEST: 'BAD_REQUEST',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What each code means, in both languages: the README's list, and the generic message of a code. */
export const errorDescriptions: Record<ErrorCode, Bilingual> = {
  UNAUTHENTICATED: { zh: '未登录，或令牌无效', en: 'Not signed in, or the token is not valid' },
  FORBIDDEN: { zh: '无权执行该操作', en: 'You may not do this' },
  BAD_USER_INPUT: { zh: '输入不合法（extensions.field 指明字段）', en: 'Invalid input (extensions.field names the field)' },
  NOT_FOUND: { zh: '要找的对象不存在', en: 'The thing asked for does not exist' },
  CONFLICT: { zh: '与现有数据冲突，或已被他人修改', en: 'Conflicts with existing data, or was changed by someone else' },
  INVALID_TRANSITION: { zh: '当前状态下不能执行该操作', en: 'Not possible in the current state' },
  TOO_EARLY: {
    zh: '时候未到（extensions.possibleAfter 指明何时之后可以）',
    en: 'Not yet (extensions.possibleAfter says after when it is possible)',
  },
  RATE_LIMITED: { zh: '提交过于频繁，请稍后再试', en: 'Too many submissions; try again later' },
  QUERY_TOO_DEEP: { zh: '查询嵌套过深', en: 'The query nests too deeply' },
  TOO_MANY_ALIASES: { zh: '查询使用的别名过多', en: 'The query uses too many aliases' },
  QUERY_TOO_COMPLEX: { zh: '查询可能返回的数据过多', en: 'The query could return too much data' },
  QUERY_TOO_LONG: { zh: '查询文本过长', en: 'The query text is too long' },
  PAGE_SIZE_TOO_LARGE: { zh: '每页条数超过上限', en: 'The page size exceeds the maximum' },
  REQUEST_TOO_LARGE: { zh: '请求体过大', en: 'The request body is too large' },
  REQUEST_HEADERS_TOO_LARGE: { zh: '请求头过大（令牌过长？）', en: 'The request headers are too large (a token too long?)' },
  REQUEST_TIMEOUT: { zh: '请求处理超时', en: 'The request took too long' },
  SUBGRAPH_UNAVAILABLE: { zh: '某个子服务不可用，相关数据暂缺', en: 'A subgraph is unavailable; its data is missing' },
  SUBGRAPH_TIMEOUT: { zh: '某个子服务响应超时，相关数据暂缺', en: 'A subgraph did not answer in time; its data is missing' },
  SERVICE_UNAVAILABLE: { zh: '服务暂不可用', en: 'The service is unavailable' },
  GRAPHQL_PARSE_FAILED: { zh: 'GraphQL 查询语法错误', en: 'The GraphQL document has a syntax error' },
  GRAPHQL_VALIDATION_FAILED: { zh: 'GraphQL 查询与接口定义不符', en: 'The GraphQL document does not match the schema' },
  OPERATION_RESOLUTION_FAILURE: { zh: '无法确定要执行的操作', en: 'The operation to run cannot be determined' },
  BAD_REQUEST: { zh: '请求格式不对', en: 'The request is malformed' },
  PERSISTED_QUERY_NOT_FOUND: { zh: '未找到已登记的查询', en: 'Persisted query not found' },
  PERSISTED_QUERY_NOT_SUPPORTED: { zh: '不支持已登记的查询', en: 'Persisted queries are not supported' },
  INTERNAL_SERVER_ERROR: { zh: '服务器内部错误', en: 'Internal server error' },
};

export interface Bilingual {
  zh: string;
  en: string;
}

export function codedError(code: ErrorCode, message: Bilingual, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(`${message.zh} / ${message.en}`, {
    extensions: { code, messageZh: message.zh, messageEn: message.en, ...extensions },
  });
}

export const errors = {
  unauthenticated: (message: Bilingual = { zh: '请先登录', en: 'Authentication required' }) =>
    codedError(ErrorCode.UNAUTHENTICATED, message),
  forbidden: (message: Bilingual = { zh: '无权执行该操作', en: 'You may not do this' }) => codedError(ErrorCode.FORBIDDEN, message),
  badInput: (field: string, message: Bilingual) => codedError(ErrorCode.BAD_USER_INPUT, message, { field }),
  notFound: (what: Bilingual, id: string) =>
    codedError(ErrorCode.NOT_FOUND, { zh: `${what.zh}不存在：${id}`, en: `${what.en} not found: ${id}` }, { id }),
  conflict: (message: Bilingual, extensions: Record<string, unknown> = {}) => codedError(ErrorCode.CONFLICT, message, extensions),
  invalidTransition: (message: Bilingual, currentState: string) => codedError(ErrorCode.INVALID_TRANSITION, message, { currentState }),
  pageTooLarge: (max: number, requested: number) =>
    codedError(
      ErrorCode.PAGE_SIZE_TOO_LARGE,
      { zh: `每页最多 ${max} 条，请求了 ${requested} 条`, en: `At most ${max} items per page, ${requested} requested` },
      { max, requested },
    ),
  /** A step that a time rule allows only later: `possibleAfter` is the instant after which it is (ISO-8601, Beijing offset). */
  tooEarly: (message: Bilingual, possibleAfter: string) => codedError(ErrorCode.TOO_EARLY, message, { possibleAfter }),
  rateLimited: (message: Bilingual, retryAfterSeconds: number) => codedError(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds }),
  serviceUnavailable: (message: Bilingual) => codedError(ErrorCode.SERVICE_UNAVAILABLE, message),
  requestTimeout: (ms: number) =>
    codedError(
      ErrorCode.REQUEST_TIMEOUT,
      { zh: `请求处理超过 ${ms} 毫秒，已中止`, en: `The request ran longer than ${ms} ms and was stopped` },
      { timeoutMs: ms },
    ),
  operationNotFound: (name: string | null | undefined) =>
    codedError(
      ErrorCode.OPERATION_RESOLUTION_FAILURE,
      name
        ? { zh: `文档中没有名为 ${name} 的操作`, en: `Unknown operation named "${name}"` }
        : { zh: '文档含多个操作时须给出 operationName', en: 'Must provide operationName if the document contains several operations' },
    ),
  internal: () => codedError(ErrorCode.INTERNAL_SERVER_ERROR, errorDescriptions.INTERNAL_SERVER_ERROR),
};
