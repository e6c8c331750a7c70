/**
 * What callers send to the policies slice, as schemas: every argument is parsed here before the
 * use cases use it, and a refusal names the field in Chinese and English. (GraphQL has already
 * checked types, enum values and the Date/DateTime scalars; these check what GraphQL cannot.
 * Whether a unit or district exists is asked of the directory, in the use cases.)
 */
import { createHash } from 'node:crypto';
import { normalizeCreditCode } from '../../platform/credit-code.ts';
import type { Bilingual } from '../../platform/errors.ts';
import { clientRequestId, creditCode, enumValue, integer, optionalText, searchText, text, uuid, z } from '../../platform/input.ts';
import type { Criteria, Qualification, QualificationMatch, SizeClass } from './eligibility.ts';
import type { ApplicationRow, ItemRow, PolicyRow } from './store.ts';

type Level = PolicyRow['level'];
type Environment = PolicyRow['environment'];
type ItemKind = ItemRow['kind'];
type AmountKind = NonNullable<ItemRow['amountKind']>;
type ApplicationStatus = ApplicationRow['status'];
type ApplicationSource = ApplicationRow['source'];
type PolicyStatusFilter = 'DRAFT' | 'CONSULTATION' | 'PUBLISHED' | 'REPEALED' | 'EXPIRED';
type ItemStatus = ItemRow['status'];

const problem = (message: Bilingual) => ({ message: message.en, params: message });

/** A list of at most `max` values, duplicates once. */
const listOf = <T extends z.ZodType>(item: T, max: number, label: Bilingual) =>
  z
    .array(item)
    .refine((list) => list.length <= max, problem({ zh: `${label.zh}最多 ${max} 项`, en: `${label.en}: at most ${max}` }))
    .transform((list) => [...new Set(list)] as z.output<T>[]);

const date = z.string();
const INDUSTRY_PREFIX = /^([A-T])(\d{2}(\d{1,2})?)?$/;

/** Yuan, with at most two decimals, up to 100 billion. */
export const money = (label: Bilingual, { allowZero = false } = {}) =>
  z.number().refine(
    (value) =>
      Number.isFinite(value) &&
      (allowZero ? value >= 0 : value > 0) &&
      value <= 1e11 &&
      Math.abs(value * 100 - Math.round(value * 100)) < 1e-6,
    problem({
      zh: `${label.zh}须为${allowZero ? '不小于 0' : '大于 0'}、至多两位小数的金额（元）`,
      en: `${label.en} must be an amount in yuan ${allowZero ? '≥ 0' : '> 0'} with at most two decimals`,
    }),
  );

export const policyId = uuid({ zh: '政策 id', en: 'Policy id' });
export const itemId = uuid({ zh: '政策项目 id', en: 'Policy item id' });
export const applicationId = uuid({ zh: '申报 id', en: 'Application id' });
export const commentId = uuid({ zh: '意见 id', en: 'Comment id' });
export const objectionId = uuid({ zh: '异议 id', en: 'Objection id' });

const title = text({ zh: '标题', en: 'Title' }, { max: 200 });
const documentNumber = text({ zh: '文号', en: 'Document number' }, { max: 100 });
const summary = text({ zh: '摘要', en: 'Summary' }, { max: 2000 });
const fullText = text({ zh: '正文', en: 'Text' }, { max: 200_000, multiline: true });

export const createPolicyInput = z.object({
  level: enumValue<Level>(),
  issuingUnitId: uuid({ zh: '制定单位', en: 'issuingUnitId' }).nullish(),
  districtCode: z.string().max(12).nullish(),
  environment: enumValue<Environment>(),
  title,
  documentNumber: documentNumber.nullish(),
  summary: summary.nullish(),
  text: fullText,
  issuedOn: date.nullish(),
  validFrom: date.nullish(),
  validUntil: date.nullish(),
});

/** Omitted fields stay; an explicit null clears a nullable one. */
export const updatePolicyInput = z.object({
  environment: enumValue<Environment>().nullish(),
  title: title.optional(),
  documentNumber: documentNumber.nullable().optional(),
  summary: summary.nullable().optional(),
  text: fullText.optional(),
  issuedOn: date.nullish(),
  validFrom: date.nullish(),
  validUntil: date.nullable().optional(),
});

export const publishPolicyInput = z.object({
  documentNumber: documentNumber.nullish(),
  issuedOn: date.nullish(),
  validFrom: date.nullish(),
  validUntil: date.nullish(),
});

export const amendPolicyInput = z.object({
  changeNote: text({ zh: '修订说明', en: 'Change note' }, { max: 2000 }),
  documentNumber,
  title: title.nullish(),
  summary: summary.nullable().optional(),
  text: fullText.nullish(),
  issuedOn: date.nullish(),
  validFrom: date.nullish(),
  validUntil: date.nullable().optional(),
});

export const interpretationInput = z.object({
  title,
  text: text({ zh: '解读正文', en: 'Interpretation' }, { max: 50_000, multiline: true }),
});

export const texts = {
  comment: text({ zh: '意见', en: 'Comment' }, { max: 5000 }),
  answer: text({ zh: '答复', en: 'Answer' }, { max: 5000 }),
  repealReason: text({ zh: '废止理由', en: 'Reason' }, { max: 2000 }),
  returnReason: text({ zh: '退回理由', en: 'Reason' }, { max: 2000 }),
  rejectionReason: text({ zh: '不予通过理由', en: 'Reason' }, { max: 2000 }),
  objectionAnswer: text({ zh: '异议答复', en: 'Answer' }, { max: 2000 }),
  note: optionalText({ zh: '备注', en: 'Note' }, { max: 2000 }),
  reviewComment: optionalText({ zh: '评价意见', en: 'Comment' }, { max: 1000 }),
};

export const missingMaterials = listOf(text({ zh: '材料名称', en: 'Material name' }, { max: 200 }), 50, {
  zh: '补正材料',
  en: 'Missing materials',
}).nullish();

const industryPrefix = z
  .string()
  .transform((value) => value.trim().toUpperCase())
  .refine(
    (value) => INDUSTRY_PREFIX.test(value),
    problem({
      zh: '行业代码前缀须符合 GB/T 4754-2017，如 C、C13 或 C131',
      en: 'An industry code prefix follows GB/T 4754-2017, e.g. C, C13 or C131',
    }),
  );
const years = (label: Bilingual) => integer(label, 0, 100).nullish();

export const eligibilityInput = z
  .object({
    industryCodePrefixes: listOf(industryPrefix, 50, { zh: '行业', en: 'Industries' }).nullish(),
    sizeClasses: listOf(enumValue<SizeClass>(), 4, { zh: '规模', en: 'Size classes' }).nullish(),
    districtCodes: listOf(z.string().max(12), 20, { zh: '区(市)', en: 'Districts' }).nullish(),
    minYearsRegistered: years({ zh: '最少成立年限', en: 'minYearsRegistered' }),
    maxYearsRegistered: years({ zh: '最多成立年限', en: 'maxYearsRegistered' }),
    qualifications: listOf(enumValue<Qualification>(), 6, { zh: '资质', en: 'Qualifications' }).nullish(),
    qualificationMatch: enumValue<QualificationMatch>().nullish(),
  })
  .refine((e) => e.minYearsRegistered == null || e.maxYearsRegistered == null || e.maxYearsRegistered >= e.minYearsRegistered, {
    path: ['maxYearsRegistered'],
    ...problem({ zh: '最多成立年限不能小于最少成立年限', en: 'maxYearsRegistered cannot be below minYearsRegistered' }),
  })
  .transform((e): Criteria => ({
    industryPrefixes: e.industryCodePrefixes ?? [],
    sizeClasses: e.sizeClasses ?? [],
    districtCodes: e.districtCodes ?? [],
    minYears: e.minYearsRegistered ?? null,
    maxYears: e.maxYearsRegistered ?? null,
    qualifications: e.qualifications ?? [],
    qualificationMatch: e.qualificationMatch ?? 'ANY',
  }));

export const amountInput = z
  .object({
    kind: enumValue<AmountKind>(),
    amount: money({ zh: '金额', en: 'amount' }).nullish(),
    rate: z
      .number()
      .refine(
        (value) => Number.isFinite(value) && value > 0 && value <= 1 && Math.abs(value * 1e6 - Math.round(value * 1e6)) < 1e-6,
        problem({ zh: '比例须在 0 到 1 之间（至多六位小数）', en: 'rate must be above 0 and at most 1, six decimals at most' }),
      )
      .nullish(),
    base: optionalText({ zh: '申报基数说明', en: 'base' }, { max: 200 }),
  })
  .superRefine((a, ctx) => {
    const need = (path: string, message: Bilingual) => ctx.addIssue({ code: 'custom', path: [path], ...problem(message) });
    if ((a.kind === 'FIXED' || a.kind === 'CAPPED') && a.amount == null)
      need('amount', { zh: '定额和最高限额方式须给出金额', en: 'A FIXED or CAPPED amount needs `amount`' });
    if (a.kind !== 'RATE' && a.rate != null) need('rate', { zh: '只有比例方式有比例', en: 'Only a RATE amount has a rate' });
    if (a.kind === 'RATE' && a.rate == null) need('rate', { zh: '比例方式须给出比例', en: 'A RATE amount needs `rate`' });
    if (a.kind === 'RATE' && !a.base)
      need('base', { zh: '比例方式须说明申报基数', en: 'A RATE amount needs `base`, what the rate applies to' });
  });

const materialNames = listOf(text({ zh: '材料名称', en: 'Material name' }, { max: 200 }), 50, { zh: '申报材料', en: 'Required materials' });
const workingDays = (label: Bilingual, max: number) => integer(label, 1, max);

export const itemInput = z.object({
  name: text({ zh: '项目名称', en: 'Item name' }, { max: 200 }),
  kind: enumValue<ItemKind>(),
  description: text({ zh: '项目内容', en: 'Description' }, { max: 20_000, multiline: true }),
  amount: amountInput.nullish(),
  opensOn: date.nullish(),
  closesOn: date.nullish(),
  requiredMaterials: materialNames.nullish(),
  reviewingUnitId: uuid({ zh: '审核单位', en: 'reviewingUnitId' }).nullish(),
  reviewWorkingDays: workingDays({ zh: '审核时限（工作日）', en: 'reviewWorkingDays' }, 365),
  paymentWorkingDays: workingDays({ zh: '兑现时限（工作日）', en: 'paymentWorkingDays' }, 365),
  noticeWorkingDays: workingDays({ zh: '公示期（工作日）', en: 'noticeWorkingDays' }, 60).nullish(),
  eligibility: eligibilityInput.nullish(),
  automatic: z.boolean().nullish(),
});
export type ItemInput = z.output<typeof itemInput>;

export const updateItemInput = z.object({
  name: itemInput.shape.name.optional(),
  kind: enumValue<ItemKind>().nullish(),
  description: itemInput.shape.description.optional(),
  amount: amountInput.nullable().optional(),
  opensOn: date.nullable().optional(),
  closesOn: date.nullable().optional(),
  requiredMaterials: materialNames.nullish(),
  reviewingUnitId: uuid({ zh: '审核单位', en: 'reviewingUnitId' }).nullish(),
  reviewWorkingDays: workingDays({ zh: '审核时限（工作日）', en: 'reviewWorkingDays' }, 365).nullish(),
  paymentWorkingDays: workingDays({ zh: '兑现时限（工作日）', en: 'paymentWorkingDays' }, 365).nullish(),
  noticeWorkingDays: workingDays({ zh: '公示期（工作日）', en: 'noticeWorkingDays' }, 60).nullish(),
  eligibility: eligibilityInput.nullish(),
  automatic: z.boolean().nullish(),
});
export type UpdateItemInput = z.output<typeof updateItemInput>;

export const newsInput = z.object({
  title,
  text: text({ zh: '资讯正文', en: 'Text' }, { max: 10_000, multiline: true }),
  policyIds: listOf(uuid({ zh: '相关政策', en: 'policyIds' }), 20, { zh: '相关政策', en: 'Policies' }).nullish(),
});

const material = z.object({
  name: text({ zh: '材料名称', en: 'Material name' }, { max: 200 }),
  reference: text({ zh: '材料位置或编号', en: 'Material reference' }, { max: 500 }),
});
export const materials = z
  .array(material)
  .refine((list) => list.length <= 50, problem({ zh: '申报材料最多 50 项', en: 'At most 50 materials' }));
export type MaterialInput = z.output<typeof material>;

export const submitApplicationInput = z.object({
  clientRequestId,
  itemId,
  declaredBase: money({ zh: '申报基数', en: 'declaredBase' }).nullish(),
  requestedAmount: money({ zh: '申请金额', en: 'requestedAmount' }).nullish(),
  materials: materials.nullish(),
  asDraft: z.boolean().nullish(),
});

export const importApplicationInput = z.object({
  sourceSystem: z
    .string()
    .regex(
      /^[A-Za-z0-9_.:-]{1,60}$/,
      problem({ zh: '来源系统须为 1–60 位字母、数字或 _.:-', en: 'sourceSystem is 1–60 letters, digits or _.:-' }),
    ),
  externalReference: text({ zh: '外部编号', en: 'externalReference' }, { max: 100 }),
  itemId,
  enterpriseCreditCode: creditCode,
  submittedAt: z.instanceof(Date),
  declaredBase: money({ zh: '申报基数', en: 'declaredBase' }).nullish(),
  requestedAmount: money({ zh: '申请金额', en: 'requestedAmount' }).nullish(),
  materials: materials.nullish(),
});

export const resubmitInput = z.object({
  materials: materials.refine((list) => list.length > 0, problem({ zh: '请提交补正材料', en: 'Hand in the missing materials' })),
  note: texts.note,
});

export const approvedAmount = money({ zh: '核定金额', en: 'amount' }, { allowZero: false }).nullish();

export const objectionInput = z.object({
  text: text({ zh: '异议内容', en: 'Objection' }, { max: 2000 }),
  contact: optionalText({ zh: '联系方式', en: 'Contact' }, { max: 100 }),
});

/** How many objections one call may mark: a flood is set aside in a few calls, each one transaction. */
export const MARK_OBJECTIONS_AT_MOST = 500;

export const markObjectionsInput = z
  .object({
    objectionIds: z
      .array(objectionId)
      .min(1, problem({ zh: '至少列出一条异议', en: 'List at least one objection' }))
      .max(
        MARK_OBJECTIONS_AT_MOST,
        problem({ zh: `一次最多标记 ${MARK_OBJECTIONS_AT_MOST} 条异议`, en: `At most ${MARK_OBJECTIONS_AT_MOST} objections at a time` }),
      )
      .transform((ids) => [...new Set(ids)]),
    kind: enumValue<'DUPLICATE' | 'ABUSIVE'>(),
    duplicateOf: objectionId.nullish(),
    reason: text({ zh: '标记理由', en: 'Reason' }, { max: 500 }),
  })
  .superRefine((value, ctx) => {
    if (value.duplicateOf == null) return;
    if (value.kind !== 'DUPLICATE') {
      ctx.addIssue({
        code: 'custom',
        path: ['duplicateOf'],
        ...problem({ zh: '只有标记为重复时才能指明所重复的异议', en: 'duplicateOf goes with DUPLICATE only' }),
      });
    } else if (value.objectionIds.includes(value.duplicateOf)) {
      ctx.addIssue({
        code: 'custom',
        path: ['duplicateOf'],
        ...problem({ zh: '所重复的异议不能在本次标记之列', en: 'The objection they repeat cannot be among those marked' }),
      });
    }
  });

export const disbursementInput = z.object({
  amount: money({ zh: '拨付金额', en: 'amount' }, { allowZero: true }),
  paidOn: date,
  paymentReference: text({ zh: '支付凭证号', en: 'paymentReference' }, { max: 100 }),
});

export const policyFilter = z.object({
  text: searchText({ zh: '搜索词', en: 'Search text' }),
  level: enumValue<Level>().nullish(),
  issuingUnitId: uuid({ zh: '制定单位', en: 'issuingUnitId' }).nullish(),
  environment: enumValue<Environment>().nullish(),
  districtCode: z.string().max(12).nullish(),
  status: z.array(enumValue<PolicyStatusFilter>()).max(5).nullish(),
  validOn: date.nullish(),
  issuedFrom: date.nullish(),
  issuedTo: date.nullish(),
});

export const itemFilter = z.object({
  text: searchText({ zh: '搜索词', en: 'Search text' }),
  policyId: policyId.nullish(),
  kind: enumValue<ItemKind>().nullish(),
  automatic: z.boolean().nullish(),
  openNow: z.boolean().nullish(),
  reviewingUnitId: uuid({ zh: '审核单位', en: 'reviewingUnitId' }).nullish(),
  issuingUnitId: uuid({ zh: '制定单位', en: 'issuingUnitId' }).nullish(),
  level: enumValue<Level>().nullish(),
  environment: enumValue<Environment>().nullish(),
  status: z.array(enumValue<ItemStatus>()).max(3).nullish(),
});

export const newsFilter = z.object({
  text: searchText({ zh: '搜索词', en: 'Search text' }),
  policyId: policyId.nullish(),
  unitId: uuid({ zh: '单位', en: 'unitId' }).nullish(),
  publishedFrom: date.nullish(),
  publishedTo: date.nullish(),
});

export const applicationFilter = z.object({
  itemId: itemId.nullish(),
  policyId: policyId.nullish(),
  unitId: uuid({ zh: '审核单位', en: 'unitId' }).nullish(),
  status: z.array(enumValue<ApplicationStatus>()).max(10).nullish(),
  source: enumValue<ApplicationSource>().nullish(),
  enterpriseCreditCode: z.string().max(40).transform(normalizeCreditCode).nullish(),
  overdue: z.boolean().nullish(),
});

export const enterpriseCode = creditCode;

/** Fingerprint of a submission, to tell a retry from a reused request id. */
export function fingerprint(input: object): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex');
}
