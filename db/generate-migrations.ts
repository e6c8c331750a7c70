/**
 * `npm run db:generate -- <subgraph> [name]`: drizzle-kit writes the next migration of one
 * subgraph's tables into db/migrations/<subgraph>, which its start applies.
 */
import { execFileSync } from 'node:child_process';
import { subgraphNames, type SubgraphName } from './client.ts';

const [name, label = 'change'] = process.argv.slice(2);
if (!name || !subgraphNames.includes(name as SubgraphName)) {
  console.error(`Usage: npm run db:generate -- <${subgraphNames.join('|')}> [migration name]`);
  process.exit(2);
}
execFileSync(
  'npx',
  ['drizzle-kit', 'generate', '--dialect=postgresql', `--schema=./db/${name}.ts`, `--out=./db/migrations/${name}`, `--name=${label}`],
  { stdio: 'inherit' },
);
