/**
 * The plan's lists (campaign.json) are the one source of the problem-source and environment codes:
 * the SDL enums and the database's enum types must say the same, in the same order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLEnumType } from 'graphql';
import { rowsOf } from '../db/client.ts';
import { campaign } from '../db/reference/organisation.ts';
import { prepareDatabase } from '../platform/start.ts';
import { loadSubgraphSdl } from '../platform/subgraph.ts';
import { slices } from '../subgraphs/registry.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const sources = campaign.problemSources.map((source) => source.code);
const environments = campaign.environments.map((environment) => environment.code);
const enumValues = (slice: string, name: string) =>
  (buildSubgraphSchema({ typeDefs: loadSubgraphSdl(slice) }).getType(name) as GraphQLEnumType).getValues().map((value) => value.name);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await prepareDatabase(database.handle, slices, { sample: false });
});
afterAll(async () => {
  await database?.drop();
});

async function databaseEnum(schema: string, name: string): Promise<string[]> {
  const result = await database.handle.forSubgraph('issues').db.execute(sql`
    select e.enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = ${schema} and t.typname = ${name} order by e.enumsortorder`);
  return rowsOf<{ enumlabel: string }>(result).map((row) => row.enumlabel);
}

describe('reference codes', () => {
  it('has the plan’s problem sources in the issues SDL and in the database', async () => {
    // The plan's fifteen channels, and appeals taken in at a unit's or district's own window (一口受理).
    expect(sources).toHaveLength(16);
    expect(sources.at(-1)).toBe('UNIT_WINDOW');
    expect(enumValues('issues', 'IssueSource')).toEqual(sources);
    expect(await databaseEnum('issues', 'issue_source')).toEqual(sources);
  });

  it('has the plan’s six environments in the issues SDL and in the database', async () => {
    expect(environments).toEqual(['POLICY', 'SERVICE', 'FACTOR', 'MARKET', 'RULE_OF_LAW', 'HUMANISTIC']);
    expect(enumValues('issues', 'EnvironmentCode')).toEqual(environments);
    expect(await databaseEnum('issues', 'environment')).toEqual(environments);
  });
});
