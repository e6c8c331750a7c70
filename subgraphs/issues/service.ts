/**
 * The issues subgraph's service: rules and permissions, the only caller of its data access.
 * Reads and statistics are here; how issues enter the loop is in submissions.ts, how they move
 * through it in transitions.ts, and the per-request context they share in session.ts.
 */
import { Role, requireSignedIn } from '../shared/auth.ts';
import { errors, type Bilingual } from '../shared/errors.ts';
import { decodeCursor, pageSize, toConnection, type PageArgs } from '../shared/pagination.ts';
import { beijingMidnight, calendarYearProblem, endOfBeijingDay, type CalendarYear } from '../shared/calendar.ts';
import { normalizeCreditCode } from '../shared/credit-code.ts';
import { canSee } from './access.ts';
import { computeDue } from './deadlines.ts';
import { requireUuid, text, type IssueFilterInput } from './input.ts';
import { isUuid } from '../shared/validation.ts';
import { createSession, type IssuesServiceDeps } from './session.ts';
import type { IssueStats, Period } from './stats.ts';
import { createSubmissions } from './submissions.ts';
import { createTransitions } from './transitions.ts';
import { calendarStore, deadlineStore, issueStore, type IssueListFilter, type IssueRow } from './store.ts';

export type { IssuesServiceDeps };
export type { AcceptIssueInput, IssueFilterInput, MilestoneInput, ReportIssueInput, SubmitAppealInput } from './input.ts';

export function createIssuesService(deps: IssuesServiceDeps) {
  const session = createSession(deps);
  const { db, viewer, loaders, directory, clock, maxPageSize, scope, calendarFrom, requireDistrict } = session;

  function statsPermission(message: Bilingual): never {
    throw errors.forbidden(message);
  }

  async function listFilter(input: IssueFilterInput): Promise<IssueListFilter> {
    const { domainCode, ...rest } = input;
    const filter: IssueListFilter = { ...rest };
    if (rest.unitId) {
      filter.unitId = requireUuid('unitId', rest.unitId);
      // An unknown unit is a mistake to name, not an empty list; archived units keep their issues.
      if (!(await directory.unit(filter.unitId))) throw errors.badInput('unitId', { zh: `单位不存在：${rest.unitId}`, en: `No such unit: ${rest.unitId}` });
    }
    if (rest.districtCode) await requireDistrict(rest.districtCode);
    if (rest.enterpriseCreditCode) filter.enterpriseCreditCode = normalizeCreditCode(rest.enterpriseCreditCode);
    if (domainCode) {
      const dir = await directory.current();
      if (!dir.domains.includes(domainCode)) throw errors.badInput('domainCode', { zh: `重点领域不存在：${domainCode}`, en: `No such domain: ${domainCode}` });
      filter.unitIds = dir.unitsOfDomain(domainCode).map((u) => u.id);
    }
    return filter;
  }

  return {
    ...createSubmissions(session),
    ...createTransitions(session),

    // ───────────── reads ─────────────
    async issue(id: string): Promise<IssueRow | null> {
      requireSignedIn(viewer);
      if (!isUuid(id)) return null;
      const row = await loaders.issueById.load(id.toLowerCase());
      return row && canSee(await scope(), row) ? row : null;
    },

    /** The original of a merged duplicate, for its status and resolution only (reporters follow it). */
    originalOf: (row: IssueRow) => (row.mergedIntoId ? loaders.issueById.load(row.mergedIntoId) : Promise.resolve(null)),

    async visibleIssue(id: string | null): Promise<IssueRow | null> {
      if (!id) return null;
      const row = await loaders.issueById.load(id);
      return row && canSee(await scope(), row) ? row : null;
    },

    async issues(input: IssueFilterInput, page: PageArgs) {
      requireSignedIn(viewer);
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeCursor(page.after, 2) : null;
      const query = { scope: await scope(), filter: await listFilter(input), now: clock() };
      const cursor = after ? { receivedAt: new Date(String(after[0])), id: requireUuid('after', String(after[1])) } : null;
      if (cursor && Number.isNaN(cursor.receivedAt.getTime())) throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
      const rows = await issueStore.page(db, query, size + 1, cursor);
      for (const row of rows) loaders.issueById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.receivedAt.toISOString(), row.id], () => issueStore.count(db, query), cursor !== null);
    },

    async alerts(unitId: string | null, page: PageArgs) {
      requireSignedIn(viewer);
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeCursor(page.after, 2) : null;
      const query = { scope: await scope(), unitId: unitId ? requireUuid('unitId', unitId) : null, now: clock() };
      const cursor = after ? { dueAt: new Date(String(after[0])), id: Number(after[1]) } : null;
      const rows = await deadlineStore.alertsPage(db, query, size + 1, cursor);
      for (const row of rows) loaders.issueById.prime(row.issue.id, row.issue);
      return toConnection(rows, size, (row) => [row.deadline.dueAt!.toISOString(), row.deadline.id], () => deadlineStore.alertsCount(db, query), cursor !== null);
    },

    async publishedCases(page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeCursor(page.after, 2) : null;
      const cursor = after ? { publishedAt: new Date(String(after[0])), id: requireUuid('after', String(after[1])) } : null;
      const rows = await issueStore.publishedPage(db, size + 1, cursor);
      return toConnection(rows, size, (row) => [row.publishedAt!.toISOString(), row.id], () => issueStore.publishedCount(db), cursor !== null);
    },

    deadlines: (issueId: string) => loaders.deadlinesByIssue.load(issueId),
    history: (issueId: string) => loaders.eventsByIssue.load(issueId),
    now: clock,
    viewer,

    async calendarYears() {
      return calendarStore.all(db);
    },


    // ───────────── statistics ─────────────
    async unitStats(unitId: string, period: Period | null): Promise<IssueStats | null> {
      requireSignedIn(viewer);
      const visible = await scope();
      const allowed = visible.kind === 'all' || (visible.kind === 'unit' && visible.unitIds.includes(unitId));
      if (!allowed) statsPermission({ zh: '无权查看该单位的问题统计', en: "You may not read this unit's statistics" });
      return loaders.stats.load({ kind: 'unit', key: unitId, period });
    },
    async domainStats(domainCode: string, period: Period | null): Promise<IssueStats | null> {
      requireSignedIn(viewer);
      const visible = await scope();
      const dir = await directory.current();
      const leads = viewer.unitId !== null && dir.domainLedBy(viewer.unitId) === domainCode;
      if (visible.kind !== 'all' && !(visible.kind === 'unit' && leads)) {
        statsPermission({ zh: '只有市指挥部办公室和牵头单位可以查看领域统计', en: 'Only the command office and the lead unit may read domain statistics' });
      }
      return loaders.stats.load({ kind: 'domain', key: domainCode, period });
    },
    async overallStats(period: Period | null): Promise<IssueStats | null> {
      requireSignedIn(viewer);
      if ((await scope()).kind !== 'all') statsPermission({ zh: '全市统计仅市指挥部办公室可查看', en: 'City-wide statistics are for the command office' });
      return loaders.stats.load({ kind: 'all', key: 'ALL', period });
    },

    // ───────────── calendar ─────────────
    async setCalendarYear(input: CalendarYear & { notice: string }) {
      requireSignedIn(viewer);
      if (viewer.role !== Role.COMMAND_OFFICE) {
        throw errors.forbidden({ zh: '工作日历由市指挥部办公室维护', en: 'The command office keeps the working-day calendar' });
      }
      const year: CalendarYear = { year: input.year, off: [...new Set(input.off)].sort(), workdays: [...new Set(input.workdays)].sort(), notice: text('notice', input.notice, { zh: '通知文号', en: 'Notice' }, 200) };
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
