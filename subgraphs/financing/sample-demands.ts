/**
 * Sample demands for trying 青融通 out, dated in the month before `now`, in every state a demand
 * can be in: in the pool, waiting for the regulator's dispatch, claimed, contacted, approved,
 * disbursed (received and rated), declined, withdrawn, and one whose holder let its contact limit
 * lapse (returned to the pool, the lapse kept). Each is played step by step through the slice's own
 * way of recording steps (rows.ts `recordDemandStep`, which keeps the figures) and of starting
 * limits (limits.ts), on the shipped calendar; rows are flagged `sample`, ids name-based, and a
 * demand already there is left as it is.
 */
import { DEFAULT_OFFICE_HOURS, parseOfficeHours, WorkingCalendar, beijingDate } from '../../platform/calendar.ts';
import { Role, type Viewer } from '../../platform/auth.ts';
import { present } from '../../platform/invariant.ts';
import type { Db, Queryable } from '../../db/client.ts';
import { referenceCalendarYears } from '../../db/reference/holidays.ts';
import { sampleEnterprises } from '../../db/reference/organisation.ts';
import { startLimits, type LimitClock } from './limits.ts';
import { categoryOf, fits, routesFor, type Route } from './routing.ts';
import { recordDemandStep, type DemandStep } from './rows.ts';
import { loadSamplePartnersAndProducts, samplePartners, sampleProducts, sampleRecordId } from './sample-data.ts';
import { demandStore, limitStore, loanStore, routeStore, type DemandRow, type ProductRow } from './store.ts';

type Ending = 'OPEN' | 'AWAITING' | 'CLAIMED' | 'CONTACTED' | 'APPROVED' | 'DISBURSED' | 'DECLINED' | 'WITHDRAWN' | 'RETURNED';
const ENDINGS: Ending[] = [
  'OPEN',
  'AWAITING',
  'CLAIMED',
  'CONTACTED',
  'APPROVED',
  'DISBURSED',
  'DECLINED',
  'WITHDRAWN',
  'RETURNED',
  'DISBURSED',
];
const PURPOSES = ['采购原材料', '支付货款', '扩大生产', '研发投入', '补充流动资金', '设备更新'];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const person = (role: Role, subject: string, extra: Partial<Viewer> = {}): Viewer => ({
  subject,
  role,
  unitId: null,
  enterprise: null,
  issuer: 'sample',
  ...extra,
});

/** One sample demand, played from its posting: each step at its own instant. */
async function play(tx: Queryable, calendar: WorkingCalendar, spec: { index: number; ending: Ending; now: Date; products: ProductRow[] }) {
  const enterprises = sampleEnterprises();
  const firm = present(enterprises[spec.index % enterprises.length], 'a sample enterprise');
  const id = sampleRecordId(`demand:${spec.index}`);
  if ((await demandStore.byIds(tx, [id])).length) return 0;
  // Held demands not yet decided are recent, so their holders' limits still run (a lapsed one would be returned when read).
  const recent = spec.ending === 'OPEN' || spec.ending === 'CLAIMED' || spec.ending === 'CONTACTED';
  const postedAt = new Date(spec.now.getTime() - (recent ? 6 * HOUR : (5 + (spec.index % 20)) * DAY));
  const profile = { ...firm, qualifications: [...firm.qualifications] };
  const ask = {
    amount: 100_000 * (2 + (spec.index % 9)),
    termMonths: [6, 12, 24, 36][spec.index % 4] ?? 12,
    guaranteeOffered: 'PURE_CREDIT' as const,
    firstLoan: spec.index % 3 === 0,
    source: spec.index % 7 === 6 ? ('JINNONGTONG' as const) : ('PLATFORM' as const),
  };
  const today = beijingDate(postedAt);
  const fitting = spec.products.filter((product) => fits(product, ask, profile, today));
  const { branches } = samplePartners();
  const routes = routesFor(
    fitting,
    branches.map((b) => ({ ...b, suspendedAt: null, version: 1, createdAt: postedAt, updatedAt: postedAt })),
    firm.districtCode,
  );
  const clock = postedAt;
  const enterprise = person(Role.ENTERPRISE, `sample-${firm.creditCode}`, { enterprise: firm.creditCode });
  const at = (time: Date) => ({ now: () => time });
  const row = present(
    await demandStore.insert(tx, {
      id,
      source: ask.source,
      externalRef: ask.source === 'PLATFORM' ? null : `JNT-SAMPLE-${spec.index}`,
      clientRequestId: ask.source === 'PLATFORM' ? `sample-${spec.index}` : null,
      creditCode: firm.creditCode,
      enterpriseName: firm.name,
      contact: '财务负责人 0532-80000000（样例）',
      industryCode: firm.industryCode,
      districtCode: firm.districtCode,
      sizeClass: firm.sizeClass,
      amount: ask.amount,
      termMonths: ask.termMonths,
      guaranteeOffered: ask.guaranteeOffered,
      firstLoan: ask.firstLoan,
      purpose: PURPOSES[spec.index % PURPOSES.length] ?? '补充流动资金',
      wantedProductIds: [],
      category: categoryOf(ask, []),
      creditReportConsent: spec.index % 4 !== 3,
      routedCount: routes.length,
      postedAt,
      sample: true,
      createdAt: postedAt,
      updatedAt: postedAt,
    }),
    'a new sample demand',
  );
  const step = (viewer: Viewer, time: Date, recorded: DemandStep, current: DemandRow = row) =>
    recordDemandStep({ viewer, ...at(time) }, tx, current, recorded);
  await step(enterprise, clock, { kind: ask.source === 'PLATFORM' ? 'POSTED' : 'IMPORTED', data: { amount: row.amount } });
  await routeStore.insertMany(
    tx,
    routes.map((route) => ({ demandId: id, ...route, routedAt: clock })),
  );
  if (routes.length) await step(enterprise, clock, { kind: 'ROUTED', data: { institutions: routes.length } });
  const limitsAt = (time: Date) => ({
    calendar,
    officeHours: present(parseOfficeHours(DEFAULT_OFFICE_HOURS), 'office hours'),
    now: () => time,
  });
  await startLimits(tx, limitsAt(clock), row, ['CLAIM']);
  const winner = routes[spec.index % Math.max(1, routes.length)];
  if (spec.ending === 'OPEN' || spec.ending === 'AWAITING' || !winner) return 1;

  return played(tx, { calendar, limitsAt, step, row, ending: spec.ending, index: spec.index, winner, postedAt, enterprise });
}

interface Played {
  calendar: WorkingCalendar;
  limitsAt: (time: Date) => LimitClock;
  step: (viewer: Viewer, time: Date, recorded: DemandStep, current: DemandRow) => Promise<unknown>;
  row: DemandRow;
  ending: Ending;
  index: number;
  winner: Route;
  postedAt: Date;
  enterprise: Viewer;
}

/** A sample demand from its claim to its ending. */
async function played(
  tx: Queryable,
  { calendar, limitsAt, step: stepOf, row: posted, ending, index, winner, postedAt, enterprise }: Played,
) {
  let row = posted;
  const id = row.id;
  let clock: Date;
  const spec = { ending, index };
  const step = (viewer: Viewer, time: Date, recorded: DemandStep) => stepOf(viewer, time, recorded, row);
  const update = async (time: Date, values: Partial<DemandRow>) => {
    row = present(await demandStore.update(tx, id, row.version, values), `a sample demand step at ${time.toISOString()}`);
  };
  const bank = person(Role.FINANCIAL_INSTITUTION, `sample-staff-${winner.institutionId.slice(0, 8)}`, {
    institution: winner.institutionId,
  });
  clock = new Date(postedAt.getTime() + (spec.ending === 'CLAIMED' || spec.ending === 'CONTACTED' ? 1 : 3 + (spec.index % 20)) * HOUR);
  await update(clock, {
    status: 'CLAIMED',
    institutionId: winner.institutionId,
    branchId: winner.branchId,
    heldBy: 'CLAIMED',
    heldAt: clock,
  });
  await step(bank, clock, {
    kind: 'CLAIMED',
    institutionId: winner.institutionId,
    branchId: winner.branchId,
    data: { hoursToClaim: (clock.getTime() - postedAt.getTime()) / HOUR },
  });
  await limitStore.meet(tx, id, ['CLAIM'], clock);
  const limits = await startLimits(tx, limitsAt(clock), row, ['CONTACT', 'DECISION']);
  const heldAt = clock;
  if (spec.ending === 'CLAIMED') return 1;
  if (spec.ending === 'RETURNED') {
    const contact = present(limits[0], 'the contact limit');
    clock = new Date(contact.dueAt.getTime() + HOUR);
    await limitStore.end(tx, id, clock);
    await update(clock, { status: 'OPEN', institutionId: null, branchId: null, heldBy: null, heldAt: null });
    await step(bank, clock, {
      kind: 'RETURNED',
      institutionId: winner.institutionId,
      branchId: winner.branchId,
      data: { limitKind: 'CONTACT' },
    });
    await startLimits(tx, limitsAt(clock), row, ['CLAIM']);
    return 1;
  }
  clock = new Date(clock.getTime() + 2 * HOUR);
  await update(clock, { status: 'CONTACTED' });
  await step(bank, clock, { kind: 'CONTACTED', note: '已电话联系企业（样例）' });
  await limitStore.meet(tx, id, ['CONTACT'], clock);
  if (spec.ending === 'CONTACTED') return 1;
  if (spec.ending === 'WITHDRAWN') {
    clock = new Date(clock.getTime() + DAY);
    await limitStore.end(tx, id, clock);
    await update(clock, { status: 'WITHDRAWN', closedAt: clock });
    await step(enterprise, clock, { kind: 'WITHDRAWN', note: '已从其他渠道获得资金（样例）' });
    return 1;
  }
  clock = new Date(clock.getTime() + 2 * DAY);
  const days = calendar.workingDaysBetween(heldAt, clock).days;
  if (spec.ending === 'DECLINED') {
    await update(clock, { status: 'DECLINED', declineReason: 'WEAK_FINANCES', declineText: '经营流水不足（样例）', closedAt: clock });
    await step(bank, clock, { kind: 'DECLINED', data: { reasonCode: 'WEAK_FINANCES', workingDaysToDecision: days } });
    await limitStore.meet(tx, id, ['DECISION'], clock);
    await update(clock, { rating: 'BASICALLY_SATISFIED' });
    await step(enterprise, clock, { kind: 'RATED', data: { rating: 'BASICALLY_SATISFIED', score: 3 } });
    return 1;
  }
  const approved = Math.round((row.amount * 0.6) / 10_000) * 10_000;
  await update(clock, { status: 'APPROVED', approvedAmount: approved });
  await step(bank, clock, { kind: 'APPROVED', data: { amount: approved, workingDaysToDecision: days } });
  await limitStore.meet(tx, id, ['DECISION'], clock);
  if (spec.ending === 'APPROVED') return 1;
  clock = new Date(clock.getTime() + DAY);
  const loan = present(
    await loanStore.insert(tx, {
      demandId: id,
      creditCode: row.creditCode,
      institutionId: winner.institutionId,
      branchId: winner.branchId,
      amount: approved,
      disbursedOn: beijingDate(clock),
      rateBp: 345 + (spec.index % 5) * 10,
      termMonths: row.termMonths,
      guaranteeMode: 'PURE_CREDIT',
      pureCredit: true,
      firstLoan: row.firstLoan,
      loanRef: `SAMPLE-LOAN-${spec.index}`,
      createdAt: clock,
    }),
    'a sample loan',
  );
  await update(clock, { status: 'DISBURSED', closedAt: clock });
  await step(bank, clock, {
    kind: 'DISBURSED',
    data: {
      loanId: loan.id,
      amount: loan.amount,
      rateBp: loan.rateBp,
      termMonths: loan.termMonths,
      pureCredit: true,
      firstLoan: loan.firstLoan,
    },
  });
  clock = new Date(clock.getTime() + 3 * HOUR);
  await loanStore.markReceived(tx, id, clock);
  await step(enterprise, clock, { kind: 'RECEIVED', data: { loanId: loan.id } });
  await update(clock, { rating: 'VERY_SATISFIED', ratingComment: '放款快，无需抵押（样例）' });
  await step(enterprise, clock, { kind: 'RATED', data: { rating: 'VERY_SATISFIED', score: 5 } });
  return 1;
}

/** Sample demands, 60 of them, ending in every state (the first ten ten-cycles of ENDINGS). */
export async function insertSampleDemands(db: Db, now: Date): Promise<number> {
  const calendar = new WorkingCalendar(referenceCalendarYears());
  const products = sampleProducts(now)
    .filter((values) => values.status !== 'SUSPENDED')
    .map((values) => ({ ...values, status: 'ACTIVE', version: 1 }) as ProductRow);
  let added = 0;
  for (let index = 0; index < 60; index++) {
    const ending = present(ENDINGS[index % ENDINGS.length], 'an ending');
    added += await db.transaction((tx) => play(tx, calendar, { index, ending, now, products }));
  }
  return added;
}

/** `sampleData` of the slice: the partners and products, then the demands played against them. */
export async function loadFinancingSampleData(db: Db, { now }: { now: Date }): Promise<number> {
  return (await loadSamplePartnersAndProducts(db, now)) + (await insertSampleDemands(db, now));
}
