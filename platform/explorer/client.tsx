import { GraphiQL } from 'graphiql';
import { useSyncExternalStore, type ComponentProps } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import type { ExplorerPageConfig } from './index.ts';
import { present } from '../invariant.ts';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const config = JSON.parse(
  present(document.getElementById('explorer-config')?.textContent, 'the page’s explorer configuration'),
) as ExplorerPageConfig;

// Monaco would otherwise look for its workers on a CDN; ours are bundled and served beside the page.
Object.assign(globalThis, {
  MonacoEnvironment: {
    getWorker: (_id: string, label: string) =>
      new Worker(present(config.workers[label] ?? config.workers.editor, 'the editor’s worker'), { type: 'module' }),
  },
});

const headerTemplate = JSON.stringify(config.defaultHeaders, null, 2);
const comment = (text: string) =>
  text
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
const defaultTabs = config.examples.map((example) => ({
  query: `${comment(example.name)}\n${comment(example.description)}\n\n${example.query.trim()}\n`,
  variables: example.variables ? JSON.stringify(example.variables, null, 2) : null,
  headers: headerTemplate,
}));

// A value still holding a `<…>` placeholder is not a credential, and the bilingual one cannot even
// be sent (fetch rejects non-Latin-1 header values): leave it out, so introspection still works and
// the server's own answer tells the user that a token is missing.
const isPlaceholder = (value: string) => /<[^>]*>/.test(value);

/**
 * Download links in the last answer (any object with `path`, `url` and `expiresAt`, as
 * `boardDownloadLink` returns): shown as buttons under the response, so a person opens the file or
 * the report with a click — a browser sends no Authorization header on a link, the signed link
 * needs none.
 */
interface DownloadLink {
  path: string;
  url: string;
  expiresAt: string;
  format?: string;
}
let links: DownloadLink[] = [];
const listeners = new Set<() => void>();
const setLinks = (next: DownloadLink[]) => {
  links = next;
  for (const listener of listeners) listener();
};
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

function findLinks(value: unknown, found: DownloadLink[] = []): DownloadLink[] {
  if (Array.isArray(value)) for (const item of value) findLinks(item, found);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (
      typeof record.path === 'string' &&
      record.path.startsWith('/') &&
      typeof record.url === 'string' &&
      typeof record.expiresAt === 'string'
    ) {
      found.push({
        path: record.path,
        url: record.url,
        expiresAt: record.expiresAt,
        format: typeof record.format === 'string' ? record.format : undefined,
      });
    } else for (const item of Object.values(record)) findLinks(item, found);
  }
  return found;
}

const LABELS: Record<string, string> = {
  CSV: '下载 CSV / Download CSV',
  XLSX: '下载 Excel / Download Excel',
  HTML: '打开报告 / Open the report',
};

function DownloadButtons() {
  const current = useSyncExternalStore(subscribe, () => links);
  if (!current.length) return null;
  return (
    <div className="download-links" style={{ display: 'flex', flexWrap: 'wrap', gap: 8, padding: '8px 0', alignItems: 'center' }}>
      {current.map((link) => (
        <a
          key={link.path}
          className="download-link graphiql-button"
          data-format={link.format}
          href={config.sameOriginDownloads ? link.path : link.url}
          target={link.format === 'HTML' ? '_blank' : undefined}
          rel="noopener noreferrer"
          title={`有效至 / valid until ${link.expiresAt}`}
        >
          {LABELS[link.format ?? ''] ?? `打开 / Open ${link.format ?? ''}`}
        </a>
      ))}
      <span style={{ fontSize: 12, opacity: 0.7 }}>链接几分钟内有效 / links work for a few minutes</span>
    </div>
  );
}

const fetcher: Fetcher = async (params, options) => {
  const headers = new Headers({ accept: 'application/graphql-response+json, application/json' });
  for (const [name, value] of Object.entries(options?.headers ?? {})) {
    if (value != null && !isPlaceholder(String(value))) headers.set(name, String(value));
  }
  // The body is JSON whatever the editor says; a JSON content type also satisfies Apollo's CSRF check.
  headers.set('content-type', 'application/json');
  const response = await fetch(config.endpoint, { method: 'POST', headers, body: JSON.stringify(params) });
  const text = await response.text();
  try {
    const answer = JSON.parse(text);
    if (params.operationName !== 'IntrospectionQuery') setLinks(findLinks(answer?.data));
    return answer;
  } catch {
    throw new Error(`${response.status} ${response.statusText}: ${text.slice(0, 500)}`);
  }
};

// Tabs are deliberately not restored from a previous visit: every visit opens the current examples
// with the header template (headers are never persisted); history and layout still are.
localStorage.removeItem('graphiql:tabState');

createRoot(present(document.getElementById('root'), 'the page’s root element')).render(
  <GraphiQL fetcher={fetcher} defaultTabs={defaultTabs} defaultHeaders={headerTemplate} defaultEditorToolsVisibility="headers">
    <GraphiQL.Logo>{config.title}</GraphiQL.Logo>
    <GraphiQL.Footer>
      <DownloadButtons />
    </GraphiQL.Footer>
  </GraphiQL>,
);
