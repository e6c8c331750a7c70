/**
 * A demand after the claim: the holder contacts the enterprise, approves (an amount up to the one
 * asked — partial is normal), records the loan (up to the amount approved) or declines; the
 * enterprise withdraws (before a decision), confirms the money arrived and rates the institution.
 *
 * Every step goes through the kit's `changeRow`: the demand locked, the caller authorized on the
 * locked row (access.ts, from the rules' who/from), its version guarded, the step recorded with
 * `recordDemandStep` in the same transaction, the limits met or ended beside it. A refused step
 * changes nothing. Callers who may not see the demand find it missing (NOT_FOUND).
 *
 * The decision (approval or decline) meets the holder's CONTACT and DECISION limits (a decision is
 * made with the enterprise: approval may come straight from CLAIMED); a disbursement meets any still
 * running; a withdrawal ends every running limit unmet (cancelled, or lapsed if already past due).
 * Before any step the demand's lapsed hold, if any, is returned to the pool (use-cases/limits.ts):
 * a holder whose limit passed no longer holds it. The working-day calendar is read before the
 * transaction (it may be asked over HTTP); the working days to the decision are counted on it from
 * the locked row's hold.
 */
import { changeRow, type RowKind } from '../../../platform/change.ts';
import { beijingDate, type WorkingCalendar } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput, uuid } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { Queryable } from '../../../db/client.ts';
import type { FinancingContext } from '../context.ts';
import { approval, contactNote, declineInput, disbursementInput, ratingInput, withdrawalReason } from '../input.ts';
import { HOLD_LIMITS } from '../limits.ts';
import { DEMAND, demandRow, recordDemandStep } from '../rows.ts';
import type { DemandAction } from '../rules.ts';
import type {
  MutationApproveFinancingArgs,
  MutationConfirmLoanReceivedArgs,
  MutationDeclineFinancingArgs,
  MutationRateFinancialInstitutionArgs,
  MutationRecordFinancingContactArgs,
  MutationRecordLoanDisbursementArgs,
  MutationWithdrawFinancingDemandArgs,
} from '../schema-types.ts';
import { demandStore, limitStore, loanStore, type DemandRow } from '../store.ts';
import { returnLapsedHolds } from './limits.ts';

/** 好差评's five levels as a score, 5 (very satisfied) … 1. */
export const RATING_SCORES: Record<NonNullable<DemandRow['rating']>, number> = {
  VERY_SATISFIED: 5,
  SATISFIED: 4,
  BASICALLY_SATISFIED: 3,
  UNSATISFIED: 2,
  VERY_UNSATISFIED: 1,
};

/** The demand as a caller acts on it: one they may not see is missing. */
const seenDemand = (ctx: FinancingContext): RowKind<DemandRow, Queryable> => ({
  ...demandRow,
  visible: (row) => ctx.access.seesDemand(row),
});

/**
 * The common part of every step: the key checked, the lapsed hold returned first, then one
 * `changeRow` authorized by `action` on the locked demand.
 */
async function stepOn(
  ctx: FinancingContext,
  id: string,
  action: DemandAction,
  steps: {
    write(tx: Queryable, current: DemandRow): Promise<DemandRow | undefined>;
    record(tx: Queryable, before: DemandRow, after: DemandRow): Promise<unknown>;
  },
): Promise<DemandRow> {
  const key = parseInput(uuid(DEMAND), id, 'id');
  await returnLapsedHolds(ctx, key);
  const row = await changeRow(ctx.db, seenDemand(ctx), {
    key,
    authorize: (current) => ctx.access.assertDemand(action, current),
    write: steps.write,
    record: steps.record,
  });
  ctx.loaders.demandById.clear(row.id).prime(row.id, row);
  return row;
}

/** The holder's institution and branch, as a step records them. */
const holderOf = (demand: DemandRow) => ({ institutionId: demand.institutionId, branchId: demand.branchId });

/** Working days from the hold to now, on the platform's calendar (read before the transaction). */
function workingDaysToDecision(ctx: FinancingContext, calendar: WorkingCalendar, demand: DemandRow): number {
  const heldAt = present(demand.heldAt, 'the hold of a demand its holder decides');
  return calendar.workingDaysBetween(heldAt, ctx.now()).days;
}

/** `recordFinancingContact`: the holder, from CLAIMED; meets the CONTACT limit. */
export function recordFinancingContact(ctx: FinancingContext, args: MutationRecordFinancingContactArgs): Promise<DemandRow> {
  const note = parseInput(contactNote, args.note, 'note');
  return stepOn(ctx, args.id, 'RECORD_CONTACT', {
    async write(tx, current) {
      await limitStore.meet(tx, current.id, ['CONTACT'], ctx.now());
      return demandStore.update(tx, current.id, current.version, { status: 'CONTACTED' });
    },
    record: (tx, before, after) => recordDemandStep(ctx, tx, after, { kind: 'CONTACTED', ...holderOf(before), note }),
  });
}

/** `approveFinancing`: the holder, from CLAIMED or CONTACTED; at most the amount asked; meets CONTACT and DECISION. */
export async function approveFinancing(ctx: FinancingContext, args: MutationApproveFinancingArgs): Promise<DemandRow> {
  const given = parseInput(approval, { amount: args.amount, note: args.note });
  const calendar = await ctx.workingCalendar();
  let days = 0;
  return stepOn(ctx, args.id, 'APPROVE', {
    async write(tx, current) {
      if (given.amount > current.amount) {
        throw errors.badInput('amount', {
          zh: `授信金额不能超过需求金额 ${current.amount} 元`,
          en: `The amount approved cannot exceed the ${current.amount} yuan asked`,
        });
      }
      days = workingDaysToDecision(ctx, calendar, current);
      await limitStore.meet(tx, current.id, [...HOLD_LIMITS], ctx.now());
      return demandStore.update(tx, current.id, current.version, { status: 'APPROVED', approvedAmount: given.amount });
    },
    record: (tx, before, after) =>
      recordDemandStep(ctx, tx, after, {
        kind: 'APPROVED',
        ...holderOf(before),
        note: given.note,
        data: { amount: given.amount, workingDaysToDecision: days },
      }),
  });
}

/**
 * `recordLoanDisbursement`: the holder, from APPROVED; at most the amount approved, on a day from
 * the hold to today; the rate in percent kept in basis points; pure credit when the guarantee mode
 * is PURE_CREDIT, a first loan when the demand is one. One loan reference once per institution.
 */
export async function recordLoanDisbursement(ctx: FinancingContext, args: MutationRecordLoanDisbursementArgs): Promise<DemandRow> {
  const given = parseInput(disbursementInput, args.input, 'input');
  let loan: { id: string; rateBp: number; pureCredit: boolean; firstLoan: boolean } | undefined;
  return stepOn(ctx, args.id, 'DISBURSE', {
    async write(tx, current) {
      const approved = present(current.approvedAmount, 'the amount approved of an APPROVED demand');
      if (given.amount > approved) {
        throw errors.badInput('input.amount', {
          zh: `放款金额不能超过授信金额 ${approved} 元`,
          en: `The amount lent cannot exceed the ${approved} yuan approved`,
        });
      }
      const heldOn = beijingDate(present(current.heldAt, 'the hold of an APPROVED demand'));
      if (given.disbursedOn < heldOn || given.disbursedOn > beijingDate(ctx.now())) {
        throw errors.badInput('input.disbursedOn', {
          zh: `放款日期须在承接日 ${heldOn} 与今天之间`,
          en: `disbursedOn must be between the day the demand was held (${heldOn}) and today`,
        });
      }
      const institutionId = present(current.institutionId, 'the holder of an APPROVED demand');
      const inserted = await loanStore.insert(tx, {
        demandId: current.id,
        creditCode: current.creditCode,
        institutionId,
        branchId: current.branchId,
        amount: given.amount,
        disbursedOn: given.disbursedOn,
        rateBp: Math.round(given.ratePercent * 100),
        termMonths: given.termMonths,
        guaranteeMode: given.guaranteeMode,
        pureCredit: given.guaranteeMode === 'PURE_CREDIT',
        firstLoan: current.firstLoan,
        loanRef: given.loanRef,
        createdAt: ctx.now(),
      });
      if (!inserted) {
        throw errors.conflict({ zh: `本机构已有贷款编号 ${given.loanRef}`, en: `The institution has a loan ${given.loanRef} already` });
      }
      loan = inserted;
      await limitStore.meet(tx, current.id, [...HOLD_LIMITS], ctx.now());
      return demandStore.update(tx, current.id, current.version, { status: 'DISBURSED', closedAt: ctx.now() });
    },
    record(tx, before, after) {
      const lent = present(loan, 'the loan written with the disbursement');
      return recordDemandStep(ctx, tx, after, {
        kind: 'DISBURSED',
        ...holderOf(before),
        data: {
          loanId: lent.id,
          amount: given.amount,
          rateBp: lent.rateBp,
          termMonths: given.termMonths,
          pureCredit: lent.pureCredit,
          firstLoan: lent.firstLoan,
        },
      });
    },
  });
}

/** `declineFinancing`: the holder, from any held state; a reason code and its words; meets CONTACT and DECISION. */
export async function declineFinancing(ctx: FinancingContext, args: MutationDeclineFinancingArgs): Promise<DemandRow> {
  const given = parseInput(declineInput, { reasonCode: args.reasonCode, reason: args.reason });
  const calendar = await ctx.workingCalendar();
  let days = 0;
  return stepOn(ctx, args.id, 'DECLINE', {
    async write(tx, current) {
      days = workingDaysToDecision(ctx, calendar, current);
      await limitStore.meet(tx, current.id, [...HOLD_LIMITS], ctx.now());
      return demandStore.update(tx, current.id, current.version, {
        status: 'DECLINED',
        declineReason: given.reasonCode,
        declineText: given.reason,
        closedAt: ctx.now(),
      });
    },
    record: (tx, before, after) =>
      recordDemandStep(ctx, tx, after, {
        kind: 'DECLINED',
        ...holderOf(before),
        note: given.reason,
        data: { reasonCode: given.reasonCode, workingDaysToDecision: days },
      }),
  });
}

/** `withdrawFinancingDemand`: the enterprise itself, before a decision; every running limit ends unmet. */
export function withdrawFinancingDemand(ctx: FinancingContext, args: MutationWithdrawFinancingDemandArgs): Promise<DemandRow> {
  const reason = parseInput(withdrawalReason, args.reason, 'reason');
  return stepOn(ctx, args.id, 'WITHDRAW', {
    async write(tx, current) {
      await limitStore.end(tx, current.id, ctx.now());
      return demandStore.update(tx, current.id, current.version, { status: 'WITHDRAWN', closedAt: ctx.now() });
    },
    record: (tx, before, after) => recordDemandStep(ctx, tx, after, { kind: 'WITHDRAWN', ...holderOf(before), note: reason }),
  });
}

/** `confirmLoanReceived`: the enterprise itself, once, after the disbursement. */
export function confirmLoanReceived(ctx: FinancingContext, args: MutationConfirmLoanReceivedArgs): Promise<DemandRow> {
  let loanId = '';
  return stepOn(ctx, args.id, 'CONFIRM_RECEIVED', {
    async write(tx, current) {
      const loan = await loanStore.markReceived(tx, current.id, ctx.now());
      if (!loan) throw errors.conflict({ zh: '已确认过到账', en: 'The money was confirmed received already' });
      loanId = loan.id;
      return demandStore.update(tx, current.id, current.version, {});
    },
    record: (tx, before, after) => recordDemandStep(ctx, tx, after, { kind: 'RECEIVED', ...holderOf(before), data: { loanId } }),
  });
}

/** `rateFinancialInstitution`: the enterprise itself, once, after the disbursement or the decline; five levels. */
export function rateFinancialInstitution(ctx: FinancingContext, args: MutationRateFinancialInstitutionArgs): Promise<DemandRow> {
  const given = parseInput(ratingInput, { rating: args.rating, comment: args.comment });
  return stepOn(ctx, args.id, 'RATE', {
    write(tx, current) {
      if (current.rating) throw errors.conflict({ zh: '已评价过该金融机构', en: 'The institution was rated already' });
      return demandStore.update(tx, current.id, current.version, { rating: given.rating, ratingComment: given.comment });
    },
    record: (tx, before, after) =>
      recordDemandStep(ctx, tx, after, {
        kind: 'RATED',
        ...holderOf(before),
        note: given.comment,
        data: { rating: given.rating, score: RATING_SCORES[given.rating] },
      }),
  });
}
