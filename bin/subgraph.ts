/**
 * `npm run start:subgraph -- <name>`: one slice's subgraph alone, as `subgraphs/<name>/index.ts`
 * starts it (set DATABASE_URL, and `UNITS_URL` for the unit directory when units runs elsewhere).
 */
import { runSlice } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';

const name = process.argv[2];
if (!name || !slices.some((slice) => slice.name === name)) {
  const names = slices.map((slice) => slice.name).join('|');
  console.error(
    `请指明要启动的子图 / name the subgraph to start: npm run start:subgraph -- <${names}>${name ? ` (没有子图 / no subgraph "${name}")` : ''}`,
  );
  process.exit(1);
}
await runSlice(name, slices);
