/**
 * The layout is the architecture: every registered slice has the recipe's files, the kit knows no
 * slice, slices do not reach into each other, and nothing imports in a circle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import madge from 'madge';
import { beforeAll, describe, expect, it } from 'vitest';
import { slices } from '../subgraphs/registry.ts';
import { providersOf } from '../platform/subgraph.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The recipe of docs/ARCHITECTURE.md: the files (and the `use-cases/` folder) every slice's folder has, one job each. */
export const RECIPE = [
  'README.md',
  'slice.ts',
  'server.ts',
  'context.ts',
  'resolvers.ts',
  'schema-types.ts',
  'use-cases/',
  'rows.ts',
  'rules.ts',
  'access.ts',
  'input.ts',
  'store.ts',
  'loaders.ts',
  'examples.ts',
];

describe.each(slices.map((slice) => [slice.name, slice] as const))('the %s slice', (name, slice) => {
  it('has its SDL, its tables in a Postgres schema of its own, and its migrations', () => {
    expect(fs.existsSync(path.join(root, 'schema', `${name}.graphql`))).toBe(true);
    expect(read(`db/${name}.ts`)).toContain(`pgSchema('${name}')`);
    const migrations = fs.readdirSync(path.join(root, 'db', 'migrations', name));
    expect(migrations.some((file) => file.endsWith('.sql'))).toBe(true);
    expect(migrations).toContain('meta');
  });

  it('has every file of the recipe, and no entry point of its own (bin/subgraph.ts starts it by name)', () => {
    const files = fs.readdirSync(path.join(root, 'subgraphs', name));
    expect(files).toEqual(expect.arrayContaining(RECIPE.map((file) => file.replace(/\/$/, ''))));
    expect(files).not.toContain('index.ts');
  });

  it('offers explorer examples and has a row in the README', () => {
    expect(slice.examples.length).toBeGreaterThan(0);
    expect(read('README.md')).toMatch(new RegExp(`\\| \`${name}\` \\|.*\\(subgraphs/${name}/README\\.md\\)`));
  });
});

describe.each(slices.map((slice) => [slice.name] as const))('the %s slice, split along its use cases', (name) => {
  it('changes rows only through the kit (platform/change.ts): no transaction of its own in its use cases, and no service.ts', () => {
    const modules = fs.readdirSync(path.join(root, 'subgraphs', name, 'use-cases')).filter((file) => file.endsWith('.ts'));
    expect(modules.length).toBeGreaterThan(0);
    const sources = modules.map((file) => [file, read(`subgraphs/${name}/use-cases/${file}`)] as const);
    for (const [file, source] of sources) expect(source, file).not.toMatch(/\.transaction\(/);
    expect(sources.some(([, source]) => source.includes("from '../../../platform/change.ts'"))).toBe(true);
    expect(fs.existsSync(path.join(root, 'subgraphs', name, 'service.ts'))).toBe(false);
  });
});

describe('docs/ARCHITECTURE.md', () => {
  it('names every file of the recipe', () => {
    const doc = read('docs/ARCHITECTURE.md');
    for (const file of RECIPE) expect(doc, file).toContain(`\`${file}\``);
  });
});

describe('the kit names no slice', () => {
  it('has no registered slice’s name as a string in platform/', () => {
    const files = fs.readdirSync(path.join(root, 'platform'), { recursive: true, encoding: 'utf8' }).filter((file) => /\.tsx?$/.test(file));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = read(`platform/${file}`);
      for (const slice of slices) expect(text, `platform/${file}`).not.toMatch(new RegExp(`['"]${slice.name}['"]`));
    }
  });

  it('finds the directory’s and the calendar’s providers in the registry, exactly one each', () => {
    expect(providersOf(slices)).toEqual({ directory: 'units', calendar: 'issues' });
    const [first, ...rest] = slices;
    expect(() => providersOf(rest)).toThrow(/Exactly one slice must provide the directory; the registry has none/);
    expect(() => providersOf([...slices, { ...first!, name: 'copy' }])).toThrow(/directory; the registry has units, copy/);
  });
});

describe('the import graph', () => {
  let graph: Record<string, string[]>;
  let circular: string[][];
  beforeAll(async () => {
    // Type-only imports count: a cycle of types is still two files that cannot be understood apart.
    const result = await madge(['platform', 'subgraphs', 'gateway', 'db', 'schema', 'bench', 'bin'], {
      baseDir: root,
      fileExtensions: ['ts', 'tsx'],
      tsConfig: path.join(root, 'tsconfig.json'),
      detectiveOptions: { ts: { skipTypeImports: false } },
    });
    graph = result.obj();
    circular = result.circular();
  });

  it('has no cycle', () => {
    expect(circular).toEqual([]);
  });

  it('keeps the platform kit free of any slice, the registry and the gateway', () => {
    const platform = Object.entries(graph).filter(([file]) => file.startsWith('platform/'));
    expect(platform.length).toBeGreaterThan(10);
    for (const [file, imports] of platform) {
      for (const target of imports) {
        expect(
          target.startsWith('subgraphs/') || target.startsWith('gateway/') || target.startsWith('schema/'),
          `${file} imports ${target}`,
        ).toBe(false);
        // db/outbox.ts: the notice tables' shape every slice shares (no slice's tables).
        if (target.startsWith('db/')) expect(['db/client.ts', 'db/outbox.ts'], `${file} imports ${target}`).toContain(target);
      }
    }
  });

  it('keeps each slice out of every other slice and its tables', () => {
    const names = slices.map((slice) => slice.name);
    for (const name of names) {
      for (const [file, imports] of Object.entries(graph).filter(([file]) => file.startsWith(`subgraphs/${name}/`))) {
        for (const other of names.filter((candidate) => candidate !== name)) {
          for (const target of imports) {
            expect(target.startsWith(`subgraphs/${other}/`) || target === `db/${other}.ts`, `${file} imports ${target}`).toBe(false);
          }
        }
        for (const target of imports) expect(target.startsWith('gateway/'), `${file} imports ${target}`).toBe(false);
      }
    }
  });

  it('keeps the composition roots in bin/: nothing but tests and the bench imports them', () => {
    expect(Object.keys(graph).filter((file) => file.startsWith('bin/')).length).toBeGreaterThan(3);
    for (const [file, imports] of Object.entries(graph).filter(([file]) => !/^(bin|bench|test)\//.test(file))) {
      for (const target of imports) expect(target.startsWith('bin/'), `${file} imports ${target}`).toBe(false);
    }
  });

  it('lets the gateway, which holds no data, import nothing from db/', () => {
    const gateway = Object.entries(graph).filter(([file]) => file.startsWith('gateway/'));
    expect(gateway.length).toBeGreaterThan(3);
    for (const [file, imports] of gateway) {
      for (const target of imports) expect(target.startsWith('db/'), `${file} imports ${target}`).toBe(false);
    }
  });

  it('keeps a slice unaware of the others: no slice imports the registry', () => {
    for (const [file, imports] of Object.entries(graph).filter(([file]) => /^subgraphs\/[^/]+\//.test(file))) {
      expect(imports, file).not.toContain('subgraphs/registry.ts');
    }
  });

  it('keeps db/ to tables, migrations and reference data: its tables and client import no kit, slice, gateway or entry point', () => {
    const db = Object.entries(graph).filter(([file]) => file.startsWith('db/') && !file.startsWith('db/reference/'));
    expect(db.map(([file]) => file)).toEqual(expect.arrayContaining(['db/client.ts', ...slices.map((slice) => `db/${slice.name}.ts`)]));
    for (const [file, imports] of db) {
      for (const target of imports) expect(target.startsWith('db/'), `${file} imports ${target}`).toBe(true);
    }
  });

  it('lets the gateway know the slices only through the registry', () => {
    for (const [file, imports] of Object.entries(graph).filter(([file]) => file.startsWith('gateway/'))) {
      for (const target of imports.filter((t) => t.startsWith('subgraphs/'))) expect(target, file).toBe('subgraphs/registry.ts');
    }
  });
});
