import { GraphiQL } from 'graphiql';
import type { ComponentProps } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import type { ExplorerPageConfig } from './index.ts';

type Fetcher = ComponentProps<typeof GraphiQL>['fetcher'];

const config = JSON.parse(document.getElementById('explorer-config')!.textContent!) as ExplorerPageConfig;

// Monaco would otherwise look for its workers on a CDN; ours are bundled and served beside the page.
Object.assign(globalThis, {
  MonacoEnvironment: {
    getWorker: (_id: string, label: string) => new Worker(config.workers[label] ?? config.workers.editor!, { type: 'module' }),
  },
});

const headerTemplate = JSON.stringify(config.defaultHeaders, null, 2);
const comment = (text: string) => text.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n');
const defaultTabs = config.examples.map((example) => ({
  query: `${comment(example.name)}\n${comment(example.description)}\n\n${example.query.trim()}\n`,
  variables: example.variables ? JSON.stringify(example.variables, null, 2) : null,
  headers: headerTemplate,
}));

// A value still holding a `<…>` placeholder is not a credential, and the bilingual one cannot even
// be sent (fetch rejects non-Latin-1 header values): leave it out, so introspection still works and
// the server's own answer tells the user that a token is missing.
const isPlaceholder = (value: string) => /<[^>]*>/.test(value);

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
    return JSON.parse(text);
  } catch {
    throw new Error(`${response.status} ${response.statusText}: ${text.slice(0, 500)}`);
  }
};

// Tabs are deliberately not restored from a previous visit: every visit opens the current examples
// with the header template (headers are never persisted); history and layout still are.
localStorage.removeItem('graphiql:tabState');

createRoot(document.getElementById('root')!).render(
  <GraphiQL fetcher={fetcher} defaultTabs={defaultTabs} defaultHeaders={headerTemplate} defaultEditorToolsVisibility="headers">
    <GraphiQL.Logo>{config.title}</GraphiQL.Logo>
  </GraphiQL>,
);
