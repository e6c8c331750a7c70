import type { Db } from '../../db/client.ts';
import { groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import { branchStore, demandStore, eventStore, institutionStore, limitStore, loanStore, productStore, routeStore } from './store.ts';

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
    demandById: keyedLoader(
      (ids: readonly string[]) => demandStore.byIds(db, ids),
      (row) => row.id,
    ),
    /** A demand's route to an institution, keyed `demandId|institutionId`. */
    route: keyedLoader(
      (keys: readonly string[]) =>
        routeStore.byPairs(
          db,
          keys.map((key) => {
            const [demandId = '', institutionId = ''] = key.split('|');
            return { demandId, institutionId };
          }),
        ),
      (row) => `${row.demandId}|${row.institutionId}`,
    ),
    routesByDemand: groupedLoader(
      (ids: readonly string[]) => routeStore.ofDemands(db, ids),
      (row) => row.demandId,
    ),
    eventsByDemand: groupedLoader(
      (ids: readonly string[]) => eventStore.ofDemands(db, ids),
      (row) => row.demandId,
    ),
    limitsByDemand: groupedLoader(
      (ids: readonly string[]) => limitStore.ofDemands(db, ids),
      (row) => row.demandId,
    ),
    loanByDemand: keyedLoader(
      (ids: readonly string[]) => loanStore.ofDemands(db, ids),
      (row) => row.demandId,
    ),
    loansByEnterprise: groupedLoader(
      (codes: readonly string[]) => loanStore.ofEnterprises(db, codes),
      (row) => row.creditCode,
    ),
    branchesByInstitution: groupedLoader(
      (ids: readonly string[]) => branchStore.ofInstitutions(db, ids),
      (row) => row.institutionId,
    ),
  };
}
