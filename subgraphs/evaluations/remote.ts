/**
 * What this slice asks of other slices' public APIs for the half-yearly evaluation, and nothing
 * else: never their tables, never inside a transaction. Both questions go to the other subgraph's
 * own federation endpoint (`_entities` on Unit), with the caller's token, for every unit at once —
 * one call each, whatever the number of units:
 * - rectification: the issues subgraph's `issueStats(period).rectificationRate`;
 * - policy honouring: the policies subgraph's `policyStats(period)`, disbursedCount ÷ approved.
 */
import { askSlice } from '../../platform/slice-client.ts';

export const ISSUES_SLICE = 'issues';
export const POLICIES_SLICE = 'policies';

export interface FiguresSource {
  /** unit id → rate (0–1), null when nothing was due. */
  rectification(unitIds: readonly string[], period: { from: string; to: string }): Promise<Map<string, number | null>>;
  policyHonouring(unitIds: readonly string[], period: { from: string; to: string }): Promise<Map<string, number | null>>;
}

const RECTIFICATION_QUERY = /* GraphQL */ `
  query Rectification($representations: [_Any!]!, $period: PeriodInput) {
    _entities(representations: $representations) { ... on Unit { id issueStats(period: $period) { rectificationRate } } }
  }
`;
const HONOURING_QUERY = /* GraphQL */ `
  query PolicyHonouring($representations: [_Any!]!, $period: PeriodInput) {
    _entities(representations: $representations) { ... on Unit { id policyStats(period: $period) { approved disbursedCount } } }
  }
`;

type Entities<T> = { _entities: ({ id: string } & T | null)[] };

export function remoteFigures(options: { url: (slice: string) => string; authorization?: string; requestId?: string }): FiguresSource {
  const ask = <T>(slice: string, query: string, unitIds: readonly string[], period: { from: string; to: string }) =>
    askSlice<Entities<T>>({
      slice,
      url: options.url(slice),
      query,
      variables: { representations: unitIds.map((id) => ({ __typename: 'Unit', id })), period },
      authorization: options.authorization,
      requestId: options.requestId,
      timeoutMs: 30_000,
    });
  return {
    async rectification(unitIds, period) {
      if (!unitIds.length) return new Map();
      const { _entities } = await ask<{ issueStats: { rectificationRate: number | null } | null }>(ISSUES_SLICE, RECTIFICATION_QUERY, unitIds, period);
      return new Map(_entities.filter((e) => e !== null).map((e) => [e!.id, e!.issueStats?.rectificationRate ?? null]));
    },
    async policyHonouring(unitIds, period) {
      if (!unitIds.length) return new Map();
      const { _entities } = await ask<{ policyStats: { approved: number; disbursedCount: number } | null }>(POLICIES_SLICE, HONOURING_QUERY, unitIds, period);
      return new Map(
        _entities
          .filter((e) => e !== null)
          .map((e) => [e!.id, e!.policyStats && e!.policyStats.approved > 0 ? Math.min(1, e!.policyStats.disbursedCount / e!.policyStats.approved) : null]),
      );
    },
  };
}

/** Fixed figures (sample data, tests without the other slices). */
export function noFigures(): FiguresSource {
  return { rectification: async () => new Map(), policyHonouring: async () => new Map() };
}
