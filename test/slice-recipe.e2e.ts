/**
 * The recipe of docs/ARCHITECTURE.md, followed on a copy of the project: a scratch slice
 * (test/fixtures/scratch-slice) needs only its own files, one line in the registry, one service in
 * docker-compose.yml and one README row to be composed, typed, migrated, started, served by the
 * gateway and offered in the explorer. Nothing else in the tree may have to change.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from './support/platform.ts';
import { loadCompose } from './support/compose.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixture = path.join(root, 'test', 'fixtures', 'scratch-slice');
let copy: string;

function sh(command: string, args: string[], cwd = copy): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, LOG_FORMAT: 'json' } });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Adds text after the line that contains `after`. */
function insertAfter(file: string, after: string, text: string) {
  const full = path.join(copy, file);
  const content = fs.readFileSync(full, 'utf8');
  const at = content.indexOf('\n', content.indexOf(after)) + 1;
  expect(content.indexOf(after), `${file} has no "${after}"`).toBeGreaterThan(-1);
  fs.writeFileSync(full, content.slice(0, at) + text + content.slice(at));
}

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-recipe-'));
  // The working tree as it is (tracked and new files), without node_modules, which is linked.
  const files = sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root).split('\0').filter(Boolean);
  for (const file of files) {
    if (file.startsWith('test/fixtures/scratch-slice/') || !fs.existsSync(path.join(root, file))) continue;
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(copy, file));
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  sh('git', ['init', '-q']);
  sh('git', ['add', '-A']);
  sh('git', ['-c', 'user.name=recipe', '-c', 'user.email=recipe@example.invalid', 'commit', '-qm', 'before']);

  // 1. The slice's own files.
  fs.cpSync(fixture, copy, { recursive: true });
  // 2. One registry line (and its import).
  insertAfter('subgraphs/registry.ts', "import { issues } from './issues/slice.ts';", "import { scratch } from './scratch/slice.ts';\n");
  const registry = path.join(copy, 'subgraphs/registry.ts');
  fs.writeFileSync(
    registry,
    fs.readFileSync(registry, 'utf8').replace(/\[([^\]]*)\];/, (_, list: string) => `[${list}, scratch];`),
  );
  // 3. One compose service (its own role's URL as a secret file, and the gateway waiting for it),
  // and its port for bureau frontends that call it directly.
  insertAfter(
    'docker-compose.yml',
    "'bin/subgraph.js', 'issues']",
    '\n  scratch:\n    <<: *subgraph\n    environment:\n      <<: *subgraph-environment\n' +
      '      SCRATCH_DATABASE_URL_FILE: /run/secrets/scratch_database_url\n' +
      '    secrets: [jwt_secret, download_link_secret, scratch_database_url]\n' +
      '    command: ["node", "bin/subgraph.js", "scratch"]\n',
  );
  insertAfter('docker-compose.yml', 'issues: { condition: service_healthy }', '      scratch: { condition: service_healthy }\n');
  insertAfter(
    'docker-compose.yml',
    'secrets}/issues_database_url',
    '  scratch_database_url:\n    file: ${SECRETS_DIR:-./secrets}/scratch_database_url\n',
  );
  insertAfter(
    'docker-compose.subgraph-ports.yml',
    "ISSUES_PUBLISH_PORT:-4002}:4000']",
    '  scratch:\n    ports: ["${SCRATCH_PUBLISH_PORT:-4009}:4000"]\n',
  );
  // 4. One README row.
  insertAfter('README.md', '| `issues` |', '| `scratch` | command office | notes | [subgraphs/scratch](subgraphs/scratch/README.md) |\n');
  // Then what follows from them: the migration, the supergraph and the generated types.
  sh(process.execPath, ['--import', 'tsx', 'bin/generate-migrations.ts', 'scratch', 'init']);
  sh('npm', ['run', '-s', 'compose']);
  sh('npm', ['run', '-s', 'deploy:kubernetes']);
}, 240_000);

afterAll(() => {
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

describe('adding a slice by the recipe', () => {
  it('touches only its own files, the registry, the compose files, the README row, the generated supergraph and Kubernetes manifests', () => {
    const changed = sh('git', ['status', '--porcelain', '--untracked-files=all'])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.slice(3))
      .sort();
    const own = changed.filter((file) => file.startsWith('subgraphs/scratch/') || file.startsWith('db/migrations/scratch/'));
    expect(own).toEqual(
      expect.arrayContaining([
        'subgraphs/scratch/slice.ts',
        'subgraphs/scratch/schema-types.ts',
        'db/migrations/scratch/meta/_journal.json',
      ]),
    );
    expect(changed.filter((file) => !own.includes(file))).toEqual([
      'README.md',
      'db/scratch.ts',
      'deploy/kubernetes/kustomization.yaml',
      'deploy/kubernetes/network-policy.yaml',
      'deploy/kubernetes/secrets.template.yaml',
      'deploy/kubernetes/subgraphs/scratch.yaml',
      'docker-compose.subgraph-ports.yml',
      'docker-compose.yml',
      'schema/scratch.graphql',
      'schema/supergraph.graphql',
      'subgraphs/registry.ts',
    ]);
  });

  it('typechecks with the generated types, and docker-compose validates with the new service', () => {
    sh('npx', ['tsc', '-p', '.']);
    // What an operator must set (the compose file has no default for a key or a password).
    const required = { JWT_ISSUER: 'x', JWT_AUDIENCE: 'x' };
    const services = loadCompose(
      [path.join(copy, 'docker-compose.yml'), path.join(copy, 'docker-compose.subgraph-ports.yml')],
      required,
    ).services;
    expect(Object.keys(services)).toContain('scratch');
    expect(services.scratch?.ports?.length).toBeGreaterThan(0);
    expect(services.scratch?.environment?.SCRATCH_DATABASE_URL_FILE).toBe('/run/secrets/scratch_database_url');
    expect(services.gateway?.depends_on).toHaveProperty('scratch');
  }, 120_000);

  it('is started with the platform, served by the gateway next to the other slices, and offered in its explorer', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qd-recipe-data-'));
    const offset = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
      cwd: copy,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: os.tmpdir(),
        DATA_DIR: dataDir,
        PORT_OFFSET: String(offset),
        LOAD_SAMPLE_DATA: 'false',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => output.includes('Ready in') && (clearInterval(timer), resolve()), 100);
        void exited.then(() => (clearInterval(timer), reject(new Error(`the platform exited:\n${output}`))));
      });
      const gateway = `http://127.0.0.1:${4000 + offset}/`;
      const ask = async (query: string, token?: string) => {
        const response = await fetch(gateway, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token ?? (await tokenFor('COMMAND_OFFICE'))}` },
          body: JSON.stringify({ query }),
        });
        return (await response.json()) as { data?: any; errors?: unknown[] };
      };
      expect(await ask('mutation { addNote(text: "配方验证") { text } }')).toEqual({ data: { addNote: { text: '配方验证' } } });
      const answer = await ask(
        '{ notes { totalCount } unit(code: "MARKET_REGULATION_BUREAU") { name noteCount issueStats { received } } }',
      );
      expect(answer).toEqual({
        data: { notes: { totalCount: 1 }, unit: { name: '市市场监管局', noteCount: 1, issueStats: { received: 0 } } },
      });
      // The kit's base standings, with no code of the slice's own for them: a unit's member may write
      // a note while the unit is active, and its token acts for nobody once the unit is archived.
      const created = await ask(
        'mutation { createUnit(input: { code: "RECIPE_BUREAU", name: "配方验证局", kind: OTHER, level: CITY }) { id } }',
      );
      const unitId = created.data?.createUnit?.id as string;
      expect(unitId).toBeTruthy();
      const member = await tokenFor({ role: 'UNIT_STAFF', unitId });
      expect(await ask('mutation { addNote(text: "在用单位的便签") { text } }', member)).toEqual({
        data: { addNote: { text: '在用单位的便签' } },
      });
      expect((await ask(`mutation { archiveUnit(id: "${unitId}", reason: "配方验证") { archived } }`)).data).toEqual({
        archiveUnit: { archived: true },
      });
      const refused = await ask('mutation { addNote(text: "已归档单位的便签") { text } }', member);
      expect(refused.data).toEqual({ addNote: null });
      expect(refused.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
      expect((await ask('{ notes { totalCount } }')).data).toEqual({ notes: { totalCount: 2 } });
      const page = await fetch(`http://127.0.0.1:${4009 + offset}/`, { headers: { accept: 'text/html' } });
      expect(await page.text()).toContain('便签子图');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
