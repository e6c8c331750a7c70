/**
 * An ONGOING rectification's plan: its milestones, planned by the lead handler for a round that has
 * none (the command office any time), changed only on request (requestReplan) and the command
 * office's decision, completed one by one. Every change goes through `changeIssue` (rows.ts).
 */
import { beijingDate } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import type { IssuesContext } from '../context.ts';
import { texts, type MilestoneInput } from '../input.ts';
import { changeIssue } from '../rows.ts';
import type {
  MutationCompleteMilestoneArgs,
  MutationDecideReplanArgs,
  MutationPlanMilestonesArgs,
  MutationRequestReplanArgs,
} from '../schema-types.ts';
import { deadlineStore, type IssueRow } from '../store.ts';
import { replacePlan, roundOf, validMilestones } from './clocks.ts';

/** Throws unless the issue is an ONGOING rectification (the only kind with milestones). */
function assertOngoing(issue: IssueRow): void {
  if (issue.rectificationMode !== 'ONGOING') {
    throw errors.invalidTransition({ zh: '只有持续改问题有节点计划', en: 'Only an ONGOING rectification has milestones' }, issue.status);
  }
}

/** `planMilestones`: the round's plan and final date. */
export function planMilestones(ctx: IssuesContext, { id, milestones, expectedVersion }: MutationPlanMilestonesArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'PLAN_MILESTONES',
    expectedVersion,
    async plan({ tx, issue, now, calendar }) {
      assertOngoing(issue);
      const planned = validMilestones(milestones, beijingDate(now));
      const hasFinalDate = (await deadlineStore.forIssue(tx, issue.id)).some((d) => d.stage === 'RESOLUTION' && d.round === roundOf(issue));
      if (hasFinalDate && !ctx.access.canReplanDirectly()) {
        throw errors.invalidTransition(
          {
            zh: '本轮已有节点计划；调整计划或办结日期须申请（requestReplan），由市指挥部办公室批准',
            en: 'This round already has a plan; changing it or its final date is a request the command office grants (requestReplan)',
          },
          issue.status,
        );
      }
      const cal = await calendar();
      return { details: { milestones: planned }, after: (updated) => replacePlan(ctx, tx, updated, planned, now, now, cal) };
    },
  });
}

/** `requestReplan`: the lead handler's admin asks to change the plan. */
export function requestReplan(
  ctx: IssuesContext,
  { id, milestones, reason, expectedVersion }: MutationRequestReplanArgs,
): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'REQUEST_REPLAN',
    expectedVersion,
    plan({ issue, now }) {
      assertOngoing(issue);
      if (issue.replanRequestedAt)
        throw errors.invalidTransition({ zh: '已有计划调整申请待审批', en: 'A re-plan request is already pending' }, issue.status);
      const planned = validMilestones(milestones, beijingDate(now));
      const why = parseInput(texts.replanReason, reason, 'reason');
      return {
        values: { replanMilestones: planned, replanReason: why, replanRequestedAt: now },
        note: why,
        details: { milestones: planned },
      };
    },
  });
}

/** `decideReplan`: the command office grants (the new plan starts now) or refuses a pending request. */
export function decideReplan(ctx: IssuesContext, { id, approve, note, expectedVersion }: MutationDecideReplanArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'DECIDE_REPLAN',
    expectedVersion,
    async plan({ tx, issue, now, calendar }) {
      if (!issue.replanRequestedAt || !issue.replanMilestones) {
        throw errors.invalidTransition({ zh: '没有待审批的计划调整申请', en: 'There is no pending re-plan request' }, issue.status);
      }
      const cleared = { replanMilestones: null, replanReason: null, replanRequestedAt: null };
      const remark = parseInput(texts.decision, note, 'note');
      const planned = issue.replanMilestones as MilestoneInput[];
      if (!(approve ?? true)) return { values: cleared, eventAction: 'REFUSE_REPLAN', note: remark, details: { milestones: planned } };
      const cal = await calendar();
      const askedAt = issue.replanRequestedAt;
      return {
        values: cleared,
        eventAction: 'GRANT_REPLAN',
        note: remark,
        details: { milestones: planned },
        after: (updated) => replacePlan(ctx, tx, updated, planned, now, askedAt, cal),
      };
    },
  });
}

/** `completeMilestone`. */
export function completeMilestone(ctx: IssuesContext, args: MutationCompleteMilestoneArgs): Promise<IssueRow> {
  const { id, milestoneId, note, expectedVersion } = args;
  return changeIssue(ctx, {
    id,
    action: 'COMPLETE_MILESTONE',
    expectedVersion,
    async plan({ tx, issue, now }) {
      const milestone = (await deadlineStore.forIssue(tx, issue.id)).find((d) => String(d.id) === milestoneId && d.stage === 'MILESTONE');
      if (!milestone || milestone.cancelledAt) throw errors.notFound({ zh: '节点', en: 'Milestone' }, milestoneId);
      if (milestone.metAt) throw errors.invalidTransition({ zh: '该节点已完成', en: 'The milestone is already completed' }, issue.status);
      return {
        note: parseInput(texts.milestoneNote, note, 'note'),
        details: { milestoneId: milestone.id, title: milestone.title },
        after: () => deadlineStore.meetOne(tx, milestone.id, now),
      };
    },
  });
}
