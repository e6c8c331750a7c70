/**
 * How an issue enters the loop and is taken in: an enterprise's appeal, a report through any other
 * channel (an import from another platform among them), acceptance with its rectification mode,
 * rejection. Each parses what the caller sent (input.ts), asks access.ts, and writes through the
 * kit (platform/change.ts): a new issue by `createRow`, a change by `changeIssue` (rows.ts).
 */
import { createRow } from '../../../platform/change.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import type { DirectoryUnit } from '../../../platform/directory.ts';
import type { Queryable } from '../../../db/client.ts';
import type { IssuesContext } from '../context.ts';
import { acceptIssueInput, fingerprint, immediateWorkingDays, reportIssueInput, submitAppealInput, texts } from '../input.ts';
import { changeIssue, ISSUE, recordEvent, type ActionPlan } from '../rows.ts';
import { isAppealLike } from '../rules.ts';
import type {
  MutationAcceptIssueArgs,
  MutationRejectIssueArgs,
  MutationReportIssueArgs,
  MutationSubmitAppealArgs,
} from '../schema-types.ts';
import { calendarStore, deadlineStore, issueStore, planRecordStore, type IssueRow, type NewIssue } from '../store.ts';
import { clocksFor, replacePlan, validMilestones } from './clocks.ts';
import { districtOfCreditCode, requireDistrict, requireUnit } from './lookups.ts';

/** A receipt time may run a little ahead of our clock (another platform's clock), not more. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** An issue as a use case enters it: what the reporter's token and the request's fingerprint do not give. */
export type SubmittedRow = Omit<
  NewIssue,
  'reporterSubject' | 'reporterRole' | 'reporterUnitId' | 'reporterEnterprise' | 'requestFingerprint' | 'recordedAt'
>;

/** A new issue as written: created now, or the earlier result of the same request (a retry). */
interface Submitted {
  issue: IssueRow;
  created: boolean;
}

/** The issue an import names as already dispatched: with that unit since its receipt. */
function importedAsAssigned(ctx: IssuesContext, row: SubmittedRow, handledBy: string): Partial<NewIssue> {
  return {
    status: 'ASSIGNED',
    responsibleUnitId: handledBy,
    acceptedAt: row.receivedAt,
    intakeUnitId: ctx.viewer.unitId,
    firstAssignedAt: row.receivedAt,
    assignedAt: row.receivedAt,
  };
}

/** The SUBMIT event, and for an import already dispatched its ASSIGN and the handling unit's clocks. */
async function recordSubmission(ctx: IssuesContext, tx: Queryable, created: IssueRow, handledBy: string | null, now: Date) {
  await recordEvent(ctx, tx, {
    issueId: created.id,
    action: 'SUBMIT',
    fromStatus: null,
    toStatus: 'SUBMITTED',
    note: null,
    details: { source: created.source },
    at: now,
  });
  // Raised by a monitoring point's enterprise: tagged with the point, with the issue (issue #26 §4).
  if (created.enterpriseCreditCode) await planRecordStore.tagIssue(tx, created.id, created.enterpriseCreditCode);
  if (!handledBy) return;
  await deadlineStore.insert(tx, clocksFor(ctx, created, handledBy, created.receivedAt, await calendarStore.working(tx)));
  await recordEvent(ctx, tx, {
    issueId: created.id,
    action: 'ASSIGN',
    fromStatus: 'SUBMITTED',
    toStatus: 'ASSIGNED',
    note: null,
    details: { unitId: handledBy, receivedByUnitAt: created.receivedAt.toISOString(), imported: true },
    at: now,
  });
}

/** A record another system sent (a batch): its key there, which makes it idempotent here instead of a client request id. */
export interface ExternalKey {
  sourceSystem: string;
  externalRef: string;
}

/**
 * How an issue enters the loop. Idempotent on the reporter's client request id — or, for a record
 * another system sent, on that system and its reference: the fingerprint is what the caller sent
 * (never the server's receipt time), so the same request retried at any time returns the first
 * result, and a different one under the same key is a CONFLICT.
 * `handledBy`: an import the other platform had already dispatched, received by that unit at receipt.
 */
export async function enterIssue(
  ctx: IssuesContext,
  row: SubmittedRow,
  sent: object,
  handledBy: string | null = null,
  external: ExternalKey | null = null,
): Promise<Submitted> {
  const print = fingerprint({ ...sent, clientRequestId: undefined });
  const now = ctx.now();
  const sameRequest = (existing: IssueRow): Submitted => {
    if (existing.requestFingerprint !== print) {
      throw errors.conflict(
        external
          ? {
              zh: `来源系统 ${external.sourceSystem} 的编号 ${external.externalRef} 已导入过内容不同的记录`,
              en: `${external.sourceSystem} reference ${external.externalRef} was already imported with different content`,
            }
          : {
              zh: `请求号 ${row.clientRequestId} 已用于另一项内容不同的提交`,
              en: `clientRequestId ${row.clientRequestId} was already used for a different submission`,
            },
        { existingId: existing.id },
      );
    }
    return { issue: existing, created: false };
  };
  // A retry is the same person's: issuer, role and subject, never another token's with the same subject.
  const reporter = ctx.access.reporter();
  const person = { issuer: reporter.reporterIssuer, role: reporter.reporterRole, subject: reporter.reporterSubject };
  const earlier = (tx: Queryable) =>
    external
      ? issueStore.byExternal(tx, external.sourceSystem, external.externalRef)
      : issueStore.byClientRequest(tx, person, row.clientRequestId);
  return createRow<Submitted, Queryable>(
    ctx.db,
    { noun: ISSUE },
    {
      // Asked before: whether the caller may submit through this channel (access.assertLoop / assertReport).
      // A record of another system: a concurrent batch with the same record waits here, then finds it.
      authorize: (tx) => (external ? issueStore.lockExternal(tx, external.sourceSystem, external.externalRef) : undefined),
      async write(tx) {
        const found = await earlier(tx);
        if (found) return sameRequest(found);
        const created = await issueStore.insertOnce(tx, {
          ...row,
          ...(handledBy ? importedAsAssigned(ctx, row, handledBy) : {}),
          ...reporter,
          ...(external ?? {}),
          requestFingerprint: print,
          recordedAt: now,
        });
        if (created) return { issue: created, created: true };
        // The same request, committed by a concurrent retry while we waited on its unique key.
        return sameRequest(present(await earlier(tx), 'the issue a concurrent retry committed'));
      },
      record: (tx, { issue, created }) => (created ? recordSubmission(ctx, tx, issue, handledBy, now) : Promise.resolve()),
      async finish(tx, written) {
        if (!written.created) return written;
        await issueStore.refreshNextDue(tx, [written.issue.id]);
        return { ...written, issue: present(await issueStore.get(tx, written.issue.id), 'the issue just submitted') };
      },
    },
  );
}

/**
 * A new issue written inside a transaction another record of this slice opened (a self-check
 * list's problems, with their filing): the SUBMIT event and its next due time with it. Undefined
 * when the reporter's request id was already taken.
 */
export async function enterWithin(ctx: IssuesContext, tx: Queryable, row: SubmittedRow, sent: object): Promise<IssueRow | undefined> {
  const now = ctx.now();
  const created = await issueStore.insertOnce(tx, {
    ...row,
    ...ctx.access.reporter(),
    requestFingerprint: fingerprint({ ...sent, clientRequestId: undefined }),
    recordedAt: now,
  });
  if (!created) return undefined;
  await recordSubmission(ctx, tx, created, null, now);
  await issueStore.refreshNextDue(tx, [created.id]);
  return created;
}

async function submit(ctx: IssuesContext, row: SubmittedRow, sent: object, handledBy: string | null = null): Promise<IssueRow> {
  return (await enterIssue(ctx, row, sent, handledBy)).issue;
}

/** `submitAppeal`: an enterprise's appeal, for itself. */
export async function submitAppeal(ctx: IssuesContext, { input: given }: MutationSubmitAppealArgs): Promise<IssueRow> {
  await ctx.access.prepareToAct();
  await ctx.access.assertLoop('SUBMIT_APPEAL');
  const input = parseInput(submitAppealInput, given);
  return submit(
    ctx,
    {
      clientRequestId: input.clientRequestId,
      source: 'ENTERPRISE_APPEAL',
      environment: input.environment,
      appealKind: input.kind,
      title: input.title,
      description: input.description,
      enterpriseCreditCode: ctx.viewer.enterprise,
      districtCode: input.districtCode
        ? await requireDistrict(ctx, input.districtCode)
        : await districtOfCreditCode(ctx, ctx.viewer.enterprise),
      contactName: input.contact?.name ?? null,
      contactPhone: input.contact?.phone ?? null,
      receivedAt: ctx.now(),
    },
    input,
  );
}

/** What a report becomes: the row to enter, what was sent, and the unit an import names as already handling it. */
export interface Report {
  row: SubmittedRow;
  sent: object;
  handledBy: string | null;
}

/**
 * A report as parsed and checked, the caller's right to send it already asked (`assertReport`):
 * `units` gives the units it names (by lower-case id), looked up before any transaction.
 */
export async function reported(
  ctx: IssuesContext,
  given: unknown,
  ownUnitId: string | null,
  units: (id: string) => DirectoryUnit | null,
): Promise<Report> {
  const input = parseInput(reportIssueInput, given);
  const now = ctx.now();
  if (input.receivedAt && input.receivedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw errors.badInput('receivedAt', { zh: '收到时间不能晚于现在', en: 'receivedAt cannot be in the future' });
  }
  if (input.handlingUnitId && (!input.receivedAt || !isAppealLike(input.source))) {
    throw errors.badInput('handlingUnitId', {
      zh: '原承办单位只用于导入已派单的诉求类记录，须同时给出收到时间',
      en: 'handlingUnitId is for imported appeal-channel records that were already dispatched, and needs receivedAt',
    });
  }
  const proposedUnitId = ownUnitId ?? (input.unitId ? requireUnit('unitId', input.unitId, units(input.unitId)).id : null);
  const handledBy = input.handlingUnitId ? requireUnit('handlingUnitId', input.handlingUnitId, units(input.handlingUnitId)).id : null;
  const row: SubmittedRow = {
    clientRequestId: input.clientRequestId,
    source: input.source,
    environment: input.environment,
    appealKind: input.appealKind ?? null,
    title: input.title,
    description: input.description,
    enterpriseCreditCode: input.enterpriseCreditCode ?? null,
    districtCode: input.districtCode
      ? await requireDistrict(ctx, input.districtCode)
      : await districtOfCreditCode(ctx, input.enterpriseCreditCode),
    proposedUnitId: proposedUnitId ?? handledBy,
    responsibleLeader: input.responsibleLeader,
    contactName: input.contact?.name ?? null,
    contactPhone: input.contact?.phone ?? null,
    receivedAt: input.receivedAt ?? now,
  };
  return { row, sent: input, handledBy };
}

/** `reportIssue`: a problem found through any other channel, or a record imported from another platform. */
export async function reportIssue(ctx: IssuesContext, { input: given }: MutationReportIssueArgs): Promise<IssueRow> {
  await ctx.access.prepareToAct();
  const { ownUnitId } = await ctx.access.assertReport(given);
  // Named units are looked up (a new one fetched by itself) before the transaction.
  const ids = [given.unitId, given.handlingUnitId].filter((id): id is string => typeof id === 'string' && isUuid(id));
  const looked = await Promise.all(ids.map((id) => ctx.directory.unit(id)));
  const byId = new Map(ids.map((id, index) => [id.toLowerCase(), looked[index] ?? null]));
  const report = await reported(ctx, given, ownUnitId, (id) => byId.get(id) ?? null);
  return submit(ctx, report.row, report.sent, report.handledBy);
}

/** `acceptIssue`: an appeal on the 青诉即办 limits; any other problem with its rectification mode. */
export function acceptIssue(ctx: IssuesContext, { id, input: given, expectedVersion }: MutationAcceptIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'ACCEPT',
    expectedVersion,
    async plan({ tx, issue, now, calendar }) {
      const input = parseInput(acceptIssueInput, given ?? {});
      const mode = input.rectificationMode ?? null;
      const appeal = isAppealLike(issue.source);
      if (appeal && mode) {
        throw errors.badInput('rectificationMode', {
          zh: '企业诉求和热线按青诉即办时限办理，不设整改方式',
          en: 'Appeals and hotline items follow the 青诉即办 limits; they take no rectification mode',
        });
      }
      if (!appeal && !mode) {
        throw errors.badInput('rectificationMode', {
          zh: '请确定整改方式：立即改或持续改',
          en: 'Choose the rectification mode: IMMEDIATE or ONGOING',
        });
      }
      let after: ActionPlan['after'];
      let immediateDays: number | null = null;
      if (mode === 'IMMEDIATE') {
        // The limit runs from the handling unit's receipt: the clock starts at assignment.
        immediateDays = parseInput(immediateWorkingDays, input.immediateWorkingDays, 'immediateWorkingDays');
      } else if (mode === 'ONGOING') {
        const planned = validMilestones(input.milestones, beijingDate(now));
        const cal = await calendar();
        after = (updated) => replacePlan(ctx, tx, updated, planned, now, now, cal);
      }
      return {
        values: {
          acceptedAt: now,
          intakeUnitId: ctx.viewer.unitId,
          rectificationMode: mode,
          immediateWorkingDays: immediateDays,
          responsibleLeader: input.responsibleLeader ?? issue.responsibleLeader,
        },
        note: input.note,
        details: { rectificationMode: mode, immediateWorkingDays: immediateDays },
        after,
      };
    },
  });
}

/** `rejectIssue`: not the campaign's business (不予受理), with the reason the enterprise reads. */
export function rejectIssue(ctx: IssuesContext, { id, reason, expectedVersion }: MutationRejectIssueArgs): Promise<IssueRow> {
  return changeIssue(ctx, {
    id,
    action: 'REJECT',
    expectedVersion,
    plan({ tx, issue, now }) {
      const why = parseInput(texts.rejectionReason, reason, 'reason');
      return {
        values: { rejectionReason: why, intakeUnitId: ctx.viewer.unitId },
        note: why,
        after: () => deadlineStore.stop(tx, issue.id, now, 'REJECTED'),
      };
    },
  });
}
