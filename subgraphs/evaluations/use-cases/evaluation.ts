/**
 * 半年效果评估: the command office defines a half year's evaluation, enters the values no slice
 * computes, publishes it once the half year's inputs are all in (every result frozen with its
 * inputs), and records commendations and accountability — and reading it: the live preview, the
 * frozen results and their recomputation, definitions, decisions, a unit's grade. Each change goes
 * through the kit's one way (platform/change.ts) on the half year's evaluation, locked, in its state
 * (NONE until defined).
 */
import { changeRow, versionConflict } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { formatBeijing } from '../../../platform/scalars.ts';
import type { Queryable } from '../../../db/client.ts';
import type { EvaluationsContext } from '../context.ts';
import {
  computeResults,
  ENTERED_KINDS,
  MANDATORY_BY_DEFAULT,
  publishableAfter as publishableAfterOf,
  type IndicatorSpec,
  type RawValue,
} from '../grading.ts';
import * as input from '../input.ts';
import { EVALUATION, evaluationState, halfYearEvaluation, keptByItself, type HalfYearEvaluation } from '../rows.ts';
import type { EvaluationAction } from '../rules.ts';
import type {
  MutationCreateEvaluationArgs,
  MutationImportIndicatorValuesArgs,
  MutationPublishEvaluationArgs,
  MutationRecordEvaluationDecisionArgs,
  MutationSetIndicatorValueArgs,
  QueryEvaluationArgs,
  UnitGradeArgs,
} from '../schema-types.ts';
import { evaluationStore, surveyStore, type EvaluationRow, type IndicatorValueRow } from '../store.ts';
import type { ResultView } from '../views.ts';
import { compute, datesOf, frozenView, gradingOf, rangeOf, remoteInputs, SURVEYED_KINDS, toView } from './results.ts';

const subjectOf = (ctx: EvaluationsContext) => present(ctx.viewer.subject, 'the subject of the command office');

/** The evaluation of a half year the rules let this action act on (every state but NONE has one). */
const defined = (slot: HalfYearEvaluation) => present(slot.evaluation, `the evaluation of ${slot.period}`);

/** An action on the half year's evaluation, authorized on it as locked, in its state. */
async function changeEvaluation<Written>(
  ctx: EvaluationsContext,
  period: string,
  action: EvaluationAction,
  write: (tx: Queryable, slot: HalfYearEvaluation) => Promise<Written | null | undefined>,
): Promise<Written> {
  await ctx.access.prepare();
  return changeRow(ctx.db, halfYearEvaluation, {
    key: period,
    authorize: (slot) => ctx.access.assertEvaluation(action, evaluationState(slot)),
    write,
    record: keptByItself,
  });
}

/** `createEvaluation`: defines the half year's evaluation, or defines it again while a draft; every definition is kept. */
export async function createEvaluation(ctx: EvaluationsContext, args: MutationCreateEvaluationArgs): Promise<EvaluationRow> {
  const data = parseInput(input.createEvaluationInput, args.input, 'input');
  const definition = {
    // Mandatory unless said otherwise for what the plan evaluates every unit on.
    indicators: data.indicators.map(({ mandatory, ...indicator }) => ({
      ...indicator,
      mandatory: mandatory ?? MANDATORY_BY_DEFAULT.includes(indicator.kind),
    })),
    gradingMethod: data.gradingMethod,
    gradeCutoffs: data.gradeCutoffs,
    minimumCoverage: data.minimumCoverage ?? 0,
  };
  await ctx.access.prepare();
  return changeRow(ctx.db, halfYearEvaluation, {
    key: data.period,
    authorize: (slot) => ctx.access.assertEvaluation('createEvaluation', evaluationState(slot)),
    write: (tx, { evaluation: existing }) =>
      existing
        ? evaluationStore.redefine(tx, existing.id, existing.version, definition)
        : evaluationStore.insert(tx, {
            period: data.period,
            ...definition,
            createdBy: subjectOf(ctx),
            createdAt: ctx.now(),
            sample: ctx.sample,
          }),
    // Every definition is kept, with who gave it and when: the evidence of the half year's rules.
    record: (tx, _, row) =>
      evaluationStore.insertDefinition(tx, {
        evaluationId: row.id,
        version: row.version,
        ...definition,
        definedBy: subjectOf(ctx),
        definedAt: ctx.now(),
      }),
  });
}

/** The indicator `code` of the evaluation, if values of it are entered here (not read from another slice). */
function enteredIndicator(evaluation: EvaluationRow, code: string): IndicatorSpec {
  const indicator = evaluation.indicators.find((i) => i.code === code);
  if (!indicator)
    throw errors.badInput('input.indicator', { zh: `本次评估没有指标 ${code}`, en: `The evaluation has no indicator ${code}` });
  if (!ENTERED_KINDS.includes(indicator.kind))
    throw errors.badInput('input.indicator', {
      zh: '该指标取自其他子图，不能录入',
      en: 'This indicator is read from another subgraph, not entered',
    });
  return indicator;
}

/**
 * Refuses typing in a satisfaction value for a unit a survey of the half year is about: its value is
 * the survey's (results.ts `SURVEYED_KINDS`). Asked inside the evaluation's transaction, where the value would be written.
 */
async function refuseSurveyed(
  tx: Queryable,
  evaluation: EvaluationRow,
  indicator: IndicatorSpec,
  rows: { unitId: string; field: string }[],
) {
  const audience = SURVEYED_KINDS[indicator.kind];
  if (!audience) return;
  const range = rangeOf(datesOf(evaluation));
  const surveyed = await surveyStore.surveyedUnits(
    tx,
    audience,
    rows.map((r) => r.unitId),
    range.from,
    range.to,
  );
  const hit = rows.find((r) => surveyed.has(r.unitId));
  if (hit)
    throw errors.badInput(hit.field, {
      zh: `该单位本半年有${audience === 'ENTERPRISES' ? '企业' : '公众'}问卷调查，该指标取自问卷结果（含答卷数），不能手工录入`,
      en: `A survey of ${audience === 'ENTERPRISES' ? 'enterprises' : 'the public'} about this unit was published in the half year: the indicator's value is its results (with the answer sheets counted), not typed in`,
    });
}

/** `setIndicatorValue`: one unit's value of an entered indicator, while the evaluation is a draft; every value kept. */
export async function setIndicatorValue(ctx: EvaluationsContext, args: MutationSetIndicatorValueArgs): Promise<IndicatorValueRow> {
  const data = parseInput(input.indicatorValueInput, args.input, 'input');
  const unit = await ctx.directory.unit(data.unitId);
  if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
  return changeEvaluation(ctx, data.period, 'setIndicatorValue', async (tx, slot) => {
    const evaluation = defined(slot);
    const indicator = enteredIndicator(evaluation, data.indicator);
    await refuseSurveyed(tx, evaluation, indicator, [{ unitId: data.unitId, field: 'input.unitId' }]);
    return evaluationStore.insertValue(tx, {
      evaluationId: evaluation.id,
      unitId: data.unitId,
      indicator: data.indicator,
      value: data.value,
      source: data.source,
      enteredBy: subjectOf(ctx),
      enteredByUnitId: ctx.viewer.unitId,
      enteredAt: ctx.now(),
    });
  });
}

/** `importIndicatorValues`: a whole table of one entered indicator (a survey's results): every row, or none. */
export async function importIndicatorValues(
  ctx: EvaluationsContext,
  args: MutationImportIndicatorValuesArgs,
): Promise<IndicatorValueRow[]> {
  const data = parseInput(input.indicatorImportInput, args.input, 'input');
  const dir = await ctx.directory.current();
  data.rows.forEach((row, index) => {
    const unit = dir.unit(row.unitId);
    if (!unit || unit.archived)
      throw errors.badInput(`input.rows[${index}].unitId`, {
        zh: `第 ${index + 1} 行：没有该单位，或已撤销`,
        en: `Row ${index + 1}: no such active unit`,
      });
  });
  return changeEvaluation(ctx, data.period, 'setIndicatorValue', async (tx, slot) => {
    const evaluation = defined(slot);
    const indicator = enteredIndicator(evaluation, data.indicator);
    await refuseSurveyed(
      tx,
      evaluation,
      indicator,
      data.rows.map((row, index) => ({ unitId: row.unitId, field: `input.rows[${index}].unitId` })),
    );
    const at = ctx.now();
    const saved = [];
    for (const row of data.rows) {
      saved.push(
        await evaluationStore.insertValue(tx, {
          evaluationId: evaluation.id,
          unitId: row.unitId,
          indicator: data.indicator,
          value: row.value,
          source: data.source,
          enteredBy: subjectOf(ctx),
          enteredByUnitId: ctx.viewer.unitId,
          enteredAt: at,
        }),
      );
    }
    return saved;
  });
}

/** The instant after which the evaluation may be published. */
export const publishableAfter = (evaluation: EvaluationRow) =>
  present(publishableAfterOf(evaluation.period, evaluation.indicators), `the publication time of ${evaluation.period}`);

/** TOO_EARLY until the half year has ended and its inputs are all in (the reports' due time). */
function refuseEarlyPublication(ctx: EvaluationsContext, evaluation: EvaluationRow): void {
  const after = publishableAfter(evaluation);
  if (ctx.now().getTime() > after.getTime()) return;
  const when = formatBeijing(after).slice(0, 16).replace('T', ' ');
  const reports = evaluation.indicators.some((i) => i.kind === 'REPORT_PUNCTUALITY');
  throw errors.tooEarly(
    {
      zh: `${evaluation.period} 的评估须在 ${when}（北京时间）之后发布：届时半年已结束${reports ? '、各季度报告已到期' : ''}，结果才完整；在此之前可随时查看预览`,
      en: `The evaluation of ${evaluation.period} can be published after ${when} Beijing time, once the half year has ended${reports ? ' and its quarterly reports have fallen due' : ''}; until then the preview is there at any time`,
    },
    formatBeijing(after),
  );
}

/** `publishEvaluation`: every considered unit's result frozen with its inputs, as the draft stood when asked. */
export async function publishEvaluation(ctx: EvaluationsContext, args: MutationPublishEvaluationArgs): Promise<EvaluationRow> {
  const name = parseInput(input.period, args.period, 'period');
  await ctx.access.prepare();
  const draft = await evaluationStore.get(ctx.db, name);
  await ctx.access.assertEvaluation('publishEvaluation', draft?.status ?? 'NONE');
  const asked = present(draft, `the draft evaluation of ${name}`);
  refuseEarlyPublication(ctx, asked);
  // The other slices are asked first, outside the transaction; then everything of this slice is read and frozen in it.
  const remote = await remoteInputs(ctx, asked);
  return changeRow(ctx.db, halfYearEvaluation, {
    key: name,
    async authorize(slot) {
      await ctx.access.assertEvaluation('publishEvaluation', evaluationState(slot));
      // The inputs above were asked of the draft as it was: they hold only if nobody changed it since.
      const evaluation = defined(slot);
      if (evaluation.version !== asked.version) throw versionConflict(EVALUATION, evaluation.version);
    },
    async write(tx, slot) {
      const evaluation = defined(slot);
      const results = await compute(ctx, tx, evaluation, remote);
      await evaluationStore.insertResults(
        tx,
        results.map((r) => ({
          evaluationId: evaluation.id,
          unitId: r.unitId,
          evaluated: r.evaluated,
          score: r.score,
          rank: r.rank,
          grade: r.grade,
          inputs: r.inputs,
        })),
      );
      return evaluationStore.publish(tx, evaluation.id, evaluation.version, ctx.now());
    },
    record: keptByItself,
  });
}

/** `recordEvaluationDecision`: a commendation or accountability for a unit with a published result. */
export async function recordEvaluationDecision(ctx: EvaluationsContext, args: MutationRecordEvaluationDecisionArgs) {
  const data = parseInput(input.evaluationDecisionInput, args.input, 'input');
  return changeEvaluation(ctx, data.period, 'recordEvaluationDecision', async (tx, slot) => {
    const evaluation = defined(slot);
    const results = await evaluationStore.results(tx, [evaluation.id]);
    if (!results.some((r) => r.unitId === data.unitId))
      throw errors.badInput('input.unitId', { zh: '该单位没有本次评估结果', en: 'The unit has no result in this evaluation' });
    return evaluationStore.insertDecision(tx, {
      evaluationId: evaluation.id,
      unitId: data.unitId,
      kind: data.kind,
      text: data.text,
      decidedBy: subjectOf(ctx),
      decidedAt: ctx.now(),
    });
  });
}

// ───────────── reads ─────────────

/** `evaluation(period)`: published, or a draft for those who may read drafts. */
export async function evaluation(ctx: EvaluationsContext, args: QueryEvaluationArgs): Promise<EvaluationRow | null> {
  const name = parseInput(input.period, args.period, 'period');
  const row = await ctx.loaders.evaluationByPeriod.load(name);
  if (!row) return null;
  if (row.status === 'PUBLISHED' || (await ctx.access.canReadEvaluationDraft())) return row;
  return null;
}

/** The live preview of a draft, for those who may read drafts. */
export async function preview(ctx: EvaluationsContext, row: EvaluationRow): Promise<ResultView[] | null> {
  if (row.status !== 'DRAFT' || !(await ctx.access.canReadEvaluationDraft())) return null;
  return (await compute(ctx, ctx.db, row, await remoteInputs(ctx, row))).map((r) => toView(row, r, true));
}

/** The frozen results, their inputs' sources as the caller may read them. */
export async function results(ctx: EvaluationsContext, row: EvaluationRow): Promise<ResultView[] | null> {
  if (row.status !== 'PUBLISHED') return null;
  const shown = await ctx.access.inputSources();
  return (await ctx.loaders.resultsByEvaluation.load(row.id)).map((r) => ({ ...frozenView(row, r), inputs: shown(r.inputs) }));
}

/** The published results worked out again from their frozen inputs alone. */
export async function recomputed(ctx: EvaluationsContext, row: EvaluationRow): Promise<ResultView[] | null> {
  if (row.status !== 'PUBLISHED' || !(await ctx.access.canReadEvaluationDraft())) return null;
  const frozen = await ctx.loaders.resultsByEvaluation.load(row.id);
  const byUnit = new Map(frozen.map((r) => [r.unitId, new Map(r.inputs.map((i) => [i.indicator, i]))]));
  const raw = (unitId: string, indicator: IndicatorSpec): RawValue => {
    const frozenInput = present(byUnit.get(unitId)?.get(indicator.code), `the frozen input ${indicator.code} of unit ${unitId}`);
    return { value: frozenInput.value, source: frozenInput.source, fetchedAt: frozenInput.fetchedAt, responses: frozenInput.responses };
  };
  return computeResults(frozen.map((r) => r.unitId).sort(), row.indicators, raw, gradingOf(row)).map((r) => toView(row, r, false));
}

/** Every definition given, oldest first (the command office). */
export async function definitions(ctx: EvaluationsContext, row: EvaluationRow) {
  if (!(await ctx.access.canReadEvaluationDraft())) return null;
  return evaluationStore.definitions(ctx.db, row.id);
}

/** The decisions: all for those who may read drafts, a unit its own. */
export async function decisions(ctx: EvaluationsContext, row: EvaluationRow) {
  const rows = await evaluationStore.decisions(ctx.db, [row.id]);
  if (await ctx.access.canReadEvaluationDraft()) return rows;
  const own = await ctx.access.callerUnitId();
  return rows.filter((decision) => decision.unitId === own);
}

/** `Unit.grade(period)`: the unit's published result, if any. */
export async function unitGrade(ctx: EvaluationsContext, unitId: string, args: UnitGradeArgs): Promise<ResultView | null> {
  const name = parseInput(input.period, args.period, 'period');
  const row = await ctx.loaders.evaluationByPeriod.load(name);
  if (!row || row.status !== 'PUBLISHED') return null;
  const result = (await ctx.loaders.resultsByEvaluation.load(row.id)).find((r) => r.unitId === unitId);
  return result ? { ...frozenView(row, result), inputs: (await ctx.access.inputSources())(result.inputs) } : null;
}
