/**
 * Eligibility of an enterprise for a policy item (政策计算器), without I/O: the one definition of
 * what each criterion means. The store's matching query and the units API filter used for bulk
 * notices and automatic grants are derived from it, and a test holds all three to the same answers.
 *
 * Criteria: industry (GB/T 4754 code prefixes, any one), size class (any one), district (any one),
 * full years since registration (at least / at most), qualifications (any one or all). A criterion
 * left empty does not restrict. Years are counted as full years on the day asked (a birthday rule:
 * registered 2020-03-15 → 3 full years on 2023-03-15, still 2 on 2023-03-14).
 */

export type SizeClass = 'LARGE' | 'MEDIUM' | 'SMALL' | 'MICRO';
export type Qualification = 'HIGH_TECH' | 'TECH_SME' | 'SPECIALIZED_SME' | 'LITTLE_GIANT' | 'GAZELLE' | 'MANUFACTURING_CHAMPION';
export type QualificationMatch = 'ANY' | 'ALL';
export type Criterion = 'INDUSTRY' | 'SIZE' | 'DISTRICT' | 'YEARS_REGISTERED' | 'QUALIFICATION';

export interface Criteria {
  industryPrefixes: string[];
  sizeClasses: SizeClass[];
  districtCodes: string[];
  minYears: number | null;
  maxYears: number | null;
  qualifications: Qualification[];
  qualificationMatch: QualificationMatch;
}

/** What the units slice says of an enterprise, as far as eligibility needs it. */
export interface EnterpriseProfile {
  creditCode: string;
  districtCode: string;
  industryCode: string;
  sizeClass: SizeClass;
  registeredOn: string | null;
  qualifications: Qualification[];
}

export interface CriterionResult {
  criterion: Criterion;
  met: boolean;
  reason: string;
  reasonEn: string;
}

export const sizeNames: Record<SizeClass, string> = { LARGE: '大型', MEDIUM: '中型', SMALL: '小型', MICRO: '微型' };
export const qualificationNames: Record<Qualification, string> = {
  HIGH_TECH: '高新技术企业',
  TECH_SME: '科技型中小企业',
  SPECIALIZED_SME: '专精特新中小企业',
  LITTLE_GIANT: '专精特新“小巨人”企业',
  GAZELLE: '瞪羚企业',
  MANUFACTURING_CHAMPION: '制造业单项冠军',
};

export const unrestricted: Criteria = {
  industryPrefixes: [],
  sizeClasses: [],
  districtCodes: [],
  minYears: null,
  maxYears: null,
  qualifications: [],
  qualificationMatch: 'ANY',
};

/** Full years from `from` to `on` (both YYYY-MM-DD). */
export function fullYears(from: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(from.slice(0, 4));
  return on.slice(5) < from.slice(5) ? years - 1 : years;
}

/** `on` minus `years` years, as a date (29 February becomes 28 February in a common year). */
export function yearsBefore(on: string, years: number): string {
  const year = Number(on.slice(0, 4)) - years;
  const monthDay = on.slice(5);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return `${String(year).padStart(4, '0')}-${monthDay === '02-29' && !leap ? '02-28' : monthDay}`;
}

const list = (items: readonly string[]) => items.join('、');

/** Every criterion, met or not, with the reason in Chinese and English. */
export function evaluate(criteria: Criteria, profile: EnterpriseProfile, on: string): CriterionResult[] {
  const results: CriterionResult[] = [];
  const add = (criterion: Criterion, met: boolean, reason: string, reasonEn: string) => results.push({ criterion, met, reason, reasonEn });

  if (!criteria.industryPrefixes.length) add('INDUSTRY', true, '行业不限', 'Any industry');
  else {
    const hit = criteria.industryPrefixes.find((prefix) => profile.industryCode.startsWith(prefix));
    if (hit) add('INDUSTRY', true, `行业代码 ${profile.industryCode} 属于 ${hit}`, `Industry ${profile.industryCode} falls under ${hit}`);
    else add('INDUSTRY', false, `行业代码 ${profile.industryCode} 不属于 ${list(criteria.industryPrefixes)}`, `Industry ${profile.industryCode} is not under ${criteria.industryPrefixes.join(', ')}`);
  }

  if (!criteria.sizeClasses.length) add('SIZE', true, '规模不限', 'Any size');
  else {
    const met = criteria.sizeClasses.includes(profile.sizeClass);
    const wanted = list(criteria.sizeClasses.map((s) => sizeNames[s]));
    add('SIZE', met, met ? `${sizeNames[profile.sizeClass]}企业，符合（${wanted}）` : `${sizeNames[profile.sizeClass]}企业，要求${wanted}`, met ? `${profile.sizeClass} as required` : `${profile.sizeClass}; required: ${criteria.sizeClasses.join(', ')}`);
  }

  if (!criteria.districtCodes.length) add('DISTRICT', true, '区(市)不限', 'Any district');
  else {
    const met = criteria.districtCodes.includes(profile.districtCode);
    add('DISTRICT', met, met ? `所在区(市) ${profile.districtCode} 符合` : `所在区(市) ${profile.districtCode} 不在 ${list(criteria.districtCodes)} 之内`, met ? `District ${profile.districtCode} is covered` : `District ${profile.districtCode} is not among ${criteria.districtCodes.join(', ')}`);
  }

  if (criteria.minYears === null && criteria.maxYears === null) add('YEARS_REGISTERED', true, '成立年限不限', 'Any age');
  else {
    const span = criteria.minYears !== null && criteria.maxYears !== null ? `${criteria.minYears}–${criteria.maxYears} 年` : criteria.minYears !== null ? `至少 ${criteria.minYears} 年` : `不超过 ${criteria.maxYears} 年`;
    const spanEn = criteria.minYears !== null && criteria.maxYears !== null ? `${criteria.minYears}–${criteria.maxYears} years` : criteria.minYears !== null ? `at least ${criteria.minYears} years` : `at most ${criteria.maxYears} years`;
    if (!profile.registeredOn) add('YEARS_REGISTERED', false, `成立日期未登记，无法判断是否成立${span}`, `No date of registration on record; required: ${spanEn}`);
    else {
      const years = fullYears(profile.registeredOn, on);
      const met = (criteria.minYears === null || years >= criteria.minYears) && (criteria.maxYears === null || years <= criteria.maxYears);
      add('YEARS_REGISTERED', met, `${profile.registeredOn} 成立，满 ${years} 年，要求${span}`, `Registered ${profile.registeredOn}, ${years} full years; required: ${spanEn}`);
    }
  }

  if (!criteria.qualifications.length) add('QUALIFICATION', true, '资质不限', 'No qualification required');
  else {
    const held = criteria.qualifications.filter((q) => profile.qualifications.includes(q));
    const met = criteria.qualificationMatch === 'ALL' ? held.length === criteria.qualifications.length : held.length > 0;
    const wanted = list(criteria.qualifications.map((q) => qualificationNames[q]));
    const how = criteria.qualificationMatch === 'ALL' ? '须全部具备' : '具备其一即可';
    const missing = criteria.qualifications.filter((q) => !profile.qualifications.includes(q));
    add(
      'QUALIFICATION',
      met,
      met ? `具备${list(held.map((q) => qualificationNames[q]))}（${wanted}，${how}）` : `缺少${list((criteria.qualificationMatch === 'ALL' ? missing : criteria.qualifications).map((q) => qualificationNames[q]))}（${how}）`,
      met ? `Holds ${held.join(', ')}` : `Lacks ${(criteria.qualificationMatch === 'ALL' ? missing : criteria.qualifications).join(criteria.qualificationMatch === 'ALL' ? ', ' : ' or ')}`,
    );
  }
  return results;
}

export const unmetCount = (results: CriterionResult[]) => results.filter((r) => !r.met).length;

/** The criteria that restrict anything. */
export function restrictingCriteria(criteria: Criteria): Criterion[] {
  const found: Criterion[] = [];
  if (criteria.industryPrefixes.length) found.push('INDUSTRY');
  if (criteria.sizeClasses.length) found.push('SIZE');
  if (criteria.districtCodes.length) found.push('DISTRICT');
  if (criteria.minYears !== null || criteria.maxYears !== null) found.push('YEARS_REGISTERED');
  if (criteria.qualifications.length) found.push('QUALIFICATION');
  return found;
}

/**
 * The same criteria as a filter on the units slice's enterprise directory (the bulk path: notices
 * and automatic grants), for the day `on`.
 */
export function toEnterpriseFilter(criteria: Criteria, on: string) {
  return {
    industryCodePrefixes: criteria.industryPrefixes.length ? criteria.industryPrefixes : null,
    sizeClasses: criteria.sizeClasses.length ? criteria.sizeClasses : null,
    districtCodes: criteria.districtCodes.length ? criteria.districtCodes : null,
    // At least N full years ⇔ registered on or before `on` minus N years.
    registeredOnOrBefore: criteria.minYears !== null ? yearsBefore(on, criteria.minYears) : null,
    // At most N full years ⇔ not yet N + 1 ⇔ registered after `on` minus (N + 1) years.
    registeredAfter: criteria.maxYears !== null ? yearsBefore(on, criteria.maxYears + 1) : null,
    qualificationsAll: criteria.qualifications.length && criteria.qualificationMatch === 'ALL' ? criteria.qualifications : null,
    qualificationsAny: criteria.qualifications.length && criteria.qualificationMatch === 'ANY' ? criteria.qualifications : null,
  };
}

export type EnterpriseFilter = ReturnType<typeof toEnterpriseFilter>;

/** The filter's meaning, as the units slice applies it (for fixed profiles and for tests). */
export function meetsFilter(profile: EnterpriseProfile, filter: EnterpriseFilter): boolean {
  if (filter.industryCodePrefixes && !filter.industryCodePrefixes.some((prefix) => profile.industryCode.startsWith(prefix))) return false;
  if (filter.sizeClasses && !filter.sizeClasses.includes(profile.sizeClass)) return false;
  if (filter.districtCodes && !filter.districtCodes.includes(profile.districtCode)) return false;
  if (filter.registeredOnOrBefore && !(profile.registeredOn && profile.registeredOn <= filter.registeredOnOrBefore)) return false;
  if (filter.registeredAfter && !(profile.registeredOn && profile.registeredOn > filter.registeredAfter)) return false;
  if (filter.qualificationsAll && !filter.qualificationsAll.every((q) => profile.qualifications.includes(q))) return false;
  if (filter.qualificationsAny && !filter.qualificationsAny.some((q) => profile.qualifications.includes(q))) return false;
  return true;
}

/** A criteria fingerprint: notices computed for one version of the criteria are not sent for another. */
export const criteriaKey = (criteria: Criteria) => JSON.stringify(criteria);
