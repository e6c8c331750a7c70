/**
 * The queries the platform sends itself (a slice asking another's public API, the gateway building
 * its board export) pass the request limits every service applies — or a setting would make the
 * platform refuse itself (issue #20, 5d: MAX_QUERY_DEPTH below 5 made every slice refuse its own
 * directory query, and /ready answered 503 for good). A start refuses such a setting instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { Kind, parse, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { BOARD_EXPORT_QUERY } from '../gateway/exports.ts';
import { CALENDAR_QUERY } from '../platform/calendar-source.ts';
import { DIRECTORY_QUERY, UNIT_QUERY } from '../platform/directory.ts';
import { ConfigurationError, loadEnv, PLATFORM_QUERY_DEPTH } from '../platform/env.ts';
import { measureOperation } from '../platform/query-limits.ts';
import { loadSubgraphSdl } from '../platform/subgraph.ts';
import {
  APPLICATION_RATINGS_QUERY,
  HONOURING_QUERY,
  ISSUE_RATINGS_QUERY,
  PLAN_DUTY_QUERY,
  RECTIFICATION_QUERY,
} from '../subgraphs/evaluations/remote.ts';
import {
  PROFILE_QUERY as FINANCING_PROFILE_QUERY,
  REPORT_APPEALS_QUERY,
  REPORT_GRANTS_QUERY,
  REPORT_PROFILE_QUERY,
} from '../subgraphs/financing/remote.ts';
import { CODES_QUERY, PROFILE_QUERY, PROFILES_QUERY } from '../subgraphs/policies/remote.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every document the platform sends itself, and who answers it. */
const INTERNAL: [name: string, document: string, answeredBy: string][] = [
  ['directory', DIRECTORY_QUERY, 'units'],
  ['directory unit', UNIT_QUERY, 'units'],
  ['calendar', CALENDAR_QUERY, 'issues'],
  ['enterprise profile', PROFILE_QUERY, 'units'],
  ['enterprise profiles for a batch of applications', PROFILES_QUERY, 'units'],
  ['eligible enterprises', CODES_QUERY, 'units'],
  ['rectification', RECTIFICATION_QUERY, 'issues'],
  ['plan duty figures', PLAN_DUTY_QUERY, 'issues'],
  ['policy honouring', HONOURING_QUERY, 'policies'],
  ['issue ratings', ISSUE_RATINGS_QUERY, 'issues'],
  ['application ratings', APPLICATION_RATINGS_QUERY, 'policies'],
  ['enterprise profile for products', FINANCING_PROFILE_QUERY, 'units'],
  ['credit report: profile', REPORT_PROFILE_QUERY, 'units'],
  ['credit report: policy grants', REPORT_GRANTS_QUERY, 'policies'],
  ['credit report: appeals', REPORT_APPEALS_QUERY, 'issues'],
  ['board export', BOARD_EXPORT_QUERY, 'gateway'],
];

/** Nesting of fields, as the limits count it: the root field is 1, fragments add no level. */
function depthOf(selection: SelectionSetNode | undefined): number {
  if (!selection) return 0;
  return Math.max(
    0,
    ...selection.selections.map((node) =>
      node.kind === Kind.FIELD ? 1 + depthOf(node.selectionSet) : node.kind === Kind.INLINE_FRAGMENT ? depthOf(node.selectionSet) : 0,
    ),
  );
}
const operationOf = (document: DocumentNode) =>
  document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;

describe('the queries the platform sends itself', () => {
  it('are all listed here: no other GraphQL document is sent between services', () => {
    const sources = [
      ...fs
        .readdirSync(path.join(root, 'platform'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => `platform/${f}`),
      ...fs
        .readdirSync(path.join(root, 'subgraphs'))
        .filter((d) => fs.existsSync(path.join(root, 'subgraphs', d, 'remote.ts')))
        .map((d) => `subgraphs/${d}/remote.ts`),
      ...fs
        .readdirSync(path.join(root, 'gateway'))
        .filter((f) => f.endsWith('.ts') && f !== 'examples.ts')
        .map((f) => `gateway/${f}`),
    ];
    const documents = sources.reduce(
      (n, file) => n + (fs.readFileSync(path.join(root, file), 'utf8').match(/\/\* GraphQL \*\/ `/g)?.length ?? 0),
      0,
    );
    expect(documents).toBe(INTERNAL.length);
  });

  it('are measured as the answering service measures them', () => {
    for (const [name, document, answeredBy] of INTERNAL.filter(([, , by]) => by !== 'gateway')) {
      const schema = buildSubgraphSchema({ typeDefs: loadSubgraphSdl(answeredBy) });
      const parsed = parse(document);
      expect(measureOperation(schema, parsed, operationOf(parsed), {}, 100).depth, name).toBe(depthOf(operationOf(parsed).selectionSet));
    }
  });

  it('nest at most PLATFORM_QUERY_DEPTH deep, and the unit directory exactly that deep', () => {
    const depths = Object.fromEntries(INTERNAL.map(([name, document]) => [name, depthOf(operationOf(parse(document)).selectionSet)]));
    for (const [name, depth] of Object.entries(depths)) expect(depth, name).toBeLessThanOrEqual(PLATFORM_QUERY_DEPTH);
    expect(depths.directory).toBe(PLATFORM_QUERY_DEPTH);
    expect(PLATFORM_QUERY_DEPTH).toBe(5);
  });
});

describe('MAX_QUERY_DEPTH', () => {
  const dev = { DEVELOPMENT_MODE: 'true' };

  it('refuses at start a setting the platform’s own queries could not pass, saying why', () => {
    for (const depth of ['2', '4']) {
      expect(() => loadEnv({ ...dev, MAX_QUERY_DEPTH: depth })).toThrow(ConfigurationError);
      expect(() => loadEnv({ ...dev, MAX_QUERY_DEPTH: depth })).toThrow(/MAX_QUERY_DEPTH must be at least 5.*unit directory/);
    }
  });

  it('accepts the lowest setting they pass, and the default', () => {
    expect(loadEnv({ ...dev, MAX_QUERY_DEPTH: '5' }).limits.maxQueryDepth).toBe(5);
    expect(loadEnv(dev).limits.maxQueryDepth).toBe(12);
  });
});
