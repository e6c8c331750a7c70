/**
 * Thin resolvers of the policies slice: hand the arguments to the service, map rows to the schema's
 * shapes. Their types come from the SDL (schema-types.ts, generated).
 */
import { period } from '../../platform/periods.ts';
import { ref } from '../../platform/refs.ts';
import { pageArgs } from '../../platform/pagination.ts';
import { scalarResolvers } from '../../platform/scalars.ts';
import { selectedFields } from '../../platform/selection.ts';
import { noticeProvisional, reachesPendingYear } from './deadlines.ts';
import { highlightAll, snippet } from '../../platform/search-text.ts';
import type { ApplicationRow, SearchHit } from './store.ts';
import type { Resolvers } from './schema-types.ts';

/** The match of a searched row: its title highlighted, and a snippet of the first text that matches. */
function match(search: SearchHit | undefined, title: string, ...texts: (string | null)[]) {
  if (!search) return null;
  const body = texts.reduce<ReturnType<typeof snippet>>((found, text) => found ?? (text ? snippet(text, search.query) : null), null);
  return { tier: search.tier, title: highlightAll(title, search.query), snippet: body };
}

const scores = { VERY_SATISFIED: 5, SATISFIED: 4, BASICALLY_SATISFIED: 3, UNSATISFIED: 2, VERY_UNSATISFIED: 1 } as const;

export const policiesResolvers: Resolvers = {
  ...scalarResolvers,
  Query: {
    policies: (_, { filter, ...page }, { policies }, info) => policies.policies(filter, pageArgs(page, info)),
    policy: (_, { id }, { policies }) => policies.policy(id),
    policyItems: (_, { filter, ...page }, { policies }, info) => policies.policyItems(filter, pageArgs(page, info)),
    policyItem: (_, { id }, { policies }) => policies.policyItem(id),
    policyNews: (_, { filter, ...page }, { policies }, info) => policies.policyNews(filter, pageArgs(page, info)),
    policyMatches: (_, { creditCode, ...page }, { policies }, info) => policies.policyMatches(creditCode, pageArgs(page, info)),
    applications: (_, { filter, ...page }, { policies }, info) => policies.applications(filter, pageArgs(page, info)),
    application: (_, { id }, { policies }) => policies.application(id),
    publicNotices: (_, { itemId, ...page }, { policies }, info) => policies.publicNotices(itemId, pageArgs(page, info)),
    policyStats: (_, args, { policies }, info) => policies.cityStats(period(args.period), selectedFields(info)),
  },
  Mutation: {
    createPolicy: (_, { input }, { policies }) => policies.createPolicy(input),
    updatePolicy: (_, a, { policies }) => policies.updatePolicy(a.id, a.input, a.expectedVersion),
    openConsultation: (_, a, { policies }) => policies.openConsultation(a.id, a.endsOn, a.expectedVersion),
    commentOnPolicy: (_, a, { policies }) => policies.commentOnPolicy(a.policyId, a.text),
    answerPolicyComment: (_, a, { policies }) => policies.answerPolicyComment(a.commentId, a.answer, a.adopted),
    publishPolicy: (_, a, { policies }) => policies.publishPolicy(a.id, a.input, a.expectedVersion),
    amendPolicy: (_, a, { policies }) => policies.amendPolicy(a.id, a.input, a.expectedVersion),
    repealPolicy: (_, a, { policies }) => policies.repealPolicy(a.id, a.reason, a.expectedVersion),
    addInterpretation: (_, a, { policies }) => policies.addInterpretation(a.policyId, a.input),
    createPolicyItem: (_, a, { policies }) => policies.createPolicyItem(a.policyId, a.input),
    updatePolicyItem: (_, a, { policies }) => policies.updatePolicyItem(a.id, a.input, a.expectedVersion),
    publishPolicyNews: (_, { input }, { policies }) => policies.publishPolicyNews(input),
    submitApplication: (_, { input }, { policies }) => policies.submitApplication(input),
    submitDraftApplication: (_, a, { policies }) => policies.submitDraftApplication(a.id, a.expectedVersion),
    importApplication: (_, { input }, { policies }) => policies.importApplication(input),
    startReview: (_, a, { policies }) => policies.startReview(a.id, a.expectedVersion),
    returnApplication: (_, a, { policies }) => policies.returnApplication(a.id, a.reason, a.missingMaterials, a.expectedVersion),
    resubmitApplication: (_, a, { policies }) => policies.resubmitApplication(a.id, a.input, a.expectedVersion),
    approveApplication: (_, a, { policies }) => policies.approveApplication(a.id, a.amount, a.note, a.expectedVersion),
    rejectApplication: (_, a, { policies }) => policies.rejectApplication(a.id, a.reason, a.expectedVersion),
    startPublicNotice: (_, a, { policies }) => policies.startPublicNotice(a.id, a.endsOn, a.expectedVersion),
    fileObjection: (_, a, { policies }) => policies.fileObjection(a.applicationId, a.input),
    answerObjection: (_, a, { policies }) => policies.answerObjection(a.objectionId, a.upheld, a.answer),
    markObjections: (_, a, { policies }) => policies.markObjections(a.applicationId, a.input),
    recordDisbursement: (_, a, { policies }) => policies.recordDisbursement(a.id, a.input, a.expectedVersion),
    rateApplication: (_, a, { policies }) => policies.rateApplication(a.id, a.level, a.comment),
    runAutomaticGrants: (_, { itemId }, { policies }) => policies.runAutomaticGrants(itemId),
  },
  Unit: {
    __resolveReference: (reference) => ({ id: reference.id }),
    policyStats: (unit, args, { policies }, info) => policies.unitStats(unit.id, period(args.period), selectedFields(info)),
    applicationReviews: (unit, { period: asked, ...page }, { policies }, info) =>
      policies.applicationReviews(unit.id, period(asked), pageArgs(page, info)),
  },
  Domain: {
    __resolveReference: (reference) => ({ code: reference.code }),
    policyStats: (domain, args, { policies }, info) => policies.domainStats(domain.code, period(args.period), selectedFields(info)),
  },
  Enterprise: {
    __resolveReference: (reference) => ({ creditCode: reference.creditCode }),
    applications: (enterprise, { filter, ...page }, { policies }, info) =>
      policies.applications(filter, pageArgs(page, info), enterprise.creditCode),
    policyNotices: (enterprise, page, { policies }, info) => policies.enterpriseNotices(enterprise.creditCode, pageArgs(page, info)),
    policyMatches: (enterprise, page, { policies }, info) => policies.policyMatches(enterprise.creditCode, pageArgs(page, info)),
  },
  Policy: {
    issuingUnit: (row) => ({ id: row.issuingUnitId }),
    district: (row) => ref('code', row.districtCode),
    status: (row, _, { policies }) => policies.policyStatus(row),
    text: (row) => row.body,
    revisions: (row, _, { policies }) => policies.revisions(row.id),
    interpretations: (row, _, { policies }) => policies.interpretations(row.id),
    items: (row, _, { policies }) => policies.itemsOf(row.id),
    comments: (row, _, { policies }) => policies.commentsOf(row),
    history: (row, _, { policies }) => policies.historyOf(row),
    match: (row) => match(row.search, row.title, row.summary, row.body),
  },
  PolicyRevision: {
    text: (row) => row.body,
  },
  PolicyInterpretation: {
    text: (row) => row.body,
    unit: (row) => ({ id: row.unitId }),
  },
  PolicyComment: {
    text: (row) => row.body,
    enterprise: (row) => ref('creditCode', row.authorEnterprise),
    unit: (row) => ref('id', row.authorUnitId),
  },
  PolicyEvent: {
    id: (row) => String(row.id),
    actorUnit: (row) => ref('id', row.actorUnitId),
  },
  PolicyItem: {
    policy: (row, _, { policies }) => policies.policyOf(row.policyId),
    amount: (row) => (row.amountKind ? { kind: row.amountKind, amount: row.amount, rate: row.rate, base: row.amountBase } : null),
    openNow: (row, _, { policies }) => policies.windowOpenNow(row),
    reviewingUnit: (row) => ({ id: row.reviewingUnitId }),
    eligibility: (row) => ({
      industryCodePrefixes: row.industryPrefixes,
      sizeClasses: row.sizeClasses,
      districtCodes: row.districtCodes,
      minYearsRegistered: row.minYears,
      maxYearsRegistered: row.maxYears,
      qualifications: row.qualifications,
      qualificationMatch: row.qualificationMatch,
    }),
    match: (row) => match(row.search, row.name, row.description, row.amountBase, row.requiredMaterials.join('、')),
  },
  PolicyNews: {
    text: (row) => row.body,
    unit: (row) => ({ id: row.unitId }),
    policies: (row, _, { policies }) => policies.newsPolicies(row.policyIds),
    match: (row) => match(row.search, row.title, row.body),
  },
  PolicyMatch: {
    eligible: (row) => row.missing === 0,
    criteria: (row) => row.results,
  },
  PolicyNotice: {
    id: (row) => String(row.id),
    item: (row, _, { policies }) => policies.itemOf(row.itemId),
    enterprise: (row) => ({ creditCode: row.enterpriseCreditCode }),
  },
  Application: {
    item: (row, _, { policies }) => policies.itemOf(row.itemId),
    enterprise: (row) => ({ creditCode: row.enterpriseCreditCode }),
    eligibility: (row) => row.eligibility as never,
    overdue: (row, _, { policies }) => row.nextDueAt !== null && row.nextDueAt < policies.now(),
    late: (row, _, { policies }) => policies.lateOf(row),
    provisional: (row) => row.pendingCalendarYear !== null,
    provisionalUntilYear: (row) => row.pendingCalendarYear,
    publicNotice: (row, _, { policies }) => noticePeriod(row, policies.now()),
    objections: (row, _, { policies }) => policies.objectionsOf(row),
    disbursement: async (row, _, { policies }) =>
      row.paidOn
        ? {
            amount: row.disbursedAmount!,
            paidOn: row.paidOn,
            paymentReference: row.paymentReference!,
            recordedAt: row.disbursedAt!,
            workingDays: row.cycleWorkingDays,
            provisional: reachesPendingYear(row.pendingCalendarYear, row.paidOn),
            late: await policies.paymentLate(row),
          }
        : null,
    review: (row, _, { policies }) => policies.reviewOf(row),
    steps: (row, _, { policies }) => policies.stepsOf(row),
  },
  PublicNotice: {
    applicationId: (row) => row.id,
    item: (row, _, { policies }) => policies.itemOf(row.itemId),
    enterprise: (row) => ({ creditCode: row.enterpriseCreditCode }),
    enterpriseName: (row) => row.noticeEnterpriseName,
    amount: (row) => row.approvedAmount,
    period: (row, _, { policies }) => noticePeriod(row, policies.now())!,
  },
  Objection: {
    text: (row) => row.body,
    answerDueAt: async (row, _, { policies }) => (await policies.objectionApplication(row.applicationId)).noticeEndsAt!,
    provisional: async (row, _, { policies }) => noticeProvisional(await policies.objectionApplication(row.applicationId)),
    mark: (row) =>
      row.mark && {
        kind: row.mark.kind,
        duplicateOf: row.mark.duplicateOf,
        reason: row.mark.reason,
        unit: { id: row.mark.markedByUnitId },
        markedAt: row.mark.markedAt,
      },
    late: (row, _, { policies }) => policies.objectionLate(row),
  },
  ApplicationStep: {
    actorUnit: (row) => ref('id', row.actorUnitId),
  },
  LimitOutcome: {
    limit: (row) => row.kind,
    provisional: (row) => row.pendingCalendarYear !== null,
  },
  ApplicationReview: {
    score: (row) => scores[row.level],
    unit: (row) => ({ id: row.reviewingUnitId }),
    application: (row, _, { policies }) => policies.visibleApplication(row.applicationId),
  },
};

/** The public notice period of an application, if it has one. */
function noticePeriod(row: ApplicationRow, now: Date) {
  if (!row.noticeStartsAt || !row.noticeEndsOn || !row.noticeEndsAt) return null;
  return {
    startsAt: row.noticeStartsAt,
    endsOn: row.noticeEndsOn,
    provisional: noticeProvisional(row),
    running: row.noticeStartsAt <= now && now < row.noticeEndsAt,
  };
}
