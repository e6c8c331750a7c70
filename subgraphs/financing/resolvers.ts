/**
 * Thin resolvers: hand the arguments — the generated argument types, as one object — to the use
 * cases (use-cases/*.ts) with the request's `FinancingContext`, and map rows to the schema's shapes.
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { pageArgs } from '../../platform/pagination.ts';
import type { Resolvers } from './schema-types.ts';
import * as partners from './use-cases/partners.ts';
import * as reads from './use-cases/reads.ts';

export const financingResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    financialInstitutions: (_, args, { financing }, info) => reads.financialInstitutions(financing, args, pageArgs(args, info)),
    financialInstitution: (_, args, { financing }) => reads.financialInstitution(financing, args),
  },
  Mutation: {
    createFinancialInstitution: (_, args, { financing }) => partners.createFinancialInstitution(financing, args),
    updateFinancialInstitution: (_, args, { financing }) => partners.updateFinancialInstitution(financing, args),
    suspendFinancialInstitution: (_, args, { financing }) => partners.suspendFinancialInstitution(financing, args),
    createBranch: (_, args, { financing }) => partners.createBranch(financing, args),
    updateBranch: (_, args, { financing }) => partners.updateBranch(financing, args),
    suspendBranch: (_, args, { financing }) => partners.suspendBranch(financing, args),
  },
  FinancialInstitution: {
    districts: (row) => row.districtCodes.map((code) => ({ code })),
    suspended: (row) => row.suspendedAt !== null,
    branches: (row, _, { financing }) => reads.branchesOf(financing, row),
  },
  Branch: {
    institution: (row, _, { financing }) => reads.institutionOf(financing, row),
    district: (row) => ({ code: row.districtCode }),
    suspended: (row) => row.suspendedAt !== null,
  },
};
