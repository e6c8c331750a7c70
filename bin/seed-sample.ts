/**
 * `npm run seed:sample`: loads the clearly-marked sample data (enterprises flagged `sample`, names
 * ending in （样例）) into the configured database — DATABASE_URL or the embedded one.
 */
import { openDatabase } from '../db/client.ts';
import { loadEnv } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { runEntry } from '../platform/entry.ts';

await runEntry(async () => {
  // It serves nothing, so it needs no signing key: development defaults are harmless here.
  const env = loadEnv(process.env, slices, { developmentByDefault: true });
  const database = await openDatabase(env);
  try {
    await prepareDatabase(database, slices, { sample: true });
    console.log(`样例数据已载入 / sample data loaded into ${env.databaseUrl ? 'DATABASE_URL' : env.dataDir}`);
  } finally {
    await database.close();
  }
});
