/**
 * The issues slice's use cases: parse what the caller sent (input.ts), ask whether they may
 * (access.ts), then read or write through the store. Resolvers call only this; this is the only
 * caller of the store.
 *
 * Every change to an existing issue runs through `act`, in one transaction that (1) reads the
 * issue, (2) asks the access module whether this caller may take this action now, (3) writes the
 * issue only if its version is unchanged, and (4) appends the event — so a change and its history
 * are never apart, and of two people acting at once exactly one wins.
 */
import type { Viewer } from '../../platform/auth.ts';
import { beijingDate, beijingMidnight, calendarYearProblem, endOfBeijingDay, WorkingCalendar, type CalendarYear } from '../../platform/calendar.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { errors, type Bilingual } from '../../platform/errors.ts';
import { isUuid, parseInput } from '../../platform/input.ts';
import { decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../platform/pagination.ts';
import { nextState } from '../../platform/rules.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Db, Queryable } from '../../db/client.ts';
import { canSee, createIssuesAccess } from './access.ts';
import { APPEAL_LIMITS, computeDue, MAX_TOTAL_WORKING_DAYS, type DeadlineRule } from './deadlines.ts';
import {
  acceptIssueInput,
  fingerprint,
  immediateWorkingDays,
  issueFilter,
  issueId,
  milestones as milestonesInput,
  reportIssueInput,
  submitAppealInput,
  texts,
  type MilestoneInput,
  type RatingValue,
} from './input.ts';
import type { IssuesLoaders } from './loaders.ts';
import { isAppealLike, issueRules, statusNames, type IssueAction, type IssueStatus } from './rules.ts';
import {
  calendarStore,
  deadlineStore,
  eventStore,
  issueStore,
  type DeadlineRow,
  type IssueListFilter,
  type IssueRow,
  type IssueStats,
  type NewDeadline,
  type NewIssue,
  type Period,
} from './store.ts';

export interface Context extends RequestContext {
  issues: IssuesService;
}

export interface IssuesServiceDeps {
  db: Db;
  viewer: Viewer;
  loaders: IssuesLoaders;
  directory: DirectorySource;
  now: () => Date;
  maxPageSize: number;
}

const ISSUE: Bilingual = { zh: '问题', en: 'Issue' };
/** A receipt time may run a little ahead of our clock (another platform's clock), not more. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

interface ActionContext {
  tx: Queryable;
  issue: IssueRow;
  now: Date;
  calendar(): Promise<WorkingCalendar>;
}

interface ActionPlan {
  values?: Partial<NewIssue>;
  /** Overrides the rule's target (an unsatisfied rating reopens). */
  toStatus?: IssueStatus;
  /** The history's name for what happened, when it is not the action's own. */
  eventAction?: string;
  note?: string | null;
  details?: Record<string, unknown>;
  /** Deadline changes, run after the issue row is written. */
  after?: (updated: IssueRow) => Promise<void>;
  /** Other issues whose deadlines or counters changed (merge). */
  alsoRefresh?: string[];
}

/** The open resolution deadline of the current round, if any. */
const openResolution = (deadlines: DeadlineRow[]) =>
  deadlines.filter((d) => d.stage === 'RESOLUTION' && !d.metAt && !d.cancelledAt).sort((a, b) => b.round - a.round)[0];
/** Handling round: 1, and one more for every reopening. */
const roundOf = (issue: IssueRow) => issue.reopenCount + 1;

/** A resolution limit for a new round (reopening), by the issue's own rule. */
function resolutionRule(issue: IssueRow, startsAt: Date): DeadlineRule | null {
  if (isAppealLike(issue.source)) return { startsAt, workingDays: APPEAL_LIMITS.resolutionWorkingDays };
  if (issue.rectificationMode === 'IMMEDIATE' && issue.immediateWorkingDays) return { startsAt, workingDays: issue.immediateWorkingDays };
  return null; // ONGOING: the unit plans the new round's milestones
}

export function createIssuesService(deps: IssuesServiceDeps) {
  const { db, viewer, loaders, directory, now: clock, maxPageSize } = deps;
  const access = createIssuesAccess(viewer, directory);

  async function calendarFrom(tx: Queryable): Promise<WorkingCalendar> {
    const years = await calendarStore.all(tx);
    return new WorkingCalendar(years.map((y) => ({ year: y.year, off: y.off, workdays: y.workdays })));
  }

  function actorFields() {
    return { actorSubject: viewer.subject!, actorRole: viewer.role, actorUnitId: viewer.unitId };
  }

  function deadlineRow(issueId: string, stage: NewDeadline['stage'], rule: DeadlineRule, calendar: WorkingCalendar, extra: Partial<NewDeadline> = {}): NewDeadline {
    const due = computeDue(rule, calendar);
    return {
      issueId,
      stage,
      startsAt: rule.startsAt,
      hours: rule.hours ?? null,
      workingDays: rule.workingDays ?? null,
      dueOn: rule.dueOn ?? null,
      dueAt: due.dueAt,
      warnAt: due.warnAt,
      pendingCalendarYear: due.pendingCalendarYear,
      ...extra,
    };
  }

  async function requireDistrict(code: string | null | undefined): Promise<string | null> {
    if (!code) return null;
    if (!(await directory.current()).districts.has(code)) {
      throw errors.badInput('districtCode', { zh: `区(市)不存在：${code}`, en: `No such district: ${code}` });
    }
    return code;
  }

  async function requireActiveUnit(field: string, id: string): Promise<string> {
    const unit = await directory.unit(id);
    if (!unit) throw errors.badInput(field, { zh: `单位不存在：${id}`, en: `No such unit: ${id}` });
    if (unit.archived) throw errors.badInput(field, { zh: `单位已归档：${unit.name}`, en: `The unit is archived: ${unit.code}` });
    return unit.id;
  }

  function validMilestones(raw: unknown, today: string): MilestoneInput[] {
    const planned = parseInput(milestonesInput, raw, 'milestones');
    planned.forEach((m, i) => {
      if (m.dueOn < today) {
        throw errors.badInput(`milestones[${i}].dueOn`, { zh: `节点日期 ${m.dueOn} 已过`, en: `Milestone date ${m.dueOn} is in the past` });
      }
    });
    return planned;
  }

  /** The one path by which an existing issue changes. */
  async function act(
    id: string,
    action: IssueAction,
    expectedVersion: number | null | undefined,
    plan: (ctx: ActionContext) => Promise<ActionPlan> | ActionPlan,
  ): Promise<IssueRow> {
    if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
    const issueKey = parseInput(issueId, id, 'id');
    const visible = await access.scope();
    return db.transaction(async (tx) => {
      const issue = await issueStore.get(tx, issueKey);
      if (!issue || !canSee(visible, issue)) throw errors.notFound(ISSUE, id);
      if (expectedVersion != null && expectedVersion !== issue.version) {
        throw errors.conflict(
          { zh: `问题已被他人更新（当前版本 ${issue.version}，状态“${statusNames[issue.status]}”）`, en: `The issue changed meanwhile (now version ${issue.version}, ${issue.status})` },
          { currentVersion: issue.version, currentState: issue.status },
        );
      }
      await access.authorize(action, issue);

      const now = clock();
      let calendar: Promise<WorkingCalendar> | undefined;
      const planned = await plan({ tx, issue, now, calendar: () => (calendar ??= calendarFrom(tx)) });
      const toStatus = planned.toStatus ?? nextState(issueRules[action], issue.status);
      const updated = await issueStore.update(tx, issueKey, issue.version, { ...planned.values, status: toStatus });
      if (!updated) {
        throw errors.conflict({ zh: '问题已被他人同时更新，请刷新后重试', en: 'Someone else changed the issue at the same moment; reload and retry' }, { currentState: issue.status });
      }
      await planned.after?.(updated);
      await eventStore.append(tx, {
        issueId: issueKey,
        action: planned.eventAction ?? action,
        fromStatus: issue.status,
        toStatus,
        ...actorFields(),
        note: planned.note ?? null,
        details: planned.details ?? null,
        at: now,
      });
      await issueStore.refreshNextDue(tx, [issueKey, ...(planned.alsoRefresh ?? [])]);
      return (await issueStore.get(tx, issueKey))!;
    });
  }

  /** How an issue enters the loop. Idempotent on the reporter's client request id. */
  async function submit(
    row: Omit<NewIssue, 'reporterSubject' | 'reporterRole' | 'reporterUnitId' | 'reporterEnterprise' | 'requestFingerprint' | 'recordedAt'>,
  ): Promise<IssueRow> {
    const print = fingerprint({ ...row, clientRequestId: undefined, receivedAt: row.receivedAt?.toISOString() });
    const now = clock();
    const sameRequest = (existing: IssueRow): IssueRow => {
      if (existing.requestFingerprint !== print) {
        throw errors.conflict(
          { zh: `请求号 ${row.clientRequestId} 已用于另一项内容不同的提交`, en: `clientRequestId ${row.clientRequestId} was already used for a different submission` },
          { existingId: existing.id },
        );
      }
      return existing;
    };
    return db.transaction(async (tx) => {
      const earlier = await issueStore.byClientRequest(tx, viewer.subject!, row.clientRequestId);
      if (earlier) return sameRequest(earlier);
      const created = await issueStore.insertOnce(tx, {
        ...row,
        reporterSubject: viewer.subject!,
        reporterRole: viewer.role,
        reporterUnitId: viewer.role === 'ENTERPRISE' || viewer.role === 'OBSERVER' ? null : viewer.unitId,
        reporterEnterprise: viewer.role === 'ENTERPRISE' ? viewer.enterprise : null,
        requestFingerprint: print,
        recordedAt: now,
      });
      // The same request, committed by a concurrent retry while we waited on its unique key.
      if (!created) return sameRequest((await issueStore.byClientRequest(tx, viewer.subject!, row.clientRequestId))!);
      if (isAppealLike(created.source)) {
        const calendar = await calendarFrom(tx);
        const startsAt = created.receivedAt;
        await deadlineStore.insert(tx, [
          deadlineRow(created.id, 'CONTACT', { startsAt, hours: APPEAL_LIMITS.contactHours }, calendar),
          deadlineRow(created.id, 'FEEDBACK', { startsAt, workingDays: APPEAL_LIMITS.feedbackWorkingDays }, calendar),
          deadlineRow(created.id, 'RESOLUTION', { startsAt, workingDays: APPEAL_LIMITS.resolutionWorkingDays }, calendar),
        ]);
      }
      await eventStore.append(tx, { issueId: created.id, action: 'SUBMIT', fromStatus: null, toStatus: created.status, ...actorFields(), note: null, details: { source: created.source }, at: now });
      await issueStore.refreshNextDue(tx, [created.id]);
      return (await issueStore.get(tx, created.id))!;
    });
  }

  async function listFilter(raw: unknown): Promise<IssueListFilter> {
    const { domainCode, ...filter } = parseInput(issueFilter, raw ?? {});
    // An unknown unit is a mistake to name, not an empty list; archived units keep their issues.
    if (filter.unitId && !(await directory.unit(filter.unitId))) {
      throw errors.badInput('unitId', { zh: `单位不存在：${filter.unitId}`, en: `No such unit: ${filter.unitId}` });
    }
    if (filter.districtCode) await requireDistrict(filter.districtCode);
    const result: IssueListFilter = filter;
    if (domainCode) {
      const dir = await directory.current();
      if (!dir.domains.includes(domainCode)) throw errors.badInput('domainCode', { zh: `重点领域不存在：${domainCode}`, en: `No such domain: ${domainCode}` });
      result.unitIds = dir.unitsOfDomain(domainCode).map((u) => u.id);
    }
    return result;
  }

  return {
    viewer,
    now: clock,

    // ───────────── entering the loop ─────────────
    async submitAppeal(raw: unknown) {
      await access.authorizeLoop('SUBMIT_APPEAL');
      const input = parseInput(submitAppealInput, raw);
      return submit({
        clientRequestId: input.clientRequestId,
        source: 'ENTERPRISE_APPEAL',
        environment: input.environment,
        appealKind: input.kind,
        title: input.title,
        description: input.description,
        enterpriseCreditCode: viewer.enterprise,
        districtCode: await requireDistrict(input.districtCode),
        receivedAt: clock(),
      });
    },

    async reportIssue(raw: unknown) {
      const shape = (raw ?? {}) as { source: string; unitId?: string | null; receivedAt?: Date | null };
      const { ownUnitId } = await access.mayReport(shape);
      const input = parseInput(reportIssueInput, raw);
      const now = clock();
      if (input.receivedAt && input.receivedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
        throw errors.badInput('receivedAt', { zh: '收到时间不能晚于现在', en: 'receivedAt cannot be in the future' });
      }
      const proposedUnitId = ownUnitId ?? (input.unitId ? await requireActiveUnit('unitId', input.unitId) : null);
      return submit({
        clientRequestId: input.clientRequestId,
        source: input.source,
        environment: input.environment,
        appealKind: input.appealKind ?? null,
        title: input.title,
        description: input.description,
        enterpriseCreditCode: input.enterpriseCreditCode ?? null,
        districtCode: await requireDistrict(input.districtCode),
        proposedUnitId,
        responsibleLeader: input.responsibleLeader,
        receivedAt: input.receivedAt ?? now,
      });
    },

    // ───────────── the loop ─────────────
    acceptIssue: (id: string, raw: unknown, expectedVersion?: number | null) =>
      act(id, 'ACCEPT', expectedVersion, async ({ tx, issue, now, calendar }) => {
        const input = parseInput(acceptIssueInput, raw ?? {});
        const mode = input.rectificationMode ?? null;
        const appeal = isAppealLike(issue.source);
        if (appeal && mode) {
          throw errors.badInput('rectificationMode', { zh: '企业诉求和热线按青诉即办时限办理，不设整改方式', en: 'Appeals and hotline items follow the 青诉即办 limits; they take no rectification mode' });
        }
        if (!appeal && !mode) {
          throw errors.badInput('rectificationMode', { zh: '请确定整改方式：立即改或持续改', en: 'Choose the rectification mode: IMMEDIATE or ONGOING' });
        }
        let after: ActionPlan['after'];
        let immediateDays: number | null = null;
        if (mode === 'IMMEDIATE') {
          immediateDays = parseInput(immediateWorkingDays, input.immediateWorkingDays, 'immediateWorkingDays');
          const cal = await calendar();
          after = () => deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', { startsAt: issue.receivedAt, workingDays: immediateDays! }, cal)]);
        } else if (mode === 'ONGOING') {
          const planned = validMilestones(input.milestones, beijingDate(now));
          const cal = await calendar();
          const last = planned.map((m) => m.dueOn).sort().at(-1)!;
          after = () =>
            deadlineStore.insert(tx, [
              ...planned.map((m) => deadlineRow(issue.id, 'MILESTONE', { startsAt: issue.receivedAt, dueOn: m.dueOn }, cal, { title: m.title })),
              deadlineRow(issue.id, 'RESOLUTION', { startsAt: issue.receivedAt, dueOn: last }, cal),
            ]);
        }
        return {
          values: { acceptedAt: now, rectificationMode: mode, immediateWorkingDays: immediateDays, responsibleLeader: input.responsibleLeader ?? issue.responsibleLeader },
          note: input.note,
          details: { rectificationMode: mode, immediateWorkingDays: immediateDays },
          after,
        };
      }),

    rejectIssue: (id: string, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'REJECT', expectedVersion, ({ tx, issue, now }) => {
        const why = parseInput(texts.rejectionReason, reason, 'reason');
        return { values: { rejectionReason: why }, note: why, after: () => deadlineStore.cancelOpen(tx, issue.id, now) };
      }),

    assignIssue: (id: string, unitId: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'ASSIGN', expectedVersion, async ({ issue }) => {
        const target = await requireActiveUnit('unitId', unitId);
        if (issue.status === 'ASSIGNED' && issue.responsibleUnitId === target) {
          throw errors.badInput('unitId', { zh: '问题已派给该单位', en: 'The issue is already with that unit' });
        }
        return {
          values: { responsibleUnitId: target },
          eventAction: issue.responsibleUnitId || issue.status === 'RETURNED' ? 'REASSIGN' : 'ASSIGN',
          note: parseInput(texts.note, note, 'note'),
          details: { unitId: target, previousUnitId: issue.responsibleUnitId },
        };
      }),

    returnIssue: (id: string, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'RETURN', expectedVersion, ({ issue }) => ({
        values: { responsibleUnitId: null },
        note: parseInput(texts.returnReason, reason, 'reason'),
        details: { unitId: issue.responsibleUnitId },
      })),

    recordContact: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'CONTACT', expectedVersion, ({ tx, issue, now }) => ({
        note: parseInput(texts.contactNote, note, 'note'),
        after: async () => void (await deadlineStore.meet(tx, issue.id, 'CONTACT', now)),
      })),

    giveFeedback: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'FEEDBACK', expectedVersion, ({ tx, issue, now }) => ({
        note: parseInput(texts.feedback, note, 'note'),
        after: async () => void (await deadlineStore.meet(tx, issue.id, 'FEEDBACK', now)),
      })),

    resolveIssue: (id: string, resolution: unknown, expectedVersion?: number | null) =>
      act(id, 'RESOLVE', expectedVersion, async ({ tx, issue, now }) => {
        const what = parseInput(texts.resolution, resolution, 'resolution');
        const deadlines = await deadlineStore.forIssue(tx, issue.id);
        const open = deadlines.filter((d) => d.stage === 'MILESTONE' && !d.metAt && !d.cancelledAt);
        if (issue.rectificationMode === 'ONGOING' && !deadlines.some((d) => d.stage === 'MILESTONE' && d.round === roundOf(issue) && !d.cancelledAt)) {
          throw errors.invalidTransition({ zh: '重新办理的持续改问题须先制定本轮节点计划', en: 'A reopened ONGOING rectification needs this round’s milestones first' }, issue.status);
        }
        if (open.length) {
          throw errors.invalidTransition({ zh: `还有 ${open.length} 个整改节点未完成`, en: `${open.length} milestone(s) are not completed yet` }, issue.status);
        }
        return {
          // A new handling awaits a new rating; the earlier one stays in the history.
          values: { resolution: what, resolvedAt: now, rating: null, ratingSolved: null, ratingComment: null, ratedAt: null },
          note: what,
          after: async () => void (await deadlineStore.meet(tx, issue.id, 'RESOLUTION', now)),
        };
      }),

    rateIssue: (id: string, rating: RatingValue, solved: boolean | null | undefined, comment: unknown, expectedVersion?: number | null) =>
      act(id, 'RATE', expectedVersion, async ({ tx, issue, now, calendar }) => {
        if (issue.ratedAt) {
          throw errors.invalidTransition({ zh: '本次办理已评价过', en: 'This handling has already been rated' }, issue.status);
        }
        const wasSolved = solved ?? rating !== 'UNSATISFIED';
        const remark = parseInput(texts.comment, comment, 'comment');
        const values: Partial<NewIssue> = { rating, ratingSolved: wasSolved, ratingComment: remark, ratedAt: now };
        // Only the enterprise's own first "unsatisfied" reopens by itself; after a follow-up the command office decides.
        const reopen = access.isReporter(issue) && rating === 'UNSATISFIED' && !issue.enterpriseReopenUsed;
        if (!reopen) return { values, details: { rating, solved: wasSolved }, note: remark };
        const rule = resolutionRule(issue, now);
        const cal = rule ? await calendar() : null;
        return {
          values: { ...values, enterpriseReopenUsed: true, reopenCount: issue.reopenCount + 1 },
          toStatus: 'REOPENED',
          eventAction: 'RATE_AND_REOPEN',
          note: remark,
          details: { rating, solved: wasSolved },
          after: async () => {
            if (rule) await deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', rule, cal!, { round: roundOf(issue) + 1 })]);
          },
        };
      }),

    closeIssue: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'CLOSE', expectedVersion, ({ now }) => ({ values: { closedAt: now }, note: parseInput(texts.verification, note, 'note') })),

    reopenIssue: (id: string, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'REOPEN', expectedVersion, async ({ tx, issue, now, calendar }) => {
        const why = parseInput(texts.reopenReason, reason, 'reason');
        const rule = resolutionRule(issue, now);
        const cal = rule ? await calendar() : null;
        return {
          values: { reopenCount: issue.reopenCount + 1, closedAt: null, ...(access.isReporter(issue) ? { enterpriseReopenUsed: true } : {}) },
          note: why,
          after: async () => {
            if (rule) await deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', rule, cal!, { round: roundOf(issue) + 1 })]);
          },
        };
      }),

    escalateIssue: (id: string, supervisingLeader: unknown, note: unknown, expectedVersion?: number | null) =>
      act(id, 'ESCALATE', expectedVersion, ({ issue, now }) => {
        const leader = parseInput(texts.supervisingLeader, supervisingLeader, 'supervisingLeader');
        return { values: { escalatedAt: issue.escalatedAt ?? now, supervisingLeader: leader }, note: parseInput(texts.note, note, 'note'), details: { supervisingLeader: leader } };
      }),

    mergeIssue: (id: string, intoId: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'MERGE', expectedVersion, async ({ tx, issue, now }) => {
        const targetId = parseInput(issueId, intoId, 'intoId');
        if (targetId === issue.id) throw errors.badInput('intoId', { zh: '不能并入自身', en: 'An issue cannot be merged into itself' });
        const original = await issueStore.lock(tx, targetId);
        if (!original) throw errors.notFound(ISSUE, intoId);
        if (original.status === 'MERGED' || original.status === 'REJECTED') {
          throw errors.invalidTransition({ zh: `原问题状态为“${statusNames[original.status]}”，不能并入`, en: `The original is ${original.status}; nothing can be merged into it` }, original.status);
        }
        const remark = parseInput(texts.note, note, 'note');
        return {
          values: { mergedIntoId: original.id },
          note: remark,
          details: { intoId: original.id, intoNumber: original.number },
          alsoRefresh: [original.id],
          after: async () => {
            await deadlineStore.cancelOpen(tx, issue.id, now);
            await issueStore.repointMerged(tx, issue.id, original.id);
            await issueStore.absorb(tx, original.id, 1 + issue.absorbedCount);
            await eventStore.append(tx, {
              issueId: original.id,
              action: 'ABSORB',
              fromStatus: original.status,
              toStatus: original.status,
              ...actorFields(),
              note: remark,
              details: { duplicateId: issue.id, duplicateNumber: issue.number },
              at: now,
            });
          },
        };
      }),

    requestExtension: (id: string, totalWorkingDays: number, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'REQUEST_EXTENSION', expectedVersion, async ({ tx, issue, now }) => {
        if (issue.rectificationMode === 'ONGOING') {
          throw errors.invalidTransition({ zh: '持续改问题请调整节点计划，而不是延期', en: 'An ONGOING rectification re-plans its milestones instead' }, issue.status);
        }
        if (issue.extensionRequestedAt) {
          throw errors.invalidTransition({ zh: '已有延期申请待审批', en: 'An extension request is already pending' }, issue.status);
        }
        const resolution = openResolution(await deadlineStore.forIssue(tx, issue.id));
        if (!resolution?.workingDays) {
          throw errors.invalidTransition({ zh: '该问题没有按工作日计算的办结时限', en: 'The issue has no working-day resolution limit to extend' }, issue.status);
        }
        if (!resolution.dueAt || now >= resolution.dueAt) {
          throw errors.invalidTransition({ zh: '延期须在办结时限到期前申请', en: 'An extension must be asked for before the resolution deadline' }, issue.status);
        }
        if (!Number.isInteger(totalWorkingDays) || totalWorkingDays <= resolution.workingDays || totalWorkingDays > MAX_TOTAL_WORKING_DAYS) {
          throw errors.badInput('totalWorkingDays', {
            zh: `延期后的总时限须多于现有的 ${resolution.workingDays} 个工作日，且不超过 ${MAX_TOTAL_WORKING_DAYS} 个工作日`,
            en: `The extended total must exceed the current ${resolution.workingDays} working days and be at most ${MAX_TOTAL_WORKING_DAYS}`,
          });
        }
        const why = parseInput(texts.extensionReason, reason, 'reason');
        return { values: { extensionRequestedWorkingDays: totalWorkingDays, extensionReason: why, extensionRequestedAt: now }, note: why, details: { workingDays: totalWorkingDays } };
      }),

    grantExtension: (id: string, approve: boolean, note: unknown, expectedVersion?: number | null) =>
      act(id, 'GRANT_EXTENSION', expectedVersion, async ({ tx, issue, calendar }) => {
        if (!issue.extensionRequestedAt || !issue.extensionRequestedWorkingDays) {
          throw errors.invalidTransition({ zh: '没有待审批的延期申请', en: 'There is no pending extension request' }, issue.status);
        }
        const total = issue.extensionRequestedWorkingDays;
        const cleared = { extensionRequestedWorkingDays: null, extensionReason: null, extensionRequestedAt: null };
        const remark = parseInput(texts.decision, note, 'note');
        if (!approve) return { values: cleared, eventAction: 'REFUSE_EXTENSION', note: remark, details: { workingDays: total } };
        const resolution = openResolution(await deadlineStore.forIssue(tx, issue.id));
        if (!resolution) throw errors.invalidTransition({ zh: '办结时限已不存在', en: 'The resolution limit no longer exists' }, issue.status);
        const due = computeDue({ startsAt: resolution.startsAt, workingDays: total }, await calendar());
        return {
          values: { ...cleared, extensionGrantedWorkingDays: total },
          note: remark,
          details: { workingDays: total },
          after: () => deadlineStore.update(tx, resolution.id, { workingDays: total, ...due }),
        };
      }),

    remindIssue: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'REMIND', expectedVersion, ({ issue, now }) => {
        if (!issue.nextDueAt || issue.nextDueAt > now) {
          throw errors.invalidTransition({ zh: '只能对已超期的问题催办', en: 'Only an overdue issue can be reminded' }, issue.status);
        }
        return { values: { reminderCount: issue.reminderCount + 1 }, note: parseInput(texts.reminder, note, 'note') };
      }),

    planMilestones: (id: string, raw: unknown, expectedVersion?: number | null) =>
      act(id, 'PLAN_MILESTONES', expectedVersion, async ({ tx, issue, now, calendar }) => {
        if (issue.rectificationMode !== 'ONGOING') {
          throw errors.invalidTransition({ zh: '只有持续改问题有节点计划', en: 'Only an ONGOING rectification has milestones' }, issue.status);
        }
        const planned = validMilestones(raw, beijingDate(now));
        const cal = await calendar();
        const deadlines = await deadlineStore.forIssue(tx, issue.id);
        const round = roundOf(issue);
        const last = planned.map((m) => m.dueOn).sort().at(-1)!;
        const resolution = openResolution(deadlines);
        return {
          details: { milestones: planned },
          after: async () => {
            for (const d of deadlines) if (d.stage === 'MILESTONE' && !d.metAt && !d.cancelledAt) await deadlineStore.update(tx, d.id, { cancelledAt: now });
            await deadlineStore.insert(tx, planned.map((m) => deadlineRow(issue.id, 'MILESTONE', { startsAt: now, dueOn: m.dueOn }, cal, { title: m.title, round })));
            const rule = { startsAt: resolution?.startsAt ?? now, dueOn: last };
            if (resolution) await deadlineStore.update(tx, resolution.id, { dueOn: last, workingDays: null, ...computeDue(rule, cal) });
            else await deadlineStore.insert(tx, [deadlineRow(issue.id, 'RESOLUTION', rule, cal, { round })]);
          },
        };
      }),

    completeMilestone: (id: string, milestoneId: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'COMPLETE_MILESTONE', expectedVersion, async ({ tx, issue, now }) => {
        const milestone = (await deadlineStore.forIssue(tx, issue.id)).find((d) => String(d.id) === milestoneId && d.stage === 'MILESTONE');
        if (!milestone || milestone.cancelledAt) throw errors.notFound({ zh: '节点', en: 'Milestone' }, milestoneId);
        if (milestone.metAt) throw errors.invalidTransition({ zh: '该节点已完成', en: 'The milestone is already completed' }, issue.status);
        return {
          note: parseInput(texts.milestoneNote, note, 'note'),
          details: { milestoneId: milestone.id, title: milestone.title },
          after: () => deadlineStore.meetOne(tx, milestone.id, now),
        };
      }),

    publishIssue: (id: string, title: unknown, summary: unknown, expectedVersion?: number | null) =>
      act(id, 'PUBLISH', expectedVersion, ({ issue, now }) => ({
        values: {
          publishedAt: issue.publishedAt ?? now,
          publishedTitle: parseInput(texts.caseTitle, title, 'title'),
          publishedSummary: parseInput(texts.caseSummary, summary, 'summary'),
        },
      })),

    // ───────────── reads ─────────────
    async issue(id: string): Promise<IssueRow | null> {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      if (!isUuid(id)) return null;
      const row = await loaders.issueById.load(id.toLowerCase());
      return row && canSee(await access.scope(), row) ? row : null;
    },

    /** The original of a merged duplicate, for its status and resolution only (reporters follow it). */
    originalOf: (row: IssueRow) => (row.mergedIntoId ? loaders.issueById.load(row.mergedIntoId) : Promise.resolve(null)),

    async visibleIssue(id: string | null): Promise<IssueRow | null> {
      if (!id) return null;
      const row = await loaders.issueById.load(id);
      return row && canSee(await access.scope(), row) ? row : null;
    },

    async issues(rawFilter: unknown, page: PageArgs) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const size = pageSize(page.first, maxPageSize);
      const cursor = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
      const query = { scope: await access.scope(), filter: await listFilter(rawFilter), now: clock() };
      const rows = await issueStore.page(db, query, size + 1, cursor && { receivedAt: cursor.at, id: cursor.id });
      for (const row of rows) loaders.issueById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.receivedAt.toISOString(), row.id], () => issueStore.count(db, query), cursor !== null);
    },

    async alerts(unitId: string | null, page: PageArgs) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const size = pageSize(page.first, maxPageSize);
      const cursor = page.after ? decodeInstantCursor(page.after, 'serial') : null;
      const query = { scope: await access.scope(), unitId: unitId ? parseInput(issueFilter.shape.unitId, unitId, 'unitId')! : null, now: clock() };
      const rows = await deadlineStore.alertsPage(db, query, size + 1, cursor && { dueAt: cursor.at, id: cursor.id });
      for (const row of rows) loaders.issueById.prime(row.issue.id, row.issue);
      return toConnection(rows, size, (row) => [row.deadline.dueAt!.toISOString(), row.deadline.id], () => deadlineStore.alertsCount(db, query), cursor !== null);
    },

    async publishedCases(page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const cursor = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
      const rows = await issueStore.publishedPage(db, size + 1, cursor && { publishedAt: cursor.at, id: cursor.id });
      return toConnection(rows, size, (row) => [row.publishedAt!.toISOString(), row.id], () => issueStore.publishedCount(db), cursor !== null);
    },

    deadlines: (issueId: string) => loaders.deadlinesByIssue.load(issueId),
    history: (issueId: string) => loaders.eventsByIssue.load(issueId),
    seesReporter: access.seesReporter,
    seesActor: access.seesActor,
    calendarYears: () => calendarStore.all(db),

    // ───────────── statistics ─────────────
    async unitStats(unitId: string, period: Period | null): Promise<IssueStats> {
      await access.mayReadUnitStats(unitId);
      return loaders.stats.load({ kind: 'unit', key: unitId, period });
    },
    async domainStats(domainCode: string, period: Period | null): Promise<IssueStats> {
      await access.mayReadDomainStats(domainCode);
      return loaders.stats.load({ kind: 'domain', key: domainCode, period });
    },
    async overallStats(period: Period | null): Promise<IssueStats> {
      await access.authorizeLoop('READ_CITY_STATS');
      return loaders.stats.load({ kind: 'all', key: 'ALL', period });
    },

    // ───────────── calendar ─────────────
    async setCalendarYear(input: CalendarYear & { notice: string }) {
      await access.authorizeLoop('KEEP_CALENDAR');
      const year: CalendarYear = {
        year: input.year,
        off: [...new Set(input.off)].sort(),
        workdays: [...new Set(input.workdays)].sort(),
        notice: parseInput(texts.notice, input.notice, 'notice'),
      };
      const problem = calendarYearProblem(year);
      if (problem) throw errors.badInput(problem.field, problem);
      const now = clock();
      return db.transaction(async (tx) => {
        const saved = await calendarStore.upsert(tx, { year: year.year, notice: year.notice, off: year.off, workdays: year.workdays, updatedBy: viewer.subject!, updatedAt: now });
        // Deadlines that ran through this year, or waited for it, move with the new calendar.
        const calendar = await calendarFrom(tx);
        const affected = await deadlineStore.affectedByCalendarYear(tx, beijingMidnight(`${year.year}-01-01`), endOfBeijingDay(`${year.year}-12-31`));
        await deadlineStore.updateDueTimes(tx, affected.map((d) => ({ id: d.id, ...computeDue({ startsAt: d.startsAt, workingDays: d.workingDays }, calendar) })));
        await issueStore.refreshNextDue(tx, [...new Set(affected.map((d) => d.issueId))]);
        return saved;
      });
    },
  };
}

export type IssuesService = ReturnType<typeof createIssuesService>;
