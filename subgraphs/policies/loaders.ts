import type { Db } from '../../db/client.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { figuresLoader, groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import {
  applicationEventStore,
  applicationStore,
  commentStore,
  emptyStats,
  interpretationStore,
  itemStore,
  limitOutcomeStore,
  objectionStore,
  policyEventStore,
  policyStore,
  reviewStore,
  revisionStore,
  statsByGroup,
  statsPartsOf,
  type Period,
} from './store.ts';

export type PoliciesLoaders = ReturnType<typeof createPoliciesLoaders>;

/**
 * Built per request. The stats loader keeps "every unit's figures in one gateway request" at one
 * aggregate statement per (kind, period): the gateway's `_entities` call hands every unit over at once.
 */
export function createPoliciesLoaders(db: Db, directory: DirectorySource, now: () => Date) {
  return {
    policyById: keyedLoader(
      (ids: readonly string[]) => policyStore.byIds(db, ids),
      (row) => row.id,
    ),
    itemById: keyedLoader(
      (ids: readonly string[]) => itemStore.byIds(db, ids),
      (row) => row.id,
    ),
    applicationById: keyedLoader(
      (ids: readonly string[]) => applicationStore.byIds(db, ids),
      (row) => row.id,
    ),
    itemsByPolicy: groupedLoader(
      (ids: readonly string[]) => itemStore.byPolicyIds(db, ids),
      (row) => row.policyId,
    ),
    revisionsByPolicy: groupedLoader(
      (ids: readonly string[]) => revisionStore.byPolicyIds(db, ids),
      (row) => row.policyId,
    ),
    interpretationsByPolicy: groupedLoader(
      (ids: readonly string[]) => interpretationStore.byPolicyIds(db, ids),
      (row) => row.policyId,
    ),
    commentsByPolicy: groupedLoader(
      (ids: readonly string[]) => commentStore.byPolicyIds(db, ids),
      (row) => row.policyId,
    ),
    eventsByPolicy: groupedLoader(
      (ids: readonly string[]) => policyEventStore.byPolicyIds(db, ids),
      (row) => row.policyId,
    ),
    eventsByApplication: groupedLoader(
      (ids: readonly string[]) => applicationEventStore.byApplicationIds(db, ids),
      (row) => row.applicationId,
    ),
    limitsByApplication: groupedLoader(
      (ids: readonly string[]) => limitOutcomeStore.byApplicationIds(db, ids),
      (row) => row.applicationId,
    ),
    objectionsByApplication: groupedLoader(
      (ids: readonly string[]) => objectionStore.byApplicationIds(db, ids),
      (row) => row.applicationId,
    ),
    reviewByApplication: keyedLoader(
      (ids: readonly string[]) => reviewStore.byApplicationIds(db, ids),
      (row) => row.applicationId,
    ),
    stats: figuresLoader(
      (groups, period: Period | null, parts) => statsByGroup(db, groups, period, now(), statsPartsOf(parts)),
      emptyStats,
      directory,
    ),
  };
}
