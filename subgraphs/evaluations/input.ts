/**
 * What callers send to the evaluations slice, as schemas: every argument is parsed here before the
 * use cases use it, and a refusal names the field in Chinese and English. (GraphQL has already
 * checked types and enum values; whether a unit or domain exists is asked of the directory, in the
 * use cases.)
 */
import { roles } from '../../platform/auth.ts';
import type { Bilingual } from '../../platform/errors.ts';
import { clientRequestId, enumValue, optionalText, text, uuid, z } from '../../platform/input.ts';
import { FIRST_YEAR, HALF_YEAR, halfYear, LAST_YEAR } from '../../platform/periods.ts';
import { quarter } from './grading.ts';
import type { ContestRow, ReviewRow } from './store.ts';

const problem = (message: Bilingual) => ({ message: message.en, params: message });

export const contestId = uuid({ zh: '比武 id', en: 'Contest id' });
export const reviewId = uuid({ zh: '评价 id', en: 'Review id' });

const criterion = z.object({
  name: text({ zh: '评分项名称', en: 'Criterion name' }, { max: 100 }),
  weight: z
    .number()
    .refine(
      (w) => Number.isInteger(w) && w >= 1 && w <= 100,
      problem({ zh: '权重须为 1–100 的整数', en: 'A weight must be a whole number from 1 to 100' }),
    ),
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
      .refine(
        (list) => new Set(list.map((c) => c.name)).size === list.length,
        problem({ zh: '评分项名称不能重复', en: 'Criterion names must differ' }),
      )
      .refine(
        (list) => list.reduce((sum, c) => sum + c.weight, 0) === 100,
        problem({ zh: '评分项权重之和须为 100', en: 'The criterion weights must sum to 100' }),
      ),
  })
  .superRefine((value, ctx) => {
    if (value.level === 'SYSTEM' && !value.domainCode)
      ctx.addIssue({
        code: 'custom',
        path: ['domainCode'],
        ...problem({ zh: '系统内比武须指明领域', en: 'A SYSTEM contest needs domainCode' }),
      });
    if (value.level !== 'SYSTEM' && value.domainCode)
      ctx.addIssue({
        code: 'custom',
        path: ['domainCode'],
        ...problem({ zh: '只有系统内比武指明领域', en: 'Only a SYSTEM contest has a domainCode' }),
      });
    if (value.level === 'INTERNAL' && !value.unitId)
      ctx.addIssue({
        code: 'custom',
        path: ['unitId'],
        ...problem({ zh: '单位内部比武须指明单位', en: 'An INTERNAL contest needs unitId' }),
      });
    if (value.level !== 'INTERNAL' && value.unitId)
      ctx.addIssue({
        code: 'custom',
        path: ['unitId'],
        ...problem({ zh: '只有单位内部比武指明单位', en: 'Only an INTERNAL contest has a unitId' }),
      });
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
  subject: z.string().regex(
    // eslint-disable-next-line no-control-regex -- a NUL byte is refused on purpose: it cannot be stored or shown
    /^[^\s\u0000]{1,200}$/,
    problem({ zh: '评委账号须为 1–200 个非空白字符', en: 'The judge account must be 1–200 non-space characters' }),
  ),
  /** A person is the issuer, role and subject together: the same subject in another role is somebody else. */
  role: z.enum(
    roles,
    problem({ zh: '评委账号的角色须为已登录角色之一', en: 'The judge account’s role must be one of the signed-in roles' }),
  ),
  name: text({ zh: '评委姓名', en: 'Judge name' }, { max: 50 }),
});

export const scoresInput = z
  .array(
    z.object({
      entryId: uuid({ zh: '参赛者 id', en: 'entryId' }),
      criterion: z
        .number()
        .refine((n) => Number.isInteger(n) && n >= 0 && n < 10, problem({ zh: '评分项序号无效', en: 'Invalid criterion index' })),
      score: z
        .number()
        .refine(
          (s) => Number.isFinite(s) && s >= 0 && s <= 100 && Math.abs(s * 100 - Math.round(s * 100)) < 1e-6,
          problem({ zh: '分数须为 0–100、至多两位小数', en: 'A score must be 0–100 with at most two decimals' }),
        ),
    }),
  )
  .refine(
    (list) => list.length >= 1 && list.length <= 1000,
    problem({ zh: '一次提交 1–1000 项评分', en: 'Submit 1 to 1000 scores at a time' }),
  )
  .refine(
    (list) => new Set(list.map((s) => `${s.entryId}/${s.criterion}`)).size === list.length,
    problem({ zh: '同一参赛者同一评分项只能给一个分数', en: 'One score per entry and criterion' }),
  );

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
    if (value.reached && !value.level)
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        ...problem({ zh: '联系上评价人时须记录其满意程度', en: 'Give the level when the reviewer was reached' }),
      });
    if (!value.reached && value.level)
      ctx.addIssue({
        code: 'custom',
        path: ['level'],
        ...problem({ zh: '未联系上评价人时不能记录满意程度', en: 'No level when the reviewer was not reached' }),
      });
  });

// ───────────── tasks, reports, the evaluation ─────────────

const dateText = z
  .string()
  .refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value), problem({ zh: '日期须为 YYYY-MM-DD', en: 'A date must be YYYY-MM-DD' }));

export const milestoneId = uuid({ zh: '里程碑 id', en: 'Milestone id' });
export const unitId = uuid({ zh: '单位', en: 'unitId' });
export const milestoneNote = text({ zh: '完成情况', en: 'Note' }, { max: 5000, multiline: true });

export const createTaskInput = z.object({
  unitId: uuid({ zh: '责任单位', en: 'unitId' }),
  title: text({ zh: '事项名称', en: 'Title' }, { max: 200 }),
  description: text({ zh: '事项内容', en: 'Description' }, { max: 10_000, multiline: true }),
  dueOn: dateText,
  milestones: z
    .array(z.object({ title: text({ zh: '里程碑名称', en: 'Milestone title' }, { max: 200 }), dueOn: dateText }))
    .refine((list) => list.length <= 20, problem({ zh: '里程碑最多 20 个', en: 'At most 20 milestones' })),
});

export const quarterlyReportInput = z.object({
  unitId: uuid({ zh: '报送单位', en: 'unitId' }).nullish(),
  quarter: z
    .string()
    .regex(/^\d{4}-Q[1-4]$/, problem({ zh: '季度须形如 2026-Q3', en: 'A quarter looks like 2026-Q3' }))
    .refine(
      (value) => quarter(value) !== null,
      problem({ zh: `季度的年份须在 ${FIRST_YEAR}–${LAST_YEAR} 之间`, en: `A quarter's year lies in ${FIRST_YEAR}–${LAST_YEAR}` }),
    ),
  content: text({ zh: '报告内容', en: 'Content' }, { max: 50_000, multiline: true }),
});

/** A half year the evaluation can compute: a year outside 2000–2199 was once accepted, then read as an internal error. */
export const period = z
  .string()
  .regex(HALF_YEAR, problem({ zh: '期间须形如 2026-H1', en: 'A period looks like 2026-H1' }))
  .refine(
    (value) => halfYear(value) !== null,
    problem({ zh: `期间的年份须在 ${FIRST_YEAR}–${LAST_YEAR} 之间`, en: `A period's year lies in ${FIRST_YEAR}–${LAST_YEAR}` }),
  );

const INDICATOR_KINDS = [
  'ECONOMIC_OPERATION',
  'MARKET_SATISFACTION',
  'PUBLIC_SATISFACTION',
  'RECTIFICATION',
  'POLICY_HONOURING',
  'CONTEST',
  'REPORT_PUNCTUALITY',
  'SERVICE_REVIEWS',
] as const;

export const createEvaluationInput = z
  .object({
    period,
    indicators: z
      .array(
        z.object({
          code: z
            .string()
            .regex(
              /^[A-Z][A-Z0-9_]{0,39}$/,
              problem({ zh: '指标代码须为大写字母、数字和下划线', en: 'An indicator code is upper-case letters, digits and _' }),
            ),
          name: text({ zh: '指标名称', en: 'Indicator name' }, { max: 100 }),
          kind: z.enum(INDICATOR_KINDS),
          weight: z
            .number()
            .refine(
              (w) => Number.isInteger(w) && w >= 1 && w <= 100,
              problem({ zh: '权重须为 1–100 的整数', en: 'A weight must be a whole number from 1 to 100' }),
            ),
          measure: text({ zh: '计量方法', en: 'Measure' }, { max: 1000 }),
          mandatory: z.boolean().nullish(),
        }),
      )
      .refine((list) => list.length >= 1 && list.length <= 20, problem({ zh: '指标须为 1–20 项', en: 'Give 1 to 20 indicators' }))
      .refine(
        (list) => new Set(list.map((i) => i.code)).size === list.length,
        problem({ zh: '指标代码不能重复', en: 'Indicator codes must differ' }),
      )
      .refine(
        (list) => list.reduce((sum, i) => sum + i.weight, 0) === 100,
        problem({ zh: '指标权重之和须为 100', en: 'The indicator weights must sum to 100' }),
      ),
    gradingMethod: z.enum(['THRESHOLDS', 'QUOTAS']),
    gradeCutoffs: z.array(z.number().refine(Number.isFinite)),
    minimumCoverage: z
      .number()
      .refine(
        (w) => Number.isInteger(w) && w >= 0 && w <= 100,
        problem({
          zh: '最低覆盖须为 0–100 的整数（有值指标的权重之和）',
          en: 'The minimum coverage must be a whole number from 0 to 100 (the weight with a value)',
        }),
      )
      .nullish(),
  })
  .superRefine((value, ctx) => {
    const cut = value.gradeCutoffs;
    const add = (message: Bilingual) => ctx.addIssue({ code: 'custom', path: ['gradeCutoffs'], ...problem(message) });
    if (cut.length !== 3) return add({ zh: '须给出优秀、良好、一般三档', en: 'Give three cut-offs: 优秀, 良好, 一般' });
    const [excellent, good, fair] = cut as [number, number, number];
    if (value.gradingMethod === 'THRESHOLDS' && !(excellent <= 100 && excellent > good && good > fair && fair >= 0))
      add({ zh: '分数线须在 0–100 之间且递减', en: 'Thresholds must lie in 0–100 and decrease' });
    if (value.gradingMethod === 'QUOTAS' && (cut.some((c) => c < 0 || c > 1) || cut.reduce((s, c) => s + c, 0) > 1 + 1e-9))
      add({ zh: '比例须在 0–1 之间，合计不超过 1', en: 'Quotas must lie in 0–1 and sum to at most 1' });
  });

export const indicatorValueInput = z.object({
  period,
  indicator: z.string().max(40),
  unitId: uuid({ zh: '单位', en: 'unitId' }),
  value: z
    .number()
    .refine((v) => Number.isFinite(v) && Math.abs(v) < 1e10, problem({ zh: '指标值须为有限数', en: 'The value must be a finite number' })),
  source: text({ zh: '来源说明', en: 'Source' }, { max: 500 }),
});

export const evaluationDecisionInput = z.object({
  period,
  unitId: uuid({ zh: '单位', en: 'unitId' }),
  kind: z.enum(['COMMENDATION', 'ACCOUNTABILITY']),
  text: text({ zh: '决定内容', en: 'Text' }, { max: 5000, multiline: true }),
});

export const indicatorImportInput = z.object({
  period,
  indicator: z.string().max(40),
  source: text({ zh: '来源说明', en: 'Source' }, { max: 500 }),
  rows: z
    .array(
      z.object({
        unitId: uuid({ zh: '单位', en: 'unitId' }),
        value: z
          .number()
          .refine(
            (v) => Number.isFinite(v) && Math.abs(v) < 1e10,
            problem({ zh: '指标值须为有限数', en: 'The value must be a finite number' }),
          ),
      }),
    )
    .refine((rows) => rows.length >= 1 && rows.length <= 500, problem({ zh: '一次导入 1–500 行', en: 'Import 1 to 500 rows at a time' }))
    .refine(
      (rows) => new Set(rows.map((r) => r.unitId)).size === rows.length,
      problem({ zh: '同一单位只能出现一次', en: 'Each unit at most once' }),
    ),
});

// ───────────── surveys (问卷调查) ─────────────

export const surveyId = uuid({ zh: '问卷 id', en: 'Survey id' });

const surveyQuestion = z
  .object({
    kind: z.enum(['RATING', 'SINGLE_CHOICE', 'MULTIPLE_CHOICE', 'TEXT']),
    text: text({ zh: '题目', en: 'Question' }, { max: 500 }),
    options: z.array(text({ zh: '选项', en: 'Option' }, { max: 200 })).nullish(),
    required: z.boolean().nullish(),
  })
  .superRefine((q, ctx) => {
    const choice = q.kind === 'SINGLE_CHOICE' || q.kind === 'MULTIPLE_CHOICE';
    const n = q.options?.length ?? 0;
    if (choice && (n < 2 || n > 20))
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        ...problem({ zh: '选择题须有 2–20 个选项', en: 'A choice question has 2 to 20 options' }),
      });
    if (choice && new Set(q.options).size !== n)
      ctx.addIssue({ code: 'custom', path: ['options'], ...problem({ zh: '选项不能重复', en: 'Options must differ' }) });
    if (!choice && n > 0)
      ctx.addIssue({ code: 'custom', path: ['options'], ...problem({ zh: '只有选择题有选项', en: 'Only a choice question has options' }) });
  });

export const publishSurveyInput = z
  .object({
    clientRequestId,
    title: text({ zh: '问卷标题', en: 'Title' }, { max: 200 }),
    description: optionalText({ zh: '问卷说明', en: 'Description' }, { max: 5000 }),
    audience: z.enum(['ENTERPRISES', 'PUBLIC']),
    subject: z.enum(['UNIT', 'DISTRICT', 'ENVIRONMENT']),
    unitId: uuid({ zh: '所调查的单位', en: 'unitId' }).nullish(),
    districtCode: z.string().max(20).nullish(),
    environmentCode: z.enum(['POLICY', 'SERVICE', 'FACTOR', 'MARKET', 'RULE_OF_LAW', 'HUMANISTIC']).nullish(),
    closesOn: dateText,
    questions: z
      .array(surveyQuestion)
      .refine((list) => list.length >= 1 && list.length <= 50, problem({ zh: '问卷须有 1–50 题', en: 'Give 1 to 50 questions' })),
  })
  .superRefine((value, ctx) => {
    const about = { UNIT: 'unitId', DISTRICT: 'districtCode', ENVIRONMENT: 'environmentCode' } as const;
    for (const [subject, field] of Object.entries(about)) {
      const given = value[field] !== null && value[field] !== undefined;
      if (subject === value.subject && !given)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          ...problem({ zh: `调查对象为 ${subject} 时须填写 ${field}`, en: `A ${subject} survey names its ${field}` }),
        });
      if (subject !== value.subject && given)
        ctx.addIssue({
          code: 'custom',
          path: [field],
          ...problem({ zh: `调查对象为 ${value.subject} 时不填 ${field}`, en: `A ${value.subject} survey has no ${field}` }),
        });
    }
  });

export const answerSurveyInput = z.object({
  clientRequestId,
  surveyId,
  answers: z
    .array(
      z.object({
        question: z.number().int().min(0).max(49),
        rating: z.number().int().nullish(),
        choices: z.array(z.number().int()).nullish(),
        text: optionalText({ zh: '文字答案', en: 'Text answer' }, { max: 2000, multiline: true }),
      }),
    )
    .refine((list) => list.length <= 50, problem({ zh: '答案最多 50 项', en: 'At most 50 answers' }))
    .refine(
      (list) => new Set(list.map((a) => a.question)).size === list.length,
      problem({ zh: '每题只能作答一次', en: 'One answer per question' }),
    ),
});
