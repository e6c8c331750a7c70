/**
 * What every GraphQL server of the platform — the gateway and each slice's subgraph — is built with,
 * so a protection added here holds for every registered slice without the slice doing anything:
 * - limits measured before anything runs (platform/query-limits.ts) and the parser's token limit;
 * - execution stopped when the request's time is up (the HTTP front aborts the request's signal);
 * - introspection and `_service { sdl }` only where enabled;
 * - errors that never leak internals, with the libraries' messages in Chinese and English and the
 *   field named for bad input;
 * - one log line per request (filled here, written by the HTTP front).
 */
import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  GraphQLError,
  Kind,
  type ASTNode,
  type OperationDefinitionNode,
  type FloatValueNode,
  type IntValueNode,
  type GraphQLFormattedError,
  type ValidationRule,
} from 'graphql';
import { databaseUnavailable, sqlState } from '../db/client.ts';
import { ErrorCode, errorDescriptions, errors, type Bilingual } from './errors.ts';
import { requestMessage, syntaxMessage, tokenLimitOf, validationMessage, variableMessage, withoutSuggestions } from './library-errors.ts';
import { limitsPlugin, type QueryLimits } from './query-limits.ts';
import type { RequestRecord } from './log.ts';

export interface GraphQLServerSettings {
  limits: QueryLimits;
  /** Introspection, `_service { sdl }` and graphql-js's "Did you mean …?" suggestions. */
  introspection: boolean;
}

type Context = BaseContext & { request?: RequestRecord };

const registered = new Set<string>(Object.values(ErrorCode));
const isRegistered = (code: unknown): code is ErrorCode => typeof code === 'string' && registered.has(code);

/** Codes that are the caller's business; anything else is logged and answered as INTERNAL_SERVER_ERROR. */
const isExpected = (code: unknown): boolean => isRegistered(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR;

// ---- the field a bad input value belongs to ----

/**
 * graphql-js reports a bad literal (`receivedFrom: "0000-01-01T00:00:00Z"`) at its value node, and a
 * bad variable by the variable (`$d`), not by the argument: this rule notes, while validation walks
 * the document, each value node's place (`filter.receivedFrom`), each variable definition's place
 * where the variable is first used, and each field's arguments with their input fields, so that
 * every refusal names its field in one way (`argumentField`). Entries go with their document.
 */
const argumentPaths = new WeakMap<ASTNode, string>();

interface ArgumentInfo {
  name: string;
  /** The argument's input object fields, when it is one: where a slice's own paths (`contact.phone`) start. */
  inputFields: string[];
}
const fieldArguments = new WeakMap<ASTNode, ArgumentInfo[]>();

/**
 * The fields of an argument's input object type (none for a scalar or an enum), read by shape: the
 * schema's types may come from the other copy of graphql-js (CommonJS beside ESM), which its own
 * `isInputObjectType` refuses to look at.
 */
function inputFieldsOf(type: unknown): string[] {
  let named = type as { ofType?: unknown; getFields?: () => Record<string, unknown> };
  while (named.ofType) named = named.ofType as typeof named;
  return typeof named.getFields === 'function' ? Object.keys(named.getFields()) : [];
}

const ArgumentPathsRule: ValidationRule = (context) => {
  const path: (string | number)[] = [];
  const firstUse = new Map<string, string>();
  const here = () => path.reduce<string>((name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${key}` : key), '');
  const named = (node: ASTNode) => node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD;
  return {
    enter(node, key) {
      if (node.kind === Kind.FIELD) {
        const args = context.getFieldDef()?.args ?? [];
        fieldArguments.set(
          node,
          args.map((argument) => ({ name: argument.name, inputFields: inputFieldsOf(argument.type) })),
        );
      }
      if (named(node)) {
        path.push((node as { name: { value: string } }).name.value);
        return;
      }
      if (!path.length) return;
      // Inside an argument, a numeric key is the index of a list item.
      if (typeof key === 'number') path.push(key);
      argumentPaths.set(node, here());
      if (node.kind === Kind.VARIABLE && !firstUse.has(node.name.value)) firstUse.set(node.name.value, here());
    },
    leave(node, key) {
      if (named(node)) path.pop();
      else if (path.length && typeof key === 'number') path.pop();
      if (node.kind !== Kind.DOCUMENT) return;
      for (const definition of node.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        for (const variable of definition.variableDefinitions ?? []) {
          const use = firstUse.get(variable.variable.name.value);
          if (use) argumentPaths.set(variable, use);
        }
      }
    },
  };
};

/** `i.title` (a path inside variable `$i`) as the path from the argument `$i` is given to: `input.title`. */
function variableToArgument(operation: OperationDefinitionNode | undefined, variablePath: string): string {
  const name = /^[^.[]+/.exec(variablePath)?.[0] ?? variablePath;
  const definition = operation?.variableDefinitions?.find((variable) => variable.variable.name.value === name);
  const argument = definition ? argumentPaths.get(definition) : undefined;
  return argument ? `${argument}${variablePath.slice(name.length)}` : variablePath;
}

/**
 * `extensions.field`, one rule for every refusal of bad input: the path from the argument of the
 * field that refused it (`input.contact.phone`, `period.from`, `filter.search`), whether the value
 * came as a literal or in a variable of any name, and whoever found the problem — graphql-js, a
 * scalar (which names only itself, "Date"), the platform's checks or a slice's input rules (which
 * name the place inside the argument they parsed, `contact.phone`).
 */
function argumentField(error: unknown, message: string, given: unknown): string | undefined {
  const node = (error as { nodes?: readonly ASTNode[] } | undefined)?.nodes?.[0];
  // A variable's value: graphql-js names the variable, and the place inside it ("$i" … at "i.title").
  const variable = /^Variable "\$(\w+)"(?: got invalid value .*? at "([^"]+)")?/.exec(message);
  if (variable) {
    const inside = variable[2] ? variable[2].slice((variable[1] ?? '').length) : '';
    // A required input field left out is named by the message only: `…; Field "title" of required type "String!" was not provided.`
    const missing = /; Field "([^"]+)" of required type "[^"]+" was not provided/.exec(message)?.[1];
    return `${(node && argumentPaths.get(node)) ?? variable[1]}${inside}${missing ? `.${missing}` : ''}`;
  }
  // A literal: its place in the argument.
  const literal = node ? argumentPaths.get(node) : undefined;
  if (literal) return literal;
  if (typeof given !== 'string' || !given) return undefined;
  // A resolver's refusal: the argument its path starts in, when it names a place inside one.
  const args = node ? fieldArguments.get(node) : undefined;
  const head = /^[^.[]+/.exec(given)?.[0] ?? given;
  if (!args || args.some((argument) => argument.name === head)) return given;
  const holder = args.find((argument) => argument.inputFields.includes(head));
  return holder ? `${holder.name}.${given}` : given;
}

/**
 * A NUL character is valid in no input of this platform, and PostgreSQL refuses it inside a query
 * (an internal error, if it got that far). Refused here for every argument of every slice: in a
 * literal (validation) and in a variable (before execution), naming the field.
 */
const NUL = '\u0000';
const nulRefusal = (field: string) => errors.badInput(field, { zh: `${field} 含有空字符（NUL）`, en: `${field} contains a NUL character` });

const NoNulInLiteralsRule: ValidationRule = (context) => ({
  StringValue(node) {
    if (!node.value.includes(NUL)) return;
    const refusal = nulRefusal(argumentPaths.get(node) ?? 'input');
    context.reportError(new GraphQLError(refusal.message, { nodes: node, extensions: refusal.extensions, originalError: refusal }));
  },
});

/**
 * A number literal beyond the double range (`1e400`) is Infinity to graphql-js, which the Float
 * scalar lets through to a literal: the gateway's planner then failed on it (HTTP 500). Refused in
 * validation, naming the field, as a variable's Infinity is refused by the scalar itself.
 */
const FiniteNumberLiteralsRule: ValidationRule = (context) => {
  const check = (node: FloatValueNode | IntValueNode) => {
    if (Number.isFinite(Number(node.value))) return;
    const field = argumentPaths.get(node) ?? 'input';
    const refusal = errors.badInput(field, { zh: `${field} 超出数值范围`, en: `${field} is out of the range of numbers` });
    context.reportError(new GraphQLError(refusal.message, { nodes: node, extensions: refusal.extensions, originalError: refusal }));
  };
  return { FloatValue: check, IntValue: check };
};

/**
 * No input of the platform nests more than a few levels; a variable nested 10,000 deep overflowed
 * the stack of the walk below (an internal error). Deeper than this is refused, naming the variable.
 */
const MAX_VALUE_DEPTH = 32;

type ValueProblem = { kind: 'nul'; field: string } | { kind: 'depth' };

/** The first NUL in a variable's value (naming where), or that it nests too deep; the walk never goes deeper than the limit. */
function problemIn(value: unknown, path: string, depth = 0): ValueProblem | undefined {
  if (typeof value === 'string') return value.includes(NUL) ? { kind: 'nul', field: path } : undefined;
  if (!value || typeof value !== 'object') return undefined;
  if (depth >= MAX_VALUE_DEPTH) return { kind: 'depth' };
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [`${path}[${index}]`, item])
    : Object.entries(value).map(([key, item]) => [`${path}.${key.replaceAll(NUL, '\\0')}`, item]);
  if (!Array.isArray(value)) {
    const key = Object.keys(value).find((name) => name.includes(NUL));
    if (key !== undefined) return { kind: 'nul', field: `${path}.${key.replaceAll(NUL, '\\0')}` };
  }
  for (const [field, item] of entries) {
    const found = problemIn(item, field, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function nulGuardPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, operation }) {
          for (const [name, value] of Object.entries(request.variables ?? {})) {
            const found = problemIn(value, name);
            if (!found) continue;
            const refusal =
              found.kind === 'nul'
                ? nulRefusal(variableToArgument(operation, found.field))
                : errors.badInput(variableToArgument(operation, name), {
                    zh: `${name} 嵌套超过 ${MAX_VALUE_DEPTH} 层`,
                    en: `${name} nests more than ${MAX_VALUE_DEPTH} levels`,
                  });
            (refusal.extensions as Record<string, unknown>).http = { status: 400 };
            throw refusal;
          }
        },
      };
    },
  };
}

/** `_service { sdl }` prints the whole schema: it is introspection by another name. */
const NoServiceSdlRule: ValidationRule = (context) => ({
  Field(node) {
    if (node.name.value === '_service' && context.getParentType() === context.getSchema().getQueryType()) {
      context.reportError(new GraphQLError('GraphQL introspection is not allowed, but the query contained _service', { nodes: node }));
    }
  },
});

// ---- errors ----

interface Coded {
  message: string;
  extensions: Record<string, unknown>;
}

/**
 * The API's own coded error deepest in the chain: a scalar's refusal that graphql-js wrapped in
 * "Variable … got invalid value …" or "Expected value of type …", whose extensions it copied.
 */
function codedOrigin(error: unknown): Coded | undefined {
  let found: Coded | undefined;
  for (
    let current = error as { originalError?: unknown; extensions?: Record<string, unknown>; message?: string } | undefined, depth = 0;
    current && depth < 10;
    depth++
  ) {
    const extensions = current.extensions;
    if (extensions && isRegistered(extensions.code) && typeof extensions.messageZh === 'string' && typeof current.message === 'string') {
      found = { message: current.message, extensions };
    }
    current = current.originalError as typeof current;
  }
  return found;
}

function coded(code: ErrorCode, message: Bilingual, extra: Record<string, unknown> = {}) {
  return { message: `${message.zh} / ${message.en}`, extensions: { code, messageZh: message.zh, messageEn: message.en, ...extra } };
}

function withoutInternals(extensions: Record<string, unknown>): Record<string, unknown> {
  const { stacktrace: _stack, http: _http, exception: _exception, ...rest } = extensions;
  return rest;
}

/** Errors as callers see them: coded, bilingual, nothing internal. */
function createFormatError(settings: { suggestions: boolean }) {
  const english = (message: string) => (settings.suggestions ? message : withoutSuggestions(message));
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const place = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    const code = formatted.extensions?.code;

    const origin = codedOrigin(error);
    if (origin && isExpected(origin.extensions.code)) {
      const extensions = withoutInternals({
        ...origin.extensions,
        ...(formatted.extensions?.serviceName ? { serviceName: formatted.extensions.serviceName } : {}),
      });
      if (extensions.code === ErrorCode.BAD_USER_INPUT) {
        const field = argumentField(error, formatted.message, extensions.field);
        if (field) extensions.field = field;
      }
      return { message: origin.message, ...place, extensions };
    }

    switch (code) {
      case ErrorCode.GRAPHQL_PARSE_FAILED: {
        const maxTokens = tokenLimitOf(formatted.message);
        if (maxTokens !== undefined) {
          return {
            ...coded(
              ErrorCode.QUERY_TOO_LONG,
              { zh: `查询超过 ${maxTokens} 个词法单元，请缩短查询`, en: `The query has more than ${maxTokens} tokens; shorten it` },
              { max: maxTokens },
            ),
          };
        }
        return { ...coded(ErrorCode.GRAPHQL_PARSE_FAILED, syntaxMessage(formatted.message, formatted.locations?.[0])), ...place };
      }
      case ErrorCode.GRAPHQL_VALIDATION_FAILED: {
        const message = validationMessage(english(formatted.message));
        const literalField = argumentField(error, formatted.message, undefined);
        if (/^Expected value of type/.test(formatted.message) && literalField) {
          return { ...coded(ErrorCode.BAD_USER_INPUT, message, { field: literalField }), ...place };
        }
        return { ...coded(ErrorCode.GRAPHQL_VALIDATION_FAILED, message), ...place };
      }
      case ErrorCode.BAD_USER_INPUT: {
        if (typeof formatted.extensions?.messageZh === 'string')
          return { ...formatted, extensions: withoutInternals(formatted.extensions) };
        const { field: _variablePath, ...message } = variableMessage(english(formatted.message));
        const field = argumentField(error, formatted.message, undefined);
        return { ...coded(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {}), ...place };
      }
      case ErrorCode.BAD_REQUEST:
      case ErrorCode.OPERATION_RESOLUTION_FAILURE:
      case ErrorCode.PERSISTED_QUERY_NOT_FOUND:
      case ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED: {
        if (typeof formatted.extensions?.messageZh === 'string')
          return { ...formatted, extensions: withoutInternals(formatted.extensions) };
        return { ...coded(code, requestMessage(formatted.message)), ...place };
      }
    }
    if (isExpected(code) && typeof formatted.extensions?.messageZh === 'string') {
      return { ...formatted, extensions: withoutInternals(formatted.extensions ?? {}) };
    }
    // The database cancelled a statement that ran past STATEMENT_TIMEOUT_MS.
    if (sqlState((error as { originalError?: unknown } | undefined)?.originalError) === '57014') {
      return {
        ...coded(ErrorCode.REQUEST_TIMEOUT, { zh: '数据库查询超时，已中止', en: 'A database query took too long and was cancelled' }),
        ...place,
      };
    }
    // The connection dropped or the server is away: nothing of the request was committed unless its
    // commit was answered; the pool reconnects on the next request.
    if (databaseUnavailable(error)) {
      return {
        ...coded(ErrorCode.SERVICE_UNAVAILABLE, {
          zh: '数据库暂时无法访问，请稍后重试',
          en: 'The database is unreachable for the moment; retry shortly',
        }),
        ...place,
      };
    }
    return { ...coded(ErrorCode.INTERNAL_SERVER_ERROR, errorDescriptions.INTERNAL_SERVER_ERROR), ...place };
  };
}

/** Fills the request's log record (operation, outcome) and logs what `formatError` hides. */
function requestLogPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const record = contextValue.request;
      return {
        async didEncounterErrors({ errors: found }) {
          for (const error of found) {
            const code = codedOrigin(error)?.extensions.code ?? error.extensions?.code;
            if (isExpected(code) || sqlState(error.originalError) === '57014') continue;
            if (databaseUnavailable(error))
              record?.log.warn({ err: error.originalError ?? error, path: error.path }, 'database unavailable');
            else record?.log.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
          }
        },
        async willSendResponse({ operationName, request, response }) {
          if (!record) return;
          record.operation = operationName ?? request.operationName ?? undefined;
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const code = result?.errors?.[0]?.extensions?.code;
          record.outcome = typeof code === 'string' ? (isExpected(code) ? code : 'INTERNAL_SERVER_ERROR') : 'ok';
        },
      };
    },
  };
}

/**
 * Stops a request's execution once its time is up (or its caller has gone): every field not yet
 * resolved fails at once instead of running on after the answer was given up.
 */
function abortPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const signal = contextValue.request?.signal;
      if (!signal) return;
      return {
        async executionDidStart() {
          return {
            willResolveField() {
              if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : errors.requestTimeout(0);
            },
          };
        },
      };
    },
  };
}

/** The options every ApolloServer of the platform shares. */
export function graphqlServerOptions(settings: GraphQLServerSettings) {
  return {
    introspection: settings.introspection,
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError({ suggestions: settings.introspection }),
    parseOptions: { maxTokens: settings.limits.maxQueryTokens },
    validationRules: [
      ArgumentPathsRule,
      NoNulInLiteralsRule,
      FiniteNumberLiteralsRule,
      ...(settings.introspection ? [] : [NoServiceSdlRule]),
    ],
    // Shutdown is ours (platform/signals.ts): drain HTTP, then close the database, then exit 0.
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      nulGuardPlugin(),
      limitsPlugin(settings.limits),
      abortPlugin(),
      requestLogPlugin(),
    ] as ApolloServerPlugin<Context>[],
  } satisfies Partial<ApolloServerOptions<Context>>;
}
