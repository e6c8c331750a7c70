/**
 * What callers send to the financing slice, as schemas: every argument is parsed here before the
 * slice uses it, and a refusal names the field in Chinese and English.
 */
import { referenceDistricts } from '../../db/reference/organisation.ts';
import type { ProductEligibility } from '../../db/financing.ts';
import { clientRequestId, creditCode, enumValue, integer, optionalText, searchText, text, uuid, z } from '../../platform/input.ts';
import { isValidDate } from '../../platform/scalars.ts';
import type { CreditRecordRow, DemandRow, InstitutionRow, ProductRow } from './store.ts';

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

// ───────────── products ─────────────

type Category = ProductRow['category'];
type Guarantee = ProductRow['guaranteeMode'];
type Tenor = ProductRow['lprTenor'];
type Status = ProductRow['status'];
type Size = ProductEligibility['sizeClasses'][number];

/** An amount in whole yuan: 1 yuan to 10 billion. */
const yuan = (label: { zh: string; en: string }) => integer(label, 1, 10_000_000_000);
const months = (label: { zh: string; en: string }) => integer(label, 1, 360);
/** Basis points over the LPR: from 200 below to 2,000 above. */
const spread = (label: { zh: string; en: string }) => integer(label, -200, 2_000);

const industryPrefix = z
  .string()
  .transform((value) => value.trim().toUpperCase())
  .refine((value) => /^[A-T](\d{1,4})?$/.test(value), {
    message: 'industry prefix',
    params: {
      zh: '行业代码前缀须符合 GB/T 4754-2017，如 C、C13 或 C131',
      en: 'An industry code prefix follows GB/T 4754-2017, e.g. C, C13 or C131',
    },
  });

export const eligibilityInput = z
  .object({
    industryCodePrefixes: z.array(industryPrefix).max(50).nullish(),
    sizeClasses: z.array(enumValue<Size>()).max(4).nullish(),
    districtCodes: z.array(districtCode).max(20).nullish(),
    minYearsRegistered: integer({ zh: '最少成立年限', en: 'minYearsRegistered' }, 0, 100).nullish(),
    maxYearsRegistered: integer({ zh: '最多成立年限', en: 'maxYearsRegistered' }, 0, 100).nullish(),
    qualifications: z.array(z.string()).max(6).nullish(),
    qualificationMatch: enumValue<'ANY' | 'ALL'>().nullish(),
  })
  .refine((e) => e.minYearsRegistered == null || e.maxYearsRegistered == null || e.maxYearsRegistered >= e.minYearsRegistered, {
    path: ['maxYearsRegistered'],
    message: 'years',
    params: { zh: '最多成立年限不能小于最少成立年限', en: 'maxYearsRegistered cannot be below minYearsRegistered' },
  })
  .transform((e): ProductEligibility => ({
    industryPrefixes: [...new Set(e.industryCodePrefixes ?? [])],
    sizeClasses: [...new Set(e.sizeClasses ?? [])],
    districtCodes: [...new Set(e.districtCodes ?? [])].sort(),
    minYears: e.minYearsRegistered ?? null,
    maxYears: e.maxYearsRegistered ?? null,
    qualifications: [...new Set(e.qualifications ?? [])],
    qualificationMatch: e.qualificationMatch ?? 'ANY',
  }));

const productFields = {
  name: name({ zh: '产品名称', en: 'Product name' }),
  category: enumValue<Category>(),
  description: text({ zh: '产品说明', en: 'Description' }, { max: 2000 }),
  amountMin: yuan({ zh: '最低额度（元）', en: 'amountMin' }),
  amountMax: yuan({ zh: '最高额度（元）', en: 'amountMax' }),
  termMinMonths: months({ zh: '最短期限（月）', en: 'termMinMonths' }),
  termMaxMonths: months({ zh: '最长期限（月）', en: 'termMaxMonths' }),
  lprTenor: enumValue<Tenor>(),
  spreadMinBp: spread({ zh: '最低加点（基点）', en: 'spreadMinBp' }),
  spreadMaxBp: spread({ zh: '最高加点（基点）', en: 'spreadMaxBp' }),
  guaranteeMode: enumValue<Guarantee>(),
  districtCodes,
};

export const createProductInput = z.object({
  institutionId: uuid({ zh: '金融机构', en: 'institutionId' }),
  ...productFields,
  eligibility: eligibilityInput.nullish(),
});

export const updateProductInput = z.object({
  name: productFields.name.nullish(),
  category: productFields.category.nullish(),
  description: productFields.description.nullish(),
  amountMin: productFields.amountMin.nullish(),
  amountMax: productFields.amountMax.nullish(),
  termMinMonths: productFields.termMinMonths.nullish(),
  termMaxMonths: productFields.termMaxMonths.nullish(),
  lprTenor: productFields.lprTenor.nullish(),
  spreadMinBp: productFields.spreadMinBp.nullish(),
  spreadMaxBp: productFields.spreadMaxBp.nullish(),
  guaranteeMode: productFields.guaranteeMode.nullish(),
  districtCodes: districtCodes.nullish(),
  eligibility: eligibilityInput.nullish(),
  status: enumValue<Status>().nullish(),
  expectedVersion: z.number().int().nullish(),
});

/** The ranges of a product, after an edit too: each lower bound at most its upper one. */
export const productRanges = z
  .object({
    amountMin: z.number(),
    amountMax: z.number(),
    termMin: z.number(),
    termMax: z.number(),
    spreadMinBp: z.number(),
    spreadMaxBp: z.number(),
  })
  .refine((p) => p.amountMin <= p.amountMax, {
    path: ['amountMax'],
    message: 'amount',
    params: { zh: '最高额度不能小于最低额度', en: 'amountMax cannot be below amountMin' },
  })
  .refine((p) => p.termMin <= p.termMax, {
    path: ['termMaxMonths'],
    message: 'term',
    params: { zh: '最长期限不能小于最短期限', en: 'termMaxMonths cannot be below termMinMonths' },
  })
  .refine((p) => p.spreadMinBp <= p.spreadMaxBp, {
    path: ['spreadMaxBp'],
    message: 'spread',
    params: { zh: '最高加点不能小于最低加点', en: 'spreadMaxBp cannot be below spreadMinBp' },
  });

export const productFilter = z.object({
  category: enumValue<Category>().nullish(),
  text: searchText({ zh: '关键词', en: 'Search text' }),
  amount: z.number().nonnegative().nullish(),
  termMonths: z.number().int().nonnegative().nullish(),
  districtCode: districtCode.nullish(),
  institutionId: uuid({ zh: '金融机构', en: 'institutionId' }).nullish(),
  includeSuspended: z.boolean().nullish(),
});

// ───────────── a demand's lifecycle after the claim, and the time limits ─────────────

type Decline = NonNullable<DemandRow['declineReason']>;
type Rating = NonNullable<DemandRow['rating']>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `recordFinancingContact`: how the enterprise was reached. */
export const contactNote = text({ zh: '联系情况', en: 'Contact note' }, { max: 1000 });

/** `approveFinancing`: the amount approved (whole yuan; at most the amount asked, checked on the demand). */
export const approval = z.object({
  amount: yuan({ zh: '授信金额（元）', en: 'amount' }),
  note: optionalText({ zh: '授信说明', en: 'Note' }, { max: 1000 }),
});

/** `recordLoanDisbursement`: the loan (amount at most the approved one, checked on the demand); the rate in percent a year. */
export const disbursementInput = z.object({
  amount: yuan({ zh: '放款金额（元）', en: 'amount' }),
  disbursedOn: z.string().refine((value) => ISO_DATE.test(value), {
    message: 'date',
    params: { zh: '放款日期须为 YYYY-MM-DD', en: 'disbursedOn must be a date, YYYY-MM-DD' },
  }),
  ratePercent: z.number().refine((value) => Number.isFinite(value) && value > 0 && value <= 36, {
    message: 'rate',
    params: { zh: '年利率须大于 0、不超过 36（%）', en: 'ratePercent must be above 0 and at most 36 (percent a year)' },
  }),
  termMonths: months({ zh: '期限（月）', en: 'termMonths' }),
  guaranteeMode: enumValue<Guarantee>(),
  loanRef: text({ zh: '贷款编号', en: 'loanRef' }, { max: 100 }),
});

/** `declineFinancing`: the reason code and its words. */
export const declineInput = z.object({
  reasonCode: enumValue<Decline>(),
  reason: text({ zh: '拒绝说明', en: 'Reason' }, { max: 1000 }),
});

/** `withdrawFinancingDemand`: why, optionally. */
export const withdrawalReason = optionalText({ zh: '撤回原因', en: 'Reason' }, { max: 1000 });

/** `rateFinancialInstitution`: five levels and an optional comment. */
export const ratingInput = z.object({
  rating: enumValue<Rating>(),
  comment: optionalText({ zh: '评价内容', en: 'Comment' }, { max: 1000 }),
});

const limitDays = (label: { zh: string; en: string }) => integer(label, 1, 30);

/** `setFinancingLimits`: each limit 1–30 working days. */
export const limitsInput = z.object({
  claimWorkingDays: limitDays({ zh: '抢单时限（工作日）', en: 'claimWorkingDays' }),
  contactWorkingDays: limitDays({ zh: '联系时限（工作日）', en: 'contactWorkingDays' }),
  decisionWorkingDays: limitDays({ zh: '决定时限（工作日）', en: 'decisionWorkingDays' }),
});

// ───────────── demands ─────────────

type DemandStatus = DemandRow['status'];
type DemandSource = DemandRow['source'];

const purpose = text({ zh: '用途', en: 'Purpose' }, { max: 500 });
const demandContact = text({ zh: '联系人与电话', en: 'Contact' }, { max: 200 });

/** What a demand asks for, posted or imported alike. */
const demandFields = {
  creditCode,
  amount: yuan({ zh: '需求金额（元）', en: 'Amount (yuan)' }),
  termMonths: months({ zh: '期限（月）', en: 'Term (months)' }),
  purpose,
  guaranteeOffered: enumValue<Guarantee>(),
  firstLoan: z.boolean(),
  contact: demandContact,
  creditReportConsent: z.boolean(),
};

export const postDemandInput = z.object({
  ...demandFields,
  /** The products wanted, each once, at most 10. */
  productIds: z
    .array(uuid({ zh: '产品', en: 'productIds' }))
    .nullish()
    .refine((ids) => (ids ?? []).length <= 10, {
      message: 'too many products',
      params: { zh: '最多指定 10 个产品', en: 'At most 10 products may be named' },
    })
    .transform((ids) => [...new Set((ids ?? []).map((id) => id.toLowerCase()))]),
  clientRequestId,
});

export const importDemandInput = z.object({
  ...demandFields,
  source: enumValue<DemandSource>().refine((source) => source !== 'PLATFORM', {
    message: 'platform source',
    params: { zh: '导入的需求来源不能是青融通平台本身', en: 'An imported demand comes from a source other than this platform' },
  }),
  externalRef: text({ zh: '外部编号', en: 'External reference' }, { max: 100 }),
  postedAt: z.date().nullish(),
});

export const demandFilter = z.object({
  status: z.array(enumValue<DemandStatus>()).nullish(),
  source: enumValue<DemandSource>().nullish(),
  districtCode: districtCode.nullish(),
  institutionId: uuid({ zh: '金融机构', en: 'institutionId' }).nullish(),
  creditCode: creditCode.nullish(),
  awaitingDispatch: z.boolean().nullish(),
});

export const holdTarget = z.object({
  institutionId: uuid({ zh: '金融机构', en: 'institutionId' }),
  branchId: uuid({ zh: '网点', en: 'branchId' }).nullish(),
  note: text({ zh: '派单说明', en: 'Note' }, { max: 500 }).nullish(),
});

// ───────────── credit records ─────────────

/** At most this many credit records in one import. */
export const MAX_CREDIT_RECORDS = 1000;

const recordDate = z.string().refine(isValidDate, {
  message: 'not a date',
  params: { zh: '记录日期须为存在的日期 YYYY-MM-DD', en: 'recordedOn must be a real date, YYYY-MM-DD' },
});

/** One credit record from the data sharing platform. */
export const creditRecordInput = z.object({
  creditCode,
  category: enumValue<CreditRecordRow['category']>(),
  source: text({ zh: '来源系统', en: 'Source' }, { max: 60 }),
  externalRef: text({ zh: '来源编号', en: 'External reference' }, { max: 120 }),
  recordedOn: recordDate,
  summary: text({ zh: '内容摘要', en: 'Summary' }, { max: 1000 }),
  adverse: z.boolean(),
});

/** A batch of records: at least one, at most MAX_CREDIT_RECORDS. */
export const creditRecordsInput = z
  .array(creditRecordInput)
  .refine((records) => records.length > 0, {
    message: 'no record',
    params: { zh: '至少导入一条信用记录', en: 'At least one credit record is needed' },
  })
  .refine((records) => records.length <= MAX_CREDIT_RECORDS, {
    message: 'too many records',
    params: {
      zh: `一次至多导入 ${MAX_CREDIT_RECORDS} 条信用记录，请分批导入`,
      en: `At most ${MAX_CREDIT_RECORDS} credit records per import; send them in batches`,
    },
  });
