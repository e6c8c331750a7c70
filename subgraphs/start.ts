/**
 * `npm run start:subgraph -- <name>`: one slice's subgraph alone, as `subgraphs/<name>/index.ts`
 * starts it (set DATABASE_URL, and `UNITS_URL` for the unit directory when units runs elsewhere).
 */
import { runSlice } from '../platform/start.ts';
import { slices } from './registry.ts';

const name = process.argv[2];
if (!name || !slices.some((slice) => slice.name === name)) {
  console.error(`Usage: npm run start:subgraph -- <${slices.map((slice) => slice.name).join('|')}>`);
  process.exit(2);
}
await runSlice(name, slices);
