/**
 * 青融通's figures, recounted (issue #24). Demands are driven through the API over several days —
 * posted and imported, routed, claimed by an institution's or a branch's token early or past the
 * claim limit, chosen by the enterprise, dispatched by the regulator, left open — and then this file
 * reads the raw rows (demand_events, demand_routes, demands, loans, demand_limits) and recounts
 * every figure of every group by the definitions in subgraphs/financing/figures.ts, independently of
 * the kept tables and their SQL, and compares for the whole time, a period of whole months and days
 * at its edges, and one day: exact equality. Also: who reads which figures, one SQL statement
 * whatever the number of institutions, and Enterprise.financingDemands / loans through the gateway.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { beijingDate } from '../platform/calendar.ts';
import { CLAIM_BANDS } from '../subgraphs/financing/figures.ts';
import { HOUR, MINUTE, TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2026-03-02T09:00:00+08:00'); // a Monday
let t: TestPlatform;
const REGULATOR: Caller = { role: 'UNIT_STAFF', unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' };
const SHINAN = '370202';
const LAOSHAN = '370212';
const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

async function must<T = any>(what: string, response: Promise<GraphQLResponse<T>>): Promise<T> {
  const answer = await response;
  if (answer.errors) throw new Error(`${what}: ${JSON.stringify(answer.errors)}`);
  return answer.data as T;
}

const firms = [
  { creditCode: sampleCreditCode(SHINAN, 9_301), name: '统计测试商贸有限公司', districtCode: SHINAN },
  { creditCode: sampleCreditCode(LAOSHAN, 9_302), name: '统计测试科技有限公司', districtCode: LAOSHAN },
].map((firm) => ({ ...firm, industryCode: 'F5191', sizeClass: 'SMALL', registeredOn: '2019-05-01', qualifications: [] }));
const enterpriseOf = (creditCode: string): Caller => ({ role: 'ENTERPRISE', enterprise: creditCode });

interface Bank {
  id: string;
  staff: Caller;
  branches: Record<string, { id: string; staff: Caller }>;
}
let serial = 0;
/** An institution serving both districts, a branch in each, and a credit and a first-loan product. */
async function bank(): Promise<Bank> {
  const n = ++serial;
  const made = await must(
    'institution',
    t.query(
      `mutation($name: String!, $code: String!) { createFinancialInstitution(input: { name: $name, kind: BANK, creditCode: $code, districtCodes: ["${SHINAN}", "${LAOSHAN}"], contact: "0532-1" }) { id } }`,
      { as: REGULATOR, variables: { name: `统计测试银行${n}`, code: sampleCreditCode('370203', 7_000 + n) } },
    ),
  );
  const id = made.createFinancialInstitution.id as string;
  const branches: Bank['branches'] = {};
  for (const district of [SHINAN, LAOSHAN]) {
    const branch = await must(
      'branch',
      t.query(
        `mutation($id: ID!, $name: String!, $d: String!) { createBranch(input: { institutionId: $id, name: $name, districtCode: $d, contact: "0532-2" }) { id } }`,
        { as: REGULATOR, variables: { id, name: `统计测试银行${n}${district}网点`, d: district } },
      ),
    );
    const branchId = branch.createBranch.id as string;
    branches[district] = { id: branchId, staff: { role: 'FINANCIAL_INSTITUTION', institution: id, branch: branchId } };
  }
  for (const category of ['CREDIT', 'FIRST_LOAN']) {
    await must(
      'product',
      t.query(`mutation($input: CreateFinancialProductInput!) { createFinancialProduct(input: $input) { id } }`, {
        as: REGULATOR,
        variables: {
          input: {
            institutionId: id,
            name: `统计测试${category}${n}`,
            category,
            description: '统计测试产品',
            amountMin: 10_000,
            amountMax: 5_000_000,
            termMinMonths: 3,
            termMaxMonths: 60,
            lprTenor: 'ONE_YEAR',
            spreadMinBp: 0,
            spreadMaxBp: 200,
            guaranteeMode: 'PURE_CREDIT',
            districtCodes: [SHINAN, LAOSHAN],
          },
        },
      }),
    );
  }
  return { id, staff: { role: 'FINANCIAL_INSTITUTION', institution: id }, branches };
}

let banks: Bank[] = [];
const demandIds: string[] = [];

/** A small deterministic generator, so a failure replays. */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(state / 65_536) % below;
  };
}

/** What happens to one demand after it is posted. */
type Fate = 'OPEN' | 'CLAIM_INSTITUTION' | 'CLAIM_BRANCH' | 'CLAIM_LATE' | 'CHOOSE' | 'DISPATCH';
const FATES: Fate[] = ['OPEN', 'CLAIM_INSTITUTION', 'CLAIM_BRANCH', 'CLAIM_LATE', 'CHOOSE', 'DISPATCH'];

async function play(index: number, next: (below: number) => number, day: number) {
  const firm = firms[next(firms.length)]!;
  const start = new Date(Date.parse('2026-03-02T08:30:00+08:00') + day * 24 * HOUR + next(10 * 60) * MINUTE);
  clock.set(start);
  const amount = (1 + next(40)) * 25_000;
  const imported = next(5) === 0;
  const input = {
    creditCode: firm.creditCode,
    amount,
    termMonths: 6 + next(30),
    purpose: '补充流动资金',
    guaranteeOffered: 'PURE_CREDIT',
    firstLoan: next(2) === 0,
    contact: '王经理 13900000000',
    creditReportConsent: true,
  };
  const posted = imported
    ? (
        await must(
          'import',
          t.query(`mutation($input: ImportFinancingDemandInput!) { importFinancingDemand(input: $input) { id } }`, {
            as: REGULATOR,
            variables: { input: { ...input, source: 'XINYIDAI', externalRef: `XYD-FIG-${index}` } },
          }),
        )
      ).importFinancingDemand
    : (
        await must(
          'post',
          t.query(`mutation($input: PostFinancingDemandInput!) { postFinancingDemand(input: $input) { id } }`, {
            as: enterpriseOf(firm.creditCode),
            variables: { input: { ...input, clientRequestId: `figures-${index}` } },
          }),
        )
      ).postFinancingDemand;
  const id = posted.id as string;
  demandIds.push(id);
  const fate = FATES[next(FATES.length)]!;
  const holder = banks[next(banks.length)]!;
  clock.advance((1 + next(300)) * MINUTE);
  if (fate === 'CLAIM_LATE') clock.advance(3 * 24 * HOUR);
  const CLAIM = `mutation($id: ID!) { claimFinancingDemand(id: $id) { id } }`;
  if (fate === 'CLAIM_INSTITUTION' || fate === 'CLAIM_LATE') await must('claim', t.query(CLAIM, { as: holder.staff, variables: { id } }));
  if (fate === 'CLAIM_BRANCH') {
    const branch = present(holder.branches[firm.districtCode]);
    await must('claim by a branch', t.query(CLAIM, { as: branch.staff, variables: { id } }));
  }
  if (fate === 'CHOOSE') {
    await must(
      'choose',
      t.query(`mutation($id: ID!, $i: ID!) { chooseFinancialInstitution(id: $id, institutionId: $i) { id } }`, {
        as: enterpriseOf(firm.creditCode),
        variables: { id, i: holder.id },
      }),
    );
  }
  if (fate === 'DISPATCH') {
    await must(
      'dispatch',
      t.query(
        `mutation($id: ID!, $i: ID!, $b: ID) { dispatchFinancingDemand(id: $id, institutionId: $i, branchId: $b, note: "兜底") { id } }`,
        {
          as: REGULATOR,
          variables: { id, i: holder.id, b: present(holder.branches[firm.districtCode]).id },
        },
      ),
    );
  }
  if (fate !== 'OPEN') {
    // Whoever holds it now acts as the holder: the institution's own staff.
    const held = await must(
      'holder',
      t.query(`query($id: ID!) { financingDemand(id: $id) { institution { id } } }`, { as: REGULATOR, variables: { id } }),
    );
    const holding = present(banks.find((b) => b.id === held.financingDemand.institution.id));
    await conclude(id, holding.staff, enterpriseOf(firm.creditCode), amount, next);
  }
}

/** What the holder and the enterprise do after the hold. */
type Ending = 'NONE' | 'CONTACT' | 'APPROVE' | 'DISBURSE' | 'DECLINE' | 'WITHDRAW' | 'LAPSE';
const ENDINGS: Ending[] = ['NONE', 'CONTACT', 'APPROVE', 'DISBURSE', 'DISBURSE', 'DECLINE', 'WITHDRAW', 'LAPSE'];
let concluded = 0;
const RATINGS = ['VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED', 'VERY_UNSATISFIED'];

/** Drives a held demand on: contact, approval, a partial loan received and rated, a decline rated, a withdrawal, or a lapse. */
async function conclude(id: string, holder: Caller, enterprise: Caller, amount: number, next: (below: number) => number) {
  // Every ending in turn, so each is driven whatever the seed.
  const ending = ENDINGS[concluded++ % ENDINGS.length]!;
  const step = (what: string, document: string, as: Caller, variables: Record<string, unknown> = {}) =>
    must(what, t.query(document, { as, variables: { id, ...variables } }));
  if (ending === 'NONE') return;
  if (ending === 'LAPSE') {
    // Past the contact limit: the next read returns the hold to the pool (RETURNED, the lapse kept).
    clock.advance(5 * 24 * HOUR);
    await step('read after the lapse', `query($id: ID!) { financingDemand(id: $id) { status } }`, REGULATOR);
    return;
  }
  clock.advance((10 + next(600)) * MINUTE);
  if (ending === 'WITHDRAW') {
    await step('withdraw', `mutation($id: ID!) { withdrawFinancingDemand(id: $id, reason: "已获得资金") { id } }`, enterprise);
    return;
  }
  await step('contact', `mutation($id: ID!) { recordFinancingContact(id: $id, note: "已电话联系") { id } }`, holder);
  if (ending === 'CONTACT') return;
  clock.advance((1 + next(4)) * 24 * HOUR);
  const rate = (what: string) =>
    step(what, `mutation($id: ID!, $r: FinancingRating!) { rateFinancialInstitution(id: $id, rating: $r) { id } }`, enterprise, {
      r: RATINGS[next(RATINGS.length)],
    });
  if (ending === 'DECLINE') {
    await step(
      'decline',
      `mutation($id: ID!) { declineFinancing(id: $id, reasonCode: WEAK_FINANCES, reason: "经营流水不足") { id } }`,
      holder,
    );
    await rate('rate a decline');
    return;
  }
  const approved = Math.max(10_000, Math.round((amount * (30 + next(70))) / 100 / 10_000) * 10_000);
  await step('approve', `mutation($id: ID!, $a: Float!) { approveFinancing(id: $id, amount: $a) { id } }`, holder, { a: approved });
  if (ending === 'APPROVE') return;
  clock.advance((1 + next(48)) * HOUR);
  const today = clock.now().toISOString().slice(0, 10);
  await step(
    'disburse',
    `mutation($id: ID!, $input: LoanDisbursementInput!) { recordLoanDisbursement(id: $id, input: $input) { id } }`,
    holder,
    {
      input: {
        amount: approved - (next(2) ? 10_000 : 0) || approved,
        disbursedOn: today,
        ratePercent: 3.45 + next(20) / 100,
        termMonths: 12,
        guaranteeMode: next(3) ? 'PURE_CREDIT' : 'GUARANTEE',
        loanRef: `FIG-LOAN-${id.slice(0, 8)}`,
      },
    },
  );
  clock.advance(2 * HOUR);
  await step('confirm', `mutation($id: ID!) { confirmLoanReceived(id: $id) { id } }`, enterprise);
  await rate('rate a loan');
}

function present<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw new Error('missing');
  return value;
}

// ───────────── the recount, from the raw rows ─────────────

interface Tally {
  [part: string]: number;
}
type Groups = Map<string, { tally: Tally; claimMinutes: number[]; decisionDays: number[] }>;

const groupOf = (groups: Groups, dimension: string, key: string) => {
  const id = `${dimension}|${key}`;
  let group = groups.get(id);
  if (!group) {
    group = { tally: {}, claimMinutes: [], decisionDays: [] };
    groups.set(id, group);
  }
  return group;
};
const add = (group: { tally: Tally }, part: string, amount = 1) => {
  group.tally[part] = (group.tally[part] ?? 0) + amount;
};
/** percentile_cont(0.5): the mean of the two middle values. */
const median = (values: number[]): number | null => {
  if (!values.length) return null;
  const sorted = [...values].sort((x, y) => x - y);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};
/**
 * The median of minutes as the figures define it (subgraphs/financing/figures.ts): the band of
 * CLAIM_BANDS holding the middle (half the count), interpolated linearly within it, in hours.
 */
const bandedMedianHours = (minutes: number[]): number | null => {
  if (!minutes.length) return null;
  const bandOf = (value: number) => CLAIM_BANDS.filter((low) => value >= low).length - 1;
  const counts = CLAIM_BANDS.map((_, band) => minutes.filter((value) => bandOf(value) === band).length);
  const rank = minutes.length / 2;
  let before = 0;
  for (const [band, n] of counts.entries()) {
    if (n > 0 && before + n >= rank) {
      const low = CLAIM_BANDS[band]!;
      const high = CLAIM_BANDS[band + 1];
      return (high === undefined ? low : low + ((high - low) * (rank - before)) / n) / 60;
    }
    before += n;
  }
  return null;
};

async function rows<T>(query: string): Promise<T[]> {
  return rowsOf<T>(await t.database.handle.owner().execute(sql.raw(query)));
}

const HOLDS = ['CLAIMED', 'DISPATCHED', 'CHOSEN'];
const SCORES: Record<string, number> = { VERY_SATISFIED: 5, SATISFIED: 4, BASICALLY_SATISFIED: 3, UNSATISFIED: 2, VERY_UNSATISFIED: 1 };

/** Every figure of every group for the days from…to (inclusive; null: all time), recounted from the raw rows. */
async function recount(days: { from: string; to: string } | null): Promise<Groups> {
  const inPeriod = (at: Date | string) => {
    const day = beijingDate(new Date(at));
    return !days || (day >= days.from && day <= days.to);
  };
  const demands = new Map(
    (
      await rows<{ id: string; district_code: string; category: string; amount: string; posted_at: string; rating: string | null }>(
        'select id, district_code, category, amount, posted_at, rating from financing.demands',
      )
    ).map((row) => [row.id, row]),
  );
  const groups: Groups = new Map();
  const keys = (demandId: string, institution: string | null, branch: string | null) => {
    const demand = present(demands.get(demandId));
    return [
      groupOf(groups, 'CITY', ''),
      groupOf(groups, 'DISTRICT', demand.district_code),
      groupOf(groups, 'CATEGORY', demand.category),
      ...(institution ? [groupOf(groups, 'INSTITUTION', institution)] : []),
      ...(branch ? [groupOf(groups, 'BRANCH', branch)] : []),
    ];
  };
  const events = await rows<{
    demand_id: string;
    kind: string;
    at: string;
    institution_id: string | null;
    branch_id: string | null;
    data: any;
  }>('select demand_id, kind, at, institution_id, branch_id, data from financing.demand_events order by id');
  const routes = await rows<{ demand_id: string; institution_id: string; branch_id: string | null }>(
    'select demand_id, institution_id, branch_id from financing.demand_routes',
  );
  for (const event of events.filter((row) => inPeriod(row.at))) {
    const demand = present(demands.get(event.demand_id));
    const groupsOfEvent = keys(event.demand_id, event.institution_id, event.branch_id);
    const simple: Record<string, string> = {
      ROUTED: 'routed',
      CLAIMED: 'claimed',
      DISPATCHED: 'dispatched',
      CHOSEN: 'chosen',
      APPROVED: 'approved',
      DECLINED: 'declined',
      WITHDRAWN: 'withdrawn',
    };
    for (const group of groupsOfEvent) {
      if (event.kind === 'POSTED' || event.kind === 'IMPORTED') {
        add(group, 'posted');
        add(group, 'amountAsked', Number(demand.amount));
      }
      if (simple[event.kind]) add(group, present(simple[event.kind]));
      if (HOLDS.includes(event.kind)) {
        group.claimMinutes.push(Math.floor((new Date(event.at).getTime() - new Date(demand.posted_at).getTime()) / MINUTE));
      }
      if (event.kind === 'APPROVED' || event.kind === 'DECLINED') group.decisionDays.push(event.data.workingDaysToDecision);
      if (event.kind === 'RATED') {
        add(group, 'ratings');
        add(group, 'ratingScoreSum', present(SCORES[present(demand.rating)]));
      }
    }
    if (event.kind === 'ROUTED') {
      for (const route of routes.filter((row) => row.demand_id === event.demand_id)) {
        add(groupOf(groups, 'INSTITUTION', route.institution_id), 'routed');
        if (route.branch_id) add(groupOf(groups, 'BRANCH', route.branch_id), 'routed');
      }
    }
  }
  const loans = await rows<{
    demand_id: string;
    institution_id: string;
    branch_id: string | null;
    amount: string;
    rate_bp: number;
    pure_credit: boolean;
    first_loan: boolean;
    created_at: string;
  }>('select demand_id, institution_id, branch_id, amount, rate_bp, pure_credit, first_loan, created_at from financing.loans');
  for (const loan of loans.filter((row) => inPeriod(row.created_at))) {
    for (const group of keys(loan.demand_id, loan.institution_id, loan.branch_id)) {
      const amount = Number(loan.amount);
      add(group, 'disbursed');
      add(group, 'amountLent', amount);
      add(group, 'rateBpSum', loan.rate_bp);
      if (loan.first_loan) {
        add(group, 'firstLoans');
        add(group, 'firstLoanAmount', amount);
      }
      if (loan.pure_credit) {
        add(group, 'pureCreditLoans');
        add(group, 'pureCreditAmount', amount);
      }
    }
  }
  const late = await rows<{ demand_id: string; institution_id: string | null; branch_id: string | null; stopped: string }>(
    `select demand_id, institution_id, branch_id, coalesce(met_at, ended_at) as stopped from financing.demand_limits
      where coalesce(met_at, ended_at) >= due_at`,
  );
  for (const limit of late.filter((row) => inPeriod(row.stopped))) {
    for (const group of keys(limit.demand_id, limit.institution_id, limit.branch_id)) add(group, 'pastLimit');
  }
  return groups;
}

const COUNTS = [
  'posted',
  'routed',
  'claimed',
  'dispatched',
  'chosen',
  'approved',
  'disbursed',
  'declined',
  'withdrawn',
  'amountAsked',
  'amountLent',
  'firstLoans',
  'firstLoanAmount',
  'pureCreditLoans',
  'pureCreditAmount',
  'pastLimit',
  'ratings',
];
const FIGURES = `{ ${COUNTS.join(' ')} medianHoursToClaim medianWorkingDaysToDecision averageRatePercent averageRating }`;
const STATS = /* GraphQL */ `
  query Stats($period: PeriodInput) {
    financingStats(period: $period) {
      city ${FIGURES}
      institutions { key name figures ${FIGURES} }
      branches { key name figures ${FIGURES} }
      districts { key name figures ${FIGURES} }
      categories { key name figures ${FIGURES} }
    }
  }
`;

/** The figures the schema shows for a recounted group (zeros and nulls where nothing happened). */
function expected(group: { tally: Tally; claimMinutes: number[]; decisionDays: number[] } | undefined) {
  const tally = group?.tally ?? {};
  const figures: Record<string, number | null> = Object.fromEntries(COUNTS.map((part) => [part, tally[part] ?? 0]));
  figures.medianHoursToClaim = bandedMedianHours(group?.claimMinutes ?? []);
  figures.medianWorkingDaysToDecision = median(group?.decisionDays ?? []);
  figures.averageRatePercent = tally.disbursed ? (tally.rateBpSum ?? 0) / tally.disbursed / 100 : null;
  figures.averageRating = tally.ratings ? (tally.ratingScoreSum ?? 0) / tally.ratings : null;
  return figures;
}

async function compare(period: { from: string; to: string } | null) {
  const answer = await must('stats', t.query(STATS, { as: REGULATOR, variables: { period } }));
  const stats = answer.financingStats;
  const groups = await recount(period);
  expect(stats.city).toEqual(expected(groups.get('CITY|')));
  const dimensions = { institutions: 'INSTITUTION', branches: 'BRANCH', districts: 'DISTRICT', categories: 'CATEGORY' } as const;
  let nonZero = 0;
  for (const [field, dimension] of Object.entries(dimensions)) {
    const shown = stats[field] as { key: string; figures: Record<string, number | null> }[];
    for (const group of shown) {
      expect({ dimension, key: group.key, figures: group.figures }).toEqual({
        dimension,
        key: group.key,
        figures: expected(groups.get(`${dimension}|${group.key}`)),
      });
      if (group.figures.posted || group.figures.routed || group.figures.claimed) nonZero += 1;
    }
    // Every group the recount found is shown.
    const recounted = [...groups.keys()].filter((id) => id.startsWith(`${dimension}|`)).map((id) => id.slice(dimension.length + 1));
    expect(shown.map((group) => group.key)).toEqual(expect.arrayContaining(recounted));
  }
  return { stats, nonZero };
}

beforeAll(async () => {
  // The clock is moved by the test: the background sweep of lapsed holds is off (test/financing-sweep.e2e.ts
  // tests it), so every return happens on the request that looks — at the instant the test set.
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false' } });
  for (const firm of firms) {
    await must(
      'enterprise',
      t.query(`mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`, {
        as: 'COMMAND_OFFICE',
        variables: { input: firm },
      }),
    );
  }
  banks = [await bank(), await bank(), await bank()];
  const next = random(24);
  // Over three weeks, so a period has whole days at its edges; the first month-end is crossed.
  for (let index = 0; index < 36; index += 1) await play(index, next, Math.floor(index / 2) + 14);
}, 240_000);
afterAll(async () => {
  await t?.stop();
});

describe('financingStats equals a recount from the raw rows', () => {
  it('for all time, with every fate driven (claims early and late, by a branch, chosen, dispatched, imported; contacted, approved, lent, received, declined, withdrawn, rated, lapsed)', async () => {
    const { stats } = await compare(null);
    expect(stats.city.posted).toBe(36);
    for (const part of ['approved', 'disbursed', 'declined', 'withdrawn', 'ratings', 'amountLent']) {
      expect(stats.city[part], part).toBeGreaterThan(0);
    }
    expect(stats.city.claimed).toBeGreaterThan(0);
    expect(stats.city.chosen).toBeGreaterThan(0);
    expect(stats.city.dispatched).toBeGreaterThan(0);
    expect(stats.city.pastLimit).toBeGreaterThan(0);
    expect(stats.city.medianHoursToClaim).not.toBeNull();
    expect(stats.districts.map((group: { key: string; name: string }) => group.name)).toContain('市南区');
    expect(stats.categories.find((group: { key: string }) => group.key === 'CREDIT').name).toBe('信用贷');
  });

  it('for a period of a whole month with days at either edge, and for one day', async () => {
    const { nonZero } = await compare({ from: '2026-03-20', to: '2026-04-05' });
    expect(nonZero).toBeGreaterThan(3);
    await compare({ from: '2026-03-25', to: '2026-03-25' });
    await compare({ from: '2026-03-01', to: '2026-03-31' });
  });

  it('kept rows of a day add up to those of its month', async () => {
    const mismatched = await rows<{ n: number }>(`
      select count(*)::int as n from (
        select dimension, key, date_trunc('month', day)::date as month, sum(posted) as posted, sum(claimed) as claimed, sum(past_limit) as past
          from financing.figures group by 1, 2, 3
      ) d full join financing.figures_monthly m using (dimension, key, month)
      where d.posted is distinct from m.posted or d.claimed is distinct from m.claimed or d.past is distinct from m.past_limit`);
    expect(mismatched[0]?.n).toBe(0);
  });

  it('the all-time rows (figure_totals) add up the months, and every group counted has moved its version', async () => {
    const mismatched = await rows<{ n: number }>(`
      select count(*)::int as n from (
        select dimension, key, sum(posted) as posted, sum(routed) as routed, sum(claimed) as claimed, sum(amount_lent) as lent,
          sum(past_limit) as past, sum(rating_score_sum) as score,
          array(select sum(b) from financing.figures_monthly i, unnest(i.claim_bands) with ordinality as u(b, n)
                 where i.dimension = m.dimension and i.key = m.key group by n order by n) as bands
          from financing.figures_monthly m group by 1, 2
      ) m full join financing.figure_totals t using (dimension, key)
      where m.posted is distinct from t.posted or m.routed is distinct from t.routed or m.claimed is distinct from t.claimed
        or m.lent is distinct from t.amount_lent or m.past is distinct from t.past_limit or m.score is distinct from t.rating_score_sum
        or m.bands::int[] is distinct from t.claim_bands or t.version < 1`);
    expect(mismatched[0]?.n).toBe(0);
    const city = await rows<{ version: number }>(`select version::int as version from financing.figure_totals where dimension = 'CITY'`);
    // Created by the first step counted, moved by every later one.
    expect(city[0]?.version).toBeGreaterThan(36);
  });
});

describe('who reads the figures', () => {
  it('the command office reads everything; an institution its own and its branches only, without the city', async () => {
    const office = await must('office', t.query(STATS, { as: 'COMMAND_OFFICE' }));
    expect(office.financingStats.institutions.length).toBeGreaterThanOrEqual(3);
    const own = present(banks[0]);
    const answer = await must('own', t.querySubgraph('financing', STATS, { as: own.staff }));
    expect(answer.financingStats.city).toBeNull();
    expect(answer.financingStats.institutions.map((group: { key: string }) => group.key)).toEqual([own.id]);
    expect(answer.financingStats.branches.map((group: { key: string }) => group.key).sort()).toEqual(
      Object.values(own.branches)
        .map((branch) => branch.id)
        .sort(),
    );
    expect(answer.financingStats.districts).toEqual([]);
    const all = office.financingStats.institutions.find((group: { key: string }) => group.key === own.id);
    expect(answer.financingStats.institutions[0]).toEqual(all);
  });

  it('a branch, an enterprise, another bureau: FORBIDDEN; anonymous: UNAUTHENTICATED', async () => {
    const refused: Caller[] = [
      present(present(banks[0]).branches[SHINAN]).staff,
      enterpriseOf(present(firms[0]).creditCode),
      { role: 'UNIT_STAFF', unit: 'TAX_BUREAU' },
    ];
    for (const caller of refused) {
      for (const answer of [await t.query(STATS, { as: caller }), await t.querySubgraph('financing', STATS, { as: caller })]) {
        expect(code(answer)).toBe('FORBIDDEN');
        expect(answer.data?.financingStats ?? null).toBeNull();
      }
    }
    expect(code(await t.query(STATS))).toBe('UNAUTHENTICATED');
  });

  it('a period ending before it starts: BAD_USER_INPUT', async () => {
    expect(code(await t.query(STATS, { as: REGULATOR, variables: { period: { from: '2026-03-10', to: '2026-03-01' } } }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('every institution at once in one SQL statement, however many there are', async () => {
    const statements = present(t.platform.statements.financing);
    const measure = async () => {
      statements.count = 0;
      await must(
        'stats',
        t.querySubgraph('financing', STATS, { as: REGULATOR, variables: { period: { from: '2026-03-01', to: '2026-04-10' } } }),
      );
      return statements.count;
    };
    const before = await measure();
    banks.push(await bank(), await bank());
    const after = await measure();
    expect(before).toBe(1);
    expect(after).toBe(1);
  });
});

describe('Enterprise.financingDemands and Enterprise.loans, through the gateway', () => {
  const ENTERPRISE = /* GraphQL */ `
    query ($code: String!) {
      enterprise(creditCode: $code) {
        name
        financingDemands(first: 50) {
          totalCount
          edges {
            node {
              id
              amount
              status
            }
          }
        }
        loans {
          id
          amount
        }
      }
    }
  `;
  it('the enterprise itself, the regulator and the command office read them', async () => {
    const firm = present(firms[0]);
    const own = (await rows<{ id: string }>(`select id from financing.demands where credit_code = '${firm.creditCode}'`)).map(
      (row) => row.id,
    );
    expect(own.length).toBeGreaterThan(0);
    for (const caller of [enterpriseOf(firm.creditCode), REGULATOR, 'COMMAND_OFFICE' as Caller]) {
      const answer = await must('enterprise', t.query(ENTERPRISE, { as: caller, variables: { code: firm.creditCode } }));
      expect(answer.enterprise.name).toBe(firm.name);
      expect(answer.enterprise.financingDemands.totalCount).toBe(own.length);
      expect(answer.enterprise.financingDemands.edges.map((edge: { node: { id: string } }) => edge.node.id).sort()).toEqual(
        [...own].sort(),
      );
      const lent = await rows<{ id: string; amount: string }>(
        `select id, amount from financing.loans where credit_code = '${firm.creditCode}'`,
      );
      expect(answer.enterprise.loans.map((loan: { id: string; amount: number }) => [loan.id, loan.amount]).sort()).toEqual(
        lent.map((loan) => [loan.id, Number(loan.amount)]).sort(),
      );
    }
  });

  it('anyone else gets null for them, the enterprise itself still answering', async () => {
    const firm = present(firms[0]);
    for (const caller of [
      enterpriseOf(present(firms[1]).creditCode),
      present(banks[0]).staff,
      { role: 'UNIT_STAFF', unit: 'TAX_BUREAU' } as Caller,
    ]) {
      const answer = await t.query(ENTERPRISE, { as: caller, variables: { code: firm.creditCode } });
      if (answer.data?.enterprise) {
        expect(answer.data.enterprise.financingDemands).toBeNull();
        expect(answer.data.enterprise.loans).toBeNull();
      }
    }
    // The district's government sees the enterprise (the units slice answers its name), not its financing.
    const district = await t.query(ENTERPRISE, {
      as: { role: 'UNIT_STAFF', unit: 'SHINAN_DISTRICT' },
      variables: { code: firm.creditCode },
    });
    expect(district.data.enterprise.name).toBe(firm.name);
    expect(district.data.enterprise.financingDemands).toBeNull();
    expect(district.data.enterprise.loans).toBeNull();
  });
});

describe('answers kept between reads (use-cases/figures.ts)', () => {
  it('a repeated read is the kept answer; after more steps, and after a new institution, the next read is the recount again', async () => {
    const statements = present(t.platform.statements.financing);
    const first = await compare(null);
    statements.count = 0;
    const again = await must('stats', t.query(STATS, { as: REGULATOR, variables: { period: null } }));
    expect(statements.count).toBe(1);
    expect(again.financingStats).toEqual(first.stats);

    // More steps — a demand posted, claimed and carried on — and the figures read again equal the recount.
    // Periods kept before the steps too: after them, only the groups the steps counted under are
    // computed anew (store.ts stats), the rest taken from the kept answer — still the recount.
    const periods = [
      { from: '2026-04-01', to: '2026-04-30' },
      { from: '2026-03-20', to: '2026-04-20' },
      { from: '2026-04-11', to: '2026-04-11' },
    ];
    for (const period of periods) await compare(period);
    const next = random(77);
    await play(100, next, 40);
    await play(101, next, 40);
    const after = await compare(null);
    expect(after.stats.city.posted).toBe(first.stats.city.posted + 2);
    for (const period of periods) await compare(period);

    // A new institution is a new group, shown at once.
    const added = await bank();
    const shown = await must('stats', t.query(STATS, { as: REGULATOR, variables: { period: null } }));
    expect(shown.financingStats.institutions.map((group: { key: string }) => group.key)).toContain(added.id);
  });
});
