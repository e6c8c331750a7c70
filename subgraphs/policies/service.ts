/**
 * The policies slice's use cases: parse what the caller sent (input.ts), ask whether they may
 * (access.ts), then read or write through the store. Resolvers call only this; this is the only
 * caller of the store.
 *
 * Every change to an existing policy or application runs through `act`, in one transaction that
 * (1) reads it, (2) asks the access module whether this caller may take this action now, (3) writes
 * it only if its version is unchanged, and (4) appends the event — so a change and its history are
 * never apart, and of two people acting at once exactly one wins. What other slices must say
 * (enterprise profiles, the working-day calendar) is asked before the transaction, never inside it.
 */
import { personOf, type Viewer } from '../../platform/auth.ts';
import { beijingDate, beijingMidnight, earliestYear, endOfBeijingDay, type WorkingCalendar } from '../../platform/calendar.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { errors, type Bilingual } from '../../platform/errors.ts';
import { isUuid, parseInput, type z } from '../../platform/input.ts';
import {
  countBeside,
  decodeCursor,
  decodeInstantCursor,
  decodeIntegerCursor,
  pageSize,
  toConnection,
  type PageArgs,
} from '../../platform/pagination.ts';
import { isValidDate } from '../../platform/scalars.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import { sqlState, SqlState, type Db, type Queryable } from '../../db/client.ts';
import { createPoliciesAccess, policyState } from './access.ts';
import {
  criteriaKey,
  evaluate,
  fullYears,
  restrictingCriteria,
  toEnterpriseFilter,
  unmetCount,
  type Criteria,
  type CriterionResult,
  type EnterpriseProfile,
} from './eligibility.ts';
import * as input from './input.ts';
import { limitWindows, refuseOverLimit } from '../../platform/write-limits.ts';
import {
  dueAfter,
  lastDayOf,
  nextDueOf,
  noticeLastDay,
  OBJECTION_LIMIT,
  objectionAnswered,
  paymentEnded,
  reachesPendingYear,
  reviewEnded,
  workingDaysBetween,
  type Due,
  type JudgedLimit,
} from './deadlines.ts';
import type { PoliciesLoaders } from './loaders.ts';
import type { CalendarSource, EnterpriseSource } from './remote.ts';
import {
  applicationRules,
  policyRules,
  type ApplicationAction,
  type ApplicationState,
  type PolicyAction,
  type PolicyStanding,
} from './rules.ts';
import { parseSearch, searchVocabulary, tsvectorOf, type SearchQuery } from '../../platform/search-text.ts';
import vocabularyData from '../../db/reference/search-vocabulary.json' with { type: 'json' };
import {
  applicationEventStore,
  applicationStore,
  commentStore,
  interpretationStore,
  itemStore,
  limitOutcomeStore,
  newsStore,
  isOpenObjection,
  noticeStore,
  objectionStore,
  policyEventStore,
  policyStore,
  revisionStore,
  reviewStore,
  statsPartsKey,
  type ApplicationRow,
  type ObjectionRow,
  type ItemNode,
  type ItemRow,
  type LimitOutcomeRow,
  type ListCursor,
  type NewApplication,
  type NewItem,
  type NewPolicy,
  type NewsNode,
  type Period,
  type PolicyNode,
  type PolicyRow,
  type PolicyStats,
  type SearchHit,
} from './store.ts';
import type { Rule } from '../../platform/rules.ts';

/** How a search reads a query: the shared vocabulary (synonyms, terms, optional and question words). */
const vocabulary = searchVocabulary(vocabularyData);

export interface Context extends RequestContext {
  policies: PoliciesService;
}

export interface PoliciesServiceDeps {
  db: Db;
  viewer: Viewer;
  /** The caller's real network address (the request context's): whom the public's objections are counted against. */
  clientAddress?: string;
  loaders: PoliciesLoaders;
  directory: DirectorySource;
  calendar: CalendarSource;
  /** Profiles from the units slice, asked on this caller's behalf. */
  enterprises: EnterpriseSource;
  now: () => Date;
  maxPageSize: number;
}

const POLICY: Bilingual = { zh: '政策', en: 'Policy' };
const ITEM: Bilingual = { zh: '政策项目', en: 'Policy item' };
const APPLICATION: Bilingual = { zh: '申报', en: 'Application' };
const ENTERPRISE: Bilingual = { zh: '市场主体', en: 'Enterprise' };
/** A receipt time from another system may run a little ahead of our clock, not more. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

interface Changeable {
  id: string;
  version: number;
  status: string;
}

interface EventFields {
  action: string;
  fromStatus: string;
  toStatus: string;
  actorSubject: string;
  actorRole: string;
  actorUnitId: string | null;
  note: string | null;
  details: Record<string, unknown> | null;
  at: Date;
}

/** What `act` needs to know of a kind of thing that changes by the rules. */
interface Kind<Row extends Changeable, Action extends string> {
  noun: Bilingual;
  /** How its id is checked (a uuid, named in the refusal). */
  id: z.ZodType<string>;
  get(tx: Queryable, id: string): Promise<Row | undefined>;
  canSee(row: Row): Promise<boolean>;
  authorize(action: Action, row: Row): Promise<void>;
  rule(action: Action): Rule<string, PolicyStanding>;
  stateName(row: Row): string;
  update(tx: Queryable, id: string, version: number, values: Record<string, unknown>): Promise<Row | undefined>;
  /** Appends the event; returns its id. */
  record(tx: Queryable, row: Row, event: EventFields): Promise<number>;
  /** Keeps the limits the step ended, judged, with the step's event (applications only). */
  judge?(tx: Queryable, row: Row, eventId: number, limits: JudgedLimit[]): Promise<void>;
}

interface Plan<Row> {
  values?: Record<string, unknown>;
  /** Overrides the rule's target status. */
  toStatus?: string;
  /** The history's name for what happened, when it is not the action's own. */
  eventAction?: string;
  note?: string | null;
  details?: Record<string, unknown>;
  /** Further writes in the same transaction, after the row itself. */
  after?: (updated: Row) => Promise<void>;
  /** The limits this step ends, judged at it: kept with the step's event, never erased. */
  limits?: JudgedLimit[];
}

interface ActContext<Row> {
  tx: Queryable;
  row: Row;
  now: Date;
  today: string;
}

/** Item criteria as eligibility.ts reads them. */
export function criteriaOf(
  item: Pick<
    ItemRow,
    'industryPrefixes' | 'sizeClasses' | 'districtCodes' | 'minYears' | 'maxYears' | 'qualifications' | 'qualificationMatch'
  >,
): Criteria {
  return {
    industryPrefixes: item.industryPrefixes,
    sizeClasses: item.sizeClasses,
    districtCodes: item.districtCodes,
    minYears: item.minYears,
    maxYears: item.maxYears,
    qualifications: item.qualifications,
    qualificationMatch: item.qualificationMatch,
  };
}

/** An item's amount as callers send it. */
const amountOf = (item: ItemRow) =>
  item.amountKind ? { kind: item.amountKind, amount: item.amount, rate: item.rate, base: item.amountBase } : null;

/** The list cursor this API writes: [tier, rank within the tier, sort key, id]. */
function decodeListCursor(cursor: string, keyType: 'date' | 'instant'): ListCursor {
  const [tier, rank, key, id] = decodeCursor(cursor, 4);
  const keyOk = typeof key === 'string' && (keyType === 'date' ? isValidDate(key) : !Number.isNaN(Date.parse(key)));
  const rankOk = typeof rank === 'number' && Number.isSafeInteger(rank) && rank >= 0;
  if ((tier === 'H' || tier === 'B' || tier === '-') && rankOk && keyOk && typeof id === 'string' && isUuid(id))
    return { tier, rank: rank as number, key: key as string, id };
  throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
}

const tierName = { H: 'HEADING', B: 'BODY' } as const;

/** The cursor's tier letter and rank of a listed row. */
const tierOf = (row: { search?: SearchHit }): [ListCursor['tier'], number] => [
  row.search ? (row.search.tier === 'HEADING' ? 'H' : 'B') : '-',
  row.search?.rank ?? 0,
];

/** How many applications one transaction of settling takes. */
const SETTLE_BATCH = 500;

/**
 * The command office has entered a calendar year (the slice's calendar copy has just gained it,
 * platform/calendar-source.ts): every application whose limits were provisional for want of it gets
 * them recomputed — review and payment due times, met or not (whether they were met is read from
 * them, never stored); a counted notice end while the notice runs (once it is over, the notice as
 * held stands); the payment cycle — each with the working days it was set with. Batches of their
 * own transactions, rows another transaction holds skipped. Returns how many were settled.
 */
export async function settleProvisionalLimits(db: Db, calendar: WorkingCalendar): Promise<number> {
  let settled = 0;
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const waiting = await applicationStore.lockWaitingForCalendar(tx, calendar.knownYears(), SETTLE_BATCH);
      if (!waiting.length) return 0;
      const ids = waiting.map((a) => a.id);
      const objections = await objectionStore.byApplicationIds(tx, ids);
      const judgments = (await limitOutcomeStore.byApplicationIds(tx, ids)).filter((o) => o.pendingCalendarYear !== null);
      const recounted = waiting.map((application) => {
        const open = objections.filter((o) => o.applicationId === application.id && isOpenObjection(o)).length;
        return settledLimits(
          application,
          calendar,
          open,
          judgments.filter((o) => o.applicationId === application.id),
        );
      });
      await applicationStore.setLimits(
        tx,
        recounted.map((r) => r.limits),
      );
      await limitOutcomeStore.judgeAgain(
        tx,
        recounted.flatMap((r) => r.judgedAgain),
      );
      return waiting.length;
    });
    settled += batch;
    if (batch < SETTLE_BATCH) return settled;
  }
}

/**
 * One application's limits on `calendar`, recounting only those that may have been provisional, and
 * its steps' provisional judgments judged again: each limit counted again with the working days it
 * was set with; an objection's answer against the notice's end as recomputed while the notice runs
 * (once the notice is over, as it was held). A judgment whose year is still missing waits on.
 */
function settledLimits(a: ApplicationRow, calendar: WorkingCalendar, openObjections: number, judgments: LimitOutcomeRow[]) {
  const waitedFor = a.pendingCalendarYear!;
  // As the provisional count saw the calendar: counting a limit again on it gives its working days,
  // whatever the item says now.
  const before = calendar.withoutYearsFrom(waitedFor);
  // A limit whose last day is before the year waited for never reached it: it was final.
  const reached = (lastDay: string | null): lastDay is string => reachesPendingYear(waitedFor, lastDay);
  const again = (start: Date | null, due: Date | null): { dueAt: Date | null; pendingCalendarYear: number | null } => {
    const lastDay = due ? lastDayOf(due) : null;
    if (!start || !reached(lastDay)) return { dueAt: due, pendingCalendarYear: null };
    return dueAfter(calendar, start, before.workingDaysBetween(start, lastDay).days);
  };
  const review = again(a.reviewClockAt, a.reviewDueAt);
  const payment = again(a.approvedAt, a.paymentDueAt);
  let notice = { endsOn: a.noticeEndsOn, endsAt: a.noticeEndsAt, pendingCalendarYear: null as number | null };
  const noticeRecounted =
    a.noticePendingCalendarYear !== null && a.status === 'PUBLIC_NOTICE' && a.noticeStartsAt !== null && a.noticeEndsOn !== null;
  if (noticeRecounted) {
    const counted = noticeLastDay(calendar, a.noticeStartsAt!, before.workingDaysBetween(a.noticeStartsAt!, a.noticeEndsOn!).days);
    notice = { endsOn: counted.lastDay, endsAt: endOfBeijingDay(counted.lastDay), pendingCalendarYear: counted.pendingCalendarYear };
  }
  const cycle =
    a.cycleWorkingDays !== null && a.submittedAt && reached(a.paidOn)
      ? workingDaysBetween(calendar, a.submittedAt, a.paidOn)
      : { days: a.cycleWorkingDays, pendingCalendarYear: null };
  const waiting = judgments.filter((o) => !calendar.hasYear(o.pendingCalendarYear!));
  const judgedAgain = judgments
    .filter((o) => calendar.hasYear(o.pendingCalendarYear!))
    .map((o) => {
      if (o.kind === 'OBJECTION_ANSWER') {
        return noticeRecounted
          ? { id: o.id, dueAt: notice.endsAt!, pendingCalendarYear: notice.pendingCalendarYear }
          : { id: o.id, dueAt: o.dueAt, pendingCalendarYear: null };
      }
      const days = calendar.withoutYearsFrom(o.pendingCalendarYear!).workingDaysBetween(o.startsAt, lastDayOf(o.dueAt)).days;
      const due = dueAfter(calendar, o.startsAt, days);
      return { id: o.id, dueAt: due.dueAt, pendingCalendarYear: due.pendingCalendarYear };
    });
  const limits = {
    id: a.id,
    reviewDueAt: review.dueAt,
    paymentDueAt: payment.dueAt,
    noticeEndsOn: notice.endsOn,
    noticeEndsAt: notice.endsAt,
    noticePendingCalendarYear: notice.pendingCalendarYear,
    cycleWorkingDays: cycle.days,
    pendingCalendarYear: earliestYear(
      review.pendingCalendarYear,
      payment.pendingCalendarYear,
      notice.pendingCalendarYear,
      cycle.pendingCalendarYear,
      ...judgedAgain.map((o) => o.pendingCalendarYear),
      ...waiting.map((o) => o.pendingCalendarYear),
    ),
    nextDueAt: nextDueOf(
      { status: a.status, reviewDueAt: review.dueAt, paymentDueAt: payment.dueAt, noticeEndsAt: notice.endsAt },
      openObjections,
    ),
  };
  return { limits, judgedAgain };
}

/**
 * For /ready and the start log: 'ok', or a warning naming the years applications' limits are
 * provisional for, until the command office enters them.
 */
export async function provisionalLimitsReadiness(db: Queryable): Promise<string> {
  const waiting = await applicationStore.provisionalYears(db);
  if (!waiting.length) return 'ok';
  const years = waiting.map((w) => w.year);
  const count = waiting.reduce((sum, w) => sum + w.applications, 0);
  return (
    `warning: no working-day calendar for ${years.join(', ')} — the limits of ${count} application(s) reaching it are provisional (weekends only) ` +
    `until the command office enters it (setCalendarYear) / 工作日历缺少 ${years.join('、')} 年，${count} 件申报的相关时限暂按只休周末计算`
  );
}

export function createPoliciesService(deps: PoliciesServiceDeps) {
  const { db, viewer, loaders, directory, calendar, enterprises, now: clock, maxPageSize } = deps;
  const access = createPoliciesAccess(viewer, directory, deps.clientAddress);
  const today = () => beijingDate(clock());

  const actor = () => ({ actorSubject: viewer.subject ?? 'ANONYMOUS', actorRole: viewer.role, actorUnitId: viewer.unitId });

  // ───────────── the one path of change ─────────────

  async function act<Row extends Changeable, Action extends string>(
    kind: Kind<Row, Action>,
    rawId: string,
    action: Action,
    expectedVersion: number | null | undefined,
    plan: (ctx: ActContext<Row>) => Promise<Plan<Row>> | Plan<Row>,
    options: { anonymous?: boolean; publicRow?: boolean } = {},
  ): Promise<Row> {
    if (viewer.role === 'ANONYMOUS' && !options.anonymous) throw errors.unauthenticated();
    const id = parseInput(kind.id, rawId, 'id');
    // The caller's unit comes from the directory (HTTP, cached): asked before the transaction.
    await access.draftsOf();
    return db.transaction(async (tx) => {
      const row = await kind.get(tx, id);
      if (!row || (!options.publicRow && !(await kind.canSee(row)))) throw errors.notFound(kind.noun, rawId);
      if (expectedVersion != null && expectedVersion !== row.version) {
        throw errors.conflict(
          {
            zh: `${kind.noun.zh}已被他人更新（当前版本 ${row.version}，状态“${kind.stateName(row)}”）`,
            en: `The ${kind.noun.en.toLowerCase()} changed meanwhile (now version ${row.version}, ${row.status})`,
          },
          { currentVersion: row.version, currentState: row.status },
        );
      }
      await kind.authorize(action, row);
      const at = clock();
      const planned = await plan({ tx, row, now: at, today: beijingDate(at) });
      const rule = kind.rule(action);
      const toStatus = planned.toStatus ?? (rule.to && rule.to !== 'SAME' ? rule.to : row.status);
      const updated = await kind.update(tx, id, row.version, { ...planned.values, status: toStatus });
      if (!updated) {
        throw errors.conflict(
          {
            zh: `${kind.noun.zh}已被他人同时更新，请刷新后重试`,
            en: `Someone else changed the ${kind.noun.en.toLowerCase()} at the same moment; reload and retry`,
          },
          { currentState: row.status },
        );
      }
      await planned.after?.(updated);
      const eventId = await kind.record(tx, updated, {
        action: planned.eventAction ?? action,
        fromStatus: row.status,
        toStatus,
        ...actor(),
        note: planned.note ?? null,
        details: planned.details ?? null,
        at,
      });
      if (planned.limits?.length) await kind.judge!(tx, updated, eventId, planned.limits);
      return (await kind.get(tx, id))!;
    });
  }

  const policyKind: Kind<PolicyRow, PolicyAction> = {
    noun: POLICY,
    id: input.policyId,
    get: policyStore.get,
    canSee: (row) => access.canSeePolicy(row),
    authorize: (action, row) => access.authorizePolicy(action, row, today()),
    rule: (action) => policyRules[action] as Rule<string, PolicyStanding>,
    stateName: (row) => policyState(row, today()),
    update: (tx, id, version, values) => policyStore.update(tx, id, version, values as Partial<NewPolicy>),
    record: (tx, row, event) =>
      policyEventStore.append(tx, {
        policyId: row.id,
        ...(event as Omit<EventFields, 'fromStatus' | 'toStatus'> & { fromStatus: PolicyRow['status']; toStatus: PolicyRow['status'] }),
      }),
  };

  const applicationKind: Kind<ApplicationRow, ApplicationAction> = {
    noun: APPLICATION,
    id: input.applicationId,
    get: applicationStore.get,
    canSee: (row) => access.canSeeApplication(row),
    authorize: (action, row) => access.authorizeApplication(action, row),
    rule: (action) => applicationRules[action] as Rule<string, PolicyStanding>,
    stateName: (row) => row.status,
    update: (tx, id, version, values) => applicationStore.update(tx, id, version, values as Partial<NewApplication>),
    record: (tx, row, event) =>
      applicationEventStore.append(tx, {
        applicationId: row.id,
        ...(event as Omit<EventFields, 'fromStatus' | 'toStatus'> & {
          fromStatus: ApplicationRow['status'];
          toStatus: ApplicationRow['status'];
        }),
      }),
    judge: (tx, row, eventId, limits) =>
      limitOutcomeStore.insert(
        tx,
        limits.map((limit) => ({
          applicationId: row.id,
          eventId,
          objectionId: limit.objectionId ?? null,
          kind: limit.kind,
          startsAt: limit.startsAt,
          dueAt: limit.dueAt,
          judgedAt: limit.judgedAt,
          pendingCalendarYear: limit.pendingCalendarYear,
        })),
      ),
  };

  const actOnPolicy = (
    id: string,
    action: PolicyAction,
    expectedVersion: number | null | undefined,
    plan: (ctx: ActContext<PolicyRow>) => Promise<Plan<PolicyRow>> | Plan<PolicyRow>,
  ) => act(policyKind, id, action, expectedVersion, plan);
  const actOnApplication = (
    id: string,
    action: ApplicationAction,
    expectedVersion: number | null | undefined,
    plan: (ctx: ActContext<ApplicationRow>) => Promise<Plan<ApplicationRow>> | Plan<ApplicationRow>,
    options?: { anonymous?: boolean; publicRow?: boolean },
  ) => act(applicationKind, id, action, expectedVersion, plan, options);

  // ───────────── shared checks ─────────────

  async function requireUnit(field: string, id: string): Promise<string> {
    const unit = await directory.unit(id);
    if (!unit) throw errors.badInput(field, { zh: `单位不存在：${id}`, en: `No such unit: ${id}` });
    if (unit.archived) throw errors.badInput(field, { zh: `单位已归档：${unit.name}`, en: `The unit is archived: ${unit.code}` });
    return unit.id;
  }

  async function requireDistricts(field: string, codes: readonly string[]): Promise<void> {
    const known = (await directory.current()).districts;
    const unknown = codes.find((code) => !known.has(code));
    if (unknown !== undefined) throw errors.badInput(field, { zh: `区(市)不存在：${unknown}`, en: `No such district: ${unknown}` });
  }

  function requireDate(field: string, value: string | null | undefined): void {
    if (value != null && !isValidDate(value))
      throw errors.badInput(field, { zh: `${field} 须为 YYYY-MM-DD`, en: `${field} must be a date YYYY-MM-DD` });
  }

  function checkValidity(dates: { issuedOn: string; validFrom: string; validUntil: string | null }): void {
    if (dates.validUntil !== null && dates.validUntil < dates.validFrom) {
      throw errors.badInput('validUntil', { zh: '有效期截止日不能早于施行日', en: 'validUntil cannot be before validFrom' });
    }
  }

  /** The two term vectors of a policy: heading (title, number, summary) and everything searchable. */
  function policyTerms(
    p: { title: string; documentNumber: string | null; summary: string | null; body: string },
    interpretations: { title: string; body: string }[],
  ) {
    const heading = [p.title, p.documentNumber, p.summary];
    return {
      headTerms: tsvectorOf(...heading),
      bodyTerms: tsvectorOf(...heading, p.body, ...interpretations.flatMap((i) => [i.title, i.body])),
    };
  }

  function itemTerms(item: { name: string; description: string; requiredMaterials: string[]; amountBase: string | null }) {
    return {
      headTerms: tsvectorOf(item.name),
      bodyTerms: tsvectorOf(item.name, item.description, item.amountBase, ...item.requiredMaterials),
    };
  }

  const conflictOnDocumentNumber = (error: unknown, number: string | null | undefined): never => {
    if (sqlState(error) === SqlState.UNIQUE_VIOLATION) {
      throw errors.conflict({ zh: `文号已被另一份政策使用：${number}`, en: `Another policy already has document number ${number}` });
    }
    throw error;
  };

  /** The enterprises meeting an item's criteria today, as the units slice lets this caller see them. */
  const eligibleCodes = (criteria: Criteria) => enterprises.codes(toEnterpriseFilter(criteria, today()));

  // ───────────── item values ─────────────

  async function itemValues(raw: input.ItemInput | input.UpdateItemInput, current: ItemRow | null, policy: PolicyRow) {
    const merged = {
      name: raw.name ?? current?.name,
      kind: raw.kind ?? current?.kind,
      description: raw.description ?? current?.description,
      amount: raw.amount === undefined ? (current ? amountOf(current) : null) : raw.amount,
      opensOn: raw.opensOn === undefined ? (current?.opensOn ?? null) : raw.opensOn,
      closesOn: raw.closesOn === undefined ? (current?.closesOn ?? null) : raw.closesOn,
      requiredMaterials: raw.requiredMaterials ?? current?.requiredMaterials ?? [],
      reviewingUnitId: raw.reviewingUnitId ?? current?.reviewingUnitId ?? policy.issuingUnitId,
      reviewWorkingDays: raw.reviewWorkingDays ?? current?.reviewWorkingDays,
      paymentWorkingDays: raw.paymentWorkingDays ?? current?.paymentWorkingDays,
      noticeWorkingDays: raw.noticeWorkingDays ?? current?.noticeWorkingDays ?? 5,
      criteria: raw.eligibility ?? (current ? criteriaOf(current) : input.eligibilityInput.parse({})),
      automatic: raw.automatic ?? current?.automatic ?? false,
    };
    requireDate('opensOn', merged.opensOn);
    requireDate('closesOn', merged.closesOn);
    if (merged.opensOn && merged.closesOn && merged.closesOn < merged.opensOn) {
      throw errors.badInput('closesOn', { zh: '申报截止日不能早于开始日', en: 'closesOn cannot be before opensOn' });
    }
    if (merged.kind !== 'SERVICE' && !merged.amount) {
      throw errors.badInput('amount', { zh: '资金类项目须给出金额方式', en: 'An item that pays or relieves needs an amount' });
    }
    if (merged.automatic && merged.amount && merged.amount.kind !== 'FIXED') {
      throw errors.badInput('automatic', {
        zh: '免申即享项目须为定额（无人申报，无从核定金额）',
        en: 'An automatic item needs a FIXED amount: nobody applies, so nobody declares an amount',
      });
    }
    if (current && current.status !== 'DRAFT') {
      if (merged.reviewingUnitId !== current.reviewingUnitId)
        throw errors.badInput('reviewingUnitId', { zh: '已发布项目的审核单位不能更改', en: 'A published item keeps its reviewing unit' });
      if (merged.automatic !== current.automatic)
        throw errors.badInput('automatic', { zh: '已发布项目不能改变免申即享方式', en: 'A published item keeps its automatic flag' });
    }
    if (!current || merged.reviewingUnitId !== current.reviewingUnitId) await requireUnit('reviewingUnitId', merged.reviewingUnitId);
    await requireDistricts('eligibility.districtCodes', merged.criteria.districtCodes);
    // A district's policy serves its district: its items are limited to it.
    if (policy.level === 'DISTRICT' && merged.criteria.districtCodes.some((code) => code !== policy.districtCode)) {
      throw errors.badInput('eligibility.districtCodes', {
        zh: '区(市)级政策的项目只适用于本区(市)',
        en: "A district policy's items apply to its own district only",
      });
    }
    const criteria: Criteria =
      policy.level === 'DISTRICT' && !merged.criteria.districtCodes.length
        ? { ...merged.criteria, districtCodes: [policy.districtCode!] }
        : merged.criteria;
    const values = {
      name: merged.name!,
      kind: merged.kind!,
      description: merged.description!,
      amountKind: merged.amount?.kind ?? null,
      amount: merged.amount?.amount ?? null,
      rate: merged.amount?.rate ?? null,
      amountBase: merged.amount?.base ?? null,
      opensOn: merged.opensOn,
      closesOn: merged.closesOn,
      requiredMaterials: merged.requiredMaterials,
      reviewingUnitId: merged.reviewingUnitId,
      reviewWorkingDays: merged.reviewWorkingDays!,
      paymentWorkingDays: merged.paymentWorkingDays!,
      noticeWorkingDays: merged.noticeWorkingDays,
      industryPrefixes: criteria.industryPrefixes,
      sizeClasses: criteria.sizeClasses,
      districtCodes: criteria.districtCodes,
      minYears: criteria.minYears,
      maxYears: criteria.maxYears,
      qualifications: criteria.qualifications,
      qualificationMatch: criteria.qualificationMatch,
      automatic: merged.automatic,
    };
    return { values: { ...values, ...itemTerms(values) }, criteria };
  }

  // ───────────── application helpers ─────────────

  /** The amount an application asks for, by the item's amount rule; null for a service. */
  function requestedAmount(item: ItemRow, declaredBase: number | null | undefined, requested: number | null | undefined): number | null {
    switch (item.amountKind) {
      case 'FIXED':
        return item.amount;
      case 'CAPPED':
        if (requested == null)
          throw errors.badInput('requestedAmount', { zh: '最高限额项目须填写申请金额', en: 'A CAPPED item needs requestedAmount' });
        if (requested > item.amount!)
          throw errors.badInput('requestedAmount', {
            zh: `申请金额不能超过限额 ${item.amount} 元`,
            en: `requestedAmount cannot exceed the cap of ${item.amount} yuan`,
          });
        return requested;
      case 'RATE': {
        if (declaredBase == null)
          throw errors.badInput('declaredBase', {
            zh: `比例项目须填写申报基数（${item.amountBase}）`,
            en: `A RATE item needs declaredBase (${item.amountBase})`,
          });
        const computed = Math.round(declaredBase * item.rate! * 100) / 100;
        return item.amount != null ? Math.min(computed, item.amount) : computed;
      }
      default:
        return null;
    }
  }

  function checkMaterials(item: ItemRow, given: input.MaterialInput[]): void {
    const names = new Set(given.map((m) => m.name));
    const missing = item.requiredMaterials.filter((name) => !names.has(name));
    if (missing.length) {
      throw errors.badInput('materials', { zh: `缺少申报材料：${missing.join('、')}`, en: `Missing materials: ${missing.join(', ')}` });
    }
  }

  function windowOpen(item: ItemRow, day: string): boolean {
    return (item.opensOn === null || item.opensOn <= day) && (item.closesOn === null || item.closesOn >= day);
  }

  function requireWindow(item: ItemRow, day: string): void {
    if (!windowOpen(item, day)) {
      throw errors.invalidTransition(
        {
          zh: `不在申报期内（${item.opensOn ?? '不限'} 至 ${item.closesOn ?? '不限'}）`,
          en: `Outside the application window (${item.opensOn ?? 'any'} to ${item.closesOn ?? 'any'})`,
        },
        item.status,
      );
    }
  }

  /**
   * The name a public notice shows of the enterprise, read from the units slice's public API (with
   * the reviewer's token) before the notice's transaction; null when the application names nothing
   * yet to be put on notice, or the registry has no name for it.
   */
  async function noticeEnterpriseName(rawId: string): Promise<string | null> {
    if (!isUuid(rawId)) return null;
    const row = await loaders.applicationById.load(rawId.toLowerCase());
    if (!row || row.status !== 'APPROVED') return null;
    return (await enterprises.profile(row.enterpriseCreditCode))?.name ?? null;
  }

  async function requireProfile(creditCode: string): Promise<EnterpriseProfile> {
    const profile = await enterprises.profile(creditCode);
    if (!profile) throw errors.notFound(ENTERPRISE, creditCode);
    return profile;
  }

  function requireEligible(results: CriterionResult[]): void {
    const unmet = results.filter((r) => !r.met);
    if (unmet.length) {
      throw errors.forbidden({
        zh: `不符合申报条件：${unmet.map((r) => r.reason).join('；')}`,
        en: `Not eligible: ${unmet.map((r) => r.reasonEn).join('; ')}`,
      });
    }
  }

  /** A policy as it is now (not a loader's copy): what a change is decided on. */
  async function currentPolicy(rawId: string): Promise<PolicyRow> {
    const id = parseInput(input.policyId, rawId, 'policyId');
    const policy = await policyStore.get(db, id);
    if (!policy || !(await access.canSeePolicy(policy))) throw errors.notFound(POLICY, rawId);
    return policy;
  }

  async function visibleItem(rawId: string): Promise<ItemRow> {
    const id = parseInput(input.itemId, rawId, 'itemId');
    const item = await itemStore.get(db, id);
    if (!item || !(await access.canSeeItem(item))) throw errors.notFound(ITEM, rawId);
    return item;
  }

  /**
   * Limits as `values`, with the year the application's limits are provisional for: the earliest of
   * the new ones' and of what was provisional before (`earlier`), which settling recomputes.
   */
  function limitValues(dues: Record<string, Due>, earlier: number | null = null): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [column, due] of Object.entries(dues)) values[column] = due.dueAt;
    values.pendingCalendarYear = earliestYear(earlier, ...Object.values(dues).map((due) => due.pendingCalendarYear));
    return values;
  }

  /** Objections still to be answered (neither answered nor marked): they hold up the payment. */
  const openObjections = async (tx: Queryable, applicationId: string) =>
    (await objectionStore.forApplication(tx, applicationId)).filter(isOpenObjection).length;

  /**
   * Before limits are shown or counted: the calendar copy is current, and when it has just gained a
   * year the command office entered, the limits provisional for want of it have been recomputed
   * (server.ts hands `settleProvisionalLimits` to the calendar source). Once per request; no
   * statement when the copy is fresh.
   */
  let upToDate: Promise<unknown> | undefined;
  const limitsUpToDate = () => (upToDate ??= calendar.current());

  // ───────────── reads: lists ─────────────

  function searchOf(text: string | null | undefined): SearchQuery | null {
    if (!text) return null;
    const query = parseSearch(text, vocabulary);
    if (!query)
      throw errors.badInput('text', {
        zh: '搜索词须包含汉字、字母或数字',
        en: 'The search text needs letters, digits or Chinese characters',
      });
    return query;
  }

  function hit<Row extends object>(
    { row, tier, rank }: { row: Row; tier: ListCursor['tier']; rank: number },
    query: SearchQuery | null,
  ): Row & { search?: SearchHit } {
    return query && tier !== '-' ? { ...row, search: { tier: tierName[tier], rank, query } } : row;
  }

  async function policyListQuery(rawFilter: unknown) {
    const filter = parseInput(input.policyFilter, rawFilter ?? {});
    for (const field of ['validOn', 'issuedFrom', 'issuedTo'] as const) requireDate(field, filter[field]);
    const search = searchOf(filter.text);
    return {
      search,
      query: {
        ...filter,
        draftsOf: await access.draftsOf(),
        text: search,
        statuses: filter.status?.length ? filter.status : search ? (['PUBLISHED'] as const).slice() : null,
        today: today(),
      },
    };
  }

  return {
    viewer,
    now: clock,
    today,

    // ───────────── policies: reads ─────────────
    async policies(rawFilter: unknown, page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeListCursor(page.after, 'date') : null;
      const { search, query } = await policyListQuery(rawFilter);
      const count = countBeside(page.counted, () => policyStore.count(db, query));
      const found = await policyStore.page(db, query, size + 1, after);
      for (const { row } of found) loaders.policyById.prime(row.id, row);
      const rows = found.map((found) => hit(found, search));
      return toConnection(rows, size, (row) => [...tierOf(row), row.issuedOn, row.id], count, after !== null);
    },

    /** The query plan of a text search (tests and the benchmark prove the index serves it). */
    async explainPolicySearch(text: string) {
      const { query } = await policyListQuery({ text });
      return policyStore.explainSearch(db, query);
    },

    async policy(rawId: string): Promise<PolicyNode | null> {
      if (!isUuid(rawId)) return null;
      const row = await loaders.policyById.load(rawId.toLowerCase());
      return row && (await access.canSeePolicy(row)) ? row : null;
    },

    async policyOf(policyId: string): Promise<PolicyRow> {
      return (await loaders.policyById.load(policyId))!;
    },
    revisions: (policyId: string) => loaders.revisionsByPolicy.load(policyId),
    interpretations: (policyId: string) => loaders.interpretationsByPolicy.load(policyId),
    async itemsOf(policyId: string) {
      const items = await loaders.itemsByPolicy.load(policyId);
      const visible = await Promise.all(items.map((item) => access.canSeeItem(item)));
      return items.filter((_, i) => visible[i]);
    },
    async commentsOf(policy: PolicyRow) {
      const comments = await loaders.commentsByPolicy.load(policy.id);
      const visible = await Promise.all(comments.map((comment) => access.seesComment(comment, policy)));
      return comments.filter((_, i) => visible[i]);
    },
    async historyOf(policy: PolicyRow) {
      return (await access.seesPolicyHistory(policy)) ? loaders.eventsByPolicy.load(policy.id) : [];
    },
    policyStatus: (policy: PolicyRow) => policyState(policy, today()),

    // ───────────── policies: 立、改、废、释 ─────────────
    async createPolicy(raw: unknown) {
      await access.authorizeSlice('CREATE_POLICY');
      const given = parseInput(input.createPolicyInput, raw);
      const issuingUnitId = await requireUnit('issuingUnitId', await access.issuingUnitFor(given.issuingUnitId));
      if (given.level === 'DISTRICT') {
        if (!given.districtCode)
          throw errors.badInput('districtCode', { zh: '区(市)级政策须指明区(市)', en: 'A district-level policy names its district' });
        await requireDistricts('districtCode', [given.districtCode]);
      } else if (given.districtCode) {
        throw errors.badInput('districtCode', { zh: '只有区(市)级政策有所在区(市)', en: 'Only a district-level policy has a district' });
      }
      for (const field of ['issuedOn', 'validFrom', 'validUntil'] as const) requireDate(field, given[field]);
      const at = clock();
      const issuedOn = given.issuedOn ?? beijingDate(at);
      const dates = { issuedOn, validFrom: given.validFrom ?? issuedOn, validUntil: given.validUntil ?? null };
      checkValidity(dates);
      const content = {
        title: given.title,
        documentNumber: given.documentNumber ?? null,
        summary: given.summary ?? null,
        body: given.text,
      };
      return db
        .transaction(async (tx) => {
          const row = await policyStore.insert(tx, {
            level: given.level,
            issuingUnitId,
            districtCode: given.districtCode ?? null,
            environment: given.environment,
            ...content,
            ...dates,
            ...policyTerms(content, []),
            createdAt: at,
            createdBy: viewer.subject!,
          });
          await policyEventStore.append(tx, {
            policyId: row.id,
            action: 'CREATE',
            fromStatus: null,
            toStatus: 'DRAFT',
            ...actor(),
            note: null,
            details: null,
            at,
          });
          return row;
        })
        .catch((error: unknown) => conflictOnDocumentNumber(error, content.documentNumber));
    },

    updatePolicy: (id: string, raw: unknown, expectedVersion?: number | null) =>
      actOnPolicy(id, 'UPDATE', expectedVersion, async ({ tx, row }) => {
        const given = parseInput(input.updatePolicyInput, raw ?? {});
        for (const field of ['issuedOn', 'validFrom', 'validUntil'] as const) requireDate(field, given[field]);
        const content = {
          title: given.title ?? row.title,
          documentNumber: given.documentNumber === undefined ? row.documentNumber : given.documentNumber,
          summary: given.summary === undefined ? row.summary : given.summary,
          body: given.text ?? row.body,
        };
        const dates = {
          issuedOn: given.issuedOn ?? row.issuedOn,
          validFrom: given.validFrom ?? row.validFrom,
          validUntil: given.validUntil === undefined ? row.validUntil : given.validUntil,
        };
        checkValidity(dates);
        const environment = given.environment ?? row.environment;
        return {
          values: { ...content, ...dates, environment, ...policyTerms(content, await interpretationStore.byPolicyIds(tx, [row.id])) },
          details: { changed: Object.keys(given).filter((k) => (given as Record<string, unknown>)[k] !== undefined) },
          after: async (updated) => {
            if (environment !== row.environment) await policyStore.syncItems(tx, updated);
          },
        };
      }).catch((error: unknown) => conflictOnDocumentNumber(error, (raw as { documentNumber?: string } | null)?.documentNumber)),

    openConsultation: (id: string, endsOn: string, expectedVersion?: number | null) =>
      actOnPolicy(id, 'OPEN_CONSULTATION', expectedVersion, ({ today: day }) => {
        requireDate('endsOn', endsOn);
        if (endsOn <= day) throw errors.badInput('endsOn', { zh: '征求意见截止日须晚于今天', en: 'endsOn must be after today' });
        return { values: { consultationEndsOn: endsOn }, details: { endsOn } };
      }),

    async commentOnPolicy(rawPolicyId: string, rawText: unknown) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const policyKey = parseInput(input.policyId, rawPolicyId, 'policyId');
      const body = parseInput(input.texts.comment, rawText, 'text');
      const unit = await access.activeUnit();
      return db.transaction(async (tx) => {
        const policy = await policyStore.get(tx, policyKey);
        if (!policy || !(await access.canSeePolicy(policy))) throw errors.notFound(POLICY, rawPolicyId);
        await access.authorizePolicy('COMMENT', policy, today());
        if (policy.consultationEndsOn && policy.consultationEndsOn < today()) {
          throw errors.invalidTransition(
            { zh: `征求意见已于 ${policy.consultationEndsOn} 截止`, en: `The consultation closed on ${policy.consultationEndsOn}` },
            policy.status,
          );
        }
        const at = clock();
        const comment = await commentStore.insert(tx, {
          policyId: policy.id,
          body,
          authorSubject: viewer.subject!,
          authorRole: viewer.role,
          authorIssuer: personOf(viewer)!.issuer,
          authorUnitId: viewer.role === 'ENTERPRISE' || viewer.role === 'OBSERVER' ? null : (unit?.id ?? null),
          authorEnterprise: viewer.role === 'ENTERPRISE' ? viewer.enterprise : null,
          createdAt: at,
        });
        await policyEventStore.append(tx, {
          policyId: policy.id,
          action: 'COMMENT',
          fromStatus: policy.status,
          toStatus: policy.status,
          ...actor(),
          note: null,
          details: { commentId: comment.id },
          at,
        });
        return comment;
      });
    },

    async answerPolicyComment(rawCommentId: string, rawAnswer: unknown, adopted: boolean) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const commentKey = parseInput(input.commentId, rawCommentId, 'commentId');
      const answer = parseInput(input.texts.answer, rawAnswer, 'answer');
      await access.draftsOf();
      return db.transaction(async (tx) => {
        const comment = await commentStore.lock(tx, commentKey);
        const policy = comment && (await policyStore.get(tx, comment.policyId));
        if (!comment || !policy || !(await access.seesComment(comment, policy)))
          throw errors.notFound({ zh: '意见', en: 'Comment' }, rawCommentId);
        await access.authorizePolicy('ANSWER_COMMENT', policy, today());
        if (comment.answer !== null)
          throw errors.invalidTransition({ zh: '该意见已答复', en: 'The comment has already been answered' }, policy.status);
        const at = clock();
        const answered = await commentStore.answer(tx, comment.id, { answer, adopted, answeredAt: at, answeredBy: viewer.subject! });
        await policyEventStore.append(tx, {
          policyId: policy.id,
          action: 'ANSWER_COMMENT',
          fromStatus: policy.status,
          toStatus: policy.status,
          ...actor(),
          note: answer,
          details: { commentId: comment.id, adopted },
          at,
        });
        return answered;
      });
    },

    async publishPolicy(id: string, raw: unknown, expectedVersion?: number | null) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const given = parseInput(input.publishPolicyInput, raw ?? {});
      for (const field of ['issuedOn', 'validFrom', 'validUntil'] as const) requireDate(field, given[field]);
      // Who gets a notice is asked of the units slice before the transaction, for the items as they are now.
      const before = await currentPolicy(id);
      await access.authorizePolicy('PUBLISH', before, today());
      const drafts = (await itemStore.byPolicyIds(db, [before.id])).filter((item) => item.status === 'DRAFT');
      const recipients = new Map<string, { version: number; codes: string[] }>();
      for (const item of drafts) recipients.set(item.id, { version: item.version, codes: await eligibleCodes(criteriaOf(item)) });
      return actOnPolicy(id, 'PUBLISH', expectedVersion, async ({ tx, row, now, today: day }) => {
        if ((await commentStore.unanswered(tx, row.id)) > 0) {
          throw errors.invalidTransition(
            { zh: '还有征求意见未答复，答复后才能发布', en: 'Every consultation comment must be answered before publication' },
            row.status,
          );
        }
        if (row.status === 'CONSULTATION' && row.consultationEndsOn && row.consultationEndsOn >= day) {
          throw errors.invalidTransition(
            {
              zh: `征求意见期至 ${row.consultationEndsOn}，期满后才能发布`,
              en: `The consultation runs until ${row.consultationEndsOn}; publish after it closes`,
            },
            row.status,
          );
        }
        const documentNumber = given.documentNumber ?? row.documentNumber;
        if (!documentNumber) throw errors.badInput('documentNumber', { zh: '发布须有文号', en: 'Publication needs a document number' });
        const issuedOn = given.issuedOn ?? (row.issuedOn <= day ? row.issuedOn : day);
        const dates = {
          issuedOn,
          validFrom: given.validFrom ?? row.validFrom,
          validUntil: given.validUntil === undefined ? row.validUntil : given.validUntil,
        };
        checkValidity(dates);
        const content = { title: row.title, documentNumber, summary: row.summary, body: row.body };
        return {
          values: {
            ...dates,
            documentNumber,
            publishedAt: now,
            ...policyTerms(content, await interpretationStore.byPolicyIds(tx, [row.id])),
          },
          after: async () => {
            await revisionStore.insert(tx, {
              policyId: row.id,
              revision: row.revision,
              ...content,
              ...dates,
              changeNote: null,
              publishedAt: now,
              publishedBy: viewer.subject!,
            });
            const published = await itemStore.publishForPolicy(tx, row.id, now);
            for (const item of published) {
              const planned = recipients.get(item.id);
              // An item added or changed since the recipients were worked out: ask again.
              if (!planned || planned.version + 1 !== item.version) {
                throw errors.conflict({ zh: '政策项目刚被修改，请重试发布', en: 'An item of the policy changed meanwhile; publish again' });
              }
              await noticeStore.send(tx, item.id, planned.codes, now);
            }
          },
          details: { documentNumber, items: drafts.length },
        };
      }).catch((error: unknown) => conflictOnDocumentNumber(error, given.documentNumber));
    },

    amendPolicy: (id: string, raw: unknown, expectedVersion?: number | null) =>
      actOnPolicy(id, 'AMEND', expectedVersion, async ({ tx, row, now }) => {
        const given = parseInput(input.amendPolicyInput, raw);
        for (const field of ['issuedOn', 'validFrom', 'validUntil'] as const) requireDate(field, given[field]);
        const content = {
          title: given.title ?? row.title,
          documentNumber: given.documentNumber,
          summary: given.summary === undefined ? row.summary : given.summary,
          body: given.text ?? row.body,
        };
        const issuedOn = given.issuedOn ?? beijingDate(now);
        const dates = {
          issuedOn,
          validFrom: given.validFrom ?? issuedOn,
          validUntil: given.validUntil === undefined ? row.validUntil : given.validUntil,
        };
        checkValidity(dates);
        const revision = row.revision + 1;
        return {
          values: { ...content, ...dates, revision, ...policyTerms(content, await interpretationStore.byPolicyIds(tx, [row.id])) },
          note: given.changeNote,
          details: { revision, documentNumber: given.documentNumber },
          after: async () => {
            await revisionStore.supersede(tx, row.id, row.revision, now);
            await revisionStore.insert(tx, {
              policyId: row.id,
              revision,
              ...content,
              ...dates,
              changeNote: given.changeNote,
              publishedAt: now,
              publishedBy: viewer.subject!,
            });
          },
        };
      }).catch((error: unknown) => conflictOnDocumentNumber(error, (raw as { documentNumber?: string } | null)?.documentNumber)),

    repealPolicy: (id: string, rawReason: unknown, expectedVersion?: number | null) =>
      actOnPolicy(id, 'REPEAL', expectedVersion, ({ tx, row, now }) => {
        const reason = parseInput(input.texts.repealReason, rawReason, 'reason');
        return { values: { repealedAt: now, repealReason: reason }, note: reason, after: () => itemStore.closeForPolicy(tx, row.id, now) };
      }),

    async addInterpretation(policyId: string, raw: unknown) {
      const given = parseInput(input.interpretationInput, raw);
      let created: Awaited<ReturnType<typeof interpretationStore.insert>> | undefined;
      await actOnPolicy(policyId, 'INTERPRET', null, async ({ tx, row, now }) => {
        const unit = await access.activeUnit();
        created = await interpretationStore.insert(tx, {
          policyId: row.id,
          title: given.title,
          body: given.text,
          unitId: unit!.id,
          authorSubject: viewer.subject!,
          createdAt: now,
        });
        const all = await interpretationStore.byPolicyIds(tx, [row.id]);
        return { values: policyTerms(row, all), note: given.title, details: { interpretationId: created.id } };
      });
      return created!;
    },

    // ───────────── items ─────────────
    async policyItems(rawFilter: unknown, page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeListCursor(page.after, 'instant') : null;
      const filter = parseInput(input.itemFilter, rawFilter ?? {});
      const search = searchOf(filter.text);
      const query = {
        ...filter,
        draftsOf: await access.draftsOf(),
        text: search,
        statuses: filter.status?.length ? filter.status : search ? (['PUBLISHED'] as ItemRow['status'][]) : null,
        today: today(),
      };
      const count = countBeside(page.counted, () => itemStore.count(db, query));
      const found = await itemStore.page(db, query, size + 1, after);
      for (const { row } of found) loaders.itemById.prime(row.id, row);
      const rows: ItemNode[] = found.map((found) => hit(found, search));
      return toConnection(rows, size, (row) => [...tierOf(row), row.sortAt.toISOString(), row.id], count, after !== null);
    },

    async policyItem(rawId: string): Promise<ItemNode | null> {
      if (!isUuid(rawId)) return null;
      const row = await loaders.itemById.load(rawId.toLowerCase());
      return row && (await access.canSeeItem(row)) ? row : null;
    },
    itemOf: async (itemId: string) => (await loaders.itemById.load(itemId))!,
    windowOpenNow: (item: ItemRow) => item.status === 'PUBLISHED' && windowOpen(item, today()),

    async createPolicyItem(rawPolicyId: string, raw: unknown) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const given = parseInput(input.itemInput, raw);
      const policy = await currentPolicy(rawPolicyId);
      await access.authorizePolicy('ADD_ITEM', policy, today());
      const { values, criteria } = await itemValues(given, null, policy);
      const publishNow = policy.status === 'PUBLISHED';
      const codes = publishNow ? await eligibleCodes(criteria) : [];
      let created: ItemRow | undefined;
      await actOnPolicy(policy.id, 'ADD_ITEM', policy.version, async ({ tx, row, now }) => {
        created = await itemStore.insert(tx, {
          ...(values as NewItem),
          policyId: row.id,
          issuingUnitId: row.issuingUnitId,
          level: row.level,
          environment: row.environment,
          status: publishNow ? 'PUBLISHED' : 'DRAFT',
          publishedAt: publishNow ? now : null,
          sortAt: now,
          createdAt: now,
        });
        const sent = publishNow ? await noticeStore.send(tx, created.id, codes, now) : 0;
        return { note: values.name, details: { itemId: created.id, published: publishNow, notices: sent } };
      });
      return created!;
    },

    async updatePolicyItem(rawId: string, raw: unknown, expectedVersion?: number | null) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const given = parseInput(input.updateItemInput, raw ?? {});
      const item = await visibleItem(rawId);
      const policy = (await policyStore.get(db, item.policyId))!;
      await access.authorizePolicy('UPDATE_ITEM', policy, today());
      if (item.status === 'CLOSED')
        throw errors.invalidTransition({ zh: '该项目已停止受理，不能修改', en: 'The item is closed and cannot change' }, item.status);
      const { values, criteria } = await itemValues(given, item, policy);
      // Enterprises that the new criteria make eligible get their notice (none twice).
      const renotify = item.status === 'PUBLISHED' && criteriaKey(criteria) !== criteriaKey(criteriaOf(item));
      const codes = renotify ? await eligibleCodes(criteria) : [];
      let updated: ItemRow | undefined;
      await actOnPolicy(policy.id, 'UPDATE_ITEM', null, async ({ tx, now }) => {
        const current = await itemStore.lock(tx, item.id);
        const wanted = expectedVersion ?? item.version;
        if (!current || current.version !== wanted) {
          throw errors.conflict(
            {
              zh: `政策项目已被他人更新（当前版本 ${current?.version}）`,
              en: `The item changed meanwhile (now version ${current?.version})`,
            },
            { currentVersion: current?.version },
          );
        }
        updated = await itemStore.update(tx, item.id, current.version, values as Partial<NewItem>);
        const sent = renotify ? await noticeStore.send(tx, item.id, codes, now) : 0;
        return {
          note: current.name,
          details: {
            itemId: item.id,
            changed: Object.keys(given).filter((k) => (given as Record<string, unknown>)[k] !== undefined),
            notices: sent,
          },
        };
      });
      return updated!;
    },

    // ───────────── news ─────────────
    async policyNews(rawFilter: unknown, page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeListCursor(page.after, 'instant') : null;
      const filter = parseInput(input.newsFilter, rawFilter ?? {});
      requireDate('publishedFrom', filter.publishedFrom);
      requireDate('publishedTo', filter.publishedTo);
      const search = searchOf(filter.text);
      const query = {
        text: search,
        policyId: filter.policyId,
        unitId: filter.unitId,
        publishedFrom: filter.publishedFrom ? beijingMidnight(filter.publishedFrom) : null,
        publishedTo: filter.publishedTo ? endOfBeijingDay(filter.publishedTo) : null,
      };
      const count = countBeside(page.counted, () => newsStore.count(db, query));
      const rows: NewsNode[] = (await newsStore.page(db, query, size + 1, after)).map((found) => hit(found, search));
      return toConnection(rows, size, (row) => [...tierOf(row), row.publishedAt.toISOString(), row.id], count, after !== null);
    },

    async newsPolicies(policyIds: string[]) {
      const rows = await Promise.all(policyIds.map((id) => loaders.policyById.load(id)));
      const visible = await Promise.all(rows.map((row) => (row ? access.canSeePolicy(row) : false)));
      return rows.filter((row, i): row is PolicyRow => row !== null && visible[i]!);
    },

    async publishPolicyNews(raw: unknown) {
      await access.authorizeSlice('PUBLISH_NEWS');
      const given = parseInput(input.newsInput, raw);
      const policyIds = given.policyIds ?? [];
      for (const [i, id] of policyIds.entries()) {
        const policy = await policyStore.get(db, id);
        if (!policy || policy.status === 'DRAFT')
          throw errors.badInput(`policyIds[${i}]`, { zh: `政策不存在或未公开：${id}`, en: `No such public policy: ${id}` });
      }
      const unit = await access.activeUnit();
      return newsStore.insert(db, {
        title: given.title,
        body: given.text,
        unitId: unit!.id,
        policyIds,
        authorSubject: viewer.subject!,
        publishedAt: clock(),
        headTerms: tsvectorOf(given.title),
        bodyTerms: tsvectorOf(given.title, given.text),
      });
    },

    // ───────────── 政策计算器 ─────────────
    async policyMatches(rawCode: string, page: PageArgs) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const code = parseInput(input.enterpriseCode, rawCode, 'creditCode');
      const size = pageSize(page.first, maxPageSize);
      let after: { missing: number; sortAt: string; id: string } | null = null;
      if (page.after) {
        const [missing, sortAt, id] = decodeCursor(page.after, 3);
        if (
          (missing !== 0 && missing !== 1) ||
          typeof sortAt !== 'string' ||
          Number.isNaN(Date.parse(sortAt)) ||
          typeof id !== 'string' ||
          !isUuid(id)
        ) {
          throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
        }
        after = { missing, sortAt, id };
      }
      // The units slice decides whether this caller may see this enterprise.
      const profile = await requireProfile(code);
      const day = today();
      const params = {
        industryCode: profile.industryCode,
        sizeClass: profile.sizeClass,
        districtCode: profile.districtCode,
        years: profile.registeredOn ? fullYears(profile.registeredOn, day) : null,
        qualifications: profile.qualifications,
      };
      const count = countBeside(page.counted, () => itemStore.matchCount(db, params, day));
      const found = await itemStore.matches(db, params, day, size + 1, after);
      const nodes = found.map(({ item }) => {
        loaders.itemById.prime(item.id, item);
        const results = evaluate(criteriaOf(item), profile, day);
        return { item, results, missing: unmetCount(results) };
      });
      return toConnection(nodes, size, (node) => [node.missing, node.item.sortAt.toISOString(), node.item.id], count, after !== null);
    },

    // ───────────── notices ─────────────
    async enterpriseNotices(creditCode: string, page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeIntegerCursor(page.after) : null;
      const scope = await access.noticeScope();
      const count = countBeside(page.counted, () => noticeStore.count(db, creditCode, scope));
      const rows = await noticeStore.page(db, creditCode, scope, size + 1, after);
      return toConnection(rows, size, (row) => [row.id], count, after !== null);
    },

    // ───────────── applications: reads ─────────────
    async applications(rawFilter: unknown, page: PageArgs, enterpriseCreditCode?: string) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
      const filter = parseInput(input.applicationFilter, rawFilter ?? {});
      await limitsUpToDate();
      const query = {
        ...filter,
        statuses: filter.status,
        enterpriseCreditCode: enterpriseCreditCode ?? filter.enterpriseCreditCode,
        scope: await access.applicationScope(),
        now: clock(),
      };
      const count = countBeside(page.counted, () => applicationStore.count(db, query));
      const rows = await applicationStore.page(db, query, size + 1, after);
      for (const row of rows) loaders.applicationById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.enteredAt.toISOString(), row.id], count, after !== null);
    },

    async application(rawId: string) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      if (!isUuid(rawId)) return null;
      await limitsUpToDate();
      const row = await loaders.applicationById.load(rawId.toLowerCase());
      return row && (await access.canSeeApplication(row)) ? row : null;
    },
    async visibleApplication(id: string) {
      const row = await loaders.applicationById.load(id);
      return row && (await access.canSeeApplication(row)) ? row : null;
    },

    async publicNotices(rawItemId: string | null | undefined, page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
      const itemKey = rawItemId ? parseInput(input.itemId, rawItemId, 'itemId') : null;
      await limitsUpToDate();
      const at = clock();
      const count = countBeside(page.counted, () => applicationStore.publicNoticeCount(db, at, itemKey));
      const rows = await applicationStore.publicNoticePage(db, at, itemKey, size + 1, after);
      return toConnection(rows, size, (row) => [row.noticeEndsAt!.toISOString(), row.id], count, after !== null);
    },

    async objectionsOf(application: ApplicationRow) {
      const list = await loaders.objectionsByApplication.load(application.id);
      const full = await access.seesObjector(application);
      return list.map((objection) => (full ? objection : { ...objection, contact: null, objectorSubject: null }));
    },
    reviewOf: (application: ApplicationRow) => loaders.reviewByApplication.load(application.id),
    /** An objection's application, whose notice's end its answer is due at. */
    objectionApplication: async (applicationId: string) => (await loaders.applicationById.load(applicationId))!,

    /** Every step of an application, with the working days since the step before and the limits it ended, judged. */
    async stepsOf(application: ApplicationRow) {
      const [events, judged] = await Promise.all([
        loaders.eventsByApplication.load(application.id),
        loaders.limitsByApplication.load(application.id),
      ]);
      const cal = await calendar.current();
      return events.map((event, i) => {
        const limits = judged.filter((limit) => limit.eventId === event.id);
        if (i === 0) return { ...event, workingDays: null, limits };
        // A step's count is shown once final: null while the calendar lacks a year between the steps.
        const count = workingDaysBetween(cal, events[i - 1]!.at, event.at);
        return { ...event, workingDays: count.pendingCalendarYear === null ? count.days : null, limits };
      });
    },
    /** Whether a step of the application ended a limit late (kept at that step, never erased). */
    lateOf: async (application: ApplicationRow) => (await loaders.limitsByApplication.load(application.id)).some((limit) => limit.late),
    /** Whether the payment was judged late (paid after its limit); false until paid. */
    paymentLate: async (application: ApplicationRow) =>
      (await loaders.limitsByApplication.load(application.id)).some((limit) => limit.kind === 'PAYMENT' && limit.late),
    /** Whether an objection's answer was judged late (after the notice ended); null while unanswered. */
    /** Whether the objection was answered — or set aside by a mark — after the notice ended; null while neither. */
    async objectionLate(objection: { id: string; applicationId: string; answeredAt: Date | null; mark: { markedAt: Date } | null }) {
      if (!objection.answeredAt && !objection.mark) return null;
      const judged = (await loaders.limitsByApplication.load(objection.applicationId)).find((limit) => limit.objectionId === objection.id);
      return judged?.late ?? false;
    },

    // ───────────── applications: 申报 ─────────────
    async submitApplication(raw: unknown) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const given = parseInput(input.submitApplicationInput, raw);
      const item = await visibleItem(given.itemId);
      await access.authorizeItem('SUBMIT_APPLICATION', item);
      if (item.automatic)
        throw errors.badInput('itemId', {
          zh: '免申即享项目无需申报，符合条件的企业将直接获得',
          en: 'An automatic item needs no application: eligible enterprises receive it',
        });
      const at = clock();
      const day = beijingDate(at);
      requireWindow(item, day);
      const creditCode = viewer.enterprise!;
      const profile = await requireProfile(creditCode);
      const results = evaluate(criteriaOf(item), profile, day);
      requireEligible(results);
      const materials = given.materials ?? [];
      if (!given.asDraft) checkMaterials(item, materials);
      const amount = requestedAmount(item, given.declaredBase, given.requestedAmount);
      const review = given.asDraft ? null : dueAfter(await calendar.current(), at, item.reviewWorkingDays);
      const print = input.fingerprint({ ...given, clientRequestId: undefined });
      const sameRequest = (existing: ApplicationRow) => {
        // The same person acting for another enterprise: the id is theirs, the application is not — nothing of it is told.
        if (existing.enterpriseCreditCode !== creditCode) {
          throw errors.conflict({
            zh: `请求号 ${given.clientRequestId} 已用于另一项申报`,
            en: `clientRequestId ${given.clientRequestId} was already used for another application`,
          });
        }
        if (existing.requestFingerprint !== print) {
          throw errors.conflict(
            {
              zh: `请求号 ${given.clientRequestId} 已用于另一项内容不同的申报`,
              en: `clientRequestId ${given.clientRequestId} was already used for a different application`,
            },
            { existingId: existing.id },
          );
        }
        return existing;
      };
      // A retry is the same person's: issuer, role and subject — the same subject from another issuer is somebody else.
      const submitter = personOf(viewer)!;
      return db.transaction(async (tx) => {
        // A retry racing its original waits here, then finds it: never the original's own live application as a CONFLICT.
        await applicationStore.lockClientRequest(tx, viewer.subject!, given.clientRequestId);
        const earlier = await applicationStore.byClientRequest(tx, submitter, given.clientRequestId);
        if (earlier) return sameRequest(earlier);
        const live = await applicationStore.live(tx, item.id, creditCode);
        if (live)
          throw errors.conflict(
            {
              zh: `已有一件该项目的申报（编号 ${live.number}）`,
              en: `There is already an application for this item (number ${live.number})`,
            },
            { existingId: live.id },
          );
        const status: ApplicationState = given.asDraft ? 'DRAFT' : 'SUBMITTED';
        const limits = review ? limitValues({ reviewDueAt: review }) : {};
        const created = await applicationStore.insertOnce(tx, {
          itemId: item.id,
          policyId: item.policyId,
          reviewingUnitId: item.reviewingUnitId,
          issuingUnitId: item.issuingUnitId,
          enterpriseCreditCode: creditCode,
          source: 'ONLINE',
          status,
          submitterSubject: submitter.subject,
          submitterRole: submitter.role,
          submitterIssuer: submitter.issuer,
          clientRequestId: given.clientRequestId,
          requestFingerprint: print,
          declaredBase: given.declaredBase ?? null,
          requestedAmount: amount,
          materials,
          eligibility: results,
          enteredAt: at,
          submittedAt: given.asDraft ? null : at,
          reviewClockAt: given.asDraft ? null : at,
          ...limits,
          nextDueAt: review?.dueAt ?? null,
        });
        if (!created) {
          const retried = await applicationStore.byClientRequest(tx, submitter, given.clientRequestId);
          if (retried) return sameRequest(retried);
          throw errors.conflict({ zh: '已有一件该项目的申报', en: 'There is already an application for this item' });
        }
        await applicationEventStore.append(tx, {
          applicationId: created.id,
          action: given.asDraft ? 'SAVE_DRAFT' : 'SUBMIT',
          fromStatus: null,
          toStatus: status,
          ...actor(),
          note: null,
          details: { requestedAmount: amount },
          at,
        });
        return created;
      });
    },

    async submitDraftApplication(id: string, expectedVersion?: number | null) {
      const draft = isUuid(id) ? await applicationStore.get(db, id.toLowerCase()) : undefined;
      const item = draft ? await itemStore.get(db, draft.itemId) : null;
      const profile =
        draft && item && viewer.enterprise === draft.enterpriseCreditCode ? await requireProfile(draft.enterpriseCreditCode) : null;
      const cal = await calendar.current();
      return actOnApplication(id, 'SUBMIT_DRAFT', expectedVersion, ({ row, now, today: day }) => {
        const current = item!;
        if (current.status !== 'PUBLISHED')
          throw errors.invalidTransition({ zh: '该项目已停止受理', en: 'The item takes no applications now' }, row.status);
        requireWindow(current, day);
        const results = evaluate(criteriaOf(current), profile!, day);
        requireEligible(results);
        checkMaterials(current, row.materials);
        const review = dueAfter(cal, now, current.reviewWorkingDays);
        return {
          values: {
            submittedAt: now,
            reviewClockAt: now,
            enteredAt: now,
            eligibility: results,
            ...limitValues({ reviewDueAt: review }, row.pendingCalendarYear),
            nextDueAt: review.dueAt,
          },
          eventAction: 'SUBMIT',
        };
      });
    },

    async importApplication(raw: unknown) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const given = parseInput(input.importApplicationInput, raw);
      const item = await visibleItem(given.itemId);
      await access.authorizeItem('IMPORT_APPLICATION', item);
      const at = clock();
      if (given.submittedAt.getTime() > at.getTime() + CLOCK_SKEW_MS)
        throw errors.badInput('submittedAt', { zh: '受理时间不能晚于现在', en: 'submittedAt cannot be in the future' });
      // The department's system accepted it; the profile, when this caller may see it, is recorded for the reviewer.
      const profile = await enterprises.profile(given.enterpriseCreditCode);
      const results = profile ? evaluate(criteriaOf(item), profile, beijingDate(given.submittedAt)) : [];
      const amount = requestedAmount(item, given.declaredBase, given.requestedAmount);
      const review = dueAfter(await calendar.current(), given.submittedAt, item.reviewWorkingDays);
      const print = input.fingerprint({ ...given, submittedAt: given.submittedAt.toISOString() });
      const sameImport = (existing: ApplicationRow) => {
        if (existing.requestFingerprint !== print) {
          throw errors.conflict(
            {
              zh: `外部编号 ${given.externalReference} 已导入过内容不同的申报`,
              en: `${given.sourceSystem}/${given.externalReference} was already imported with different content`,
            },
            { existingId: existing.id },
          );
        }
        return existing;
      };
      return db.transaction(async (tx) => {
        await applicationStore.lockExternalReference(tx, given.sourceSystem, given.externalReference);
        const earlier = await applicationStore.byExternalReference(tx, given.sourceSystem, given.externalReference);
        if (earlier) return sameImport(earlier);
        const live = await applicationStore.live(tx, item.id, given.enterpriseCreditCode);
        if (live)
          throw errors.conflict(
            {
              zh: `该企业已有一件该项目的申报（编号 ${live.number}）`,
              en: `The enterprise already has an application for this item (number ${live.number})`,
            },
            { existingId: live.id },
          );
        const created = await applicationStore.insertOnce(tx, {
          itemId: item.id,
          policyId: item.policyId,
          reviewingUnitId: item.reviewingUnitId,
          issuingUnitId: item.issuingUnitId,
          enterpriseCreditCode: given.enterpriseCreditCode,
          source: 'IMPORTED',
          status: 'SUBMITTED',
          submitterSubject: viewer.subject!,
          submitterRole: viewer.role,
          submitterIssuer: personOf(viewer)!.issuer,
          sourceSystem: given.sourceSystem,
          externalReference: given.externalReference,
          requestFingerprint: print,
          declaredBase: given.declaredBase ?? null,
          requestedAmount: amount,
          materials: given.materials ?? [],
          eligibility: results,
          enteredAt: given.submittedAt,
          submittedAt: given.submittedAt,
          reviewClockAt: given.submittedAt,
          ...limitValues({ reviewDueAt: review }),
          nextDueAt: review.dueAt,
        });
        if (!created) {
          const retried = await applicationStore.byExternalReference(tx, given.sourceSystem, given.externalReference);
          if (retried) return sameImport(retried);
          throw errors.conflict({ zh: '该企业已有一件该项目的申报', en: 'The enterprise already has an application for this item' });
        }
        await applicationEventStore.append(tx, {
          applicationId: created.id,
          action: 'IMPORT',
          fromStatus: null,
          toStatus: 'SUBMITTED',
          ...actor(),
          note: null,
          details: {
            sourceSystem: given.sourceSystem,
            externalReference: given.externalReference,
            submittedAt: given.submittedAt.toISOString(),
          },
          at,
        });
        return created;
      });
    },

    // ───────────── applications: 审核 ─────────────
    startReview: (id: string, expectedVersion?: number | null) =>
      actOnApplication(id, 'START_REVIEW', expectedVersion, ({ now }) => {
        const reviewer = personOf(viewer)!;
        return {
          values: { reviewStartedAt: now, reviewerSubject: reviewer.subject, reviewerRole: reviewer.role, reviewerIssuer: reviewer.issuer },
        };
      }),

    returnApplication: (id: string, rawReason: unknown, rawMissing: unknown, expectedVersion?: number | null) =>
      actOnApplication(id, 'RETURN', expectedVersion, ({ row, now }) => {
        const reason = parseInput(input.texts.returnReason, rawReason, 'reason');
        const missing = parseInput(input.missingMaterials, rawMissing, 'missingMaterials') ?? [];
        // The review clock stops while the materials are with the enterprise; it restarts on
        // resubmission. The limit it stopped is judged now: returned after it, it was missed.
        return {
          values: { returnReason: reason, missingMaterials: missing, nextDueAt: null },
          note: reason,
          details: { missingMaterials: missing },
          limits: reviewEnded(row, now),
        };
      }),

    async resubmitApplication(id: string, raw: unknown, expectedVersion?: number | null) {
      const given = parseInput(input.resubmitInput, raw);
      const cal = await calendar.current();
      return actOnApplication(id, 'RESUBMIT', expectedVersion, async ({ tx, row, now }) => {
        const item = (await itemStore.get(tx, row.itemId))!;
        const byName = new Map(row.materials.map((m) => [m.name, m]));
        for (const material of given.materials) byName.set(material.name, material);
        const materials = [...byName.values()];
        checkMaterials(item, materials);
        const stillMissing = row.missingMaterials.filter((name) => !given.materials.some((m) => m.name === name));
        if (stillMissing.length)
          throw errors.badInput('materials', {
            zh: `仍缺补正材料：${stillMissing.join('、')}`,
            en: `Still missing: ${stillMissing.join(', ')}`,
          });
        const review = dueAfter(cal, now, item.reviewWorkingDays);
        return {
          values: {
            materials,
            missingMaterials: [],
            reviewClockAt: now,
            ...limitValues({ reviewDueAt: review }, row.pendingCalendarYear),
            nextDueAt: review.dueAt,
          },
          note: given.note,
        };
      });
    },

    async approveApplication(id: string, rawAmount: unknown, rawNote: unknown, expectedVersion?: number | null) {
      const amount = parseInput(input.approvedAmount, rawAmount, 'amount');
      const note = parseInput(input.texts.note, rawNote, 'note');
      const cal = await calendar.current();
      return actOnApplication(id, 'APPROVE', expectedVersion, async ({ tx, row, now }) => {
        const item = (await itemStore.get(tx, row.itemId))!;
        const approved = item.amountKind === null ? null : (amount ?? row.requestedAmount);
        if (item.amountKind === null && amount != null)
          throw errors.badInput('amount', { zh: '服务类项目没有金额', en: 'A service item has no amount' });
        if (item.amountKind !== null) {
          const most = row.requestedAmount ?? item.amount;
          if (approved == null) throw errors.badInput('amount', { zh: '请核定金额', en: 'Give the approved amount' });
          if (most != null && approved > most)
            throw errors.badInput('amount', { zh: `核定金额不能超过 ${most} 元`, en: `The approved amount cannot exceed ${most} yuan` });
        }
        const payment = dueAfter(cal, now, item.paymentWorkingDays);
        return {
          values: {
            approvedAmount: approved,
            approvedAt: now,
            decidedAt: now,
            ...limitValues({ paymentDueAt: payment }, row.pendingCalendarYear),
            nextDueAt: payment.dueAt,
          },
          note,
          details: { amount: approved },
          limits: reviewEnded(row, now),
        };
      });
    },

    rejectApplication: (id: string, rawReason: unknown, expectedVersion?: number | null) =>
      actOnApplication(id, 'REJECT', expectedVersion, ({ row, now }) => {
        const reason = parseInput(input.texts.rejectionReason, rawReason, 'reason');
        return { values: { rejectionReason: reason, decidedAt: now, nextDueAt: null }, note: reason, limits: reviewEnded(row, now) };
      }),

    // ───────────── applications: 公示 ─────────────
    async startPublicNotice(id: string, endsOn: string | null | undefined, expectedVersion?: number | null) {
      requireDate('endsOn', endsOn);
      const cal = await calendar.current();
      const enterpriseName = await noticeEnterpriseName(id);
      return actOnApplication(id, 'START_NOTICE', expectedVersion, async ({ tx, row, now, today: day }) => {
        const item = (await itemStore.get(tx, row.itemId))!;
        // A last day the reviewing unit gives is final; a counted one is provisional through a year the calendar lacks.
        const counted = endsOn ? null : noticeLastDay(cal, now, item.noticeWorkingDays);
        const last = endsOn ?? counted!.lastDay;
        const noticePending = counted?.pendingCalendarYear ?? null;
        if (last <= day) throw errors.badInput('endsOn', { zh: '公示截止日须晚于今天', en: 'endsOn must be after today' });
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
      });
    },

    async fileObjection(applicationId: string, raw: unknown) {
      const given = parseInput(input.objectionInput, raw);
      const objectorKey = access.objectorKey();
      let filed: Awaited<ReturnType<typeof objectionStore.insert>> | undefined;
      await actOnApplication(
        applicationId,
        'FILE_OBJECTION',
        null,
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
            objectorSubject: viewer.subject,
            objectorRole: viewer.role,
            objectorIssuer: personOf(viewer)?.issuer ?? null,
            objectorKey,
            filedAt: now,
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
      return filed!;
    },

    async answerObjection(rawObjectionId: string, upheld: boolean, rawAnswer: unknown) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const objectionKey = parseInput(input.objectionId, rawObjectionId, 'objectionId');
      const answer = parseInput(input.texts.objectionAnswer, rawAnswer, 'answer');
      const found = await objectionStore.get(db, objectionKey);
      if (!found) throw errors.notFound({ zh: '异议', en: 'Objection' }, rawObjectionId);
      let answered: Awaited<ReturnType<typeof objectionStore.answer>> | undefined;
      await actOnApplication(found.applicationId, upheld ? 'STOP' : 'ANSWER_OBJECTION', null, async ({ tx, row, now }) => {
        const objection = (await objectionStore.lock(tx, [objectionKey]))[0]!;
        if (objection.answer !== null)
          throw errors.invalidTransition({ zh: '该异议已答复', en: 'The objection has already been answered' }, row.status);
        if (objection.mark !== null)
          throw errors.invalidTransition(
            { zh: '该异议已被标记为重复或恶意，不再答复', en: 'The objection was marked as a duplicate or as abuse; it is not answered' },
            row.status,
          );
        answered = await objectionStore.answer(tx, objection.id, { answer, upheld, answeredAt: now, answeredBy: viewer.subject! });
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
      return answered!;
    },

    /**
     * The reviewing unit sets objections aside in bulk as duplicates or abuse, saying why: one mark
     * per objection, kept for good (who, when, why), and an application event. Every objection
     * listed must be the application's, unanswered and unmarked — or none is marked.
     */
    async markObjections(applicationId: string, raw: unknown): Promise<ObjectionRow[]> {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const given = parseInput(input.markObjectionsInput, raw, 'input');
      let marked: ObjectionRow[] = [];
      await actOnApplication(applicationId, 'MARK_OBJECTIONS', null, async ({ tx, row, now }) => {
        const listed = await objectionStore.lock(tx, given.duplicateOf ? [...given.objectionIds, given.duplicateOf] : given.objectionIds);
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
        const settled = given.objectionIds.filter((id) => !isOpenObjection(found.get(id)!));
        if (settled.length) {
          throw errors.invalidTransition(
            {
              zh: `这些异议已答复或已标记，不能再标记：${settled.join('、')}`,
              en: `These objections are already answered or marked: ${settled.join(', ')}`,
            },
            row.status,
          );
        }
        const unit = await access.activeUnit();
        const person = personOf(viewer)!;
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
            markedByUnitId: unit!.id,
            markedAt: now,
          })),
        );
        const byObjection = new Map(marks.map((m) => [m.objectionId, m]));
        marked = given.objectionIds.map((id) => ({ ...found.get(id)!, mark: byObjection.get(id)! }));
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
    },

    // ───────────── applications: 兑现 and 评价 ─────────────
    async recordDisbursement(id: string, raw: unknown, expectedVersion?: number | null) {
      const given = parseInput(input.disbursementInput, raw);
      requireDate('paidOn', given.paidOn);
      const cal = await calendar.current();
      return actOnApplication(id, 'DISBURSE', expectedVersion, async ({ tx, row, now, today: day }) => {
        if (!row.noticeEndsAt || now < row.noticeEndsAt) {
          throw errors.invalidTransition(
            {
              zh: `公示期至 ${row.noticeEndsOn}，期满后才能拨付`,
              en: `The public notice runs until ${row.noticeEndsOn}; pay after it ends`,
            },
            row.status,
          );
        }
        if ((await openObjections(tx, row.id)) > 0)
          throw errors.invalidTransition({ zh: '还有异议未答复', en: 'An objection is still unanswered' }, row.status);
        if (given.paidOn > day) throw errors.badInput('paidOn', { zh: '拨付日期不能晚于今天', en: 'paidOn cannot be in the future' });
        if (row.approvedAt && given.paidOn < beijingDate(row.approvedAt))
          throw errors.badInput('paidOn', { zh: '拨付日期不能早于核准日期', en: 'paidOn cannot be before the approval' });
        if (row.approvedAmount !== null ? given.amount > row.approvedAmount || given.amount <= 0 : given.amount !== 0) {
          throw errors.badInput('amount', {
            zh: row.approvedAmount !== null ? `拨付金额须大于 0 且不超过核定的 ${row.approvedAmount} 元` : '服务类项目的拨付金额为 0',
            en:
              row.approvedAmount !== null
                ? `The amount must be above 0 and at most the approved ${row.approvedAmount} yuan`
                : 'A service item pays 0',
          });
        }
        const cycle = workingDaysBetween(cal, row.submittedAt!, given.paidOn);
        return {
          values: {
            disbursedAmount: given.amount,
            paidOn: given.paidOn,
            paymentReference: given.paymentReference,
            disbursedAt: now,
            cycleWorkingDays: cycle.days,
            pendingCalendarYear: earliestYear(row.pendingCalendarYear, cycle.pendingCalendarYear),
            nextDueAt: null,
          },
          details: { amount: given.amount, paidOn: given.paidOn, paymentReference: given.paymentReference, workingDays: cycle.days },
          limits: paymentEnded(row, { paidOn: given.paidOn }),
        };
      });
    },

    async rateApplication(
      id: string,
      level: 'VERY_SATISFIED' | 'SATISFIED' | 'BASICALLY_SATISFIED' | 'UNSATISFIED' | 'VERY_UNSATISFIED',
      rawComment: unknown,
    ) {
      const comment = parseInput(input.texts.reviewComment, rawComment, 'comment');
      return actOnApplication(id, 'RATE', null, async ({ tx, row, now }) => {
        if ((await reviewStore.byApplicationIds(tx, [row.id])).length)
          throw errors.invalidTransition({ zh: '该申报已评价过', en: 'This application has already been reviewed' }, row.status);
        return {
          note: comment,
          details: { level },
          after: async () =>
            void (await reviewStore.insert(tx, {
              applicationId: row.id,
              reviewingUnitId: row.reviewingUnitId,
              enterpriseCreditCode: row.enterpriseCreditCode,
              level,
              comment,
              reviewedAt: now,
            })),
        };
      });
    },

    // ───────────── 免申即享 ─────────────
    async runAutomaticGrants(rawItemId: string) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const item = await visibleItem(rawItemId);
      await access.authorizeItem('RUN_AUTOMATIC_GRANTS', item);
      if (!item.automatic)
        throw errors.invalidTransition({ zh: '该项目不是免申即享项目', en: 'The item is not an automatic grant' }, item.status);
      const at = clock();
      const day = beijingDate(at);
      requireWindow(item, day);
      const cal = await calendar.current();
      const notice = noticeLastDay(cal, at, item.noticeWorkingDays);
      const last = notice.lastDay;
      const payment = dueAfter(cal, at, item.paymentWorkingDays);
      const criteria = criteriaOf(item);
      const named = await enterprises.named(toEnterpriseFilter(criteria, today()));
      const codes = [...named.keys()];
      // Each restricting criterion, met as the registry's filter found it (the codes carry no profiles).
      const eligibility = restrictingCriteria(criteria).map((criterion) => ({
        criterion,
        met: true,
        reason: '经市场主体名录按条件核验符合',
        reasonEn: 'Met, checked against the market-entity registry',
      }));
      const created = await db.transaction(async (tx) => {
        const current = await itemStore.lock(tx, item.id);
        if (!current || current.version !== item.version || current.status !== 'PUBLISHED') {
          throw errors.conflict({ zh: '政策项目刚被修改，请重试', en: 'The item changed meanwhile; run again' });
        }
        return applicationStore.grantAutomatically(tx, {
          item: current,
          codes,
          names: codes.map((code) => named.get(code) ?? ''),
          at,
          actor: { subject: viewer.subject!, role: viewer.role, unitId: viewer.unitId },
          amount: current.amount,
          eligibility,
          noticeEndsOn: last,
          noticeEndsAt: endOfBeijingDay(last),
          paymentDueAt: payment.dueAt,
          noticePendingCalendarYear: notice.pendingCalendarYear,
          pendingCalendarYear: earliestYear(notice.pendingCalendarYear, payment.pendingCalendarYear),
        });
      });
      return {
        item,
        eligible: codes.length,
        created,
        alreadyGranted: codes.length - created,
        noticeEndsOn: last,
        provisional: notice.pendingCalendarYear !== null,
      };
    },

    // ───────────── figures and reviews ─────────────
    async unitStats(unitId: string, period: Period | null, fields?: ReadonlySet<string>): Promise<PolicyStats> {
      await access.mayReadUnitStats(unitId);
      await limitsUpToDate();
      return loaders.stats.load({ kind: 'unit', key: unitId, period, parts: fields && statsPartsKey(fields) });
    },
    async domainStats(domainCode: string, period: Period | null, fields?: ReadonlySet<string>): Promise<PolicyStats> {
      await access.mayReadDomainStats(domainCode);
      await limitsUpToDate();
      return loaders.stats.load({ kind: 'domain', key: domainCode, period, parts: fields && statsPartsKey(fields) });
    },
    async cityStats(period: Period | null, fields?: ReadonlySet<string>): Promise<PolicyStats> {
      await access.authorizeSlice('READ_CITY_STATS');
      await limitsUpToDate();
      return loaders.stats.load({ kind: 'all', key: 'ALL', period, parts: fields && statsPartsKey(fields) });
    },
    async applicationReviews(unitId: string, period: Period | null, page: PageArgs) {
      await access.mayReadUnitStats(unitId);
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
      const count = countBeside(page.counted, () => reviewStore.count(db, unitId, period));
      const rows = await reviewStore.page(db, unitId, period, size + 1, after);
      return toConnection(rows, size, (row) => [row.reviewedAt.toISOString(), row.id], count, after !== null);
    },
  };
}

export type PoliciesService = ReturnType<typeof createPoliciesService>;
