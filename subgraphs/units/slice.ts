/**
 * The units slice, as the registry knows it: the organisation of the campaign (domains, units,
 * districts) and the market-entity registry. Owned by the command office.
 */
import type { SliceDefinition } from '../../platform/subgraph.ts';
import { unitsExamples } from './examples.ts';
import { applyUnitsReferenceData } from './reference-data.ts';
import { loadUnitsSampleData } from './sample-data.ts';
import { createUnitsSubgraph } from './server.ts';

export const units: SliceDefinition = {
  name: 'units',
  title: { zh: '单位', en: 'Units' },
  port: 4001,
  provides: ['directory'],
  build: createUnitsSubgraph,
  referenceData: applyUnitsReferenceData,
  sampleData: loadUnitsSampleData,
  examples: unitsExamples,
  mappers: {
    Campaign: './store.ts#CampaignRow',
    CampaignStep: './store.ts#StepRow',
    Environment: './store.ts#EnvironmentRow',
    ProblemSource: './store.ts#ProblemSourceRow',
    ObserverTeam: './store.ts#ObserverTeamRow',
    Industry: './store.ts#IndustryRow',
    Domain: './store.ts#DomainRow',
    District: './store.ts#DistrictRow',
    Unit: './store.ts#UnitRow',
    Enterprise: './store.ts#EnterpriseView',
    Change: './store.ts#ChangeRow',
    Viewer: '../../platform/auth.ts#Viewer',
  },
};
