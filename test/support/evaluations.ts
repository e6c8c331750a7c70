/**
 * Shorthands for evaluations tests: callers and the contract's GraphQL documents.
 */
import { sampleCreditCode } from '../../db/reference/organisation.ts';
import type { Caller } from './platform.ts';

export const evalCallers = {
  office: 'COMMAND_OFFICE' as Caller,
  /** lead unit of 政法 */
  politicsLeadAdmin: { role: 'UNIT_ADMIN', unit: 'POLITICS_LAW_COMMITTEE', subject: 'politics-admin' } as Caller,
  politicsLeadStaff: { role: 'UNIT_STAFF', unit: 'POLITICS_LAW_COMMITTEE', subject: 'politics-staff' } as Caller,
  /** a responsible unit of 政法 */
  policeAdmin: { role: 'UNIT_ADMIN', unit: 'PUBLIC_SECURITY_BUREAU', subject: 'police-admin' } as Caller,
  policeStaff: { role: 'UNIT_STAFF', unit: 'PUBLIC_SECURITY_BUREAU', subject: 'police-staff' } as Caller,
  courtStaff: { role: 'UNIT_STAFF', unit: 'INTERMEDIATE_PEOPLES_COURT', subject: 'court-staff' } as Caller,
  taxAdmin: { role: 'UNIT_ADMIN', unit: 'TAXATION_BUREAU', subject: 'tax-admin' } as Caller,
  taxStaff: { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU', subject: 'tax-staff' } as Caller,
  enterprise: { role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 601), subject: 'enterprise-1' } as Caller,
  observer: { role: 'OBSERVER', subject: 'observer-1' } as Caller,
  anonymous: 'ANONYMOUS' as Caller,
  judge: (n: number): Caller => ({ role: 'OBSERVER', subject: `judge-${n}` }),
  /** Enterprises, each a reviewer of its own for the abuse limits. */
  firm: (n: number): Caller => ({ role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 700 + n), subject: `firm-${n}` }),
};

const CONTEST = /* GraphQL */ `id title level status heldOn version criteria { index name weight }
  entries { id entrantName unit { id } carriedFromContestId }
  carriedOver { id entrantName unit { id } carriedFromContestId }
  judges { name subject role entriesScored }
  ranking { rank score judgesCounted contestsAgain entrantName unit { id } entry { id } }`;

const REVIEW = /* GraphQL */ `id unit { id } serviceItem channel level score comment reviewerKind reviewedAt bad status
  answerDueAt rectifyDueAt provisional pendingCalendarYear overdue
  answer { text at late provisional } rectification { text at late provisional } followUps { text reached level late }
  appeal { text } appealDecision { text decision }`;

export const evalDocs = {
  createContest: `mutation($input: CreateContestInput!) { createContest(input: $input) { ${CONTEST} } }`,
  addEntry: `mutation($contestId: ID!, $input: ContestEntryInput!) { addContestEntry(contestId: $contestId, input: $input) { id entrantName unit { id } } }`,
  assignJudge: `mutation($contestId: ID!, $input: JudgeInput!) { assignJudge(contestId: $contestId, input: $input) { id name subject } }`,
  submitScores: `mutation($contestId: ID!, $scores: [ScoreInput!]!) { submitScores(contestId: $contestId, scores: $scores) { entryId criterion score } }`,
  close: `mutation($id: ID!) { closeContest(id: $id) { id status } }`,
  publish: `mutation($id: ID!) { publishContest(id: $id) { id status publishedAt } }`,
  contest: `query($id: ID!) { contest(id: $id) { ${CONTEST} myScores { entryId criterion score } } }`,
  contests: `query($filter: ContestFilter, $first: Int, $after: String) { contests(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id title status } } } }`,
  submitReview: `mutation($input: SubmitServiceReviewInput!) { submitServiceReview(input: $input) { ${REVIEW} } }`,
  answer: `mutation($id: ID!, $answer: String!) { answerServiceReview(id: $id, answer: $answer) { ${REVIEW} } }`,
  rectify: `mutation($id: ID!, $measures: String!) { rectifyServiceReview(id: $id, measures: $measures) { ${REVIEW} } }`,
  followUp: `mutation($id: ID!, $input: ReviewFollowUpInput!) { recordReviewFollowUp(id: $id, input: $input) { ${REVIEW} } }`,
  appeal: `mutation($id: ID!, $reason: String!) { appealServiceReview(id: $id, reason: $reason) { ${REVIEW} } }`,
  decide: `mutation($id: ID!, $decision: AppealDecision!, $reason: String!) { decideReviewAppeal(id: $id, decision: $decision, reason: $reason) { ${REVIEW} } }`,
  reviews: `query($filter: ServiceReviewFilter, $first: Int, $after: String) { serviceReviews(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${REVIEW} } } } }`,
  reviewStats: `query($id: ID!, $period: PeriodInput) { _entities(representations: [{ __typename: "Unit", id: $id }]) { ... on Unit { reviewStats(period: $period) { count satisfactionRate badReviews rectificationRate onTimeRate overdueNow excluded } } } }`,
  unitReviewStats: `query($id: ID!, $period: PeriodInput) { unit(id: $id) { reviewStats(period: $period) { count satisfactionRate badReviews rectificationRate onTimeRate overdueNow excluded } } }`,
};
