/**
 * The platform starts on any date, sample data and all, whether or not the working-day calendar
 * has the year (issue #20: from 2026-12-28 the policies sample data reached 2027, which the shipped
 * calendar lacks, and `npm start` died). The clock is injected (the platform's one clock, as every
 * e2e test does); test/start-paths.test.ts runs the real `npm start` under faketime as well.
 *
 * Where a limit runs through 2027 it is provisional in every slice (weekends the only days off),
 * /ready and the start log say so without failing, and entering the year recomputes it everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../platform/log.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { TestClock } from './support/clock.ts';
import { expectKeptEqualsRebuild } from './support/database.ts';
import { expectKeptFiguresRebuildable } from './support/issues.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

const SLICES_COUNTING_WORKING_DAYS = ['issues', 'policies', 'evaluations'];

/** 2027 as a test enters it (the State Council's notice is not out yet): New Year's Day off. */
const YEAR_2027 = { year: 2027, notice: '2027 年部分节假日安排（测试数据）', off: ['2027-01-01'], workdays: [] as string[] };

async function startAt(at: string, lines: Record<string, unknown>[]): Promise<TestPlatform> {
  const clock = new TestClock(at);
  return startTestPlatform({
    now: clock.now,
    // A calendar copy is never trusted for long here: entering the year shows at the next request.
    env: { LOAD_SAMPLE_DATA: 'true', DIRECTORY_TTL_MS: '0' },
    logger: createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } }),
  });
}

async function ready(t: TestPlatform): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await fetch(`${t.gatewayUrl}ready`);
  return { status: response.status, checks: ((await response.json()) as { checks: Record<string, string> }).checks };
}

async function ok(t: TestPlatform, document: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await t.query(document, { as: 'COMMAND_OFFICE', variables });
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

const PROVISIONAL = /* GraphQL */ `
  {
    issues(first: 50) {
      totalCount
      edges {
        node {
          deadlines {
            dueAt
            provisional
            provisionalUntilYear
            workingDays
            hours
          }
        }
      }
    }
    applications(first: 100) {
      totalCount
      edges {
        node {
          id
          status
          provisional
          provisionalUntilYear
          reviewDueAt
          paymentDueAt
          publicNotice {
            endsOn
            provisional
          }
          objections {
            answerDueAt
            provisional
          }
        }
      }
    }
    serviceReviews(first: 50) {
      totalCount
      edges {
        node {
          id
          unit {
            id
          }
          reviewedAt
          provisional
          pendingCalendarYear
          answerDueAt
          rectifyDueAt
        }
      }
    }
  }
`;

describe.each(['2026-12-28T09:00:00+08:00', '2027-01-04T09:00:00+08:00', '2027-06-30T09:00:00+08:00'])(
  'a fresh start with sample data on %s, 2027 not in the calendar',
  (at) => {
    let t: TestPlatform;
    const lines: Record<string, unknown>[] = [];
    beforeAll(async () => {
      t = await startAt(at, lines);
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('starts, with every slice’s sample data loaded', async () => {
      const data = await ok(t, PROVISIONAL);
      // The ten sample issues, the two problems 市公安局's sample self-check filing turned into issues (plan duties, #26),
      // the problem 市税务局's principal found in a hall and the sample project's obstacle (#26 §2, §3),
      // and the duplicate pair waiting for intake (多头反映, #26 §7).
      expect(data.issues.totalCount).toBe(16);
      expect(data.applications.totalCount).toBeGreaterThan(10);
      expect(data.serviceReviews.totalCount).toBe(9);
      // The plan's records near today: 市税务局's principal served this quarter (two days ago), 市商务局's has not;
      // the enterprise point was last visited 40 days ago, the project point yesterday.
      const records = await ok(
        t,
        `{ hallDuty { served notServed { id } } signedProjects { totalCount edges { node { sample daysSinceSigning } } }
          monitoringPoints(filter: { unvisitedOnly: true }) { totalCount edges { node { kind sample } } } }`,
      );
      expect(records.hallDuty.served).toBe(1);
      expect(records.hallDuty.notServed.map((u: { id: string }) => u.id)).toContain(unitIdForCode('COMMERCE_BUREAU'));
      expect(records.signedProjects.edges).toEqual([{ node: { sample: true, daysSinceSigning: 500 } }]);
      expect(records.monitoringPoints.edges).toEqual([{ node: { kind: 'ENTERPRISE', sample: true } }]);
    });

    it('is ready, and /ready warns that 2027 is missing in every slice that counts working days', async () => {
      const { status, checks } = await ready(t);
      expect(status).toBe(200);
      for (const slice of SLICES_COUNTING_WORKING_DAYS) {
        expect(checks[slice]).toBe('ok');
        expect(checks[`${slice}.calendar`], slice).toMatch(/^warning: no working-day calendar for 2027 .*provisional/);
      }
    });

    it('says the same in the start log, as warnings', () => {
      for (const slice of SLICES_COUNTING_WORKING_DAYS) {
        const warning = lines.find((line) => line.service === slice && line.check === 'calendar');
        expect(warning, `${slice}: ${JSON.stringify(lines)}`).toMatchObject({
          level: 40,
          msg: expect.stringMatching(/no working-day calendar for 2027/),
        });
      }
      expect(
        lines.filter((line) => (line.level as number) >= 50),
        JSON.stringify(lines),
      ).toEqual([]);
    });

    it('marks the limits reaching 2027 provisional in every slice, and only those', async () => {
      const data = await ok(t, PROVISIONAL);
      // Limits counted in working days or office hours (a planned milestone's date is no count).
      const deadlines = data.issues.edges
        .flatMap((e: any) => e.node.deadlines)
        .filter((d: any) => d.workingDays !== null || d.hours !== null);
      const applications = data.applications.edges.map((e: any) => e.node);
      const reviews = data.serviceReviews.edges.map((e: any) => e.node);
      for (const [slice, rows, due] of [
        ['issues', deadlines, (d: any) => [d.dueAt]],
        ['policies', applications, (a: any) => [a.reviewDueAt, a.paymentDueAt]],
        ['evaluations', reviews, (r: any) => [r.answerDueAt, r.rectifyDueAt]],
      ] as const) {
        const provisional = rows.filter((row: any) => row.provisional);
        expect(provisional.length, `${slice}: some limit reaches 2027`).toBeGreaterThan(0);
        for (const row of provisional) expect(row.provisionalUntilYear ?? row.pendingCalendarYear, slice).toBe(2027);
        // A final limit never ends in the year the calendar lacks.
        for (const row of rows.filter((r: any) => !r.provisional)) {
          for (const dueAt of due(row))
            if (dueAt) expect(dueAt < '2027-01-01T00:00:01+08:00', `${slice}: ${JSON.stringify(row)}`).toBe(true);
        }
      }
    });
  },
);

describe('entering 2027 after a start on 2026-12-28', () => {
  let t: TestPlatform;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    t = await startAt('2026-12-28T09:00:00+08:00', lines);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('recomputes the provisional limits in every slice, and the warnings go', async () => {
    const before = await ok(t, PROVISIONAL);
    // The sample grant in public notice since Friday 12-25: five working days counted as if 2027-01-01 were one.
    const inNotice = before.applications.edges.map((e: any) => e.node).find((a: any) => a.publicNotice?.provisional);
    expect(inNotice).toMatchObject({
      status: 'PUBLIC_NOTICE',
      provisional: true,
      provisionalUntilYear: 2027,
      publicNotice: { endsOn: '2027-01-01', provisional: true },
    });
    // The sample objection and its marked duplicate: each answered by the end of the notice.
    expect(inNotice.objections.length).toBeGreaterThan(0);
    for (const objection of inNotice.objections) expect(objection).toEqual({ answerDueAt: '2027-01-02T00:00:00+08:00', provisional: true });
    // Approved on Sunday 12-20, 15 working days to pay.
    expect(inNotice.paymentDueAt).toBe('2027-01-09T00:00:00+08:00');
    // The review of the science bureau given this morning: answer tomorrow (final), rectify in 15 working days (provisional).
    const science = unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU');
    const review = before.serviceReviews.edges.map((e: any) => e.node).find((r: any) => r.unit.id === science);
    expect(review).toMatchObject({
      provisional: true,
      pendingCalendarYear: 2027,
      answerDueAt: '2026-12-30T00:00:00+08:00',
      rectifyDueAt: '2027-01-19T00:00:00+08:00',
    });

    await ok(t, `mutation($input: CalendarYearInput!) { setCalendarYear(input: $input) { year } }`, { input: YEAR_2027 });

    const after = await ok(t, PROVISIONAL);
    const notice = after.applications.edges.map((e: any) => e.node).find((a: any) => a.id === inNotice.id);
    expect(notice).toMatchObject({
      provisional: false,
      provisionalUntilYear: null,
      publicNotice: { endsOn: '2027-01-04', provisional: false },
      paymentDueAt: '2027-01-12T00:00:00+08:00',
    });
    expect(notice.objections.length).toBe(inNotice.objections.length);
    for (const objection of notice.objections) expect(objection).toEqual({ answerDueAt: '2027-01-05T00:00:00+08:00', provisional: false });
    expect(after.serviceReviews.edges.map((e: any) => e.node).find((r: any) => r.id === review.id)).toMatchObject({
      provisional: false,
      pendingCalendarYear: null,
      answerDueAt: '2026-12-30T00:00:00+08:00',
      rectifyDueAt: '2027-01-20T00:00:00+08:00',
    });
    for (const slice of [
      after.issues.edges.flatMap((e: any) => e.node.deadlines),
      after.applications.edges.map((e: any) => e.node),
      after.serviceReviews.edges.map((e: any) => e.node),
    ]) {
      expect(slice.filter((row: any) => row.provisional)).toEqual([]);
    }

    const { status, checks } = await ready(t);
    expect(status).toBe(200);
    for (const slice of SLICES_COUNTING_WORKING_DAYS) expect(checks[`${slice}.calendar`], slice).toBeUndefined();

    // The kept figures moved with the recomputed limits exactly as a recount from the rows says.
    const owner = t.database.handle.owner();
    for (const [table, keys] of [
      ['policies.policy_figures', ['unit_id', 'day']],
      ['policies.cycle_figures', ['unit_id', 'day', 'working_days']],
    ] as const) {
      await expectKeptEqualsRebuild(owner, {
        table,
        keys: [...keys],
        rebuild: 'policies.rebuild_figures',
        staging: 'policies.figure_changes',
      });
    }
    await expectKeptEqualsRebuild(owner, {
      table: 'evaluations.review_figures',
      keys: ['unit_id', 'day'],
      rebuild: 'evaluations.rebuild_review_figures',
      staging: 'evaluations.review_figure_changes',
    });
    await expectKeptFiguresRebuildable(t);
  });
});
