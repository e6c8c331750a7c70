/**
 * A policy's items: what an enterprise can get (a reward, a subsidy, a relief, a service), with its
 * amount rule, application window, materials, working-day limits and eligibility. Adding or
 * changing an item is a step of its policy (`changePolicy`, with the policy's history); an item of a
 * published policy is published at once, and the enterprises its criteria newly fit get a notice.
 */
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { versionConflict } from '../../../platform/change.ts';
import type { PoliciesContext } from '../context.ts';
import { criteriaKey, type Criteria } from '../eligibility.ts';
import * as input from '../input.ts';
import { changePolicy, ITEM, sendItemNotices } from '../rows.ts';
import type { MutationCreatePolicyItemArgs, MutationUpdatePolicyItemArgs } from '../schema-types.ts';
import { itemStore, policyStore, type ItemRow, type NewItem, type PolicyRow } from '../store.ts';
import { criteriaOf, currentPolicy, eligibleCodes, itemTerms, requireDate, requireDistricts, requireUnit, visibleItem } from './checks.ts';

/** An item's amount as callers send it. */
const amountOf = (item: ItemRow) =>
  item.amountKind ? { kind: item.amountKind, amount: item.amount, rate: item.rate, base: item.amountBase } : null;

type ItemGiven = input.ItemInput | input.UpdateItemInput;

/** The item as it would be: what the caller gave over what it is (a new one: the defaults). */
function mergedItem(raw: ItemGiven, current: ItemRow | null, policy: PolicyRow) {
  return {
    name: raw.name ?? current?.name,
    kind: raw.kind ?? current?.kind,
    description: raw.description ?? current?.description,
    amount: raw.amount === undefined ? (current ? amountOf(current) : null) : raw.amount,
    opensOn: raw.opensOn === undefined ? (current?.opensOn ?? null) : raw.opensOn,
    closesOn: raw.closesOn === undefined ? (current?.closesOn ?? null) : raw.closesOn,
    requiredMaterials: raw.requiredMaterials ?? current?.requiredMaterials ?? [],
    reviewingUnitId: raw.reviewingUnitId ?? current?.reviewingUnitId ?? policy.issuingUnitId,
    reviewWorkingDays: raw.reviewWorkingDays ?? current?.reviewWorkingDays,
    paymentWorkingDays: raw.paymentWorkingDays ?? current?.paymentWorkingDays,
    noticeWorkingDays: raw.noticeWorkingDays ?? current?.noticeWorkingDays ?? 5,
    criteria: raw.eligibility ?? (current ? criteriaOf(current) : input.eligibilityInput.parse({})),
    automatic: raw.automatic ?? current?.automatic ?? false,
  };
}

type MergedItem = ReturnType<typeof mergedItem>;

/** Refuses an item that cannot be: its window, its amount, what a published item keeps. */
function checkItem(merged: MergedItem, current: ItemRow | null): void {
  requireDate('opensOn', merged.opensOn);
  requireDate('closesOn', merged.closesOn);
  if (merged.opensOn && merged.closesOn && merged.closesOn < merged.opensOn) {
    throw errors.badInput('closesOn', { zh: '申报截止日不能早于开始日', en: 'closesOn cannot be before opensOn' });
  }
  if (merged.kind !== 'SERVICE' && !merged.amount) {
    throw errors.badInput('amount', { zh: '资金类项目须给出金额方式', en: 'An item that pays or relieves needs an amount' });
  }
  if (merged.automatic && merged.amount && merged.amount.kind !== 'FIXED') {
    throw errors.badInput('automatic', {
      zh: '免申即享项目须为定额（无人申报，无从核定金额）',
      en: 'An automatic item needs a FIXED amount: nobody applies, so nobody declares an amount',
    });
  }
  if (current && current.status !== 'DRAFT') {
    if (merged.reviewingUnitId !== current.reviewingUnitId)
      throw errors.badInput('reviewingUnitId', { zh: '已发布项目的审核单位不能更改', en: 'A published item keeps its reviewing unit' });
    if (merged.automatic !== current.automatic)
      throw errors.badInput('automatic', { zh: '已发布项目不能改变免申即享方式', en: 'A published item keeps its automatic flag' });
  }
}

/** The item's values as written, checked, with its criteria (a district policy's: its district). */
async function itemValues(ctx: PoliciesContext, raw: ItemGiven, current: ItemRow | null, policy: PolicyRow) {
  const merged = mergedItem(raw, current, policy);
  checkItem(merged, current);
  if (!current || merged.reviewingUnitId !== current.reviewingUnitId) await requireUnit(ctx, 'reviewingUnitId', merged.reviewingUnitId);
  await requireDistricts(ctx, 'eligibility.districtCodes', merged.criteria.districtCodes);
  // A district's policy serves its district: its items are limited to it.
  if (policy.level === 'DISTRICT' && merged.criteria.districtCodes.some((code) => code !== policy.districtCode)) {
    throw errors.badInput('eligibility.districtCodes', {
      zh: '区(市)级政策的项目只适用于本区(市)',
      en: "A district policy's items apply to its own district only",
    });
  }
  const criteria: Criteria =
    policy.level === 'DISTRICT' && !merged.criteria.districtCodes.length
      ? { ...merged.criteria, districtCodes: [present(policy.districtCode, "a district policy's district")] }
      : merged.criteria;
  // Each is given for a new item (input.ts requires them) or kept from the current one.
  const values = {
    name: present(merged.name, "the item's name"),
    kind: present(merged.kind, "the item's kind"),
    description: present(merged.description, "the item's description"),
    amountKind: merged.amount?.kind ?? null,
    amount: merged.amount?.amount ?? null,
    rate: merged.amount?.rate ?? null,
    amountBase: merged.amount?.base ?? null,
    opensOn: merged.opensOn,
    closesOn: merged.closesOn,
    requiredMaterials: merged.requiredMaterials,
    reviewingUnitId: merged.reviewingUnitId,
    reviewWorkingDays: present(merged.reviewWorkingDays, "the item's review working days"),
    paymentWorkingDays: present(merged.paymentWorkingDays, "the item's payment working days"),
    noticeWorkingDays: merged.noticeWorkingDays,
    industryPrefixes: criteria.industryPrefixes,
    sizeClasses: criteria.sizeClasses,
    districtCodes: criteria.districtCodes,
    minYears: criteria.minYears,
    maxYears: criteria.maxYears,
    qualifications: criteria.qualifications,
    qualificationMatch: criteria.qualificationMatch,
    automatic: merged.automatic,
  };
  return { values: { ...values, ...itemTerms(values) }, criteria };
}

/** `createPolicyItem`: an item added to a policy not yet repealed; on a published policy, published (and noticed) at once. */
export async function createPolicyItem(ctx: PoliciesContext, { policyId, input: raw }: MutationCreatePolicyItemArgs): Promise<ItemRow> {
  ctx.access.assertSignedIn();
  const given = parseInput(input.itemInput, raw);
  const policy = await currentPolicy(ctx, policyId);
  await ctx.access.assertPolicy('ADD_ITEM', policy, ctx.today());
  const { values, criteria } = await itemValues(ctx, given, null, policy);
  const publishNow = policy.status === 'PUBLISHED';
  const codes = publishNow ? await eligibleCodes(ctx, criteria) : [];
  let created: ItemRow | undefined;
  await changePolicy(
    ctx,
    policy.id,
    'ADD_ITEM',
    async ({ tx, row, now }) => {
      created = await itemStore.insert(tx, {
        ...(values as NewItem),
        policyId: row.id,
        issuingUnitId: row.issuingUnitId,
        level: row.level,
        environment: row.environment,
        status: publishNow ? 'PUBLISHED' : 'DRAFT',
        publishedAt: publishNow ? now : null,
        sortAt: now,
        createdAt: now,
      });
      const sent = publishNow ? await sendItemNotices(tx, created, codes, now) : 0;
      return { note: values.name, details: { itemId: created.id, published: publishNow, notices: sent } };
    },
    // Decided on the policy as read above: changed since, it is decided again.
    { expectedVersion: policy.version },
  );
  return present(created, 'the item just added');
}

/** `updatePolicyItem`: an item not closed changed; criteria that newly fit an enterprise send it a notice (none twice). */
export async function updatePolicyItem(
  ctx: PoliciesContext,
  { id, input: raw, expectedVersion }: MutationUpdatePolicyItemArgs,
): Promise<ItemRow> {
  ctx.access.assertSignedIn();
  const given = parseInput(input.updateItemInput, raw ?? {});
  const item = await visibleItem(ctx, id);
  const policy = present(await policyStore.get(ctx.db, item.policyId), "the item's policy");
  await ctx.access.assertPolicy('UPDATE_ITEM', policy, ctx.today());
  if (item.status === 'CLOSED')
    throw errors.invalidTransition({ zh: '该项目已停止受理，不能修改', en: 'The item is closed and cannot change' }, item.status);
  const { values, criteria } = await itemValues(ctx, given, item, policy);
  const renotify = item.status === 'PUBLISHED' && criteriaKey(criteria) !== criteriaKey(criteriaOf(item));
  const codes = renotify ? await eligibleCodes(ctx, criteria) : [];
  let updated: ItemRow | undefined;
  await changePolicy(ctx, policy.id, 'UPDATE_ITEM', async ({ tx, now }) => {
    const current = await itemStore.lock(tx, item.id);
    const wanted = expectedVersion ?? item.version;
    if (!current) throw errors.conflict({ zh: '政策项目已被他人更新', en: 'The item changed meanwhile' });
    if (current.version !== wanted) throw versionConflict(ITEM, current.version);
    updated = await itemStore.update(tx, item.id, current.version, values as Partial<NewItem>);
    const sent = renotify ? await sendItemNotices(tx, present(updated, 'the item just changed'), codes, now) : 0;
    return {
      note: current.name,
      details: {
        itemId: item.id,
        changed: Object.keys(given).filter((k) => (given as Record<string, unknown>)[k] !== undefined),
        notices: sent,
      },
    };
  });
  return present(updated, 'the item just changed');
}
