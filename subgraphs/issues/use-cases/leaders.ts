/**
 * The leaders of units (issue #26): a person by name and post, recorded once — the 包保 leader a
 * signed project or a monitoring point names, the principal who serves in a hall (局长进大厅). Other
 * records name a leader by id, never by free text; a leader's unit is checked where it is named.
 * Shared by the plan's records: who recorded them and the request that did (a retry finds the first).
 */
import type { Queryable } from '../../../db/client.ts';
import { personKey, personOf } from '../../../platform/auth.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { inPlanScope } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { fingerprint, recordLeaderDepartureInput, recordUnitLeaderInput, unitId as unitIdInput } from '../input.ts';
import type { MutationRecordLeaderDepartureArgs, MutationRecordUnitLeaderArgs, QueryUnitLeadersArgs } from '../schema-types.ts';
import { planRecordStore, type RecordRequest, type UnitLeaderRow } from '../store.ts';
import { requireUnit } from './lookups.ts';

const LEADER: Bilingual = { zh: '领导记录', en: 'Leader record' };

/** The recorder's columns of a new plan record: the person, the request and its fingerprint, the time, the sample flag. */
export function recorderOf(ctx: IssuesContext, clientRequestId: string, sent: object) {
  const person = present(personOf(ctx.viewer), 'the person of a caller allowed to record');
  return {
    recorderIssuer: person.issuer,
    recorderRole: person.role,
    recorderSubject: person.subject,
    clientRequestId,
    requestFingerprint: fingerprint({ ...sent, clientRequestId: undefined }),
    recordedAt: ctx.now(),
    sample: ctx.sample ?? false,
  };
}

export const requestOf = (r: ReturnType<typeof recorderOf>): RecordRequest => ({
  issuer: r.recorderIssuer,
  role: r.recorderRole,
  subject: r.recorderSubject,
  clientRequestId: r.clientRequestId,
});

/**
 * Inside the record's transaction: waits for a concurrent request under the same key, then returns
 * the first record of the same request (or CONFLICT when the same key carried other content).
 */
export async function earlierRequest<T extends { id: string; requestFingerprint: string }>(
  tx: Queryable,
  kind: string,
  r: ReturnType<typeof recorderOf>,
  find: (tx: Queryable, request: RecordRequest) => Promise<T | undefined>,
): Promise<T | undefined> {
  const request = requestOf(r);
  await planRecordStore.lockRequest(tx, kind, request);
  const earlier = await find(tx, request);
  if (!earlier || earlier.requestFingerprint === r.requestFingerprint) return earlier;
  throw errors.conflict(
    {
      zh: `请求号 ${r.clientRequestId} 已用于另一项内容不同的记录`,
      en: `clientRequestId ${r.clientRequestId} was already used for a different record`,
    },
    { existingId: earlier.id },
  );
}

/** BAD_USER_INPUT on `field`: the leader had left the post by `on`. */
function departed(field: string, leader: Pick<UnitLeaderRow, 'name' | 'post'>, leftOn: string, on: string) {
  return errors.badInput(field, {
    zh: `${leader.name}（${leader.post}）已于 ${leftOn} 离任，${on} 不在任`,
    en: `${leader.name} (${leader.post}) left the post on ${leftOn} and did not hold it on ${on}`,
  });
}

/**
 * A leader a request names, looked up before the transaction: it must exist, be a leader of
 * `unitId` (and the principal where one is asked for) and hold the post on `on` (the day the
 * record is about: today, or the day served or visited); otherwise BAD_USER_INPUT naming the field.
 * The record's transaction confirms it (`confirmLeader`).
 */
export async function requireLeader(
  ctx: IssuesContext,
  field: string,
  leaderId: string,
  unitId: string,
  { principal = false, on = beijingDate(ctx.now()) }: { principal?: boolean; on?: string } = {},
): Promise<UnitLeaderRow> {
  const leader = await ctx.loaders.leaderById.load(leaderId.toLowerCase());
  if (!leader) throw errors.badInput(field, { zh: `领导记录不存在：${leaderId}`, en: `No such leader record: ${leaderId}` });
  if (leader.unitId !== unitId) {
    throw errors.badInput(field, {
      zh: `${leader.name}（${leader.post}）不是该单位的领导`,
      en: `${leader.name} (${leader.post}) is not a leader of that unit`,
    });
  }
  if (principal && !leader.principal) {
    throw errors.badInput(field, {
      zh: `${leader.name}（${leader.post}）不是单位主要负责人；局长进大厅由主要负责人值守`,
      en: `${leader.name} (${leader.post}) is not the unit's principal, who serves in the hall`,
    });
  }
  if (leader.leftOn !== null && on >= leader.leftOn) throw departed(field, leader, leader.leftOn, on);
  return leader;
}

/**
 * Inside the transaction of a record that names a leader: waits for a departure being written for
 * that leader, then checks again that they held the post on `on` — so no project, point, hall day
 * or visit names a leader who had left, nor escapes the handover.
 */
export async function confirmLeader(tx: Queryable, field: string, leader: UnitLeaderRow, on: string): Promise<void> {
  const leftOn = await planRecordStore.lockLeader(tx, leader.id);
  if (leftOn !== null && on >= leftOn) throw departed(field, leader, leftOn, on);
}

/** `recordUnitLeader`: the command office, or the unit's own admin. */
export async function recordUnitLeader(ctx: IssuesContext, { input: given }: MutationRecordUnitLeaderArgs): Promise<UnitLeaderRow> {
  const input = parseInput(recordUnitLeaderInput, given, 'input');
  const [unit] = await ctx.access.prepareToAct([input.unitId]);
  requireUnit('input.unitId', input.unitId, unit);
  await ctx.access.assertPlanRecord('RECORD_UNIT_LEADER', { unitId: input.unitId });
  const recorder = recorderOf(ctx, input.clientRequestId, input);
  return createRow(
    ctx.db,
    { noun: LEADER },
    {
      authorize: () => ctx.access.assertPlanRecord('RECORD_UNIT_LEADER', { unitId: input.unitId }),
      async write(tx) {
        const earlier = await earlierRequest(tx, 'leader', recorder, planRecordStore.leaderByRequest);
        if (earlier) return earlier;
        return planRecordStore.insertLeader(tx, {
          unitId: input.unitId,
          name: input.name,
          post: input.post,
          principal: input.principal,
          ...recorder,
        });
      },
      // The leader record is its own evidence (append-only).
      record: () => Promise.resolve(),
    },
  );
}

/** `unitLeaders(unitId)`: government callers, for the units they read (the command office every unit). */
export async function unitLeaders(ctx: IssuesContext, args: QueryUnitLeadersArgs): Promise<UnitLeaderRow[]> {
  const unitId = parseInput(unitIdInput, args.unitId, 'unitId');
  const scope = await ctx.access.planRecordScope();
  if (!inPlanScope(scope, { unitId })) {
    throw errors.forbidden({ zh: '无权查看该单位的领导记录', en: "You may not read this unit's leader records" });
  }
  return planRecordStore.leadersOfUnit(ctx.db, unitId, args.inPost ?? null);
}

const DEPARTURE: Bilingual = { zh: '离任记录', en: 'Departure' };

/**
 * `recordLeaderDeparture`: the command office, or the leader's unit's admin. In one transaction:
 * the departure, and each 包保 project (not started or started) and point of the leader handed to
 * the successor — a leader of the same unit in post — by version, with a handover record (and a
 * project event). Once per leader: the same content again returns it; other content is CONFLICT.
 */
export async function recordLeaderDeparture(
  ctx: IssuesContext,
  { input: given }: MutationRecordLeaderDepartureArgs,
): Promise<UnitLeaderRow> {
  const input = parseInput(recordLeaderDepartureInput, given, 'input');
  await ctx.access.prepareToAct();
  const leader = await ctx.loaders.leaderById.load(input.leaderId);
  if (!leader) throw errors.notFound(LEADER, input.leaderId);
  await ctx.access.assertPlanRecord('RECORD_LEADER_DEPARTURE', { unitId: leader.unitId });
  const today = beijingDate(ctx.now());
  if (input.leftOn > today) {
    throw errors.badInput('input.leftOn', { zh: '离任日期不能晚于今天', en: 'leftOn cannot be in the future' });
  }
  const successorId = input.successorId ?? null;
  if (successorId === leader.id) {
    throw errors.badInput('input.successorId', { zh: '继任者不能是离任者本人', en: 'The successor cannot be the leader who leaves' });
  }
  const successor = successorId ? await requireLeader(ctx, 'input.successorId', successorId, leader.unitId, { on: today }) : null;
  const person = present(personOf(ctx.viewer), 'the person of a caller allowed to record');
  await createRow(
    ctx.db,
    { noun: DEPARTURE },
    {
      authorize: () => ctx.access.assertPlanRecord('RECORD_LEADER_DEPARTURE', { unitId: leader.unitId }),
      async write(tx) {
        // The leader and the successor are locked in one order, so two departures naming each other wait, never deadlock.
        const left = new Map<string, string | null>();
        for (const id of [leader.id, ...(successor ? [successor.id] : [])].sort()) left.set(id, await planRecordStore.lockLeader(tx, id));
        const leftOn = left.get(leader.id) ?? null;
        if (leftOn !== null) {
          const [earlier] = await planRecordStore.departuresByLeaders(tx, [leader.id]);
          const same = earlier && earlier.leftOn === input.leftOn && earlier.reason === input.reason && earlier.successorId === successorId;
          if (same) return leader.id;
          throw errors.conflict(
            {
              zh: `${leader.name}（${leader.post}）已记录于 ${leftOn} 离任`,
              en: `${leader.name} (${leader.post}) is recorded as having left on ${leftOn}`,
            },
            { leftOn },
          );
        }
        // A hall day or visit recorded for the leader on or after the day given would contradict it.
        const lastOnDuty = await planRecordStore.lastDayOnDuty(tx, leader.id);
        if (lastOnDuty !== null && lastOnDuty >= input.leftOn) {
          throw errors.badInput('input.leftOn', {
            zh: `${leader.name}（${leader.post}）${lastOnDuty} 仍有值守或走访记录，离任日期须晚于该日`,
            en: `${leader.name} (${leader.post}) is recorded serving or visiting on ${lastOnDuty}: leftOn must come after it`,
          });
        }
        const successorLeftOn = successor ? (left.get(successor.id) ?? null) : null;
        if (successor && successorLeftOn !== null) throw departed('input.successorId', successor, successorLeftOn, today);
        const duties = await planRecordStore.dutiesOfLeader(tx, leader.id);
        const count = duties.projects.length + duties.points.length;
        if (count > 0 && !successor) {
          throw errors.badInput('input.successorId', {
            zh: `${leader.name}（${leader.post}）包保 ${duties.projects.length} 个签约未落地项目、${duties.points.length} 个监测点，须指定继任者接手`,
            en: `${leader.name} (${leader.post}) answers for ${duties.projects.length} signed projects and ${duties.points.length} monitoring points: name a successor to take them over`,
          });
        }
        const at = ctx.now();
        await planRecordStore.insertDeparture(tx, {
          leaderId: leader.id,
          leftOn: input.leftOn,
          reason: input.reason,
          successorId,
          recorderIssuer: person.issuer,
          recorderRole: person.role,
          recorderSubject: person.subject,
          recordedAt: at,
          sample: ctx.sample ?? false,
        });
        if (!successor) return leader.id;
        await planRecordStore.handOverDuties(tx, {
          fromLeaderId: leader.id,
          toLeaderId: successor.id,
          ...duties,
          note: `包保领导 ${leader.name}（${leader.post}）离任，交由 ${successor.name}（${successor.post}）`,
          actor: personKey(person),
          at,
        });
        return leader.id;
      },
      // The departure and the handovers are the evidence (append-only), written above.
      record: () => Promise.resolve(),
    },
  );
  ctx.loaders.leaderById.clear(leader.id);
  return present(await ctx.loaders.leaderById.load(leader.id), 'the leader who left');
}

/** A leader's departure, if recorded. */
export const departureOf = async (ctx: IssuesContext, leader: UnitLeaderRow) =>
  leader.leftOn === null ? null : ctx.loaders.departureByLeader.load(leader.id);

/** A record's leader (it exists: a foreign key). */
export const leaderOf = async (ctx: IssuesContext, leaderId: string) =>
  present(await ctx.loaders.leaderById.load(leaderId), 'the leader a record names');
