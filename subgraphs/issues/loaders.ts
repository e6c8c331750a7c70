import DataLoader from 'dataloader';
import type { Db } from '../../db/client.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import { deadlineStore, emptyStats, eventStore, issueStore, statsByGroup, type IssueStats, type Period } from './store.ts';


export type IssuesLoaders = ReturnType<typeof createIssuesLoaders>;

export interface StatsKey {
  kind: 'unit' | 'domain' | 'all';
  key: string;
  period: Period | null;
}

const periodKey = (period: Period | null) => (period ? `${period.from.toISOString()}/${period.to.toISOString()}` : 'all-time');

/**
 * Built per request. The stats loader is what keeps "45+ units' figures in one gateway request" at
 * a constant number of statements: the gateway's `_entities` call hands every unit over at once,
 * and each (kind, period) becomes a single aggregate query.
 */
export function createIssuesLoaders(db: Db, directory: DirectorySource, now: () => Date) {
  return {
    issueById: keyedLoader((ids: readonly string[]) => issueStore.byIds(db, ids), (row) => row.id),
    deadlinesByIssue: groupedLoader((ids: readonly string[]) => deadlineStore.byIssueIds(db, ids), (row) => row.issueId),
    eventsByIssue: groupedLoader((ids: readonly string[]) => eventStore.byIssueIds(db, ids), (row) => row.issueId),
    stats: new DataLoader<StatsKey, IssueStats, string>(
      async (keys) => {
        const batches = new Map<string, StatsKey[]>();
        for (const key of keys) {
          const batch = `${key.kind}|${periodKey(key.period)}`;
          batches.set(batch, [...(batches.get(batch) ?? []), key]);
        }
        const results = new Map<string, IssueStats>();
        for (const [batch, batchKeys] of batches) {
          const { kind, period } = batchKeys[0]!;
          let groups: { unitId: string; key: string }[] | null = null;
          if (kind === 'unit') groups = batchKeys.map((k) => ({ unitId: k.key, key: k.key }));
          if (kind === 'domain') {
            const dir = await directory.current();
            groups = batchKeys.flatMap((k) => dir.unitsOfDomain(k.key).map((unit) => ({ unitId: unit.id, key: k.key })));
          }
          const stats = groups && groups.length === 0 ? new Map() : await statsByGroup(db, groups, period, now());
          for (const k of batchKeys) results.set(`${batch}|${k.key}`, stats.get(k.key) ?? emptyStats);
        }
        return keys.map((k) => results.get(`${k.kind}|${periodKey(k.period)}|${k.key}`)!);
      },
      { cacheKeyFn: (k) => `${k.kind}|${periodKey(k.period)}|${k.key}` },
    ),
  };
}
