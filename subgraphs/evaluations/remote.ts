/**
 * What this slice asks of other slices' public APIs, and nothing
 * else: never their tables, never inside a transaction. Both questions go to the other subgraph's
 * own federation endpoint (`_entities` on Unit), with the caller's token, for every unit at once —
 * one call each, whatever the number of units:
 * - rectification: the issues subgraph's `issueStats(period).rectificationRate`;
 * - policy honouring: the policies subgraph's `policyStats(period)`, disbursedCount ÷ approved;
 * - the ratings they hold of a unit's work, for its 好差评 figures: issues' final ratings
 *   (`issueStats.rated`, `satisfactionRate`) and policies' application reviews (`policyStats.reviews`);
 * - the plan's dated duties each unit filed (方案备案, 自查问题清单: the issues slice keeps them, since a
 *   self-check list's problems become issues in the filing's transaction): `planDutyFigures(period)`,
 *   counted with the quarterly reports in the report-punctuality indicator.
 */
import { askSlice } from '../../platform/slice-client.ts';

export const ISSUES_SLICE = 'issues';
export const POLICIES_SLICE = 'policies';

export interface SourceFigures {
  count: number;
  satisfactionRate: number | null;
}

export interface FiguresSource {
  /** The other slices' ratings of each unit's work: issue handling and policy applications. */
  ratings(
    unitIds: readonly string[],
    period: { from: string; to: string } | null,
  ): Promise<Map<string, { issues: SourceFigures; policies: SourceFigures }>>;
  /** unit id → rate (0–1), null when nothing was due. */
  rectification(unitIds: readonly string[], period: { from: string; to: string }): Promise<Map<string, number | null>>;
  policyHonouring(unitIds: readonly string[], period: { from: string; to: string }): Promise<Map<string, number | null>>;
  /** unit id → its plan duties due in the period and already due (the issues slice's filings). */
  planDuties(unitIds: readonly string[], period: { from: string; to: string }): Promise<Map<string, DutyFigures>>;
}

/** A unit's plan duties due in a period (and already due): how many were expected of it and filed on time. */
export interface DutyFigures {
  expected: number;
  onTime: number;
}

export const PLAN_DUTY_QUERY = /* GraphQL */ `
  query PlanDutyFigures($representations: [_Any!]!, $period: PeriodInput) {
    _entities(representations: $representations) {
      ... on Unit {
        id
        planDutyFigures(period: $period) {
          expected
          onTime
        }
      }
    }
  }
`;

export const RECTIFICATION_QUERY = /* GraphQL */ `
  query Rectification($representations: [_Any!]!, $period: PeriodInput) {
    _entities(representations: $representations) {
      ... on Unit {
        id
        issueStats(period: $period) {
          rectificationRate
        }
      }
    }
  }
`;
export const HONOURING_QUERY = /* GraphQL */ `
  query PolicyHonouring($representations: [_Any!]!, $period: PeriodInput) {
    _entities(representations: $representations) {
      ... on Unit {
        id
        policyStats(period: $period) {
          approved
          disbursedCount
        }
      }
    }
  }
`;

export const ISSUE_RATINGS_QUERY = /* GraphQL */ `
  query IssueRatings($representations: [_Any!]!, $period: PeriodInput) {
    _entities(representations: $representations) {
      ... on Unit {
        id
        issueStats(period: $period) {
          rated
          satisfactionRate
        }
      }
    }
  }
`;
export const APPLICATION_RATINGS_QUERY = /* GraphQL */ `
  query ApplicationRatings($representations: [_Any!]!, $period: PeriodInput) {
    _entities(representations: $representations) {
      ... on Unit {
        id
        policyStats(period: $period) {
          reviews {
            count
            satisfactionRate
          }
        }
      }
    }
  }
`;

type Entities<T> = { _entities: (({ id: string } & T) | null)[] };

/** An entity the other slice resolved (null: one it does not know). */
const resolved = <T>(entity: T | null): entity is T => entity !== null;

export function remoteFigures(options: { url: (slice: string) => string; authorization?: string; requestId?: string }): FiguresSource {
  const ask = <T>(slice: string, query: string, unitIds: readonly string[], period: { from: string; to: string } | null) =>
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
    async ratings(unitIds, period) {
      if (!unitIds.length) return new Map();
      const [issues, policies] = await Promise.all([
        ask<{ issueStats: { rated: number; satisfactionRate: number | null } | null }>(ISSUES_SLICE, ISSUE_RATINGS_QUERY, unitIds, period),
        ask<{ policyStats: { reviews: { count: number; satisfactionRate: number | null } } | null }>(
          POLICIES_SLICE,
          APPLICATION_RATINGS_QUERY,
          unitIds,
          period,
        ),
      ]);
      const none = { count: 0, satisfactionRate: null };
      const byIssues = new Map(
        issues._entities
          .filter(resolved)
          .map((e) => [e.id, e.issueStats ? { count: e.issueStats.rated, satisfactionRate: e.issueStats.satisfactionRate } : none]),
      );
      const byPolicies = new Map(policies._entities.filter(resolved).map((e) => [e.id, e.policyStats ? e.policyStats.reviews : none]));
      return new Map(unitIds.map((id) => [id, { issues: byIssues.get(id) ?? none, policies: byPolicies.get(id) ?? none }]));
    },
    async rectification(unitIds, period) {
      if (!unitIds.length) return new Map();
      const { _entities } = await ask<{ issueStats: { rectificationRate: number | null } | null }>(
        ISSUES_SLICE,
        RECTIFICATION_QUERY,
        unitIds,
        period,
      );
      return new Map(_entities.filter(resolved).map((e) => [e.id, e.issueStats?.rectificationRate ?? null]));
    },
    async policyHonouring(unitIds, period) {
      if (!unitIds.length) return new Map();
      const { _entities } = await ask<{ policyStats: { approved: number; disbursedCount: number } | null }>(
        POLICIES_SLICE,
        HONOURING_QUERY,
        unitIds,
        period,
      );
      return new Map(
        _entities
          .filter(resolved)
          .map((e) => [
            e.id,
            e.policyStats && e.policyStats.approved > 0 ? Math.min(1, e.policyStats.disbursedCount / e.policyStats.approved) : null,
          ]),
      );
    },
    async planDuties(unitIds, period) {
      if (!unitIds.length) return new Map();
      const { _entities } = await ask<{ planDutyFigures: DutyFigures | null }>(ISSUES_SLICE, PLAN_DUTY_QUERY, unitIds, period);
      return new Map(_entities.filter(resolved).map((e) => [e.id, e.planDutyFigures ?? { expected: 0, onTime: 0 }]));
    },
  };
}

/** Fixed figures (sample data, tests without the other slices). */
export function noFigures(): FiguresSource {
  return {
    ratings: async () => new Map(),
    rectification: async () => new Map(),
    policyHonouring: async () => new Map(),
    planDuties: async () => new Map(),
  };
}
