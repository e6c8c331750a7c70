/**
 * 申报: an enterprise applies for an item (or saves a draft and submits it later), and a reviewing
 * unit imports what its own system accepted. A new application comes through the kit's `createRow`,
 * once per request: a retry with the same request id (`clientRequestId`, or the source system's own
 * reference) gets the application it made — never a second one, and no second event.
 */
import { personOf } from '../../../platform/auth.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { Queryable } from '../../../db/client.ts';
import type { PoliciesContext } from '../context.ts';
import { runningDueAfter } from '../deadlines.ts';
import { evaluate, type EnterpriseProfile } from '../eligibility.ts';
import * as input from '../input.ts';
import { actorOf, APPLICATION, changeApplication, recordApplicationEvent, subjectOf } from '../rows.ts';
import type { MutationImportApplicationArgs, MutationSubmitApplicationArgs, MutationSubmitDraftApplicationArgs } from '../schema-types.ts';
import { applicationStore, itemStore, type ApplicationRow, type ItemRow, type NewApplication } from '../store.ts';
import {
  checkMaterials,
  criteriaOf,
  limitValues,
  requestedAmount,
  requireEligible,
  requireProfile,
  requireWindow,
  visibleItem,
} from './checks.ts';

/** A receipt time from another system may run a little ahead of our clock, not more. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** What a creation wrote: the application, and whether it is new (a retry's is the one it made before). */
export interface Entered {
  row: ApplicationRow;
  fresh: boolean;
}

/** How one request enters an application, once: the lock on its key, the earlier one it made, the live one it would repeat. */
interface Once {
  lock(tx: Queryable): Promise<void>;
  earlier(tx: Queryable): Promise<ApplicationRow | undefined>;
  /** The earlier application of this request, as it answers a retry (or CONFLICT when it was another). */
  same(existing: ApplicationRow): ApplicationRow;
  /** CONFLICT for a live application of the item and enterprise (one at a time). */
  live(existing: ApplicationRow): Error;
  /** CONFLICT when the insert found a live application it could not see before. */
  taken: { zh: string; en: string };
}

/** Enters `values` once for `once`'s request, with its event, through `createRow`. */
async function enterOnce(
  ctx: PoliciesContext,
  once: Once,
  values: NewApplication,
  event: { action: string; details: Record<string, unknown>; at: Date },
): Promise<Entered> {
  return createRow<Entered, Queryable>(
    ctx.db,
    { noun: APPLICATION },
    {
      // Who may was asked before, on the item; a retry racing its original waits on the lock, then finds it.
      authorize: (tx) => once.lock(tx),
      async write(tx) {
        const earlier = await once.earlier(tx);
        if (earlier) return { row: once.same(earlier), fresh: false };
        const live = await applicationStore.live(tx, values.itemId, values.enterpriseCreditCode);
        if (live) throw once.live(live);
        const created = await applicationStore.insertOnce(tx, values);
        if (created) return { row: created, fresh: true };
        const retried = await once.earlier(tx);
        if (retried) return { row: once.same(retried), fresh: false };
        throw errors.conflict(once.taken);
      },
      record: async (tx, { row, fresh }) => {
        if (!fresh) return;
        await recordApplicationEvent(tx, row, {
          action: event.action,
          fromStatus: null,
          toStatus: row.status,
          ...actorOf(ctx.viewer),
          note: null,
          details: event.details,
          at: event.at,
        });
      },
    },
  );
}

/** `submitApplication`: an enterprise applies for itself (or saves a draft), within the window, eligible, with its materials. */
export async function submitApplication(ctx: PoliciesContext, { input: raw }: MutationSubmitApplicationArgs): Promise<ApplicationRow> {
  ctx.access.assertSignedIn();
  const given = parseInput(input.submitApplicationInput, raw);
  const item = await visibleItem(ctx, given.itemId);
  await ctx.access.assertItem('SUBMIT_APPLICATION', item);
  if (item.automatic)
    throw errors.badInput('itemId', {
      zh: '免申即享项目无需申报，符合条件的企业将直接获得',
      en: 'An automatic item needs no application: eligible enterprises receive it',
    });
  const at = ctx.now();
  const day = beijingDate(at);
  requireWindow(item, day);
  const creditCode = present(ctx.access.ownEnterprise(), 'the enterprise of a caller allowed to apply');
  const profile = await requireProfile(ctx, creditCode);
  const results = evaluate(criteriaOf(item), profile, day);
  requireEligible(results);
  const materials = given.materials ?? [];
  if (!given.asDraft) checkMaterials(item, materials);
  const amount = requestedAmount(item, given.declaredBase, given.requestedAmount);
  const review = given.asDraft ? null : runningDueAfter(await ctx.calendar.current(), ctx.officeHours, at, item.reviewWorkingDays);
  const print = input.fingerprint({ ...given, clientRequestId: undefined });
  // A retry is the same person's: issuer, role and subject — the same subject from another issuer is somebody else.
  const submitter = present(personOf(ctx.viewer), 'the person of a signed-in caller');
  const once: Once = {
    lock: (tx) => applicationStore.lockClientRequest(tx, submitter.subject, given.clientRequestId),
    earlier: (tx) => applicationStore.byClientRequest(tx, submitter, given.clientRequestId),
    same(existing) {
      // The same person acting for another enterprise: the id is theirs, the application is not — nothing of it is told.
      if (existing.enterpriseCreditCode !== creditCode) {
        throw errors.conflict({
          zh: `请求号 ${given.clientRequestId} 已用于另一项申报`,
          en: `clientRequestId ${given.clientRequestId} was already used for another application`,
        });
      }
      if (existing.requestFingerprint !== print) {
        throw errors.conflict(
          {
            zh: `请求号 ${given.clientRequestId} 已用于另一项内容不同的申报`,
            en: `clientRequestId ${given.clientRequestId} was already used for a different application`,
          },
          { existingId: existing.id },
        );
      }
      return existing;
    },
    live: (live) =>
      errors.conflict(
        { zh: `已有一件该项目的申报（编号 ${live.number}）`, en: `There is already an application for this item (number ${live.number})` },
        { existingId: live.id },
      ),
    taken: { zh: '已有一件该项目的申报', en: 'There is already an application for this item' },
  };
  const values: NewApplication = {
    itemId: item.id,
    policyId: item.policyId,
    reviewingUnitId: item.reviewingUnitId,
    issuingUnitId: item.issuingUnitId,
    enterpriseCreditCode: creditCode,
    source: 'ONLINE',
    status: given.asDraft ? 'DRAFT' : 'SUBMITTED',
    submitterSubject: submitter.subject,
    submitterRole: submitter.role,
    submitterIssuer: submitter.issuer,
    clientRequestId: given.clientRequestId,
    requestFingerprint: print,
    declaredBase: given.declaredBase ?? null,
    requestedAmount: amount,
    materials,
    eligibility: results,
    enteredAt: at,
    submittedAt: given.asDraft ? null : at,
    reviewClockAt: given.asDraft ? null : at,
    ...(review ? limitValues({ reviewDueAt: review }) : {}),
    nextDueAt: review?.dueAt ?? null,
  };
  const entered = await enterOnce(ctx, once, values, {
    action: given.asDraft ? 'SAVE_DRAFT' : 'SUBMIT',
    details: { requestedAmount: amount },
    at,
  });
  return entered.row;
}

/** `submitDraftApplication`: the applicant submits its draft, checked again as a new application would be. */
export async function submitDraftApplication(
  ctx: PoliciesContext,
  { id, expectedVersion }: MutationSubmitDraftApplicationArgs,
): Promise<ApplicationRow> {
  const draft = isUuid(id) ? await applicationStore.get(ctx.db, id.toLowerCase()) : undefined;
  const item = draft ? await itemStore.get(ctx.db, draft.itemId) : null;
  const profile =
    draft && item && ctx.access.ownEnterprise() === draft.enterpriseCreditCode
      ? await requireProfile(ctx, draft.enterpriseCreditCode)
      : null;
  const cal = await ctx.calendar.current();
  return changeApplication(
    ctx,
    id,
    'SUBMIT_DRAFT',
    ({ row, now, today }) => {
      // Found (and the applicant's: the rules allowed only the applicant), so read above.
      const current = present(item, "the draft's item");
      if (current.status !== 'PUBLISHED')
        throw errors.invalidTransition({ zh: '该项目已停止受理', en: 'The item takes no applications now' }, row.status);
      requireWindow(current, today);
      const results = evaluate(criteriaOf(current), present(profile, "the applicant's profile"), today);
      requireEligible(results);
      checkMaterials(current, row.materials);
      const review = runningDueAfter(cal, ctx.officeHours, now, current.reviewWorkingDays);
      return {
        values: {
          submittedAt: now,
          reviewClockAt: now,
          enteredAt: now,
          eligibility: results,
          ...limitValues({ reviewDueAt: review }, row.pendingCalendarYear),
          nextDueAt: review.dueAt,
        },
        eventAction: 'SUBMIT',
      };
    },
    { expectedVersion },
  );
}

/** `importApplication`: an application the department's system accepted, entered by the reviewing unit (or the command office). */
export async function importApplication(ctx: PoliciesContext, { input: raw }: MutationImportApplicationArgs): Promise<ApplicationRow> {
  return (await enterImported(ctx, raw, (code) => ctx.enterprises.profile(code))).row;
}

/**
 * One imported application (`importApplication`, and each record of `importApplicationBatch`):
 * `profileOf` gives the enterprise's profile as the caller may see it, asked before any transaction;
 * `itemOf` the item as the caller may see it (a batch reads each of its items once).
 */
export async function enterImported(
  ctx: PoliciesContext,
  raw: unknown,
  profileOf: (creditCode: string) => Promise<EnterpriseProfile | null>,
  itemOf: (itemId: string) => Promise<ItemRow> = (itemId) => visibleItem(ctx, itemId),
): Promise<Entered> {
  ctx.access.assertSignedIn();
  const given = parseInput(input.importApplicationInput, raw);
  const item = await itemOf(given.itemId);
  await ctx.access.assertItem('IMPORT_APPLICATION', item);
  const at = ctx.now();
  if (given.submittedAt.getTime() > at.getTime() + CLOCK_SKEW_MS)
    throw errors.badInput('submittedAt', { zh: '受理时间不能晚于现在', en: 'submittedAt cannot be in the future' });
  // The department's system accepted it; the profile, when this caller may see it, is recorded for the reviewer.
  const profile = await profileOf(given.enterpriseCreditCode);
  const results = profile ? evaluate(criteriaOf(item), profile, beijingDate(given.submittedAt)) : [];
  const amount = requestedAmount(item, given.declaredBase, given.requestedAmount);
  const review = runningDueAfter(await ctx.calendar.current(), ctx.officeHours, given.submittedAt, item.reviewWorkingDays);
  const print = input.fingerprint({ ...given, submittedAt: given.submittedAt.toISOString() });
  const once: Once = {
    lock: (tx) => applicationStore.lockExternalReference(tx, given.sourceSystem, given.externalReference),
    earlier: (tx) => applicationStore.byExternalReference(tx, given.sourceSystem, given.externalReference),
    same(existing) {
      if (existing.requestFingerprint !== print) {
        throw errors.conflict(
          {
            zh: `外部编号 ${given.externalReference} 已导入过内容不同的申报`,
            en: `${given.sourceSystem}/${given.externalReference} was already imported with different content`,
          },
          { existingId: existing.id },
        );
      }
      return existing;
    },
    live: (live) =>
      errors.conflict(
        {
          zh: `该企业已有一件该项目的申报（编号 ${live.number}）`,
          en: `The enterprise already has an application for this item (number ${live.number})`,
        },
        { existingId: live.id },
      ),
    taken: { zh: '该企业已有一件该项目的申报', en: 'The enterprise already has an application for this item' },
  };
  const values: NewApplication = {
    itemId: item.id,
    policyId: item.policyId,
    reviewingUnitId: item.reviewingUnitId,
    issuingUnitId: item.issuingUnitId,
    enterpriseCreditCode: given.enterpriseCreditCode,
    source: 'IMPORTED',
    status: 'SUBMITTED',
    submitterSubject: subjectOf(ctx.viewer),
    submitterRole: ctx.viewer.role,
    submitterIssuer: present(personOf(ctx.viewer), 'the person of a signed-in caller').issuer,
    sourceSystem: given.sourceSystem,
    externalReference: given.externalReference,
    requestFingerprint: print,
    declaredBase: given.declaredBase ?? null,
    requestedAmount: amount,
    materials: given.materials ?? [],
    eligibility: results,
    enteredAt: given.submittedAt,
    submittedAt: given.submittedAt,
    reviewClockAt: given.submittedAt,
    ...limitValues({ reviewDueAt: review }),
    nextDueAt: review.dueAt,
  };
  const details = {
    sourceSystem: given.sourceSystem,
    externalReference: given.externalReference,
    submittedAt: given.submittedAt.toISOString(),
  };
  return enterOnce(ctx, once, values, { action: 'IMPORT', details, at });
}
