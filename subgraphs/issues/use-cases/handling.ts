/**
 * Handling an issue to its end: the lead handler contacts the enterprise, answers it and resolves
 * the issue; the enterprise rates the round (a first "unsatisfied" reopens it); the command office
 * calls back (回访), closes (销号) and reopens. Every change goes through `changeIssue` (rows.ts).
 */
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { IssuesContext } from '../context.ts';
import { followUpInput, resolutionOutcome, texts } from '../input.ts';
import { changeIssue } from '../rows.ts';
import type {
  MutationCloseIssueArgs,
  MutationGiveFeedbackArgs,
  MutationRateIssueArgs,
  MutationRecordContactArgs,
  MutationRecordFollowUpArgs,
  MutationReopenIssueArgs,
  MutationResolveIssueArgs,
} from '../schema-types.ts';
import { deadlineStore, followUpStore, ratingStore, type IssueRow } from '../store.ts';
import { clocksFor, isOpen, roundOf, supervisionActive } from './clocks.ts';

/** The subject of a caller allowed to write (every such caller has a token). */
const subjectOf = (ctx: IssuesContext) => present(ctx.viewer.subject, 'the subject of a caller allowed to act');

/** `recordContact`: the lead handler reached the enterprise (the 2-office-hour limit is met). */
export function recordContact(ctx: IssuesContext, { id, note, noteFor, expectedVersion }: MutationRecordContactArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'CONTACT',
    expectedVersion,
    plan: ({ tx, issue, now }) => ({
      note: parseInput(texts.contactNote, note, 'note'),
      noteFor,
      after: () => deadlineStore.meet(tx, issue.id, 'CONTACT', now),
    }),
  });
}

/** `giveFeedback`: the first answer to the enterprise. */
export function giveFeedback(ctx: IssuesContext, { id, note, expectedVersion }: MutationGiveFeedbackArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'FEEDBACK',
    expectedVersion,
    plan: ({ tx, issue, now }) => ({
      note: parseInput(texts.feedback, note, 'note'),
      after: () => deadlineStore.meet(tx, issue.id, 'FEEDBACK', now),
    }),
  });
}

/** `resolveIssue`: 办结, once every milestone of the round is completed. */
export function resolveIssue(
  ctx: IssuesContext,
  { id, resolution, outcome, expectedVersion }: MutationResolveIssueArgs,
): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'RESOLVE',
    expectedVersion,
    async plan({ tx, issue, now }) {
      const what = parseInput(texts.resolution, resolution, 'resolution');
      const ending = parseInput(resolutionOutcome, outcome, 'outcome');
      const deadlines = await deadlineStore.forIssue(tx, issue.id);
      const open = deadlines.filter((d) => d.stage === 'MILESTONE' && isOpen(d));
      if (
        issue.rectificationMode === 'ONGOING' &&
        !deadlines.some((d) => d.stage === 'MILESTONE' && d.round === roundOf(issue) && !d.cancelledAt)
      ) {
        throw errors.invalidTransition(
          { zh: '重新办理的持续改问题须先制定本轮节点计划', en: 'A reopened ONGOING rectification needs this round’s milestones first' },
          issue.status,
        );
      }
      if (open.length) {
        throw errors.invalidTransition(
          { zh: `还有 ${open.length} 个整改节点未完成`, en: `${open.length} milestone(s) are not completed yet` },
          issue.status,
        );
      }
      return {
        values: { resolution: what, resolvedAt: now, resolutionOutcome: ending },
        note: what,
        details: { outcome: ending },
        after: () => deadlineStore.meet(tx, issue.id, 'RESOLUTION', now),
      };
    },
  });
}

/** `rateIssue`: the submitting enterprise rates the round once; its first "unsatisfied" reopens the issue. */
export function rateIssue(ctx: IssuesContext, { id, rating, solved, comment, expectedVersion }: MutationRateIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'RATE',
    expectedVersion,
    async plan({ tx, issue, now, calendar }) {
      const round = roundOf(issue);
      if ((await ratingStore.forRound(tx, issue.id, round)).length) {
        throw errors.invalidTransition({ zh: '本轮办理已评价过', en: 'This round of handling has already been rated' }, issue.status);
      }
      const wasSolved = solved ?? rating !== 'UNSATISFIED';
      const remark = parseInput(texts.comment, comment, 'comment');
      const record = async () => {
        const saved = await ratingStore.insertOnce(tx, {
          issueId: issue.id,
          round,
          unitId: issue.responsibleUnitId,
          rating,
          solved: wasSolved,
          comment: remark,
          raterSubject: subjectOf(ctx),
          raterRole: ctx.viewer.role,
          ratedAt: now,
        });
        if (!saved) throw errors.conflict({ zh: '本轮办理刚被评价过', en: 'This round was rated at the same moment' });
      };
      // The enterprise's first "unsatisfied" reopens by itself; after that the command office decides.
      const reopen = rating === 'UNSATISFIED' && !issue.enterpriseReopenUsed;
      if (!reopen) return { details: { rating, solved: wasSolved, round }, note: remark, after: record };
      const cal = await calendar();
      return {
        values: { enterpriseReopenUsed: true, reopenCount: issue.reopenCount + 1 },
        toStatus: 'REOPENED',
        eventAction: 'RATE_AND_REOPEN',
        note: remark,
        details: { rating, solved: wasSolved, round },
        after: async (updated) => {
          await record();
          if (updated.responsibleUnitId) await deadlineStore.insert(tx, clocksFor(ctx, updated, updated.responsibleUnitId, now, cal));
        },
      };
    },
  });
}

/** `recordFollowUp`: the command office's call-back (回访), reached or not, kept as its own record. */
export function recordFollowUp(ctx: IssuesContext, { id, input: given, expectedVersion }: MutationRecordFollowUpArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'FOLLOW_UP',
    expectedVersion,
    plan({ tx, issue, now }) {
      const input = parseInput(followUpInput, given, 'input');
      if (input.reached && !input.rating)
        throw errors.badInput('input.rating', { zh: '联系上时须记录评价结果', en: 'A reached follow-up records the rating' });
      if (!input.reached && (input.rating || input.solved != null)) {
        throw errors.badInput('input.reached', {
          zh: '未联系上的回访没有评价结果',
          en: 'A follow-up that did not reach anyone has no rating',
        });
      }
      const solved = input.reached ? (input.solved ?? input.rating !== 'UNSATISFIED') : null;
      return {
        note: input.note,
        details: { reached: input.reached, rating: input.rating ?? null, solved },
        after: () =>
          followUpStore.insert(tx, {
            issueId: issue.id,
            round: roundOf(issue),
            unitId: issue.responsibleUnitId,
            reached: input.reached,
            rating: input.rating ?? null,
            solved,
            note: input.note,
            actorSubject: subjectOf(ctx),
            actorUnitId: ctx.viewer.unitId,
            at: now,
          }),
      };
    },
  });
}

/** `closeIssue`: 销号; a listed supervision ends with it. */
export function closeIssue(ctx: IssuesContext, { id, note, noteFor, expectedVersion }: MutationCloseIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'CLOSE',
    expectedVersion,
    plan: ({ issue, now }) => ({
      values: { closedAt: now, ...(supervisionActive(issue) ? { supervisionEndedAt: now } : {}) },
      note: parseInput(texts.verification, note, 'note'),
      noteFor,
    }),
  });
}

/** `reopenIssue`: the command office any time, the submitting enterprise once; the handler's clocks start again. */
export function reopenIssue(ctx: IssuesContext, { id, reason, noteFor, expectedVersion }: MutationReopenIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'REOPEN',
    expectedVersion,
    async plan({ tx, issue, now, calendar }) {
      const why = parseInput(texts.reopenReason, reason, 'reason');
      const byReporter = ctx.access.isReporter(issue);
      const cal = await calendar();
      return {
        values: { reopenCount: issue.reopenCount + 1, closedAt: null, ...(byReporter ? { enterpriseReopenUsed: true } : {}) },
        note: why,
        noteFor: byReporter ? 'ENTERPRISE' : noteFor,
        after: async (updated) => {
          if (updated.responsibleUnitId) await deadlineStore.insert(tx, clocksFor(ctx, updated, updated.responsibleUnitId, now, cal));
        },
      };
    },
  });
}
