/**
 * 擂台比武 through the gateway and straight against the evaluations subgraph, on real PostgreSQL:
 * who may create, enter, judge, close and publish (each allowed and refused); a judge sees and
 * changes only their own scores, only while open; the score drops the highest and the lowest judge
 * from five judges on and ranks ties equal; publication freezes the ranking (the database refuses
 * changes too) and the last place enters the next contest of its level by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { sampleCreditCode, unitIdForCode } from '../db/reference/organisation.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { doors } from './support/doors.ts';
import { evalCallers as who, evalDocs as docs } from './support/evaluations.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00');
let t: TestPlatform;
type Via = 'gateway' | 'evaluations subgraph';
const transports: Via[] = ['gateway', 'evaluations subgraph'];
const { send, ok } = doors(() => t, 'evaluations');
async function code(via: Via, document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<string> {
  const response = await send(via, document, as, variables);
  expect(response.errors, `expected a refusal, got ${JSON.stringify(response.data)}`).toBeDefined();
  const error = response.errors![0]!;
  expect(error.message).toMatch(/ \/ /); // Chinese / English
  return error.extensions?.code;
}

const criteria = [
  { name: '问题找得准', weight: 30 },
  { name: '目标定得实', weight: 30 },
  { name: '举措可落地', weight: 40 },
];
const entryText = { problems: '审批环节多', goals: '一次办结', ideas: '企业视角', measures: '压减材料' };
const cityUnits = ['PUBLIC_SECURITY_BUREAU', 'TAXATION_BUREAU', 'COMMERCE_BUREAU', 'JUSTICE_BUREAU'];

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
}, 120_000);
afterAll(async () => {
  await t?.stop();
});

const cityContest = async (title = '全市擂台比武', heldOn = '2026-06-10') =>
  (await ok(docs.createContest, who.office, { input: { title, level: 'CITY', heldOn, criteria } })).createContest;

describe('creating a contest', () => {
  it.each(transports)('lets the command office create a city contest and refuses everyone else (%s)', async (via) => {
    const input = { title: `市级 ${via}`, level: 'CITY', heldOn: '2026-06-10', criteria };
    const created = (await ok(docs.createContest, who.office, { input }, via)).createContest;
    expect(created).toMatchObject({ level: 'CITY', status: 'OPEN', criteria: criteria.map((c, index) => ({ ...c, index })) });
    expect(await code(via, docs.createContest, who.taxAdmin, { input })).toBe('FORBIDDEN');
    expect(await code(via, docs.createContest, who.politicsLeadAdmin, { input })).toBe('FORBIDDEN');
    expect(await code(via, docs.createContest, who.enterprise, { input })).toBe('FORBIDDEN');
    expect(await code(via, docs.createContest, who.anonymous, { input })).toBe('UNAUTHENTICATED');
  });

  it.each(transports)('lets a domain lead run its system contest and a unit its internal one (%s)', async (via) => {
    const system = { title: `政法系统 ${via}`, level: 'SYSTEM', domainCode: 'POLITICS_LAW', heldOn: '2026-06-11', criteria };
    expect((await ok(docs.createContest, who.politicsLeadAdmin, { input: system }, via)).createContest.level).toBe('SYSTEM');
    expect(await code(via, docs.createContest, who.politicsLeadStaff, { input: system })).toBe('FORBIDDEN');
    expect(await code(via, docs.createContest, who.taxAdmin, { input: system })).toBe('FORBIDDEN');
    const internal = {
      title: `税务局内部 ${via}`,
      level: 'INTERNAL',
      unitId: unitIdForCode('TAXATION_BUREAU'),
      heldOn: '2026-06-12',
      criteria,
    };
    expect((await ok(docs.createContest, who.taxAdmin, { input: internal }, via)).createContest.level).toBe('INTERNAL');
    expect(await code(via, docs.createContest, who.office, { input: internal })).toBe('FORBIDDEN');
    expect(await code(via, docs.createContest, who.policeAdmin, { input: internal })).toBe('FORBIDDEN');
  });

  it.each(transports)('refuses weights that do not sum to 100 and scopes that do not fit the level, changing nothing (%s)', async (via) => {
    const before = (await ok(docs.contests, who.office, { first: 100 })).contests.totalCount;
    const bad = [
      {
        title: '权重不对',
        level: 'CITY',
        heldOn: '2026-06-10',
        criteria: [
          { name: 'a', weight: 50 },
          { name: 'b', weight: 40 },
        ],
      },
      {
        title: '重复项',
        level: 'CITY',
        heldOn: '2026-06-10',
        criteria: [
          { name: 'a', weight: 50 },
          { name: 'a', weight: 50 },
        ],
      },
      { title: '缺领域', level: 'SYSTEM', heldOn: '2026-06-10', criteria },
      { title: '多单位', level: 'CITY', unitId: unitIdForCode('TAXATION_BUREAU'), heldOn: '2026-06-10', criteria },
      { title: '无此领域', level: 'SYSTEM', domainCode: 'NOWHERE', heldOn: '2026-06-10', criteria },
      { title: '日期', level: 'CITY', heldOn: '2026-02-30', criteria },
    ];
    for (const input of bad) expect(await code(via, docs.createContest, who.office, { input })).toBe('BAD_USER_INPUT');
    expect((await ok(docs.contests, who.office, { first: 100 })).contests.totalCount).toBe(before);
  });
});

describe('a city contest from scores to a published ranking', () => {
  let contestId: string;
  const entryIds: Record<string, string> = {};
  // Judge totals per entry (criteria scored equally, so a judge's total is that score).
  const plan: Record<string, number[]> = {
    PUBLIC_SECURITY_BUREAU: [90, 80, 85, 70, 100, 60], // drop 100 and 60 → 81.25
    TAXATION_BUREAU: [80, 82, 84, 86, 88, 70], // drop 88 and 70 → 83
    COMMERCE_BUREAU: [83, 83, 83, 83, 83, 83], // 83 — ties with TAXATION
    JUSTICE_BUREAU: [50, 60, 70, 80, 90, 100], // drop 100 and 50 → 75
  };

  beforeAll(async () => {
    contestId = (await cityContest('第一期全市擂台比武', '2026-06-10')).id;
    for (const unit of cityUnits)
      entryIds[unit] = (
        await ok(docs.addEntry, who.office, { contestId, input: { unitId: unitIdForCode(unit), ...entryText } })
      ).addContestEntry.id;
    for (let j = 0; j < 6; j++)
      await ok(docs.assignJudge, who.office, { contestId, input: { subject: `judge-${j}`, role: 'OBSERVER', name: `评委${j}` } });
  });

  it.each(transports)('refuses entries and judges from anyone but the organiser, and the wrong entrants (%s)', async (via) => {
    const input = { unitId: unitIdForCode('EDUCATION_BUREAU'), ...entryText };
    expect(await code(via, docs.addEntry, who.taxAdmin, { contestId, input })).toBe('FORBIDDEN'); // an entrant sees the contest, may not run it
    expect(await code(via, docs.addEntry, who.courtStaff, { contestId, input })).toBe('NOT_FOUND'); // not taking part: learns nothing
    expect(
      await code(via, docs.addEntry, who.policeAdmin, { contestId, input: { ...input, unitId: unitIdForCode('JUSTICE_BUREAU') } }),
    ).toBe('FORBIDDEN');
    expect(await code(via, docs.assignJudge, who.judge(0), { contestId, input: { subject: 'x', role: 'OBSERVER', name: '某' } })).toBe(
      'FORBIDDEN',
    );
    expect(await code(via, docs.addEntry, who.office, { contestId, input: { ...entryText, entrantName: '某处室' } })).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      await code(via, docs.addEntry, who.office, { contestId, input: { ...entryText, unitId: unitIdForCode('TAXATION_BUREAU') } }),
    ).toBe('CONFLICT');
    expect(
      await code(via, docs.assignJudge, who.office, { contestId, input: { subject: 'judge-0', role: 'OBSERVER', name: '评委0' } }),
    ).toBe('CONFLICT');
    expect(
      await code(via, docs.assignJudge, who.office, { contestId, input: { subject: 'judge-x', role: 'ANONYMOUS', name: '评委' } }),
    ).toBe('BAD_USER_INPUT');
  });

  it('lets each judge score, see and change only their own scores', async () => {
    for (let j = 0; j < 6; j++) {
      const scores = cityUnits.flatMap((unit) =>
        criteria.map((_, criterion) => ({ entryId: entryIds[unit], criterion, score: plan[unit]![j]! - (j === 1 ? 1 : 0) })),
      );
      await ok(docs.submitScores, who.judge(j), { contestId, scores });
    }
    // Judge 1 corrects their scores: the latest counts, the earlier stay on record.
    const corrected = cityUnits.flatMap((unit) =>
      criteria.map((_, criterion) => ({ entryId: entryIds[unit], criterion, score: plan[unit]![1]! })),
    );
    const mine = (await ok(docs.submitScores, who.judge(1), { contestId, scores: corrected })).submitScores;
    expect(mine).toHaveLength(12);
    expect(mine.every((s: any) => s.score === plan[cityUnits.find((u) => entryIds[u] === s.entryId)!]![1])).toBe(true);
    const seenByJudge = (await ok(docs.contest, who.judge(2), { id: contestId })).contest;
    expect(seenByJudge.myScores.every((s: any) => s.score === plan[cityUnits.find((u) => entryIds[u] === s.entryId)!]![2])).toBe(true);
    expect(seenByJudge.ranking).toBeNull(); // no preview for judges
    expect(seenByJudge.judges).toEqual([]);
    const rows = await t.database.handle
      .forSubgraph('evaluations')
      .db.execute(sql`select count(*)::int as n from evaluations.contest_scores`);
    expect((rows as any).rows?.[0]?.n ?? (rows as any)[0]?.n).toBe(6 * 12 + 12);
  });

  it.each(transports)('refuses scores from someone who is not a judge, and scores out of range (%s)', async (via) => {
    const scores = [{ entryId: entryIds.TAXATION_BUREAU, criterion: 0, score: 99 }];
    expect(await code(via, docs.submitScores, who.office, { contestId, scores })).toBe('FORBIDDEN');
    expect(await code(via, docs.submitScores, who.observer, { contestId, scores })).toBe('NOT_FOUND');
    expect(await code(via, docs.submitScores, who.judge(0), { contestId, scores: [{ ...scores[0], score: 101 }] })).toBe('BAD_USER_INPUT');
    expect(await code(via, docs.submitScores, who.judge(0), { contestId, scores: [{ ...scores[0], score: 50.123 }] })).toBe(
      'BAD_USER_INPUT',
    );
    expect(await code(via, docs.submitScores, who.judge(0), { contestId, scores: [{ ...scores[0], criterion: 3 }] })).toBe(
      'BAD_USER_INPUT',
    );
    const mine = (await ok(docs.contest, who.judge(0), { id: contestId })).contest.myScores;
    expect(mine.find((s: any) => s.entryId === entryIds.TAXATION_BUREAU && s.criterion === 0).score).toBe(plan.TAXATION_BUREAU![0]);
  });

  it.each(transports)(
    'knows a judge by issuer, role and subject: the same subject in another role or from another issuer is not the judge (%s)',
    async (via) => {
      const scores = [{ entryId: entryIds.TAXATION_BUREAU, criterion: 0, score: 1 }];
      const sameSubject: Caller[] = [
        { role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 650), subject: 'judge-0' },
        { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU', subject: 'judge-0' }, // an entrant: sees the contest
        { role: 'OBSERVER', subject: 'judge-0', issuer: 'https://idp.other.example' },
      ];
      for (const caller of sameSubject) {
        expect(await code(via, docs.submitScores, caller, { contestId, scores }), JSON.stringify(caller)).toMatch(
          /^(FORBIDDEN|NOT_FOUND)$/,
        );
        const seen = (await send(via, docs.contest, caller, { id: contestId })).data?.contest;
        expect(seen?.myScores ?? [], JSON.stringify(caller)).toEqual([]);
      }
      expect((await send(via, docs.contest, sameSubject[0]!, { id: contestId })).data?.contest).toBeNull(); // no standing: not shown at all
      const listed = async (caller: Caller) =>
        (await send(via, docs.contests, caller, { first: 50 })).data.contests.edges.map((e: any) => e.node.id);
      expect(await listed(who.judge(0))).toContain(contestId);
      expect(await listed(sameSubject[0]!)).not.toContain(contestId);
      expect(await listed(sameSubject[2]!)).not.toContain(contestId);
      const mine = (await ok(docs.contest, who.judge(0), { id: contestId })).contest.myScores;
      expect(mine.find((s: any) => s.entryId === entryIds.TAXATION_BUREAU && s.criterion === 0).score).toBe(plan.TAXATION_BUREAU![0]);
    },
  );

  it('previews the ranking for the organiser: highest and lowest judge dropped, ties equal', async () => {
    const contest = (await ok(docs.contest, who.office, { id: contestId })).contest;
    const byUnit = Object.fromEntries(contest.ranking.map((r: any) => [r.unit.id, r]));
    const expected = (totals: number[]) => {
      const sorted = [...totals].sort((a, b) => a - b).slice(1, -1);
      return Math.round((sorted.reduce((s, x) => s + x, 0) / sorted.length) * 1000) / 1000;
    };
    for (const unit of cityUnits) {
      expect(byUnit[unitIdForCode(unit)].score).toBe(expected(plan[unit]!));
      expect(byUnit[unitIdForCode(unit)].judgesCounted).toBe(4);
    }
    expect(byUnit[unitIdForCode('TAXATION_BUREAU')].rank).toBe(1);
    expect(byUnit[unitIdForCode('COMMERCE_BUREAU')].rank).toBe(1);
    expect(byUnit[unitIdForCode('PUBLIC_SECURITY_BUREAU')].rank).toBe(3);
    expect(byUnit[unitIdForCode('JUSTICE_BUREAU')]).toMatchObject({ rank: 4, contestsAgain: true });
    expect(contest.ranking.filter((r: any) => r.contestsAgain)).toHaveLength(1);
    expect(contest.judges.map((j: any) => j.entriesScored)).toEqual([4, 4, 4, 4, 4, 4]);
  });

  it('keeps unpublished contests from the public and from units not taking part', async () => {
    expect((await ok(docs.contest, who.anonymous, { id: contestId })).contest).toBeNull();
    expect((await ok(docs.contest, who.courtStaff, { id: contestId })).contest).toBeNull();
    const entrant = (await ok(docs.contest, who.taxStaff, { id: contestId })).contest;
    expect(entrant.ranking).toBeNull();
    expect(entrant.entries).toHaveLength(4);
  });

  it('closes and publishes only by the command office, in order, through either door', async () => {
    const direct: Via = 'evaluations subgraph';
    expect(await code(direct, docs.publish, who.office, { id: contestId })).toBe('INVALID_TRANSITION');
    expect(await code(direct, docs.close, who.taxAdmin, { id: contestId })).toBe('FORBIDDEN');
    expect((await ok(docs.close, who.office, { id: contestId }, direct)).closeContest.status).toBe('CLOSED');
    expect(await code('gateway', docs.close, who.office, { id: contestId })).toBe('INVALID_TRANSITION');
    const scores = [{ entryId: entryIds.JUSTICE_BUREAU, criterion: 0, score: 100 }];
    for (const via of transports) {
      expect(await code(via, docs.submitScores, who.judge(0), { contestId, scores })).toBe('INVALID_TRANSITION');
      expect(
        await code(via, docs.addEntry, who.office, { contestId, input: { unitId: unitIdForCode('EDUCATION_BUREAU'), ...entryText } }),
      ).toBe('INVALID_TRANSITION');
      expect(await code(via, docs.publish, who.taxAdmin, { id: contestId })).toBe('FORBIDDEN');
      expect(await code(via, docs.publish, who.politicsLeadAdmin, { id: contestId })).toBe('NOT_FOUND');
    }
    expect((await ok(docs.publish, who.office, { id: contestId }, 'gateway')).publishContest.status).toBe('PUBLISHED');
    for (const via of transports) expect(await code(via, docs.publish, who.office, { id: contestId })).toBe('INVALID_TRANSITION');
  });

  it('shows the published ranking to everyone, frozen', async () => {
    const publicView = (await ok(docs.contest, who.anonymous, { id: contestId })).contest;
    expect(publicView.status).toBe('PUBLISHED');
    expect(publicView.ranking.map((r: any) => [r.entrantName, r.rank])).toHaveLength(4);
    expect(publicView.judges).toEqual([]);
    const db = t.database.handle.forSubgraph('evaluations').db;
    await expect(db.execute(sql`update evaluations.contest_results set rank = 1`)).rejects.toThrow();
    await expect(db.execute(sql`update evaluations.contests set title = '改' where id = ${contestId}::uuid`)).rejects.toThrow();
    await expect(db.execute(sql`delete from evaluations.contest_scores`)).rejects.toThrow();
    const again = (await ok(docs.contest, who.anonymous, { id: contestId })).contest;
    expect(again.ranking).toEqual(publicView.ranking);
    const list = (await ok(docs.contests, who.anonymous, { filter: { status: 'PUBLISHED' }, first: 10 })).contests;
    expect(list.edges.map((e: any) => e.node.id)).toContain(contestId);
  });

  it('enters the last place in the next city contest by itself', async () => {
    const next = await cityContest('第二期全市擂台比武', '2026-07-10');
    expect(next.carriedOver).toEqual([
      expect.objectContaining({ unit: { id: unitIdForCode('JUSTICE_BUREAU') }, carriedFromContestId: contestId }),
    ]);
    expect(next.entries.map((e: any) => e.unit.id)).toEqual([unitIdForCode('JUSTICE_BUREAU')]);
    // A system contest does not inherit the city's last place.
    const system = (
      await ok(docs.createContest, who.politicsLeadAdmin, {
        input: { title: '政法系统第一期', level: 'SYSTEM', domainCode: 'POLITICS_LAW', heldOn: '2026-07-11', criteria },
      })
    ).createContest;
    expect(system.carriedOver).toEqual([]);
  });
});

describe('system and internal contests', () => {
  it('takes only the domain’s units into a system contest, and only names into an internal one', async () => {
    const system = (
      await ok(docs.createContest, who.politicsLeadAdmin, {
        input: { title: '政法系统打擂', level: 'SYSTEM', domainCode: 'POLITICS_LAW', heldOn: '2026-08-01', criteria },
      })
    ).createContest;
    await ok(docs.addEntry, who.politicsLeadAdmin, {
      contestId: system.id,
      input: { unitId: unitIdForCode('PUBLIC_SECURITY_BUREAU'), ...entryText },
    });
    expect(
      await code('gateway', docs.addEntry, who.politicsLeadAdmin, {
        contestId: system.id,
        input: { unitId: unitIdForCode('TAXATION_BUREAU'), ...entryText },
      }),
    ).toBe('BAD_USER_INPUT');
    const internal = (
      await ok(docs.createContest, who.taxAdmin, {
        input: { title: '税务局内部打擂', level: 'INTERNAL', unitId: unitIdForCode('TAXATION_BUREAU'), heldOn: '2026-08-02', criteria },
      })
    ).createContest;
    await ok(docs.addEntry, who.taxAdmin, { contestId: internal.id, input: { entrantName: '纳税服务处', ...entryText } });
    expect(
      await code('gateway', docs.addEntry, who.taxAdmin, {
        contestId: internal.id,
        input: { unitId: unitIdForCode('TAXATION_BUREAU'), ...entryText },
      }),
    ).toBe('BAD_USER_INPUT');
    // Internal contests: the unit and the command office only, published or not.
    expect((await ok(docs.contest, who.taxStaff, { id: internal.id })).contest.entries).toHaveLength(1);
    expect((await ok(docs.contest, who.office, { id: internal.id })).contest).not.toBeNull();
    expect((await ok(docs.contest, who.policeStaff, { id: internal.id })).contest).toBeNull();
    await ok(docs.close, who.taxAdmin, { id: internal.id });
    await ok(docs.publish, who.taxAdmin, { id: internal.id });
    expect((await ok(docs.contest, who.anonymous, { id: internal.id })).contest).toBeNull();
    expect((await ok(docs.contest, who.taxStaff, { id: internal.id })).contest.ranking).toHaveLength(1);
  });

  it('pages contests by date with a stable cursor and refuses a forged one', async () => {
    const first = (await ok(docs.contests, who.office, { first: 2 })).contests;
    expect(first.edges).toHaveLength(2);
    const second = (await ok(docs.contests, who.office, { first: 2, after: first.pageInfo.endCursor })).contests;
    expect(second.edges.map((e: any) => e.node.id)).not.toContain(first.edges[0].node.id);
    expect(await code('gateway', docs.contests, who.office, { first: 2, after: 'bm9wZQ' })).toBe('BAD_USER_INPUT');
    expect(await code('gateway', docs.contests, who.office, { first: 1000 })).toBe('PAGE_SIZE_TOO_LARGE');
  });
});
