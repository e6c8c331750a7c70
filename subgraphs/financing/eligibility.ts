/**
 * Whether an enterprise fits a product's eligibility, without I/O: each criterion met or not, with
 * the reason in Chinese and English. The criteria are in the form the policies slice gives its items
 * (industry prefixes, size classes, districts, full years since registration, qualifications — a
 * criterion left empty does not restrict), judged here by this slice's own code: a slice never
 * imports another. Names come from the reference data every slice ships (db/reference/organisation.ts).
 */
import type { ProductEligibility } from '../../db/financing.ts';
import type { ProductRow } from './store.ts';
import { districtNamesEn, industrySectionNamesEn, industrySections, referenceDistricts } from '../../db/reference/organisation.ts';

export type SizeClass = ProductEligibility['sizeClasses'][number];
export type Criterion = 'INDUSTRY' | 'SIZE' | 'DISTRICT' | 'YEARS_REGISTERED' | 'QUALIFICATION';

/** What the units slice says of an enterprise, as far as eligibility needs it. */
export interface EnterpriseProfile {
  creditCode: string;
  districtCode: string;
  industryCode: string;
  sizeClass: SizeClass;
  registeredOn: string | null;
  qualifications: string[];
}

export interface CriterionResult {
  criterion: Criterion;
  met: boolean;
  reason: string;
  reasonEn: string;
}

const SIZE: Record<SizeClass, [string, string]> = {
  LARGE: ['大型', 'large'],
  MEDIUM: ['中型', 'medium-sized'],
  SMALL: ['小型', 'small'],
  MICRO: ['微型', 'micro'],
};
const QUALIFICATION: Record<string, [string, string]> = {
  HIGH_TECH: ['高新技术企业', 'high-tech enterprise'],
  TECH_SME: ['科技型中小企业', 'technology-based SME'],
  SPECIALIZED_SME: ['专精特新中小企业', 'specialised and sophisticated SME'],
  LITTLE_GIANT: ['专精特新“小巨人”企业', 'specialised "little giant" enterprise'],
  GAZELLE: ['瞪羚企业', 'gazelle enterprise'],
  MANUFACTURING_CHAMPION: ['制造业单项冠军', 'manufacturing single-product champion'],
};
const districts = new Map(referenceDistricts.map((d) => [d.code, d.name]));
const sections = new Map(industrySections.map((s) => [s.code, s.name]));

/** A name in each language: [zh, en]. */
type Named = [string, string];
const district = (code: string): Named => [districts.get(code) ?? code, districtNamesEn[code] ?? code];
const industry = (code: string): Named => [
  sections.has(code.charAt(0)) ? `${sections.get(code.charAt(0))}（${code}）` : code,
  industrySectionNamesEn[code.charAt(0)] ? `${industrySectionNamesEn[code.charAt(0)]} (${code})` : code,
];
const qualification = (code: string): Named => QUALIFICATION[code] ?? [code, code];
/** 甲、乙 / "a, b or c". */
const both = (names: Named[], conjunction: 'or' | 'and'): Named => {
  const en = names.map((n) => n[1]);
  return [names.map((n) => n[0]).join('、'), en.length < 2 ? en.join('') : `${en.slice(0, -1).join(', ')} ${conjunction} ${en.at(-1)}`];
};

/** Full years from `from` to `on` (both YYYY-MM-DD): registered 2020-03-15 is 3 full years old on 2023-03-15, 2 the day before. */
export function fullYears(from: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(from.slice(0, 4));
  return on.slice(5) < from.slice(5) ? years - 1 : years;
}

/** Every criterion of `criteria`, met or not, for `profile` on the day `on`. */
export function judge(criteria: ProductEligibility, profile: EnterpriseProfile, on: string): CriterionResult[] {
  const results: CriterionResult[] = [];
  const add = (criterion: Criterion, met: boolean, reason: string, reasonEn: string) => results.push({ criterion, met, reason, reasonEn });

  if (!criteria.industryPrefixes.length) add('INDUSTRY', true, '行业不限', 'Any industry');
  else {
    const own = industry(profile.industryCode);
    const hit = criteria.industryPrefixes.find((prefix) => profile.industryCode.startsWith(prefix));
    const wanted = hit ? industry(hit) : both(criteria.industryPrefixes.map(industry), 'or');
    add(
      'INDUSTRY',
      hit !== undefined,
      hit ? `行业 ${own[0]}属于 ${wanted[0]}` : `行业 ${own[0]}不属于 ${wanted[0]}`,
      hit ? `Industry: ${own[1]}, within ${wanted[1]}` : `Industry: ${own[1]}, not within ${wanted[1]}`,
    );
  }

  if (!criteria.sizeClasses.length) add('SIZE', true, '规模不限', 'Any size');
  else {
    const met = criteria.sizeClasses.includes(profile.sizeClass);
    const [own, ownEn] = SIZE[profile.sizeClass];
    const [wanted, wantedEn] = both(
      criteria.sizeClasses.map((s) => SIZE[s]),
      'or',
    );
    add(
      'SIZE',
      met,
      met ? `${own}企业，符合（${wanted}）` : `${own}企业，要求${wanted}`,
      met ? `A ${ownEn} enterprise, as required (${wantedEn})` : `A ${ownEn} enterprise; required: ${wantedEn}`,
    );
  }

  if (!criteria.districtCodes.length) add('DISTRICT', true, '区(市)不限', 'Any district');
  else {
    const met = criteria.districtCodes.includes(profile.districtCode);
    const [own, ownEn] = district(profile.districtCode);
    const [wanted, wantedEn] = both(criteria.districtCodes.map(district), 'or');
    add(
      'DISTRICT',
      met,
      met ? `所在区(市) ${own} 符合` : `所在区(市) ${own} 不在 ${wanted} 之内`,
      met ? `Located in ${ownEn}, as required` : `Located in ${ownEn}, not in ${wantedEn}`,
    );
  }

  const { minYears: min, maxYears: max } = criteria;
  if (min === null && max === null) add('YEARS_REGISTERED', true, '成立年限不限', 'Any age');
  else {
    const span = min !== null && max !== null ? `${min}–${max} 年` : min !== null ? `至少 ${min} 年` : `不超过 ${max} 年`;
    const spanEn = min !== null && max !== null ? `${min}–${max} years` : min !== null ? `at least ${min} years` : `at most ${max} years`;
    if (!profile.registeredOn)
      add('YEARS_REGISTERED', false, `成立日期未登记，要求${span}`, `No date of registration on record; required: ${spanEn}`);
    else {
      const years = fullYears(profile.registeredOn, on);
      const met = (min === null || years >= min) && (max === null || years <= max);
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
    const all = criteria.qualificationMatch === 'ALL';
    const held = criteria.qualifications.filter((q) => profile.qualifications.includes(q));
    const met = all ? held.length === criteria.qualifications.length : held.length > 0;
    const lacking = all ? criteria.qualifications.filter((q) => !held.includes(q)) : criteria.qualifications;
    const how: Named = all ? ['须全部具备', 'all required'] : ['具备其一即可', 'any one suffices'];
    const [heldZh, heldEn] = both(held.map(qualification), 'and');
    const [lackZh, lackEn] = both(lacking.map(qualification), all ? 'and' : 'or');
    add(
      'QUALIFICATION',
      met,
      met ? `具备${heldZh}（${how[0]}）` : `缺少${lackZh}（${how[0]}）`,
      met ? `Recognised as ${heldEn} (${how[1]})` : `Not recognised as ${lackEn} (${how[1]})`,
    );
  }
  return results;
}

/** A product an enterprise is eligible for, with every criterion judged. */
export interface ProductMatch {
  product: ProductRow;
  criteria: CriterionResult[];
}
