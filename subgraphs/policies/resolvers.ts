/**
 * Thin resolvers of the policies slice: hand the arguments — the generated argument types, as one
 * object — to the use cases (use-cases/*.ts) with the request's `PoliciesContext`, and map rows to
 * the schema's shapes. Their types come from the SDL (schema-types.ts, generated).
 */
import { inputType } from '../../platform/batch.ts';
import { present } from '../../platform/invariant.ts';
import { period } from '../../platform/periods.ts';
import { ref } from '../../platform/refs.ts';
import { pageArgs } from '../../platform/pagination.ts';
import { scalarResolvers } from '../../platform/scalars.ts';
import { selectedFields } from '../../platform/selection.ts';
import { noticeProvisional, reachesPendingYear } from './deadlines.ts';
import { highlightAll, snippet } from '../../platform/search-text.ts';
import type { ApplicationRow, SearchHit } from './store.ts';
import type { Resolvers } from './schema-types.ts';
import * as notices from './use-cases/notices.ts';
import * as applicationReads from './use-cases/application-reads.ts';
import * as applications from './use-cases/applications.ts';
import * as channels from './use-cases/channels.ts';
import * as consultation from './use-cases/consultation.ts';
import * as documents from './use-cases/documents.ts';
import * as items from './use-cases/items.ts';
import * as matching from './use-cases/matching.ts';
import * as news from './use-cases/news.ts';
import * as notice from './use-cases/notice.ts';
import * as payment from './use-cases/payment.ts';
import * as reads from './use-cases/reads.ts';
import * as review from './use-cases/review.ts';
import * as stats from './use-cases/stats.ts';

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
    policyInbox: (_, args, { policies }) => notices.inbox(policies, args),
    policyNoticeSettings: (_, __, { policies }) => notices.settings(policies),
    policyWebhooks: (_, args, { policies }) => notices.webhooks(policies, args),
    policyWebhookDeadLetters: (_, args, { policies }) => notices.deadLetters(policies, args),
    applicationChanges: (_, args, { policies }) => channels.applicationChanges(policies, args),
    policies: (_, args, { policies }, info) => reads.policies(policies, args, pageArgs(args, info)),
    policy: (_, args, { policies }) => reads.policy(policies, args),
    policyItems: (_, args, { policies }, info) => reads.policyItems(policies, args, pageArgs(args, info)),
    policyItem: (_, args, { policies }) => reads.policyItem(policies, args),
    policyNews: (_, args, { policies }, info) => news.policyNews(policies, args, pageArgs(args, info)),
    policyMatches: (_, args, { policies }, info) => matching.policyMatches(policies, args.creditCode, pageArgs(args, info)),
    applications: (_, args, { policies }, info) => applicationReads.applications(policies, args, pageArgs(args, info)),
    application: (_, args, { policies }) => applicationReads.application(policies, args),
    publicNotices: (_, args, { policies }, info) => applicationReads.publicNotices(policies, args, pageArgs(args, info)),
    policyStats: (_, args, { policies }, info) => stats.cityStats(policies, period(args.period), selectedFields(info)),
  },
  Mutation: {
    markPolicyInboxRead: (_, args, { policies }) => notices.markRead(policies, args),
    setPolicyNoticeSettings: (_, args, { policies }) => notices.setSettings(policies, args),
    registerPolicyWebhook: (_, args, { policies }) => notices.registerWebhook(policies, args),
    replayPolicyWebhookDelivery: (_, args, { policies }) => notices.replay(policies, args),
    createPolicy: (_, args, { policies }) => documents.createPolicy(policies, args),
    updatePolicy: (_, args, { policies }) => documents.updatePolicy(policies, args),
    openConsultation: (_, args, { policies }) => documents.openConsultation(policies, args),
    commentOnPolicy: (_, args, { policies }) => consultation.commentOnPolicy(policies, args),
    answerPolicyComment: (_, args, { policies }) => consultation.answerPolicyComment(policies, args),
    publishPolicy: (_, args, { policies }) => documents.publishPolicy(policies, args),
    amendPolicy: (_, args, { policies }) => documents.amendPolicy(policies, args),
    repealPolicy: (_, args, { policies }) => documents.repealPolicy(policies, args),
    addInterpretation: (_, args, { policies }) => documents.addInterpretation(policies, args),
    createPolicyItem: (_, args, { policies }) => items.createPolicyItem(policies, args),
    updatePolicyItem: (_, args, { policies }) => items.updatePolicyItem(policies, args),
    publishPolicyNews: (_, args, { policies }) => news.publishPolicyNews(policies, args),
    submitApplication: (_, args, { policies }) => applications.submitApplication(policies, args),
    submitDraftApplication: (_, args, { policies }) => applications.submitDraftApplication(policies, args),
    importApplication: (_, args, { policies }) => applications.importApplication(policies, args),
    importApplicationBatch: (_, args, { policies }, info) =>
      channels.importApplicationBatch(policies, args, inputType(info.schema, 'ImportApplicationInput')),
    startReview: (_, args, { policies }) => review.startReview(policies, args),
    returnApplication: (_, args, { policies }) => review.returnApplication(policies, args),
    resubmitApplication: (_, args, { policies }) => review.resubmitApplication(policies, args),
    approveApplication: (_, args, { policies }) => review.approveApplication(policies, args),
    rejectApplication: (_, args, { policies }) => review.rejectApplication(policies, args),
    startPublicNotice: (_, args, { policies }) => notice.startPublicNotice(policies, args),
    fileObjection: (_, args, { policies }) => notice.fileObjection(policies, args),
    answerObjection: (_, args, { policies }) => notice.answerObjection(policies, args),
    markObjections: (_, args, { policies }) => notice.markObjections(policies, args),
    recordDisbursement: (_, args, { policies }) => payment.recordDisbursement(policies, args),
    rateApplication: (_, args, { policies }) => payment.rateApplication(policies, args),
    runAutomaticGrants: (_, args, { policies }) => payment.runAutomaticGrants(policies, args),
  },
  Unit: {
    __resolveReference: (reference) => ({ id: reference.id }),
    policyStats: (unit, args, { policies }, info) => stats.unitStats(policies, unit.id, period(args.period), selectedFields(info)),
    applicationReviews: (unit, { period: asked, ...page }, { policies }, info) =>
      stats.applicationReviews(policies, unit.id, period(asked), pageArgs(page, info)),
  },
  Domain: {
    __resolveReference: (reference) => ({ code: reference.code }),
    policyStats: (domain, args, { policies }, info) => stats.domainStats(policies, domain.code, period(args.period), selectedFields(info)),
  },
  Enterprise: {
    __resolveReference: (reference) => ({ creditCode: reference.creditCode }),
    applications: (enterprise, args, { policies }, info) =>
      applicationReads.applications(policies, args, pageArgs(args, info), enterprise.creditCode),
    policyNotices: (enterprise, page, { policies }, info) =>
      matching.enterpriseNotices(policies, enterprise.creditCode, pageArgs(page, info)),
    policyMatches: (enterprise, page, { policies }, info) => matching.policyMatches(policies, enterprise.creditCode, pageArgs(page, info)),
  },
  Policy: {
    issuingUnit: (row) => ({ id: row.issuingUnitId }),
    district: (row) => ref('code', row.districtCode),
    status: (row, _, { policies }) => reads.policyStatus(policies, row),
    text: (row) => row.body,
    revisions: (row, _, { policies }) => reads.revisions(policies, row.id),
    interpretations: (row, _, { policies }) => reads.interpretations(policies, row.id),
    items: (row, _, { policies }) => reads.itemsOf(policies, row.id),
    comments: (row, _, { policies }) => reads.commentsOf(policies, row),
    history: (row, _, { policies }) => reads.historyOf(policies, row),
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
    policy: (row, _, { policies }) => reads.policyOf(policies, row.policyId),
    amount: (row) => (row.amountKind ? { kind: row.amountKind, amount: row.amount, rate: row.rate, base: row.amountBase } : null),
    openNow: (row, _, { policies }) => reads.windowOpenNow(policies, row),
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
    policies: (row, _, { policies }) => news.newsPolicies(policies, row.policyIds),
    match: (row) => match(row.search, row.title, row.body),
  },
  PolicyMatch: {
    eligible: (row) => row.missing === 0,
    criteria: (row) => row.results,
  },
  PolicyNotice: {
    id: (row) => String(row.id),
    item: (row, _, { policies }) => reads.itemOf(policies, row.itemId),
    enterprise: (row) => ({ creditCode: row.enterpriseCreditCode }),
  },
  Application: {
    item: (row, _, { policies }) => reads.itemOf(policies, row.itemId),
    enterprise: (row) => ({ creditCode: row.enterpriseCreditCode }),
    eligibility: (row) => row.eligibility as never,
    overdue: (row, _, { policies }) => row.nextDueAt !== null && row.nextDueAt < policies.now(),
    late: (row, _, { policies }) => applicationReads.lateOf(policies, row),
    provisional: (row) => row.pendingCalendarYear !== null,
    provisionalUntilYear: (row) => row.pendingCalendarYear,
    publicNotice: (row, _, { policies }) => noticePeriod(row, policies.now()),
    objections: (row, _, { policies }) => applicationReads.objectionsOf(policies, row),
    disbursement: async (row, _, { policies }) =>
      row.paidOn
        ? {
            amount: present(row.disbursedAmount, 'the amount of a payment recorded'),
            paidOn: row.paidOn,
            paymentReference: present(row.paymentReference, 'the reference of a payment recorded'),
            recordedAt: present(row.disbursedAt, 'the time a payment was recorded'),
            workingDays: row.cycleWorkingDays,
            provisional: reachesPendingYear(row.pendingCalendarYear, row.paidOn),
            late: await applicationReads.paymentLate(policies, row),
          }
        : null,
    review: (row, _, { policies }) => applicationReads.reviewOf(policies, row),
    steps: (row, _, { policies }) => applicationReads.stepsOf(policies, row),
  },
  PublicNotice: {
    applicationId: (row) => row.id,
    item: (row, _, { policies }) => reads.itemOf(policies, row.itemId),
    enterprise: (row) => ({ creditCode: row.enterpriseCreditCode }),
    enterpriseName: (row) => row.noticeEnterpriseName,
    amount: (row) => row.approvedAmount,
    period: (row, _, { policies }) => present(noticePeriod(row, policies.now()), 'the period of a public notice'),
  },
  Objection: {
    text: (row) => row.body,
    answerDueAt: async (row, _, { policies }) =>
      present((await applicationReads.objectionApplication(policies, row.applicationId)).noticeEndsAt, 'the end of an objected notice'),
    provisional: async (row, _, { policies }) =>
      noticeProvisional(await applicationReads.objectionApplication(policies, row.applicationId)),
    mark: (row) =>
      row.mark && {
        kind: row.mark.kind,
        duplicateOf: row.mark.duplicateOf,
        reason: row.mark.reason,
        unit: { id: row.mark.markedByUnitId },
        markedAt: row.mark.markedAt,
      },
    late: (row, _, { policies }) => applicationReads.objectionLate(policies, row),
  },
  ApplicationBatchRecord: {
    externalReference: (row) => row.externalRef,
    applicationId: (row) => row.id,
  },
  ApplicationFeedEntry: {
    cursor: (row) => channels.feedCursor(row),
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
    application: (row, _, { policies }) => applicationReads.visibleApplication(policies, row.applicationId),
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
