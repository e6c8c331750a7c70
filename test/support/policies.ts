/**
 * Shorthands for policy tests: callers, enterprises registered through the units API, and the
 * contract's GraphQL documents.
 */
import { sampleCreditCode, unitIdForCode } from '../../db/reference/organisation.ts';
import type { Caller, GraphQLResponse, TestPlatform } from './platform.ts';

export const unit = unitIdForCode;

/** Enterprises the tests register (credit codes well formed, not among the sample ones). */
export const firms = {
  /** 市南区, manufacturing, small, 2018, 高新技术企业 */
  hightech: {
    creditCode: sampleCreditCode('370202', 501),
    name: '测试高新制造有限公司',
    districtCode: '370202',
    industryCode: 'C3484',
    sizeClass: 'SMALL',
    registeredOn: '2018-05-01',
    qualifications: ['HIGH_TECH'],
  },
  /** 黄岛区, research services, micro, 2024, 科技型中小企业 */
  startup: {
    creditCode: sampleCreditCode('370211', 502),
    name: '测试科技服务有限公司',
    districtCode: '370211',
    industryCode: 'M7320',
    sizeClass: 'MICRO',
    registeredOn: '2024-01-10',
    qualifications: ['TECH_SME'],
  },
  /** 崂山区, logistics, large, 2010, none */
  logistics: {
    creditCode: sampleCreditCode('370212', 503),
    name: '测试港口物流有限公司',
    districtCode: '370212',
    industryCode: 'G5532',
    sizeClass: 'LARGE',
    registeredOn: '2010-03-01',
    qualifications: [] as string[],
  },
};

export const callers = {
  office: 'COMMAND_OFFICE' as Caller,
  scienceStaff: { role: 'UNIT_STAFF', unit: 'SCIENCE_TECHNOLOGY_BUREAU', subject: 'science-staff-1' } as Caller,
  scienceStaff2: { role: 'UNIT_STAFF', unit: 'SCIENCE_TECHNOLOGY_BUREAU', subject: 'science-staff-2' } as Caller,
  scienceAdmin: { role: 'UNIT_ADMIN', unit: 'SCIENCE_TECHNOLOGY_BUREAU', subject: 'science-admin' } as Caller,
  taxStaff: { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU' } as Caller,
  laoshanStaff: { role: 'UNIT_STAFF', unit: 'LAOSHAN_DISTRICT' } as Caller,
  hightech: { role: 'ENTERPRISE', enterprise: firms.hightech.creditCode } as Caller,
  startup: { role: 'ENTERPRISE', enterprise: firms.startup.creditCode } as Caller,
  logistics: { role: 'ENTERPRISE', enterprise: firms.logistics.creditCode } as Caller,
  observer: { role: 'OBSERVER', subject: 'observer-1' } as Caller,
  anonymous: 'ANONYMOUS' as Caller,
};

/** The 2027 calendar is not published yet; tests that run into it enter this one (weekends only, test data). */
export const TEST_YEAR_2027 = { year: 2027, notice: '测试数据（仅周末休息）', off: [] as string[], workdays: [] as string[] };

type Send = (document: string, options: { as?: Caller; variables?: Record<string, unknown> }) => Promise<GraphQLResponse>;

/** Runs an operation and returns its data, failing the test with the errors when there are any. */
export async function ok(send: Send, document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await send(document, { as, variables });
  if (response.errors) throw new Error(`${document.slice(0, 80)}… failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** The first error's code (and field), or 'OK'. */
export async function code(send: Send, document: string, as: Caller, variables: Record<string, unknown> = {}): Promise<string> {
  const response = await send(document, { as, variables });
  const error = response.errors?.[0];
  return error ? String(error.extensions?.code) : 'OK';
}

export const gateway =
  (t: TestPlatform): Send =>
  (document, options) =>
    t.query(document, options);
export const direct =
  (t: TestPlatform): Send =>
  (document, options) =>
    t.querySubgraph('policies', document, options);

export async function registerFirms(t: TestPlatform): Promise<void> {
  for (const firm of Object.values(firms)) {
    await ok(gateway(t), `mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`, callers.office, {
      input: firm,
    });
  }
}

export const APPLICATION_FIELDS = /* GraphQL */ `
  id number status version source requestedAmount approvedAmount submittedAt reviewDueAt paymentDueAt overdue provisional provisionalUntilYear
  returnReason rejectionReason missingMaterials materials { name reference }
  eligibility { criterion met reason }
  publicNotice { startsAt endsOn running provisional }
  objections { id text contact answer upheld answerDueAt provisional }
  disbursement { amount paidOn paymentReference workingDays provisional }
  review { level score comment }
  steps { action fromStatus toStatus actorRole at workingDays }
`;

export const docs = {
  createPolicy: `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id status version revision issuingUnit { id } } }`,
  openConsultation: `mutation($id: ID!, $endsOn: Date!) { openConsultation(id: $id, endsOn: $endsOn) { id status consultationEndsOn version } }`,
  comment: `mutation($policyId: ID!, $text: String!) { commentOnPolicy(policyId: $policyId, text: $text) { id text answer } }`,
  answer: `mutation($commentId: ID!, $answer: String!) { answerPolicyComment(commentId: $commentId, answer: $answer, adopted: true) { id answer adopted } }`,
  publish: `mutation($id: ID!, $input: PublishPolicyInput) { publishPolicy(id: $id, input: $input) { id status documentNumber revision publishedAt items { id status } } }`,
  amend: `mutation($id: ID!, $input: AmendPolicyInput!) { amendPolicy(id: $id, input: $input) { id status revision documentNumber text revisions { revision documentNumber supersededAt changeNote } } }`,
  repeal: `mutation($id: ID!, $reason: String!) { repealPolicy(id: $id, reason: $reason) { id status repealReason items { status } } }`,
  interpret: `mutation($policyId: ID!, $input: InterpretationInput!) { addInterpretation(policyId: $policyId, input: $input) { id title unit { id } } }`,
  createItem: `mutation($policyId: ID!, $input: PolicyItemInput!) { createPolicyItem(policyId: $policyId, input: $input) { id status version automatic } }`,
  updateItem: `mutation($id: ID!, $input: UpdatePolicyItemInput!) { updatePolicyItem(id: $id, input: $input) { id status version eligibility { qualifications } } }`,
  news: `mutation($input: PolicyNewsInput!) { publishPolicyNews(input: $input) { id title } }`,
  submit: `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { ${APPLICATION_FIELDS} } }`,
  submitDraft: `mutation($id: ID!) { submitDraftApplication(id: $id) { ${APPLICATION_FIELDS} } }`,
  importApplication: `mutation($input: ImportApplicationInput!) { importApplication(input: $input) { ${APPLICATION_FIELDS} } }`,
  startReview: `mutation($id: ID!) { startReview(id: $id) { ${APPLICATION_FIELDS} } }`,
  returnApplication: `mutation($id: ID!, $reason: String!, $missing: [String!]) { returnApplication(id: $id, reason: $reason, missingMaterials: $missing) { ${APPLICATION_FIELDS} } }`,
  resubmit: `mutation($id: ID!, $input: ResubmitApplicationInput!) { resubmitApplication(id: $id, input: $input) { ${APPLICATION_FIELDS} } }`,
  approve: `mutation($id: ID!, $amount: Float, $expectedVersion: Int) { approveApplication(id: $id, amount: $amount, expectedVersion: $expectedVersion) { ${APPLICATION_FIELDS} } }`,
  reject: `mutation($id: ID!, $reason: String!) { rejectApplication(id: $id, reason: $reason) { ${APPLICATION_FIELDS} } }`,
  startNotice: `mutation($id: ID!, $endsOn: Date) { startPublicNotice(id: $id, endsOn: $endsOn) { ${APPLICATION_FIELDS} } }`,
  object: `mutation($id: ID!, $input: ObjectionInput!) { fileObjection(applicationId: $id, input: $input) { id text answer answerDueAt } }`,
  answerObjection: `mutation($id: ID!, $upheld: Boolean!, $answer: String!) { answerObjection(objectionId: $id, upheld: $upheld, answer: $answer) { id answer upheld } }`,
  markObjections: `mutation($id: ID!, $input: MarkObjectionsInput!) { markObjections(applicationId: $id, input: $input) { id answer mark { kind duplicateOf reason unit { id } markedAt } } }`,
  disburse: `mutation($id: ID!, $input: DisbursementInput!) { recordDisbursement(id: $id, input: $input) { ${APPLICATION_FIELDS} } }`,
  rate: `mutation($id: ID!, $level: ServiceReviewLevel!, $comment: String) { rateApplication(id: $id, level: $level, comment: $comment) { ${APPLICATION_FIELDS} } }`,
  runGrants: `mutation($itemId: ID!) { runAutomaticGrants(itemId: $itemId) { eligible created alreadyGranted noticeEndsOn provisional } }`,
  application: `query($id: ID!) { application(id: $id) { ${APPLICATION_FIELDS} } }`,
};

let counter = 0;
export const requestId = (label = 'req') => `${label}-${process.pid}-${++counter}`;

export const rdItem = {
  name: '高新技术企业研发费用补助',
  kind: 'SUBSIDY',
  description: '按上年度研发费用的10%给予补助，最高100万元。',
  amount: { kind: 'RATE', rate: 0.1, amount: 1_000_000, base: '上年度研发费用' },
  requiredMaterials: ['研发费用专项审计报告'],
  reviewWorkingDays: 10,
  paymentWorkingDays: 10,
  eligibility: { industryCodePrefixes: ['C'], qualifications: ['HIGH_TECH'] },
};

export const automaticItem = {
  name: '科技型中小企业奖励（免申即享）',
  kind: 'REWARD',
  description: '入库科技型中小企业奖励5万元，无需申报。',
  amount: { kind: 'FIXED', amount: 50_000 },
  reviewWorkingDays: 5,
  paymentWorkingDays: 10,
  eligibility: { qualifications: ['TECH_SME'] },
  automatic: true,
};

export const policyInput = {
  level: 'MUNICIPAL',
  environment: 'POLICY',
  title: '青岛市支持企业加大研发投入若干措施',
  summary: '研发费用补助与科技型中小企业免申即享奖励',
  text: '为鼓励企业加大研发投入，对高新技术企业按上年度研发费用的10%给予补助；对入库科技型中小企业给予奖励，免申即享。',
};
