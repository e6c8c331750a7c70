/**
 * What several use cases of the policies slice check or work out alike: units and districts named
 * in input (from the directory), dates, the validity of a document, search terms, the item a caller
 * acts on, an enterprise's eligibility, the amount asked for, and the limits an application keeps.
 */
import { earliestYear } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { isValidDate } from '../../../platform/scalars.ts';
import { tsvectorOf } from '../../../platform/search-text.ts';
import { sqlState, SqlState, type Queryable } from '../../../db/client.ts';
import type { PoliciesContext } from '../context.ts';
import type { RunningDue } from '../deadlines.ts';
import { toEnterpriseFilter, type Criteria, type CriterionResult, type EnterpriseProfile } from '../eligibility.ts';
import * as input from '../input.ts';
import { ENTERPRISE, ITEM, POLICY } from '../rows.ts';
import { isOpenObjection, itemStore, objectionStore, policyStore, type ItemRow, type PolicyRow } from '../store.ts';

export async function requireUnit(ctx: PoliciesContext, field: string, id: string): Promise<string> {
  const unit = await ctx.directory.unit(id);
  if (!unit) throw errors.badInput(field, { zh: `单位不存在：${id}`, en: `No such unit: ${id}` });
  if (unit.archived) throw errors.badInput(field, { zh: `单位已归档：${unit.name}`, en: `The unit is archived: ${unit.code}` });
  return unit.id;
}

export async function requireDistricts(ctx: PoliciesContext, field: string, codes: readonly string[]): Promise<void> {
  const known = (await ctx.directory.current()).districts;
  const unknown = codes.find((code) => !known.has(code));
  if (unknown !== undefined) throw errors.badInput(field, { zh: `区(市)不存在：${unknown}`, en: `No such district: ${unknown}` });
}

export function requireDate(field: string, value: string | null | undefined): void {
  if (value != null && !isValidDate(value))
    throw errors.badInput(field, { zh: `${field} 须为 YYYY-MM-DD`, en: `${field} must be a date YYYY-MM-DD` });
}

/** The dates of a document a caller may give, each checked as a date. */
export function requireDates(given: { issuedOn?: string | null; validFrom?: string | null; validUntil?: string | null }): void {
  for (const field of ['issuedOn', 'validFrom', 'validUntil'] as const) requireDate(field, given[field]);
}

export function checkValidity(dates: { issuedOn: string; validFrom: string; validUntil: string | null }): void {
  if (dates.validUntil !== null && dates.validUntil < dates.validFrom) {
    throw errors.badInput('validUntil', { zh: '有效期截止日不能早于施行日', en: 'validUntil cannot be before validFrom' });
  }
}

/** The two term vectors of a policy: heading (title, number, summary) and everything searchable. */
export function policyTerms(
  p: { title: string; documentNumber: string | null; summary: string | null; body: string },
  interpretations: { title: string; body: string }[],
) {
  const heading = [p.title, p.documentNumber, p.summary];
  return {
    headTerms: tsvectorOf(...heading),
    bodyTerms: tsvectorOf(...heading, p.body, ...interpretations.flatMap((i) => [i.title, i.body])),
  };
}

export function itemTerms(item: { name: string; description: string; requiredMaterials: string[]; amountBase: string | null }) {
  return {
    headTerms: tsvectorOf(item.name),
    bodyTerms: tsvectorOf(item.name, item.description, item.amountBase, ...item.requiredMaterials),
  };
}

/** A document number another policy has (its unique key) as CONFLICT; anything else as it is. */
export const conflictOnDocumentNumber =
  (number: string | null | undefined) =>
  (error: unknown): never => {
    if (sqlState(error) === SqlState.UNIQUE_VIOLATION) {
      throw errors.conflict({ zh: `文号已被另一份政策使用：${number}`, en: `Another policy already has document number ${number}` });
    }
    throw error;
  };

/** The enterprises meeting an item's criteria today, as the units slice lets this caller see them. */
export const eligibleCodes = (ctx: PoliciesContext, criteria: Criteria) => ctx.enterprises.codes(toEnterpriseFilter(criteria, ctx.today()));

/** Item criteria as eligibility.ts reads them. */
export function criteriaOf(
  item: Pick<
    ItemRow,
    'industryPrefixes' | 'sizeClasses' | 'districtCodes' | 'minYears' | 'maxYears' | 'qualifications' | 'qualificationMatch'
  >,
): Criteria {
  return {
    industryPrefixes: item.industryPrefixes,
    sizeClasses: item.sizeClasses,
    districtCodes: item.districtCodes,
    minYears: item.minYears,
    maxYears: item.maxYears,
    qualifications: item.qualifications,
    qualificationMatch: item.qualificationMatch,
  };
}

/** A policy as it is now (not a loader's copy): what a change is decided on. */
export async function currentPolicy(ctx: PoliciesContext, rawId: string): Promise<PolicyRow> {
  const id = parseInput(input.policyId, rawId, 'policyId');
  const policy = await policyStore.get(ctx.db, id);
  if (!policy || !(await ctx.access.canSeePolicy(policy))) throw errors.notFound(POLICY, rawId);
  return policy;
}

/** An item as it is now, as this caller may see it. */
export async function visibleItem(ctx: PoliciesContext, rawId: string): Promise<ItemRow> {
  const id = parseInput(input.itemId, rawId, 'itemId');
  const item = await itemStore.get(ctx.db, id);
  if (!item || !(await ctx.access.canSeeItem(item))) throw errors.notFound(ITEM, rawId);
  return item;
}

export function windowOpen(item: ItemRow, day: string): boolean {
  return (item.opensOn === null || item.opensOn <= day) && (item.closesOn === null || item.closesOn >= day);
}

export function requireWindow(item: ItemRow, day: string): void {
  if (!windowOpen(item, day)) {
    throw errors.invalidTransition(
      {
        zh: `不在申报期内（${item.opensOn ?? '不限'} 至 ${item.closesOn ?? '不限'}）`,
        en: `Outside the application window (${item.opensOn ?? 'any'} to ${item.closesOn ?? 'any'})`,
      },
      item.status,
    );
  }
}

/** An enterprise's profile, as the units slice lets this caller see it (which decides whether it may). */
export async function requireProfile(ctx: PoliciesContext, creditCode: string): Promise<EnterpriseProfile> {
  const profile = await ctx.enterprises.profile(creditCode);
  if (!profile) throw errors.notFound(ENTERPRISE, creditCode);
  return profile;
}

export function requireEligible(results: CriterionResult[]): void {
  const unmet = results.filter((r) => !r.met);
  if (unmet.length) {
    throw errors.forbidden({
      zh: `不符合申报条件：${unmet.map((r) => r.reason).join('；')}`,
      en: `Not eligible: ${unmet.map((r) => r.reasonEn).join('; ')}`,
    });
  }
}

/** The amount an application asks for, by the item's amount rule; null for a service. */
export function requestedAmount(
  item: ItemRow,
  declaredBase: number | null | undefined,
  requested: number | null | undefined,
): number | null {
  switch (item.amountKind) {
    case 'FIXED':
      return item.amount;
    case 'CAPPED': {
      if (requested == null)
        throw errors.badInput('requestedAmount', { zh: '最高限额项目须填写申请金额', en: 'A CAPPED item needs requestedAmount' });
      const cap = present(item.amount, 'the cap of a CAPPED item');
      if (requested > cap)
        throw errors.badInput('requestedAmount', {
          zh: `申请金额不能超过限额 ${cap} 元`,
          en: `requestedAmount cannot exceed the cap of ${cap} yuan`,
        });
      return requested;
    }
    case 'RATE': {
      if (declaredBase == null)
        throw errors.badInput('declaredBase', {
          zh: `比例项目须填写申报基数（${item.amountBase}）`,
          en: `A RATE item needs declaredBase (${item.amountBase})`,
        });
      const computed = Math.round(declaredBase * present(item.rate, 'the rate of a RATE item') * 100) / 100;
      return item.amount != null ? Math.min(computed, item.amount) : computed;
    }
    default:
      return null;
  }
}

export function checkMaterials(item: ItemRow, given: input.MaterialInput[]): void {
  const names = new Set(given.map((m) => m.name));
  const missing = item.requiredMaterials.filter((name) => !names.has(name));
  if (missing.length) {
    throw errors.badInput('materials', { zh: `缺少申报材料：${missing.join('、')}`, en: `Missing materials: ${missing.join(', ')}` });
  }
}

/**
 * Limits as values of an application — each due time with its warning — and the year its limits are
 * provisional for: the earliest of the new ones' and of what was provisional before (`earlier`),
 * which settling recomputes.
 */
export function limitValues(
  dues: { reviewDueAt?: RunningDue; paymentDueAt?: RunningDue },
  earlier: number | null = null,
): { reviewDueAt?: Date; reviewWarnAt?: Date; paymentDueAt?: Date; paymentWarnAt?: Date; pendingCalendarYear: number | null } {
  const values: { reviewDueAt?: Date; reviewWarnAt?: Date; paymentDueAt?: Date; paymentWarnAt?: Date } = {};
  if (dues.reviewDueAt) Object.assign(values, { reviewDueAt: dues.reviewDueAt.dueAt, reviewWarnAt: dues.reviewDueAt.warnAt });
  if (dues.paymentDueAt) Object.assign(values, { paymentDueAt: dues.paymentDueAt.dueAt, paymentWarnAt: dues.paymentDueAt.warnAt });
  const pending = Object.values(dues).map((due) => due.pendingCalendarYear);
  return { ...values, pendingCalendarYear: earliestYear(earlier, ...pending) };
}

/** Objections still to be answered (neither answered nor marked): they hold up the payment. */
export const openObjections = async (tx: Queryable, applicationId: string) =>
  (await objectionStore.forApplication(tx, applicationId)).filter(isOpenObjection).length;
