/**
 * Thin resolvers: hand the arguments — the generated argument types, as one object — to the use
 * cases (use-cases/*.ts) with the request's `FinancingContext`, and map rows to the schema's shapes.
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { pageArgs } from '../../platform/pagination.ts';
import type { Resolvers } from './schema-types.ts';
import { loanPrimeRate, rateOf } from './lpr.ts';
import * as enterprises from './use-cases/enterprises.ts';
import * as figures from './use-cases/figures.ts';
import * as partners from './use-cases/partners.ts';
import * as products from './use-cases/products.ts';
import * as reads from './use-cases/reads.ts';

export const financingResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    financialInstitutions: (_, args, { financing }, info) => reads.financialInstitutions(financing, args, pageArgs(args, info)),
    financialInstitution: (_, args, { financing }) => reads.financialInstitution(financing, args),
    financialProducts: (_, args, { financing }, info) => products.financialProducts(financing, args, pageArgs(args, info)),
    financialProduct: (_, args, { financing }) => products.financialProduct(financing, args),
    productMatches: (_, args, { financing }) => products.productMatches(financing, args),
    loanPrimeRate: () => loanPrimeRate,
    financingStats: (_, args, { financing }) => figures.financingStats(financing, args),
  },
  Mutation: {
    createFinancialInstitution: (_, args, { financing }) => partners.createFinancialInstitution(financing, args),
    updateFinancialInstitution: (_, args, { financing }) => partners.updateFinancialInstitution(financing, args),
    suspendFinancialInstitution: (_, args, { financing }) => partners.suspendFinancialInstitution(financing, args),
    createBranch: (_, args, { financing }) => partners.createBranch(financing, args),
    updateBranch: (_, args, { financing }) => partners.updateBranch(financing, args),
    suspendBranch: (_, args, { financing }) => partners.suspendBranch(financing, args),
    createFinancialProduct: (_, args, { financing }) => products.createFinancialProduct(financing, args),
    updateFinancialProduct: (_, args, { financing }) => products.updateFinancialProduct(financing, args),
  },
  FinancialProduct: {
    institution: (row, _, { financing }) => reads.institutionOf(financing, row),
    termMinMonths: (row) => row.termMin,
    termMaxMonths: (row) => row.termMax,
    rate: (row) => rateOf(row),
    districts: (row) => row.districtCodes.map((code) => ({ code })),
    eligibility: (row) => ({
      industryCodePrefixes: row.eligibility.industryPrefixes,
      sizeClasses: row.eligibility.sizeClasses,
      districtCodes: row.eligibility.districtCodes,
      minYearsRegistered: row.eligibility.minYears,
      maxYearsRegistered: row.eligibility.maxYears,
      qualifications: row.eligibility.qualifications as never[],
      qualificationMatch: row.eligibility.qualificationMatch,
    }),
  },
  FinancialInstitution: {
    districts: (row) => row.districtCodes.map((code) => ({ code })),
    suspended: (row) => row.suspendedAt !== null,
    branches: (row, _, { financing }) => reads.branchesOf(financing, row),
  },
  Enterprise: {
    __resolveReference: (reference) => ({ creditCode: reference.creditCode }),
    financingDemands: (enterprise, args, { financing }, info) => enterprises.enterpriseDemands(financing, enterprise, pageArgs(args, info)),
    loans: (enterprise, _, { financing }) => enterprises.enterpriseLoans(financing, enterprise),
  },
  Branch: {
    institution: (row, _, { financing }) => reads.institutionOf(financing, row),
    district: (row) => ({ code: row.districtCode }),
    suspended: (row) => row.suspendedAt !== null,
  },
};
