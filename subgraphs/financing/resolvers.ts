/**
 * Thin resolvers: hand the arguments — the generated argument types, as one object — to the use
 * cases (use-cases/*.ts) with the request's `FinancingContext`, and map rows to the schema's shapes.
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { pageArgs } from '../../platform/pagination.ts';
import type { Resolvers } from './schema-types.ts';
import { loanPrimeRate, rateOf } from './lpr.ts';
import { limitState } from './limits.ts';
import * as lifecycle from './use-cases/lifecycle.ts';
import * as limits from './use-cases/limits.ts';
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
    financingLimitAlerts: (_, args, { financing }, info) => limits.financingLimitAlerts(financing, pageArgs(args, info)),
    financingLimits: (_, __, { financing }) => limits.financingLimits(financing),
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
    recordFinancingContact: (_, args, { financing }) => lifecycle.recordFinancingContact(financing, args),
    approveFinancing: (_, args, { financing }) => lifecycle.approveFinancing(financing, args),
    recordLoanDisbursement: (_, args, { financing }) => lifecycle.recordLoanDisbursement(financing, args),
    declineFinancing: (_, args, { financing }) => lifecycle.declineFinancing(financing, args),
    withdrawFinancingDemand: (_, args, { financing }) => lifecycle.withdrawFinancingDemand(financing, args),
    confirmLoanReceived: (_, args, { financing }) => lifecycle.confirmLoanReceived(financing, args),
    rateFinancialInstitution: (_, args, { financing }) => lifecycle.rateFinancialInstitution(financing, args),
    setFinancingLimits: (_, args, { financing }) => limits.setFinancingLimits(financing, args),
  },
  FinancingLimit: {
    state: (row, _, { financing }) => limitState(row, financing.now()),
    institution: (row, _, { financing }) => (row.institutionId ? financing.loaders.institutionById.load(row.institutionId) : null),
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
  Branch: {
    institution: (row, _, { financing }) => reads.institutionOf(financing, row),
    district: (row) => ({ code: row.districtCode }),
    suspended: (row) => row.suspendedAt !== null,
  },
};
