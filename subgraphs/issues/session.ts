/**
 * One request's view of the issues subgraph: who is asking, what they may see, and the lookups
 * every part of the service shares (calendar, unit directory, deadline rows).
 */
import type { Viewer } from '../shared/auth.ts';
import { errors } from '../shared/errors.ts';
import { WorkingCalendar } from '../shared/calendar.ts';
import type { DirectorySource } from '../shared/directory.ts';
import type { Db, Queryable } from '../../db/client.ts';
import { scopeOf, type IssueScope } from './access.ts';
import { computeDue, type DeadlineRule } from './deadlines.ts';
import { requireUuid } from './input.ts';
import type { IssuesLoaders } from './loaders.ts';
import { calendarStore, type NewDeadline } from './store.ts';

export interface IssuesServiceDeps {
  db: Db;
  viewer: Viewer;
  loaders: IssuesLoaders;
  directory: DirectorySource;
  now: () => Date;
  maxPageSize: number;
}

export type IssuesSession = ReturnType<typeof createSession>;

export function createSession(deps: IssuesServiceDeps) {
  const { db, viewer, loaders, directory, now: clock, maxPageSize } = deps;
  let scopePromise: Promise<IssueScope> | undefined;
  /** What the caller may see, worked out once per request. */
  const scope = () => (scopePromise ??= scopeOf(viewer, directory));

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
    const unit = await directory.unit(requireUuid(field, id));
    if (!unit) throw errors.badInput(field, { zh: `单位不存在：${id}`, en: `No such unit: ${id}` });
    if (unit.archived) throw errors.badInput(field, { zh: `单位已归档：${unit.name}`, en: `The unit is archived: ${unit.code}` });
    return unit.id;
  }

  async function activeViewerUnit(): Promise<string> {
    const unit = viewer.unitId ? await directory.unit(viewer.unitId) : null;
    if (!unit || unit.archived) {
      throw errors.forbidden({ zh: '令牌中的单位不存在或已归档', en: "The token's unit does not exist or is archived" });
    }
    return unit.id;
  }

  return { db, viewer, loaders, directory, clock, maxPageSize, scope, calendarFrom, actorFields, deadlineRow, requireDistrict, requireActiveUnit, activeViewerUnit };
}
