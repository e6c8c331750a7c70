/**
 * `npm run seed:sample`: loads the clearly-marked sample data (enterprises flagged `sample`, names
 * ending in （样例）) into the configured database — DATABASE_URL or the embedded one.
 */
import { openDatabase } from './client.ts';
import { loadEnv } from '../subgraphs/shared/env.ts';
import { prepareDatabase, subgraphs } from '../subgraphs/registry.ts';

const env = loadEnv();
const database = await openDatabase(env);
try {
  await prepareDatabase(database, subgraphs, { sample: true });
  console.log(`样例数据已载入 / sample data loaded into ${env.databaseUrl ? 'DATABASE_URL' : env.dataDir}`);
} finally {
  await database.close();
}
