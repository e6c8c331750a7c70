/**
 * What this slice asks of other slices' public APIs, and nothing else: never their tables, never
 * inside a transaction. An enterprise's profile, from the units slice, on the caller's behalf (their
 * token is forwarded, so the units slice's own permissions decide which enterprises a caller reaches),
 * for the products it is eligible for (`productMatches`); and the basis of its credit report, asked
 * with the enterprise's own token when it posts a demand consenting to the report (report-basis.ts):
 * its registry profile (units), its policy grants and payments (policies), its appeals (issues).
 */
import { errors } from '../../platform/errors.ts';
import { askSlice } from '../../platform/slice-client.ts';
import type { EnterpriseProfile } from './eligibility.ts';

export const PROFILE_SLICE = 'units';

/** Enterprise profiles as this slice needs them. */
export interface EnterpriseSource {
  /** Null when the enterprise is not registered or the caller may not see it. */
  profile(creditCode: string): Promise<(EnterpriseProfile & { name: string | null }) | null>;
}

export const PROFILE_QUERY = /* GraphQL */ `
  query FinancingEnterpriseProfile($code: String!) {
    enterprise(creditCode: $code) {
      creditCode
      name
      industryCode
      sizeClass
      registeredOn
      qualifications
      district {
        code
      }
    }
  }
`;

type ProfileAnswer = { enterprise: (Omit<EnterpriseProfile, 'districtCode'> & { name: string | null; district: { code: string } }) | null };

/** Profiles from the units slice, asked with the caller's own token. */
export function remoteEnterprises(options: { url: () => string; authorization?: string; requestId?: string }): EnterpriseSource {
  return {
    async profile(creditCode) {
      const { enterprise } = await askSlice<ProfileAnswer>({
        slice: PROFILE_SLICE,
        url: options.url(),
        query: PROFILE_QUERY,
        variables: { code: creditCode },
        authorization: options.authorization,
        requestId: options.requestId,
        timeoutMs: 30_000,
      });
      if (!enterprise) return null;
      const { district, ...rest } = enterprise;
      return { ...rest, districtCode: district.code };
    },
  };
}

export const POLICIES_SLICE = 'policies';
export const ISSUES_SLICE = 'issues';

/** The registry profile a credit report shows (units slice, `enterprise`). */
export const REPORT_PROFILE_QUERY = /* GraphQL */ `
  query FinancingReportProfile($code: String!) {
    enterprise(creditCode: $code) {
      creditCode
      registered
      name
      industryCode
      sizeClass
      registeredOn
      district {
        code
      }
    }
  }
`;

/**
 * Policy grants (policies slice, `applications` as the enterprise sees its own): those approved —
 * approved, in public notice or paid — and those paid, with the amounts paid, a page at a time.
 */
export const REPORT_GRANTS_QUERY = /* GraphQL */ `
  query FinancingReportGrants($code: String!, $after: String) {
    approved: applications(filter: { enterpriseCreditCode: $code, status: [APPROVED, PUBLIC_NOTICE, DISBURSED] }, first: 1) {
      totalCount
      totalCountIsEstimate
    }
    paid: applications(filter: { enterpriseCreditCode: $code, status: [DISBURSED] }, first: 100, after: $after) {
      totalCount
      totalCountIsEstimate
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          disbursement {
            amount
          }
        }
      }
    }
  }
`;

/** Appeals (issues slice, `issues` as the enterprise sees its own): filed, and resolved or closed. */
export const REPORT_APPEALS_QUERY = /* GraphQL */ `
  query FinancingReportAppeals($code: String!) {
    filed: issues(filter: { enterpriseCreditCode: $code }, first: 1) {
      totalCount
      totalCountIsEstimate
    }
    resolved: issues(filter: { enterpriseCreditCode: $code, status: [RESOLVED, CLOSED] }, first: 1) {
      totalCount
      totalCountIsEstimate
    }
  }
`;

/** The profile part of a report basis: null when the registry does not have the enterprise. */
export interface ReportProfile {
  name: string;
  industryCode: string;
  sizeClass: 'LARGE' | 'MEDIUM' | 'SMALL' | 'MICRO';
  registeredOn: string;
  districtCode: string;
}
export interface ReportGrants {
  approved: number;
  paid: number;
  amountPaid: number;
}
export interface ReportAppeals {
  filed: number;
  resolved: number;
}

/** What the other slices tell of an enterprise, asked with the caller's (the enterprise's) token. */
export interface ReportBasisSource {
  profile(creditCode: string): Promise<ReportProfile | null>;
  grants(creditCode: string): Promise<ReportGrants>;
  appeals(creditCode: string): Promise<ReportAppeals>;
}

type ReportProfileAnswer = {
  enterprise: {
    registered: boolean;
    name: string | null;
    industryCode: string | null;
    sizeClass: ReportProfile['sizeClass'] | null;
    registeredOn: string | null;
    district: { code: string } | null;
  } | null;
};
type Count = { totalCount: number; totalCountIsEstimate: boolean };

/**
 * A count a report's basis is hashed from: exact, or the report cannot be made. An enterprise's own
 * grants and appeals are far below the lists' exact-count limit; a count above it is refused rather
 * than written into a report as an estimate.
 */
function exact(count: Count, what: { zh: string; en: string }): number {
  if (count.totalCountIsEstimate)
    throw errors.serviceUnavailable({
      zh: `${what.zh}超过精确计数上限，无法生成报告`,
      en: `The ${what.en} exceed the exact-count limit; the report cannot be made`,
    });
  return count.totalCount;
}
type GrantsAnswer = {
  approved: Count;
  paid: Count & {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: { disbursement: { amount: number } | null } }[];
  };
};

/** At most this many pages of paid grants (100 each) are summed: a bound on one post's questions. */
const MAX_GRANT_PAGES = 50;

export function remoteReportBasis(options: {
  url: (slice: string) => string;
  authorization?: string;
  requestId?: string;
}): ReportBasisSource {
  const ask = <T>(slice: string, query: string, variables: Record<string, unknown>) =>
    askSlice<T>({
      slice,
      url: options.url(slice),
      query,
      variables,
      authorization: options.authorization,
      requestId: options.requestId,
      timeoutMs: 30_000,
    });
  return {
    async profile(creditCode) {
      const { enterprise } = await ask<ReportProfileAnswer>(PROFILE_SLICE, REPORT_PROFILE_QUERY, { code: creditCode });
      if (!enterprise?.registered) return null;
      const { name, industryCode, sizeClass, registeredOn, district } = enterprise;
      if (!name || !industryCode || !sizeClass || !registeredOn || !district) return null;
      return { name, industryCode, sizeClass, registeredOn, districtCode: district.code };
    },
    async grants(creditCode) {
      let after: string | null = null;
      let amountPaid = 0;
      let answer: GrantsAnswer;
      let pages = 0;
      do {
        answer = await ask<GrantsAnswer>(POLICIES_SLICE, REPORT_GRANTS_QUERY, { code: creditCode, after });
        for (const edge of answer.paid.edges) amountPaid += edge.node.disbursement?.amount ?? 0;
        after = answer.paid.pageInfo.endCursor;
        pages++;
      } while (answer.paid.pageInfo.hasNextPage && after && pages < MAX_GRANT_PAGES);
      // Yuan to the fen, as the payments were recorded: a sum of floats must not carry binary noise into a hash.
      return {
        approved: exact(answer.approved, { zh: '获批政策兑现数', en: 'approved grants' }),
        paid: exact(answer.paid, { zh: '已拨付政策兑现数', en: 'paid grants' }),
        amountPaid: Math.round(amountPaid * 100) / 100,
      };
    },
    async appeals(creditCode) {
      const answer = await ask<{ filed: Count; resolved: Count }>(ISSUES_SLICE, REPORT_APPEALS_QUERY, { code: creditCode });
      return {
        filed: exact(answer.filed, { zh: '诉求数', en: 'appeals filed' }),
        resolved: exact(answer.resolved, { zh: '已解决诉求数', en: 'appeals resolved' }),
      };
    },
  };
}
