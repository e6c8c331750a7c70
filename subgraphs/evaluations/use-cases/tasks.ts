/**
 * 督导检查: tackling tasks with their milestones, and quarterly reports — created, completed and filed
 * through the kit's one way (platform/change.ts), each the record of itself (append-only by
 * trigger) — and reading them: lists, overdue milestones, who reported a quarter on time, a unit's
 * report punctuality.
 */
import { beijingDate, endOfBeijingDay } from '../../../platform/calendar.ts';
import { changeRow, createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { exactCountLimit, pageSize, toConnection } from '../../../platform/pagination.ts';
import { period as periodOf } from '../../../platform/periods.ts';
import { isValidDate } from '../../../platform/scalars.ts';
import type { EvaluationsContext } from '../context.ts';
import { quarter as quarterOf, quartersDueWithin } from '../grading.ts';
import * as input from '../input.ts';
import { keptByItself, milestoneRow, REPORT, TASK } from '../rows.ts';
import type {
  MutationCompleteTaskMilestoneArgs,
  MutationCreateTaskArgs,
  MutationSubmitQuarterlyReportArgs,
  QueryOverdueTaskMilestonesArgs,
  QueryQuarterlyReportStatusArgs,
  QueryTasksArgs,
  UnitReportPunctualityArgs,
} from '../schema-types.ts';
import { milestoneStore, reportStore, taskStore, type MilestoneRow, type ReportRow, type TaskRow } from '../store.ts';
import type { ReportStatusRow } from '../views.ts';
import { dateCursor } from './cursors.ts';
import { punctuality } from './results.ts';

const subjectOf = (ctx: EvaluationsContext) => present(ctx.viewer.subject, 'the subject of a caller allowed to write');

/** `createTask`: a tackling task of a unit, with its milestones. */
export async function createTask(ctx: EvaluationsContext, args: MutationCreateTaskArgs): Promise<TaskRow> {
  const data = parseInput(input.createTaskInput, args.input, 'input');
  if (!isValidDate(data.dueOn)) throw errors.badInput('input.dueOn', { zh: '完成时限无效', en: 'Invalid due date' });
  data.milestones.forEach((m, index) => {
    if (!isValidDate(m.dueOn) || m.dueOn > data.dueOn)
      throw errors.badInput(`input.milestones[${index}].dueOn`, {
        zh: '里程碑时限无效或晚于完成时限',
        en: 'A milestone date is invalid or after the final date',
      });
  });
  const unit = await ctx.directory.unit(data.unitId);
  if (!unit || unit.archived) throw errors.badInput('input.unitId', { zh: '没有该单位，或已撤销', en: 'No such active unit' });
  await ctx.access.prepare();
  await ctx.access.assertUnitWork('createTask', data.unitId);
  return createRow(
    ctx.db,
    { noun: TASK },
    {
      authorize: () => ctx.access.assertUnitWork('createTask', data.unitId),
      write: (tx) =>
        taskStore.insert(
          tx,
          {
            kind: 'TACKLING',
            unitId: data.unitId,
            domainCode: unit.domainCode,
            title: data.title,
            description: data.description,
            dueOn: data.dueOn,
            createdBy: subjectOf(ctx),
            createdAt: ctx.now(),
            sample: ctx.sample,
          },
          data.milestones,
        ),
      record: keptByItself,
    },
  );
}

/** `completeTaskMilestone`: once, by the unit; late after the end of its day. */
export async function completeMilestone(ctx: EvaluationsContext, args: MutationCompleteTaskMilestoneArgs): Promise<MilestoneRow> {
  const milestoneId = parseInput(input.milestoneId, args.id, 'id');
  const note = parseInput(input.milestoneNote, args.note, 'note');
  // Nobody in particular may read no unit's work: asked to sign in, not told whether the milestone exists.
  ctx.access.assertSignedIn();
  await ctx.access.prepare();
  return changeRow(ctx.db, milestoneRow(ctx), {
    key: milestoneId,
    authorize: (milestone) =>
      ctx.access.assertUnitWork(
        'completeMilestone',
        present(milestone.unitId, 'the unit of a visible milestone'),
        milestone.doneAt ? 'DONE' : 'OPEN',
      ),
    async write(tx, milestone) {
      const at = ctx.now();
      const late = at.getTime() > endOfBeijingDay(milestone.dueOn).getTime();
      const done = await milestoneStore.complete(tx, { milestoneId, note, doneAt: at, late, bySubject: subjectOf(ctx) });
      return done ? { ...milestone, doneAt: at, note, late } : null;
    },
    record: keptByItself,
  });
}

/** `submitQuarterlyReport`: a unit's report of a quarter that has begun; every filing kept as a version, the first judged on time or late. */
export async function submitQuarterlyReport(ctx: EvaluationsContext, args: MutationSubmitQuarterlyReportArgs): Promise<ReportRow> {
  const data = parseInput(input.quarterlyReportInput, args.input, 'input');
  const q = quarterOf(data.quarter);
  if (!q) throw errors.badInput('input.quarter', { zh: '季度无效', en: 'Invalid quarter' });
  const at = ctx.now();
  if (beijingDate(at) < q.from) throw errors.badInput('input.quarter', { zh: '该季度尚未开始', en: 'The quarter has not begun' });
  await ctx.access.prepare();
  const unitId = data.unitId ?? (await ctx.access.callerUnitId());
  if (!unitId) throw errors.badInput('input.unitId', { zh: '须指明报送单位', en: 'Give the unit' });
  await ctx.access.assertUnitWork('submitQuarterlyReport', unitId);
  const dueAt = endOfBeijingDay(q.dueOn);
  return createRow(
    ctx.db,
    { noun: REPORT },
    {
      authorize: () => ctx.access.assertUnitWork('submitQuarterlyReport', unitId),
      async write(tx) {
        await reportStore.lockUnitQuarter(tx, unitId, data.quarter);
        const versions = await reportStore.versions(tx, unitId, data.quarter);
        return reportStore.insert(tx, {
          unitId,
          quarter: data.quarter,
          version: versions.length + 1,
          content: data.content,
          submittedAt: at,
          dueAt,
          late: at.getTime() > dueAt.getTime(),
          bySubject: subjectOf(ctx),
          sample: ctx.sample,
        });
      },
      record: keptByItself,
    },
  );
}

// ───────────── reads ─────────────

/** `tasks`: of the units whose work the caller may read, by due date. */
export async function tasks(ctx: EvaluationsContext, { filter, first, after }: QueryTasksArgs) {
  const scope = await ctx.access.workScope();
  const size = pageSize(first, ctx.maxPageSize);
  const cursor = after ? dateCursor(after) : null;
  let unitIds: string[] | null = null;
  if (filter?.unitId) unitIds = [parseInput(input.unitId, filter.unitId, 'filter.unitId')];
  if (filter?.domainCode) {
    const inDomain = (await ctx.directory.current()).unitsOfDomain(filter.domainCode).map((u) => u.id);
    unitIds = unitIds ? unitIds.filter((id) => inDomain.includes(id)) : inDomain;
  }
  const { rows, count } = await taskStore.page(
    ctx.db,
    scope,
    { unitIds, kind: filter?.kind },
    cursor && { dueOn: cursor.date, id: cursor.id },
    size,
    exactCountLimit(ctx),
  );
  return toConnection(rows, size, (row) => [row.dueOn, row.id], count);
}

export const milestones = (ctx: EvaluationsContext, task: TaskRow) => ctx.loaders.milestonesByTask.load(task.id);

export const taskOf = async (ctx: EvaluationsContext, milestone: MilestoneRow) =>
  present(await ctx.loaders.taskById.load(milestone.taskId), 'the task of a milestone');

export const milestoneOverdue = (ctx: EvaluationsContext, milestone: MilestoneRow) =>
  milestone.doneAt === null && ctx.now().getTime() > endOfBeijingDay(milestone.dueOn).getTime();

/** `overdueTaskMilestones`: not done, their day over; earliest first. */
export async function overdueMilestones(ctx: EvaluationsContext, { first, after }: QueryOverdueTaskMilestonesArgs) {
  const scope = await ctx.access.workScope();
  const size = pageSize(first, ctx.maxPageSize);
  const cursor = after ? dateCursor(after) : null;
  const { rows, count } = await milestoneStore.overdue(
    ctx.db,
    scope,
    beijingDate(ctx.now()),
    cursor && { dueOn: cursor.date, id: cursor.id },
    size,
    exactCountLimit(ctx),
  );
  return toConnection(rows, size, (row) => [row.dueOn, row.id], count);
}

/** `quarterlyReportStatus`: every unit expected to report the quarter (or that did), on time, late or missing. */
export async function quarterlyReportStatus(
  ctx: EvaluationsContext,
  { quarter: quarterName, onlyProblems }: QueryQuarterlyReportStatusArgs,
): Promise<ReportStatusRow[]> {
  const q = quarterOf(quarterName);
  if (!q) throw errors.badInput('quarter', { zh: '季度须形如 2026-Q3', en: 'A quarter looks like 2026-Q3' });
  const scope = await ctx.access.workScope();
  const dueAt = endOfBeijingDay(q.dueOn);
  const [expected, reports] = await Promise.all([reportStore.expectedUnits(ctx.db, dueAt), reportStore.byQuarters(ctx.db, [quarterName])]);
  const units = [...new Set([...expected, ...reports.map((r) => r.unitId)])].filter((id) => !scope || scope.includes(id)).sort();
  const past = ctx.now().getTime() > dueAt.getTime();
  return units
    .map((unitId) => {
      const mine = reports.filter((r) => r.unitId === unitId);
      const firstReport = mine[0] ?? null;
      return {
        unitId,
        dueAt,
        firstReport,
        latestReport: mine.at(-1) ?? null,
        late: firstReport?.late ?? false,
        missing: !firstReport && past,
      };
    })
    .filter((row) => !onlyProblems || row.late || row.missing);
}

/** `Unit.reportPunctuality`: over the quarters whose reports fall due in the period (all time when none). */
export async function unitReportPunctuality(
  ctx: EvaluationsContext,
  unitId: string,
  args: UnitReportPunctualityArgs,
): Promise<number | null> {
  periodOf(args.period); // a period that ends before it starts is refused first
  await ctx.access.assertReadUnitWork(unitId);
  const dates = args.period ?? { from: '2000-01-01', to: beijingDate(ctx.now()) };
  const figures = await punctuality(ctx, quartersDueWithin(dates.from, dates.to));
  return figures.get(unitId) ?? null;
}
