/**
 * What callers send to the units slice, as schemas: every argument is parsed here before the
 * service uses it, and a refusal names the field in Chinese and English. (GraphQL has already
 * checked types and enum values; these check what GraphQL cannot.)
 */
import { creditCode, enumValue, searchText, text, uuid, z } from '../../platform/input.ts';
import { INDUSTRY_CODE, industryCodeProblem } from './industry-code.ts';
import type { EnterpriseRow, UnitRow } from './store.ts';

type UnitKind = UnitRow['kind'];
type UnitLevel = UnitRow['level'];
type SizeClass = EnterpriseRow['sizeClass'];
type Qualification = EnterpriseRow['qualifications'][number];

const UNIT_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const MAX_NAME_LENGTH = 120;

const name = (label: { zh: string; en: string }) => text(label, { max: MAX_NAME_LENGTH });
/** An explicit null for a required text is the same mistake as an empty one. */
const nullAsEmpty = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null ? '' : value), schema);

const unitCode = z
  .string()
  .transform((value) => value.trim())
  .refine((value) => UNIT_CODE.test(value), {
    message: 'bad unit code',
    params: {
      zh: '单位代码须为大写英文字母开头，由大写字母、数字和下划线组成（2–64 位）',
      en: 'A unit code is 2–64 upper-case letters, digits or underscores, starting with a letter',
    },
  });

/** Aliases: each trimmed and checked, blanks dropped, duplicates once. */
const aliases = z
  .array(z.string())
  .transform((list) => list.map((alias) => alias.trim()).filter(Boolean))
  .pipe(z.array(name({ zh: '别名', en: 'Alias' })))
  .transform((list) => [...new Set(list)]);

export const unitFilter = z.object({
  kind: enumValue<UnitKind>().nullish(),
  level: enumValue<UnitLevel>().nullish(),
  domainCode: z.string().nullish(),
  districtCode: z.string().nullish(),
  search: searchText({ zh: '搜索词', en: 'Search text' }),
  includeArchived: z.boolean().nullish(),
});
export type UnitQuery = z.output<typeof unitFilter>;

export const createUnitInput = z.object({
  code: unitCode,
  name: name({ zh: '单位名称', en: 'Unit name' }),
  kind: enumValue<UnitKind>(),
  level: enumValue<UnitLevel>(),
  domainCode: z.string().nullish(),
  districtCode: z.string().nullish(),
  parentId: uuid({ zh: '上级单位', en: 'parentId' }).nullish(),
  aliases: aliases.nullish(),
});
export type CreateUnitInput = z.output<typeof createUnitInput>;

/** Omitted fields stay; an explicit null clears a nullable field. */
export const updateUnitInput = z.object({
  name: nullAsEmpty(name({ zh: '单位名称', en: 'Unit name' })).optional(),
  kind: enumValue<UnitKind>().nullish(),
  level: enumValue<UnitLevel>().nullish(),
  domainCode: z.string().nullish(),
  districtCode: z.string().nullish(),
  parentId: uuid({ zh: '上级单位', en: 'parentId' }).nullish(),
  aliases: aliases.nullish(),
  expectedVersion: z.number().int().nullish(),
});
export type UpdateUnitInput = z.output<typeof updateUnitInput>;

export const archiveReason = name({ zh: '归档原因', en: 'Reason' });

/** A list filter: at most `max` values, duplicates once; an empty list does not restrict. */
const anyOf = <T extends z.ZodType>(item: T, max = 50) =>
  z
    .array(item)
    .refine((list) => list.length <= max, { message: 'too many', params: { zh: `最多 ${max} 项`, en: `At most ${max} values` } })
    .nullish()
    .transform((list) => (list?.length ? [...new Set(list)] : null));

const industryPrefix = z
  .string()
  .transform((value) => value.trim().toUpperCase())
  .refine((value) => INDUSTRY_CODE.test(value), {
    message: 'bad industry code',
    params: {
      zh: '行业代码前缀须符合 GB/T 4754-2017，如 C、C13 或 C131',
      en: 'An industry code prefix follows GB/T 4754-2017, e.g. C, C13 or C131',
    },
  });
const filterDate = z.string().nullish();

export const enterpriseFilter = z.object({
  districtCode: z.string().nullish(),
  sizeClass: enumValue<SizeClass>().nullish(),
  qualification: enumValue<Qualification>().nullish(),
  search: searchText({ zh: '搜索词', en: 'Search text' }),
  districtCodes: anyOf(z.string().max(12)),
  industryCodePrefixes: anyOf(industryPrefix),
  sizeClasses: anyOf(enumValue<SizeClass>()),
  registeredOnOrBefore: filterDate,
  registeredAfter: filterDate,
  qualificationsAll: anyOf(enumValue<Qualification>()),
  qualificationsAny: anyOf(enumValue<Qualification>()),
  statuses: anyOf(enumValue<EnterpriseRow['status']>()),
});
export type EnterpriseFilter = z.output<typeof enterpriseFilter>;

/** An enterprise as written to the registry; `today` (Beijing, from the platform's clock) bounds its date of registration. */
export const upsertEnterpriseInput = (today: string) =>
  z.object({
    creditCode,
    name: name({ zh: '企业名称', en: 'Enterprise name' }),
    districtCode: z.string(),
    industryCode: z
      .string()
      .transform((value) => value.trim().toUpperCase())
      .superRefine((value, ctx) => {
        const problem = industryCodeProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem.en, params: problem });
      }),
    sizeClass: enumValue<SizeClass>(),
    registeredOn: z
      .string()
      .nullish()
      .refine((value) => !value || value <= today, {
        message: 'future',
        params: { zh: '成立日期不能晚于今天', en: 'The date of registration cannot be in the future' },
      }),
    qualifications: z
      .array(enumValue<Qualification>())
      .nullish()
      .transform((list) => (list ? [...new Set(list)] : list)),
    expectedVersion: z.number().int().nullish(),
  });
export type UpsertEnterpriseInput = z.output<ReturnType<typeof upsertEnterpriseInput>>;
