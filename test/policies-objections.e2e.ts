/**
 * Objections to a public notice (issue #20, finding 5): anyone may object, within the limits every
 * write of the public has — per writer (the signed-in person, or the real client address) and
 * notice per day, and per writer per hour, counted in the database across the gateway and the
 * subgraph — and the reviewing unit sets a flood aside in bulk, marking objections as duplicates or
 * as abuse, with why; a mark is kept for good, and a marked objection no longer holds up the payment.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { beijingDate } from '../platform/calendar.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { callers, code, direct, docs, firms, gateway, ok, policyInput, registerFirms, requestId, unit } from './support/policies.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00'); // a Monday
const DAY = 86_400_000;
let t: TestPlatform;
const db = () => t.platform.database.forSubgraph('policies').db;
const count = async (table: 'objections' | 'objection_marks', applicationId: string) =>
  rowsOf<{ n: number }>(
    await db().execute(sql`select count(*)::int as n from ${sql.raw(`policies.${table}`)} where application_id = ${applicationId}::uuid`),
  )[0]!.n;

const openItem = {
  name: '企业服务券',
  kind: 'REWARD',
  description: '每家企业一次。',
  amount: { kind: 'FIXED', amount: 10_000 },
  reviewWorkingDays: 10,
  paymentWorkingDays: 10,
  eligibility: {},
};
let policyId: string;
/** A grant in public notice until `endsOn`: an imported application for a fresh item, approved. */
async function inNotice(endsOn = '2026-06-30'): Promise<string> {
  const itemId = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: openItem })).createPolicyItem.id;
  const input = {
    sourceSystem: 'kjj-xmsb',
    externalReference: requestId('objections'),
    itemId,
    enterpriseCreditCode: firms.hightech.creditCode,
    submittedAt: '2026-05-29T10:00:00+08:00',
  };
  const { id } = (await ok(gateway(t), docs.importApplication, callers.scienceStaff, { input })).importApplication;
  await ok(gateway(t), docs.approve, callers.scienceStaff, { id, amount: 10_000 });
  await ok(gateway(t), docs.startNotice, callers.scienceStaff, { id, endsOn });
  return id;
}
const object = (id: string, as: Caller, text = '该企业不符合条件') => t.query(docs.object, { as, variables: { id, input: { text } } });
const objectDirect = (id: string, as: Caller, text = '该企业不符合条件') =>
  t.querySubgraph('policies', docs.object, { as, variables: { id, input: { text } } });
const read = async (id: string) =>
  (
    await ok(
      gateway(t),
      `query($id: ID!) { application(id: $id) { status objections { id answer late mark { kind duplicateOf reason unit { id } } } steps { action actorRole } } }`,
      callers.scienceAdmin,
      { id },
    )
  ).application;

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
  policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕40号' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

describe('filing objections', () => {
  it('lets one client file at most 3 objections to one notice a day, counted across the gateway and the subgraph, then the next day again', async () => {
    clock.set('2026-06-01T10:00:00+08:00');
    const id = await inNotice();
    expect((await object(id, callers.anonymous)).errors).toBeUndefined();
    expect((await objectDirect(id, callers.anonymous)).errors).toBeUndefined();
    expect((await object(id, callers.anonymous)).errors).toBeUndefined();
    for (const refused of [await object(id, callers.anonymous), await objectDirect(id, callers.anonymous)]) {
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'RATE_LIMITED',
        retryAfterSeconds: expect.any(Number),
        messageZh: expect.stringMatching(/同一公示最多提交 3 次/),
        messageEn: expect.any(String),
      });
      expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    }
    expect(await count('objections', id)).toBe(3);
    // Another writer is counted apart: a signed-in enterprise, and an observer.
    expect((await object(id, callers.logistics)).errors).toBeUndefined();
    expect((await object(id, callers.observer)).errors).toBeUndefined();
    expect(await count('objections', id)).toBe(5);
    clock.advance(DAY);
    expect((await object(id, callers.anonymous)).errors).toBeUndefined();
    expect(await count('objections', id)).toBe(6);
  });

  it('lets one writer file at most 10 objections an hour over all notices', async () => {
    clock.set('2026-06-03T10:00:00+08:00');
    const writer: Caller = { role: 'OBSERVER', subject: 'busy-observer' };
    const notices = [];
    for (let i = 0; i < 11; i++) notices.push(await inNotice());
    for (const id of notices.slice(0, 10)) expect((await object(id, writer)).errors, id).toBeUndefined();
    const refused = await object(notices[10]!, writer);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3600 });
    expect(await count('objections', notices[10]!)).toBe(0);
    // The same subject in another role is another writer.
    expect((await object(notices[10]!, { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU', subject: 'busy-observer' })).errors).toBeUndefined();
    clock.advance(61 * 60_000);
    expect((await object(notices[10]!, writer)).errors).toBeUndefined();
  });
});

describe('marking objections as duplicates or abuse', () => {
  let id: string;
  let flood: string[];
  let genuine: string;

  beforeAll(async () => {
    clock.set('2026-06-08T10:00:00+08:00');
    id = await inNotice('2026-06-10');
    const writers: Caller[] = [
      callers.anonymous,
      callers.observer,
      callers.logistics,
      { role: 'OBSERVER', subject: 'objector-2' },
      { role: 'OBSERVER', subject: 'objector-3' },
    ];
    genuine = (await ok(gateway(t), docs.object, callers.startup, { id, input: { text: '该企业已于上月迁出本市', contact: '0532-0000' } }))
      .fileObjection.id;
    flood = [];
    for (const writer of writers) flood.push((await ok(gateway(t), docs.object, writer, { id, input: { text: '刷屏' } })).fileObjection.id);
  });

  it('refuses the payment while an objection is neither answered nor marked', async () => {
    await ok(gateway(t), docs.answerObjection, callers.scienceStaff, {
      id: genuine,
      upheld: false,
      answer: '经核实，该企业仍在本市经营。',
    });
    clock.set('2026-06-11T10:00:00+08:00');
    const payment = { id, input: { amount: 10_000, paidOn: beijingDate(clock.now()), paymentReference: requestId('pay') } };
    expect(await code(gateway(t), docs.disburse, callers.scienceStaff, payment)).toBe('INVALID_TRANSITION');
  });

  it('is refused to everyone but the reviewing unit, with the right code, and marks nothing', async () => {
    const input = { objectionIds: flood, kind: 'ABUSIVE', reason: '刷屏' };
    const refusals: [Caller, string][] = [
      [callers.anonymous, 'UNAUTHENTICATED'],
      [callers.office, 'FORBIDDEN'],
      [callers.hightech, 'FORBIDDEN'],
      [callers.observer, 'NOT_FOUND'], // may object to the notice, may not see the application
      [callers.taxStaff, 'NOT_FOUND'],
    ];
    for (const [as, expected] of refusals) {
      expect(await code(gateway(t), docs.markObjections, as, { id, input }), JSON.stringify(as)).toBe(expected);
      expect(await code(direct(t), docs.markObjections, as, { id, input }), JSON.stringify(as)).toBe(expected);
    }
    expect(await count('objection_marks', id)).toBe(0);
  });

  it('refuses bad input with BAD_USER_INPUT naming the field, and an answered objection as INVALID_TRANSITION, marking none of the list', async () => {
    const cases: [Record<string, unknown>, string, string?][] = [
      [{ objectionIds: [], kind: 'ABUSIVE', reason: '刷屏' }, 'BAD_USER_INPUT', 'input.objectionIds'],
      [
        { objectionIds: Array.from({ length: 501 }, () => flood[0]), kind: 'ABUSIVE', reason: '刷屏' },
        'BAD_USER_INPUT',
        'input.objectionIds',
      ],
      [{ objectionIds: flood, kind: 'ABUSIVE', reason: '   ' }, 'BAD_USER_INPUT', 'input.reason'],
      [{ objectionIds: [...flood, 'not-an-id'], kind: 'ABUSIVE', reason: '刷屏' }, 'BAD_USER_INPUT', 'input.objectionIds[5]'],
      [
        { objectionIds: [...flood, '00000000-0000-4000-8000-000000000000'], kind: 'ABUSIVE', reason: '刷屏' },
        'BAD_USER_INPUT',
        'input.objectionIds',
      ],
      [{ objectionIds: flood, kind: 'ABUSIVE', duplicateOf: genuine, reason: '刷屏' }, 'BAD_USER_INPUT', 'input.duplicateOf'],
      [{ objectionIds: flood, kind: 'DUPLICATE', duplicateOf: flood[0], reason: '重复' }, 'BAD_USER_INPUT', 'input.duplicateOf'],
      [{ objectionIds: [...flood, genuine], kind: 'ABUSIVE', reason: '刷屏' }, 'INVALID_TRANSITION'],
    ];
    for (const [input, expected, field] of cases) {
      const response = await t.query(docs.markObjections, { as: callers.scienceStaff, variables: { id, input } });
      expect(response.errors?.[0]?.extensions?.code, JSON.stringify(input).slice(0, 120)).toBe(expected);
      if (field) expect(response.errors![0]!.extensions!.field).toBe(field);
    }
    expect(await count('objection_marks', id)).toBe(0);
  });

  it('marks a flood in one call, with why and which unit, and the payment goes ahead', async () => {
    const [first, ...rest] = flood;
    const marked = (
      await ok(gateway(t), docs.markObjections, callers.scienceStaff, {
        id,
        input: { objectionIds: rest, kind: 'DUPLICATE', duplicateOf: first, reason: '与同一内容的异议重复' },
      })
    ).markObjections;
    expect(marked.map((o: any) => o.id).sort()).toEqual([...rest].sort());
    expect(
      marked.every(
        (o: any) => o.mark.kind === 'DUPLICATE' && o.mark.duplicateOf === first && o.mark.unit.id === unit('SCIENCE_TECHNOLOGY_BUREAU'),
      ),
    ).toBe(true);
    await ok(direct(t), docs.markObjections, callers.scienceAdmin, {
      id,
      input: { objectionIds: [first], kind: 'ABUSIVE', reason: '同一来源刷屏，内容无关' },
    });
    const application = await read(id);
    expect(application.objections.find((o: any) => o.id === first).mark).toMatchObject({
      kind: 'ABUSIVE',
      reason: '同一来源刷屏，内容无关',
    });
    expect(application.steps.filter((s: any) => s.action === 'MARK_OBJECTIONS')).toEqual([
      { action: 'MARK_OBJECTIONS', actorRole: 'UNIT_STAFF' },
      { action: 'MARK_OBJECTIONS', actorRole: 'UNIT_ADMIN' },
    ]);
    expect(await count('objection_marks', id)).toBe(flood.length);
    // The notice ended on 06-10: the genuine objection was answered within it, the flood set aside after it — late.
    expect(application.objections.find((o: any) => o.id === genuine).late).toBe(false);
    for (const objectionId of flood) expect(application.objections.find((o: any) => o.id === objectionId).late, objectionId).toBe(true);
    // Marked once: not again, and not answered afterwards.
    expect(
      await code(gateway(t), docs.markObjections, callers.scienceStaff, {
        id,
        input: { objectionIds: [first], kind: 'DUPLICATE', reason: '改' },
      }),
    ).toBe('INVALID_TRANSITION');
    expect(await code(gateway(t), docs.answerObjection, callers.scienceStaff, { id: first, upheld: true, answer: '改口' })).toBe(
      'INVALID_TRANSITION',
    );
    const payment = { id, input: { amount: 10_000, paidOn: beijingDate(clock.now()), paymentReference: requestId('pay') } };
    expect((await ok(gateway(t), docs.disburse, callers.scienceStaff, payment)).recordDisbursement.status).toBe('DISBURSED');
  });

  it('keeps every mark as evidence the database will not let anybody change', async () => {
    for (const statement of [
      sql`update policies.objection_marks set reason = '改写'`,
      sql`delete from policies.objection_marks`,
      sql`truncate policies.objection_marks`,
    ]) {
      await expect(db().execute(statement)).rejects.toMatchObject({ cause: { code: '42501' } });
    }
  });
});
