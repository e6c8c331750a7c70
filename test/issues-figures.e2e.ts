/**
 * The command office's figures, recounted. fast-check generates sets of issues — appeals, imported
 * 12345 records and self-found problems, dispatched late or early, contacted on time or not,
 * reassigned, merged, resolved as solved or by service confirmation, rated over one or two rounds,
 * followed up, closed — and plays them through the API. Then this file reads the raw rows and
 * recounts every figure by the definitions in subgraphs/issues/README.md, independently of the
 * aggregate's SQL, and compares: for the city, each unit, a domain, and by environment, channel and
 * district — at one moment, and again after the clock alone has carried open deadlines past their
 * due time. The figures are kept per day by triggers (migration 0006); the kept table must also
 * equal a rebuild from every row at once, with nothing left staged.
 */
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { beijingDate } from '../platform/calendar.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';
import { MINUTE, TestClock } from './support/clock.ts';
import { act, callers, expectKeptFiguresRebuildable, reportIssue, submitAppeal, unit } from './support/issues.ts';

const clock = new TestClock('2026-01-05T09:00:00+08:00');
let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});

const DAY = 24 * 60 * MINUTE;
/** Two units of 政法 (so the domain adds them up) and one other. */
const UNITS = ['PUBLIC_SECURITY_BUREAU', 'JUSTICE_BUREAU', 'MARKET_REGULATION_BUREAU'];
const RATINGS = ['SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED'] as const;
const staffOf = (index: number) => ({ role: 'UNIT_STAFF', unit: UNITS[index]! }) as const satisfies Caller;

const script = fc.record({
  kind: fc.oneof(
    { arbitrary: fc.constant('APPEAL' as const), weight: 4 },
    fc.constant('HOTLINE_IMPORT' as const),
    fc.constant('IMMEDIATE' as const),
  ),
  environment: fc.constantFrom('POLICY', 'SERVICE', 'MARKET'),
  district: fc.constantFrom('370202', '370215', null),
  startMinute: fc.integer({ min: 0, max: 23 * 60 }),
  unit: fc.integer({ min: 0, max: 2 }),
  dispatchMinutes: fc.integer({ min: 0, max: 900 }),
  reassign: fc.option(fc.record({ afterMinutes: fc.integer({ min: 5, max: 600 }), to: fc.integer({ min: 0, max: 2 }) }), { nil: null }),
  contactMinutes: fc.option(fc.integer({ min: 10, max: 500 }), { nil: null }),
  mergeIntoPrevious: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  feedback: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  resolve: fc.option(fc.constantFrom('SOLVED', 'SERVICE_CONFIRMED'), { nil: null }),
  rating: fc.option(
    fc.record({ first: fc.constantFrom(...RATINGS), solved: fc.boolean(), second: fc.option(fc.constantFrom(...RATINGS), { nil: null }) }),
    { nil: null },
  ),
  followUp: fc.option(fc.record({ reached: fc.boolean(), rating: fc.constantFrom(...RATINGS) }), { nil: null }),
  close: fc.boolean(),
});
type Script = typeof script extends fc.Arbitrary<infer T> ? T : never;

async function must<T extends { errors?: unknown; data?: any }>(what: string, response: Promise<T>): Promise<T> {
  const result = await response;
  if (result.errors) throw new Error(`${what}: ${JSON.stringify(result.errors)}`);
  return result;
}

/** Plays one issue's script from `start`; returns its id and whether it stayed open (mergeable). */
async function play(s: Script, index: number, start: number, previous: string | null): Promise<{ id: string; open: boolean }> {
  const at = (offset: number) => clock.set(new Date(start + offset));
  let now = 0;
  const step = (minutes: number) => {
    now += minutes * MINUTE;
    at(now);
  };
  at(0);
  let unitIndex = s.unit;
  const enterprise = {
    role: 'ENTERPRISE',
    enterprise: sampleCreditCode('370202', 100 + index),
    subject: `recount-enterprise-${index}-${start}`,
  } as const satisfies Caller;
  let id: string;
  const appealLike = s.kind !== 'IMMEDIATE';
  if (s.kind === 'APPEAL') {
    id = (await submitAppeal(t, enterprise, { environment: s.environment, districtCode: s.district })).id;
  } else if (s.kind === 'HOTLINE_IMPORT') {
    // Imported a little later, with the hotline's receipt time and the unit it had dispatched to.
    step(30);
    const imported = await must(
      'import',
      reportIssue(t, callers.office, {
        source: 'HOTLINE_12345',
        appealKind: 'HELP',
        environment: s.environment,
        districtCode: s.district,
        receivedAt: new Date(start).toISOString(),
        handlingUnitId: unit(UNITS[unitIndex]!),
      }),
    );
    id = imported.data.reportIssue.id;
  } else {
    id = (
      await must(
        'report',
        reportIssue(t, staffOf(unitIndex), { source: 'SELF_INSPECTION', environment: s.environment, districtCode: s.district }),
      )
    ).data.reportIssue.id;
  }
  if (s.kind !== 'HOTLINE_IMPORT') {
    step(1);
    await must(
      'accept',
      act(t, callers.office, 'acceptIssue', {
        id,
        ...(appealLike ? {} : { input: { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 3 } }),
      }),
    );
    step(s.dispatchMinutes);
    await must('assign', act(t, callers.office, 'assignIssue', { id, unitId: unit(UNITS[unitIndex]!) }));
  }
  if (s.reassign && s.reassign.to !== unitIndex) {
    step(s.reassign.afterMinutes);
    unitIndex = s.reassign.to;
    await must('reassign', act(t, callers.office, 'assignIssue', { id, unitId: unit(UNITS[unitIndex]!) }));
  }
  const hand = staffOf(unitIndex);
  if (!appealLike) {
    if (!s.resolve) return { id, open: true };
    step(2 * 24 * 60);
    await must('resolve', act(t, hand, 'resolveIssue', { id, resolution: '已整改', outcome: s.resolve }));
  } else {
    if (s.contactMinutes === null) return { id, open: true };
    step(s.contactMinutes);
    await must('contact', act(t, hand, 'recordContact', { id }));
    if (s.mergeIntoPrevious && previous) {
      step(10);
      await must('merge', act(t, callers.office, 'mergeIssue', { id, intoId: previous }));
      return { id, open: false };
    }
    if (!s.feedback) return { id, open: true };
    step(20 * 60);
    await must('feedback', act(t, hand, 'giveFeedback', { id, note: '初步答复' }));
    if (!s.resolve) return { id, open: true };
    step(3 * 24 * 60);
    await must('resolve', act(t, hand, 'resolveIssue', { id, resolution: '已办结', outcome: s.resolve }));
    if (s.kind === 'APPEAL' && s.rating) {
      step(60);
      const first = await must('rate', act(t, enterprise, 'rateIssue', { id, rating: s.rating.first, solved: s.rating.solved }));
      if (first.data.status === 'REOPENED') {
        step(2 * 24 * 60);
        await must('resolve again', act(t, hand, 'resolveIssue', { id, resolution: '再次办理', outcome: s.resolve }));
        if (s.rating.second) {
          step(60);
          await must('rate again', act(t, enterprise, 'rateIssue', { id, rating: s.rating.second }));
        }
      }
    }
  }
  if (s.followUp) {
    step(24 * 60);
    await must(
      'follow-up',
      act(t, callers.office, 'recordFollowUp', {
        id,
        input: s.followUp.reached ? { reached: true, rating: s.followUp.rating } : { reached: false },
      }),
    );
  }
  if (s.close) {
    step(60);
    await must('close', act(t, callers.office, 'closeIssue', { id }));
  }
  return { id, open: false };
}

// ───────────── the recount, by the README's definitions ─────────────

interface Raw {
  issues: {
    id: string;
    received_at: Date;
    status: string;
    accepted_at: Date | null;
    next_due_at: Date | null;
    reopen_count: number;
    first_assigned_at: Date | null;
    resolution_outcome: string | null;
    responsible_unit_id: string | null;
    environment: string;
    source: string;
    district_code: string | null;
  }[];
  deadlines: {
    issue_id: string;
    unit_id: string | null;
    stage: string;
    due_at: Date | null;
    met_at: Date | null;
    cancelled_at: Date | null;
    judged_at: Date | null;
  }[];
  ratings: { issue_id: string; round: number; unit_id: string | null; rating: string; solved: boolean }[];
  followUps: { id: number; issue_id: string; unit_id: string | null; reached: boolean; rating: string | null }[];
}

async function readRaw(): Promise<Raw> {
  const db = t.database.handle.forSubgraph('issues').db;
  const rows = async <T>(query: ReturnType<typeof sql>) =>
    rowsOf<T>(await db.execute(query)).map((row: any) => {
      for (const key of Object.keys(row)) if (key.endsWith('_at') && row[key] !== null) row[key] = new Date(row[key]);
      return row as T;
    });
  return {
    issues: await rows(
      sql`select id, received_at, status, accepted_at, next_due_at, reopen_count, first_assigned_at, resolution_outcome, responsible_unit_id, environment, source, district_code from issues.issues`,
    ),
    deadlines: await rows(sql`select issue_id, unit_id, stage, due_at, met_at, cancelled_at, judged_at from issues.issue_deadlines`),
    ratings: await rows(sql`select issue_id, round, unit_id, rating, solved from issues.issue_ratings`),
    followUps: await rows(sql`select id::int, issue_id, unit_id, reached, rating from issues.issue_follow_ups`),
  };
}

type KeyOf = { issue: (i: Raw['issues'][number]) => string[]; unit: (unitId: string | null, i: Raw['issues'][number]) => string[] };
const SATISFIED = ['SATISFIED', 'BASICALLY_SATISFIED'];

function recount(raw: Raw, period: { from: Date; to: Date }, now: Date, keys: KeyOf) {
  const groups = new Map<string, Record<string, number>>();
  const add = (groupKeys: string[], part: string, by = 1) => {
    for (const key of groupKeys) {
      const parts = groups.get(key) ?? {};
      parts[part] = (parts[part] ?? 0) + by;
      groups.set(key, parts);
    }
  };
  const cohort = new Map(raw.issues.filter((i) => i.received_at >= period.from && i.received_at < period.to).map((i) => [i.id, i]));
  for (const i of cohort.values()) {
    const k = keys.issue(i);
    add(k, 'received');
    if (i.accepted_at && i.status !== 'MERGED') add(k, 'accepted');
    if (i.status === 'CLOSED') add(k, 'closed');
    if (i.next_due_at && i.next_due_at < now) add(k, 'overdueNow');
    if (i.reopen_count > 0) add(k, 'reopened');
    if (i.first_assigned_at) {
      add(k, 'dispatched');
      add(k, 'dispatchSeconds', (i.first_assigned_at.getTime() - i.received_at.getTime()) / 1000);
    }
    if (['RESOLVED', 'CLOSED'].includes(i.status) && i.resolution_outcome === 'SOLVED') add(k, 'resolvedSolved');
    if (['RESOLVED', 'CLOSED'].includes(i.status) && i.resolution_outcome === 'SERVICE_CONFIRMED') add(k, 'resolvedServiceConfirmed');
  }
  for (const d of raw.deadlines) {
    const i = cohort.get(d.issue_id);
    if (!i || !d.due_at) continue;
    const lapsed = d.cancelled_at !== null && d.judged_at !== null && d.judged_at >= d.due_at;
    const due = d.met_at !== null || lapsed || (d.cancelled_at === null && d.due_at <= now);
    if (!due) continue;
    const stage = d.stage.toLowerCase();
    const k = keys.unit(d.unit_id, i);
    add(k, `${stage}Due`);
    if (d.met_at && d.met_at < d.due_at) add(k, `${stage}OnTime`);
  }
  const byIssue = <T extends { issue_id: string }>(rows: T[]) => {
    const map = new Map<string, T[]>();
    for (const row of rows) if (cohort.has(row.issue_id)) map.set(row.issue_id, [...(map.get(row.issue_id) ?? []), row]);
    return map;
  };
  for (const [issueId, ratings] of byIssue(raw.ratings)) {
    const i = cohort.get(issueId)!;
    const final = ratings.reduce((a, b) => (b.round > a.round ? b : a));
    const k = keys.unit(final.unit_id, i);
    add(k, 'rated');
    if (final.solved) add(k, 'ratedSolved');
    if (SATISFIED.includes(final.rating)) add(k, 'ratedSatisfied');
    const first = ratings.find((r) => r.round === 1);
    if (first) {
      const k1 = keys.unit(first.unit_id, i);
      add(k1, 'firstRated');
      if (first.solved) add(k1, 'firstRatedSolved');
      if (SATISFIED.includes(first.rating)) add(k1, 'firstRatedSatisfied');
    }
  }
  for (const [issueId, followUps] of byIssue(raw.followUps.filter((f) => f.reached))) {
    const latest = followUps.reduce((a, b) => (b.id > a.id ? b : a));
    const k = keys.unit(latest.unit_id, cohort.get(issueId)!);
    add(k, 'followedUp');
    if (SATISFIED.includes(latest.rating!)) add(k, 'followUpSatisfied');
  }
  return groups;
}

/** The figures the API shows, from recounted parts. */
function expected(parts: Record<string, number> = {}) {
  const n = (part: string) => parts[part] ?? 0;
  const rateOf = (name: string, numerator: string, denominator: string) => ({
    rate: name,
    numerator: n(numerator),
    denominator: n(denominator),
    value: n(denominator) ? n(numerator) / n(denominator) : null,
  });
  return {
    received: n('received'),
    accepted: n('accepted'),
    closed: n('closed'),
    overdueNow: n('overdueNow'),
    reopened: n('reopened'),
    dispatched: n('dispatched'),
    averageDispatchHours: n('dispatched') ? n('dispatchSeconds') / n('dispatched') / 3600 : null,
    resolvedSolved: n('resolvedSolved'),
    resolvedServiceConfirmed: n('resolvedServiceConfirmed'),
    rated: n('rated'),
    followedUp: n('followedUp'),
    rates: [
      rateOf('RESPONSE', 'contactOnTime', 'contactDue'),
      rateOf('FEEDBACK', 'feedbackOnTime', 'feedbackDue'),
      rateOf('ON_TIME_RESOLUTION', 'resolutionOnTime', 'resolutionDue'),
      rateOf('ON_TIME_MILESTONE', 'milestoneOnTime', 'milestoneDue'),
      rateOf('RECTIFICATION', 'closed', 'accepted'),
      rateOf('RESOLUTION', 'ratedSolved', 'rated'),
      rateOf('SATISFACTION', 'ratedSatisfied', 'rated'),
      rateOf('FIRST_ROUND_RESOLUTION', 'firstRatedSolved', 'firstRated'),
      rateOf('FIRST_ROUND_SATISFACTION', 'firstRatedSatisfied', 'firstRated'),
      rateOf('FOLLOW_UP_SATISFACTION', 'followUpSatisfied', 'followedUp'),
    ],
  };
}

const FIGURES =
  'received accepted closed overdueNow reopened dispatched averageDispatchHours resolvedSolved resolvedServiceConfirmed rated followedUp rates { rate numerator denominator value }';

/** Floats (an average, a rate) compared to 9 places; everything else exactly. */
function compare(actual: any, wanted: ReturnType<typeof expected>, where: string) {
  const round = (x: number | null) => (x === null ? null : Math.round(x * 1e9) / 1e9);
  const norm = (f: any) => ({
    ...f,
    averageDispatchHours: round(f.averageDispatchHours),
    rates: f.rates.map((r: any) => ({ ...r, value: round(r.value) })),
  });
  expect(norm(actual), where).toEqual(norm(wanted));
}

/** Every figure the API shows at `now` — city, units, a domain, by environment, channel, district — against the recount. */
async function compareAll(raw: Raw, period: { from: Date; to: Date }, now: Date) {
  const p = { from: beijingDate(period.from), to: beijingDate(new Date(period.to.getTime() - DAY)) };
  const ask = async (query: string, variables: Record<string, unknown> = {}) =>
    (await must(query, t.query(query, { as: callers.office, variables: { p, ...variables } }))).data;

  const city = recount(raw, period, now, { issue: () => ['ALL'], unit: () => ['ALL'] });
  compare((await ask(`query($p: PeriodInput) { issueStats(period: $p) { ${FIGURES} } }`)).issueStats, expected(city.get('ALL')), 'city');

  const unitIds = UNITS.map(unit);
  const perUnit = recount(raw, period, now, {
    issue: (i) => (i.responsible_unit_id ? [i.responsible_unit_id] : []),
    unit: (id) => (id ? [id] : []),
  });
  for (const id of unitIds) {
    compare(
      (await ask(`query($p: PeriodInput, $id: ID!) { unit(id: $id) { issueStats(period: $p) { ${FIGURES} } } }`, { id })).unit.issueStats,
      expected(perUnit.get(id)),
      `unit ${id}`,
    );
  }
  const politics = new Set(unitIds.slice(0, 2));
  const inDomain = (id: string | null) => (id && politics.has(id) ? ['POLITICS_LAW'] : []);
  const domain = recount(raw, period, now, { issue: (i) => inDomain(i.responsible_unit_id), unit: inDomain });
  compare(
    (await ask(`query($p: PeriodInput) { domain(code: "POLITICS_LAW") { issueStats(period: $p) { ${FIGURES} } } }`)).domain.issueStats,
    expected(domain.get('POLITICS_LAW')),
    'domain',
  );

  for (const [dimension, keyOf] of [
    ['ENVIRONMENT', (i: Raw['issues'][number]) => [i.environment]],
    ['SOURCE', (i: Raw['issues'][number]) => [i.source]],
    ['DISTRICT', (i: Raw['issues'][number]) => [i.district_code ?? 'NONE']],
  ] as const) {
    const groups = recount(raw, period, now, { issue: keyOf, unit: (_, i) => keyOf(i) });
    const answered = (
      await ask(`query($p: PeriodInput, $d: StatsDimension!) { issueStatsBy(dimension: $d, period: $p) { key stats { ${FIGURES} } } }`, {
        d: dimension,
      })
    ).issueStatsBy;
    expect(answered.map((g: any) => g.key).sort(), dimension).toEqual([...groups.keys()].sort());
    for (const group of answered) compare(group.stats, expected(groups.get(group.key)), `${dimension} ${group.key}`);
  }
  // A whole year too: read from the monthly figures, not the daily ones.
  const year = { from: new Date('2025-12-31T16:00:00Z'), to: new Date('2026-12-31T16:00:00Z') };
  const y = { from: '2026-01-01', to: '2026-12-31' };
  const cityYear = recount(raw, year, now, { issue: () => ['ALL'], unit: () => ['ALL'] });
  compare(
    (await ask(`query($y: PeriodInput) { issueStats(period: $y) { ${FIGURES} } }`, { y })).issueStats,
    expected(cityYear.get('ALL')),
    'city, year',
  );
  const perUnitYear = recount(raw, year, now, {
    issue: (i) => (i.responsible_unit_id ? [i.responsible_unit_id] : []),
    unit: (id) => (id ? [id] : []),
  });
  for (const id of unitIds) {
    compare(
      (await ask(`query($y: PeriodInput, $id: ID!) { unit(id: $id) { issueStats(period: $y) { ${FIGURES} } } }`, { id, y })).unit
        .issueStats,
      expected(perUnitYear.get(id)),
      `unit ${id}, year`,
    );
  }
  return city;
}

let run = 0;
/** What the generated sets held, all runs together: the recount must have had something to count. */
const seen: Record<string, number> = {};

describe('the figures, recounted from raw rows', () => {
  it('match a recount by the README’s definitions for generated sets of issues: city, units, a domain, and by environment, channel and district', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(script, { minLength: 6, maxLength: 12 }), async (scripts) => {
        // Each run has a period of its own, three weeks apart.
        const base = new Date('2026-01-05T00:00:00+08:00').getTime() + run++ * 28 * DAY;
        const period = { from: new Date(base), to: new Date(base + 14 * DAY) };
        let previous: string | null = null;
        for (const [index, s] of scripts.entries()) {
          const played = await play(s, index, base + index * DAY + s.startMinute * MINUTE, previous);
          if (played.open) previous = played.id;
        }
        // Twice: 20 days on, and 45 days on with no event between — open deadlines pass their due
        // time by the clock alone, and must count then as they would have had anyone looked.
        let city = new Map<string, Record<string, number>>();
        for (const daysOn of [20, 45]) {
          const now = new Date(base + daysOn * DAY);
          clock.set(now);
          const raw = await readRaw();
          city = await compareAll(raw, period, now);
          if (daysOn === 45) {
            const earlier = new Date(base + 20 * DAY);
            seen.passedDueByClock =
              (seen.passedDueByClock ?? 0) +
              raw.deadlines.filter((d) => !d.met_at && !d.cancelled_at && d.due_at && d.due_at > earlier && d.due_at <= now).length;
            seen.lapsed =
              (seen.lapsed ?? 0) + raw.deadlines.filter((d) => d.cancelled_at && d.judged_at && d.due_at && d.judged_at >= d.due_at).length;
          }
        }
        await expectKeptFiguresRebuildable(t);
        const all = city.get('ALL')!;
        for (const [part, value] of Object.entries(all)) seen[part] = (seen[part] ?? 0) + value;
        return (all.received ?? 0) >= scripts.length;
      }),
      { numRuns: 4, seed: 20261123, endOnFailure: true },
    );
    // The generated sets were not trivial: late and on-time stages, lapsed clocks, two-round ratings, follow-ups, both endings.
    for (const part of [
      'passedDueByClock',
      'contactOnTime',
      'contactDue',
      'feedbackDue',
      'resolutionDue',
      'lapsed',
      'rated',
      'firstRated',
      'reopened',
      'followedUp',
      'closed',
      'resolvedSolved',
      'resolvedServiceConfirmed',
      'overdueNow',
    ]) {
      expect(seen[part] ?? 0, part).toBeGreaterThan(0);
    }
    expect(seen.contactOnTime).toBeLessThan(seen.contactDue!);
  });
});

describe('many changes in one transaction', () => {
  it('are added up by the first firing of the deferred apply, and changes staged after an early apply or undone by a savepoint count right too', async () => {
    const owner = t.database.handle.owner();
    // Open deadlines of its own, whether or not the test above ran first.
    for (let i = 0; i < 7; i++) {
      const appeal = await submitAppeal(t);
      await act(t, callers.office, 'acceptIssue', { id: appeal.id });
      await act(t, callers.office, 'assignIssue', { id: appeal.id, unitId: unit('MARKET_REGULATION_BUREAU') });
    }
    const open = sql`select id from issues.issue_deadlines where met_at is null and cancelled_at is null and due_at is not null order by id`;
    const [counted] = rowsOf<{ n: number }>(await owner.execute(sql`select count(*)::int as n from (${open}) x`));
    expect(counted!.n).toBeGreaterThan(6);
    const move = (offset: number, days: number) =>
      sql`update issues.issue_deadlines set due_at = due_at + ${`${days} days`}::interval where id in (${open} offset ${offset} limit 3)`;
    await owner.transaction(async (tx) => {
      await tx.execute(move(0, 30));
      // The queued applies fire now: the first adds up what is staged, the rest find nothing to do.
      await tx.execute(sql`set constraints all immediate`);
      await tx.execute(sql`set constraints all deferred`);
      // Staged after that apply: must be added up at commit.
      await tx.execute(move(3, -30));
      // Staged, then undone with its savepoint: must leave no trace.
      await tx
        .transaction(async (savepoint) => {
          await savepoint.execute(move(0, 60));
          throw new Error('undo');
        })
        .catch((error: Error) => expect(error.message).toBe('undo'));
    });
    await expectKeptFiguresRebuildable(t);
  });
});
