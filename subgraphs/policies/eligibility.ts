/**
 * Eligibility of an enterprise for a policy item (政策计算器), without I/O: the one definition of
 * what each criterion means. The store's matching query and the units API filter used for bulk
 * notices and automatic grants are derived from it, and a test holds all three to the same answers.
 *
 * Criteria: industry (GB/T 4754 code prefixes, any one), size class (any one), district (any one),
 * full years since registration (at least / at most), qualifications (any one or all). A criterion
 * left empty does not restrict. Years are counted as full years on the day asked (a birthday rule:
 * registered 2020-03-15 → 3 full years on 2023-03-15, still 2 on 2023-03-14).
 *
 * Reasons name things as a person reads them, in Chinese and English: districts by name, industries
 * by their GB/T 4754 section, sizes and qualifications in words. The names come from the reference
 * data every slice ships (db/reference/organisation.ts), not from the units slice's tables.
 */
import { districtNamesEn, industrySectionNamesEn, industrySections, referenceDistricts } from '../../db/reference/organisation.ts';

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
  /** The registered name: what a public notice shows of the enterprise (absent where only criteria are judged). */
  name?: string;
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
export const sizeNamesEn: Record<SizeClass, string> = { LARGE: 'large', MEDIUM: 'medium-sized', SMALL: 'small', MICRO: 'micro' };
export const qualificationNames: Record<Qualification, string> = {
  HIGH_TECH: '高新技术企业',
  TECH_SME: '科技型中小企业',
  SPECIALIZED_SME: '专精特新中小企业',
  LITTLE_GIANT: '专精特新“小巨人”企业',
  GAZELLE: '瞪羚企业',
  MANUFACTURING_CHAMPION: '制造业单项冠军',
};
export const qualificationNamesEn: Record<Qualification, string> = {
  HIGH_TECH: 'high-tech enterprise',
  TECH_SME: 'technology-based SME',
  SPECIALIZED_SME: 'specialised and sophisticated SME',
  LITTLE_GIANT: 'specialised "little giant" enterprise',
  GAZELLE: 'gazelle enterprise',
  MANUFACTURING_CHAMPION: 'manufacturing single-product champion',
};

const districtNames = new Map(referenceDistricts.map((d) => [d.code, d.name]));
const sectionNames = new Map(industrySections.map((s) => [s.code, s.name]));
/** A district by name (the code where the reference data has none). */
const districtName = (code: string) => districtNames.get(code) ?? code;
const districtNameEn = (code: string) => districtNamesEn[code] ?? code;
/** An industry code or prefix by its section's name, the code after it: 制造业（C3484）. */
const industryName = (code: string) => (sectionNames.has(code[0]!) ? `${sectionNames.get(code[0]!)}（${code}）` : code);
const industryNameEn = (code: string) => (industrySectionNamesEn[code[0]!] ? `${industrySectionNamesEn[code[0]!]} (${code})` : code);
/** "a, b or c" / "a, b and c". */
const listEn = (items: readonly string[], conjunction: 'or' | 'and') =>
  items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;

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
    const own = industryName(profile.industryCode);
    const ownEn = industryNameEn(profile.industryCode);
    if (hit) add('INDUSTRY', true, `行业 ${own}属于 ${industryName(hit)}`, `Industry: ${ownEn}, within ${industryNameEn(hit)}`);
    else {
      add(
        'INDUSTRY',
        false,
        `行业 ${own}不属于 ${list(criteria.industryPrefixes.map(industryName))}`,
        `Industry: ${ownEn}, not within ${listEn(criteria.industryPrefixes.map(industryNameEn), 'or')}`,
      );
    }
  }

  if (!criteria.sizeClasses.length) add('SIZE', true, '规模不限', 'Any size');
  else {
    const met = criteria.sizeClasses.includes(profile.sizeClass);
    const wanted = list(criteria.sizeClasses.map((s) => sizeNames[s]));
    const wantedEn = listEn(
      criteria.sizeClasses.map((c) => sizeNamesEn[c]),
      'or',
    );
    const ownEn = `A ${sizeNamesEn[profile.sizeClass]} enterprise`;
    add(
      'SIZE',
      met,
      met ? `${sizeNames[profile.sizeClass]}企业，符合（${wanted}）` : `${sizeNames[profile.sizeClass]}企业，要求${wanted}`,
      met ? `${ownEn}, as required (${wantedEn})` : `${ownEn}; required: ${wantedEn}`,
    );
  }

  if (!criteria.districtCodes.length) add('DISTRICT', true, '区(市)不限', 'Any district');
  else {
    const met = criteria.districtCodes.includes(profile.districtCode);
    const own = districtName(profile.districtCode);
    const ownEn = districtNameEn(profile.districtCode);
    add(
      'DISTRICT',
      met,
      met ? `所在区(市) ${own} 符合` : `所在区(市) ${own} 不在 ${list(criteria.districtCodes.map(districtName))} 之内`,
      met ? `Located in ${ownEn}, as required` : `Located in ${ownEn}, not in ${listEn(criteria.districtCodes.map(districtNameEn), 'or')}`,
    );
  }

  if (criteria.minYears === null && criteria.maxYears === null) add('YEARS_REGISTERED', true, '成立年限不限', 'Any age');
  else {
    const span =
      criteria.minYears !== null && criteria.maxYears !== null
        ? `${criteria.minYears}–${criteria.maxYears} 年`
        : criteria.minYears !== null
          ? `至少 ${criteria.minYears} 年`
          : `不超过 ${criteria.maxYears} 年`;
    const spanEn =
      criteria.minYears !== null && criteria.maxYears !== null
        ? `${criteria.minYears}–${criteria.maxYears} years`
        : criteria.minYears !== null
          ? `at least ${criteria.minYears} years`
          : `at most ${criteria.maxYears} years`;
    if (!profile.registeredOn)
      add('YEARS_REGISTERED', false, `成立日期未登记，无法判断是否成立${span}`, `No date of registration on record; required: ${spanEn}`);
    else {
      const years = fullYears(profile.registeredOn, on);
      const met = (criteria.minYears === null || years >= criteria.minYears) && (criteria.maxYears === null || years <= criteria.maxYears);
      add(
        'YEARS_REGISTERED',
        met,
        `${profile.registeredOn} 成立，满 ${years} 年，要求${span}`,
        `Registered ${profile.registeredOn}, ${years} full years; required: ${spanEn}`,
      );
    }
  }

  if (!criteria.qualifications.length) add('QUALIFICATION', true, '资质不限', 'No qualification required');
  else {
    const held = criteria.qualifications.filter((q) => profile.qualifications.includes(q));
    const met = criteria.qualificationMatch === 'ALL' ? held.length === criteria.qualifications.length : held.length > 0;
    const wanted = list(criteria.qualifications.map((q) => qualificationNames[q]));
    const how = criteria.qualificationMatch === 'ALL' ? '须全部具备' : '具备其一即可';
    const missing = criteria.qualifications.filter((q) => !profile.qualifications.includes(q));
    const howEn = criteria.qualificationMatch === 'ALL' ? 'all required' : 'any one suffices';
    const lacking = criteria.qualificationMatch === 'ALL' ? missing : criteria.qualifications;
    add(
      'QUALIFICATION',
      met,
      met
        ? `具备${list(held.map((q) => qualificationNames[q]))}（${wanted}，${how}）`
        : `缺少${list(lacking.map((q) => qualificationNames[q]))}（${how}）`,
      met
        ? `Recognised as ${listEn(
            held.map((q) => qualificationNamesEn[q]),
            'and',
          )} (${howEn})`
        : `Not recognised as ${listEn(
            lacking.map((q) => qualificationNamesEn[q]),
            criteria.qualificationMatch === 'ALL' ? 'and' : 'or',
          )} (${howEn})`,
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
