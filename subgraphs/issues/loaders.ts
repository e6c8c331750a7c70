import DataLoader from 'dataloader';
import type { Db } from '../../db/client.ts';
import { present } from '../../platform/invariant.ts';
import { groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import { emptyParts, figuresFrom, type IssueStats } from './figures.ts';
import {
  deadlineStore,
  eventStore,
  followUpStore,
  issueStore,
  observerStore,
  outcomeStore,
  planDutyStore,
  planRecordStore,
  ratingStore,
  statsParts,
  type Grouping,
  type PlanDutyFilingRow,
  type PlanDutyRow,
  type Period,
} from './store.ts';

export type IssuesLoaders = ReturnType<typeof createIssuesLoaders>;

export interface StatsKey {
  kind: 'unit' | 'domain' | 'all';
  /** The group's key: a unit id, a domain code, or 'ALL'. */
  key: string;
  /** The units that count under the key (a district and the units below it; a domain's units). */
  units: string[];
  period: Period | null;
}

const periodKey = (period: Period | null) => (period ? `${period.from.getTime()}/${period.to.getTime()}` : 'all-time');
const cacheKey = (k: StatsKey) => `${k.kind}|${periodKey(k.period)}|${k.key}`;

/**
 * Built per request. The stats loader is what keeps "45+ units' figures in one gateway request" at
 * a constant number of statements: the gateway's `_entities` call hands every unit over at once,
 * and each (kind, period) becomes a single aggregate query.
 */
export function createIssuesLoaders(db: Db, now: () => Date) {
  return {
    ...planRecordLoaders(db),
    issueById: keyedLoader(
      (ids: readonly string[]) => issueStore.byIds(db, ids),
      (row) => row.id,
    ),
    deadlinesByIssue: groupedLoader(
      (ids: readonly string[]) => deadlineStore.byIssueIds(db, ids),
      (row) => row.issueId,
    ),
    eventsByIssue: groupedLoader(
      (ids: readonly string[]) => eventStore.byIssueIds(db, ids),
      (row) => row.issueId,
    ),
    ratingsByIssue: groupedLoader(
      (ids: readonly string[]) => ratingStore.byIssueIds(db, ids),
      (row) => row.issueId,
    ),
    followUpsByIssue: groupedLoader(
      (ids: readonly string[]) => followUpStore.byIssueIds(db, ids),
      (row) => row.issueId,
    ),
    /** The filing (a self-check list) that brought each issue in, if any. */
    observerReportByIssue: keyedLoader(
      (ids: readonly string[]) => observerStore.reportsOfIssues(db, ids),
      (row) => row.issueId,
    ),
    observerMembershipById: keyedLoader(
      (ids: readonly string[]) => observerStore.membershipsByIds(db, ids),
      (row) => row.id,
    ),
    originByIssue: keyedLoader(
      (ids: readonly string[]) => planDutyStore.originsOfIssues(db, ids),
      (row) => row.issueId,
    ),
    filingById: keyedLoader(
      (ids: readonly string[]) => planDutyStore.byIds(db, ids),
      (row) => row.id,
    ),
    issuesByFiling: groupedLoader(
      (ids: readonly string[]) => planDutyStore.issuesOfFilings(db, ids),
      (row) => row.filingId ?? '',
    ),
    /** The duties due in a period and the units' filings of them: every unit of a request at once, per period. */
    planDutyParts: new DataLoader(
      async (keys: readonly { unitId: string; from: string; to: string }[]) => {
        const periods = new Map<string, Promise<{ duties: PlanDutyRow[]; filings: PlanDutyFilingRow[] }>>();
        for (const key of keys) {
          const period = `${key.from}|${key.to}`;
          if (periods.has(period)) continue;
          const unitIds = keys.filter((k) => k.from === key.from && k.to === key.to).map((k) => k.unitId);
          periods.set(
            period,
            planDutyStore.dueBetween(db, key.from, key.to).then(async (duties) => ({
              duties,
              filings: await planDutyStore.filings(
                db,
                duties.map((d) => d.code),
                unitIds,
              ),
            })),
          );
        }
        return Promise.all(keys.map((key) => present(periods.get(`${key.from}|${key.to}`), 'the parts of a period asked')));
      },
      { cacheKeyFn: (key) => `${key.unitId}|${key.from}|${key.to}` },
    ),
    outcomesByIssue: groupedLoader(
      (ids: readonly string[]) => outcomeStore.byIssueIds(db, ids),
      (row) => present(row.issueId, 'the issue of an outcome loaded by issue'),
    ),
    stats: new DataLoader<StatsKey, IssueStats, string>(
      async (keys) => {
        const batches = new Map<string, StatsKey[]>();
        for (const key of keys) {
          const batch = `${key.kind === 'all' ? 'all' : 'units'}|${periodKey(key.period)}`;
          const list = batches.get(batch);
          if (list) list.push(key);
          else batches.set(batch, [key]);
        }
        const results = new Map<string, IssueStats>();
        for (const batchKeys of batches.values()) {
          const { kind, period } = present(batchKeys[0], 'the first key of a batch');
          // Units and domains of one period share a statement: their keys never collide (uuid vs code).
          const grouping: Grouping =
            kind === 'all'
              ? { kind: 'all' }
              : { kind: 'units', pairs: batchKeys.flatMap((k) => k.units.map((unitId) => ({ unitId, key: k.key }))) };
          const parts = await statsParts(db, grouping, period, now());
          for (const k of batchKeys) results.set(cacheKey(k), figuresFrom(parts.get(k.key) ?? emptyParts));
        }
        return keys.map((k) => present(results.get(cacheKey(k)), 'the figures of a key just computed'));
      },
      { cacheKeyFn: cacheKey },
    ),
  };
}

/** The plan's records (issue #26): leaders, hall days, projects, points, and what links them to issues. */
function planRecordLoaders(db: Db) {
  return {
    leaderById: keyedLoader(
      (ids: readonly string[]) => planRecordStore.leadersByIds(db, ids),
      (row) => row.id,
    ),
    departureByLeader: keyedLoader(
      (ids: readonly string[]) => planRecordStore.departuresByLeaders(db, ids),
      (row) => row.leaderId,
    ),
    hallVisitById: keyedLoader(
      (ids: readonly string[]) => planRecordStore.hallVisitsByIds(db, ids),
      (row) => row.id,
    ),
    issuesByHallVisit: groupedLoader(
      (ids: readonly string[]) => planRecordStore.issuesOfHallVisits(db, ids),
      (row) => row.key ?? '',
    ),
    projectById: keyedLoader(
      (ids: readonly string[]) => planRecordStore.projectsByIds(db, ids),
      (row) => row.id,
    ),
    issuesByProject: groupedLoader(
      (ids: readonly string[]) => planRecordStore.issuesOfProjects(db, ids),
      (row) => row.key ?? '',
    ),
    eventsByProject: groupedLoader(
      (ids: readonly string[]) => planRecordStore.projectEvents(db, ids),
      (row) => row.projectId,
    ),
    /** The hall day and the project that brought each issue in, if any. */
    recordOriginByIssue: keyedLoader(
      (ids: readonly string[]) => planRecordStore.recordOriginsOfIssues(db, ids),
      (row) => row.issueId,
    ),
    pointById: keyedLoader(
      (ids: readonly string[]) => planRecordStore.pointsByIds(db, ids),
      (row) => row.id,
    ),
    visitsByPoint: groupedLoader(
      (ids: readonly string[]) => planRecordStore.visitsOfPoints(db, ids),
      (row) => row.pointId,
    ),
    tagsByIssue: groupedLoader(
      (ids: readonly string[]) => planRecordStore.tagsOfIssues(db, ids),
      (row) => row.issueId,
    ),
  };
}
