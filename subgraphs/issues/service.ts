/**
 * The issues slice's use cases: parse what the caller sent (input.ts), ask whether they may
 * (access.ts), then read or write through the store. Resolvers call only this; this is the only
 * caller of the store.
 *
 * Every change to an existing issue runs through `act`. Before it opens a transaction it confirms
 * the caller's unit and looks up every unit the request names (the directory is another slice's
 * API: no network call ever waits inside a transaction). Then, in one transaction, it (1) reads
 * the issue, (2) asks the access module whether this caller may take this action now, (3) writes
 * the issue only if its version is unchanged, and (4) appends the event — so a change and its
 * history are never apart, and of two people acting at once exactly one wins.
 *
 * Clocks: a handling unit's deadlines run from when it received the item (its assignment, or the
 * receipt an import names); on 转办, return, merge or a granted re-plan the open ones stop with
 * their lateness kept (deadlines.ts), and the next unit gets fresh ones.
 */
import { personOf, type Viewer } from '../../platform/auth.ts';
import {
  beijingDate,
  beijingMidnight,
  calendarYearProblem,
  DEFAULT_OFFICE_HOURS,
  endOfBeijingDay,
  parseOfficeHours,
  WorkingCalendar,
  type CalendarYear,
  type OfficeHours,
} from '../../platform/calendar.ts';
import type { DirectorySource, DirectoryUnit } from '../../platform/directory.ts';
import { errors, type Bilingual } from '../../platform/errors.ts';
import { isUuid, parseInput } from '../../platform/input.ts';
import {
  countBeside,
  decodeCursor,
  decodeInstantCursor,
  encodeCursor,
  pageSize,
  toConnection,
  type PageArgs,
} from '../../platform/pagination.ts';
import { parseSearch, searchVocabulary } from '../../platform/search-text.ts';
import vocabularyData from '../../db/reference/search-vocabulary.json' with { type: 'json' };
import { nextState } from '../../platform/rules.ts';
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Db, Queryable } from '../../db/client.ts';
import { canSee, createIssuesAccess } from './access.ts';
import { APPEAL_LIMITS, computeDue, MAX_TOTAL_WORKING_DAYS, type DeadlineRule } from './deadlines.ts';
import { emptyParts, figuresFrom, rankBy, type IssueStats, type RateName } from './figures.ts';
import {
  acceptIssueInput,
  coHandlerIds as coHandlerIdsInput,
  fingerprint,
  followUpInput,
  immediateWorkingDays,
  issueFilter,
  issueId,
  milestones as milestonesInput,
  reportIssueInput,
  resolutionOutcome,
  submitAppealInput,
  supervisionOutcomeInput,
  texts,
  unitId as unitIdInput,
  type MilestoneInput,
  type NoteAudienceValue,
  type RatingValue,
} from './input.ts';
import type { IssuesLoaders, StatsKey } from './loaders.ts';
import { isAppealLike, issueRules, noteAudienceFor, statusNames, type IssueAction, type IssueStatus } from './rules.ts';
import {
  calendarStore,
  deadlineStore,
  eventStore,
  followUpStore,
  issueStore,
  outcomeStore,
  ratingStore,
  statsParts,
  type DeadlineRow,
  type EventRow,
  type IssueListFilter,
  type IssueListRow,
  type IssueRow,
  type NewDeadline,
  type NewIssue,
  type Period,
  type RankRow,
  type StatsGroupRow,
  type SearchTier,
  type SupervisionOutcomeRow,
} from './store.ts';

/** How a search reads a query: the shared vocabulary (synonyms, terms, optional and question words). */
const vocabulary = searchVocabulary(vocabularyData);

/** A searched list's cursor as this API writes it: [tier, instant, id]. */
function decodeSearchCursor(cursor: string): { tier: SearchTier; at: Date; id: string } {
  const [tier, at, id] = decodeCursor(cursor, 3);
  if (tier === 'TITLE' || tier === 'TEXT') return { tier, ...decodeInstantCursor(encodeCursor([at, id]), 'uuid') };
  throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
}

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
  /** Office hours of a working day, for the 2-hour contact limit (OFFICE_HOURS). */
  officeHours?: OfficeHours;
}

const ISSUE: Bilingual = { zh: '问题', en: 'Issue' };
/** A receipt time may run a little ahead of our clock (another platform's clock), not more. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

interface ActionContext {
  tx: Queryable;
  issue: IssueRow;
  now: Date;
  calendar(): Promise<WorkingCalendar>;
  /** The units the request named, looked up before the transaction (null: no such unit). */
  units: (DirectoryUnit | null)[];
}

interface ActionPlan {
  values?: Partial<NewIssue>;
  /** Overrides the rule's target (an unsatisfied rating reopens). */
  toStatus?: IssueStatus;
  /** The history's name for what happened, when it is not the action's own. */
  eventAction?: string;
  note?: string | null;
  /** Who the note is for, where the writer chooses (rules.ts says where). */
  noteFor?: NoteAudienceValue | null;
  details?: Record<string, unknown>;
  /** Deadline and record changes, run after the issue row is written. */
  after?: (updated: IssueRow) => Promise<void>;
  /** Other issues whose deadlines or counters changed (merge). */
  alsoRefresh?: string[];
}

const isOpen = (d: DeadlineRow) => !d.metAt && !d.cancelledAt;
/** The open resolution deadline of the current round, if any. */
const openResolution = (deadlines: DeadlineRow[]) =>
  deadlines.filter((d) => d.stage === 'RESOLUTION' && isOpen(d)).sort((a, b) => b.round - a.round)[0];
/** Handling round: 1, and one more for every reopening. */
const roundOf = (issue: IssueRow) => issue.reopenCount + 1;
const supervisionActive = (issue: IssueRow) => issue.escalatedAt !== null && issue.supervisionEndedAt === null;

export function createIssuesService(deps: IssuesServiceDeps) {
  const { db, viewer, loaders, directory, now: clock, maxPageSize } = deps;
  const officeHours = deps.officeHours ?? parseOfficeHours(DEFAULT_OFFICE_HOURS)!;
  const access = createIssuesAccess(viewer, directory);

  function actorFields() {
    return { actorSubject: viewer.subject!, actorRole: viewer.role, actorUnitId: viewer.unitId };
  }

  function deadlineRow(
    issueId: string,
    stage: NewDeadline['stage'],
    rule: DeadlineRule,
    calendar: WorkingCalendar,
    extra: Partial<NewDeadline> = {},
  ): NewDeadline {
    const due = computeDue(rule, calendar, officeHours);
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

  /**
   * The clocks a unit gets when it receives an item at `startsAt`: an appeal's contact, feedback and
   * resolution (only a new resolution in a reopened round), an IMMEDIATE rectification's limit. An
   * ONGOING rectification's milestones are dates of a plan, carried over by the caller.
   */
  function clocksFor(issue: IssueRow, unitId: string, startsAt: Date, calendar: WorkingCalendar): NewDeadline[] {
    const round = roundOf(issue);
    const extra = { unitId, round };
    if (isAppealLike(issue.source)) {
      const resolution = deadlineRow(
        issue.id,
        'RESOLUTION',
        { startsAt, workingDays: APPEAL_LIMITS.resolutionWorkingDays },
        calendar,
        extra,
      );
      if (round > 1) return [resolution];
      return [
        deadlineRow(issue.id, 'CONTACT', { startsAt, hours: APPEAL_LIMITS.contactOfficeHours }, calendar, extra),
        deadlineRow(issue.id, 'FEEDBACK', { startsAt, workingDays: APPEAL_LIMITS.feedbackWorkingDays }, calendar, extra),
        resolution,
      ];
    }
    if (issue.rectificationMode === 'IMMEDIATE' && issue.immediateWorkingDays) {
      return [deadlineRow(issue.id, 'RESOLUTION', { startsAt, workingDays: issue.immediateWorkingDays }, calendar, extra)];
    }
    return [];
  }

  function requireUnit(field: string, raw: string, unit: DirectoryUnit | null | undefined, { active = true } = {}): DirectoryUnit {
    if (!unit) throw errors.badInput(field, { zh: `单位不存在：${raw}`, en: `No such unit: ${raw}` });
    if (active && unit.archived) throw errors.badInput(field, { zh: `单位已归档：${unit.name}`, en: `The unit is archived: ${unit.code}` });
    return unit;
  }

  async function requireDistrict(code: string | null | undefined, field = 'districtCode'): Promise<string | null> {
    if (!code) return null;
    if (!(await access.directory()).districts.has(code)) {
      throw errors.badInput(field, { zh: `区(市)不存在：${code}`, en: `No such district: ${code}` });
    }
    return code;
  }

  /** The district a credit code was issued in (its 3rd–8th characters), when it is one of ours. */
  async function districtOfCreditCode(code: string | null | undefined): Promise<string | null> {
    const region = code?.slice(2, 8);
    return region && (await access.directory()).districts.has(region) ? region : null;
  }

  function validMilestones(raw: unknown, today: string, field = 'milestones'): MilestoneInput[] {
    const planned = parseInput(milestonesInput, raw, field);
    planned.forEach((m, i) => {
      if (m.dueOn < today) {
        throw errors.badInput(`${field}[${i}].dueOn`, { zh: `节点日期 ${m.dueOn} 已过`, en: `Milestone date ${m.dueOn} is in the past` });
      }
    });
    return planned;
  }

  /**
   * Replaces the current round's plan. Open milestones and the open final date stop (REPLANNED),
   * judged at `judgedAt` — the moment the change was asked for — so what was already overdue then
   * stays missed; the new plan starts now.
   */
  async function replacePlan(
    tx: Queryable,
    issue: IssueRow,
    planned: MilestoneInput[],
    at: Date,
    judgedAt: Date,
    calendar: WorkingCalendar,
  ) {
    const round = roundOf(issue);
    const open = (await deadlineStore.forIssue(tx, issue.id)).filter(
      (d) => d.round === round && isOpen(d) && (d.stage === 'MILESTONE' || d.stage === 'RESOLUTION'),
    );
    await deadlineStore.stop(tx, issue.id, at, 'REPLANNED', { ids: open.map((d) => d.id), judgedAt });
    const last = planned
      .map((m) => m.dueOn)
      .sort()
      .at(-1)!;
    const extra = { round, unitId: issue.responsibleUnitId };
    await deadlineStore.insert(tx, [
      ...planned.map((m) => deadlineRow(issue.id, 'MILESTONE', { startsAt: at, dueOn: m.dueOn }, calendar, { ...extra, title: m.title })),
      deadlineRow(issue.id, 'RESOLUTION', { startsAt: at, dueOn: last }, calendar, extra),
    ]);
  }

  /** The one path by which an existing issue changes. `named`: unit ids to look up before the transaction. */
  async function act(
    id: string,
    action: IssueAction,
    expectedVersion: number | null | undefined,
    plan: (ctx: ActionContext) => Promise<ActionPlan> | ActionPlan,
    named: readonly string[] = [],
  ): Promise<IssueRow> {
    if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
    const issueKey = parseInput(issueId, id, 'id');
    const units = await access.prepareToAct(named);
    const visible = await access.scope();
    return db.transaction(async (tx) => {
      const issue = await issueStore.get(tx, issueKey);
      if (!issue || !canSee(visible, issue)) throw errors.notFound(ISSUE, id);
      if (expectedVersion != null && expectedVersion !== issue.version) {
        throw errors.conflict(
          {
            zh: `问题已被他人更新（当前版本 ${issue.version}，状态“${statusNames[issue.status]}”）`,
            en: `The issue changed meanwhile (now version ${issue.version}, ${issue.status})`,
          },
          { currentVersion: issue.version, currentState: issue.status },
        );
      }
      await access.authorize(action, issue);

      const now = clock();
      let calendar: Promise<WorkingCalendar> | undefined;
      const planned = await plan({ tx, issue, now, units, calendar: () => (calendar ??= calendarFrom(tx)) });
      const toStatus = planned.toStatus ?? nextState(issueRules[action], issue.status);
      const updated = await issueStore.update(tx, issueKey, issue.version, { ...planned.values, status: toStatus });
      if (!updated) {
        throw errors.conflict(
          { zh: '问题已被他人同时更新，请刷新后重试', en: 'Someone else changed the issue at the same moment; reload and retry' },
          { currentState: issue.status },
        );
      }
      await planned.after?.(updated);
      const eventAction = planned.eventAction ?? action;
      await eventStore.append(tx, {
        issueId: issueKey,
        action: eventAction,
        fromStatus: issue.status,
        toStatus,
        ...actorFields(),
        note: planned.note ?? null,
        noteAudience: planned.note ? noteAudienceFor(eventAction, planned.noteFor) : null,
        details: planned.details ?? null,
        at: now,
      });
      await issueStore.refreshNextDue(tx, [issueKey, ...(planned.alsoRefresh ?? [])]);
      return (await issueStore.get(tx, issueKey))!;
    });
  }

  type SubmittedRow = Omit<
    NewIssue,
    'reporterSubject' | 'reporterRole' | 'reporterUnitId' | 'reporterEnterprise' | 'requestFingerprint' | 'recordedAt'
  >;

  /**
   * How an issue enters the loop. Idempotent on the reporter's client request id: the fingerprint
   * is what the caller sent (never the server's receipt time), so the same request retried at any
   * time returns the first result, and a different one under the same id is a CONFLICT.
   * `handledBy`: an import the other platform had already dispatched, received by that unit at receipt.
   */
  async function submit(row: SubmittedRow, sent: object, handledBy: string | null = null): Promise<IssueRow> {
    const print = fingerprint({ ...sent, clientRequestId: undefined });
    const now = clock();
    const sameRequest = (existing: IssueRow): IssueRow => {
      if (existing.requestFingerprint !== print) {
        throw errors.conflict(
          {
            zh: `请求号 ${row.clientRequestId} 已用于另一项内容不同的提交`,
            en: `clientRequestId ${row.clientRequestId} was already used for a different submission`,
          },
          { existingId: existing.id },
        );
      }
      return existing;
    };
    // A retry is the same person's: issuer, role and subject, never another token's with the same subject.
    const reporter = personOf(viewer)!;
    return db.transaction(async (tx) => {
      const earlier = await issueStore.byClientRequest(tx, reporter, row.clientRequestId);
      if (earlier) return sameRequest(earlier);
      const created = await issueStore.insertOnce(tx, {
        ...row,
        ...(handledBy
          ? {
              status: 'ASSIGNED' as const,
              responsibleUnitId: handledBy,
              acceptedAt: row.receivedAt,
              intakeUnitId: viewer.unitId,
              firstAssignedAt: row.receivedAt,
              assignedAt: row.receivedAt,
            }
          : {}),
        reporterSubject: reporter.subject,
        reporterRole: reporter.role,
        reporterIssuer: reporter.issuer,
        reporterUnitId: viewer.role === 'ENTERPRISE' || viewer.role === 'OBSERVER' ? null : viewer.unitId,
        reporterEnterprise: viewer.role === 'ENTERPRISE' ? viewer.enterprise : null,
        requestFingerprint: print,
        recordedAt: now,
      });
      // The same request, committed by a concurrent retry while we waited on its unique key.
      if (!created) return sameRequest((await issueStore.byClientRequest(tx, reporter, row.clientRequestId))!);
      await eventStore.append(tx, {
        issueId: created.id,
        action: 'SUBMIT',
        fromStatus: null,
        toStatus: 'SUBMITTED',
        ...actorFields(),
        note: null,
        details: { source: created.source },
        at: now,
      });
      if (handledBy) {
        await deadlineStore.insert(tx, clocksFor(created, handledBy, created.receivedAt, await calendarFrom(tx)));
        await eventStore.append(tx, {
          issueId: created.id,
          action: 'ASSIGN',
          fromStatus: 'SUBMITTED',
          toStatus: 'ASSIGNED',
          ...actorFields(),
          note: null,
          details: { unitId: handledBy, receivedByUnitAt: created.receivedAt.toISOString(), imported: true },
          at: now,
        });
      }
      await issueStore.refreshNextDue(tx, [created.id]);
      return (await issueStore.get(tx, created.id))!;
    });
  }

  async function listFilter(raw: unknown): Promise<IssueListFilter> {
    const { domainCode, text, ...filter } = parseInput(issueFilter, raw ?? {});
    if (filter.unitId) {
      // An unknown unit is a mistake to name; a unit the caller may not read is refused, never an empty list.
      if (!(await directory.unit(filter.unitId)))
        throw errors.badInput('unitId', { zh: `单位不存在：${filter.unitId}`, en: `No such unit: ${filter.unitId}` });
      await access.mayReadUnit(filter.unitId);
    }
    if (filter.districtCode) await requireDistrict(filter.districtCode);
    const result: IssueListFilter = filter;
    if (text) {
      const search = parseSearch(text, vocabulary);
      if (!search)
        throw errors.badInput('text', {
          zh: '搜索词须包含汉字、字母或数字',
          en: 'The search text needs letters, digits or Chinese characters',
        });
      result.search = search;
    }
    if (domainCode) {
      const dir = await access.directory();
      if (!dir.domains.includes(domainCode))
        throw errors.badInput('domainCode', { zh: `重点领域不存在：${domainCode}`, en: `No such domain: ${domainCode}` });
      await access.mayReadDomain(domainCode);
      result.unitIds = dir.unitsOfDomain(domainCode).map((u) => u.id);
    }
    return result;
  }

  /** The units a unit's figures count: itself, and for a district or zone every unit below it. */
  async function unitsCountedFor(unitId: string): Promise<string[]> {
    const dir = await access.directory();
    return dir.isAreaUnit(unitId) ? [unitId, ...dir.descendants(unitId).map((u) => u.id)] : [unitId];
  }

  return {
    viewer,
    now: clock,

    // ───────────── entering the loop ─────────────
    async submitAppeal(raw: unknown) {
      await access.prepareToAct();
      await access.authorizeLoop('SUBMIT_APPEAL');
      const input = parseInput(submitAppealInput, raw);
      return submit(
        {
          clientRequestId: input.clientRequestId,
          source: 'ENTERPRISE_APPEAL',
          environment: input.environment,
          appealKind: input.kind,
          title: input.title,
          description: input.description,
          enterpriseCreditCode: viewer.enterprise,
          districtCode: input.districtCode ? await requireDistrict(input.districtCode) : await districtOfCreditCode(viewer.enterprise),
          contactName: input.contact?.name ?? null,
          contactPhone: input.contact?.phone ?? null,
          receivedAt: clock(),
        },
        input,
      );
    },

    async reportIssue(raw: unknown) {
      const shape = (raw ?? {}) as { source: string; unitId?: string | null; receivedAt?: Date | null; handlingUnitId?: string | null };
      await access.prepareToAct();
      const { ownUnitId } = await access.mayReport(shape);
      const input = parseInput(reportIssueInput, raw);
      const now = clock();
      if (input.receivedAt && input.receivedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
        throw errors.badInput('receivedAt', { zh: '收到时间不能晚于现在', en: 'receivedAt cannot be in the future' });
      }
      if (input.handlingUnitId && (!input.receivedAt || !isAppealLike(input.source))) {
        throw errors.badInput('handlingUnitId', {
          zh: '原承办单位只用于导入已派单的诉求类记录，须同时给出收到时间',
          en: 'handlingUnitId is for imported appeal-channel records that were already dispatched, and needs receivedAt',
        });
      }
      // Named units are looked up (a new one fetched by itself) before the transaction.
      const [proposed, handling] = await Promise.all(
        [input.unitId, input.handlingUnitId].map((id) => (id ? directory.unit(id) : Promise.resolve(null))),
      );
      const proposedUnitId = ownUnitId ?? (input.unitId ? requireUnit('unitId', input.unitId, proposed).id : null);
      const handledBy = input.handlingUnitId ? requireUnit('handlingUnitId', input.handlingUnitId, handling).id : null;
      return submit(
        {
          clientRequestId: input.clientRequestId,
          source: input.source,
          environment: input.environment,
          appealKind: input.appealKind ?? null,
          title: input.title,
          description: input.description,
          enterpriseCreditCode: input.enterpriseCreditCode ?? null,
          districtCode: input.districtCode
            ? await requireDistrict(input.districtCode)
            : await districtOfCreditCode(input.enterpriseCreditCode),
          proposedUnitId: proposedUnitId ?? handledBy,
          responsibleLeader: input.responsibleLeader,
          contactName: input.contact?.name ?? null,
          contactPhone: input.contact?.phone ?? null,
          receivedAt: input.receivedAt ?? now,
        },
        input,
        handledBy,
      );
    },

    // ───────────── intake and dispatch ─────────────
    acceptIssue: (id: string, raw: unknown, expectedVersion?: number | null) =>
      act(id, 'ACCEPT', expectedVersion, async ({ tx, issue, now, calendar }) => {
        const input = parseInput(acceptIssueInput, raw ?? {});
        const mode = input.rectificationMode ?? null;
        const appeal = isAppealLike(issue.source);
        if (appeal && mode) {
          throw errors.badInput('rectificationMode', {
            zh: '企业诉求和热线按青诉即办时限办理，不设整改方式',
            en: 'Appeals and hotline items follow the 青诉即办 limits; they take no rectification mode',
          });
        }
        if (!appeal && !mode) {
          throw errors.badInput('rectificationMode', {
            zh: '请确定整改方式：立即改或持续改',
            en: 'Choose the rectification mode: IMMEDIATE or ONGOING',
          });
        }
        let after: ActionPlan['after'];
        let immediateDays: number | null = null;
        if (mode === 'IMMEDIATE') {
          // The limit runs from the handling unit's receipt: the clock starts at assignment.
          immediateDays = parseInput(immediateWorkingDays, input.immediateWorkingDays, 'immediateWorkingDays');
        } else if (mode === 'ONGOING') {
          const planned = validMilestones(input.milestones, beijingDate(now));
          const cal = await calendar();
          after = (updated) => replacePlan(tx, updated, planned, now, now, cal);
        }
        return {
          values: {
            acceptedAt: now,
            intakeUnitId: viewer.unitId,
            rectificationMode: mode,
            immediateWorkingDays: immediateDays,
            responsibleLeader: input.responsibleLeader ?? issue.responsibleLeader,
          },
          note: input.note,
          details: { rectificationMode: mode, immediateWorkingDays: immediateDays },
          after,
        };
      }),

    rejectIssue: (id: string, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'REJECT', expectedVersion, ({ tx, issue, now }) => {
        const why = parseInput(texts.rejectionReason, reason, 'reason');
        return {
          values: { rejectionReason: why, intakeUnitId: viewer.unitId },
          note: why,
          after: () => deadlineStore.stop(tx, issue.id, now, 'REJECTED'),
        };
      }),

    async assignIssue(id: string, unitId: string, coHandlers: unknown, note: unknown, expectedVersion?: number | null) {
      const target = parseInput(unitIdInput, unitId, 'unitId');
      const helpers = parseInput(coHandlerIdsInput, coHandlers, 'coHandlerIds').filter((helper) => helper !== target);
      return act(
        id,
        'ASSIGN',
        expectedVersion,
        async ({ tx, issue, now, calendar, units }) => {
          const lead = requireUnit('unitId', unitId, units[0]);
          helpers.forEach((helper, i) => requireUnit(`coHandlerIds[${i}]`, helper, units[i + 1]));
          await access.mayDispatchTo(lead.id, 'unitId');
          for (const helper of helpers) await access.mayDispatchTo(helper, 'coHandlerIds');
          if (issue.status === 'ASSIGNED' && issue.responsibleUnitId === lead.id) {
            throw errors.badInput('unitId', { zh: '问题已派给该单位', en: 'The issue is already with that unit' });
          }
          const previous = issue.responsibleUnitId;
          const cal = await calendar();
          return {
            values: {
              responsibleUnitId: lead.id,
              assignedAt: now,
              firstAssignedAt: issue.firstAssignedAt ?? now,
              coHandlerUnitIds: [...new Set([...issue.coHandlerUnitIds, ...helpers])].filter((unit) => unit !== lead.id),
            },
            eventAction: previous || issue.status === 'RETURNED' ? 'REASSIGN' : 'ASSIGN',
            note: parseInput(texts.note, note, 'note'),
            details: { unitId: lead.id, previousUnitId: previous, coHandlerIds: helpers },
            after: async (updated) => {
              const deadlines = await deadlineStore.forIssue(tx, issue.id);
              const open = deadlines.filter(isOpen);
              // The earlier unit's clocks stop; whatever it let run late stays its lateness.
              const earlier = open.filter((d) => d.unitId !== null);
              await deadlineStore.stop(tx, issue.id, now, 'REASSIGNED', { ids: earlier.map((d) => d.id) });
              if (updated.rectificationMode === 'ONGOING') {
                // The plan's dates stay; the new unit answers for them from now on: the ones still
                // unowned (never assigned), the ones just stopped, or — after a return — the plan as
                // the returning unit left it.
                const unowned = open.filter((d) => d.unitId === null);
                for (const d of unowned) await deadlineStore.update(tx, d.id, { unitId: lead.id });
                const returned = deadlines.filter((d) => d.closeReason === 'RETURNED' && d.round === roundOf(updated));
                const lastReturn = Math.max(0, ...returned.map((d) => d.cancelledAt!.getTime()));
                const plan = earlier.length || unowned.length ? earlier : returned.filter((d) => d.cancelledAt!.getTime() === lastReturn);
                // A milestone whose date has passed stays the earlier unit's (missed): the new unit is not late for it.
                const carried = plan.filter((d) => d.stage !== 'MILESTONE' || d.dueAt! > now);
                await deadlineStore.insert(
                  tx,
                  carried.map((d) =>
                    deadlineRow(issue.id, d.stage, { startsAt: now, dueOn: d.dueOn, workingDays: d.workingDays }, cal, {
                      title: d.title,
                      round: d.round,
                      unitId: lead.id,
                    }),
                  ),
                );
              } else {
                await deadlineStore.insert(tx, clocksFor(updated, lead.id, now, cal));
              }
            },
          };
        },
        [target, ...helpers],
      );
    },

    addCoHandler: (id: string, unitId: string, note: unknown, expectedVersion?: number | null) => {
      const helper = parseInput(unitIdInput, unitId, 'unitId');
      return act(
        id,
        'ADD_CO_HANDLER',
        expectedVersion,
        async ({ issue, units }) => {
          const unit = requireUnit('unitId', unitId, units[0]);
          await access.mayDispatchTo(unit.id, 'unitId');
          if (unit.id === issue.responsibleUnitId || issue.coHandlerUnitIds.includes(unit.id)) {
            throw errors.badInput('unitId', { zh: '该单位已在承办或协办', en: 'That unit already handles or co-handles the issue' });
          }
          return {
            values: { coHandlerUnitIds: [...issue.coHandlerUnitIds, unit.id] },
            note: parseInput(texts.note, note, 'note'),
            details: { unitId: unit.id },
          };
        },
        [helper],
      );
    },

    removeCoHandler: (id: string, unitId: string, note: unknown, expectedVersion?: number | null) => {
      const helper = parseInput(unitIdInput, unitId, 'unitId');
      return act(id, 'REMOVE_CO_HANDLER', expectedVersion, ({ issue }) => {
        if (!issue.coHandlerUnitIds.includes(helper))
          throw errors.badInput('unitId', { zh: '该单位不是协办单位', en: 'That unit does not co-handle the issue' });
        return {
          values: { coHandlerUnitIds: issue.coHandlerUnitIds.filter((unit) => unit !== helper) },
          note: parseInput(texts.note, note, 'note'),
          details: { unitId: helper },
        };
      });
    },

    contributeToIssue: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'CONTRIBUTE', expectedVersion, () => ({
        note: parseInput(texts.contribution, note, 'note'),
        details: { unitId: viewer.unitId },
      })),

    returnIssue: (id: string, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'RETURN', expectedVersion, ({ tx, issue, now }) => ({
        values: { responsibleUnitId: null, assignedAt: null },
        note: parseInput(texts.returnReason, reason, 'reason'),
        details: { unitId: issue.responsibleUnitId },
        after: () => deadlineStore.stop(tx, issue.id, now, 'RETURNED'),
      })),

    // ───────────── handling ─────────────
    recordContact: (id: string, note: unknown, noteFor: NoteAudienceValue | null | undefined, expectedVersion?: number | null) =>
      act(id, 'CONTACT', expectedVersion, ({ tx, issue, now }) => ({
        note: parseInput(texts.contactNote, note, 'note'),
        noteFor,
        after: async () => void (await deadlineStore.meet(tx, issue.id, 'CONTACT', now)),
      })),

    giveFeedback: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'FEEDBACK', expectedVersion, ({ tx, issue, now }) => ({
        note: parseInput(texts.feedback, note, 'note'),
        after: async () => void (await deadlineStore.meet(tx, issue.id, 'FEEDBACK', now)),
      })),

    resolveIssue: (id: string, resolution: unknown, outcome: unknown, expectedVersion?: number | null) =>
      act(id, 'RESOLVE', expectedVersion, async ({ tx, issue, now }) => {
        const what = parseInput(texts.resolution, resolution, 'resolution');
        const ending = parseInput(resolutionOutcome, outcome, 'outcome');
        const deadlines = await deadlineStore.forIssue(tx, issue.id);
        const open = deadlines.filter((d) => d.stage === 'MILESTONE' && isOpen(d));
        if (
          issue.rectificationMode === 'ONGOING' &&
          !deadlines.some((d) => d.stage === 'MILESTONE' && d.round === roundOf(issue) && !d.cancelledAt)
        ) {
          throw errors.invalidTransition(
            { zh: '重新办理的持续改问题须先制定本轮节点计划', en: 'A reopened ONGOING rectification needs this round’s milestones first' },
            issue.status,
          );
        }
        if (open.length) {
          throw errors.invalidTransition(
            { zh: `还有 ${open.length} 个整改节点未完成`, en: `${open.length} milestone(s) are not completed yet` },
            issue.status,
          );
        }
        return {
          values: { resolution: what, resolvedAt: now, resolutionOutcome: ending },
          note: what,
          details: { outcome: ending },
          after: async () => void (await deadlineStore.meet(tx, issue.id, 'RESOLUTION', now)),
        };
      }),

    rateIssue: (id: string, rating: RatingValue, solved: boolean | null | undefined, comment: unknown, expectedVersion?: number | null) =>
      act(id, 'RATE', expectedVersion, async ({ tx, issue, now, calendar }) => {
        const round = roundOf(issue);
        if ((await ratingStore.forRound(tx, issue.id, round)).length) {
          throw errors.invalidTransition({ zh: '本轮办理已评价过', en: 'This round of handling has already been rated' }, issue.status);
        }
        const wasSolved = solved ?? rating !== 'UNSATISFIED';
        const remark = parseInput(texts.comment, comment, 'comment');
        const record = async () => {
          const saved = await ratingStore.insertOnce(tx, {
            issueId: issue.id,
            round,
            unitId: issue.responsibleUnitId,
            rating,
            solved: wasSolved,
            comment: remark,
            raterSubject: viewer.subject!,
            raterRole: viewer.role,
            ratedAt: now,
          });
          if (!saved) throw errors.conflict({ zh: '本轮办理刚被评价过', en: 'This round was rated at the same moment' });
        };
        // The enterprise's first "unsatisfied" reopens by itself; after that the command office decides.
        const reopen = rating === 'UNSATISFIED' && !issue.enterpriseReopenUsed;
        if (!reopen) return { details: { rating, solved: wasSolved, round }, note: remark, after: record };
        const cal = await calendar();
        return {
          values: { enterpriseReopenUsed: true, reopenCount: issue.reopenCount + 1 },
          toStatus: 'REOPENED',
          eventAction: 'RATE_AND_REOPEN',
          note: remark,
          details: { rating, solved: wasSolved, round },
          after: async (updated) => {
            await record();
            if (updated.responsibleUnitId) await deadlineStore.insert(tx, clocksFor(updated, updated.responsibleUnitId, now, cal));
          },
        };
      }),

    recordFollowUp: (id: string, raw: unknown, expectedVersion?: number | null) =>
      act(id, 'FOLLOW_UP', expectedVersion, ({ tx, issue, now }) => {
        const input = parseInput(followUpInput, raw, 'input');
        if (input.reached && !input.rating)
          throw errors.badInput('input.rating', { zh: '联系上时须记录评价结果', en: 'A reached follow-up records the rating' });
        if (!input.reached && (input.rating || input.solved != null)) {
          throw errors.badInput('input.reached', {
            zh: '未联系上的回访没有评价结果',
            en: 'A follow-up that did not reach anyone has no rating',
          });
        }
        const solved = input.reached ? (input.solved ?? input.rating !== 'UNSATISFIED') : null;
        return {
          note: input.note,
          details: { reached: input.reached, rating: input.rating ?? null, solved },
          after: () =>
            followUpStore.insert(tx, {
              issueId: issue.id,
              round: roundOf(issue),
              unitId: issue.responsibleUnitId,
              reached: input.reached,
              rating: input.rating ?? null,
              solved,
              note: input.note,
              actorSubject: viewer.subject!,
              actorUnitId: viewer.unitId,
              at: now,
            }),
        };
      }),

    closeIssue: (id: string, note: unknown, noteFor: NoteAudienceValue | null | undefined, expectedVersion?: number | null) =>
      act(id, 'CLOSE', expectedVersion, ({ issue, now }) => ({
        values: { closedAt: now, ...(supervisionActive(issue) ? { supervisionEndedAt: now } : {}) },
        note: parseInput(texts.verification, note, 'note'),
        noteFor,
      })),

    reopenIssue: (id: string, reason: unknown, noteFor: NoteAudienceValue | null | undefined, expectedVersion?: number | null) =>
      act(id, 'REOPEN', expectedVersion, async ({ tx, issue, now, calendar }) => {
        const why = parseInput(texts.reopenReason, reason, 'reason');
        const byReporter = access.isReporter(issue);
        const cal = await calendar();
        return {
          values: { reopenCount: issue.reopenCount + 1, closedAt: null, ...(byReporter ? { enterpriseReopenUsed: true } : {}) },
          note: why,
          noteFor: byReporter ? 'ENTERPRISE' : noteFor,
          after: async (updated) => {
            if (updated.responsibleUnitId) await deadlineStore.insert(tx, clocksFor(updated, updated.responsibleUnitId, now, cal));
          },
        };
      }),

    // ───────────── supervision ─────────────
    escalateIssue: (id: string, supervisingLeader: unknown, note: unknown, expectedVersion?: number | null) =>
      act(id, 'ESCALATE', expectedVersion, ({ issue, now }) => {
        const leader = parseInput(texts.supervisingLeader, supervisingLeader, 'supervisingLeader');
        // A running supervision gets a new leader; after 摘牌, escalating again starts a new one.
        const renewed = !supervisionActive(issue);
        return {
          values: { escalatedAt: renewed ? now : issue.escalatedAt, supervisingLeader: leader, supervisionEndedAt: null },
          note: parseInput(texts.note, note, 'note'),
          details: { supervisingLeader: leader, renewed },
        };
      }),

    deescalateIssue: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'DEESCALATE', expectedVersion, ({ issue, now }) => {
        if (!supervisionActive(issue))
          throw errors.invalidTransition({ zh: '该问题不在挂牌督办中', en: 'The issue is not under listed supervision' }, issue.status);
        return {
          values: { supervisionEndedAt: now },
          note: parseInput(texts.note, note, 'note'),
          details: { escalatedAt: issue.escalatedAt!.toISOString() },
        };
      }),

    mergeIssue: (id: string, intoId: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'MERGE', expectedVersion, async ({ tx, issue, now }) => {
        const targetId = parseInput(issueId, intoId, 'intoId');
        if (targetId === issue.id) throw errors.badInput('intoId', { zh: '不能并入自身', en: 'An issue cannot be merged into itself' });
        const original = await issueStore.lock(tx, targetId);
        if (!original) throw errors.notFound(ISSUE, intoId);
        if (original.status === 'MERGED' || original.status === 'REJECTED') {
          throw errors.invalidTransition(
            {
              zh: `原问题状态为“${statusNames[original.status]}”，不能并入`,
              en: `The original is ${original.status}; nothing can be merged into it`,
            },
            original.status,
          );
        }
        const remark = parseInput(texts.note, note, 'note');
        return {
          values: { mergedIntoId: original.id, ...(supervisionActive(issue) ? { supervisionEndedAt: now } : {}) },
          note: remark,
          details: { intoId: original.id, intoNumber: original.number },
          alsoRefresh: [original.id],
          after: async () => {
            // Its clocks stop; whatever was already late stays late, and counts.
            await deadlineStore.stop(tx, issue.id, now, 'MERGED');
            await issueStore.repointMerged(tx, issue.id, original.id);
            await issueStore.absorb(tx, original.id, 1 + issue.absorbedCount);
            await eventStore.append(tx, {
              issueId: original.id,
              action: 'ABSORB',
              fromStatus: original.status,
              toStatus: original.status,
              ...actorFields(),
              note: remark,
              noteAudience: remark ? 'INTERNAL' : null,
              details: { duplicateId: issue.id, duplicateNumber: issue.number },
              at: now,
            });
          },
        };
      }),

    requestExtension: (id: string, totalWorkingDays: number, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'REQUEST_EXTENSION', expectedVersion, async ({ tx, issue, now }) => {
        if (issue.rectificationMode === 'ONGOING') {
          throw errors.invalidTransition(
            { zh: '持续改问题请申请调整节点计划，而不是延期', en: 'An ONGOING rectification asks to re-plan its milestones instead' },
            issue.status,
          );
        }
        if (issue.extensionRequestedAt) {
          throw errors.invalidTransition({ zh: '已有延期申请待审批', en: 'An extension request is already pending' }, issue.status);
        }
        const resolution = openResolution(await deadlineStore.forIssue(tx, issue.id));
        if (!resolution?.workingDays) {
          throw errors.invalidTransition(
            { zh: '该问题没有按工作日计算的办结时限', en: 'The issue has no working-day resolution limit to extend' },
            issue.status,
          );
        }
        if (!resolution.dueAt || now >= resolution.dueAt) {
          throw errors.invalidTransition(
            { zh: '延期须在办结时限到期前申请', en: 'An extension must be asked for before the resolution deadline' },
            issue.status,
          );
        }
        if (
          !Number.isInteger(totalWorkingDays) ||
          totalWorkingDays <= resolution.workingDays ||
          totalWorkingDays > MAX_TOTAL_WORKING_DAYS
        ) {
          throw errors.badInput('totalWorkingDays', {
            zh: `延期后的总时限须多于现有的 ${resolution.workingDays} 个工作日，且不超过 ${MAX_TOTAL_WORKING_DAYS} 个工作日`,
            en: `The extended total must exceed the current ${resolution.workingDays} working days and be at most ${MAX_TOTAL_WORKING_DAYS}`,
          });
        }
        const why = parseInput(texts.extensionReason, reason, 'reason');
        return {
          values: { extensionRequestedWorkingDays: totalWorkingDays, extensionReason: why, extensionRequestedAt: now },
          note: why,
          details: { workingDays: totalWorkingDays },
        };
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
        if (!resolution)
          throw errors.invalidTransition({ zh: '办结时限已不存在', en: 'The resolution limit no longer exists' }, issue.status);
        // Asked for before the deadline (requestExtension checks it), so the extended limit replaces it.
        const due = computeDue({ startsAt: resolution.startsAt, workingDays: total }, await calendar(), officeHours);
        return {
          values: { ...cleared, extensionGrantedWorkingDays: total },
          note: remark,
          details: { workingDays: total },
          after: () => deadlineStore.update(tx, resolution.id, { workingDays: total, ...due }),
        };
      }),

    remindIssue: (id: string, note: unknown, expectedVersion?: number | null) =>
      act(id, 'REMIND', expectedVersion, ({ issue, now }) => {
        if (!issue.responsibleUnitId) {
          throw errors.invalidTransition(
            { zh: '该问题尚无承办单位，无从催办；请先派单', en: 'The issue has no handling unit to remind; assign it first' },
            issue.status,
          );
        }
        if (!issue.nextDueAt || issue.nextDueAt > now) {
          throw errors.invalidTransition({ zh: '只能对已超期的问题催办', en: 'Only an overdue issue can be reminded' }, issue.status);
        }
        return {
          values: { reminderCount: issue.reminderCount + 1 },
          note: parseInput(texts.reminder, note, 'note'),
          details: { unitId: issue.responsibleUnitId },
        };
      }),

    planMilestones: (id: string, raw: unknown, expectedVersion?: number | null) =>
      act(id, 'PLAN_MILESTONES', expectedVersion, async ({ tx, issue, now, calendar }) => {
        if (issue.rectificationMode !== 'ONGOING') {
          throw errors.invalidTransition(
            { zh: '只有持续改问题有节点计划', en: 'Only an ONGOING rectification has milestones' },
            issue.status,
          );
        }
        const planned = validMilestones(raw, beijingDate(now));
        const hasFinalDate = (await deadlineStore.forIssue(tx, issue.id)).some(
          (d) => d.stage === 'RESOLUTION' && d.round === roundOf(issue),
        );
        if (hasFinalDate && viewer.role !== 'COMMAND_OFFICE') {
          throw errors.invalidTransition(
            {
              zh: '本轮已有节点计划；调整计划或办结日期须申请（requestReplan），由市指挥部办公室批准',
              en: 'This round already has a plan; changing it or its final date is a request the command office grants (requestReplan)',
            },
            issue.status,
          );
        }
        const cal = await calendar();
        return { details: { milestones: planned }, after: (updated) => replacePlan(tx, updated, planned, now, now, cal) };
      }),

    requestReplan: (id: string, raw: unknown, reason: unknown, expectedVersion?: number | null) =>
      act(id, 'REQUEST_REPLAN', expectedVersion, ({ issue, now }) => {
        if (issue.rectificationMode !== 'ONGOING') {
          throw errors.invalidTransition(
            { zh: '只有持续改问题有节点计划', en: 'Only an ONGOING rectification has milestones' },
            issue.status,
          );
        }
        if (issue.replanRequestedAt)
          throw errors.invalidTransition({ zh: '已有计划调整申请待审批', en: 'A re-plan request is already pending' }, issue.status);
        const planned = validMilestones(raw, beijingDate(now));
        const why = parseInput(texts.replanReason, reason, 'reason');
        return {
          values: { replanMilestones: planned, replanReason: why, replanRequestedAt: now },
          note: why,
          details: { milestones: planned },
        };
      }),

    decideReplan: (id: string, approve: boolean, note: unknown, expectedVersion?: number | null) =>
      act(id, 'DECIDE_REPLAN', expectedVersion, async ({ tx, issue, now, calendar }) => {
        if (!issue.replanRequestedAt || !issue.replanMilestones) {
          throw errors.invalidTransition({ zh: '没有待审批的计划调整申请', en: 'There is no pending re-plan request' }, issue.status);
        }
        const cleared = { replanMilestones: null, replanReason: null, replanRequestedAt: null };
        const remark = parseInput(texts.decision, note, 'note');
        const planned = issue.replanMilestones as MilestoneInput[];
        if (!approve) return { values: cleared, eventAction: 'REFUSE_REPLAN', note: remark, details: { milestones: planned } };
        const cal = await calendar();
        const askedAt = issue.replanRequestedAt;
        return {
          values: cleared,
          eventAction: 'GRANT_REPLAN',
          note: remark,
          details: { milestones: planned },
          after: (updated) => replacePlan(tx, updated, planned, now, askedAt, cal),
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

    publishIssue: (id: string, title: unknown, summary: unknown, kind: 'POSITIVE' | 'NEGATIVE', expectedVersion?: number | null) =>
      act(id, 'PUBLISH', expectedVersion, ({ issue, now }) => ({
        values: {
          publishedAt: issue.publishedAt ?? now,
          publishedKind: kind,
          publishedTitle: parseInput(texts.caseTitle, title, 'title'),
          publishedSummary: parseInput(texts.caseSummary, summary, 'summary'),
        },
        details: { kind },
      })),

    async recordSupervisionOutcome(raw: unknown): Promise<SupervisionOutcomeRow> {
      await access.prepareToAct();
      await access.authorizeLoop('RECORD_SUPERVISION_OUTCOME');
      const input = parseInput(supervisionOutcomeInput, raw, 'input');
      if (input.decidedOn > beijingDate(clock()))
        throw errors.badInput('input.decidedOn', { zh: '决定日期不能晚于今天', en: 'decidedOn cannot be after today' });
      const row = (unitId: string, issueKey: string | null) => ({
        kind: input.kind,
        unitId,
        issueId: issueKey,
        reason: input.reason,
        decidedOn: input.decidedOn,
        recordedBy: viewer.subject!,
        recordedAt: clock(),
      });
      if (!input.issueId) {
        if (!input.unitId) throw errors.badInput('input.unitId', { zh: '请给出单位或问题', en: 'Give the unit or the issue it concerns' });
        const [unit] = await access.prepareToAct([input.unitId]);
        requireUnit('input.unitId', input.unitId, unit, { active: false });
        return outcomeStore.insert(db, row(unit!.id, null));
      }
      let saved: SupervisionOutcomeRow | undefined;
      await act(
        input.issueId,
        'RECORD_OUTCOME',
        null,
        ({ tx, issue, units }) => {
          const unitId = input.unitId ? requireUnit('input.unitId', input.unitId, units[0], { active: false }).id : issue.responsibleUnitId;
          if (!unitId)
            throw errors.badInput('input.unitId', {
              zh: '该问题尚无承办单位，请指明所涉单位',
              en: 'The issue has no handling unit; name the unit it concerns',
            });
          return {
            eventAction: 'SUPERVISION_OUTCOME',
            note: input.reason,
            details: { kind: input.kind, unitId, decidedOn: input.decidedOn },
            after: async () => {
              saved = await outcomeStore.insert(tx, row(unitId, issue.id));
            },
          };
        },
        input.unitId ? [input.unitId] : [],
      );
      return saved!;
    },

    // ───────────── reads ─────────────
    async issue(id: string): Promise<IssueRow | null> {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      if (!isUuid(id)) return null;
      const row = await loaders.issueById.load(id.toLowerCase());
      return row && canSee(await access.scope(), row) ? row : null;
    },

    /** The original of a merged duplicate, for its status and resolution only (reporters follow it). */
    originalOf: (row: IssueRow) => (row.mergedIntoId ? loaders.issueById.load(row.mergedIntoId) : Promise.resolve(null)),

    /**
     * A unit with the name this slice provides for it (schema: `@provides(fields: "name")`), from the
     * directory this request reads; a unit the copy does not know yet is fetched by itself.
     */
    async unitWithName(id: string | null): Promise<{ id: string; name: string } | null> {
      if (!id) return null;
      const unit = (await access.directory()).unit(id) ?? (await directory.unit(id));
      if (!unit) throw errors.serviceUnavailable({ zh: `单位目录中没有单位 ${id}`, en: `The unit directory has no unit ${id}` });
      return { id, name: unit.name };
    },

    /**
     * A unit's name anywhere a caller of this subgraph asks it (the field is the units slice's, and the
     * gateway asks it here only under `@provides`): from the directory copy, NOT_FOUND for an id the
     * organisation lacks — never a null in a non-null field, which was an internal error.
     */
    async unitName(id: string): Promise<string> {
      const unit = (await access.directory()).unit(id) ?? (await directory.unit(id));
      if (!unit) throw errors.notFound({ zh: '单位', en: 'Unit' }, id);
      return unit.name;
    },

    async visibleIssue(id: string | null): Promise<IssueRow | null> {
      if (!id) return null;
      const row = await loaders.issueById.load(id);
      return row && canSee(await access.scope(), row) ? row : null;
    },

    async issues(rawFilter: unknown, page: PageArgs) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const size = pageSize(page.first, maxPageSize);
      const query = { scope: await access.scope(), filter: await listFilter(rawFilter), now: clock() };
      // A search's cursor also says which tier the page continues in (title matches come first).
      const cursor = page.after
        ? query.filter.search
          ? decodeSearchCursor(page.after)
          : { ...decodeInstantCursor(page.after, 'uuid'), tier: undefined }
        : null;
      const count = countBeside(page.counted, () => issueStore.count(db, query));
      const rows = await issueStore.page(db, query, size + 1, cursor && { tier: cursor.tier, receivedAt: cursor.at, id: cursor.id });
      for (const row of rows) loaders.issueById.prime(row.id, row);
      const key = (row: IssueListRow) =>
        row.searchTier ? [row.searchTier, row.receivedAt.toISOString(), row.id] : [row.receivedAt.toISOString(), row.id];
      return toConnection(rows, size, key, count, cursor !== null);
    },

    async alerts(unitId: string | null, page: PageArgs) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const size = pageSize(page.first, maxPageSize);
      const cursor = page.after ? decodeInstantCursor(page.after, 'serial') : null;
      const unit = unitId ? parseInput(issueFilter.shape.unitId, unitId, 'unitId')! : null;
      if (unit) await access.mayReadUnit(unit);
      const query = { scope: await access.scope(), unitId: unit, now: clock() };
      const count = countBeside(page.counted, () => deadlineStore.alertsCount(db, query));
      const rows = await deadlineStore.alertsPage(db, query, size + 1, cursor && { dueAt: cursor.at, id: cursor.id });
      for (const row of rows) loaders.issueById.prime(row.issue.id, row.issue);
      return toConnection(rows, size, (row) => [row.deadline.dueAt!.toISOString(), row.deadline.id], count, cursor !== null);
    },

    async publishedCases(page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const cursor = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
      const count = countBeside(page.counted, () => issueStore.publishedCount(db));
      const rows = await issueStore.publishedPage(db, size + 1, cursor && { publishedAt: cursor.at, id: cursor.id });
      return toConnection(rows, size, (row) => [row.publishedAt!.toISOString(), row.id], count, cursor !== null);
    },

    async supervisionOutcomes(unitId: string | null, page: PageArgs) {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const scope = await access.outcomeScope();
      const unit = unitId ? parseInput(unitIdInput, unitId, 'unitId') : null;
      if (unit) await access.mayReadUnit(unit);
      const size = pageSize(page.first, maxPageSize);
      // The cursor is (the decision day's first instant, id): an instant cursor the platform checks.
      const cursor = page.after ? decodeInstantCursor(page.after, 'serial') : null;
      const after = cursor && { decidedOn: beijingDate(cursor.at), id: cursor.id };
      const count = countBeside(page.counted, () => outcomeStore.count(db, scope, unit));
      const rows = await outcomeStore.page(db, scope, unit, size + 1, after);
      return toConnection(rows, size, (row) => [beijingMidnight(row.decidedOn).toISOString(), row.id], count, after !== null);
    },

    deadlines: (issueId: string) => loaders.deadlinesByIssue.load(issueId),
    history: (issueId: string) => loaders.eventsByIssue.load(issueId),
    ratings: (issueId: string) => loaders.ratingsByIssue.load(issueId),
    followUps: async (issueId: string) => (access.seesInternal() ? loaders.followUpsByIssue.load(issueId) : []),
    issueOutcomes: async (issueId: string) => (access.seesInternal() ? loaders.outcomesByIssue.load(issueId) : []),
    seesReporter: access.seesReporter,
    seesInternal: access.seesInternal,
    seesContact: access.seesContact,
    seesSubject: access.seesSubject,
    seesEventUnit: access.seesEventUnit,
    seesEventSubject: (event: EventRow) => access.seesEventSubject(event),
    seesNote: access.seesNote,
    calendarYears: () => calendarStore.all(db),

    // ───────────── statistics ─────────────
    async unitStats(unitId: string, period: Period | null): Promise<IssueStats> {
      await access.mayReadUnit(unitId);
      return loaders.stats.load({ kind: 'unit', key: unitId, units: await unitsCountedFor(unitId), period });
    },
    async domainStats(domainCode: string, period: Period | null): Promise<IssueStats> {
      await access.mayReadDomain(domainCode);
      const units = (await access.directory()).unitsOfDomain(domainCode).map((u) => u.id);
      return loaders.stats.load({ kind: 'domain', key: domainCode, units, period });
    },
    async overallStats(period: Period | null): Promise<IssueStats> {
      await access.authorizeLoop('READ_CITY_STATS');
      return loaders.stats.load({ kind: 'all', key: 'ALL', units: [], period } satisfies StatsKey);
    },
    async statsBy(dimension: 'ENVIRONMENT' | 'SOURCE' | 'DISTRICT', period: Period | null): Promise<StatsGroupRow[]> {
      await access.authorizeLoop('READ_CITY_STATS');
      const parts = await statsParts(db, { kind: 'dimension', dimension }, period, clock());
      return [...parts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => ({ key, stats: figuresFrom(value) }));
    },
    async ranking(rate: RateName, period: Period | null, among: 'ALL_UNITS' | 'CITY_BUREAUS' | 'DISTRICTS_AND_ZONES'): Promise<RankRow[]> {
      await access.authorizeLoop('RANK_UNITS');
      const dir = await access.directory();
      const inArea = (unit: DirectoryUnit) =>
        [...dir.units.values()].some((area) => dir.isAreaUnit(area.id) && area.id !== unit.id && dir.isWithin(unit.id, area.id));
      const ranked = [...dir.units.values()].filter((unit) => {
        if (unit.archived || unit.kind === 'COMMAND_OFFICE') return false;
        if (among === 'DISTRICTS_AND_ZONES') return dir.isAreaUnit(unit.id);
        if (among === 'CITY_BUREAUS') return unit.level === 'CITY' && !dir.isAreaUnit(unit.id) && !inArea(unit);
        return true;
      });
      const pairs = ranked.flatMap((unit) =>
        (dir.isAreaUnit(unit.id) ? [unit.id, ...dir.descendants(unit.id).map((u) => u.id)] : [unit.id]).map((id) => ({
          unitId: id,
          key: unit.id,
        })),
      );
      const parts = await statsParts(db, { kind: 'units', pairs }, period, clock());
      const entries = ranked.map((unit) => ({ item: unit, parts: parts.get(unit.id) ?? emptyParts }));
      return rankBy(entries, rate).map(({ item, figure, rank }) => ({
        rank,
        unitId: item.id,
        value: figure.value,
        numerator: figure.numerator,
        denominator: figure.denominator,
      }));
    },

    // ───────────── calendar ─────────────
    async setCalendarYear(input: CalendarYear & { notice: string }) {
      await access.prepareToAct();
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
        const saved = await calendarStore.upsert(tx, {
          year: year.year,
          notice: year.notice,
          off: year.off,
          workdays: year.workdays,
          updatedBy: viewer.subject!,
          updatedAt: now,
        });
        // Open deadlines running through this year move with it; provisional ones waiting for it —
        // open, met or stopped alike — get their real due time.
        const affected = await deadlineStore.affectedByCalendarYear(
          tx,
          year.year,
          beijingMidnight(`${year.year}-01-01`),
          endOfBeijingDay(`${year.year}-12-31`),
        );
        await recomputeDueTimes(tx, affected, await calendarFrom(tx), officeHours);
        return saved;
      });
    },
  };
}

export type IssuesService = ReturnType<typeof createIssuesService>;

/**
 * Recomputes due times by each deadline's own rule on `calendar` (setCalendarYear, and the shipped
 * calendar at start): provisional ones become final once their year is known.
 */
export async function recomputeDueTimes(
  tx: Queryable,
  deadlines: DeadlineRow[],
  calendar: WorkingCalendar,
  officeHours: OfficeHours,
): Promise<void> {
  await deadlineStore.updateDueTimes(
    tx,
    deadlines.map((d) => ({
      id: d.id,
      ...computeDue({ startsAt: d.startsAt, hours: d.hours, workingDays: d.workingDays, dueOn: d.dueOn }, calendar, officeHours),
    })),
  );
  await issueStore.refreshNextDue(tx, [...new Set(deadlines.map((d) => d.issueId))]);
}

/**
 * The years deadlines reach that the calendar lacks: those open deadlines wait for (provisional),
 * and those the longest limit started today would run into. Empty when every one is entered.
 */
export async function missingCalendarYears(db: Queryable, now: Date): Promise<number[]> {
  const calendar = await calendarFrom(db);
  const assumed = new Set<number>(await deadlineStore.pendingYears(db));
  calendar.dueAfterWorkingDays(now, MAX_TOTAL_WORKING_DAYS, assumed);
  return [...assumed].filter((year) => !calendar.hasYear(year)).sort();
}

/** For /ready and the start banner: 'ok', or a warning naming the years the command office must enter. */
export async function calendarReadiness(db: Queryable, now: Date): Promise<string> {
  const missing = await missingCalendarYears(db, now);
  if (!missing.length) return 'ok';
  return (
    `warning: no working-day calendar for ${missing.join(', ')} — deadlines reaching it are provisional (weekends only) ` +
    `until the command office enters it from the State Council notice (setCalendarYear) / 工作日历缺少 ${missing.join('、')} 年，相关时限暂按只休周末计算`
  );
}

/**
 * On every start, after the shipped calendar is in place: provisional due times whose year is now
 * known become final, and an open deadline without a warning gets it (migration 0013).
 */
export async function settleProvisionalDeadlines(db: Db, officeHours: OfficeHours): Promise<void> {
  await db.transaction(async (tx) => {
    const calendar = await calendarFrom(tx);
    const waiting = (await deadlineStore.provisional(tx)).filter(
      (d) => d.pendingCalendarYear === null || calendar.hasYear(d.pendingCalendarYear) || (d.warnAt === null && !d.metAt && !d.cancelledAt),
    );
    if (waiting.length) await recomputeDueTimes(tx, waiting, calendar, officeHours);
  });
}

async function calendarFrom(db: Queryable): Promise<WorkingCalendar> {
  const years = await calendarStore.all(db);
  return new WorkingCalendar(years.map((y) => ({ year: y.year, off: y.off, workdays: y.workdays })));
}
