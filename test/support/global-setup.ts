import { testServerUrl } from './database.ts';

export default async function globalSetup(): Promise<void> {
  const server = await testServerUrl();
  const shown = server ? server.replace(/\/\/[^@]*@/, '//') : null;
  console.log(
    server ? `Tests use PostgreSQL at ${shown}, a fresh database per file.` : 'No PostgreSQL reachable: tests use embedded PGlite.',
  );
}
