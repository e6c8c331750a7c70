/**
 * The libraries' own messages (graphql-js syntax, validation and variable errors, Apollo Server's
 * request errors, jose's token checks) as the API's bilingual messages. A person reading Chinese
 * gets a whole Chinese sentence, not English inside Chinese; the English keeps the library's words,
 * which developers search for.
 */
import { errors as joseErrors } from 'jose';
import type { Bilingual } from './errors.ts';

type Translation = [RegExp, (match: RegExpExecArray) => string];

const q = (text: string | undefined) => `“${text ?? ''}”`;

/** graphql-js's validation messages (16.x), most specific first. */
const validation: Translation[] = [
  [/^Cannot query field "([^"]+)" on type "([^"]+)"/, (m) => `类型 ${q(m[2])} 没有字段 ${q(m[1])}`],
  [/^Unknown argument "([^"]+)" on field "([^"]+)"/, (m) => `字段 ${q(m[2])} 没有参数 ${q(m[1])}`],
  [/^Unknown argument "([^"]+)" on directive "([^"]+)"/, (m) => `指令 ${q(m[2])} 没有参数 ${q(m[1])}`],
  [
    /^Field "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required, but it was not provided/,
    (m) => `字段 ${q(m[1])} 缺少必填参数 ${q(m[2])}（类型 ${m[3]}）`,
  ],
  [/^Directive "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required/, (m) => `指令 ${q(m[1])} 缺少必填参数 ${q(m[2])}`],
  [/^Field "([^"]+)" of required type "([^"]+)" was not provided/, (m) => `缺少必填字段 ${q(m[1])}（类型 ${m[2]}）`],
  [/^Field "([^"]+)" is not defined by type "([^"]+)"/, (m) => `输入类型 ${q(m[2])} 没有字段 ${q(m[1])}`],
  [
    /^Field "([^"]+)" must not have a selection since type "([^"]+)" has no subfields/,
    (m) => `字段 ${q(m[1])} 的类型 ${m[2]} 没有子字段，不能再选择`,
  ],
  [/^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields/, (m) => `字段 ${q(m[1])}（类型 ${m[2]}）须选择子字段`],
  [/^Unknown type "([^"]+)"/, (m) => `未知类型 ${q(m[1])}`],
  [/^Unknown fragment "([^"]+)"/, (m) => `未知片段 ${q(m[1])}`],
  [/^Unknown directive "([^"]+)"/, (m) => `未知指令 ${q(m[1])}`],
  [/^Fragment "([^"]+)" is never used/, (m) => `片段 ${q(m[1])} 未被使用`],
  [/^Cannot spread fragment "([^"]+)" within itself/, (m) => `片段 ${q(m[1])} 直接或间接引用了自身`],
  [/^Variable "([^"]+)" is never used/, (m) => `变量 ${q(m[1])} 未被使用`],
  [/^Variable "([^"]+)" is not defined/, (m) => `变量 ${q(m[1])} 未定义`],
  [
    /^Variable "([^"]+)" of type "([^"]+)" used in position expecting type "([^"]+)"/,
    (m) => `变量 ${q(m[1])} 的类型 ${m[2]} 与此处要求的 ${m[3]} 不符`,
  ],
  [/^Variable "([^"]+)" cannot be non-input type "([^"]+)"/, (m) => `变量 ${q(m[1])} 不能是输出类型 ${m[2]}`],
  [/^There can be only one (\w+(?: \w+)?) named "([^"]+)"/, (m) => `名为 ${q(m[2])} 的${nouns[m[1] ?? ''] ?? '定义'}只能有一个`],
  [/^The directive "([^"]+)" can only be used once at this location/, (m) => `指令 ${q(m[1])} 在此处只能使用一次`],
  [/^Directive "([^"]+)" may not be used on (\w+)/, (m) => `指令 ${q(m[1])} 不能用在 ${m[2]} 上`],
  [/^This anonymous operation must be the only defined operation/, () => '匿名操作必须是文档中唯一的操作'],
  [/^Fields "([^"]+)" conflict because/, (m) => `字段 ${q(m[1])} 的几处选择互相冲突，请用不同的别名`],
  [
    /^Fragment (?:"([^"]+)" )?cannot be spread here as objects of type "([^"]+)" can never be of type "([^"]+)"/,
    (m) => `类型 ${m[2]} 的对象不可能是 ${m[3]}，此处不能展开该片段`,
  ],
  [/^Fragment (?:"([^"]+)" )?cannot condition on non composite type "([^"]+)"/, (m) => `片段不能以非对象类型 ${m[2]} 为条件`],
  [/^The (\w+) definition is not executable/, () => '文档中含有不可执行的定义'],
  [/^Expected value of type "([^"]+)", found ([^;]*?)[.;]/, (m) => `此处需要 ${m[1]} 类型的值，得到的是 ${m[2]}`],
  [/^(String|Int|Float|Boolean|ID) cannot represent/, (m) => `值不能表示为 ${m[1]} 类型`],
  [/^Enum "([^"]+)" cannot represent/, (m) => `值不是枚举 ${m[1]} 的取值`],
  [/^Value "([^"]+)" does not exist in "([^"]+)" enum/, (m) => `${q(m[1])} 不是枚举 ${m[2]} 的取值`],
  [/^Maximum introspection depth exceeded/, () => '内省查询嵌套过深'],
  [/^GraphQL introspection is not allowed/, () => '本服务未开放内省查询'],
  [/^Schema is not configured to execute (\w+) operation/, (m) => `本服务不支持 ${m[1]} 操作`],
  [/^Exactly one key must be specified for OneOf type "([^"]+)"/, (m) => `输入类型 ${m[1]} 须且只能给出一个字段`],
];

const nouns: Record<string, string> = {
  argument: '参数',
  fragment: '片段',
  operation: '操作',
  variable: '变量',
  'input field': '输入字段',
  directive: '指令',
};

/** Variable values that do not fit their declared type (graphql-js `coerceVariableValues`). */
const variables: Translation[] = [
  [/^Variable "([^"]+)" of required type "([^"]+)" was not provided/, (m) => `缺少必填变量 ${q(m[1])}（类型 ${m[2]}）`],
  [/^Variable "([^"]+)" of non-null type "([^"]+)" must not be null/, (m) => `变量 ${q(m[1])}（类型 ${m[2]}）不能为 null`],
  [/^Variable "([^"]+)" got invalid value .*? at "([^"]+)"/, (m) => `变量 ${q(m[1])} 中 ${q(m[2])} 的值不合法`],
  [/^Variable "([^"]+)" got invalid value/, (m) => `变量 ${q(m[1])} 的值不合法`],
  [
    /^Variable "([^"]+)" expected value of type "([^"]+)" which cannot be used as an input type/,
    (m) => `变量 ${q(m[1])} 的类型 ${m[2]} 不能用作输入`,
  ],
];

/** Apollo Server's own refusals of a request it cannot run. */
const requests: Translation[] = [
  [/must contain a non-empty `query`/, () => '请求须含非空的 query 或已登记查询的扩展'],
  [/^GET requests only support query operations/, () => 'GET 请求只能执行查询，不能执行变更'],
  [
    /^This operation has been blocked as a potential Cross-Site Request Forgery/,
    () => '该请求可能是跨站请求伪造，已拦截；请使用 JSON 内容类型，或加上 apollo-require-preflight 头',
  ],
  [/^`(\w+)` in a (?:POST|GET) body must be/, (m) => `请求体中的 ${m[1]} 类型不对`],
  [/^`(\w+)` in a GET request/, (m) => `GET 请求的参数 ${m[1]} 不合法`],
  [/^POST body missing/, () => '请求体缺失或不是 JSON'],
  [/^PersistedQueryNotFound/, () => '未找到已登记的查询'],
  [/^PersistedQueryNotSupported/, () => '不支持已登记的查询'],
  [/^Unknown operation named "([^"]+)"/, (m) => `文档中没有名为 ${m[1]} 的操作`],
  [/^Must provide operation name/, () => '文档含多个操作时须给出 operationName'],
  [/^Must provide an operation/, () => '文档中没有可执行的操作'],
  [/^Invalid options provided to ApolloServer|^Operation must be/, () => '请求不合法'],
];

/**
 * graphql-js's "Did you mean …?" in Chinese: ` Did you mean "a", "b", or "c"?`, `… the enum value "X"?`,
 * `… to use an inline fragment on "T"?` (graphql-js 16 `didYouMean`). Empty when there is none.
 */
function suggestionZh(en: string): string {
  const match = /Did you mean (the enum value |to use an inline fragment on )?((?:"[^"]*"(?:,? or |, )?)+)\?/.exec(en);
  if (!match) return '';
  const names = [...(match[2] ?? '').matchAll(/"([^"]*)"/g)].map((name) => q(name[1]));
  const list = names.length > 1 ? `${names.slice(0, -1).join('、')} 或 ${names[names.length - 1]}` : (names[0] ?? '');
  if (match[1]?.startsWith('to use')) return `是不是要在 ${list} 上使用内联片段？`;
  return `是不是要找${match[1] ? '枚举值' : ''} ${list}？`;
}

function translate(table: Translation[], en: string, fallback: string): Bilingual {
  const hint = suggestionZh(en);
  const withHint = (zh: string) => (hint ? `${zh.replace(/[。.]$/, '')}。${hint}` : zh);
  for (const [pattern, zh] of table) {
    const match = pattern.exec(en);
    if (match) return { zh: withHint(zh(match)), en };
  }
  return { zh: withHint(fallback), en };
}

/** graphql-js's "Did you mean …?" names fields and types: off where introspection is off. */
export function withoutSuggestions(message: string): string {
  return message.replace(/\s*Did you mean [^?]*\?/g, '');
}

export function validationMessage(en: string): Bilingual {
  return translate(validation, en, '查询与接口定义不符');
}

export function variableMessage(en: string): Bilingual & { field?: string } {
  const found = translate(variables, en, '变量的值不合法');
  // `Variable "$input" got invalid value … at "input.title"` → the field `input.title`.
  const at = /^Variable "\$(\w+)" got invalid value .*? at "([^"]+)"/.exec(en);
  const variable = /^Variable "\$(\w+)"/.exec(en);
  return { ...found, field: at?.[2] ?? variable?.[1] };
}

export function requestMessage(en: string): Bilingual {
  return translate(requests, en, '请求不合法');
}

/** `Syntax Error: Expected Name, found "}".` at line 1, column 12. */
export function syntaxMessage(en: string, location?: { line: number; column: number }): Bilingual {
  const detail = en.replace(/^Syntax Error:\s*/, '');
  const where = location ? `（第 ${location.line} 行第 ${location.column} 列）` : '';
  return { zh: `GraphQL 语法错误${where}`, en: `Syntax error: ${detail}` };
}

/** The parser's token limit (`parseOptions.maxTokens`). */
export function tokenLimitOf(en: string): number | undefined {
  const match = /Document contains more \w+ (\d+) tokens/.exec(en);
  return match ? Number(match[1]) : undefined;
}

/** Why jose refused a token, in both languages. */
export function joseReason(error: unknown): Bilingual {
  if (error instanceof joseErrors.JWTExpired) {
    return error.claim === 'iat'
      ? { zh: '令牌签发已久，超过允许的有效期', en: 'the token was issued longer ago than the maximum lifetime' }
      : { zh: '令牌已过期', en: 'the token has expired' };
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    const claim = error.claim;
    const reason = error.reason;
    if (reason === 'missing') return { zh: `令牌缺少 ${claim} 声明`, en: `the token has no "${claim}" claim` };
    if (claim === 'iat') return { zh: '令牌的签发时间在未来', en: 'the token is issued in the future' };
    if (claim === 'nbf') return { zh: '令牌尚未生效', en: 'the token is not valid yet' };
    if (claim === 'iss') return { zh: '令牌的签发方不是本平台认可的身份提供方', en: 'the token was issued by another issuer' };
    if (claim === 'aud') return { zh: '令牌不是签发给本平台的', en: 'the token is meant for another audience' };
    return { zh: `令牌的 ${claim} 声明不合格`, en: `the token's "${claim}" claim is not acceptable` };
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { zh: '令牌签名不对', en: 'the signature does not verify' };
  if (error instanceof joseErrors.JOSEAlgNotAllowed)
    return { zh: '令牌使用了不允许的签名算法', en: 'the signing algorithm is not allowed' };
  if (error instanceof joseErrors.JWKSNoMatchingKey)
    return { zh: '身份提供方没有与令牌匹配的密钥', en: 'no key of the identity provider matches the token' };
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) {
    return { zh: '暂时无法取得身份提供方的密钥', en: 'the identity provider’s keys cannot be fetched' };
  }
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid || error instanceof joseErrors.JOSENotSupported) {
    return { zh: '令牌格式不对', en: 'the token is malformed' };
  }
  return { zh: '令牌无法验证', en: 'the token cannot be verified' };
}
