/**
 * Composes the supergraph from the subgraph SDL in this folder.
 *   npm run compose          writes schema/supergraph.graphql
 *   npm run compose:check    fails when composition errors or the committed file has drifted
 * The URLs written here are defaults; the gateway takes the real ones from its configuration.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';

const here = path.dirname(fileURLToPath(import.meta.url));
export const supergraphPath = path.join(here, 'supergraph.graphql');

/** Subgraph name → default URL, in a stable order so the output is deterministic. */
export const subgraphDefaults: Record<string, string> = {
  units: 'http://127.0.0.1:4001/graphql',
  issues: 'http://127.0.0.1:4002/graphql',
};

export function composeSupergraph(): { sdl?: string; errors: string[]; hints: string[] } {
  const services = Object.entries(subgraphDefaults).map(([name, url]) => ({
    name,
    url,
    typeDefs: parse(fs.readFileSync(path.join(here, `${name}.graphql`), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) return { errors: result.errors.map((error) => error.toString()), hints: [] };
  return {
    sdl: `# Composed by \`npm run compose\` from schema/*.graphql — do not edit by hand.\n${result.supergraphSdl}\n`,
    errors: [],
    hints: result.hints.map((hint) => hint.toString()),
  };
}

function main(check: boolean): number {
  const { sdl, errors } = composeSupergraph();
  if (!sdl) {
    console.error(`Composition failed:\n${errors.join('\n')}`);
    return 1;
  }
  if (check) {
    const committed = fs.existsSync(supergraphPath) ? fs.readFileSync(supergraphPath, 'utf8') : '';
    if (committed !== sdl) {
      console.error('schema/supergraph.graphql differs from a fresh composition: run `npm run compose` and commit it.');
      return 1;
    }
    console.log('Supergraph composes and matches schema/supergraph.graphql.');
    return 0;
  }
  fs.writeFileSync(supergraphPath, sdl);
  console.log(`Wrote ${path.relative(process.cwd(), supergraphPath)}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  process.exitCode = main(process.argv.includes('--check'));
}
