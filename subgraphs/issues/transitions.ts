/**
 * The loop's actions on an existing issue. Every change runs in one transaction that (1) reads the
 * issue, (2) asks the state machine whether this caller may take this action now, (3) writes the
 * issue only if its version is unchanged, and (4) appends the event — so a change and its history
 * are never apart, and of two people acting at once exactly one wins.
 */
import { requireSignedIn } from '../shared/auth.ts';
import { errors } from '../shared/errors.ts';
import { beijingDate, type WorkingCalendar } from '../shared/calendar.ts';
import type { Queryable } from '../../db/client.ts';
import { canSee, standingOf } from './access.ts';
import { APPEAL_LIMITS, computeDue, MAX_TOTAL_WORKING_DAYS, type DeadlineRule } from './deadlines.ts';
import { ISSUE, MAX_MILESTONES, optionalText, requireUuid, text, type AcceptIssueInput, type MilestoneInput, type RatingValue } from './input.ts';
import type { IssuesSession } from './session.ts';
import { check, isAppealLike, nextStatus, statusNames, type IssueAction, type IssueStatus, type Standing } from './state-machine.ts';
import { deadlineStore, eventStore, issueStore, type DeadlineRow, type IssueRow, type NewIssue } from './store.ts';

interface ActionContext {
  tx: Queryable;
  issue: IssueRow;
  standing: Standing;
  now: Date;
  calendar(): Promise<WorkingCalendar>;
}

interface ActionPlan {
  values?: Partial<NewIssue>;
  /** Overrides the state machine's target (an unsatisfied rating reopens). */
  toStatus?: IssueStatus;
  /** The history's name for what happened, when it is not the action's own. */
  eventAction?: string;
  note?: string | null;
  details?: Record<string, unknown>;
  /** Deadline changes, run after the issue row is written. */
  after?: (updated: IssueRow) => Promise<void>;
  /** Other issues whose deadlines or counters changed (merge). */
  alsoRefresh?: string[];
}

export function createTransitions(session: IssuesSession) {
  const { db, viewer, clock, scope, calendarFrom, deadlineRow, requireActiveUnit, actorFields } = session;

  function validMilestones(milestones: MilestoneInput[] | null | undefined, today: string): MilestoneInput[] {
    if (!milestones?.length) {
      throw errors.badInput('milestones', { zh: '持续改问题至少需要一个节点', en: 'An ONGOING rectification needs at least one milestone' });
    }
    if (milestones.length > MAX_MILESTONES) {
      throw errors.badInput('milestones', { zh: `节点不能超过 ${MAX_MILESTONES} 个`, en: `At most ${MAX_MILESTONES} milestones` });
    }
    return milestones.map((m, i) => {
      if (m.dueOn < today) {
        throw errors.badInput(`milestones[${i}].dueOn`, { zh: `节点日期 ${m.dueOn} 已过`, en: `Milestone date ${m.dueOn} is in the past` });
      }
      return { title: text(`milestones[${i}].title`, m.title, { zh: '节点名称', en: 'Milestone title' }, 200), dueOn: m.dueOn };
    });
  }

  /** The open resolution deadline of the current round, if any. */
  const openResolution = (deadlines: DeadlineRow[]) =>
    deadlines.filter((d) => d.stage === 'RESOLUTION' && !d.metAt && !d.cancelledAt).sort((a, b) => b.round - a.round)[0];
  /** Handling round: 1, and one more for every reopening. */
  const roundOf = (issue: IssueRow) => issue.reopenCount + 1;

  /** A resolution limit for a new round (reopening), by the issue's own rule. */
  function resolutionRule(issue: IssueRow, startsAt: Date): DeadlineRule | null {
    if (isAppealLike(issue.source)) return { startsAt, workingDays: APPEAL_LIMITS.resolutionWorkingDays };
    if (issue.rectificationMode === 'IMMEDIATE' && issue.immediateWorkingDays) return { startsAt, workingDays: issue.immediateWorkingDays };
    return null; // ONGOING: the unit plans the new round's milestones
  }

  /** The one path by which an existing issue changes. */
  async function act(id: string, action: IssueAction, expectedVersion: number | null | undefined, plan: (ctx: ActionContext) => Promise<ActionPlan> | ActionPlan): Promise<IssueRow> {
    requireSignedIn(viewer);
    const issueId = requireUuid('id', id);
    const visibleScope = await scope();
    return db.transaction(async (tx) => {
      const issue = await issueStore.get(tx, issueId);
      if (!issue || !canSee(visibleScope, issue)) throw errors.notFound(ISSUE, id);
      if (expectedVersion != null && expectedVersion !== issue.version) {
        throw errors.conflict(
          { zh: `问题已被他人更新（当前版本 ${issue.version}，状态“${statusNames[issue.status]}”）`, en: `The issue changed meanwhile (now version ${issue.version}, ${issue.status})` },
          { currentVersion: issue.version, currentState: issue.status },
        );
      }
      const standing = standingOf(viewer, issue);
      const refusal = check(action, issue.status, standing, issue.source);
      if (refusal?.kind === 'FORBIDDEN') throw errors.forbidden(refusal.message);
      if (refusal) throw errors.invalidTransition(refusal.message, issue.status);

      const now = clock();
      let calendar: Promise<WorkingCalendar> | undefined;
      const planned = await plan({ tx, issue, standing, now, calendar: () => (calendar ??= calendarFrom(tx)) });
      const toStatus = planned.toStatus ?? nextStatus(action, issue.status);
      const updated = await issueStore.update(tx, issueId, issue.version, { ...planned.values, status: toStatus });
      if (!updated) {
        throw errors.conflict({ zh: '问题已被他人同时更新，请刷新后重试', en: 'Someone else changed the issue at the same moment; reload and retry' }, { currentState: issue.status });
      }
      await planned.after?.(updated);
      await eventStore.append(tx, {
        issueId,
        action: planned.eventAction ?? action,
        fromStatus: issue.status,
        toStatus,
        ...actorFields(),
        note: planned.note ?? null,
        details: planned.details ?? null,
        at: now,
      });
      await issueStore.refreshNextDue(tx, [issueId, ...(planned.alsoRefresh ?? [])]);
      return (await issueStore.get(tx, issueId))!;
    });
  }

  return {
    acceptIssue: (id: string, input: AcceptIssueInput | null | undefined, expectedVersion?: number | null) =>
      act(id, 'ACCEPT', expectedVersion, async ({ tx, issue, now, calendar }) => {
        const mode = input?.rectificationMode ?? null;
        const appeal = isAppealLike(issue.source);
        if (appeal && mode) {
          throw errors.badInput('rectificationMode', { zh: '企业诉求和热线按青诉即办时限办理，不设整改方式', en: 'Appeals and hotline items follow the 青诉即办 limits; they take no rectification mode' });
        }
        if (!appeal && !mode) {
          throw errors.badInput('rectificationMode', { zh: '请确定整改方式：立即改或持续改', en: 'Choose the rectification mode: IMMEDIATE or ONGOING' });
        }
        const leader = optionalText('responsibleLeader', input?.responsibleLeader, { zh: '包保领导', en: 'Responsible leader' }, 100);
        let after: ActionPlan['after'];
        let immediateWorkingDays: number | null = null;
        if (mode === 'IMMEDIATE') {
          const days = input?.immediateWorkingDays;
          if (!Number.isInteger(days) || days! < 1 || days! > MAX_TOTAL_WORKING_DAYS) {
            throw errors.badInput('immediateWorkingDays', { zh: `立即改须给出 1–${MAX_TOTAL_WORKING_DAYS} 个工作日的时限`, en: `IMMEDIATE needs a limit of 1–${MAX_TOTAL_WORKING_DAYS} working days` });
          }
          immediateWorkingDays = days!;
          const cal = await calendar();
          after = () => deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', { startsAt: issue.receivedAt, workingDays: days! }, cal)]);
        } else if (mode === 'ONGOING') {
          const milestones = validMilestones(input?.milestones, beijingDate(now));
          const cal = await calendar();
          const last = milestones.map((m) => m.dueOn).sort().at(-1)!;
          after = () =>
            deadlineStore.insert(tx, [
              ...milestones.map((m) => deadlineRow(issue.id, 'MILESTONE', { startsAt: issue.receivedAt, dueOn: m.dueOn }, cal, { title: m.title })),
              deadlineRow(issue.id, 'RESOLUTION', { startsAt: issue.receivedAt, dueOn: last }, cal),
            ]);
        }
        return {
          values: { acceptedAt: now, rectificationMode: mode, immediateWorkingDays, responsibleLeader: leader ?? issue.responsibleLeader },
          note: optionalText('note', input?.note, { zh: '备注', en: 'Note' }),
          details: { rectificationMode: mode, immediateWorkingDays },
          after,
        };
      }),

    rejectIssue: (id: string, reason: string, expectedVersion?: number | null) =>
      act(id, 'REJECT', expectedVersion, ({ tx, issue, now }) => {
        const why = text('reason', reason, { zh: '不予受理理由', en: 'Reason' });
        return { values: { rejectionReason: why }, note: why, after: () => deadlineStore.cancelOpen(tx, issue.id, now) };
      }),

    assignIssue: (id: string, unitId: string, note: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'ASSIGN', expectedVersion, async ({ issue }) => {
        const target = await requireActiveUnit('unitId', unitId);
        if (issue.status === 'ASSIGNED' && issue.responsibleUnitId === target) {
          throw errors.badInput('unitId', { zh: '问题已派给该单位', en: 'The issue is already with that unit' });
        }
        return {
          values: { responsibleUnitId: target },
          eventAction: issue.responsibleUnitId || issue.status === 'RETURNED' ? 'REASSIGN' : 'ASSIGN',
          note: optionalText('note', note, { zh: '备注', en: 'Note' }),
          details: { unitId: target, previousUnitId: issue.responsibleUnitId },
        };
      }),

    returnIssue: (id: string, reason: string, expectedVersion?: number | null) =>
      act(id, 'RETURN', expectedVersion, ({ issue }) => {
        const why = text('reason', reason, { zh: '退回理由', en: 'Reason' });
        return { values: { responsibleUnitId: null }, note: why, details: { unitId: issue.responsibleUnitId } };
      }),

    recordContact: (id: string, note: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'CONTACT', expectedVersion, ({ tx, issue, now }) => ({
        note: optionalText('note', note, { zh: '联系情况', en: 'Note' }),
        after: async () => void (await deadlineStore.meet(tx, issue.id, 'CONTACT', now)),
      })),

    giveFeedback: (id: string, note: string, expectedVersion?: number | null) =>
      act(id, 'FEEDBACK', expectedVersion, ({ tx, issue, now }) => ({
        note: text('note', note, { zh: '初步反馈', en: 'Feedback' }),
        after: async () => void (await deadlineStore.meet(tx, issue.id, 'FEEDBACK', now)),
      })),

    resolveIssue: (id: string, resolution: string, expectedVersion?: number | null) =>
      act(id, 'RESOLVE', expectedVersion, async ({ tx, issue, now }) => {
        const what = text('resolution', resolution, { zh: '办理结果', en: 'Resolution' }, 5000);
        const deadlines = await deadlineStore.forIssue(tx, issue.id);
        const open = deadlines.filter((d) => d.stage === 'MILESTONE' && !d.metAt && !d.cancelledAt);
        if (issue.rectificationMode === 'ONGOING' && !deadlines.some((d) => d.stage === 'MILESTONE' && d.round === roundOf(issue) && !d.cancelledAt)) {
          throw errors.invalidTransition({ zh: '重新办理的持续改问题须先制定本轮节点计划', en: 'A reopened ONGOING rectification needs this round’s milestones first' }, issue.status);
        }
        if (open.length) {
          throw errors.invalidTransition({ zh: `还有 ${open.length} 个整改节点未完成`, en: `${open.length} milestone(s) are not completed yet` }, issue.status);
        }
        return {
          // A new handling awaits a new rating; the earlier one stays in the history.
          values: { resolution: what, resolvedAt: now, rating: null, ratingSolved: null, ratingComment: null, ratedAt: null },
          note: what,
          after: async () => void (await deadlineStore.meet(tx, issue.id, 'RESOLUTION', now)),
        };
      }),

    rateIssue: (id: string, rating: RatingValue, solved: boolean | null | undefined, comment: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'RATE', expectedVersion, async ({ tx, issue, standing, now, calendar }) => {
        if (issue.ratedAt) {
          throw errors.invalidTransition({ zh: '本次办理已评价过', en: 'This handling has already been rated' }, issue.status);
        }
        const wasSolved = solved ?? rating !== 'UNSATISFIED';
        const values: Partial<NewIssue> = { rating, ratingSolved: wasSolved, ratingComment: optionalText('comment', comment, { zh: '评价意见', en: 'Comment' }), ratedAt: now };
        // Only the enterprise's own first "unsatisfied" reopens by itself; after a follow-up the command office decides.
        const reopen = standing === 'REPORTING_ENTERPRISE' && rating === 'UNSATISFIED' && !issue.enterpriseReopenUsed;
        if (!reopen) return { values, details: { rating, solved: wasSolved }, note: values.ratingComment };
        const rule = resolutionRule(issue, now);
        const cal = rule ? await calendar() : null;
        return {
          values: { ...values, enterpriseReopenUsed: true, reopenCount: issue.reopenCount + 1 },
          toStatus: 'REOPENED',
          eventAction: 'RATE_AND_REOPEN',
          note: values.ratingComment,
          details: { rating, solved: wasSolved },
          after: async () => {
            if (rule) await deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', rule, cal!, { round: roundOf(issue) + 1 })]);
          },
        };
      }),

    closeIssue: (id: string, note: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'CLOSE', expectedVersion, ({ now }) => ({ values: { closedAt: now }, note: optionalText('note', note, { zh: '回访核实情况', en: 'Verification note' }) })),

    reopenIssue: (id: string, reason: string, expectedVersion?: number | null) =>
      act(id, 'REOPEN', expectedVersion, async ({ tx, issue, standing, now, calendar }) => {
        if (standing === 'REPORTING_ENTERPRISE' && issue.enterpriseReopenUsed) {
          throw errors.forbidden({ zh: '企业只能申请重办一次，之后由市指挥部办公室决定', en: 'An enterprise may reopen once; after that the command office decides' });
        }
        const why = text('reason', reason, { zh: '重办理由', en: 'Reason' });
        const rule = resolutionRule(issue, now);
        const cal = rule ? await calendar() : null;
        return {
          values: {
            reopenCount: issue.reopenCount + 1,
            closedAt: null,
            ...(standing === 'REPORTING_ENTERPRISE' ? { enterpriseReopenUsed: true } : {}),
          },
          note: why,
          after: async () => {
            if (rule) await deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', rule, cal!, { round: roundOf(issue) + 1 })]);
          },
        };
      }),

    escalateIssue: (id: string, supervisingLeader: string, note: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'ESCALATE', expectedVersion, ({ issue, now }) => {
        const leader = text('supervisingLeader', supervisingLeader, { zh: '督办领导', en: 'Supervising leader' }, 100);
        return { values: { escalatedAt: issue.escalatedAt ?? now, supervisingLeader: leader }, note: optionalText('note', note, { zh: '备注', en: 'Note' }), details: { supervisingLeader: leader } };
      }),

    mergeIssue: (id: string, intoId: string, note: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'MERGE', expectedVersion, async ({ tx, issue, now }) => {
        const targetId = requireUuid('intoId', intoId);
        if (targetId === issue.id) throw errors.badInput('intoId', { zh: '不能并入自身', en: 'An issue cannot be merged into itself' });
        const original = await issueStore.lock(tx, targetId);
        if (!original) throw errors.notFound(ISSUE, intoId);
        if (original.status === 'MERGED' || original.status === 'REJECTED') {
          throw errors.invalidTransition({ zh: `原问题状态为“${statusNames[original.status]}”，不能并入`, en: `The original is ${original.status}; nothing can be merged into it` }, original.status);
        }
        const remark = optionalText('note', note, { zh: '备注', en: 'Note' });
        return {
          values: { mergedIntoId: original.id },
          note: remark,
          details: { intoId: original.id, intoNumber: original.number },
          alsoRefresh: [original.id],
          after: async () => {
            await deadlineStore.cancelOpen(tx, issue.id, now);
            await issueStore.repointMerged(tx, issue.id, original.id);
            await issueStore.absorb(tx, original.id, 1 + issue.absorbedCount);
            await eventStore.append(tx, {
              issueId: original.id,
              action: 'ABSORB',
              fromStatus: original.status,
              toStatus: original.status,
              ...actorFields(),
              note: remark,
              details: { duplicateId: issue.id, duplicateNumber: issue.number },
              at: now,
            });
          },
        };
      }),

    requestExtension: (id: string, totalWorkingDays: number, reason: string, expectedVersion?: number | null) =>
      act(id, 'REQUEST_EXTENSION', expectedVersion, async ({ tx, issue, now }) => {
        if (issue.rectificationMode === 'ONGOING') {
          throw errors.invalidTransition({ zh: '持续改问题请调整节点计划，而不是延期', en: 'An ONGOING rectification re-plans its milestones instead' }, issue.status);
        }
        if (issue.extensionRequestedAt) {
          throw errors.invalidTransition({ zh: '已有延期申请待审批', en: 'An extension request is already pending' }, issue.status);
        }
        const resolution = openResolution(await deadlineStore.forIssue(tx, issue.id));
        if (!resolution?.workingDays) {
          throw errors.invalidTransition({ zh: '该问题没有按工作日计算的办结时限', en: 'The issue has no working-day resolution limit to extend' }, issue.status);
        }
        if (!resolution.dueAt || now >= resolution.dueAt) {
          throw errors.invalidTransition({ zh: '延期须在办结时限到期前申请', en: 'An extension must be asked for before the resolution deadline' }, issue.status);
        }
        if (!Number.isInteger(totalWorkingDays) || totalWorkingDays <= resolution.workingDays || totalWorkingDays > MAX_TOTAL_WORKING_DAYS) {
          throw errors.badInput('totalWorkingDays', {
            zh: `延期后的总时限须多于现有的 ${resolution.workingDays} 个工作日，且不超过 ${MAX_TOTAL_WORKING_DAYS} 个工作日`,
            en: `The extended total must exceed the current ${resolution.workingDays} working days and be at most ${MAX_TOTAL_WORKING_DAYS}`,
          });
        }
        const why = text('reason', reason, { zh: '延期理由', en: 'Reason' });
        return { values: { extensionRequestedWorkingDays: totalWorkingDays, extensionReason: why, extensionRequestedAt: now }, note: why, details: { workingDays: totalWorkingDays } };
      }),

    grantExtension: (id: string, approve: boolean, note: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'GRANT_EXTENSION', expectedVersion, async ({ tx, issue, calendar }) => {
        if (!issue.extensionRequestedAt || !issue.extensionRequestedWorkingDays) {
          throw errors.invalidTransition({ zh: '没有待审批的延期申请', en: 'There is no pending extension request' }, issue.status);
        }
        const total = issue.extensionRequestedWorkingDays;
        const cleared = { extensionRequestedWorkingDays: null, extensionReason: null, extensionRequestedAt: null };
        const remark = optionalText('note', note, { zh: '审批意见', en: 'Note' });
        if (!approve) return { values: cleared, eventAction: 'REFUSE_EXTENSION', note: remark, details: { workingDays: total } };
        const resolution = openResolution(await deadlineStore.forIssue(tx, issue.id));
        if (!resolution) throw errors.invalidTransition({ zh: '办结时限已不存在', en: 'The resolution limit no longer exists' }, issue.status);
        const due = computeDue({ startsAt: resolution.startsAt, workingDays: total }, await calendar());
        return {
          values: { ...cleared, extensionGrantedWorkingDays: total },
          note: remark,
          details: { workingDays: total },
          after: () => deadlineStore.update(tx, resolution.id, { workingDays: total, ...due }),
        };
      }),

    remindIssue: (id: string, note: string | null | undefined, expectedVersion?: number | null) =>
      act(id, 'REMIND', expectedVersion, ({ issue, now }) => {
        if (!issue.nextDueAt || issue.nextDueAt > now) {
          throw errors.invalidTransition({ zh: '只能对已超期的问题催办', en: 'Only an overdue issue can be reminded' }, issue.status);
        }
        return { values: { reminderCount: issue.reminderCount + 1 }, note: optionalText('note', note, { zh: '催办意见', en: 'Reminder' }) };
      }),

    planMilestones: (id: string, milestones: MilestoneInput[], expectedVersion?: number | null) =>
      act(id, 'PLAN_MILESTONES', expectedVersion, async ({ tx, issue, now, calendar }) => {
        if (issue.rectificationMode !== 'ONGOING') {
          throw errors.invalidTransition({ zh: '只有持续改问题有节点计划', en: 'Only an ONGOING rectification has milestones' }, issue.status);
        }
        const planned = validMilestones(milestones, beijingDate(now));
        const cal = await calendar();
        const deadlines = await deadlineStore.forIssue(tx, issue.id);
        const round = roundOf(issue);
        const last = planned.map((m) => m.dueOn).sort().at(-1)!;
        const resolution = openResolution(deadlines);
        return {
          details: { milestones: planned },
          after: async () => {
            for (const d of deadlines) if (d.stage === 'MILESTONE' && !d.metAt && !d.cancelledAt) await deadlineStore.update(tx, d.id, { cancelledAt: now });
            await deadlineStore.insert(tx, planned.map((m) => deadlineRow(issue.id, 'MILESTONE', { startsAt: now, dueOn: m.dueOn }, cal, { title: m.title, round })));
            const rule = { startsAt: resolution?.startsAt ?? now, dueOn: last };
            if (resolution) await deadlineStore.update(tx, resolution.id, { dueOn: last, workingDays: null, ...computeDue(rule, cal) });
            else await deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', rule, cal, { round })]);
          },
        };
      }),

    completeMilestone: (id: string, milestoneId: string, note: string, expectedVersion?: number | null) =>
      act(id, 'COMPLETE_MILESTONE', expectedVersion, async ({ tx, issue, now }) => {
        const milestone = (await deadlineStore.forIssue(tx, issue.id)).find((d) => String(d.id) === milestoneId && d.stage === 'MILESTONE');
        if (!milestone || milestone.cancelledAt) throw errors.notFound({ zh: '节点', en: 'Milestone' }, milestoneId);
        if (milestone.metAt) throw errors.invalidTransition({ zh: '该节点已完成', en: 'The milestone is already completed' }, issue.status);
        return {
          note: text('note', note, { zh: '完成情况', en: 'Note' }),
          details: { milestoneId: milestone.id, title: milestone.title },
          after: () => deadlineStore.meetOne(tx, milestone.id, now),
        };
      }),

    publishIssue: (id: string, title: string, summary: string, expectedVersion?: number | null) =>
      act(id, 'PUBLISH', expectedVersion, ({ issue, now }) => ({
        values: {
          publishedAt: issue.publishedAt ?? now,
          publishedTitle: text('title', title, { zh: '案例标题', en: 'Title' }, 200),
          publishedSummary: text('summary', summary, { zh: '案例摘要', en: 'Summary' }, 5000),
        },
      })),
  };
}
