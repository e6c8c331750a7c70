/**
 * The clocks of an issue, shared by the use cases that start, carry or stop them: a handling unit's
 * deadlines run from when it received the item (its assignment, or the receipt an import names); on
 * 转办, return, merge or a granted re-plan the open ones stop with their lateness kept
 * (deadlines.ts), and the next unit gets fresh ones.
 */
import { type WorkingCalendar } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { Queryable } from '../../../db/client.ts';
import type { IssuesContext } from '../context.ts';
import { APPEAL_LIMITS, computeDue, type DeadlineRule } from '../deadlines.ts';
import { milestones as milestonesInput, type MilestoneInput } from '../input.ts';
import { isAppealLike } from '../rules.ts';
import { deadlineStore, type DeadlineRow, type IssueRow, type NewDeadline } from '../store.ts';

export const isOpen = (d: DeadlineRow) => !d.metAt && !d.cancelledAt;

/** The open resolution deadline of the current round, if any. */
export const openResolution = (deadlines: DeadlineRow[]) =>
  deadlines.filter((d) => d.stage === 'RESOLUTION' && isOpen(d)).sort((a, b) => b.round - a.round)[0];

/** Handling round: 1, and one more for every reopening. */
export const roundOf = (issue: IssueRow) => issue.reopenCount + 1;

export const supervisionActive = (issue: IssueRow) => issue.escalatedAt !== null && issue.supervisionEndedAt === null;

/** A deadline of `issueId` by `rule`, its due and warning times computed on `calendar`. */
export function deadlineRow(
  ctx: IssuesContext,
  issueId: string,
  stage: NewDeadline['stage'],
  rule: DeadlineRule,
  calendar: WorkingCalendar,
  extra: Partial<NewDeadline> = {},
): NewDeadline {
  const due = computeDue(rule, calendar, ctx.officeHours);
  return {
    issueId,
    stage,
    startsAt: rule.startsAt,
    hours: rule.hours ?? null,
    workingDays: rule.workingDays ?? null,
    dueOn: rule.dueOn ?? null,
    dueAt: due.dueAt,
    warnAt: due.warnAt,
    pendingCalendarYear: due.pendingCalendarYear,
    ...extra,
  };
}

/**
 * The clocks a unit gets when it receives an item at `startsAt`: an appeal's contact, feedback and
 * resolution (only a new resolution in a reopened round), an IMMEDIATE rectification's limit. An
 * ONGOING rectification's milestones are dates of a plan, carried over by the caller.
 */
export function clocksFor(ctx: IssuesContext, issue: IssueRow, unitId: string, startsAt: Date, calendar: WorkingCalendar): NewDeadline[] {
  const round = roundOf(issue);
  const extra = { unitId, round };
  if (isAppealLike(issue.source)) {
    const resolution = deadlineRow(
      ctx,
      issue.id,
      'RESOLUTION',
      { startsAt, workingDays: APPEAL_LIMITS.resolutionWorkingDays },
      calendar,
      extra,
    );
    if (round > 1) return [resolution];
    return [
      deadlineRow(ctx, issue.id, 'CONTACT', { startsAt, hours: APPEAL_LIMITS.contactOfficeHours }, calendar, extra),
      deadlineRow(ctx, issue.id, 'FEEDBACK', { startsAt, workingDays: APPEAL_LIMITS.feedbackWorkingDays }, calendar, extra),
      resolution,
    ];
  }
  if (issue.rectificationMode === 'IMMEDIATE' && issue.immediateWorkingDays) {
    return [deadlineRow(ctx, issue.id, 'RESOLUTION', { startsAt, workingDays: issue.immediateWorkingDays }, calendar, extra)];
  }
  return [];
}

/** A plan's milestones as the caller sent them, none of them in the past. */
export function validMilestones(raw: unknown, today: string, field = 'milestones'): MilestoneInput[] {
  const planned = parseInput(milestonesInput, raw, field);
  planned.forEach((m, i) => {
    if (m.dueOn < today) {
      throw errors.badInput(`${field}[${i}].dueOn`, { zh: `节点日期 ${m.dueOn} 已过`, en: `Milestone date ${m.dueOn} is in the past` });
    }
  });
  return planned;
}

/**
 * Replaces the current round's plan. Open milestones and the open final date stop (REPLANNED),
 * judged at `judgedAt` — the moment the change was asked for — so what was already overdue then
 * stays missed; the new plan starts now.
 */
export async function replacePlan(
  ctx: IssuesContext,
  tx: Queryable,
  issue: IssueRow,
  planned: MilestoneInput[],
  at: Date,
  judgedAt: Date,
  calendar: WorkingCalendar,
) {
  const round = roundOf(issue);
  const open = (await deadlineStore.forIssue(tx, issue.id)).filter(
    (d) => d.round === round && isOpen(d) && (d.stage === 'MILESTONE' || d.stage === 'RESOLUTION'),
  );
  await deadlineStore.stop(tx, issue.id, at, 'REPLANNED', { ids: open.map((d) => d.id), judgedAt });
  const last = present(
    planned
      .map((m) => m.dueOn)
      .sort()
      .at(-1),
    'the last date of a plan (a plan has at least one milestone)',
  );
  const extra = { round, unitId: issue.responsibleUnitId };
  await deadlineStore.insert(tx, [
    ...planned.map((m) =>
      deadlineRow(ctx, issue.id, 'MILESTONE', { startsAt: at, dueOn: m.dueOn }, calendar, { ...extra, title: m.title }),
    ),
    deadlineRow(ctx, issue.id, 'RESOLUTION', { startsAt: at, dueOn: last }, calendar, extra),
  ]);
}
