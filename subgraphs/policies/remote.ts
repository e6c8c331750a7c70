/**
 * What this slice asks of other slices' public APIs, and nothing else: never their tables, never
 * inside a transaction.
 * - Enterprise profiles, from the units slice, on the caller's behalf (their token is forwarded, so
 *   the units slice's own permissions decide which enterprises a caller can reach): one profile for
 *   the policy calculator and for an application; and, for notices and automatic grants, the credit
 *   codes of every enterprise meeting an item's criteria, with the criteria pushed down as a filter
 *   (`enterpriseCodes`, 100,000 a page).
 * - The working-day calendar, through platform/calendar-source.ts (the issues slice keeps it).
 */
export { staticCalendar, type CalendarSource } from '../../platform/calendar-source.ts';
import { askSlice } from '../../platform/slice-client.ts';
import { meetsFilter, type EnterpriseFilter, type EnterpriseProfile } from './eligibility.ts';

export const PROFILE_SLICE = 'units';

/** Enterprise profiles as this slice needs them. */
export interface EnterpriseSource {
  /** Null when the enterprise is not registered or the caller may not see it. */
  profile(creditCode: string): Promise<EnterpriseProfile | null>;
  /**
   * Profiles of many enterprises at once (a batch of imported applications): one question per
   * PROFILES_AT_ONCE codes, whatever the number of records; a code maps to null as `profile` says.
   */
  profiles(creditCodes: readonly string[]): Promise<Map<string, EnterpriseProfile | null>>;
  /** Every enterprise meeting the filter that the caller may see. */
  codes(filter: EnterpriseFilter): Promise<string[]>;
  /** As `codes`, with each enterprise's name (what a public notice shows of it): credit code → name. */
  named(filter: EnterpriseFilter): Promise<Map<string, string>>;
}

export const PROFILE_QUERY = /* GraphQL */ `
  query EnterpriseProfile($code: String!) {
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

export const PROFILES_QUERY = /* GraphQL */ `
  query EnterpriseProfiles($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Enterprise {
        creditCode
        registered
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
  }
`;

/** Codes asked in one `_entities` question. */
export const PROFILES_AT_ONCE = 500;

export const CODES_QUERY = /* GraphQL */ `
  query EligibleEnterprises($filter: EnterpriseFilter, $after: String) {
    enterpriseCodes(filter: $filter, after: $after) {
      codes
      names
      hasNextPage
      endCursor
    }
  }
`;

type ProfileAnswer = { enterprise: (Omit<EnterpriseProfile, 'districtCode'> & { district: { code: string } }) | null };
/** `_entities` answers a code that is not registered with a stub (`registered: false`, no profile): null here, as `profile` says. */
type ProfilesAnswer = { _entities: (NonNullable<ProfileAnswer['enterprise']> & { registered: boolean })[] };
type CodesAnswer = { enterpriseCodes: { codes: string[]; names: string[]; hasNextPage: boolean; endCursor: string | null } };

/** Profiles from the units slice, asked with the caller's own token. */
export function remoteEnterprises(options: { url: () => string; authorization?: string; requestId?: string }): EnterpriseSource {
  const ask = <T>(query: string, variables: Record<string, unknown>) =>
    askSlice<T>({
      slice: PROFILE_SLICE,
      url: options.url(),
      query,
      variables,
      authorization: options.authorization,
      requestId: options.requestId,
      timeoutMs: 30_000,
    });
  return {
    async profile(creditCode) {
      const { enterprise } = await ask<ProfileAnswer>(PROFILE_QUERY, { code: creditCode });
      if (!enterprise) return null;
      const { district, ...rest } = enterprise;
      return { ...rest, districtCode: district.code };
    },
    async profiles(creditCodes) {
      const codes = [...new Set(creditCodes)];
      const found = new Map<string, EnterpriseProfile | null>();
      for (let start = 0; start < codes.length; start += PROFILES_AT_ONCE) {
        const part = codes.slice(start, start + PROFILES_AT_ONCE);
        const answer = await ask<ProfilesAnswer>(PROFILES_QUERY, {
          representations: part.map((creditCode) => ({ __typename: 'Enterprise', creditCode })),
        });
        part.forEach((code, index) => {
          const enterprise = answer._entities[index];
          if (!enterprise?.registered) return found.set(code, null);
          const { district, registered: _registered, ...rest } = enterprise;
          return found.set(code, { ...rest, districtCode: district.code });
        });
      }
      return found;
    },
    async codes(filter) {
      return [...(await this.named(filter)).keys()];
    },
    async named(filter) {
      const named = new Map<string, string>();
      let after: string | null = null;
      do {
        const { enterpriseCodes: page }: CodesAnswer = await ask<CodesAnswer>(CODES_QUERY, { filter, after });
        page.codes.forEach((code, index) => named.set(code, page.names[index] ?? ''));
        after = page.hasNextPage ? page.endCursor : null;
      } while (after);
      return named;
    },
  };
}

/** Fixed profiles (sample data), filtered as the units slice filters. */
export function staticEnterprises(profiles: EnterpriseProfile[]): EnterpriseSource {
  return {
    profile: async (code) => profiles.find((p) => p.creditCode === code) ?? null,
    profiles: async (codes) => new Map(codes.map((code) => [code, profiles.find((p) => p.creditCode === code) ?? null])),
    codes: async (filter) => profiles.filter((p) => meetsFilter(p, filter)).map((p) => p.creditCode),
    named: async (filter) => new Map(profiles.filter((p) => meetsFilter(p, filter)).map((p) => [p.creditCode, p.name ?? ''])),
  };
}
