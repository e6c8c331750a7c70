/**
 * Dispatch: who handles an issue. Assigning it (派单, and 转办 to another unit), adding and removing
 * co-handlers (协办), a co-handler's part, and the lead handler returning it. The command office
 * dispatches anywhere, a district or zone within its own area (区内事区内办: access.ts). Every change
 * goes through `changeIssue` (rows.ts).
 */
import type { WorkingCalendar } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { Queryable } from '../../../db/client.ts';
import type { IssuesContext } from '../context.ts';
import { coHandlerIds as coHandlerIdsInput, texts, unitId as unitIdInput } from '../input.ts';
import { changeIssue } from '../rows.ts';
import type {
  MutationAddCoHandlerArgs,
  MutationAssignIssueArgs,
  MutationContributeToIssueArgs,
  MutationRemoveCoHandlerArgs,
  MutationReturnIssueArgs,
} from '../schema-types.ts';
import { deadlineStore, type DeadlineRow, type IssueRow } from '../store.ts';
import { clocksFor, deadlineRow, isOpen, roundOf } from './clocks.ts';
import { requireUnit } from './lookups.ts';

/** When a deadline was stopped (it is one: it was closed by a return). */
const stoppedAt = (d: DeadlineRow) => present(d.cancelledAt, 'the stop time of a returned deadline').getTime();

/**
 * The clocks change hands: the earlier unit's stop (whatever it let run late stays its lateness);
 * the new lead gets fresh ones — or, for an ONGOING rectification, the plan's dates.
 */
async function handOver(ctx: IssuesContext, tx: Queryable, updated: IssueRow, leadId: string, now: Date, calendar: WorkingCalendar) {
  const deadlines = await deadlineStore.forIssue(tx, updated.id);
  const open = deadlines.filter(isOpen);
  const earlier = open.filter((d) => d.unitId !== null);
  await deadlineStore.stop(tx, updated.id, now, 'REASSIGNED', { ids: earlier.map((d) => d.id) });
  if (updated.rectificationMode !== 'ONGOING') {
    await deadlineStore.insert(tx, clocksFor(ctx, updated, leadId, now, calendar));
    return;
  }
  // The plan's dates stay; the new unit answers for them from now on: the ones still unowned (never
  // assigned), the ones just stopped, or — after a return — the plan as the returning unit left it.
  const unowned = open.filter((d) => d.unitId === null);
  for (const d of unowned) await deadlineStore.update(tx, d.id, { unitId: leadId });
  const returned = deadlines.filter((d) => d.closeReason === 'RETURNED' && d.round === roundOf(updated));
  const lastReturn = Math.max(0, ...returned.map(stoppedAt));
  const plan = earlier.length || unowned.length ? earlier : returned.filter((d) => stoppedAt(d) === lastReturn);
  // A milestone whose date has passed stays the earlier unit's (missed): the new unit is not late for it.
  const carried = plan.filter((d) => d.stage !== 'MILESTONE' || (d.dueAt !== null && d.dueAt > now));
  await deadlineStore.insert(
    tx,
    carried.map((d) =>
      deadlineRow(ctx, updated.id, d.stage, { startsAt: now, dueOn: d.dueOn, workingDays: d.workingDays }, calendar, {
        title: d.title,
        round: d.round,
        unitId: leadId,
      }),
    ),
  );
}

/** `assignIssue`: 派单 to a lead handler (and co-handlers); again to another unit, 转办. */
export function assignIssue(ctx: IssuesContext, args: MutationAssignIssueArgs): Promise<IssueRow> {
  const { id, unitId, coHandlerIds, note, expectedVersion } = args;
  const target = parseInput(unitIdInput, unitId, 'unitId');
  const helpers = parseInput(coHandlerIdsInput, coHandlerIds, 'coHandlerIds').filter((helper) => helper !== target);
  return changeIssue(ctx, {
    id,
    action: 'ASSIGN',
    expectedVersion,
    named: [target, ...helpers],
    async plan({ tx, issue, now, calendar, units }) {
      const lead = requireUnit('unitId', unitId, units[0]);
      helpers.forEach((helper, i) => requireUnit(`coHandlerIds[${i}]`, helper, units[i + 1]));
      await ctx.access.assertDispatchTo(lead.id, 'unitId');
      for (const helper of helpers) await ctx.access.assertDispatchTo(helper, 'coHandlerIds');
      if (issue.status === 'ASSIGNED' && issue.responsibleUnitId === lead.id) {
        throw errors.badInput('unitId', { zh: '问题已派给该单位', en: 'The issue is already with that unit' });
      }
      const previous = issue.responsibleUnitId;
      const cal = await calendar();
      return {
        values: {
          responsibleUnitId: lead.id,
          assignedAt: now,
          firstAssignedAt: issue.firstAssignedAt ?? now,
          coHandlerUnitIds: [...new Set([...issue.coHandlerUnitIds, ...helpers])].filter((unit) => unit !== lead.id),
        },
        eventAction: previous || issue.status === 'RETURNED' ? 'REASSIGN' : 'ASSIGN',
        note: parseInput(texts.note, note, 'note'),
        details: { unitId: lead.id, previousUnitId: previous, coHandlerIds: helpers },
        after: (updated) => handOver(ctx, tx, updated, lead.id, now, cal),
      };
    },
  });
}

/** `addCoHandler`: another unit helps (协办); the lead handler still answers for the issue. */
export function addCoHandler(ctx: IssuesContext, { id, unitId, note, expectedVersion }: MutationAddCoHandlerArgs): Promise<IssueRow> {
  const helper = parseInput(unitIdInput, unitId, 'unitId');
  return changeIssue(ctx, {
    id,
    action: 'ADD_CO_HANDLER',
    expectedVersion,
    named: [helper],
    async plan({ issue, units }) {
      const unit = requireUnit('unitId', unitId, units[0]);
      await ctx.access.assertDispatchTo(unit.id, 'unitId');
      if (unit.id === issue.responsibleUnitId || issue.coHandlerUnitIds.includes(unit.id)) {
        throw errors.badInput('unitId', { zh: '该单位已在承办或协办', en: 'That unit already handles or co-handles the issue' });
      }
      return {
        values: { coHandlerUnitIds: [...issue.coHandlerUnitIds, unit.id] },
        note: parseInput(texts.note, note, 'note'),
        details: { unitId: unit.id },
      };
    },
  });
}

/** `removeCoHandler`. */
export function removeCoHandler(ctx: IssuesContext, { id, unitId, note, expectedVersion }: MutationRemoveCoHandlerArgs): Promise<IssueRow> {
  const helper = parseInput(unitIdInput, unitId, 'unitId');
  return changeIssue(ctx, {
    id,
    action: 'REMOVE_CO_HANDLER',
    expectedVersion,
    plan({ issue }) {
      if (!issue.coHandlerUnitIds.includes(helper))
        throw errors.badInput('unitId', { zh: '该单位不是协办单位', en: 'That unit does not co-handle the issue' });
      return {
        values: { coHandlerUnitIds: issue.coHandlerUnitIds.filter((unit) => unit !== helper) },
        note: parseInput(texts.note, note, 'note'),
        details: { unitId: helper },
      };
    },
  });
}

/** `contributeToIssue`: a co-handler's part, recorded; the status stays. */
export function contributeToIssue(ctx: IssuesContext, { id, note, expectedVersion }: MutationContributeToIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'CONTRIBUTE',
    expectedVersion,
    plan: () => ({
      note: parseInput(texts.contribution, note, 'note'),
      details: { unitId: ctx.viewer.unitId },
    }),
  });
}

/** `returnIssue`: the lead handler's admin sends it back (not ours); its clocks stop. */
export function returnIssue(ctx: IssuesContext, { id, reason, expectedVersion }: MutationReturnIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'RETURN',
    expectedVersion,
    plan: ({ tx, issue, now }) => ({
      values: { responsibleUnitId: null, assignedAt: null },
      note: parseInput(texts.returnReason, reason, 'reason'),
      details: { unitId: issue.responsibleUnitId },
      after: () => deadlineStore.stop(tx, issue.id, now, 'RETURNED'),
    }),
  });
}
