/**
 * What callers send to the evaluations slice, as schemas: every argument is parsed here before the
 * service uses it, and a refusal names the field in Chinese and English. (GraphQL has already
 * checked types and enum values; whether a unit or domain exists is asked of the directory, in the
 * service.)
 */
import type { Bilingual } from '../../platform/errors.ts';
import { clientRequestId, enumValue, optionalText, text, uuid, z } from '../../platform/input.ts';
import type { ContestRow, ReviewRow } from './store.ts';

const problem = (message: Bilingual) => ({ message: message.en, params: message });

export const contestId = uuid({ zh: '比武 id', en: 'Contest id' });
export const reviewId = uuid({ zh: '评价 id', en: 'Review id' });

const criterion = z.object({
  name: text({ zh: '评分项名称', en: 'Criterion name' }, { max: 100 }),
  weight: z.number().refine((w) => Number.isInteger(w) && w >= 1 && w <= 100, problem({ zh: '权重须为 1–100 的整数', en: 'A weight must be a whole number from 1 to 100' })),
});

export const createContestInput = z
  .object({
    title: text({ zh: '比武名称', en: 'Title' }, { max: 200 }),
    level: enumValue<ContestRow['level']>(),
    domainCode: z.string().max(40).nullish(),
    unitId: uuid({ zh: '单位', en: 'unitId' }).nullish(),
    heldOn: z.string(),
    criteria: z
      .array(criterion)
      .refine((list) => list.length >= 1 && list.length <= 10, problem({ zh: '评分项须为 1–10 项', en: 'Give 1 to 10 criteria' }))
      .refine((list) => new Set(list.map((c) => c.name)).size === list.length, problem({ zh: '评分项名称不能重复', en: 'Criterion names must differ' }))
      .refine((list) => list.reduce((sum, c) => sum + c.weight, 0) === 100, problem({ zh: '评分项权重之和须为 100', en: 'The criterion weights must sum to 100' })),
  })
  .superRefine((value, ctx) => {
    if (value.level === 'SYSTEM' && !value.domainCode) ctx.addIssue({ code: 'custom', path: ['domainCode'], ...problem({ zh: '系统内比武须指明领域', en: 'A SYSTEM contest needs domainCode' }) });
    if (value.level !== 'SYSTEM' && value.domainCode) ctx.addIssue({ code: 'custom', path: ['domainCode'], ...problem({ zh: '只有系统内比武指明领域', en: 'Only a SYSTEM contest has a domainCode' }) });
    if (value.level === 'INTERNAL' && !value.unitId) ctx.addIssue({ code: 'custom', path: ['unitId'], ...problem({ zh: '单位内部比武须指明单位', en: 'An INTERNAL contest needs unitId' }) });
    if (value.level !== 'INTERNAL' && value.unitId) ctx.addIssue({ code: 'custom', path: ['unitId'], ...problem({ zh: '只有单位内部比武指明单位', en: 'Only an INTERNAL contest has a unitId' }) });
  });

const presentation = (zh: string, en: string) => text({ zh, en }, { max: 5000, multiline: true });

export const contestEntryInput = z.object({
  unitId: uuid({ zh: '参赛单位', en: 'unitId' }).nullish(),
  entrantName: optionalText({ zh: '参赛者名称', en: 'entrantName' }, { max: 100 }),
  problems: presentation('讲问题', 'problems'),
  goals: presentation('讲目标', 'goals'),
  ideas: presentation('讲思路', 'ideas'),
  measures: presentation('讲举措', 'measures'),
});

export const judgeInput = z.object({
  subject: z.string().regex(/^[^\s\u0000]{1,200}$/, problem({ zh: '评委账号须为 1–200 个非空白字符', en: 'The judge account must be 1–200 non-space characters' })),
  name: text({ zh: '评委姓名', en: 'Judge name' }, { max: 50 }),
});

export const scoresInput = z
  .array(
    z.object({
      entryId: uuid({ zh: '参赛者 id', en: 'entryId' }),
      criterion: z.number().refine((n) => Number.isInteger(n) && n >= 0 && n < 10, problem({ zh: '评分项序号无效', en: 'Invalid criterion index' })),
      score: z
        .number()
        .refine((s) => Number.isFinite(s) && s >= 0 && s <= 100 && Math.abs(s * 100 - Math.round(s * 100)) < 1e-6, problem({ zh: '分数须为 0–100、至多两位小数', en: 'A score must be 0–100 with at most two decimals' })),
    }),
  )
  .refine((list) => list.length >= 1 && list.length <= 1000, problem({ zh: '一次提交 1–1000 项评分', en: 'Submit 1 to 1000 scores at a time' }))
  .refine((list) => new Set(list.map((s) => `${s.entryId}/${s.criterion}`)).size === list.length, problem({ zh: '同一参赛者同一评分项只能给一个分数', en: 'One score per entry and criterion' }));

export const submitReviewInput = z.object({
  clientRequestId,
  unitId: uuid({ zh: '被评单位', en: 'unitId' }),
  serviceItem: text({ zh: '服务事项', en: 'Service item' }, { max: 200 }),
  channel: enumValue<ReviewRow['channel']>(),
  level: enumValue<ReviewRow['level']>(),
  comment: optionalText({ zh: '评价意见', en: 'Comment' }, { max: 2000 }),
});

export const answerText = text({ zh: '答复', en: 'Answer' }, { max: 5000, multiline: true });
export const measuresText = text({ zh: '整改措施', en: 'Measures' }, { max: 5000, multiline: true });
export const appealReason = text({ zh: '申诉理由', en: 'Reason' }, { max: 5000, multiline: true });
export const decisionReason = text({ zh: '决定理由', en: 'Reason' }, { max: 5000, multiline: true });

export const followUpInput = z
  .object({
    reached: z.boolean(),
    level: enumValue<ReviewRow['level']>().nullish(),
    note: text({ zh: '回访情况', en: 'Note' }, { max: 5000, multiline: true }),
  })
  .superRefine((value, ctx) => {
    if (value.reached && !value.level) ctx.addIssue({ code: 'custom', path: ['level'], ...problem({ zh: '联系上评价人时须记录其满意程度', en: 'Give the level when the reviewer was reached' }) });
    if (!value.reached && value.level) ctx.addIssue({ code: 'custom', path: ['level'], ...problem({ zh: '未联系上评价人时不能记录满意程度', en: 'No level when the reviewer was not reached' }) });
  });
