import type { Db } from '../../db/client.ts';
import { present } from '../../platform/invariant.ts';
import { groupedLoader, keyedLoader } from '../../platform/loaders.ts';
import { enterpriseStore, referenceStore, unitStore } from './store.ts';

export type UnitsLoaders = ReturnType<typeof createUnitsLoaders>;

export function createUnitsLoaders(db: Db) {
  return {
    unitById: keyedLoader(
      (ids: readonly string[]) => unitStore.byIds(db, ids),
      (row) => row.id,
    ),
    unitByCode: keyedLoader(
      (codes: readonly string[]) => unitStore.byCodes(db, codes),
      (row) => row.code,
    ),
    activeUnitsByDomain: groupedLoader(
      (codes: readonly string[]) => unitStore.activeByDomains(db, codes),
      // Only units of a domain are found by domain.
      (row) => present(row.domainCode, 'the domain of a unit found by its domain'),
    ),
    districtUnitByDistrict: keyedLoader(
      (codes: readonly string[]) => unitStore.districtUnits(db, codes),
      (row) => present(row.districtCode, 'the district of a unit found by its district'),
    ),
    domainByCode: keyedLoader(
      (codes: readonly string[]) => referenceStore.domainsByCodes(db, codes),
      (row) => row.code,
    ),
    districtByCode: keyedLoader(
      (codes: readonly string[]) => referenceStore.districtsByCodes(db, codes),
      (row) => row.code,
    ),
    industryByCode: keyedLoader(
      (codes: readonly string[]) => referenceStore.industriesByCodes(db, codes),
      (row) => row.code,
    ),
    deadlinesByStep: groupedLoader(
      (codes: readonly string[]) => referenceStore.deadlines(db, codes),
      (row) => row.stepCode,
    ),
    /** Raw rows: visibility is the use cases' decision (access.ts), not the loader's. */
    enterpriseByCode: keyedLoader(
      (codes: readonly string[]) => enterpriseStore.byCodes(db, codes),
      (row) => row.creditCode,
    ),
  };
}
