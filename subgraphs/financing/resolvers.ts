/**
 * Thin resolvers: hand the arguments — the generated argument types, as one object — to the use
 * cases (use-cases/*.ts) with the request's `FinancingContext`, and map rows to the schema's shapes.
 */
import { scalarResolvers } from '../../platform/scalars.ts';
import { pageArgs } from '../../platform/pagination.ts';
import type { Resolvers } from './schema-types.ts';
import { loanPrimeRate, rateOf } from './lpr.ts';
import { canonicalJson, type ReportContent } from './credit-report.ts';
import * as credit from './use-cases/credit.ts';
import * as partners from './use-cases/partners.ts';
import * as products from './use-cases/products.ts';
import * as reads from './use-cases/reads.ts';

/** A frozen report's content, as credit-report.ts wrote it. */
const contentOf = (row: { content: Record<string, unknown> }) => row.content as unknown as ReportContent;

export const financingResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    financialInstitutions: (_, args, { financing }, info) => reads.financialInstitutions(financing, args, pageArgs(args, info)),
    financialInstitution: (_, args, { financing }) => reads.financialInstitution(financing, args),
    financialProducts: (_, args, { financing }, info) => products.financialProducts(financing, args, pageArgs(args, info)),
    financialProduct: (_, args, { financing }) => products.financialProduct(financing, args),
    productMatches: (_, args, { financing }) => products.productMatches(financing, args),
    loanPrimeRate: () => loanPrimeRate,
    creditReport: (_, args, { financing }) => credit.creditReport(financing, args),
    creditReportReads: (_, args, { financing }, info) => credit.creditReportReads(financing, args, pageArgs(args, info)),
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
    importCreditRecords: (_, args, { financing }) => credit.importCreditRecords(financing, args),
  },
  CreditReport: {
    demand: (row, _, { financing }) => reads.demandOfReport(financing, row),
    content: (row) => canonicalJson(row.content),
    platformDataGathered: (row) => contentOf(row).platform.gathered,
    platformDataGatheredAt: (row) => contentOf(row).platform.gatheredAt,
    profile: (row) => contentOf(row).platform.profile,
    policyGrants: (row) => contentOf(row).platform.policyGrants,
    appeals: (row) => contentOf(row).platform.appeals,
    records: (row) => contentOf(row).records,
  },
  CreditReportRead: {
    institution: (row, _, { financing }) => reads.institutionOf(financing, row),
    branch: (row, _, { financing }) => reads.branchOf(financing, row),
    reader: (row) => row.readerSubject,
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
