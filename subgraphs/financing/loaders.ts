import type { Db } from '../../db/client.ts';
import { groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import { branchStore, institutionStore, productStore } from './store.ts';

export type FinancingLoaders = ReturnType<typeof createFinancingLoaders>;

/** DataLoaders, built per request. Raw rows: visibility is the use cases' decision (access.ts). */
export function createFinancingLoaders(db: Db) {
  return {
    institutionById: keyedLoader(
      (ids: readonly string[]) => institutionStore.byIds(db, ids),
      (row) => row.id,
    ),
    branchById: keyedLoader(
      (ids: readonly string[]) => branchStore.byIds(db, ids),
      (row) => row.id,
    ),
    productById: keyedLoader(
      (ids: readonly string[]) => productStore.byIds(db, ids),
      (row) => row.id,
    ),
    branchesByInstitution: groupedLoader(
      (ids: readonly string[]) => branchStore.ofInstitutions(db, ids),
      (row) => row.institutionId,
    ),
  };
}
