/**
 * The command office's board: one row per unit an evaluation considers, with its latest city
 * contest, review satisfaction, report punctuality and the half year's result (frozen, or the live
 * preview of a draft); short-lived links to its files, which the gateway serves; and a unit's code
 * and name from the directory copy, wherever a caller of this subgraph asks them.
 */
import { errors } from '../../../platform/errors.ts';
import { halfYearOf } from '../../../platform/calendar.ts';
import { downloadPath } from '../../../platform/download-links.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { halfYear, halfYearFile } from '../../../platform/periods.ts';
import { orderBoard } from '../board-order.ts';
import type { EvaluationsContext } from '../context.ts';
import { quartersOfHalfYear } from '../grading.ts';
import * as input from '../input.ts';
import type { BoardFileFormat, MutationBoardDownloadLinkArgs, QueryBoardArgs } from '../schema-types.ts';
import { emptyReviewFigures, evaluationStore, reviewStore } from '../store.ts';
import type { BoardRowView, ResultView } from '../views.ts';
import { compute, consideredUnits, frozenView, punctuality, rangeOf, remoteInputs, toView } from './results.ts';

/** A download link as the API shows it. */
export interface DownloadLinkView {
  url: string;
  path: string;
  period: string;
  format: BoardFileFormat;
  expiresAt: Date;
}

/**
 * `board`: one row per evaluated unit, in a constant number of statements: the latest city
 * contest (1), review figures (1), report punctuality (1 per quarter due, at most 3, plus 1; the
 * plan duties asked of the issues slice once), the
 * evaluation (1) and its frozen results (1) — or, for a draft, its entered values (1) and the other
 * slices' figures (1 call each).
 */
export async function board(ctx: EvaluationsContext, { period: periodName, orderBy }: QueryBoardArgs): Promise<BoardRowView[]> {
  const name = periodName == null ? halfYearOf(ctx.now()) : parseInput(input.period, periodName, 'period');
  const dates = halfYear(name);
  if (!dates) throw errors.badInput('period', { zh: '期间无效', en: 'Invalid period' });
  await ctx.access.assertReadBoard();
  const dir = await ctx.directory.current();
  const units = consideredUnits(dir);
  const evaluationRead = ctx.loaders.evaluationByPeriod.load(name);
  // The plan's duties due in the half year, asked of the issues slice once, beside this slice's statements.
  const dutiesRead = ctx.figures.planDuties(units, dates);
  const [contests, reviews, punctual, evaluation, published, duties] = await Promise.all([
    evaluationStore.latestCityContest(ctx.db, dates.from, dates.to),
    // Count and satisfied only (the board's columns, and all the score reads).
    reviewStore.stats(
      ctx.db,
      units.map((unitId) => ({ unitId, key: unitId })),
      rangeOf(dates),
      ctx.now(),
      { open: false },
    ),
    dutiesRead.then((duties) => punctuality(ctx, quartersOfHalfYear(name), ctx.db, duties)),
    evaluationRead,
    // A published evaluation's frozen results, read while the other figures are.
    evaluationRead.then((found) => (found?.status === 'PUBLISHED' ? ctx.loaders.resultsByEvaluation.load(found.id) : null)),
    dutiesRead,
  ]);
  let results = new Map<string, ResultView>();
  let preview = false;
  if (evaluation && published) results = new Map(published.map((r) => [r.unitId, frozenView(evaluation, r)]));
  else if (evaluation) {
    preview = true;
    const computed = await compute(ctx, ctx.db, evaluation, await remoteInputs(ctx, evaluation, duties), {
      contests,
      reviews,
      punctual,
    });
    results = new Map(computed.map((r) => [r.unitId, toView(evaluation, r, true)]));
  }
  const contestOf = new Map(contests.map((c) => [c.unitId, c]));
  const rows = units.map((unitId): BoardRowView => {
    const review = reviews.get(unitId) ?? emptyReviewFigures;
    const result = results.get(unitId);
    const unit = present(dir.unit(unitId), 'a unit of the directory it was considered from');
    return {
      unitId,
      unitCode: unit.code,
      unitName: unit.name,
      domainCode: unit.domainCode ?? null,
      latestContestRank: contestOf.get(unitId)?.rank ?? null,
      contestsAgain: contestOf.get(unitId)?.contestsAgain ?? null,
      reviewSatisfactionRate: review.count > 0 ? review.satisfied / review.count : null,
      reviews: review.count,
      reportPunctuality: punctual.get(unitId) ?? null,
      score: result?.score ?? null,
      grade: result?.grade ?? null,
      evaluated: result ? result.evaluated : null,
      coverage: result?.coverage ?? null,
      preview,
      rank: result?.score === null || result?.score === undefined ? null : (result.rank ?? null),
    };
  });
  return orderBoard(rows, orderBy ?? 'SCORE_DESC', dir.domains);
}

/**
 * `boardDownloadLink`: a short-lived link to one board file (period and format) for a person who
 * may read the board, opened by the gateway with this caller's own token (platform/download-links.ts).
 * The half year and the person are checked as the gateway checks them (platform/periods.ts `halfYearFile`).
 */
export async function boardDownloadLink(
  ctx: EvaluationsContext,
  { period, format }: MutationBoardDownloadLinkArgs,
): Promise<DownloadLinkView> {
  const { halfYear: asked, person } = halfYearFile(ctx.viewer, period, ctx.now());
  await ctx.access.assertReadBoard();
  if (!ctx.links) {
    throw errors.serviceUnavailable({
      zh: '未启用下载链接：请配置 DOWNLOAD_LINK_SECRET（或 JWT_SECRET）；文件仍可带 Authorization 头下载',
      en: 'Download links are not enabled: set DOWNLOAD_LINK_SECRET (or JWT_SECRET); the files still download with an Authorization header',
    });
  }
  // The board's rule admits signed-in people only, whose requests carry their token.
  if (!ctx.authorization) throw errors.unauthenticated();
  const fileFormat = format.toLowerCase();
  const { token, expiresAt } = await ctx.links.issue(
    { resource: 'board', period: asked.name, format: fileFormat, authorization: ctx.authorization, person },
    ctx.now(),
  );
  const path = downloadPath('board', fileFormat, asked.name, token);
  return { url: ctx.links.publicUrl + path, path, period: asked.name, format, expiresAt };
}

/**
 * A unit's code and name anywhere a caller of this subgraph asks them (they are the units slice's
 * fields, which the gateway asks here only on the board): from the directory copy, NOT_FOUND for an
 * id the organisation lacks — never a null in a non-null field, which was an internal error.
 */
export async function unitLabel(ctx: EvaluationsContext, unitId: string): Promise<{ code: string; name: string }> {
  const unit = await ctx.directory.unit(unitId);
  if (!unit) throw errors.notFound({ zh: '单位', en: 'Unit' }, unitId);
  return unit;
}
