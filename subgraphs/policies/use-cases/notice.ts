/**
 * 公示 and objections: an approved grant is put on public notice; anyone may object while it runs
 * (within the public's write limits); the reviewing unit answers each objection — upheld, it stops
 * the grant — or sets objections aside in bulk as duplicates or abuse. Each is one step of the
 * application (`changeApplication`), judging the answer limits it ends.
 */
import { personOf } from '../../../platform/auth.ts';
import { earliestYear, endOfBeijingDay } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput, type z } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { limitWindows, refuseOverLimit } from '../../../platform/write-limits.ts';
import type { PoliciesContext } from '../context.ts';
import { nextDueOf, noticeLastDay, OBJECTION_LIMIT, objectionAnswered, objectionWarnAt, paymentEnded } from '../deadlines.ts';
import * as input from '../input.ts';
import { changeApplication, OBJECTION, subjectOf } from '../rows.ts';
import type {
  MutationAnswerObjectionArgs,
  MutationFileObjectionArgs,
  MutationMarkObjectionsArgs,
  MutationStartPublicNoticeArgs,
} from '../schema-types.ts';
import { isOpenObjection, itemStore, objectionStore, type ApplicationRow, type ObjectionRow } from '../store.ts';
import { openObjections, requireDate } from './checks.ts';

/**
 * The name a public notice shows of the enterprise, read from the units slice's public API (with
 * the reviewer's token) before the notice's transaction; null when the application names nothing
 * yet to be put on notice, or the registry has no name for it.
 */
async function noticeEnterpriseName(ctx: PoliciesContext, rawId: string): Promise<string | null> {
  if (!isUuid(rawId)) return null;
  const row = await ctx.loaders.applicationById.load(rawId.toLowerCase());
  if (!row || row.status !== 'APPROVED') return null;
  return (await ctx.enterprises.profile(row.enterpriseCreditCode))?.name ?? null;
}

/** `startPublicNotice`: the grant on public notice until `endsOn`, or the item's notice working days counted. */
export async function startPublicNotice(
  ctx: PoliciesContext,
  { id, endsOn, expectedVersion }: MutationStartPublicNoticeArgs,
): Promise<ApplicationRow> {
  requireDate('endsOn', endsOn);
  const cal = await ctx.calendar.current();
  const enterpriseName = await noticeEnterpriseName(ctx, id);
  return changeApplication(
    ctx,
    id,
    'START_NOTICE',
    async ({ tx, row, now, today }) => {
      const item = present(await itemStore.get(tx, row.itemId), "the application's item");
      // A last day the reviewing unit gives is final; a counted one is provisional through a year the calendar lacks.
      const counted = endsOn ? null : noticeLastDay(cal, now, item.noticeWorkingDays);
      const last = endsOn ?? present(counted, 'the counted notice').lastDay;
      const noticePending = counted?.pendingCalendarYear ?? null;
      if (last <= today) throw errors.badInput('endsOn', { zh: '公示截止日须晚于今天', en: 'endsOn must be after today' });
      const noticeEndsAt = endOfBeijingDay(last);
      return {
        values: {
          noticeStartsAt: now,
          noticeEnterpriseName: enterpriseName,
          noticeEndsOn: last,
          noticeEndsAt,
          noticePendingCalendarYear: noticePending,
          pendingCalendarYear: earliestYear(row.pendingCalendarYear, noticePending),
          nextDueAt: nextDueOf({ ...row, status: 'PUBLIC_NOTICE', noticeEndsAt }, 0),
        },
        details: { endsOn: last },
      };
    },
    { expectedVersion },
  );
}

/** `fileObjection`: anyone objects to a grant while its notice runs, within the limits of what the public may write. */
export async function fileObjection(ctx: PoliciesContext, { applicationId, input: raw }: MutationFileObjectionArgs): Promise<ObjectionRow> {
  const given = parseInput(input.objectionInput, raw);
  const objectorKey = ctx.access.objectorKey();
  const cal = await ctx.calendar.current();
  let filed: ObjectionRow | undefined;
  await changeApplication(
    ctx,
    applicationId,
    'FILE_OBJECTION',
    async ({ tx, row, now }) => {
      if (!row.noticeStartsAt || !row.noticeEndsAt || now < row.noticeStartsAt || now >= row.noticeEndsAt) {
        throw errors.invalidTransition({ zh: '公示期已结束或尚未开始', en: 'The public notice is not running' }, row.status);
      }
      // Within the limits every write of the public has, counted in the database (platform/write-limits.ts).
      await objectionStore.lockObjector(tx, objectorKey);
      const { hourAgo, dayStart } = limitWindows(now);
      refuseOverLimit(OBJECTION_LIMIT, await objectionStore.recentCounts(tx, objectorKey, row.id, hourAgo, dayStart), now);
      filed = await objectionStore.insert(tx, {
        applicationId: row.id,
        body: given.text,
        contact: given.contact,
        objectorSubject: ctx.viewer.subject,
        objectorRole: ctx.viewer.role,
        objectorIssuer: personOf(ctx.viewer)?.issuer ?? null,
        objectorKey,
        filedAt: now,
        answerWarnAt: objectionWarnAt(cal, ctx.officeHours, now, row.noticeEndsAt),
      });
      return {
        values: { nextDueAt: nextDueOf(row, await openObjections(tx, row.id)) },
        eventAction: 'OBJECTION',
        details: { objectionId: filed.id },
      };
    },
    // The notice is public: anyone may object to what it shows, without seeing the application itself.
    { anonymous: true, publicRow: true },
  );
  return present(filed, 'the objection just filed');
}

/** `answerObjection`: the reviewing unit answers an objection; upheld, the grant stops (and its payment limit with it). */
export async function answerObjection(
  ctx: PoliciesContext,
  { objectionId, upheld, answer: rawAnswer }: MutationAnswerObjectionArgs,
): Promise<ObjectionRow> {
  ctx.access.assertSignedIn();
  const objectionKey = parseInput(input.objectionId, objectionId, 'objectionId');
  const answer = parseInput(input.texts.objectionAnswer, rawAnswer, 'answer');
  const found = await objectionStore.get(ctx.db, objectionKey);
  if (!found) throw errors.notFound(OBJECTION, objectionId);
  let answered: ObjectionRow | undefined;
  await changeApplication(ctx, found.applicationId, upheld ? 'STOP' : 'ANSWER_OBJECTION', async ({ tx, row, now }) => {
    const [objection] = await objectionStore.lock(tx, [objectionKey]);
    if (!objection) throw errors.notFound(OBJECTION, objectionId);
    if (objection.answer !== null)
      throw errors.invalidTransition({ zh: '该异议已答复', en: 'The objection has already been answered' }, row.status);
    if (objection.mark !== null)
      throw errors.invalidTransition(
        { zh: '该异议已被标记为重复或恶意，不再答复', en: 'The objection was marked as a duplicate or as abuse; it is not answered' },
        row.status,
      );
    answered = await objectionStore.answer(tx, objection.id, { answer, upheld, answeredAt: now, answeredBy: subjectOf(ctx.viewer) });
    const open = await openObjections(tx, row.id);
    // The answer is judged against the notice's end; an upheld one also stops the payment limit,
    // which lapsed if it had passed.
    const answeredLimit = objectionAnswered(row, objection.id, now);
    return upheld
      ? {
          values: { nextDueAt: null, decidedAt: now },
          eventAction: 'STOP',
          note: answer,
          details: { objectionId: objection.id, upheld },
          limits: [...answeredLimit, ...paymentEnded(row, { at: now })],
        }
      : {
          values: { nextDueAt: nextDueOf(row, open) },
          eventAction: 'ANSWER_OBJECTION',
          note: answer,
          details: { objectionId: objection.id, upheld },
          limits: answeredLimit,
        };
  });
  return present(answered, 'the objection just answered');
}

/** What a caller marks: the objections, how, why. */
type MarkGiven = z.output<typeof input.markObjectionsInput>;

/** The listed objections, locked, as the application's; refused unless every one is its own, open, and `duplicateOf` too. */
function checkMarked(row: ApplicationRow, given: MarkGiven, listed: ObjectionRow[]): Map<string, ObjectionRow> {
  const found = new Map(listed.filter((o) => o.applicationId === row.id).map((o) => [o.id, o]));
  const strangers = given.objectionIds.filter((id) => !found.has(id));
  if (strangers.length) {
    throw errors.badInput('input.objectionIds', {
      zh: `该申报没有这些异议：${strangers.join('、')}`,
      en: `The application has no such objections: ${strangers.join(', ')}`,
    });
  }
  if (given.duplicateOf && !found.has(given.duplicateOf)) {
    throw errors.badInput('input.duplicateOf', {
      zh: '所重复的异议须属该申报',
      en: 'The objection they repeat must be one of the application’s',
    });
  }
  const settled = given.objectionIds.filter((id) => !isOpenObjection(present(found.get(id), 'a listed objection')));
  if (settled.length) {
    throw errors.invalidTransition(
      {
        zh: `这些异议已答复或已标记，不能再标记：${settled.join('、')}`,
        en: `These objections are already answered or marked: ${settled.join(', ')}`,
      },
      row.status,
    );
  }
  return found;
}

/**
 * `markObjections`: the reviewing unit sets objections aside in bulk as duplicates or abuse, saying
 * why: one mark per objection, kept for good (who, when, why), and an application event. Every
 * objection listed must be the application's, unanswered and unmarked — or none is marked.
 */
export async function markObjections(
  ctx: PoliciesContext,
  { applicationId, input: raw }: MutationMarkObjectionsArgs,
): Promise<ObjectionRow[]> {
  ctx.access.assertSignedIn();
  const given = parseInput(input.markObjectionsInput, raw, 'input');
  let marked: ObjectionRow[] = [];
  await changeApplication(ctx, applicationId, 'MARK_OBJECTIONS', async ({ tx, row, now }) => {
    const listed = await objectionStore.lock(tx, given.duplicateOf ? [...given.objectionIds, given.duplicateOf] : given.objectionIds);
    const found = checkMarked(row, given, listed);
    const unit = present(await ctx.access.activeUnit(), 'the active unit of a reviewer');
    const person = present(personOf(ctx.viewer), 'the person of a reviewer');
    const marks = await objectionStore.mark(
      tx,
      given.objectionIds.map((objectionId) => ({
        objectionId,
        applicationId: row.id,
        kind: given.kind,
        duplicateOf: given.duplicateOf ?? null,
        reason: given.reason,
        markedBySubject: person.subject,
        markedByRole: person.role,
        markedByIssuer: person.issuer,
        markedByUnitId: unit.id,
        markedAt: now,
      })),
    );
    const byObjection = new Map(marks.map((m) => [m.objectionId, m]));
    marked = given.objectionIds.map((id) => ({
      ...present(found.get(id), 'a listed objection'),
      mark: present(byObjection.get(id), 'the mark just made'),
    }));
    return {
      values: { nextDueAt: nextDueOf(row, await openObjections(tx, row.id)) },
      eventAction: 'MARK_OBJECTIONS',
      note: given.reason,
      details: { kind: given.kind, objectionIds: given.objectionIds, duplicateOf: given.duplicateOf ?? null },
      // Setting an objection aside ends its answer limit as an answer would: judged now, against the notice's end.
      limits: given.objectionIds.flatMap((id) => objectionAnswered(row, id, now)),
    };
  });
  return marked;
}
