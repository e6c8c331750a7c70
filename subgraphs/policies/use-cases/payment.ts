/**
 * 兑现 and 评价, and 免申即享: the reviewing unit records the payment once the notice is over and no
 * objection is open (the cycle from submission counted in working days, the payment limit judged);
 * the applicant rates the handling once; an automatic item is granted to every enterprise its
 * criteria fit, in one statement, each grant straight into public notice.
 */
import { beijingDate, earliestYear, endOfBeijingDay } from '../../../platform/calendar.ts';
import { changeRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { PoliciesContext } from '../context.ts';
import { noticeLastDay, paymentEnded, runningDueAfter, workingDaysBetween } from '../deadlines.ts';
import { restrictingCriteria, toEnterpriseFilter } from '../eligibility.ts';
import * as input from '../input.ts';
import { changeApplication, itemRow, subjectOf } from '../rows.ts';
import type { MutationRateApplicationArgs, MutationRecordDisbursementArgs, MutationRunAutomaticGrantsArgs } from '../schema-types.ts';
import { applicationStore, reviewStore, type ApplicationRow, type GrantRunNode } from '../store.ts';
import { criteriaOf, openObjections, requireDate, requireWindow, visibleItem } from './checks.ts';

/** Refuses a payment the application cannot take now: before the notice ends, with an objection open, of a wrong amount or day. */
function checkPayment(
  row: ApplicationRow,
  given: { amount: number; paidOn: string },
  open: number,
  step: { now: Date; today: string },
): void {
  if (!row.noticeEndsAt || step.now < row.noticeEndsAt) {
    throw errors.invalidTransition(
      { zh: `公示期至 ${row.noticeEndsOn}，期满后才能拨付`, en: `The public notice runs until ${row.noticeEndsOn}; pay after it ends` },
      row.status,
    );
  }
  if (open > 0) throw errors.invalidTransition({ zh: '还有异议未答复', en: 'An objection is still unanswered' }, row.status);
  if (given.paidOn > step.today) throw errors.badInput('paidOn', { zh: '拨付日期不能晚于今天', en: 'paidOn cannot be in the future' });
  if (row.approvedAt && given.paidOn < beijingDate(row.approvedAt))
    throw errors.badInput('paidOn', { zh: '拨付日期不能早于核准日期', en: 'paidOn cannot be before the approval' });
  if (row.approvedAmount !== null ? given.amount > row.approvedAmount || given.amount <= 0 : given.amount !== 0) {
    throw errors.badInput('amount', {
      zh: row.approvedAmount !== null ? `拨付金额须大于 0 且不超过核定的 ${row.approvedAmount} 元` : '服务类项目的拨付金额为 0',
      en:
        row.approvedAmount !== null
          ? `The amount must be above 0 and at most the approved ${row.approvedAmount} yuan`
          : 'A service item pays 0',
    });
  }
}

/** `recordDisbursement`: the money paid (or the service given: 0), on a day, with the payment's reference. */
export async function recordDisbursement(
  ctx: PoliciesContext,
  { id, input: raw, expectedVersion }: MutationRecordDisbursementArgs,
): Promise<ApplicationRow> {
  const given = parseInput(input.disbursementInput, raw);
  requireDate('paidOn', given.paidOn);
  const cal = await ctx.calendar.current();
  return changeApplication(
    ctx,
    id,
    'DISBURSE',
    async ({ tx, row, now, today }) => {
      checkPayment(row, given, await openObjections(tx, row.id), { now, today });
      const cycle = workingDaysBetween(cal, present(row.submittedAt, 'the submission of an application in notice'), given.paidOn);
      return {
        values: {
          disbursedAmount: given.amount,
          paidOn: given.paidOn,
          paymentReference: given.paymentReference,
          disbursedAt: now,
          cycleWorkingDays: cycle.days,
          pendingCalendarYear: earliestYear(row.pendingCalendarYear, cycle.pendingCalendarYear),
          nextDueAt: null,
        },
        details: { amount: given.amount, paidOn: given.paidOn, paymentReference: given.paymentReference, workingDays: cycle.days },
        limits: paymentEnded(row, { paidOn: given.paidOn }),
      };
    },
    { expectedVersion },
  );
}

/** `rateApplication`: the applicant rates the handling once it has ended (paid, refused or stopped). */
export function rateApplication(
  ctx: PoliciesContext,
  { id, level, comment: rawComment }: MutationRateApplicationArgs,
): Promise<ApplicationRow> {
  const comment = parseInput(input.texts.reviewComment, rawComment, 'comment');
  return changeApplication(ctx, id, 'RATE', async ({ tx, row, now }) => {
    if ((await reviewStore.byApplicationIds(tx, [row.id])).length)
      throw errors.invalidTransition({ zh: '该申报已评价过', en: 'This application has already been reviewed' }, row.status);
    return {
      note: comment,
      details: { level },
      after: async () =>
        void (await reviewStore.insert(tx, {
          applicationId: row.id,
          reviewingUnitId: row.reviewingUnitId,
          enterpriseCreditCode: row.enterpriseCreditCode,
          level,
          comment,
          reviewedAt: now,
        })),
    };
  });
}

/** `runAutomaticGrants`: 免申即享 — every eligible enterprise without an application of the item gets one, approved and on notice. */
export async function runAutomaticGrants(ctx: PoliciesContext, { itemId }: MutationRunAutomaticGrantsArgs): Promise<GrantRunNode> {
  ctx.access.assertSignedIn();
  const item = await visibleItem(ctx, itemId);
  await ctx.access.assertItem('RUN_AUTOMATIC_GRANTS', item);
  if (!item.automatic)
    throw errors.invalidTransition({ zh: '该项目不是免申即享项目', en: 'The item is not an automatic grant' }, item.status);
  const at = ctx.now();
  requireWindow(item, beijingDate(at));
  const cal = await ctx.calendar.current();
  const notice = noticeLastDay(cal, at, item.noticeWorkingDays);
  const last = notice.lastDay;
  const payment = runningDueAfter(cal, ctx.officeHours, at, item.paymentWorkingDays);
  const criteria = criteriaOf(item);
  const named = await ctx.enterprises.named(toEnterpriseFilter(criteria, ctx.today()));
  const codes = [...named.keys()];
  // Each restricting criterion, met as the registry's filter found it (the codes carry no profiles).
  const eligibility = restrictingCriteria(criteria).map((criterion) => ({
    criterion,
    met: true,
    reason: '经市场主体名录按条件核验符合',
    reasonEn: 'Met, checked against the market-entity registry',
  }));
  const created = await changeRow(ctx.db, itemRow, {
    key: item.id,
    authorize(current) {
      // The codes were found for the item as read above: changed since, they are found again.
      if (current.version !== item.version || current.status !== 'PUBLISHED') {
        throw errors.conflict({ zh: '政策项目刚被修改，请重试', en: 'The item changed meanwhile; run again' });
      }
    },
    write: (tx, current) =>
      applicationStore.grantAutomatically(tx, {
        item: current,
        codes,
        names: codes.map((code) => named.get(code) ?? ''),
        at,
        actor: { subject: subjectOf(ctx.viewer), role: ctx.viewer.role, unitId: ctx.viewer.unitId },
        amount: current.amount,
        eligibility,
        noticeEndsOn: last,
        noticeEndsAt: endOfBeijingDay(last),
        paymentDueAt: payment.dueAt,
        paymentWarnAt: payment.warnAt,
        noticePendingCalendarYear: notice.pendingCalendarYear,
        pendingCalendarYear: earliestYear(notice.pendingCalendarYear, payment.pendingCalendarYear),
      }),
    // The one statement of `grantAutomatically` appends each grant's AUTOMATIC_GRANT event with it.
    record: async () => undefined,
  });
  return {
    item,
    eligible: codes.length,
    created,
    alreadyGranted: codes.length - created,
    noticeEndsOn: last,
    provisional: notice.pendingCalendarYear !== null,
  };
}
