/**
 * Policy documents: 立、改、废、释 — draft, edit, open for consultation, publish (its draft items
 * with it, and their notices to the enterprises they fit), amend as a new revision, repeal (its
 * items close), interpret. Each change of a policy is one step of its lifecycle through rows.ts
 * (`changePolicy`: the kit's `changeRow`); a new policy comes through `createRow`.
 */
import { beijingDate } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { PoliciesContext } from '../context.ts';
import * as input from '../input.ts';
import { actorOf, changePolicy, POLICY, recordPolicyEvent, sendItemNotices, subjectOf } from '../rows.ts';
import type {
  MutationAddInterpretationArgs,
  MutationAmendPolicyArgs,
  MutationCreatePolicyArgs,
  MutationOpenConsultationArgs,
  MutationPublishPolicyArgs,
  MutationRepealPolicyArgs,
  MutationUpdatePolicyArgs,
} from '../schema-types.ts';
import {
  commentStore,
  interpretationStore,
  itemStore,
  policyStore,
  revisionStore,
  type InterpretationRow,
  type PolicyRow,
} from '../store.ts';
import {
  checkValidity,
  conflictOnDocumentNumber,
  criteriaOf,
  currentPolicy,
  eligibleCodes,
  policyTerms,
  requireDate,
  requireDates,
  requireDistricts,
  requireUnit,
} from './checks.ts';

/** The fields a caller gave (not left out), as a change's event names them. */
const changedFields = (given: object) =>
  Object.entries(given)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);

/** `createPolicy`: a draft, by a unit in its own name (the command office in any unit's). */
export async function createPolicy(ctx: PoliciesContext, { input: raw }: MutationCreatePolicyArgs): Promise<PolicyRow> {
  await ctx.access.assert('CREATE_POLICY');
  const given = parseInput(input.createPolicyInput, raw);
  const issuingUnitId = await requireUnit(ctx, 'issuingUnitId', await ctx.access.issuingUnitFor(given.issuingUnitId));
  if (given.level === 'DISTRICT') {
    if (!given.districtCode)
      throw errors.badInput('districtCode', { zh: '区(市)级政策须指明区(市)', en: 'A district-level policy names its district' });
    await requireDistricts(ctx, 'districtCode', [given.districtCode]);
  } else if (given.districtCode) {
    throw errors.badInput('districtCode', { zh: '只有区(市)级政策有所在区(市)', en: 'Only a district-level policy has a district' });
  }
  requireDates(given);
  const at = ctx.now();
  const issuedOn = given.issuedOn ?? beijingDate(at);
  const dates = { issuedOn, validFrom: given.validFrom ?? issuedOn, validUntil: given.validUntil ?? null };
  checkValidity(dates);
  const content = { title: given.title, documentNumber: given.documentNumber ?? null, summary: given.summary ?? null, body: given.text };
  return createRow(
    ctx.db,
    { noun: POLICY },
    {
      authorize: () => ctx.access.assert('CREATE_POLICY'),
      write: (tx) =>
        policyStore.insert(tx, {
          level: given.level,
          issuingUnitId,
          districtCode: given.districtCode ?? null,
          environment: given.environment,
          ...content,
          ...dates,
          ...policyTerms(content, []),
          createdAt: at,
          createdBy: subjectOf(ctx.viewer),
        }),
      record: (tx, row) =>
        recordPolicyEvent(tx, row.id, {
          action: 'CREATE',
          fromStatus: null,
          toStatus: 'DRAFT',
          ...actorOf(ctx.viewer),
          note: null,
          details: null,
          at,
        }),
    },
  ).catch(conflictOnDocumentNumber(content.documentNumber));
}

/** `updatePolicy`: a draft (or one in consultation) edited; omitted fields stay, an explicit null clears. */
export function updatePolicy(ctx: PoliciesContext, { id, input: raw, expectedVersion }: MutationUpdatePolicyArgs): Promise<PolicyRow> {
  return changePolicy(
    ctx,
    id,
    'UPDATE',
    async ({ tx, row }) => {
      const given = parseInput(input.updatePolicyInput, raw ?? {});
      requireDates(given);
      const content = {
        title: given.title ?? row.title,
        documentNumber: given.documentNumber === undefined ? row.documentNumber : given.documentNumber,
        summary: given.summary === undefined ? row.summary : given.summary,
        body: given.text ?? row.body,
      };
      const dates = {
        issuedOn: given.issuedOn ?? row.issuedOn,
        validFrom: given.validFrom ?? row.validFrom,
        validUntil: given.validUntil === undefined ? row.validUntil : given.validUntil,
      };
      checkValidity(dates);
      const environment = given.environment ?? row.environment;
      return {
        values: { ...content, ...dates, environment, ...policyTerms(content, await interpretationStore.byPolicyIds(tx, [row.id])) },
        details: { changed: changedFields(given) },
        after: async (updated) => {
          if (environment !== row.environment) await policyStore.syncItems(tx, updated);
        },
      };
    },
    { expectedVersion },
  ).catch(conflictOnDocumentNumber(raw?.documentNumber));
}

/** `openConsultation`: a draft opened for comments until `endsOn`. */
export function openConsultation(ctx: PoliciesContext, { id, endsOn, expectedVersion }: MutationOpenConsultationArgs): Promise<PolicyRow> {
  return changePolicy(
    ctx,
    id,
    'OPEN_CONSULTATION',
    ({ today }) => {
      requireDate('endsOn', endsOn);
      if (endsOn <= today) throw errors.badInput('endsOn', { zh: '征求意见截止日须晚于今天', en: 'endsOn must be after today' });
      return { values: { consultationEndsOn: endsOn }, details: { endsOn } };
    },
    { expectedVersion },
  );
}

/** Who gets a notice of each draft item, asked of the units slice before the transaction, for the items as they are now. */
async function noticeRecipients(ctx: PoliciesContext, policy: PolicyRow) {
  const drafts = (await itemStore.byPolicyIds(ctx.db, [policy.id])).filter((item) => item.status === 'DRAFT');
  const recipients = new Map<string, { version: number; codes: string[] }>();
  for (const item of drafts) recipients.set(item.id, { version: item.version, codes: await eligibleCodes(ctx, criteriaOf(item)) });
  return recipients;
}

/** `publishPolicy`: in force, with a document number, its draft items published and their notices sent. */
export async function publishPolicy(
  ctx: PoliciesContext,
  { id, input: raw, expectedVersion }: MutationPublishPolicyArgs,
): Promise<PolicyRow> {
  ctx.access.assertSignedIn();
  const given = parseInput(input.publishPolicyInput, raw ?? {});
  requireDates(given);
  const before = await currentPolicy(ctx, id);
  await ctx.access.assertPolicy('PUBLISH', before, ctx.today());
  const recipients = await noticeRecipients(ctx, before);
  return changePolicy(
    ctx,
    id,
    'PUBLISH',
    async ({ tx, row, now, today }) => {
      if ((await commentStore.unanswered(tx, row.id)) > 0) {
        throw errors.invalidTransition(
          { zh: '还有征求意见未答复，答复后才能发布', en: 'Every consultation comment must be answered before publication' },
          row.status,
        );
      }
      if (row.status === 'CONSULTATION' && row.consultationEndsOn && row.consultationEndsOn >= today) {
        throw errors.invalidTransition(
          {
            zh: `征求意见期至 ${row.consultationEndsOn}，期满后才能发布`,
            en: `The consultation runs until ${row.consultationEndsOn}; publish after it closes`,
          },
          row.status,
        );
      }
      const documentNumber = given.documentNumber ?? row.documentNumber;
      if (!documentNumber) throw errors.badInput('documentNumber', { zh: '发布须有文号', en: 'Publication needs a document number' });
      const dates = {
        issuedOn: given.issuedOn ?? (row.issuedOn <= today ? row.issuedOn : today),
        validFrom: given.validFrom ?? row.validFrom,
        validUntil: given.validUntil === undefined ? row.validUntil : given.validUntil,
      };
      checkValidity(dates);
      const content = { title: row.title, documentNumber, summary: row.summary, body: row.body };
      return {
        values: {
          ...dates,
          documentNumber,
          publishedAt: now,
          ...policyTerms(content, await interpretationStore.byPolicyIds(tx, [row.id])),
        },
        after: async () => {
          await revisionStore.insert(tx, {
            policyId: row.id,
            revision: row.revision,
            ...content,
            ...dates,
            changeNote: null,
            publishedAt: now,
            publishedBy: subjectOf(ctx.viewer),
          });
          const published = await itemStore.publishForPolicy(tx, row.id, now);
          for (const item of published) {
            const planned = recipients.get(item.id);
            // An item added or changed since the recipients were worked out: ask again.
            if (!planned || planned.version + 1 !== item.version) {
              throw errors.conflict({ zh: '政策项目刚被修改，请重试发布', en: 'An item of the policy changed meanwhile; publish again' });
            }
            await sendItemNotices(tx, item, planned.codes, now);
          }
        },
        details: { documentNumber, items: recipients.size },
      };
    },
    { expectedVersion },
  ).catch(conflictOnDocumentNumber(given.documentNumber));
}

/** `amendPolicy`: a new revision of a published policy, in force from its own dates; the one before superseded. */
export function amendPolicy(ctx: PoliciesContext, { id, input: raw, expectedVersion }: MutationAmendPolicyArgs): Promise<PolicyRow> {
  return changePolicy(
    ctx,
    id,
    'AMEND',
    async ({ tx, row, now }) => {
      const given = parseInput(input.amendPolicyInput, raw);
      requireDates(given);
      const content = {
        title: given.title ?? row.title,
        documentNumber: given.documentNumber,
        summary: given.summary === undefined ? row.summary : given.summary,
        body: given.text ?? row.body,
      };
      const issuedOn = given.issuedOn ?? beijingDate(now);
      const dates = {
        issuedOn,
        validFrom: given.validFrom ?? issuedOn,
        validUntil: given.validUntil === undefined ? row.validUntil : given.validUntil,
      };
      checkValidity(dates);
      const revision = row.revision + 1;
      return {
        values: { ...content, ...dates, revision, ...policyTerms(content, await interpretationStore.byPolicyIds(tx, [row.id])) },
        note: given.changeNote,
        details: { revision, documentNumber: given.documentNumber },
        after: async () => {
          await revisionStore.supersede(tx, row.id, row.revision, now);
          await revisionStore.insert(tx, {
            policyId: row.id,
            revision,
            ...content,
            ...dates,
            changeNote: given.changeNote,
            publishedAt: now,
            publishedBy: subjectOf(ctx.viewer),
          });
        },
      };
    },
    { expectedVersion },
  ).catch(conflictOnDocumentNumber(raw.documentNumber));
}

/** `repealPolicy`: no longer in force, for a reason; its items stop taking applications. */
export function repealPolicy(
  ctx: PoliciesContext,
  { id, reason: rawReason, expectedVersion }: MutationRepealPolicyArgs,
): Promise<PolicyRow> {
  return changePolicy(
    ctx,
    id,
    'REPEAL',
    ({ tx, row, now }) => {
      const reason = parseInput(input.texts.repealReason, rawReason, 'reason');
      return { values: { repealedAt: now, repealReason: reason }, note: reason, after: () => itemStore.closeForPolicy(tx, row.id, now) };
    },
    { expectedVersion },
  );
}

/** `addInterpretation`: 政策解读 by the issuing unit, searchable with the policy. */
export async function addInterpretation(
  ctx: PoliciesContext,
  { policyId, input: raw }: MutationAddInterpretationArgs,
): Promise<InterpretationRow> {
  const given = parseInput(input.interpretationInput, raw);
  let created: InterpretationRow | undefined;
  await changePolicy(ctx, policyId, 'INTERPRET', async ({ tx, row, now }) => {
    const unit = await ctx.access.activeUnit();
    created = await interpretationStore.insert(tx, {
      policyId: row.id,
      title: given.title,
      body: given.text,
      unitId: present(unit, 'the active unit of a caller allowed to interpret').id,
      authorSubject: subjectOf(ctx.viewer),
      createdAt: now,
    });
    const all = await interpretationStore.byPolicyIds(tx, [row.id]);
    return { values: policyTerms(row, all), note: given.title, details: { interpretationId: created.id } };
  });
  return present(created, 'the interpretation just added');
}
