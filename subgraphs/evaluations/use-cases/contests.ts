/**
 * 擂台比武: creating a contest, its entries, judges and scores, closing and publishing it — and
 * reading contests, their rankings and judges. Each change parses what the caller sent (input.ts),
 * asks what the directory must say before any transaction, then changes the contest through the
 * kit's one way (platform/change.ts): locked with its judges and entries, hidden from whoever may not
 * see it, authorized on the locked contest in its state (access.ts, rules.ts), written.
 */
import { personOf } from '../../../platform/auth.ts';
import { changeRow, createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { exactCountLimit, pageSize, toConnection } from '../../../platform/pagination.ts';
import { isValidDate } from '../../../platform/scalars.ts';
import type { Queryable } from '../../../db/client.ts';
import type { EvaluationsContext } from '../context.ts';
import * as input from '../input.ts';
import { CONTEST, contestRow, keptByItself, type LockedContest } from '../rows.ts';
import type { ContestAction } from '../rules.ts';
import type {
  MutationAddContestEntryArgs,
  MutationAssignJudgeArgs,
  MutationCloseContestArgs,
  MutationCreateContestArgs,
  MutationPublishContestArgs,
  MutationSubmitScoresArgs,
  QueryContestArgs,
  QueryContestsArgs,
} from '../schema-types.ts';
import { rank } from '../scoring.ts';
import { contestStore, entryStore, judgeStore, resultStore, scoreStore, type ContestRow, type EntryRow } from '../store.ts';
import type { RankingRow } from '../views.ts';
import { dateCursor } from './cursors.ts';

/** The caller may take `action` on the contest: through the kit, after the caller's unit and the directory are in hand. */
async function changeContest<Written>(
  ctx: EvaluationsContext,
  id: string,
  action: ContestAction,
  write: (tx: Queryable, locked: LockedContest) => Promise<Written | null | undefined>,
): Promise<Written> {
  const contestId = parseInput(input.contestId, id, 'contestId');
  await ctx.access.prepare();
  return changeRow(ctx.db, contestRow(ctx), {
    key: contestId,
    authorize: ({ contest, extras }) => ctx.access.assertContest(action, contest, extras),
    write,
    record: keptByItself,
  });
}

/** `createContest`; the last place of the previous published contest of its level and scope enters again (末位继续打擂). */
export async function createContest(ctx: EvaluationsContext, args: MutationCreateContestArgs): Promise<ContestRow> {
  const data = parseInput(input.createContestInput, args.input, 'input');
  if (!isValidDate(data.heldOn)) throw errors.badInput('input.heldOn', { zh: '比武日期无效', en: 'Invalid contest date' });
  const dir = await ctx.directory.current();
  if (data.domainCode && !dir.domains.includes(data.domainCode))
    throw errors.badInput('input.domainCode', { zh: `没有该领域：${data.domainCode}`, en: `No such domain: ${data.domainCode}` });
  if (data.unitId) {
    const unit = await ctx.directory.unit(data.unitId);
    if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
  }
  const scope = { level: data.level, domainCode: data.domainCode ?? null, unitId: data.unitId ?? null };
  await ctx.access.prepare();
  await ctx.access.assertCreateContest(scope);
  const unitOfCaller = await ctx.access.callerUnitId();
  const by = present(ctx.viewer.subject, 'the subject of a caller allowed to create a contest');
  return createRow(
    ctx.db,
    { noun: CONTEST },
    {
      authorize: () => ctx.access.assertCreateContest(scope),
      write: (tx) =>
        contestStore.insert(tx, {
          ...scope,
          title: data.title,
          heldOn: data.heldOn,
          criteria: data.criteria,
          createdBy: by,
          createdByUnitId: unitOfCaller,
          createdAt: ctx.now(),
          sample: ctx.sample,
        }),
      record: keptByItself,
      async finish(tx, contest) {
        await carryLastPlace(ctx, tx, contest, by);
        return contest;
      },
    },
  );
}

/** The entries that came last in the previous published contest of the new one's level and scope, entered again. */
async function carryLastPlace(ctx: EvaluationsContext, tx: Queryable, contest: ContestRow, by: string): Promise<void> {
  const previous = await contestStore.previousPublished(tx, contest, contest.heldOn);
  if (!previous) return;
  const [results, entries] = await Promise.all([resultStore.byContestIds(tx, [previous.id]), entryStore.byContestIds(tx, [previous.id])]);
  const last = new Set(results.filter((r) => r.contestsAgain).map((r) => r.entryId));
  for (const entry of entries.filter((e) => last.has(e.id))) {
    await entryStore.insert(tx, {
      contestId: contest.id,
      unitId: entry.unitId,
      entrantName: entry.entrantName,
      problems: entry.problems,
      goals: entry.goals,
      ideas: entry.ideas,
      measures: entry.measures,
      carriedFromContestId: previous.id,
      addedBy: by,
      addedAt: ctx.now(),
    });
  }
}

/** `addContestEntry`: a unit (CITY, SYSTEM: of the contest's domain), or a department or person (INTERNAL). */
export async function addContestEntry(ctx: EvaluationsContext, args: MutationAddContestEntryArgs): Promise<EntryRow> {
  const data = parseInput(input.contestEntryInput, args.input, 'input');
  const unit = data.unitId ? await ctx.directory.unit(data.unitId) : null;
  return changeContest(ctx, args.contestId, 'addContestEntry', async (tx, { contest }) => {
    let entrantName: string;
    let unitId: string | null = null;
    if (contest.level === 'INTERNAL') {
      if (data.unitId || !data.entrantName)
        throw errors.badInput('input.entrantName', {
          zh: '单位内部比武的参赛者是处室或干部：填写 entrantName，不填 unitId',
          en: 'An INTERNAL contest’s entrant is a department or person: give entrantName, not unitId',
        });
      entrantName = data.entrantName;
    } else {
      if (!data.unitId)
        throw errors.badInput('input.unitId', {
          zh: '市级、系统内比武的参赛者是单位：须填写 unitId',
          en: 'A CITY or SYSTEM contest’s entrant is a unit: give unitId',
        });
      if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
      if (contest.level === 'SYSTEM' && unit.domainCode !== contest.domainCode)
        throw errors.badInput('input.unitId', { zh: '该单位不在本领域', en: 'The unit is not in the contest’s domain' });
      entrantName = data.entrantName ?? unit.name;
      unitId = data.unitId;
    }
    const entry = await entryStore.insert(tx, {
      contestId: contest.id,
      unitId,
      entrantName,
      problems: data.problems,
      goals: data.goals,
      ideas: data.ideas,
      measures: data.measures,
      addedBy: present(ctx.viewer.subject, 'the subject of a caller allowed to add an entry'),
      addedAt: ctx.now(),
    });
    if (!entry) throw errors.conflict({ zh: '该参赛者已在本场比武中', en: 'The entrant is already in this contest' });
    return entry;
  });
}

/** `assignJudge`: a person, who signs in where the organiser does (the organiser's issuer, the role and subject given). */
export async function assignJudge(ctx: EvaluationsContext, args: MutationAssignJudgeArgs) {
  const data = parseInput(input.judgeInput, args.input, 'input');
  return changeContest(ctx, args.contestId, 'assignJudge', async (tx, { contest }) => {
    const organiser = present(personOf(ctx.viewer), 'the organiser assigning a judge');
    const judge = await judgeStore.insert(tx, {
      contestId: contest.id,
      subject: data.subject,
      role: data.role,
      issuer: organiser.issuer,
      name: data.name,
      assignedBy: organiser.subject,
      assignedAt: ctx.now(),
    });
    if (!judge) throw errors.conflict({ zh: '该评委已指定', en: 'The judge is already assigned' });
    return judge;
  });
}

/** `submitScores`: a judge's scores (a later score of the same entry and criterion replaces the earlier one in the ranking). */
export async function submitScores(ctx: EvaluationsContext, args: MutationSubmitScoresArgs) {
  const scores = parseInput(input.scoresInput, args.scores, 'scores');
  return changeContest(ctx, args.contestId, 'submitScores', async (tx, { contest, judges, entries }) => {
    const judge = present(ctx.access.judgeAmong(judges), 'the judge the JUDGE standing was found for');
    const entryIds = new Set(entries.map((e) => e.id));
    scores.forEach((s, index) => {
      if (!entryIds.has(s.entryId))
        throw errors.badInput(`scores[${index}].entryId`, { zh: '本场比武没有该参赛者', en: 'No such entry in this contest' });
      if (s.criterion >= contest.criteria.length)
        throw errors.badInput(`scores[${index}].criterion`, {
          zh: `本场比武只有 ${contest.criteria.length} 个评分项`,
          en: `The contest has ${contest.criteria.length} criteria`,
        });
    });
    const at = ctx.now();
    await scoreStore.insert(
      tx,
      scores.map((s) => ({
        contestId: contest.id,
        entryId: s.entryId,
        judgeId: judge.id,
        criterion: s.criterion,
        score: s.score,
        submittedAt: at,
      })),
    );
    return (await scoreStore.latest(tx, [contest.id])).filter((s) => s.judgeId === judge.id);
  });
}

/** `closeContest`: scoring ends. */
export async function closeContest(ctx: EvaluationsContext, { id }: MutationCloseContestArgs): Promise<ContestRow> {
  return changeContest(ctx, id, 'closeContest', (tx, { contest }) =>
    contestStore.move(tx, contest.id, contest.version, { status: 'CLOSED', closedAt: ctx.now() }),
  );
}

/** `publishContest`: freezes the ranking with every judge's total, then marks the contest published. */
export async function publishContest(ctx: EvaluationsContext, { id }: MutationPublishContestArgs): Promise<ContestRow> {
  return changeContest(ctx, id, 'publishContest', async (tx, { contest }) => {
    const entries = await entryStore.byContestIds(tx, [contest.id]);
    const scores = await scoreStore.latest(tx, [contest.id]);
    const ranked = rank(
      entries.map((e) => e.id),
      contest.criteria.map((c) => c.weight),
      scores,
    );
    await resultStore.insert(
      tx,
      ranked.map((r) => ({
        contestId: contest.id,
        entryId: r.entryId,
        rank: r.rank,
        score: r.score,
        judgesCounted: r.judgesCounted,
        judgeTotals: r.judgeTotals,
        contestsAgain: r.contestsAgain,
      })),
    );
    return contestStore.move(tx, contest.id, contest.version, { status: 'PUBLISHED', publishedAt: ctx.now() });
  });
}

// ───────────── reads ─────────────

/** What the caller may see of `contest`: nothing (null), the contest, and its ranking and judges too. */
async function viewOf(ctx: EvaluationsContext, contest: ContestRow) {
  const [judges, entries] = await Promise.all([
    ctx.loaders.judgesByContest.load(contest.id),
    ctx.loaders.entriesByContest.load(contest.id),
  ]);
  return ctx.access.contestView(contest, ctx.access.extrasOf(judges, entries));
}

/** `contest(id)`: null for an id the caller may not see, as for one that does not exist. */
export async function contest(ctx: EvaluationsContext, { id }: QueryContestArgs): Promise<ContestRow | null> {
  if (!isUuid(id)) return null;
  const row = await ctx.loaders.contestById.load(id.toLowerCase());
  if (!row) return null;
  return (await viewOf(ctx, row)) ? row : null;
}

/** `contests`: the published public ones, and those the caller's standings add; latest first. */
export async function contests(ctx: EvaluationsContext, { filter, first, after }: QueryContestsArgs) {
  const size = pageSize(first, ctx.maxPageSize);
  const cursor = after ? dateCursor(after) : null;
  const { rows, count } = await contestStore.page(
    ctx.db,
    await ctx.access.contestScope(),
    filter ?? {},
    cursor && { heldOn: cursor.date, id: cursor.id },
    size,
    exactCountLimit(ctx),
  );
  for (const row of rows) ctx.loaders.contestById.prime(row.id, row);
  return toConnection(rows, size, (row) => [row.heldOn, row.id], count);
}

export const entries = (ctx: EvaluationsContext, contest: ContestRow) => ctx.loaders.entriesByContest.load(contest.id);

export const carriedOver = async (ctx: EvaluationsContext, contest: ContestRow) =>
  (await ctx.loaders.entriesByContest.load(contest.id)).filter((e) => e.carriedFromContestId !== null);

/** The judges and how many entries each has scored in full: the organiser and the command office. */
export async function judges(ctx: EvaluationsContext, contest: ContestRow) {
  const view = await viewOf(ctx, contest);
  if (!view?.judges) return [];
  const [judgeRows, scores, entryRows] = await Promise.all([
    ctx.loaders.judgesByContest.load(contest.id),
    ctx.loaders.latestScoresByContest.load(contest.id),
    ctx.loaders.entriesByContest.load(contest.id),
  ]);
  return judgeRows.map((judge) => {
    const mine = scores.filter((s) => s.judgeId === judge.id);
    const entriesScored = entryRows.filter((e) =>
      contest.criteria.every((_, index) => mine.some((s) => s.entryId === e.id && s.criterion === index)),
    ).length;
    return { ...judge, entriesScored };
  });
}

/** The caller's own scores, as a judge of the contest. */
export async function myScores(ctx: EvaluationsContext, contest: ContestRow) {
  const judge = ctx.access.judgeAmong(await ctx.loaders.judgesByContest.load(contest.id));
  if (!judge) return [];
  return (await ctx.loaders.latestScoresByContest.load(contest.id)).filter((s) => s.judgeId === judge.id);
}

/** The ranking: frozen once published; before, live from the latest scores, for those who may preview it. */
export async function ranking(ctx: EvaluationsContext, contest: ContestRow): Promise<RankingRow[] | null> {
  const view = await viewOf(ctx, contest);
  if (!view?.ranking) return null;
  const entryRows = await ctx.loaders.entriesByContest.load(contest.id);
  const byId = new Map(entryRows.map((e) => [e.id, e]));
  const entryOf = (id: string) => present(byId.get(id), 'the entry a ranked row names');
  if (contest.status === 'PUBLISHED') {
    const results = await ctx.loaders.resultsByContest.load(contest.id);
    return results.map((r) => ({
      entryId: r.entryId,
      rank: r.rank,
      score: r.score,
      judgesCounted: r.judgesCounted,
      judgeTotals: r.judgeTotals,
      contestsAgain: r.contestsAgain,
      entry: entryOf(r.entryId),
    }));
  }
  const scores = await ctx.loaders.latestScoresByContest.load(contest.id);
  return rank(
    entryRows.map((e) => e.id),
    contest.criteria.map((c) => c.weight),
    scores,
  ).map((r) => ({ ...r, entry: entryOf(r.entryId) }));
}
