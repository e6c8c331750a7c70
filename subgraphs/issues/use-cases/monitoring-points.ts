/**
 * Monitoring points (重大项目重点企业营商环境监测点, issue #26 §4): the command office designates
 * enterprises and signed projects as points, each with a responsible unit, its 包保 leader (a leader
 * record of that unit) and a visit frequency (monthly, quarterly). The responsible unit records its
 * visits (append-only; the point keeps its last visit by version), so the points without a visit in
 * their current period are one list. Every issue raised by a point's enterprise is tagged with the
 * point at intake, in the issue's own transaction (intake.ts), and the issues list filters by point.
 */
import type { Queryable } from '../../../db/client.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { changeRow, createRow, type RowKind } from '../../../platform/change.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import { inPlanScope, type PlanRecordScope } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { designateMonitoringPointInput, monitoringPointFilter, recordMonitoringVisitInput } from '../input.ts';
import type {
  MonitoringPointVisitsArgs,
  MutationDesignateMonitoringPointArgs,
  MutationRecordMonitoringVisitArgs,
  QueryMonitoringPointArgs,
  QueryMonitoringPointsArgs,
} from '../schema-types.ts';
import { planRecordStore, type IssueRow, type MonitoringPointRow } from '../store.ts';
import { quarterOf, quarterRange } from './hall-visits.ts';
import { confirmLeader, earlierRequest, recorderOf, requireLeader } from './leaders.ts';
import { requireUnit } from './lookups.ts';

const POINT: Bilingual = { zh: '监测点', en: 'Monitoring point' };

const visible = (scope: PlanRecordScope, point: MonitoringPointRow) => inPlanScope(scope, { unitId: point.responsibleUnitId });

/** A point as a caller in `scope` may know it. */
function pointKind(scope: PlanRecordScope): RowKind<MonitoringPointRow, Queryable> {
  return {
    noun: POINT,
    load: (tx, id) => planRecordStore.point(tx, id.toLowerCase()),
    visible: (row) => visible(scope, row),
    version: (row) => row.version,
  };
}

/** The current visit period of a point (Beijing): this month or this quarter. */
export function currentPeriod(point: Pick<MonitoringPointRow, 'frequency'>, now: Date): { from: string; to: string } {
  const today = beijingDate(now);
  if (point.frequency === 'QUARTERLY') return quarterRange(quarterOf(today));
  const [year, month] = [Number(today.slice(0, 4)), Number(today.slice(5, 7))];
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${today.slice(0, 7)}-01`, to: `${today.slice(0, 7)}-${String(last).padStart(2, '0')}` };
}

export const visitedThisPeriod = (ctx: IssuesContext, point: MonitoringPointRow) =>
  point.lastVisitedOn !== null && point.lastVisitedOn >= currentPeriod(point, ctx.now()).from;

/** `designateMonitoringPoint`: the command office; an enterprise (by credit code) or a signed project, each a point once. */
export async function designateMonitoringPoint(ctx: IssuesContext, { input: given }: MutationDesignateMonitoringPointArgs) {
  const input = parseInput(designateMonitoringPointInput, given, 'input');
  const [unit] = await ctx.access.prepareToAct([input.responsibleUnitId]);
  await ctx.access.assertPlanRecord('DESIGNATE_MONITORING_POINT');
  requireUnit('input.responsibleUnitId', input.responsibleUnitId, unit);
  const leader = await requireLeader(ctx, 'input.leaderId', input.leaderId, input.responsibleUnitId);
  let watched: { name: string; creditCode: string; projectId: string | null };
  if (input.kind === 'PROJECT') {
    const project = input.projectId ? await ctx.loaders.projectById.load(input.projectId) : undefined;
    if (!project)
      throw errors.badInput('input.projectId', {
        zh: '项目监测点须指明已登记的签约项目',
        en: 'A project point names a listed signed project',
      });
    watched = { name: input.name ?? project.name, creditCode: project.investorCreditCode, projectId: project.id };
  } else {
    if (!input.enterpriseCreditCode || !input.name) {
      throw errors.badInput(input.name ? 'input.enterpriseCreditCode' : 'input.name', {
        zh: '企业监测点须给出企业名称和信用代码',
        en: 'An enterprise point gives the name and credit code',
      });
    }
    watched = { name: input.name, creditCode: input.enterpriseCreditCode, projectId: null };
  }
  const recorder = recorderOf(ctx, input.clientRequestId, input);
  return createRow(
    ctx.db,
    { noun: POINT },
    {
      authorize: () => ctx.access.assertPlanRecord('DESIGNATE_MONITORING_POINT'),
      async write(tx) {
        const earlier = await earlierRequest(tx, 'point', recorder, planRecordStore.pointByRequest);
        if (earlier) return earlier;
        await confirmLeader(tx, 'input.leaderId', leader, beijingDate(recorder.recordedAt));
        return planRecordStore.insertPoint(tx, {
          kind: input.kind,
          name: watched.name,
          enterpriseCreditCode: watched.creditCode,
          projectId: watched.projectId,
          responsibleUnitId: input.responsibleUnitId,
          leaderId: leader.id,
          frequency: input.frequency,
          ...recorder,
        });
      },
      exists: { zh: '该企业或项目已是监测点', en: 'That enterprise or project is a monitoring point already' },
      // The point is the record; its visits are the evidence (append-only).
      record: () => Promise.resolve(),
    },
  );
}

/** `recordMonitoringVisit`: the responsible unit or the command office; the point keeps its last visit. */
export async function recordMonitoringVisit(ctx: IssuesContext, { input: given }: MutationRecordMonitoringVisitArgs) {
  const input = parseInput(recordMonitoringVisitInput, given, 'input');
  await ctx.access.prepareToAct();
  const scope = await ctx.access.planRecordScope();
  if (input.visitedOn > beijingDate(ctx.now())) {
    throw errors.badInput('input.visitedOn', { zh: '走访日期不能晚于今天', en: 'visitedOn cannot be in the future' });
  }
  const known = await ctx.loaders.pointById.load(input.pointId);
  const leader =
    known && input.leaderId
      ? await requireLeader(ctx, 'input.leaderId', input.leaderId, known.responsibleUnitId, { on: input.visitedOn })
      : null;
  const recorder = recorderOf(ctx, input.clientRequestId, input);
  return changeRow(ctx.db, pointKind(scope), {
    key: input.pointId,
    expectedVersion: input.expectedVersion,
    authorize: (point) => ctx.access.assertMonitoringVisit(point),
    async write(tx, point) {
      const earlier = await earlierRequest(tx, 'visit', recorder, planRecordStore.visitByRequest);
      if (earlier) return point;
      if (leader) await confirmLeader(tx, 'input.leaderId', leader, input.visitedOn);
      await planRecordStore.insertVisit(tx, {
        pointId: point.id,
        visitedOn: input.visitedOn,
        leaderId: leader?.id ?? null,
        summary: input.summary,
        ...recorder,
      });
      const last = point.lastVisitedOn && point.lastVisitedOn > input.visitedOn ? point.lastVisitedOn : input.visitedOn;
      return planRecordStore.updatePoint(tx, point.id, point.version, { lastVisitedOn: last });
    },
    // The visit is the evidence (append-only), written above.
    record: () => Promise.resolve(),
  });
}

/** `monitoringPoints`: in order of designation; `unvisitedOnly` lists those without a visit in their current period. */
export async function monitoringPoints(ctx: IssuesContext, args: QueryMonitoringPointsArgs, page: PageArgs) {
  const scope = await ctx.access.planRecordScope();
  const filter = parseInput(monitoringPointFilter, args.filter ?? {}, 'filter');
  const size = pageSize(page.first, ctx.maxPageSize);
  const cursor = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const q = { scope, responsibleUnitId: filter.responsibleUnitId, unvisitedAsOf: filter.unvisitedOnly ? beijingDate(ctx.now()) : null };
  const count = countBeside(page.counted, () => planRecordStore.pointCount(ctx.db, q, exactCountLimit(ctx)));
  const rows = await planRecordStore.pointPage(ctx.db, { ...q, limit: size + 1, after: cursor });
  return toConnection(rows, size, (row) => [row.recordedAt.toISOString(), row.id], count, cursor !== null);
}

/** `monitoringPoint(id)`: null when it does not exist or lies outside the caller's scope. */
export async function monitoringPoint(ctx: IssuesContext, args: QueryMonitoringPointArgs): Promise<MonitoringPointRow | null> {
  const scope = await ctx.access.planRecordScope();
  if (!/^[0-9a-fA-F-]{36}$/.test(args.id)) return null;
  const row = await ctx.loaders.pointById.load(args.id.toLowerCase());
  return row && visible(scope, row) ? row : null;
}

export async function visitsOf(ctx: IssuesContext, point: MonitoringPointRow, args: Partial<MonitoringPointVisitsArgs>) {
  const visits = await ctx.loaders.visitsByPoint.load(point.id);
  return visits.slice(0, pageSize(args.first, ctx.maxPageSize));
}

/** `Issue.monitoringPoints`: the points that tagged it, those the caller reads (government only). */
export async function pointsOfIssue(ctx: IssuesContext, issue: IssueRow): Promise<MonitoringPointRow[]> {
  if (!ctx.access.canSeeInternal() || ctx.viewer.role === 'ANONYMOUS') return [];
  const tags = await ctx.loaders.tagsByIssue.load(issue.id);
  if (!tags.length) return [];
  const scope = await ctx.access.planRecordScope().catch(() => null);
  if (!scope) return [];
  const points = await Promise.all(tags.map((tag) => ctx.loaders.pointById.load(tag.pointId)));
  return points.filter((p): p is MonitoringPointRow => Boolean(p) && visible(scope, present(p, 'a tagged point')));
}
