/**
 * `npm run db:generate -- <slice> [name]`: drizzle-kit writes the next migration of one slice's
 * tables (db/<slice>.ts) into db/migrations/<slice>, which its start applies.
 */
import { execFileSync } from 'node:child_process';
import { slices } from '../subgraphs/registry.ts';

const [name, label = 'change'] = process.argv.slice(2);
const names = slices.map((slice) => slice.name);
if (!name || !names.includes(name)) {
  console.error(`Usage: npm run db:generate -- <${names.join('|')}> [migration name]`);
  process.exit(2);
}
execFileSync(
  'npx',
  ['drizzle-kit', 'generate', '--dialect=postgresql', `--schema=./db/${name}.ts`, `--out=./db/migrations/${name}`, `--name=${label}`],
  { stdio: 'inherit' },
);
