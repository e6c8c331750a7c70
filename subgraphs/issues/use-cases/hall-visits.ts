/**
 * 局长进大厅 (issue #26 §2): the principal of every key domain's lead unit and of every
 * participating unit (rules.ts `HALL_UNIT_KINDS`) serves at least one day each quarter in a
 * front-line hall. A day is recorded — who (the unit's principal, a leader record), which unit,
 * the hall, the date, what was handled and found — and the problems found become DIRECTOR_IN_HALL
 * issues reported for the unit, in the same transaction (`issue_origins.hall_visit_id`). Per
 * quarter, the units whose principal has not served are listed (`hallDuty`); the sweep reminds
 * them a month and a week before the quarter ends, once per unit, quarter and reminder.
 */
import type { Queryable } from '../../../db/client.ts';
import { beijingDate, beijingMidnight, endOfBeijingDay } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import type { Directory } from '../../../platform/directory.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { emit } from '../../../platform/outbox.ts';
import { countBeside, exactCountLimit, decodeCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import { isValidDate } from '../../../platform/scalars.ts';
import { canSee } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { hallVisitsArgs, quarterInput, recordHallVisitInput } from '../input.ts';
import { hallReminder } from '../notices.ts';
import { HALL_UNIT_KINDS } from '../rules.ts';
import type { MutationRecordHallVisitArgs, QueryHallDutyArgs, QueryHallVisitsArgs } from '../schema-types.ts';
import { issueOutbox, planRecordStore, type HallDutyView, type HallVisitRow, type IssueRow } from '../store.ts';
import { enterWithin, type SubmittedRow } from './intake.ts';
import { confirmLeader, earlierRequest, recorderOf, requireLeader } from './leaders.ts';
import { requireDistrict, requireUnit } from './lookups.ts';

const HALL_VISIT: Bilingual = { zh: '局长进大厅记录', en: 'Hall day' };

/** The quarter of a day: `2026-Q4`. */
export function quarterOf(date: string): string {
  return `${date.slice(0, 4)}-Q${Math.ceil(Number(date.slice(5, 7)) / 3)}`;
}

/** A quarter's first and last day. */
export function quarterRange(quarter: string): { from: string; to: string } {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(-1));
  const first = (q - 1) * 3 + 1;
  const from = `${year}-${String(first).padStart(2, '0')}-01`;
  const next = q === 4 ? `${year + 1}-01-01` : `${year}-${String(first + 3).padStart(2, '0')}-01`;
  return { from, to: beijingDate(new Date(beijingMidnight(next).getTime() - 1)) };
}

/** The units expected to serve: active lead and participating units, in code order. */
export function hallUnits(dir: Directory): string[] {
  return [...dir.units.values()]
    .filter((u) => !u.archived && HALL_UNIT_KINDS.includes(u.kind))
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((u) => u.id);
}

/** The issues the problems found become: DIRECTOR_IN_HALL, proposed to the unit. */
async function problemRows(ctx: IssuesContext, unitId: string, input: ReturnType<typeof recordHallVisitInput.parse>, leader: string) {
  return Promise.all(
    (input.problems ?? []).map(async (problem, index) => ({
      sent: problem,
      row: {
        clientRequestId: `${input.clientRequestId}#${index + 1}`,
        source: 'DIRECTOR_IN_HALL',
        environment: problem.environment,
        appealKind: null,
        title: problem.title,
        description: problem.description,
        enterpriseCreditCode: null,
        districtCode: await requireDistrict(ctx, problem.districtCode, `input.problems[${index}].districtCode`),
        proposedUnitId: unitId,
        responsibleLeader: leader,
        contactName: null,
        contactPhone: null,
        receivedAt: ctx.now(),
      } satisfies SubmittedRow,
    })),
  );
}

/** Writes the issues of a record's problems inside its transaction; CONFLICT when a derived request id was taken. */
export async function enterAll(ctx: IssuesContext, tx: Queryable, problems: { row: SubmittedRow; sent: object }[]): Promise<string[]> {
  const ids: string[] = [];
  for (const { row, sent } of problems) {
    const issue = await enterWithin(ctx, tx, row, sent);
    if (!issue) {
      throw errors.conflict({
        zh: `请求号 ${row.clientRequestId} 已用于另一项报告`,
        en: `clientRequestId ${row.clientRequestId} was already used for another report`,
      });
    }
    ids.push(issue.id);
  }
  return ids;
}

/**
 * `recordHallVisit`: a lead or participating unit's admin or staff for its own unit, or the command
 * office for any such unit. The day and its problems' issues in one transaction; idempotent on the
 * recorder's `clientRequestId`.
 */
export async function recordHallVisit(ctx: IssuesContext, { input: given }: MutationRecordHallVisitArgs): Promise<HallVisitRow> {
  const input = parseInput(recordHallVisitInput, given, 'input');
  await ctx.access.prepareToAct(input.unitId ? [input.unitId] : []);
  const unitId = input.unitId ?? (await ctx.access.activeUnit())?.id ?? null;
  await ctx.access.assertPlanRecord('RECORD_HALL_VISIT', { unitId });
  const unit = requireUnit('input.unitId', String(unitId), unitId ? (await ctx.access.directory()).units.get(unitId) : null);
  if (!HALL_UNIT_KINDS.includes(unit.kind)) {
    throw errors.badInput('input.unitId', {
      zh: `${unit.name}不是重点领域牵头单位或参与单位，局长进大厅不要求其值守`,
      en: `${unit.code} is neither a key domain's lead unit nor a participating unit: 局长进大厅 asks nothing of it`,
    });
  }
  if (input.servedOn > beijingDate(ctx.now())) {
    throw errors.badInput('input.servedOn', { zh: '值守日期不能晚于今天', en: 'servedOn cannot be in the future' });
  }
  const leader = await requireLeader(ctx, 'input.leaderId', input.leaderId, unit.id, { principal: true, on: input.servedOn });
  const problems = await problemRows(ctx, unit.id, input, `${leader.name}（${leader.post}）`);
  const recorder = recorderOf(ctx, input.clientRequestId, input);
  return createRow(
    ctx.db,
    { noun: HALL_VISIT },
    {
      authorize: () => ctx.access.assertPlanRecord('RECORD_HALL_VISIT', { unitId: unit.id }),
      async write(tx) {
        const earlier = await earlierRequest(tx, 'hall', recorder, planRecordStore.hallVisitByRequest);
        if (earlier) return earlier;
        await confirmLeader(tx, 'input.leaderId', leader, input.servedOn);
        const saved = await planRecordStore.insertHallVisit(tx, {
          unitId: unit.id,
          leaderId: leader.id,
          hall: input.hall,
          servedOn: input.servedOn,
          quarter: quarterOf(input.servedOn),
          handled: input.handled,
          found: input.found,
          ...recorder,
        });
        await planRecordStore.linkIssues(tx, { hallVisitId: saved.id }, await enterAll(ctx, tx, problems));
        return saved;
      },
      // The day and the issues' SUBMIT events are the evidence (append-only).
      record: () => Promise.resolve(),
    },
  );
}

/** The quarter asked for, or the current one (Beijing). */
function quarterAsked(ctx: IssuesContext, given: string | null | undefined): string {
  return given ? parseInput(quarterInput, given, 'quarter') : quarterOf(beijingDate(ctx.now()));
}

/** `hallVisits`: newest first; the command office all, a unit its own (a lead unit its domain's). */
export async function hallVisits(ctx: IssuesContext, args: QueryHallVisitsArgs, page: PageArgs) {
  const scope = await ctx.access.planRecordScope();
  const { quarter, unitId } = parseInput(hallVisitsArgs, { quarter: args.quarter, unitId: args.unitId });
  if (unitId && scope.kind !== 'all' && !scope.unitIds.includes(unitId)) {
    throw errors.forbidden({ zh: '无权查看该单位的局长进大厅记录', en: "You may not read this unit's hall days" });
  }
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? hallCursor(page.after) : null;
  const q = { scope, quarter: quarter ?? null, unitId: unitId ?? null };
  const count = countBeside(page.counted, () => planRecordStore.hallVisitCount(ctx.db, q, exactCountLimit(ctx)));
  const rows = await planRecordStore.hallVisitPage(ctx.db, { ...q, limit: size + 1, after });
  return toConnection(rows, size, (row) => [row.servedOn, row.id], count, after !== null);
}

function hallCursor(cursor: string): { servedOn: string; id: string } {
  const [servedOn, id] = decodeCursor(cursor, 2);
  if (typeof servedOn === 'string' && isValidDate(servedOn) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))
    return { servedOn, id };
  throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
}

/** `hallDuty(quarter)`: of the units expected (within the caller's), those whose principal served and those not yet. */
export async function hallDuty(ctx: IssuesContext, args: QueryHallDutyArgs): Promise<HallDutyView> {
  const scope = await ctx.access.planRecordScope();
  const quarter = quarterAsked(ctx, args.quarter);
  const expected = hallUnits(await ctx.access.directory()).filter((id) => scope.kind === 'all' || scope.unitIds.includes(id));
  const served = await planRecordStore.unitsServed(ctx.db, quarter, expected);
  return { quarter, ...quarterRange(quarter), expected, served };
}

export const notServed = (view: HallDutyView) => view.expected.filter((id) => !view.served.includes(id)).map((id) => ({ id }));

/** The expected units with no principal in post on record: none of them can record a hall day yet. */
export async function withoutPrincipal(ctx: IssuesContext, view: HallDutyView): Promise<{ id: string }[]> {
  const withOne = new Set(await planRecordStore.unitsWithPrincipal(ctx.db, view.expected));
  return view.expected.filter((id) => !withOne.has(id)).map((id) => ({ id }));
}

/** The issues a day found, those the caller may see. */
export async function issuesOfHallVisit(ctx: IssuesContext, visit: HallVisitRow): Promise<IssueRow[]> {
  const listed = await ctx.loaders.issuesByHallVisit.load(visit.id);
  const scope = await ctx.access.scope();
  return listed.map((l) => l.issue).filter((issue) => canSee(scope, issue));
}

/** `Issue.hallVisit`: the day that found it, for government callers. */
export async function hallVisitOfIssue(ctx: IssuesContext, issue: IssueRow): Promise<HallVisitRow | null> {
  if (!ctx.access.canSeeInternal()) return null;
  const origin = await ctx.loaders.recordOriginByIssue.load(issue.id);
  return origin?.hallVisitId ? ((await ctx.loaders.hallVisitById.load(origin.hallVisitId)) ?? null) : null;
}

/** When the reminders of a quarter are due: a month and a week before its end (24:00 of its last day, Beijing). */
export function reminderStage(now: Date): { quarter: string; stage: 'MONTH' | 'WEEK'; endsAt: Date } | null {
  const quarter = quarterOf(beijingDate(now));
  const { to } = quarterRange(quarter);
  const endsAt = endOfBeijingDay(to);
  // A month before the end: 00:00 of the first day of the quarter's last month (Dec 1 for Q4).
  const monthBefore = beijingMidnight(`${to.slice(0, 7)}-01`);
  const weekBefore = new Date(endsAt.getTime() - 7 * 24 * 60 * 60 * 1000);
  if (now >= weekBefore) return { quarter, stage: 'WEEK', endsAt };
  if (now >= monthBefore) return { quarter, stage: 'MONTH', endsAt };
  return null;
}

/**
 * The sweep (the slice's outbox worker, once a minute of the platform's clock): in the last month
 * of a quarter, each expected unit whose principal has not served is reminded — a month before the
 * end and again a week before — each reminder once per unit and quarter (the event's once key).
 * `units`: the expected units, read from the directory before the sweep's transaction.
 */
export async function sweepHallReminders(tx: Queryable, now: Date, units: readonly string[]): Promise<void> {
  const due = reminderStage(now);
  if (!due || !units.length) return;
  const served = new Set(await planRecordStore.unitsServed(tx, due.quarter, units));
  for (const unitId of units) {
    if (!served.has(unitId)) await emit(tx, issueOutbox, hallReminder(unitId, due.quarter, due.stage, due.endsAt), now);
  }
}
