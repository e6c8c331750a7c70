/**
 * 问卷调查 (issue #26 §6): the command office publishes a survey — rating, choice and text questions,
 * about a unit, a district or an environment — to enterprises or the public; enterprises answer once
 * each (by their token's credit code), the public within the anonymous write limits
 * (platform/write-limits.ts), never the surveyed unit's own staff. Surveys, answer sheets and answers
 * are append-only evidence (migration 0014). The results per unit are read by the half-yearly
 * evaluation's satisfaction indicators directly (results.ts); the lists are the command office's.
 */
import { endOfBeijingDay, beijingDate } from '../../../platform/calendar.ts';
import { changeRow, createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { decodeCursor, decodeInstantCursor, encodeCursor, pageSize, toConnection } from '../../../platform/pagination.ts';
import { limitWindows, refuseOverLimit } from '../../../platform/write-limits.ts';
import { sqlState, SqlState, type Queryable } from '../../../db/client.ts';
import type { SurveyQuestion } from '../../../db/evaluations.ts';
import type { EvaluationsContext } from '../context.ts';
import { SURVEY_LIMIT } from '../deadlines.ts';
import * as input from '../input.ts';
import { keptByItself, SURVEY, surveyRow, surveyState } from '../rows.ts';
import type {
  MutationAnswerSurveyArgs,
  MutationPublishSurveyArgs,
  QuerySurveyArgs,
  QuerySurveysArgs,
  QuerySurveyTextAnswersArgs,
} from '../schema-types.ts';
import { surveyStore, type SurveyAnswerRow, type SurveyResponseRow, type SurveyRow } from '../store.ts';
import type { SurveyResultsView } from '../views.ts';

type Answer = ReturnType<typeof input.answerSurveyInput.parse>['answers'][number];

/** The unit a survey is about, worked out from the directory before any transaction: the unit, or the district's own unit. */
async function surveyedUnit(ctx: EvaluationsContext, data: ReturnType<typeof input.publishSurveyInput.parse>): Promise<string | null> {
  const dir = await ctx.directory.current();
  if (data.subject === 'UNIT') {
    const unit = dir.unit(present(data.unitId, 'the unit of a UNIT survey'));
    if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
    return unit.id;
  }
  if (data.subject === 'DISTRICT') {
    const code = present(data.districtCode, 'the district of a DISTRICT survey');
    if (!dir.districts.has(code)) throw errors.badInput('input.districtCode', { zh: '没有该区(市)', en: 'No such district' });
    const own = [...dir.units.values()].find((u) => !u.archived && u.kind === 'DISTRICT' && u.districtCode === code);
    return own?.id ?? null;
  }
  return null;
}

/** `publishSurvey`: the command office; open from now until 24:00 of the closing day; a retry returns the first. */
export async function publishSurvey(ctx: EvaluationsContext, args: MutationPublishSurveyArgs): Promise<SurveyRow> {
  const data = parseInput(input.publishSurveyInput, args.input, 'input');
  await ctx.access.prepare();
  await ctx.access.assertPublishSurvey();
  const now = ctx.now();
  const closesAt = endOfBeijingDay(data.closesOn);
  if (
    Number.isNaN(closesAt.getTime()) ||
    beijingDate(new Date(closesAt.getTime() - 1)) !== data.closesOn ||
    closesAt.getUTCFullYear() > 2199
  )
    throw errors.badInput('input.closesOn', { zh: '截止日期无效', en: 'Invalid closing day' });
  if (data.closesOn < beijingDate(now))
    throw errors.badInput('input.closesOn', { zh: '截止日期不能早于今天', en: 'The closing day cannot be before today' });
  const unitId = await surveyedUnit(ctx, data);
  const publisher = {
    issuer: ctx.viewer.issuer ?? '',
    role: ctx.viewer.role,
    subject: present(ctx.viewer.subject, 'the subject of the command office'),
  };
  const questions: SurveyQuestion[] = data.questions.map((q) => ({
    kind: q.kind,
    text: q.text,
    options: q.options ?? [],
    required: q.required ?? true,
  }));
  return createRow(
    ctx.db,
    { noun: SURVEY },
    {
      authorize: () => ctx.access.assertPublishSurvey(),
      async write(tx) {
        await surveyStore.lockRespondent(tx, `publisher:${publisher.issuer}:${publisher.role}:${publisher.subject}`);
        const earlier = await surveyStore.byPublisherRequest(tx, publisher, data.clientRequestId);
        if (earlier) return earlier;
        return surveyStore.insert(tx, {
          title: data.title,
          description: data.description,
          audience: data.audience,
          subject: data.subject,
          unitId,
          districtCode: data.districtCode ?? null,
          environmentCode: data.environmentCode ?? null,
          questions,
          opensAt: now,
          closesAt,
          publisherIssuer: publisher.issuer,
          publisherRole: publisher.role,
          publisherSubject: publisher.subject,
          publisherUnitId: ctx.viewer.unitId,
          clientRequestId: data.clientRequestId,
          sample: ctx.sample,
        });
      },
      record: keptByItself,
    },
  );
}

const refuseAnswer = (index: number, message: { zh: string; en: string }) =>
  errors.badInput(`input.answers[${index}]`, { zh: `第 ${index + 1} 项答案：${message.zh}`, en: `Answer ${index + 1}: ${message.en}` });

/** The answers checked against the survey's questions: each fits its question's kind, every required question answered. */
function checkedAnswers(survey: SurveyRow, answers: Answer[]) {
  const rows = answers.map((answer, index) => {
    const question = survey.questions[answer.question];
    if (!question)
      throw refuseAnswer(index, { zh: `问卷没有第 ${answer.question} 题`, en: `The survey has no question ${answer.question}` });
    return checkedAnswer(question, answer, index);
  });
  survey.questions.forEach((question, n) => {
    if (question.required && !answers.some((a) => a.question === n))
      throw errors.badInput('input.answers', { zh: `第 ${n} 题为必答题`, en: `Question ${n} must be answered` });
  });
  return rows;
}

function checkedAnswer(question: SurveyQuestion, answer: Answer, index: number) {
  const rating = answer.rating ?? null;
  const choices = answer.choices ?? null;
  const text = answer.text ?? null;
  const only = (given: 'rating' | 'choices' | 'text') =>
    [rating !== null && given !== 'rating', choices !== null && given !== 'choices', text !== null && given !== 'text'].some(Boolean);
  switch (question.kind) {
    case 'RATING':
      if (rating === null || rating < 1 || rating > 5 || only('rating'))
        throw refuseAnswer(index, { zh: '评分题只填 1–5 分', en: 'A rating question takes a rating of 1 to 5 only' });
      break;
    case 'SINGLE_CHOICE':
    case 'MULTIPLE_CHOICE': {
      const single = question.kind === 'SINGLE_CHOICE';
      const fits =
        choices !== null &&
        !only('choices') &&
        (single ? choices.length === 1 : choices.length >= 1) &&
        new Set(choices).size === choices.length &&
        choices.every((c) => c >= 0 && c < question.options.length);
      if (!fits)
        throw refuseAnswer(index, {
          zh: single ? '单选题只选一个已有选项' : '多选题选一个或多个不重复的已有选项',
          en: single ? 'A single choice takes one of its options' : 'A multiple choice takes one or more distinct options of its own',
        });
      break;
    }
    case 'TEXT':
      if (text === null || only('text')) throw refuseAnswer(index, { zh: '文字题只填文字', en: 'A text question takes text only' });
  }
  return { question: answer.question, rating, choices, text };
}

/** An enterprise's one answer sheet: a retry (same clientRequestId) is the first; another is CONFLICT. */
async function enterpriseSheet(tx: Queryable, survey: SurveyRow, creditCode: string, clientRequestId: string) {
  await surveyStore.lockEnterprise(tx, survey.id, creditCode);
  const earlier = await surveyStore.responseOfEnterprise(tx, survey.id, creditCode);
  if (!earlier) return undefined;
  if (earlier.clientRequestId === clientRequestId) return earlier;
  throw errors.conflict(
    { zh: '本企业已填写过该问卷（每家企业一份）', en: 'Your enterprise has answered this survey already (one answer sheet each)' },
    { field: 'input.surveyId', responseId: earlier.id },
  );
}

/** `answerSurvey`: the audience, while the survey is open; answers checked against its questions; append-only. */
export async function answerSurvey(ctx: EvaluationsContext, args: MutationAnswerSurveyArgs): Promise<SurveyResponseRow> {
  const data = parseInput(input.answerSurveyInput, args.input, 'input');
  await ctx.access.prepare();
  const respondentKey = ctx.access.reviewerKey();
  const enterprise = ctx.viewer.role === 'ENTERPRISE' ? ctx.viewer.enterprise : null;
  try {
    return await changeRow(ctx.db, surveyRow(ctx), {
      key: data.surveyId,
      authorize: (survey) => ctx.access.assertAnswerSurvey(survey, surveyState(survey, ctx.now())),
      async write(tx, survey) {
        const answers = checkedAnswers(survey, data.answers);
        await surveyStore.lockRespondent(tx, respondentKey);
        const retried = await surveyStore.responseByRequest(tx, respondentKey, data.clientRequestId);
        if (retried) {
          if (retried.surveyId !== survey.id)
            throw errors.conflict(
              { zh: '该 clientRequestId 已用于另一份答卷', en: 'This clientRequestId was used for another answer sheet' },
              { field: 'input.clientRequestId' },
            );
          return retried;
        }
        const at = ctx.now();
        if (survey.audience === 'ENTERPRISES') {
          const earlier = await enterpriseSheet(tx, survey, present(enterprise, 'the credit code of an enterprise'), data.clientRequestId);
          if (earlier) return earlier;
        } else {
          const { hourAgo, dayStart } = limitWindows(at);
          const counts = await surveyStore.recentCounts(tx, respondentKey, survey.id, hourAgo, dayStart);
          refuseOverLimit(SURVEY_LIMIT, { targetToday: counts.surveyToday, lastHour: counts.lastHour }, at);
        }
        return surveyStore.insertResponse(
          tx,
          {
            surveyId: survey.id,
            respondentKind: enterprise ? 'ENTERPRISE' : 'PUBLIC',
            creditCode: survey.audience === 'ENTERPRISES' ? enterprise : null,
            respondentKey,
            clientRequestId: data.clientRequestId,
            answeredAt: at,
            sample: ctx.sample,
          },
          answers,
        );
      },
      record: keptByItself,
    });
  } catch (error) {
    // Two replicas racing on the same retry: the locks make it rare, the unique indexes make it safe.
    if (sqlState(error) === SqlState.UNIQUE_VIOLATION) {
      const earlier = await surveyStore.responseByRequest(ctx.db, respondentKey, data.clientRequestId);
      if (earlier) return earlier;
    }
    throw error;
  }
}

// ───────────── reads ─────────────

/** `surveys`: the command office's list, newest first. */
export async function surveys(ctx: EvaluationsContext, { first, after }: QuerySurveysArgs) {
  await ctx.access.assertReadSurveys();
  const size = pageSize(first, ctx.maxPageSize);
  const cursor = after ? decodeInstantCursor(after, 'uuid') : null;
  const { rows, count } = await surveyStore.page(ctx.db, cursor, size);
  return toConnection(rows, size, (row) => [row.opensAt.toISOString(), row.id], count);
}

/** `survey(id)`: for those who may read it (access.ts `canReadSurvey`), else null. */
export async function survey(ctx: EvaluationsContext, args: QuerySurveyArgs): Promise<SurveyRow | null> {
  const id = parseInput(input.surveyId, args.id, 'id');
  const row = await surveyStore.get(ctx.db, id);
  if (!row || !(await ctx.access.canReadSurvey(row, surveyState(row, ctx.now())))) return null;
  return row;
}

export const state = (ctx: EvaluationsContext, row: SurveyRow) => surveyState(row, ctx.now());

/** A survey's results: the command office and the unit it is about; null for anyone else. */
export async function results(ctx: EvaluationsContext, row: SurveyRow): Promise<SurveyResultsView | null> {
  if (!(await ctx.access.canReadSurveyResults(row))) return null;
  const [tallies, counts] = await Promise.all([surveyStore.tallies(ctx.db, row.id), surveyStore.responseCounts(ctx.db, [row.id])]);
  return { survey: row, responses: counts.get(row.id) ?? 0, tallies };
}

/** The results' figures per question, every question listed (none answered: zeros). */
export function questionResults(view: SurveyResultsView) {
  return view.survey.questions.map((question, index) => {
    const tally = view.tallies.find((t) => t.question === index);
    const answered = tally?.answered ?? 0;
    const rating = question.kind === 'RATING';
    const choice = question.kind === 'SINGLE_CHOICE' || question.kind === 'MULTIPLE_CHOICE';
    return {
      index,
      kind: question.kind,
      answered,
      average: rating && answered > 0 ? (tally?.ratingSum ?? 0) / answered : null,
      ratingCounts: rating ? (tally?.ratings ?? [0, 0, 0, 0, 0]) : null,
      choices: choice ? question.options.map((option, i) => ({ index: i, option, count: tally?.choices.get(i) ?? 0 })) : null,
    };
  });
}

/** The average of every rating of the survey (1–5), null without one. */
export function averageRating(view: SurveyResultsView): number | null {
  const rated = view.tallies.filter((t) => view.survey.questions[t.question]?.kind === 'RATING');
  const n = rated.reduce((sum, t) => sum + t.answered, 0);
  return n > 0 ? rated.reduce((sum, t) => sum + t.ratingSum, 0) / n : null;
}

/** `surveyTextAnswers`: the command office's, newest first. */
export async function textAnswers(ctx: EvaluationsContext, args: QuerySurveyTextAnswersArgs) {
  await ctx.access.assertReadSurveys();
  const id = parseInput(input.surveyId, args.surveyId, 'surveyId');
  const size = pageSize(args.first, ctx.maxPageSize);
  const cursor = args.after ? textCursor(args.after) : null;
  const { rows, count } = await surveyStore.textAnswers(ctx.db, id, cursor, size);
  return toConnection(rows, size, (row) => [row.answeredAt.toISOString(), row.responseId, row.question], count);
}

function textCursor(after: string): { at: Date; id: string; question: number } {
  const [at, id, question] = decodeCursor(after, 3);
  // The instant and the answer sheet's id checked as any instant cursor's are.
  const base = decodeInstantCursor(encodeCursor([at, id]), 'uuid');
  if (typeof question !== 'number' || !Number.isInteger(question) || question < 0 || question > 49)
    throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
  return { ...base, question };
}

export const answersOf = (ctx: EvaluationsContext, row: SurveyResponseRow): Promise<SurveyAnswerRow[]> =>
  surveyStore.answersOf(ctx.db, [row.id]);

export const surveyOf = async (ctx: EvaluationsContext, row: SurveyResponseRow): Promise<SurveyRow> =>
  present(await surveyStore.get(ctx.db, row.surveyId), 'the survey of an answer sheet');
