/**
 * Request limits the gateway enforces before planning: query depth and page size. (Request size is
 * enforced by the HTTP front.) Each refusal is a coded 400 answer, never a crash or a hang.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  GraphQLError,
  Kind,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { codedError, errors, ErrorCode } from '../platform/errors.ts';

export interface Limits {
  maxQueryDepth: number;
  maxPageSize: number;
}

/** Depth of the deepest field path; introspection (`__schema`, `__type`) is the explorer's own business. */
export function operationDepth(operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>): number {
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let deepest = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        deepest = Math.max(deepest, 1 + visit(selection.selectionSet, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, visit(selection.selectionSet, seen));
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (fragment && !seen.has(name)) deepest = Math.max(deepest, visit(fragment.selectionSet, new Set([...seen, name])));
      }
    }
    return deepest;
  };
  return visit(operation.selectionSet, new Set());
}

function numericValue(node: ValueNode, variables: Record<string, unknown>): number | undefined {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === 'number' ? value : undefined;
  }
  return undefined;
}

/** Every `first:` argument in the operation, literal or variable. */
export function largestPageRequested(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  let largest = 0;
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>) => {
    if (!set) return;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        for (const argument of selection.arguments ?? []) {
          if (argument.name.value !== 'first') continue;
          largest = Math.max(largest, numericValue(argument.value, variables) ?? 0);
        }
        visit(selection.selectionSet, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, seen);
      } else if (!seen.has(selection.name.value)) {
        visit(fragments[selection.name.value]?.selectionSet, new Set([...seen, selection.name.value]));
      }
    }
  };
  visit(operation.selectionSet, new Set());
  return largest;
}

function badRequest<T extends Error>(error: T): T {
  (error as unknown as { extensions: Record<string, unknown> }).extensions.http = { status: 400 };
  return error;
}

function unresolvedOperation(name: string | undefined | null): GraphQLError {
  const message = name
    ? { zh: `文档中没有名为 ${name} 的操作`, en: `Unknown operation named "${name}"` }
    : { zh: '文档含多个操作时须给出 operationName', en: 'Must provide operationName if the document contains several operations' };
  return new GraphQLError(`${message.zh} / ${message.en}`, {
    extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, messageZh: message.zh, messageEn: message.en },
  });
}

export function limitsPlugin(limits: Limits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          // Without a gateway, graphql-js reports an unknown or missing operation name and Apollo
          // Server answers 400; the gateway's executor throws instead, which became a 500. Refuse here.
          if (!operation) throw badRequest(unresolvedOperation(request.operationName));
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const definition of document.definitions) {
            if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
          }
          const depth = operationDepth(operation, fragments);
          if (depth > limits.maxQueryDepth) {
            throw badRequest(
              codedError(
                ErrorCode.QUERY_TOO_DEEP,
                {
                  zh: `查询嵌套 ${depth} 层，超过上限 ${limits.maxQueryDepth} 层`,
                  en: `The query nests ${depth} levels, more than the maximum of ${limits.maxQueryDepth}`,
                },
                { depth, max: limits.maxQueryDepth },
              ),
            );
          }
          const page = largestPageRequested(operation, fragments, request.variables ?? {});
          if (page > limits.maxPageSize) throw badRequest(errors.pageTooLarge(limits.maxPageSize, page));
        },
      };
    },
  };
}
