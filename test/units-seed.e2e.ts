import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import campaign from '../db/reference/campaign.json' with { type: 'json' };

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.stop();
});

describe('reference data of the plan', () => {
  it('seeds the 10 key domains, each with the lead unit the plan names', async () => {
    const { data, errors } = await t.query(/* GraphQL */ `
      query {
        domains {
          code
          name
          leadUnit {
            name
            kind
          }
          responsibleUnits {
            name
          }
        }
      }
    `);
    expect(errors).toBeUndefined();
    expect(data.domains).toHaveLength(10);
    expect(data.domains.map((d: any) => [d.code, d.name, d.leadUnit.name])).toEqual(campaign.domains.map((d) => [d.code, d.name, d.lead]));
    expect(data.domains.every((d: any) => d.leadUnit.kind === 'LEAD')).toBe(true);
    const politics = data.domains.find((d: any) => d.code === 'POLITICS_LAW');
    expect(politics.responsibleUnits.map((u: any) => u.name)).toEqual(['市中级人民法院', '市检察院', '市公安局', '市司法局']);
  });

  it('seeds the 35 participating units with the names of the plan', async () => {
    const { data } = await t.query(/* GraphQL */ `
      query {
        units(filter: { kind: PARTICIPATING }, first: 100) {
          totalCount
          edges {
            node {
              name
              level
            }
          }
        }
      }
    `);
    expect(data.units.totalCount).toBe(35);
    expect(data.units.edges.map((e: any) => e.node.name)).toEqual(campaign.participatingUnits);
    expect(new Set(data.units.edges.map((e: any) => e.node.level))).toEqual(new Set(['CITY']));
  });

  it('seeds the 10 districts, the function zones and the command office', async () => {
    const { data } = await t.query(/* GraphQL */ `
      query {
        districts {
          code
          name
          kind
          unit {
            kind
            name
          }
        }
        zones: units(filter: { kind: FUNCTION_ZONE }) {
          edges {
            node {
              name
              district {
                name
              }
            }
          }
        }
        campaign {
          name
          commandOffice {
            name
            kind
          }
          steps {
            order
            name
            deadlines {
              date
              what
            }
          }
        }
        environments {
          code
          name
        }
      }
    `);
    expect(data.districts.map((d: any) => d.name)).toEqual(campaign.districts.map((d) => d.name));
    expect(data.districts.every((d: any) => d.unit.kind === 'DISTRICT' && d.unit.name === d.name)).toBe(true);
    expect(data.zones.edges.map((e: any) => e.node.name)).toEqual(campaign.functionZonesNamedInSources);
    expect(data.campaign.commandOffice).toEqual({ name: campaign.campaign.commandOffice, kind: 'COMMAND_OFFICE' });
    expect(data.campaign.steps.map((s: any) => s.name)).toEqual(['学习动员', '查摆问题', '整治整改', '擂台比武', '督导检查', '建章立制']);
    expect(data.campaign.steps[1].deadlines).toEqual([{ date: '2023-04-20', what: '第一批自查问题清单报市指挥部办公室' }]);
    expect(data.environments.map((e: any) => e.code)).toEqual(['POLICY', 'SERVICE', 'FACTOR', 'MARKET', 'RULE_OF_LAW', 'HUMANISTIC']);
  });

  it('applies the reference data again without duplicating or undoing an edit', async () => {
    const renamed = await t.query(
      /* GraphQL */ `
        mutation ($id: ID!) {
          updateUnit(id: $id, input: { name: "市统计局（改）" }) {
            name
          }
        }
      `,
      { as: 'COMMAND_OFFICE', variables: { id: (await t.query(`{ unit(code: "STATISTICS_BUREAU") { id } }`)).data.unit.id } },
    );
    expect(renamed.data.updateUnit.name).toBe('市统计局（改）');
    const { slices } = await import('../subgraphs/registry.ts');
    const { prepareDatabase } = await import('../platform/start.ts');
    await prepareDatabase(t.database.handle, slices, { sample: false });
    const { data } = await t.query(
      `{ all: units(first: 100, filter: { includeArchived: true }) { totalCount } unit(code: "STATISTICS_BUREAU") { name } }`,
    );
    expect(data.all.totalCount).toBe(64);
    expect(data.unit.name).toBe('市统计局（改）');
  });
});
