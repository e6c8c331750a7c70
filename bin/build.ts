/**
 * `npm run build [-- --out <folder>]`: the platform as the image runs it (the Dockerfile's build
 * stage), into .build/dist by default. tsc compiles every runtime file (tsconfig.build.json), and
 * what the code reads beside itself is copied into the same layout — the migrations, the SDL, the
 * explorer's prebuilt bundle, package.json — so every path derived from import.meta.url holds.
 * Node then runs it with the production dependencies only: no tsx, no TypeScript, no esbuild.
 *
 * Why compiled and not Node 24's own type stripping: stripping accepts only erasable syntax, and the
 * code uses parameter properties (`constructor(readonly year: number)`) in six files; tsc also
 * typechecks what it emits.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildExplorer, outDir as explorerDir } from '../platform/explorer/build.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string', default: path.join(root, '.build', 'dist') } } });
const out = path.resolve(values.out);

const started = performance.now();
fs.rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], { stdio: 'inherit' });

const copy = (from: string, to = from) => fs.cpSync(path.join(root, from), path.join(out, to), { recursive: true });
copy('db/migrations');
for (const file of fs.readdirSync(path.join(root, 'schema')).filter((name) => name.endsWith('.graphql'))) copy(`schema/${file}`);
copy('package.json');
// Served only when EXPLORER=true; built here, where its build tools are, so the image never needs them.
await buildExplorer();
fs.cpSync(explorerDir, path.join(out, '.build', 'explorer'), { recursive: true });

console.log(`built into ${path.relative(process.cwd(), out) || '.'} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
