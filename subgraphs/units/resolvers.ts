/**
 * Thin resolvers: parse arguments, call the service, map rows to the schema's shapes.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { scalarResolvers } from '../shared/scalars.ts';
import type { Viewer } from '../shared/auth.ts';
import type { UnitsService } from './service.ts';
import type { ChangeRow, DistrictRow, DomainRow, EnterpriseRow, UnitRow } from './store.ts';

export interface UnitsContext {
  viewer: Viewer;
  units: UnitsService;
}

type CampaignRow = Awaited<ReturnType<UnitsService['campaign']>>;
type StepRow = Awaited<ReturnType<UnitsService['campaignSteps']>>[number];

export const unitsResolvers: GraphQLResolverMap<UnitsContext> = {
  ...scalarResolvers,
  Query: {
    campaign: (_: unknown, __: unknown, { units }) => units.campaign(),
    environments: (_: unknown, __: unknown, { units }) => units.environments(),
    problemSources: (_: unknown, __: unknown, { units }) => units.problemSources(),
    domains: (_: unknown, __: unknown, { units }) => units.domains(),
    domain: (_: unknown, { code }: { code: string }, { units }) => units.domain(code),
    units: (_: unknown, args: { filter?: Parameters<UnitsService['units']>[0]; first?: number; after?: string }, { units }) =>
      units.units(args.filter ?? {}, args),
    unit: (_: unknown, args: { id?: string; code?: string }, { units }) => units.unit(args),
    districts: (_: unknown, __: unknown, { units }) => units.districts(),
    industries: (_: unknown, __: unknown, { units }) => units.industries(),
    enterprise: (_: unknown, { creditCode }: { creditCode: string }, { units }) => units.enterprise(creditCode),
    enterprises: (
      _: unknown,
      args: { filter?: Parameters<UnitsService['enterprises']>[0]; first?: number; after?: string },
      { units },
    ) => units.enterprises(args.filter ?? {}, args),
    viewer: (_: unknown, __: unknown, { viewer }) => viewer,
  },
  Mutation: {
    createUnit: (_: unknown, { input }: { input: Parameters<UnitsService['createUnit']>[0] }, { units }) => units.createUnit(input),
    updateUnit: (_: unknown, { id, input }: { id: string; input: Parameters<UnitsService['updateUnit']>[1] }, { units }) =>
      units.updateUnit(id, input),
    archiveUnit: (_: unknown, { id, reason }: { id: string; reason: string }, { units }) => units.archiveUnit(id, reason),
    upsertEnterprise: (_: unknown, { input }: { input: Parameters<UnitsService['upsertEnterprise']>[0] }, { units }) =>
      units.upsertEnterprise(input),
  },
  Campaign: {
    startsOn: (row: CampaignRow) => row.startsOn,
    endsOn: (row: CampaignRow) => row.endsOn,
    commandOffice: (_: CampaignRow, __: unknown, { units }) => units.commandOffice(),
    steps: (_: CampaignRow, __: unknown, { units }) => units.campaignSteps(),
    observerTeams: (_: CampaignRow, __: unknown, { units }) => units.observerTeams(),
  },
  CampaignStep: {
    order: (row: StepRow) => row.position,
    deadlines: async (row: StepRow, _: unknown, { units }) =>
      (await units.stepDeadlines(row.code)).map((deadline) => ({ date: deadline.dueOn, what: deadline.what })),
  },
  Domain: {
    __resolveReference: (reference: { code: string }, { units }: UnitsContext) => units.domain(reference.code),
    leadUnit: (row: DomainRow, _: unknown, { units }) => units.leadUnit(row.code),
    responsibleUnits: async (row: DomainRow, _: unknown, { units }) =>
      (await units.domainUnits(row.code)).filter((unit) => unit.kind === 'RESPONSIBLE'),
    units: async (row: DomainRow, _: unknown, { units }) => {
      const all = await units.domainUnits(row.code);
      return [...all.filter((unit) => unit.kind === 'LEAD'), ...all.filter((unit) => unit.kind !== 'LEAD')];
    },
  },
  District: {
    __resolveReference: (reference: { code: string }, { units }: UnitsContext) => units.district(reference.code),
    unit: (row: DistrictRow, _: unknown, { units }) => units.districtUnit(row.code),
  },
  Unit: {
    __resolveReference: (reference: { id: string }, { units }: UnitsContext) => units.unitById(reference.id),
    domain: (row: UnitRow, _: unknown, { units }) => (row.domainCode ? units.domain(row.domainCode) : null),
    district: (row: UnitRow, _: unknown, { units }) => (row.districtCode ? units.district(row.districtCode) : null),
    parent: (row: UnitRow, _: unknown, { units }) => (row.parentId ? units.unitById(row.parentId) : null),
    archived: (row: UnitRow) => row.archivedAt !== null,
    changes: (row: UnitRow, args: { first?: number; after?: string }, { units }) => units.unitChanges(row.id, args),
  },
  Change: {
    id: (row: ChangeRow) => String(row.id),
    before: (row: ChangeRow) => (row.before === null ? null : JSON.stringify(row.before)),
    after: (row: ChangeRow) => (row.after === null ? null : JSON.stringify(row.after)),
  },
  Enterprise: {
    __resolveReference: (reference: { creditCode: string }, { units }: UnitsContext) => units.enterpriseReference(reference.creditCode),
    district: (row: EnterpriseRow, _: unknown, { units }) => units.district(row.districtCode),
    industry: (row: EnterpriseRow, _: unknown, { units }) => units.industry(row.industryCode),
  },
  Viewer: {
    unit: (viewer: Viewer, _: unknown, { units }) => (viewer.unitId ? units.unitById(viewer.unitId) : null),
    enterprise: (viewer: Viewer, _: unknown, { units }) => (viewer.enterprise ? units.enterpriseReference(viewer.enterprise) : null),
  },
};
