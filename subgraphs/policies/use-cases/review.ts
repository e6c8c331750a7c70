/**
 * 审核: the reviewing unit takes an application into review, returns it for materials (the review
 * clock stops; the applicant resubmits and it restarts), approves it (with the amount; the payment
 * limit starts) or refuses it. Each is one step of the application (`changeApplication`), and a
 * step that ends the review limit keeps it, judged, with its event.
 */
import { personOf } from '../../../platform/auth.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { PoliciesContext } from '../context.ts';
import { reviewEnded, runningDueAfter } from '../deadlines.ts';
import * as input from '../input.ts';
import { changeApplication } from '../rows.ts';
import type {
  MutationApproveApplicationArgs,
  MutationRejectApplicationArgs,
  MutationResubmitApplicationArgs,
  MutationReturnApplicationArgs,
  MutationStartReviewArgs,
} from '../schema-types.ts';
import { itemStore, type ApplicationRow } from '../store.ts';
import { checkMaterials, limitValues } from './checks.ts';

/** `startReview`: a reviewer takes the application; while it is in review, only they or a unit admin decide it. */
export function startReview(ctx: PoliciesContext, { id, expectedVersion }: MutationStartReviewArgs): Promise<ApplicationRow> {
  return changeApplication(
    ctx,
    id,
    'START_REVIEW',
    ({ now }) => {
      const reviewer = present(personOf(ctx.viewer), 'the person of a reviewer');
      return {
        values: { reviewStartedAt: now, reviewerSubject: reviewer.subject, reviewerRole: reviewer.role, reviewerIssuer: reviewer.issuer },
      };
    },
    { expectedVersion },
  );
}

/** `returnApplication`: back to the enterprise for materials, saying why and which. */
export function returnApplication(
  ctx: PoliciesContext,
  { id, reason: rawReason, missingMaterials: rawMissing, expectedVersion }: MutationReturnApplicationArgs,
): Promise<ApplicationRow> {
  return changeApplication(
    ctx,
    id,
    'RETURN',
    ({ row, now }) => {
      const reason = parseInput(input.texts.returnReason, rawReason, 'reason');
      const missing = parseInput(input.missingMaterials, rawMissing, 'missingMaterials') ?? [];
      // The review clock stops while the materials are with the enterprise; it restarts on
      // resubmission. The limit it stopped is judged now: returned after it, it was missed.
      return {
        values: { returnReason: reason, missingMaterials: missing, nextDueAt: null },
        note: reason,
        details: { missingMaterials: missing },
        limits: reviewEnded(row, now),
      };
    },
    { expectedVersion },
  );
}

/** `resubmitApplication`: the applicant sends what was missing; the review clock restarts. */
export async function resubmitApplication(
  ctx: PoliciesContext,
  { id, input: raw, expectedVersion }: MutationResubmitApplicationArgs,
): Promise<ApplicationRow> {
  const given = parseInput(input.resubmitInput, raw);
  const cal = await ctx.calendar.current();
  return changeApplication(
    ctx,
    id,
    'RESUBMIT',
    async ({ tx, row, now }) => {
      const item = present(await itemStore.get(tx, row.itemId), "the application's item");
      const byName = new Map(row.materials.map((m) => [m.name, m]));
      for (const material of given.materials) byName.set(material.name, material);
      const materials = [...byName.values()];
      checkMaterials(item, materials);
      const stillMissing = row.missingMaterials.filter((name) => !given.materials.some((m) => m.name === name));
      if (stillMissing.length)
        throw errors.badInput('materials', {
          zh: `仍缺补正材料：${stillMissing.join('、')}`,
          en: `Still missing: ${stillMissing.join(', ')}`,
        });
      const review = runningDueAfter(cal, ctx.officeHours, now, item.reviewWorkingDays);
      return {
        values: {
          materials,
          missingMaterials: [],
          reviewClockAt: now,
          ...limitValues({ reviewDueAt: review }, row.pendingCalendarYear),
          nextDueAt: review.dueAt,
        },
        note: given.note,
      };
    },
    { expectedVersion },
  );
}

/** `approveApplication`: approved, for at most what was asked (a service: no amount); the payment limit starts. */
export async function approveApplication(
  ctx: PoliciesContext,
  { id, amount: rawAmount, note: rawNote, expectedVersion }: MutationApproveApplicationArgs,
): Promise<ApplicationRow> {
  const amount = parseInput(input.approvedAmount, rawAmount, 'amount');
  const note = parseInput(input.texts.note, rawNote, 'note');
  const cal = await ctx.calendar.current();
  return changeApplication(
    ctx,
    id,
    'APPROVE',
    async ({ tx, row, now }) => {
      const item = present(await itemStore.get(tx, row.itemId), "the application's item");
      const approved = item.amountKind === null ? null : (amount ?? row.requestedAmount);
      if (item.amountKind === null && amount != null)
        throw errors.badInput('amount', { zh: '服务类项目没有金额', en: 'A service item has no amount' });
      if (item.amountKind !== null) {
        const most = row.requestedAmount ?? item.amount;
        if (approved == null) throw errors.badInput('amount', { zh: '请核定金额', en: 'Give the approved amount' });
        if (most != null && approved > most)
          throw errors.badInput('amount', { zh: `核定金额不能超过 ${most} 元`, en: `The approved amount cannot exceed ${most} yuan` });
      }
      const payment = runningDueAfter(cal, ctx.officeHours, now, item.paymentWorkingDays);
      return {
        values: {
          approvedAmount: approved,
          approvedAt: now,
          decidedAt: now,
          ...limitValues({ paymentDueAt: payment }, row.pendingCalendarYear),
          nextDueAt: payment.dueAt,
        },
        note,
        details: { amount: approved },
        limits: reviewEnded(row, now),
      };
    },
    { expectedVersion },
  );
}

/** `rejectApplication`: refused, saying why. */
export function rejectApplication(
  ctx: PoliciesContext,
  { id, reason: rawReason, expectedVersion }: MutationRejectApplicationArgs,
): Promise<ApplicationRow> {
  return changeApplication(
    ctx,
    id,
    'REJECT',
    ({ row, now }) => {
      const reason = parseInput(input.texts.rejectionReason, rawReason, 'reason');
      return { values: { rejectionReason: reason, decidedAt: now, nextDueAt: null }, note: reason, limits: reviewEnded(row, now) };
    },
    { expectedVersion },
  );
}
