/**
 * Thin resolvers: hand the arguments to the service, map rows to the schema's shapes. Their types
 * come from the SDL (schema-types.ts, generated).
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { pageArgs } from '../../platform/pagination.ts';
import type { Resolvers } from './schema-types.ts';

export const unitsResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    campaign: (_, __, { units }) => units.campaign(),
    environments: (_, __, { units }) => units.environments(),
    problemSources: (_, __, { units }) => units.problemSources(),
    domains: (_, __, { units }) => units.domains(),
    domain: (_, { code }, { units }) => units.domain(code),
    units: (_, { filter, ...page }, { units }, info) => units.units(filter, pageArgs(page, info)),
    unit: (_, args, { units }) => units.unit(args),
    districts: (_, __, { units }) => units.districts(),
    industries: (_, __, { units }) => units.industries(),
    enterprise: (_, { creditCode }, { units }) => units.enterprise(creditCode),
    enterprises: (_, { filter, ...page }, { units }, info) => units.enterprises(filter, pageArgs(page, info)),
    enterpriseCodes: (_, { filter, after }, { units }) => units.enterpriseCodes(filter, after),
    viewer: (_, __, { viewer }) => viewer,
  },
  Mutation: {
    createUnit: (_, { input }, { units }) => units.createUnit(input),
    updateUnit: (_, { id, input }, { units }) => units.updateUnit(id, input),
    archiveUnit: (_, { id, reason }, { units }) => units.archiveUnit(id, reason),
    upsertEnterprise: (_, { input }, { units }) => units.upsertEnterprise(input),
  },
  Campaign: {
    startsOn: (row) => row.startsOn,
    endsOn: (row) => row.endsOn,
    commandOffice: (_, __, { units }) => units.commandOffice(),
    steps: (_, __, { units }) => units.campaignSteps(),
    observerTeams: (_, __, { units }) => units.observerTeams(),
  },
  CampaignStep: {
    order: (row) => row.position,
    deadlines: async (row, _, { units }) =>
      (await units.stepDeadlines(row.code)).map((deadline) => ({ date: deadline.dueOn, what: deadline.what })),
  },
  Domain: {
    __resolveReference: (reference, { units }) => units.domain(reference.code),
    leadUnit: (row, _, { units }) => units.leadUnit(row.code),
    responsibleUnits: async (row, _, { units }) => (await units.domainUnits(row.code)).filter((unit) => unit.kind === 'RESPONSIBLE'),
    units: async (row, _, { units }) => {
      const all = await units.domainUnits(row.code);
      return [...all.filter((unit) => unit.kind === 'LEAD'), ...all.filter((unit) => unit.kind !== 'LEAD')];
    },
  },
  District: {
    __resolveReference: (reference, { units }) => units.district(reference.code),
    unit: (row, _, { units }) => units.districtUnit(row.code),
  },
  Unit: {
    __resolveReference: (reference, { units }) => units.unitById(reference.id),
    domain: (row, _, { units }) => (row.domainCode ? units.domain(row.domainCode) : null),
    district: (row, _, { units }) => (row.districtCode ? units.district(row.districtCode) : null),
    parent: (row, _, { units }) => (row.parentId ? units.unitById(row.parentId) : null),
    archived: (row) => row.archivedAt !== null,
    changes: (row, page, { units }, info) => units.unitChanges(row.id, pageArgs(page, info)),
  },
  Change: {
    id: (row) => String(row.id),
    before: (row) => (row.before === null ? null : JSON.stringify(row.before)),
    after: (row) => (row.after === null ? null : JSON.stringify(row.after)),
  },
  Enterprise: {
    __resolveReference: (reference, { units }) => units.enterpriseReference(reference.creditCode),
    registered: (row) => !('unregistered' in row),
    district: (row, _, { units }) => (row.districtCode ? units.district(row.districtCode) : null),
    industry: (row, _, { units }) => (row.industryCode ? units.industry(row.industryCode) : null),
  },
  Viewer: {
    unit: (viewer, _, { units }) => (viewer.unitId ? units.unitById(viewer.unitId) : null),
    enterprise: (viewer, _, { units }) => (viewer.enterprise ? units.enterpriseReference(viewer.enterprise) : null),
  },
};
