import { createRequire } from 'node:module';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
export const outDir = join(root, '.build/explorer');

/** Files whose change makes a built bundle stale. */
export const bundleSources = [join(here, 'client.tsx'), join(here, 'build.ts'), join(root, 'package-lock.json')];

/** Maps logical names ('explorer.js', 'graphql.worker.js', …) to the hashed files next to it. */
export type Manifest = Record<string, string>;
export const manifestName = 'manifest.json';

// The Monaco workers must come from the same monaco-editor copy that @graphiql/react bundles,
// so resolve them through its dependency chain rather than from the project root.
function workerEntries(): Record<string, string> {
  const fromRoot = createRequire(import.meta.url);
  const fromGraphiql = createRequire(fromRoot.resolve('graphiql'));
  const fromReact = createRequire(fromGraphiql.resolve('@graphiql/react'));
  return {
    'editor.worker': fromReact.resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
    'json.worker': fromReact.resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
    'graphql.worker': fromReact.resolve('monaco-graphql/esm/graphql.worker.js'),
  };
}

export async function buildExplorer(): Promise<void> {
  // esbuild is a devDependency: loaded only when building, so a prebuilt bundle is served without it.
  const esbuild = await import('esbuild');
  await mkdir(dirname(outDir), { recursive: true });
  const tmp = await mkdtemp(`${outDir}.tmp-`);
  try {
    await chmod(tmp, 0o755); // mkdtemp makes it private; a server running as another user must read it
    const entryPoints: Record<string, string> = { explorer: join(here, 'client.tsx'), ...workerEntries() };
    const result = await esbuild.build({
      entryPoints,
      absWorkingDir: root,
      outdir: tmp,
      bundle: true,
      minify: true,
      format: 'esm',
      // Prettier and Monaco are imported lazily by GraphiQL: split them out of the first download.
      splitting: true,
      target: 'es2022',
      platform: 'browser',
      // Hashed names let the server cache assets forever; the manifest tells it which is which.
      entryNames: '[name]-[hash]',
      assetNames: '[name]-[hash]',
      loader: { '.ttf': 'file' }, // Monaco's icon font; GraphiQL's own fonts are inlined in its CSS
      define: { 'process.env.NODE_ENV': '"production"' },
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
    });

    // Compressed once here rather than per request: the servers then send about a quarter of the bytes.
    const compress = promisify(gzip);
    const names = await readdir(tmp);
    await Promise.all(names.map(async (name) => writeFile(join(tmp, `${name}.gz`), await compress(await readFile(join(tmp, name))))));

    const manifest: Manifest = {};
    for (const [file, output] of Object.entries(result.metafile.outputs)) {
      const entry = Object.keys(entryPoints).find((name) => relative(root, entryPoints[name] ?? '') === output.entryPoint);
      if (entry) manifest[`${entry}.js`] = basename(file);
      if (entry && output.cssBundle) manifest[`${entry}.css`] = basename(output.cssBundle);
    }
    await writeFile(join(tmp, manifestName), JSON.stringify(manifest, null, 2));
    await publish(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// rename() cannot replace a non-empty directory, so the old output is moved aside first.
// Another process building at the same time may publish in between; its output is identical,
// so losing that race is fine, and readers never see a half-written directory.
async function publish(tmp: string): Promise<void> {
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  await rename(outDir, old).catch(ignore('ENOENT'));
  await rename(tmp, outDir).catch(ignore('ENOTEMPTY', 'EEXIST'));
  await rm(old, { recursive: true, force: true });
}

function ignore(...codes: string[]) {
  return (error: NodeJS.ErrnoException) => {
    if (!codes.includes(error.code ?? '')) throw error;
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  await buildExplorer();
  console.log(`explorer built into ${relative(process.cwd(), outDir)} in ${Math.round(performance.now() - started)} ms`);
}
