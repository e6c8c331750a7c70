/**
 * 问卷调查 (issue #26 §6) through the gateway and straight against the evaluations subgraph, on real
 * PostgreSQL: only the command office publishes; enterprises answer an enterprises' survey once each
 * (by their token's credit code; a retry is the same sheet), anyone a public one within the anonymous
 * write limits, never the surveyed unit's own staff, and nobody once it is closed; answers are
 * checked against the questions and a refused answer writes nothing; the results per question, the
 * lists (the command office's), and the half-yearly evaluation's satisfaction indicators read from the
 * surveys — typing a value in by hand refused where a survey exists, kept where none does; and a
 * survey about an environment, answered and read, which is no unit's and moves no unit's indicator.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleCreditCode, unitIdForCode } from '../db/reference/organisation.ts';
import { rowsOf } from '../db/client.ts';
import { HOUR, TestClock } from './support/clock.ts';

const DAY = 24 * HOUR;
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors } from './support/doors.ts';

const clock = new TestClock('2026-12-01T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

type Via = 'gateway' | 'evaluations subgraph';
const transports: Via[] = ['gateway', 'evaluations subgraph'];
const { send, ok } = doors(() => t, 'evaluations');
async function refusal(via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}) {
  const response = await send(via, document, as, variables);
  expect(response.errors, `expected a refusal, got ${JSON.stringify(response.data)}`).toBeDefined();
  // Coded and bilingual.
  expect(response.errors![0]!.message).toMatch(/ \/ /);
  return response.errors![0]!.extensions!;
}
const code = async (via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}) =>
  (await refusal(via, document, as, variables)).code;

const TAX = unitIdForCode('TAXATION_BUREAU');
const JIMO = unitIdForCode('JIMO_DISTRICT');
const COMMERCE = unitIdForCode('COMMERCE_BUREAU');
const office: Caller = 'COMMAND_OFFICE';
const taxAdmin: Caller = { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU', subject: 'tax-admin' };
const taxStaff: Caller = { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU', subject: 'tax-staff' };
const policeAdmin: Caller = { role: 'UNIT_ADMIN', unit: 'PUBLIC_SECURITY_BUREAU', subject: 'police-admin' };
const jimoStaff: Caller = { role: 'UNIT_STAFF', unit: 'JIMO_DISTRICT', subject: 'jimo-staff' };
const observer: Caller = { role: 'OBSERVER', subject: 'observer-1' };
const firm = (n: number, person = 1): Caller => ({
  role: 'ENTERPRISE',
  enterprise: sampleCreditCode('370202', 900 + n),
  subject: `firm-${n}-person-${person}`,
});

const SURVEY = `id title audience subject unit { id } districtCode environmentCode state opensAt closesAt
  questions { index kind text options required }`;
const RESULTS = `results { responses averageRating questions { index kind answered average ratingCounts choices { index option count } } }`;
const docs = {
  publish: `mutation($input: PublishSurveyInput!) { publishSurvey(input: $input) { ${SURVEY} } }`,
  answer: `mutation($input: AnswerSurveyInput!) { answerSurvey(input: $input) { id answeredAt survey { id }
    answers { question rating choices text } } }`,
  survey: `query($id: ID!) { survey(id: $id) { ${SURVEY} ${RESULTS} } }`,
  surveys: `query($after: String) { surveys(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title results { responses } } } } }`,
  texts: `query($id: ID!, $after: String) { surveyTextAnswers(surveyId: $id, first: 1, after: $after) { totalCount
    pageInfo { hasNextPage endCursor } edges { node { question text } } } }`,
  createEvaluation: `mutation($input: CreateEvaluationInput!) { createEvaluation(input: $input) { id } }`,
  setValue: `mutation($input: IndicatorValueInput!) { setIndicatorValue(input: $input) { value } }`,
  importValues: `mutation($input: IndicatorImportInput!) { importIndicatorValues(input: $input) { value } }`,
  preview: `query($p: String!) { evaluation(period: $p) { preview { unit { id } evaluated
    inputs { indicator kind value source responses } } } }`,
};

async function counts() {
  const db = t.database.handle.forSubgraph('evaluations').db;
  const [row] = rowsOf<{ surveys: number; responses: number; answers: number }>(
    await db.execute(sql`select (select count(*)::int from evaluations.surveys) as surveys,
      (select count(*)::int from evaluations.survey_responses) as responses,
      (select count(*)::int from evaluations.survey_answers) as answers`),
  );
  return row;
}

let requests = 0;
const enterpriseSurvey = (extra: Record<string, unknown> = {}) => ({
  clientRequestId: `publish-${++requests}`,
  title: '纳税服务企业满意度调查',
  audience: 'ENTERPRISES',
  subject: 'UNIT',
  unitId: TAX,
  closesOn: '2026-12-20',
  questions: [
    { kind: 'RATING', text: '总体满意度' },
    { kind: 'SINGLE_CHOICE', text: '主要渠道', options: ['电子税务局', '办税服务厅'] },
    { kind: 'MULTIPLE_CHOICE', text: '遇到的问题', options: ['材料多', '等待久', '政策不清'] },
    { kind: 'TEXT', text: '意见建议', required: false },
  ],
  ...extra,
});
const sheet = (surveyId: string, rating: number, extra: Record<string, unknown>[] = []) => ({
  clientRequestId: `answer-${++requests}`,
  surveyId,
  answers: [{ question: 0, rating }, { question: 1, choices: [0] }, { question: 2, choices: [0, 2] }, ...extra],
});

let taxSurvey: string;
let jimoSurvey: string;

describe('publishing a survey', () => {
  it.each(transports)('is the command office’s alone, and bad input changes nothing (%s)', async (via) => {
    const before = await counts();
    for (const [as, expected] of [
      [taxAdmin, 'FORBIDDEN'],
      [policeAdmin, 'FORBIDDEN'],
      [firm(1), 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(await code(via, docs.publish, as, { input: enterpriseSurvey() })).toBe(expected);
    }
    for (const bad of [
      { unitId: null },
      { districtCode: '370215' },
      { closesOn: '2026-11-30' },
      { questions: [{ kind: 'SINGLE_CHOICE', text: '只有一个选项', options: ['是'] }] },
      { questions: [{ kind: 'RATING', text: '评分', options: ['1'] }] },
      { questions: [] },
      { subject: 'DISTRICT', unitId: null, districtCode: '999999' },
    ]) {
      expect(await code(via, docs.publish, office, { input: enterpriseSurvey(bad) }), JSON.stringify(bad)).toBe('BAD_USER_INPUT');
    }
    expect(await counts()).toEqual(before);
  });

  it('publishes one about a unit and one about a district (its own unit’s); a retry is the first', async () => {
    const input = enterpriseSurvey();
    const { publishSurvey } = await ok(docs.publish, office, { input });
    expect(publishSurvey).toMatchObject({
      audience: 'ENTERPRISES',
      subject: 'UNIT',
      unit: { id: TAX },
      state: 'OPEN',
      opensAt: '2026-12-01T09:00:00+08:00',
      closesAt: '2026-12-21T00:00:00+08:00',
    });
    expect(publishSurvey.questions.map((q: any) => [q.index, q.kind, q.required])).toEqual([
      [0, 'RATING', true],
      [1, 'SINGLE_CHOICE', true],
      [2, 'MULTIPLE_CHOICE', true],
      [3, 'TEXT', false],
    ]);
    taxSurvey = publishSurvey.id;
    expect((await ok(docs.publish, office, { input }, 'evaluations subgraph')).publishSurvey.id).toBe(taxSurvey);
    clock.advance(HOUR);
    const jimo = await ok(docs.publish, office, {
      input: {
        clientRequestId: 'publish-jimo',
        title: '即墨区群众办事满意度调查',
        audience: 'PUBLIC',
        subject: 'DISTRICT',
        districtCode: '370215',
        closesOn: '2026-12-10',
        questions: [
          { kind: 'RATING', text: '总体评价' },
          { kind: 'TEXT', text: '您遇到的问题', required: false },
        ],
      },
    });
    expect(jimo.publishSurvey).toMatchObject({ subject: 'DISTRICT', districtCode: '370215', unit: { id: JIMO } });
    jimoSurvey = jimo.publishSurvey.id;
  });
});

describe('answering an enterprises’ survey', () => {
  it.each(transports)('refuses everyone but enterprises, and the surveyed unit itself (%s)', async (via) => {
    const before = await counts();
    for (const [as, expected] of [
      ['ANONYMOUS', 'UNAUTHENTICATED'],
      [taxStaff, 'FORBIDDEN'],
      [taxAdmin, 'FORBIDDEN'],
      [policeAdmin, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [office, 'FORBIDDEN'],
    ] as [Caller, string][]) {
      expect(await code(via, docs.answer, as, { input: sheet(taxSurvey, 4) })).toBe(expected);
    }
    expect(await counts()).toEqual(before);
  });

  it.each(transports)('checks each answer against its question; a refused sheet writes nothing (%s)', async (via) => {
    const before = await counts();
    for (const answers of [
      [{ question: 0, rating: 6 }],
      [
        { question: 0, rating: 4 },
        { question: 1, choices: [0, 1] },
        { question: 2, choices: [0] },
      ],
      [
        { question: 0, rating: 4 },
        { question: 1, choices: [2] },
        { question: 2, choices: [0] },
      ],
      [
        { question: 0, rating: 4 },
        { question: 1, choices: [0] },
      ],
      [
        { question: 0, rating: 4 },
        { question: 1, choices: [0] },
        { question: 2, choices: [0] },
        { question: 9, text: '没有这道题' },
      ],
      [
        { question: 0, rating: 4, text: '评分题不填文字' },
        { question: 1, choices: [0] },
        { question: 2, choices: [0] },
      ],
    ]) {
      const input = { clientRequestId: `bad-${++requests}`, surveyId: taxSurvey, answers };
      expect(await code(via, docs.answer, firm(9), { input }), JSON.stringify(answers)).toBe('BAD_USER_INPUT');
    }
    expect(await counts()).toEqual(before);
  });

  it('takes one sheet per enterprise: a retry is that sheet, a second one (or a colleague’s) CONFLICT', async () => {
    const input = sheet(taxSurvey, 5, [{ question: 3, text: '希望增加办税服务厅午间窗口' }]);
    const first = (await ok(docs.answer, firm(1), { input })).answerSurvey;
    expect(first.answers).toEqual([
      { question: 0, rating: 5, choices: null, text: null },
      { question: 1, rating: null, choices: [0], text: null },
      { question: 2, rating: null, choices: [0, 2], text: null },
      { question: 3, rating: null, choices: null, text: '希望增加办税服务厅午间窗口' },
    ]);
    const before = await counts();
    expect((await ok(docs.answer, firm(1), { input }, 'evaluations subgraph')).answerSurvey.id).toBe(first.id);
    for (const via of transports) {
      expect(await code(via, docs.answer, firm(1), { input: sheet(taxSurvey, 1) })).toBe('CONFLICT');
      expect(await code(via, docs.answer, firm(1, 2), { input: sheet(taxSurvey, 1) })).toBe('CONFLICT');
    }
    expect(await counts()).toEqual(before);
    clock.advance(HOUR / 60);
    await ok(docs.answer, firm(2), { input: sheet(taxSurvey, 2, [{ question: 3, text: '退税到账慢' }]) }, 'evaluations subgraph');
    await ok(docs.answer, firm(3), { input: sheet(taxSurvey, 4) });
  });
});

describe('answering a public survey', () => {
  it('lets anyone answer, the anonymous within the limits of every public write, never the district’s own staff', async () => {
    for (const via of transports) expect(await code(via, docs.answer, jimoStaff, { input: sheet2(3) })).toBe('FORBIDDEN');
    await ok(docs.answer, 'ANONYMOUS', { input: sheet2(5, '不动产登记周末不办理') });
    await ok(docs.answer, 'ANONYMOUS', { input: sheet2(4) }, 'evaluations subgraph');
    await ok(docs.answer, observer, { input: sheet2(3, '停车难') });
    await ok(docs.answer, policeAdmin, { input: sheet2(2) });
    await ok(docs.answer, 'ANONYMOUS', { input: sheet2(4) });
    const before = await counts();
    for (const via of transports) {
      const refused = await refusal(via, docs.answer, 'ANONYMOUS', { input: sheet2(1) });
      expect(refused.code).toBe('RATE_LIMITED');
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses answers once the survey is closed (INVALID_TRANSITION), and shows it closed', async () => {
    clock.advance(10 * DAY);
    const before = await counts();
    for (const via of transports) {
      const refused = await refusal(via, docs.answer, observer, { input: sheet2(5) });
      expect(refused).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'CLOSED' });
    }
    expect(await counts()).toEqual(before);
    expect((await ok(docs.survey, office, { id: jimoSurvey })).survey.state).toBe('CLOSED');
    // Closed, a public survey is the command office’s and the district’s.
    expect((await ok(docs.survey, 'ANONYMOUS', { id: jimoSurvey })).survey).toBeNull();
    clock.advance(-10 * DAY);
  });
});

function sheet2(rating: number, text?: string) {
  return {
    clientRequestId: `public-${++requests}`,
    surveyId: jimoSurvey,
    answers: [{ question: 0, rating }, ...(text ? [{ question: 1, text }] : [])],
  };
}

describe('reading surveys', () => {
  it('gives the results to the command office and the surveyed unit, the survey alone to its audience', async () => {
    for (const as of [office, taxAdmin, taxStaff]) {
      const { survey } = await ok(docs.survey, as, { id: taxSurvey });
      expect(survey.results).toEqual({
        responses: 3,
        averageRating: (5 + 2 + 4) / 3,
        questions: [
          { index: 0, kind: 'RATING', answered: 3, average: (5 + 2 + 4) / 3, ratingCounts: [0, 1, 0, 1, 1], choices: null },
          {
            index: 1,
            kind: 'SINGLE_CHOICE',
            answered: 3,
            average: null,
            ratingCounts: null,
            choices: [
              { index: 0, option: '电子税务局', count: 3 },
              { index: 1, option: '办税服务厅', count: 0 },
            ],
          },
          {
            index: 2,
            kind: 'MULTIPLE_CHOICE',
            answered: 3,
            average: null,
            ratingCounts: null,
            choices: [
              { index: 0, option: '材料多', count: 3 },
              { index: 1, option: '等待久', count: 0 },
              { index: 2, option: '政策不清', count: 3 },
            ],
          },
          { index: 3, kind: 'TEXT', answered: 2, average: null, ratingCounts: null, choices: null },
        ],
      });
    }
    const asEnterprise = (await ok(docs.survey, firm(5), { id: taxSurvey })).survey;
    expect(asEnterprise).toMatchObject({ id: taxSurvey, results: null });
    for (const as of [policeAdmin, observer, 'ANONYMOUS'] as Caller[])
      expect((await ok(docs.survey, as, { id: taxSurvey })).survey).toBeNull();
    expect((await ok(docs.survey, 'ANONYMOUS', { id: jimoSurvey })).survey).toMatchObject({ id: jimoSurvey, results: null });
  });

  it.each(transports)('lists surveys and text answers, paginated, for the command office only (%s)', async (via) => {
    const first = (await ok(docs.surveys, office, {}, via)).surveys;
    expect(first.totalCount).toBe(2);
    expect(first.edges[0].node.id).toBe(jimoSurvey);
    const second = (await ok(docs.surveys, office, { after: first.pageInfo.endCursor }, via)).surveys;
    expect(second.edges.map((e: any) => e.node.id)).toEqual([taxSurvey]);
    expect(second.pageInfo.hasNextPage).toBe(false);

    const texts = (await ok(docs.texts, office, { id: taxSurvey }, via)).surveyTextAnswers;
    expect(texts.totalCount).toBe(2);
    expect(texts.edges).toEqual([{ node: { question: 3, text: '退税到账慢' } }]);
    const more = (await ok(docs.texts, office, { id: taxSurvey, after: texts.pageInfo.endCursor }, via)).surveyTextAnswers;
    expect(more.edges).toEqual([{ node: { question: 3, text: '希望增加办税服务厅午间窗口' } }]);
    expect(more.pageInfo.hasNextPage).toBe(false);
    expect(await code(via, docs.texts, office, { id: taxSurvey, after: 'bm90LWEtY3Vyc29y' })).toBe('BAD_USER_INPUT');

    for (const [as, expected] of [
      [taxAdmin, 'FORBIDDEN'],
      [firm(1), 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      ['ANONYMOUS', 'UNAUTHENTICATED'],
    ] as [Caller, string][]) {
      expect(await code(via, docs.surveys, as)).toBe(expected);
      expect(await code(via, docs.texts, as, { id: taxSurvey })).toBe(expected);
    }
  });
});

describe('the half-yearly evaluation’s satisfaction indicators', () => {
  it('read a surveyed unit’s value from its surveys, with the answer sheets; typing one in is refused there, kept elsewhere', async () => {
    await ok(docs.createEvaluation, office, {
      input: {
        period: '2026-H2',
        indicators: [
          { code: 'MARKET', name: '市场主体满意度', kind: 'MARKET_SATISFACTION', weight: 50, measure: '企业问卷' },
          { code: 'PUBLIC', name: '群众满意度', kind: 'PUBLIC_SATISFACTION', weight: 50, measure: '公众问卷' },
        ],
        gradingMethod: 'THRESHOLDS',
        gradeCutoffs: [85, 70, 60],
      },
    });
    for (const via of transports) {
      const refused = await refusal(via, docs.setValue, office, {
        input: { period: '2026-H2', indicator: 'MARKET', unitId: TAX, value: 99, source: '手工' },
      });
      expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.unitId' });
      const imported = await refusal(via, docs.importValues, office, {
        input: {
          period: '2026-H2',
          indicator: 'PUBLIC',
          source: '第三方',
          rows: [
            { unitId: COMMERCE, value: 90 },
            { unitId: JIMO, value: 90 },
          ],
        },
      });
      expect(imported).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.rows[1].unitId' });
      // Refused by those who may not enter values at all, as before.
      expect(
        await code(via, docs.setValue, taxAdmin, {
          input: { period: '2026-H2', indicator: 'MARKET', unitId: COMMERCE, value: 1, source: 'x' },
        }),
      ).toBe('FORBIDDEN');
    }
    // No survey about 市商务局: its values are entered by hand, as before.
    await ok(docs.setValue, office, {
      input: { period: '2026-H2', indicator: 'MARKET', unitId: COMMERCE, value: 91, source: '第三方调查' },
    });
    await ok(docs.setValue, office, { input: { period: '2026-H2', indicator: 'PUBLIC', unitId: TAX, value: 88, source: '第三方调查' } });

    const { preview } = (await ok(docs.preview, office, { p: '2026-H2' })).evaluation;
    const inputsOf = (unitId: string) =>
      Object.fromEntries(preview.find((r: any) => r.unit.id === unitId).inputs.map((i: any) => [i.indicator, i]));
    const tax = inputsOf(TAX);
    // The average rating (5 + 2 + 4) / 3 × 20, to two decimals.
    expect(tax.MARKET).toMatchObject({ value: 73.33, responses: 3 });
    expect(tax.MARKET.source).toMatch(/1 survey\(s\) of enterprises .* 3 answer sheet\(s\)/);
    expect(tax.PUBLIC).toMatchObject({ value: 88, responses: null });
    expect(tax.PUBLIC.source).toMatch(/^entered by unit/);
    // 即墨区: its public survey's five sheets, average (5+4+3+2+4)/5 = 3.6 → 72.
    expect(inputsOf(JIMO).PUBLIC).toMatchObject({ value: 72, responses: 5 });
    expect(inputsOf(JIMO).MARKET).toMatchObject({ value: null, responses: null });
    expect(inputsOf(COMMERCE).MARKET).toMatchObject({ value: 91, responses: null });
  });
});

describe('a survey about an environment', () => {
  it('is published, answered and read, and changes no unit’s satisfaction indicator', async () => {
    const inputs = `{ evaluation(period: "2026-H2") { preview { unit { id } inputs { indicator kind value source responses } } } }`;
    const satisfaction = async () =>
      ((await ok(inputs, office)).evaluation.preview as any[]).map((row) => ({
        unit: row.unit.id,
        inputs: row.inputs.filter((i: any) => i.kind === 'MARKET_SATISFACTION' || i.kind === 'PUBLIC_SATISFACTION'),
      }));
    const before = await satisfaction();
    expect(before.find((row) => row.unit === TAX)!.inputs).toMatchObject([{ value: 73.33, responses: 3 }, { value: 88 }]);

    // 要素环境, to enterprises: about no unit.
    const { publishSurvey } = await ok(docs.publish, office, {
      input: {
        clientRequestId: `publish-${++requests}`,
        title: '要素环境企业满意度调查',
        audience: 'ENTERPRISES',
        subject: 'ENVIRONMENT',
        environmentCode: 'FACTOR',
        closesOn: '2026-12-20',
        questions: [
          { kind: 'RATING', text: '用地、用工、融资等要素保障满意度' },
          { kind: 'TEXT', text: '最突出的要素难题', required: false },
        ],
      },
    });
    expect(publishSurvey).toMatchObject({
      subject: 'ENVIRONMENT',
      environmentCode: 'FACTOR',
      unit: null,
      districtCode: null,
      state: 'OPEN',
    });
    const surveyId = publishSurvey.id;
    // The enterprises answer it — among them one that rated the tax bureau — as any survey of theirs.
    clock.advance(HOUR / 60);
    const answered = await ok(docs.answer, firm(1), {
      input: {
        clientRequestId: `answer-${++requests}`,
        surveyId,
        answers: [
          { question: 0, rating: 1 },
          { question: 1, text: '工业用地指标紧张' },
        ],
      },
    });
    expect(answered.answerSurvey.survey.id).toBe(surveyId);
    await ok(docs.answer, firm(6), { input: { clientRequestId: `answer-${++requests}`, surveyId, answers: [{ question: 0, rating: 2 }] } });
    expect(
      await code('gateway', docs.answer, firm(6), {
        input: { clientRequestId: `answer-${++requests}`, surveyId, answers: [{ question: 0, rating: 5 }] },
      }),
    ).toBe('CONFLICT');

    // Its results are the command office's: no unit is its subject.
    const { survey } = await ok(docs.survey, office, { id: surveyId });
    expect(survey.results).toMatchObject({
      responses: 2,
      averageRating: 1.5,
      questions: [
        { index: 0, kind: 'RATING', answered: 2, average: 1.5, ratingCounts: [1, 1, 0, 0, 0] },
        { index: 1, kind: 'TEXT', answered: 1 },
      ],
    });
    expect((await ok(docs.texts, office, { id: surveyId })).surveyTextAnswers.edges).toEqual([
      { node: { question: 1, text: '工业用地指标紧张' } },
    ]);
    for (const as of [taxAdmin, taxStaff, policeAdmin]) expect((await ok(docs.survey, as, { id: surveyId })).survey).toBeNull();

    // Every unit's satisfaction inputs read as before: values, sources and answer sheets.
    expect(await satisfaction()).toEqual(before);
    // And it surveys no unit: a value is still typed in for a unit no survey is about.
    await ok(docs.setValue, office, {
      input: { period: '2026-H2', indicator: 'MARKET', unitId: unitIdForCode('PUBLIC_SECURITY_BUREAU'), value: 86, source: '第三方调查' },
    });
  });
});
