/**
 * What this slice asks of other slices' public APIs, and nothing else: never their tables, never
 * inside a transaction. An enterprise's profile, from the units slice, on the caller's behalf (their
 * token is forwarded, so the units slice's own permissions decide which enterprises a caller reaches),
 * for the products it is eligible for (`productMatches`).
 */
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
