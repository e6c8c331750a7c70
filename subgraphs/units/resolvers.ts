/**
 * Thin resolvers: hand the arguments — the generated argument types, as one object — to the use
 * cases (use-cases/*.ts) with the request's `UnitsContext`, and map rows to the schema's shapes.
 * Their types come from the SDL (schema-types.ts, generated).
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { pageArgs } from '../../platform/pagination.ts';
import type { Resolvers } from './schema-types.ts';
import * as enterprises from './use-cases/enterprises.ts';
import * as organisation from './use-cases/organisation.ts';
import * as reads from './use-cases/reads.ts';
import * as registryImport from './use-cases/registry-import.ts';

export const unitsResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    campaign: (_, __, { units }) => reads.campaign(units),
    environments: (_, __, { units }) => reads.environments(units),
    problemSources: (_, __, { units }) => reads.problemSources(units),
    domains: (_, __, { units }) => reads.domains(units),
    domain: (_, { code }, { units }) => reads.domain(units, code),
    units: (_, args, { units }, info) => reads.units(units, args, pageArgs(args, info)),
    unit: (_, args, { units }) => reads.unit(units, args),
    districts: (_, __, { units }) => reads.districts(units),
    industries: (_, __, { units }) => reads.industries(units),
    enterprise: (_, args, { units }) => enterprises.enterprise(units, args),
    enterprises: (_, args, { units }, info) => enterprises.enterprises(units, args, pageArgs(args, info)),
    enterpriseCodes: (_, args, { units }) => enterprises.enterpriseCodes(units, args),
    viewer: (_, __, { viewer }) => viewer,
  },
  Mutation: {
    createUnit: (_, args, { units }) => organisation.createUnit(units, args),
    updateUnit: (_, args, { units }) => organisation.updateUnit(units, args),
    archiveUnit: (_, args, { units }) => organisation.archiveUnit(units, args),
    upsertEnterprise: (_, args, { units }) => enterprises.upsertEnterprise(units, args),
    importEnterprises: (_, args, { units }) => registryImport.importEnterprises(units, args),
  },
  Campaign: {
    startsOn: (row) => row.startsOn,
    endsOn: (row) => row.endsOn,
    commandOffice: (_, __, { units }) => reads.commandOffice(units),
    steps: (_, __, { units }) => reads.campaignSteps(units),
    observerTeams: (_, __, { units }) => reads.observerTeams(units),
  },
  CampaignStep: {
    order: (row) => row.position,
    deadlines: async (row, _, { units }) =>
      (await reads.stepDeadlines(units, row.code)).map((deadline) => ({ date: deadline.dueOn, what: deadline.what })),
  },
  Domain: {
    __resolveReference: (reference, { units }) => reads.domain(units, reference.code),
    leadUnit: (row, _, { units }) => reads.leadUnit(units, row.code),
    responsibleUnits: async (row, _, { units }) => (await reads.domainUnits(units, row.code)).filter((unit) => unit.kind === 'RESPONSIBLE'),
    units: async (row, _, { units }) => {
      const all = await reads.domainUnits(units, row.code);
      return [...all.filter((unit) => unit.kind === 'LEAD'), ...all.filter((unit) => unit.kind !== 'LEAD')];
    },
  },
  District: {
    __resolveReference: (reference, { units }) => reads.district(units, reference.code),
    unit: (row, _, { units }) => reads.districtUnit(units, row.code),
  },
  Unit: {
    __resolveReference: (reference, { units }) => reads.unitById(units, reference.id),
    domain: (row, _, { units }) => (row.domainCode ? reads.domain(units, row.domainCode) : null),
    district: (row, _, { units }) => (row.districtCode ? reads.district(units, row.districtCode) : null),
    parent: (row, _, { units }) => (row.parentId ? reads.unitById(units, row.parentId) : null),
    archived: (row) => row.archivedAt !== null,
    changes: (row, page, { units }, info) => reads.unitChanges(units, row.id, pageArgs(page, info)),
  },
  Change: {
    id: (row) => String(row.id),
    before: (row) => (row.before === null ? null : JSON.stringify(row.before)),
    after: (row) => (row.after === null ? null : JSON.stringify(row.after)),
  },
  Enterprise: {
    __resolveReference: (reference, { units }) => enterprises.enterpriseReference(units, reference.creditCode),
    registered: (row) => !('unregistered' in row),
    district: (row, _, { units }) => (row.districtCode ? reads.district(units, row.districtCode) : null),
    industry: (row, _, { units }) => (row.industryCode ? reads.industry(units, row.industryCode) : null),
  },
  Viewer: {
    unit: (viewer, _, { units }) => (viewer.unitId ? reads.unitById(units, viewer.unitId) : null),
    enterprise: (viewer, _, { units }) => (viewer.enterprise ? enterprises.enterpriseReference(units, viewer.enterprise) : null),
  },
};
