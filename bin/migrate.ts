/**
 * `npm run db:migrate`: the release step of a deployment that keeps the owner's password out of the
 * services. As the owner (DATABASE_URL): every slice's migrations, its serving role's rights, and
 * the reference data; then the services start with only their own `<NAME>_DATABASE_URL`.
 */
import { openDatabase } from '../db/client.ts';
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
    await prepareDatabase(database, slices, { sample: false });
    console.log(`迁移完成 / migrated: ${slices.map((slice) => slice.name).join(', ')}`);
  } finally {
    await database.close();
  }
});
