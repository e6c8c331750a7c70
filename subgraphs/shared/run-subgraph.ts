/**
 * Starts one subgraph on its own (`npm run start:<name>`): against DATABASE_URL when set, else the
 * embedded database. It prepares only its own tables.
 */
import { openDatabase } from '../../db/client.ts';
import { createAuthenticator } from './auth.ts';
import { loadEnv } from './env.ts';
import { startHttpService } from './http.ts';
import { createExplorerHandler } from './explorer/index.ts';
import { prepareDatabase, subgraphByName } from '../registry.ts';
import { stopOnSignals } from '../../gateway/signals.ts';

export async function runSubgraph(name: string): Promise<void> {
  const env = loadEnv();
  const definition = subgraphByName(name);
  const database = await openDatabase(env);
  await prepareDatabase(database, [definition], { sample: env.loadSampleData });
  const runtime = definition.build({
    handle: database,
    db: database.forSubgraph(definition.name),
    env,
    authenticator: createAuthenticator(env.auth),
    subgraphUrls: env.subgraphUrls,
    now: () => new Date(),
    log: (message) => console.error(message),
  });
  const service = await startHttpService({
    name,
    apollo: runtime.apollo,
    context: (req) => runtime.context(req),
    ready: () => runtime.ready(),
    port: definition.port(env),
    maxRequestBytes: env.limits.maxRequestBytes,
    explorer: await createExplorerHandler({
      title: `${name} 子图 / subgraph`,
      endpoint: '/graphql',
      examples: runtime.examples,
      defaultHeaders: { Authorization: 'Bearer <npm run token>' },
    }),
    log: (message) => console.error(message),
  });
  console.log(`子图 / subgraph ${name}: ${service.url}graphql (explorer ${service.url})`);
  stopOnSignals(async () => {
    await service.close();
    await database.close();
  });
}
