import DataLoader from 'dataloader';
import type { Db } from '../../db/client.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import {
  applicationEventStore,
  applicationStore,
  commentStore,
  emptyStats,
  interpretationStore,
  itemStore,
  objectionStore,
  policyEventStore,
  policyStore,
  reviewStore,
  revisionStore,
  statsByGroup,
  type Period,
  type PolicyStats,
} from './store.ts';

export type PoliciesLoaders = ReturnType<typeof createPoliciesLoaders>;

export interface StatsKey {
  kind: 'unit' | 'domain' | 'all';
  key: string;
  period: Period | null;
}

const periodKey = (period: Period | null) => (period ? `${period.from.toISOString()}/${period.to.toISOString()}` : 'all-time');

/**
 * Built per request. The stats loader keeps "every unit's figures in one gateway request" at one
 * aggregate statement per (kind, period): the gateway's `_entities` call hands every unit over at once.
 */
export function createPoliciesLoaders(db: Db, directory: DirectorySource, now: () => Date) {
  return {
    policyById: keyedLoader((ids: readonly string[]) => policyStore.byIds(db, ids), (row) => row.id),
    itemById: keyedLoader((ids: readonly string[]) => itemStore.byIds(db, ids), (row) => row.id),
    applicationById: keyedLoader((ids: readonly string[]) => applicationStore.byIds(db, ids), (row) => row.id),
    itemsByPolicy: groupedLoader((ids: readonly string[]) => itemStore.byPolicyIds(db, ids), (row) => row.policyId),
    revisionsByPolicy: groupedLoader((ids: readonly string[]) => revisionStore.byPolicyIds(db, ids), (row) => row.policyId),
    interpretationsByPolicy: groupedLoader((ids: readonly string[]) => interpretationStore.byPolicyIds(db, ids), (row) => row.policyId),
    commentsByPolicy: groupedLoader((ids: readonly string[]) => commentStore.byPolicyIds(db, ids), (row) => row.policyId),
    eventsByPolicy: groupedLoader((ids: readonly string[]) => policyEventStore.byPolicyIds(db, ids), (row) => row.policyId),
    eventsByApplication: groupedLoader((ids: readonly string[]) => applicationEventStore.byApplicationIds(db, ids), (row) => row.applicationId),
    objectionsByApplication: groupedLoader((ids: readonly string[]) => objectionStore.byApplicationIds(db, ids), (row) => row.applicationId),
    reviewByApplication: keyedLoader((ids: readonly string[]) => reviewStore.byApplicationIds(db, ids), (row) => row.applicationId),
    stats: new DataLoader<StatsKey, PolicyStats, string>(
      async (keys) => {
        const batches = new Map<string, StatsKey[]>();
        for (const key of keys) {
          const batch = `${key.kind}|${periodKey(key.period)}`;
          batches.set(batch, [...(batches.get(batch) ?? []), key]);
        }
        const results = new Map<string, PolicyStats>();
        for (const [batch, batchKeys] of batches) {
          const { kind, period } = batchKeys[0]!;
          let groups: { unitId: string; key: string }[] | null = null;
          if (kind === 'unit') groups = batchKeys.map((k) => ({ unitId: k.key, key: k.key }));
          if (kind === 'domain') {
            const dir = await directory.current();
            groups = batchKeys.flatMap((k) => dir.unitsOfDomain(k.key).map((unit) => ({ unitId: unit.id, key: k.key })));
          }
          const stats = groups && groups.length === 0 ? new Map<string, PolicyStats>() : await statsByGroup(db, groups, period, now());
          for (const k of batchKeys) results.set(`${batch}|${k.key}`, stats.get(k.key) ?? emptyStats);
        }
        return keys.map((k) => results.get(`${k.kind}|${periodKey(k.period)}|${k.key}`)!);
      },
      { cacheKeyFn: (k) => `${k.kind}|${periodKey(k.period)}|${k.key}` },
    ),
  };
}
