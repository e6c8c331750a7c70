/**
 * The Dockerfile and its build context, checked without a container engine: the file parsed and
 * linted by dockerfile-ast / dockerfile-utils (the parser and linter of the Docker language server),
 * then held to what issue #23 asks of an image fit to run. test/image.e2e.ts runs its stages' commands.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser, type Flag, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const text = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
const dockerfile = DockerfileParser.parse(text);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines: { node: string };
};

interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

/** The stages in order, each FROM's image with the ARG defaults filled in. */
function stages(): Stage[] {
  const args = Object.fromEntries(dockerfile.getARGs().map((arg) => [arg.getProperty()?.getName(), arg.getProperty()?.getValue()]));
  const result: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', , name = ''] = instruction.getArguments().map((arg) => arg.getValue());
      result.push({ name, image: image.replace(/\$\{(\w+)\}/g, (_, key: string) => args[key] ?? ''), instructions: [] });
    } else result.at(-1)?.instructions.push(instruction);
  }
  return result;
}

const of = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
/** An instruction's --flags (COPY, HEALTHCHECK, …); none for the others. */
const flags = (instruction: Instruction): Flag[] =>
  'getFlags' in instruction ? (instruction as Instruction & { getFlags(): Flag[] }).getFlags() : [];
const content = (instruction: Instruction) => instruction.getArgumentsContent() ?? '';
const execForm = (instruction: Instruction) => JSON.parse(content(instruction).replace(/^CMD\s+/, '')) as string[];
const runtime = () => stages().at(-1) as Stage;

describe('Dockerfile', () => {
  it('has nothing the linter objects to, and the linter does object to a broken one', () => {
    expect(validate(text)).toEqual([]);
    const broken = text
      .replace('HEALTHCHECK --interval', 'HEALTHCHECK --intervall')
      .replace('CMD ["node", "bin/start.js"]', 'CMD ["node", "bin/start.js"]\nCMD node x');
    expect(validate(broken).map((diagnostic) => diagnostic.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/intervall/), expect.stringMatching(/only be one CMD/)]),
    );
  });

  it('builds every stage on Node 24, pinned to a release (or a digest), never a floating tag', () => {
    expect(stages().length).toBeGreaterThanOrEqual(3);
    for (const stage of stages()) {
      expect(stage.image, stage.name).toMatch(
        /^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$|^node:24\.\d+\.\d+@sha256:[0-9a-f]{64}$/,
      );
      expect(stage.name, 'every stage is named').toMatch(/^[a-z]+$/);
    }
    const minor = Number(/^node:24\.(\d+)/.exec(runtime().image)?.[1]);
    expect(minor, 'the image satisfies package.json engines').toBeGreaterThanOrEqual(Number(/>=24\.(\d+)/.exec(pkg.engines.node)?.[1]));
    expect(fs.readFileSync(path.join(root, '.nvmrc'), 'utf8').trim()).toBe('24');
    expect(dockerfile.getInstructions().some((instruction) => instruction.getKeyword() === 'ADD')).toBe(false);
  });

  it('installs production dependencies alone for the image that runs, and compiles in a stage of its own', () => {
    const names = stages().map((stage) => stage.name);
    const runs = (stage: Stage) => of(stage, 'RUN').map(content).join('\n');
    const deps = stages().filter((stage) => /npm ci\b.*--omit=dev/.test(runs(stage)));
    expect(deps.map((stage) => stage.name)).toEqual(['deps']);
    const build = stages().find((stage) => /npm run build\b/.test(runs(stage)));
    expect(build?.name).toBe('build');
    // What the image that runs holds comes from those two stages only: no source, no devDependency.
    const copies = of(runtime(), 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const from = flags(copy)
        .find((flag) => flag.getName() === 'from')
        ?.getValue();
      expect(from, content(copy)).toBeDefined();
      expect(names.indexOf(from ?? ''), `COPY --from=${from}: an earlier stage`).toBeGreaterThan(-1);
      expect(names.indexOf(from ?? '')).toBeLessThan(names.length - 1);
    }
    expect(of(runtime(), 'RUN')).toEqual([]);
    expect(content(copies.find((copy) => /node_modules/.test(content(copy))) as Instruction)).toMatch(/^\/app\/node_modules /);
  });

  it('runs without tsx: tsx, TypeScript and esbuild are devDependencies, and no command of the image names tsx', () => {
    for (const name of ['tsx', 'typescript', 'esbuild', 'vitest']) {
      expect(pkg.dependencies[name], `${name} in dependencies`).toBeUndefined();
      expect(pkg.devDependencies[name], `${name} in devDependencies`).toBeDefined();
    }
    for (const instruction of [...of(runtime(), 'CMD'), ...of(runtime(), 'HEALTHCHECK'), ...of(runtime(), 'ENTRYPOINT')])
      expect(content(instruction)).not.toMatch(/tsx|\.ts\b/);
  });

  it('runs as an unprivileged user, says its port, checks /ready and has a command', () => {
    const stage = runtime();
    const order = stage.instructions.map((instruction) => instruction.getKeyword());
    const users = of(stage, 'USER').map(content);
    expect(users.at(-1)).toBe('node');
    expect(order.lastIndexOf('USER')).toBeLessThan(order.indexOf('CMD'));
    expect(of(stage, 'EXPOSE').map(content)).toEqual(['4000']);
    const [healthcheck] = of(stage, 'HEALTHCHECK');
    expect(content(healthcheck as Instruction)).toMatch(/^CMD \["node", "bin\/healthcheck\.js"\]$/);
    expect(fs.readFileSync(path.join(root, 'bin/healthcheck.ts'), 'utf8')).toMatch(/\/ready`/);
    const options = Object.fromEntries(flags(healthcheck as Instruction).map((flag) => [flag.getName(), flag.getValue()]));
    expect(Object.keys(options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
    const [cmd] = of(stage, 'CMD');
    const command = execForm(cmd as Instruction);
    expect(command).toEqual(['node', 'bin/start.js']);
    // The compiled entry is the source's, renamed.
    expect(fs.existsSync(path.join(root, (command[1] as string).replace(/\.js$/, '.ts')))).toBe(true);
    const env = content(of(stage, 'ENV')[0] as Instruction);
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(/APOLLO_TELEMETRY_DISABLED=1/);
  });
});

describe('.dockerignore', () => {
  const patterns = fs
    .readFileSync(path.join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  /** Docker's rule: a pattern matches a path or anything under it; a later `!pattern` takes it back. */
  const ignored = (file: string) =>
    patterns.reduce((result, pattern) => {
      const negated = pattern.startsWith('!');
      const glob = pattern.replace(/^!/, '').replace(/^\/+|\/+$/g, '');
      return path.matchesGlob(file, glob) || path.matchesGlob(file, `${glob}/**`) ? !negated : result;
    }, false);

  it('keeps secrets, local data, installed and built output, coverage and logs out of the build context', () => {
    for (const file of [
      '.git/config',
      'node_modules/pino/package.json',
      '.env',
      '.env.production',
      'secrets/jwt_secret',
      '.data/pglite/PG_VERSION',
      '.build/explorer/manifest.json',
      '.tmp/scratch',
      'coverage/index.html',
      'npm-debug.log',
      'bench/results/run.log',
    ])
      expect(ignored(file), file).toBe(true);
  });

  it('keeps every file the build stage compiles or copies', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'bin/build.ts',
      'bin/start.ts',
      'bin/healthcheck.ts',
      'platform/explorer/client.tsx',
      'schema/supergraph.graphql',
      ...fs.readdirSync(path.join(root, 'patches')).map((file) => `patches/${file}`),
      ...fs.readdirSync(path.join(root, 'db/migrations')).map((slice) => `db/migrations/${slice}/meta/_journal.json`),
      ...fs.readdirSync(path.join(root, 'db/reference')).map((file) => `db/reference/${file}`),
    ];
    for (const file of needed) {
      expect(fs.existsSync(path.join(root, file)), file).toBe(true);
      expect(ignored(file), file).toBe(false);
    }
  });
});
