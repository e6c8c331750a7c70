import type { Db } from '../../db/client.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { figuresLoader, groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import { deadlineStore, emptyStats, eventStore, issueStore, statsByGroup, type Period } from './store.ts';


export type IssuesLoaders = ReturnType<typeof createIssuesLoaders>;

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
    stats: figuresLoader((groups, period: Period | null) => statsByGroup(db, groups, period, now()), emptyStats, directory),
  };
}
