/**
 * Sample market entities for trying the platform out. Every row is flagged `sample = true` and its
 * name ends in （样例）, so nobody mistakes it for the registry. Loaded on the embedded default and
 * by `npm run seed:sample`, never into a DATABASE_URL database unless asked.
 */
import type { Db } from '../../db/client.ts';
import { sampleEnterprises } from '../../db/reference/organisation.ts';
import { insertSampleEnterprises } from './store.ts';

export async function loadUnitsSampleData(db: Db): Promise<number> {
  return insertSampleEnterprises(
    db,
    sampleEnterprises().map((enterprise) => ({ ...enterprise, sample: true })),
  );
}
