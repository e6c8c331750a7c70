/**
 * What callers send to the financing slice, as schemas: every argument is parsed here before the
 * slice uses it, and a refusal names the field in Chinese and English.
 */
import { referenceDistricts } from '../../db/reference/organisation.ts';
import { creditCode, enumValue, text, uuid, z } from '../../platform/input.ts';
import type { InstitutionRow } from './store.ts';

type Kind = InstitutionRow['kind'];

const DISTRICTS = new Set(referenceDistricts.map((district) => district.code));

const name = (label: { zh: string; en: string }) => text(label, { max: 120 });
const contact = text({ zh: '联系方式', en: 'Contact' }, { max: 200 });

/** A district of the city (GB/T 2260), as the plan names them. */
export const districtCode = z.string().refine((code) => DISTRICTS.has(code), {
  message: 'unknown district',
  params: { zh: '不是本市的区（市）代码', en: 'Not a district code of the city' },
});

/** The districts served: at least one, each once. */
const districtCodes = z
  .array(districtCode)
  .refine((codes) => codes.length > 0, {
    message: 'no district',
    params: { zh: '至少服务一个区（市）', en: 'At least one district must be served' },
  })
  .transform((codes) => [...new Set(codes)].sort());

export const institutionFilter = z.object({
  kind: enumValue<Kind>().nullish(),
  districtCode: districtCode.nullish(),
  includeSuspended: z.boolean().nullish(),
});

export const createInstitutionInput = z.object({
  name: name({ zh: '金融机构名称', en: 'Institution name' }),
  kind: enumValue<Kind>(),
  creditCode,
  districtCodes,
  contact,
});

export const updateInstitutionInput = z.object({
  name: name({ zh: '金融机构名称', en: 'Institution name' }).nullish(),
  kind: enumValue<Kind>().nullish(),
  districtCodes: districtCodes.nullish(),
  contact: contact.nullish(),
  expectedVersion: z.number().int().nullish(),
});

export const createBranchInput = z.object({
  institutionId: uuid({ zh: '金融机构', en: 'institutionId' }),
  name: name({ zh: '网点名称', en: 'Branch name' }),
  districtCode,
  contact,
});

export const updateBranchInput = z.object({
  name: name({ zh: '网点名称', en: 'Branch name' }).nullish(),
  districtCode: districtCode.nullish(),
  contact: contact.nullish(),
  expectedVersion: z.number().int().nullish(),
});

export const suspensionReason = text({ zh: '暂停原因', en: 'Reason' }, { max: 500 });
