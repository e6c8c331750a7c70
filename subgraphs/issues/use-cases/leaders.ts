/**
 * The leaders of units (issue #26): a person by name and post, recorded once — the 包保 leader a
 * signed project or a monitoring point names, the principal who serves in a hall (局长进大厅). Other
 * records name a leader by id, never by free text; a leader's unit is checked where it is named.
 * Shared by the plan's records: who recorded them and the request that did (a retry finds the first).
 */
import type { Queryable } from '../../../db/client.ts';
import { personOf } from '../../../platform/auth.ts';
import { createRow } from '../../../platform/change.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { inPlanScope } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { fingerprint, recordUnitLeaderInput, unitId as unitIdInput } from '../input.ts';
import type { MutationRecordUnitLeaderArgs, QueryUnitLeadersArgs } from '../schema-types.ts';
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

/**
 * A leader a request names, looked up before the transaction: it must exist and be a leader of
 * `unitId` (and the principal where one is asked for); otherwise BAD_USER_INPUT naming the field.
 */
export async function requireLeader(
  ctx: IssuesContext,
  field: string,
  leaderId: string,
  unitId: string,
  { principal = false } = {},
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
  return leader;
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
  return planRecordStore.leadersOfUnit(ctx.db, unitId);
}

/** A record's leader (it exists: a foreign key). */
export const leaderOf = async (ctx: IssuesContext, leaderId: string) =>
  present(await ctx.loaders.leaderById.load(leaderId), 'the leader a record names');
