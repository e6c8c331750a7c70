/**
 * The financing slice (青融通), as the registry knows it: the city's financial institutions and
 * their branches, kept by 市地方金融监管局 and read across by the command office.
 */
import type { SliceDefinition } from '../../platform/subgraph.ts';
import { financingExamples } from './examples.ts';
import { loadFinancingSampleData } from './sample-demands.ts';
import { createFinancingSubgraph } from './server.ts';

export const financing: SliceDefinition = {
  name: 'financing',
  title: { zh: '青融通', en: 'Financing' },
  port: 4005,
  build: createFinancingSubgraph,
  sampleData: loadFinancingSampleData,
  examples: financingExamples,
  mappers: {
    FinancialInstitution: './store.ts#InstitutionRow',
    Branch: './store.ts#BranchRow',
    FinancialProduct: './store.ts#ProductRow',
    ProductMatch: './eligibility.ts#ProductMatch',
    FinancingDemand: './store.ts#DemandRow',
    FinancingDemandEvent: './store.ts#DemandEventRow',
    FinancingLimit: './store.ts#LimitRow',
    Loan: './store.ts#LoanRow',
    Enterprise: './store.ts#EnterpriseReference',
  },
};
