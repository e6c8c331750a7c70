/**
 * The command office's supervision of the loop: listed supervision (挂牌督办) and taking it off,
 * merging a duplicate into its original, extensions (asked by the lead handler, decided by the
 * command office), reminders on overdue issues, publishing a typical case, and supervision
 * outcomes (约谈, 通报, …) on a unit or an issue. Changes to an issue go through `changeIssue`
 * (rows.ts); an outcome on a unit alone through the kit's `createRow`.
 */
import { createRow } from '../../../platform/change.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { Queryable } from '../../../db/client.ts';
import type { IssuesContext } from '../context.ts';
import { computeDue, MAX_TOTAL_WORKING_DAYS } from '../deadlines.ts';
import { issueId, supervisionOutcomeInput, texts } from '../input.ts';
import { changeIssue, ISSUE, recordEvent } from '../rows.ts';
import { statusNames } from '../rules.ts';
import type {
  MutationDeescalateIssueArgs,
  MutationEscalateIssueArgs,
  MutationGrantExtensionArgs,
  MutationMergeIssueArgs,
  MutationPublishIssueArgs,
  MutationRecordSupervisionOutcomeArgs,
  MutationRemindIssueArgs,
  MutationRequestExtensionArgs,
} from '../schema-types.ts';
import { deadlineStore, issueStore, outcomeStore, type IssueRow, type SupervisionOutcomeRow } from '../store.ts';
import { openResolution, supervisionActive } from './clocks.ts';
import { requireUnit } from './lookups.ts';

const OUTCOME = { zh: '督导结果', en: 'Supervision outcome' };

/** `escalateIssue`: 挂牌督办 under a leader; a running supervision gets a new leader, after 摘牌 a new one starts. */
export function escalateIssue(ctx: IssuesContext, args: MutationEscalateIssueArgs): Promise<IssueRow> {
  const { id, supervisingLeader, note, expectedVersion } = args;
  return changeIssue(ctx, {
    id,
    action: 'ESCALATE',
    expectedVersion,
    plan({ issue, now }) {
      const leader = parseInput(texts.supervisingLeader, supervisingLeader, 'supervisingLeader');
      const renewed = !supervisionActive(issue);
      return {
        values: { escalatedAt: renewed ? now : issue.escalatedAt, supervisingLeader: leader, supervisionEndedAt: null },
        note: parseInput(texts.note, note, 'note'),
        details: { supervisingLeader: leader, renewed },
      };
    },
  });
}

/** `deescalateIssue`: 摘牌. */
export function deescalateIssue(ctx: IssuesContext, { id, note, expectedVersion }: MutationDeescalateIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'DEESCALATE',
    expectedVersion,
    plan({ issue, now }) {
      if (!supervisionActive(issue))
        throw errors.invalidTransition({ zh: '该问题不在挂牌督办中', en: 'The issue is not under listed supervision' }, issue.status);
      return {
        values: { supervisionEndedAt: now },
        note: parseInput(texts.note, note, 'note'),
        details: { escalatedAt: present(issue.escalatedAt, 'the escalation time of a supervised issue').toISOString() },
      };
    },
  });
}

/** `mergeIssue`: a duplicate follows its original; its clocks stop, what was late stays late. */
export function mergeIssue(ctx: IssuesContext, { id, intoId, note, expectedVersion }: MutationMergeIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'MERGE',
    expectedVersion,
    async plan({ tx, issue, now }) {
      const targetId = parseInput(issueId, intoId, 'intoId');
      if (targetId === issue.id) throw errors.badInput('intoId', { zh: '不能并入自身', en: 'An issue cannot be merged into itself' });
      const original = await issueStore.lock(tx, targetId);
      if (!original) throw errors.notFound(ISSUE, intoId);
      if (original.status === 'MERGED' || original.status === 'REJECTED') {
        throw errors.invalidTransition(
          {
            zh: `原问题状态为“${statusNames[original.status]}”，不能并入`,
            en: `The original is ${original.status}; nothing can be merged into it`,
          },
          original.status,
        );
      }
      const remark = parseInput(texts.note, note, 'note');
      return {
        values: { mergedIntoId: original.id, ...(supervisionActive(issue) ? { supervisionEndedAt: now } : {}) },
        note: remark,
        details: { intoId: original.id, intoNumber: original.number },
        alsoRefresh: [original.id],
        after: async () => {
          await deadlineStore.stop(tx, issue.id, now, 'MERGED');
          await issueStore.repointMerged(tx, issue.id, original.id);
          await issueStore.absorb(tx, original.id, 1 + issue.absorbedCount);
          await recordEvent(ctx, tx, {
            issueId: original.id,
            action: 'ABSORB',
            fromStatus: original.status,
            toStatus: original.status,
            note: remark,
            noteAudience: remark ? 'INTERNAL' : null,
            details: { duplicateId: issue.id, duplicateNumber: issue.number },
            at: now,
          });
        },
      };
    },
  });
}

/** Throws unless the issue's resolution limit may be extended to `total` working days now. */
function assertExtensible(issue: IssueRow, resolution: ReturnType<typeof openResolution>, total: number, now: Date): void {
  if (!resolution?.workingDays) {
    throw errors.invalidTransition(
      { zh: '该问题没有按工作日计算的办结时限', en: 'The issue has no working-day resolution limit to extend' },
      issue.status,
    );
  }
  if (!resolution.dueAt || now >= resolution.dueAt) {
    throw errors.invalidTransition(
      { zh: '延期须在办结时限到期前申请', en: 'An extension must be asked for before the resolution deadline' },
      issue.status,
    );
  }
  if (!Number.isInteger(total) || total <= resolution.workingDays || total > MAX_TOTAL_WORKING_DAYS) {
    throw errors.badInput('totalWorkingDays', {
      zh: `延期后的总时限须多于现有的 ${resolution.workingDays} 个工作日，且不超过 ${MAX_TOTAL_WORKING_DAYS} 个工作日`,
      en: `The extended total must exceed the current ${resolution.workingDays} working days and be at most ${MAX_TOTAL_WORKING_DAYS}`,
    });
  }
}

/** `requestExtension`: the lead handler's admin asks, before the resolution deadline, for a longer total. */
export function requestExtension(ctx: IssuesContext, args: MutationRequestExtensionArgs): Promise<IssueRow> {
  const { id, totalWorkingDays, reason, expectedVersion } = args;
  return changeIssue(ctx, {
    id,
    action: 'REQUEST_EXTENSION',
    expectedVersion,
    async plan({ tx, issue, now }) {
      if (issue.rectificationMode === 'ONGOING') {
        throw errors.invalidTransition(
          { zh: '持续改问题请申请调整节点计划，而不是延期', en: 'An ONGOING rectification asks to re-plan its milestones instead' },
          issue.status,
        );
      }
      if (issue.extensionRequestedAt) {
        throw errors.invalidTransition({ zh: '已有延期申请待审批', en: 'An extension request is already pending' }, issue.status);
      }
      assertExtensible(issue, openResolution(await deadlineStore.forIssue(tx, issue.id)), totalWorkingDays, now);
      const why = parseInput(texts.extensionReason, reason, 'reason');
      return {
        values: { extensionRequestedWorkingDays: totalWorkingDays, extensionReason: why, extensionRequestedAt: now },
        note: why,
        details: { workingDays: totalWorkingDays },
      };
    },
  });
}

/** `grantExtension`: the command office grants (the extended limit replaces the old one) or refuses. */
export function grantExtension(ctx: IssuesContext, { id, approve, note, expectedVersion }: MutationGrantExtensionArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'GRANT_EXTENSION',
    expectedVersion,
    async plan({ tx, issue, calendar }) {
      if (!issue.extensionRequestedAt || !issue.extensionRequestedWorkingDays) {
        throw errors.invalidTransition({ zh: '没有待审批的延期申请', en: 'There is no pending extension request' }, issue.status);
      }
      const total = issue.extensionRequestedWorkingDays;
      const cleared = { extensionRequestedWorkingDays: null, extensionReason: null, extensionRequestedAt: null };
      const remark = parseInput(texts.decision, note, 'note');
      if (!(approve ?? true)) return { values: cleared, eventAction: 'REFUSE_EXTENSION', note: remark, details: { workingDays: total } };
      const resolution = openResolution(await deadlineStore.forIssue(tx, issue.id));
      if (!resolution)
        throw errors.invalidTransition({ zh: '办结时限已不存在', en: 'The resolution limit no longer exists' }, issue.status);
      // Asked for before the deadline (requestExtension checks it), so the extended limit replaces it.
      const due = computeDue({ startsAt: resolution.startsAt, workingDays: total }, await calendar(), ctx.officeHours);
      return {
        values: { ...cleared, extensionGrantedWorkingDays: total },
        note: remark,
        details: { workingDays: total },
        after: () => deadlineStore.update(tx, resolution.id, { workingDays: total, ...due }),
      };
    },
  });
}

/** `remindIssue`: 催办 an overdue issue's handling unit. */
export function remindIssue(ctx: IssuesContext, { id, note, expectedVersion }: MutationRemindIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'REMIND',
    expectedVersion,
    plan({ issue, now }) {
      if (!issue.responsibleUnitId) {
        throw errors.invalidTransition(
          { zh: '该问题尚无承办单位，无从催办；请先派单', en: 'The issue has no handling unit to remind; assign it first' },
          issue.status,
        );
      }
      if (!issue.nextDueAt || issue.nextDueAt > now) {
        throw errors.invalidTransition({ zh: '只能对已超期的问题催办', en: 'Only an overdue issue can be reminded' }, issue.status);
      }
      return {
        values: { reminderCount: issue.reminderCount + 1 },
        note: parseInput(texts.reminder, note, 'note'),
        details: { unitId: issue.responsibleUnitId },
      };
    },
  });
}

/** `publishIssue`: a typical case, anonymised — only the title and summary the command office writes. */
export function publishIssue(
  ctx: IssuesContext,
  { id, title, summary, kind, expectedVersion }: MutationPublishIssueArgs,
): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'PUBLISH',
    expectedVersion,
    plan: ({ issue, now }) => ({
      values: {
        publishedAt: issue.publishedAt ?? now,
        publishedKind: kind,
        publishedTitle: parseInput(texts.caseTitle, title, 'title'),
        publishedSummary: parseInput(texts.caseSummary, summary, 'summary'),
      },
      details: { kind },
    }),
  });
}

/** `recordSupervisionOutcome`: on a unit, or on an issue (recorded in its history too). */
export async function recordSupervisionOutcome(
  ctx: IssuesContext,
  { input: given }: MutationRecordSupervisionOutcomeArgs,
): Promise<SupervisionOutcomeRow> {
  await ctx.access.prepareToAct();
  await ctx.access.assertLoop('RECORD_SUPERVISION_OUTCOME');
  const input = parseInput(supervisionOutcomeInput, given, 'input');
  if (input.decidedOn > beijingDate(ctx.now()))
    throw errors.badInput('input.decidedOn', { zh: '决定日期不能晚于今天', en: 'decidedOn cannot be after today' });
  const row = (unitId: string, issueKey: string | null) => ({
    kind: input.kind,
    unitId,
    issueId: issueKey,
    reason: input.reason,
    decidedOn: input.decidedOn,
    recordedBy: present(ctx.viewer.subject, 'the subject of the command office'),
    recordedAt: ctx.now(),
  });
  if (!input.issueId) {
    if (!input.unitId) throw errors.badInput('input.unitId', { zh: '请给出单位或问题', en: 'Give the unit or the issue it concerns' });
    const [unit] = await ctx.access.prepareToAct([input.unitId]);
    const unitId = requireUnit('input.unitId', input.unitId, unit, { active: false }).id;
    return createRow<SupervisionOutcomeRow, Queryable>(
      ctx.db,
      { noun: OUTCOME },
      {
        authorize: () => ctx.access.assertLoop('RECORD_SUPERVISION_OUTCOME'),
        write: (tx) => outcomeStore.insert(tx, row(unitId, null)),
        // The outcome is its own record (append-only evidence); a unit has no history of its own here.
        record: () => Promise.resolve(),
      },
    );
  }
  let saved: SupervisionOutcomeRow | undefined;
  await changeIssue(ctx, {
    id: input.issueId,
    action: 'RECORD_OUTCOME',
    named: input.unitId ? [input.unitId] : [],
    plan({ tx, issue, units }) {
      const unitId = input.unitId ? requireUnit('input.unitId', input.unitId, units[0], { active: false }).id : issue.responsibleUnitId;
      if (!unitId)
        throw errors.badInput('input.unitId', {
          zh: '该问题尚无承办单位，请指明所涉单位',
          en: 'The issue has no handling unit; name the unit it concerns',
        });
      return {
        eventAction: 'SUPERVISION_OUTCOME',
        note: input.reason,
        details: { kind: input.kind, unitId, decidedOn: input.decidedOn },
        after: async () => {
          saved = await outcomeStore.insert(tx, row(unitId, issue.id));
        },
      };
    },
  });
  return present(saved, 'the supervision outcome just recorded');
}
