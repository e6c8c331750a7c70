import { readdir, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { buildExplorer, bundleSources, manifestName, outDir, type Manifest } from './build.ts';

export interface ExplorerExample {
  name: string;
  description: string;
  query: string;
  variables?: Record<string, unknown>;
}

export interface ExplorerOptions {
  title: string;
  /** Same-origin path of the GraphQL endpoint, e.g. '/'. */
  endpoint: string;
  examples: ExplorerExample[];
  defaultHeaders?: Record<string, string>;
  /**
   * Whether this page's origin serves the files download links open (the gateway's explorer): an
   * answer holding a link (`path`, `url`, `expiresAt`) shows a button that opens `path` here;
   * elsewhere (a subgraph's explorer) the button opens the link's full `url`.
   */
  sameOriginDownloads?: boolean;
}

/** What the page hands to client.tsx. */
export interface ExplorerPageConfig extends Required<ExplorerOptions> {
  /** Monaco worker label ('editor', 'json', 'graphql') → URL. */
  workers: Record<string, string>;
}

export type ExplorerHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const prefix = '/explorer/';

// No CDN may be reached, and the policy proves it: everything comes from 'self'. Monaco injects
// <style> elements and its fonts are data: URLs; the config blob is data, not script.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
};

let bundle: ReturnType<typeof loadBundle> | undefined;

export async function createExplorerHandler(options: ExplorerOptions): Promise<ExplorerHandler> {
  // One copy of the assets per process, however many services serve the explorer.
  const { manifest, assets } = await (bundle ??= loadBundle().catch((error: unknown) => {
    bundle = undefined;
    throw error;
  }));
  const asset = (name: string) => `${prefix}${manifest[name]}`;
  const config: ExplorerPageConfig = {
    ...options,
    defaultHeaders: options.defaultHeaders ?? {},
    sameOriginDownloads: options.sameOriginDownloads ?? false,
    workers: { editor: asset('editor.worker.js'), json: asset('json.worker.js'), graphql: asset('graphql.worker.js') },
  };
  const page = Buffer.from(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('explorer.css')}">
<script type="module" src="${asset('explorer.js')}"></script>
<script id="explorer-config" type="application/json">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>
</head>
<body style="margin: 0">
<div id="root" style="height: 100vh"></div>
</body>
</html>
`);

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const { pathname } = new URL(req.url ?? '/', 'http://explorer');
    if (pathname === '/' && req.headers.accept?.includes('text/html')) {
      send(req, res, 200, page, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': contentSecurityPolicy,
        'cache-control': 'no-cache',
        'referrer-policy': 'no-referrer',
      });
      return true;
    }
    if (!pathname.startsWith(prefix)) return false;
    // The explorer owns this prefix: an unknown name (e.g. an old hash) is a 404, not a GraphQL request.
    const asset = assets.get(pathname.slice(prefix.length));
    if (!asset) {
      send(req, res, 404, Buffer.from('Not found'), { 'content-type': 'text/plain; charset=utf-8' });
      return true;
    }
    const gzipped = /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') ? asset.gzip : undefined;
    send(req, res, 200, gzipped ?? asset.body, {
      'content-type': contentTypes[extname(pathname)] ?? 'application/octet-stream',
      // Names carry a content hash, so a cached copy never goes stale.
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
      ...(gzipped && { 'content-encoding': 'gzip' }),
    });
    return true;
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: Buffer, headers: Record<string, string>) {
  res.writeHead(status, { ...headers, 'content-length': body.length, 'x-content-type-options': 'nosniff' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let building: Promise<void> | undefined;

/** Builds the bundle if it is missing or older than its sources; concurrent callers share one build. */
function ensureBuilt(): Promise<void> {
  building ??= (async () => {
    const built = await stat(join(outDir, manifestName)).catch(() => undefined);
    const sources = await Promise.all(
      bundleSources.map((file) =>
        stat(file).then(
          (s) => s.mtimeMs,
          () => 0,
        ),
      ),
    );
    if (!built || Math.max(...sources) > built.mtimeMs) await buildExplorer();
  })().finally(() => {
    building = undefined;
  });
  return building;
}

interface Asset {
  body: Buffer;
  gzip?: Buffer;
}

async function loadBundle(): Promise<{ manifest: Manifest; assets: Map<string, Asset> }> {
  for (let attempt = 1; ; attempt++) {
    await ensureBuilt();
    try {
      const read = (name: string) => readFile(join(outDir, name));
      const manifest = JSON.parse(await readFile(join(outDir, manifestName), 'utf8')) as Manifest;
      const names = (await readdir(outDir)).filter((name) => name !== manifestName && !name.endsWith('.gz'));
      const entries = names.map(async (name) => {
        const asset: Asset = { body: await read(name), gzip: await read(`${name}.gz`).catch(() => undefined) };
        return [name, asset] as const;
      });
      return { manifest, assets: new Map(await Promise.all(entries)) };
    } catch (error) {
      // Another process may be swapping in its build right now: look again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
    }
  }
}
