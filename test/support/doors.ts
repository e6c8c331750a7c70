/**
 * The two doors a test sends through to one slice: the gateway (the command office's cross-unit
 * queries) and the slice's own subgraph (its bureau's frontend), and `ok`, which expects no error
 * and gives `data`. The platform is read at each call, since a test file starts it in `beforeAll`.
 */
import { expect } from 'vitest';
import type { Caller, GraphQLResponse, TestPlatform } from './platform.ts';

export type Door<Slice extends string> = 'gateway' | `${Slice} subgraph`;

export function doors<Slice extends string>(platform: () => TestPlatform, slice: Slice) {
  const send = (via: Door<Slice>, document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> =>
    via === 'gateway' ? platform().query(document, { as, variables }) : platform().querySubgraph(slice, document, { as, variables });
  async function ok(document: string, as: Caller, variables: Record<string, unknown> = {}, via: Door<Slice> = 'gateway'): Promise<any> {
    const response = await send(via, document, as, variables);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    return response.data;
  }
  return { send, ok };
}

/** The code of a response's first error (`extensions.code`). */
export const codeOf = (response: Pick<GraphQLResponse, 'errors'>) => response.errors?.[0]?.extensions?.code;
