/**
 * `npm run db:migrate`: the release step of a deployment that keeps the owner's password out of the
 * services. As the owner (DATABASE_URL): every slice's migrations, its serving role's rights, and
 * the reference data; then the services start with only their own `<NAME>_DATABASE_URL`.
 */
import { openDatabase, sqlState } from '../db/client.ts';
import { loadEnv } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { runEntry } from '../platform/entry.ts';

await runEntry(async () => {
  // It serves nothing, so it needs no signing key.
  const env = loadEnv(process.env, slices, { developmentByDefault: true });
  if (!env.database.ownerUrl) {
    console.error(
      'db:migrate 需要数据库所有者角色：DATABASE_URL，或 DATABASE_HOST、DATABASE_NAME、DATABASE_USER、DATABASE_PASSWORD / ' +
        'db:migrate needs the owner role of the PostgreSQL database: DATABASE_URL, or DATABASE_HOST, DATABASE_NAME, DATABASE_USER and DATABASE_PASSWORD',
    );
    process.exit(1);
  }
  const database = await openDatabase(env);
  try {
    await prepareDatabase(database, slices, { sample: false, referenceData: false });
    console.log(`迁移完成 / migrated: ${slices.map((slice) => slice.name).join(', ')}`);
    // Reference data goes in through each slice's own role. The migration step of a production
    // deployment holds only the owner's password: then each service loads its own at its start.
    for (const slice of slices) {
      const load = slice.referenceData;
      if (!load) continue;
      try {
        await load(database.forSubgraph(slice.name).db, env);
      } catch (error) {
        if (!['28P01', '28000'].includes(sqlState(error) ?? '')) throw error;
        console.log(
          `参考数据 / reference data ${slice.name}: 由该服务启动时载入（迁移步骤没有其角色的口令） / loaded by the ${slice.name} service at its start (this step has no password of its role)`,
        );
      }
    }
  } finally {
    await database.close();
  }
});
