/**
 * Thin resolvers: hand the arguments — the generated argument types, as one object — to the use
 * cases (use-cases/*.ts) with the request's `FinancingContext`, and map rows to the schema's shapes.
 */
import { present } from '../../platform/invariant.ts';
import { scalarResolvers } from '../../platform/scalars.ts';
import { pageArgs } from '../../platform/pagination.ts';
import type { Resolvers } from './schema-types.ts';
import { loanPrimeRate, rateOf } from './lpr.ts';
import * as lifecycle from './use-cases/lifecycle.ts';
import * as limits from './use-cases/limits.ts';
import * as notices from './use-cases/notices.ts';
import { canonicalJson, type ReportContent } from './credit-report.ts';
import * as credit from './use-cases/credit.ts';
import * as enterprises from './use-cases/enterprises.ts';
import * as figures from './use-cases/figures.ts';
import * as partners from './use-cases/partners.ts';
import * as products from './use-cases/products.ts';
import * as reads from './use-cases/reads.ts';
import * as demands from './use-cases/demands.ts';
import * as demandReads from './use-cases/demand-reads.ts';
import { limitState } from './limits.ts';

/** A frozen report's content, as credit-report.ts wrote it. */
const contentOf = (row: { content: Record<string, unknown> }) => row.content as unknown as ReportContent;

export const financingResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    financingNotices: (_, args, { financing }) => notices.inbox(financing, args),
    financingNoticeSettings: (_, __, { financing }) => notices.settings(financing),
    financingWebhooks: (_, args, { financing }) => notices.webhooks(financing, args),
    financingWebhookDeadLetters: (_, args, { financing }) => notices.deadLetters(financing, args),
    financialInstitutions: (_, args, { financing }, info) => reads.financialInstitutions(financing, args, pageArgs(args, info)),
    financialInstitution: (_, args, { financing }) => reads.financialInstitution(financing, args),
    financialProducts: (_, args, { financing }, info) => products.financialProducts(financing, args, pageArgs(args, info)),
    financialProduct: (_, args, { financing }) => products.financialProduct(financing, args),
    productMatches: (_, args, { financing }) => products.productMatches(financing, args),
    loanPrimeRate: () => loanPrimeRate,
    financingLimitAlerts: (_, args, { financing }, info) => limits.financingLimitAlerts(financing, pageArgs(args, info)),
    financingLimits: (_, __, { financing }) => limits.financingLimits(financing),
    financingStats: (_, args, { financing }) => figures.financingStats(financing, args),
    financingDemands: (_, args, { financing }, info) => demandReads.financingDemands(financing, args, pageArgs(args, info)),
    financingDemand: (_, args, { financing }) => demandReads.financingDemand(financing, args),
    creditReport: (_, args, { financing }) => credit.creditReport(financing, args),
    creditReportReads: (_, args, { financing }, info) => credit.creditReportReads(financing, args, pageArgs(args, info)),
  },
  Mutation: {
    markFinancingNoticesRead: (_, args, { financing }) => notices.markRead(financing, args),
    setFinancingNoticeSettings: (_, args, { financing }) => notices.setSettings(financing, args),
    registerFinancingWebhook: (_, args, { financing }) => notices.registerWebhook(financing, args),
    replayFinancingWebhookDelivery: (_, args, { financing }) => notices.replay(financing, args),
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
    postFinancingDemand: (_, args, { financing }) => demands.postFinancingDemand(financing, args),
    importFinancingDemand: (_, args, { financing }) => demands.importFinancingDemand(financing, args),
    claimFinancingDemand: (_, args, { financing }) => demands.claimFinancingDemand(financing, args),
    chooseFinancialInstitution: (_, args, { financing }) => demands.chooseFinancialInstitution(financing, args),
    dispatchFinancingDemand: (_, args, { financing }) => demands.dispatchFinancingDemand(financing, args),
    importCreditRecords: (_, args, { financing }) => credit.importCreditRecords(financing, args),
  },
  FinancingDemand: {
    enterprise: (row, _, { financing }) => demandReads.named(financing, row, (demand) => ({ creditCode: demand.creditCode })),
    enterpriseName: (row, _, { financing }) => demandReads.named(financing, row, (demand) => demand.enterpriseName),
    contact: (row, _, { financing }) => demandReads.named(financing, row, (demand) => demand.contact),
    district: (row) => ({ code: row.districtCode }),
    wantedProducts: async (row, _, { financing }) =>
      (await Promise.all(row.wantedProductIds.map((id) => financing.loaders.productById.load(id)))).filter((p) => p !== null),
    routedTo: (row, _, { financing }) => demandReads.routedTo(financing, row),
    institution: (row, _, { financing }) => (row.institutionId ? financing.loaders.institutionById.load(row.institutionId) : null),
    branch: (row, _, { financing }) => (row.branchId ? financing.loaders.branchById.load(row.branchId) : null),
    approvedAmount: (row) => row.approvedAmount,
    loan: (row, _, { financing }) => financing.loaders.loanByDemand.load(row.id),
    currentLimit: (row, _, { financing }) => demandReads.currentLimitOf(financing, row),
    limits: (row, _, { financing }) => demandReads.limitsOf(financing, row),
    events: (row, _, { financing }) => demandReads.eventsOf(financing, row),
  },
  FinancingLimit: {
    institution: (row, _, { financing }) => (row.institutionId ? financing.loaders.institutionById.load(row.institutionId) : null),
    state: (row, _, { financing }) => limitState(row, financing.now()),
  },
  FinancingDemandEvent: {
    id: (row) => String(row.id),
    institution: (row, _, { financing }) => (row.institutionId ? financing.loaders.institutionById.load(row.institutionId) : null),
    branch: (row, _, { financing }) => (row.branchId ? financing.loaders.branchById.load(row.branchId) : null),
  },
  Loan: {
    demand: async (row, _, { financing }) => present(await financing.loaders.demandById.load(row.demandId), 'the demand of a loan'),
    institution: (row, _, { financing }) => reads.institutionOf(financing, row),
    branch: (row, _, { financing }) => (row.branchId ? financing.loaders.branchById.load(row.branchId) : null),
    ratePercent: (row) => row.rateBp / 100,
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
