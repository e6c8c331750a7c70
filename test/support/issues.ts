/**
 * Shorthands for issue tests: the GraphQL documents of the contract and callers by role.
 */
import { buildSubgraphSchema } from '@apollo/subgraph';
import { expectKeptEqualsRebuild } from './database.ts';
import { unitIdForCode } from '../../db/reference/organisation.ts';
import { loadSubgraphSdl } from '../../platform/subgraph.ts';
import type { MutationResolvers } from '../../subgraphs/issues/schema-types.ts';
import { sampleCreditCode } from '../../db/reference/organisation.ts';
import type { Caller, TestPlatform } from './platform.ts';

export const ISSUE_FIELDS = /* GraphQL */ `
  id number status effectiveStatus version source environment title
  receivedAt acceptedAt resolvedAt closedAt rejectionReason resolution reopenCount absorbedCount reminderCount
  responsibleUnit { id } proposedUnit { id }
  rating { rating solved round }
  escalation { supervisingLeader }
  extension { requestedWorkingDays pending grantedWorkingDays }
  deadlines { id stage round dueAt warnAt metAt state workingDays hours title provisional unit { id } }
  history { action fromStatus toStatus note actor { subject role } at }
`;

export const unit = (code: string) => unitIdForCode(code);

/** Callers used across the issue tests. */
export const callers = {
  office: 'COMMAND_OFFICE' as Caller,
  marketStaff: { role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' } as Caller,
  marketAdmin: { role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' } as Caller,
  approvalStaff: { role: 'UNIT_STAFF', unit: 'ADMINISTRATIVE_APPROVAL_BUREAU' } as Caller,
  approvalAdmin: { role: 'UNIT_ADMIN', unit: 'ADMINISTRATIVE_APPROVAL_BUREAU' } as Caller,
  taxStaff: { role: 'UNIT_STAFF', unit: 'TAXATION_BUREAU' } as Caller,
  /** 市委政法委 leads 政法; 市公安局 is one of its responsible units. */
  politicsLeadStaff: { role: 'UNIT_STAFF', unit: 'POLITICS_LAW_COMMITTEE' } as Caller,
  policeStaff: { role: 'UNIT_STAFF', unit: 'PUBLIC_SECURITY_BUREAU' } as Caller,
  enterpriseA: { role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 1) } as Caller,
  enterpriseB: { role: 'ENTERPRISE', enterprise: sampleCreditCode('370203', 11) } as Caller,
  observer: { role: 'OBSERVER', subject: 'observer-expert-1' } as Caller,
  otherObserver: { role: 'OBSERVER', subject: 'observer-media-2' } as Caller,
  anonymous: 'ANONYMOUS' as Caller,
};

let requestCounter = 0;
export const requestId = (label = 'req') => `${label}-${process.pid}-${++requestCounter}`;

export async function submitAppeal(t: TestPlatform, as: Caller = callers.enterpriseA, input: Record<string, unknown> = {}) {
  const response = await t.query(
    /* GraphQL */ `mutation Submit($input: SubmitAppealInput!) { submitAppeal(input: $input) { ${ISSUE_FIELDS} } }`,
    {
      as,
      variables: {
        input: {
          clientRequestId: requestId('appeal'),
          kind: 'HELP',
          environment: 'SERVICE',
          title: '审批材料反复补正',
          description: '希望一次性告知需要的材料',
          districtCode: '370202',
          ...input,
        },
      },
    },
  );
  if (response.errors) throw new Error(`submitAppeal failed: ${JSON.stringify(response.errors)}`);
  return response.data.submitAppeal;
}

export async function reportIssue(t: TestPlatform, as: Caller, input: Record<string, unknown>) {
  return t.query(/* GraphQL */ `mutation Report($input: ReportIssueInput!) { reportIssue(input: $input) { ${ISSUE_FIELDS} } }`, {
    as,
    variables: {
      input: { clientRequestId: requestId('report'), environment: 'SERVICE', title: '问题', description: '问题描述', ...input },
    },
  });
}

/** The argument types of each mutation, read from the slice's SDL (never copied here). */
const mutationFields = buildSubgraphSchema({ typeDefs: loadSubgraphSdl('issues') })
  .getMutationType()!
  .getFields();
export type IssueMutation = Exclude<keyof MutationResolvers, '__isTypeOf'>;
export const mutationSignatures = Object.fromEntries(
  Object.values(mutationFields).map((field) => [field.name, Object.fromEntries(field.args.map((arg) => [arg.name, String(arg.type)]))]),
) as Record<IssueMutation, Record<string, string>>;

/** Runs one mutation of the contract that takes `id` and returns the issue. */
export async function act(t: TestPlatform, as: Caller, mutation: IssueMutation, args: Record<string, unknown>) {
  const types = mutationSignatures[mutation];
  const variables = Object.keys(args);
  for (const name of variables) if (!types[name]) throw new Error(`${mutation} takes no ${name}`);
  const declared = variables.map((name) => `$${name}: ${types[name]}`).join(', ');
  const passed = variables.map((name) => `${name}: $${name}`).join(', ');
  const response = await t.query(`mutation Act(${declared}) { ${mutation}(${passed}) { ${ISSUE_FIELDS} } }`, { as, variables: args });
  return { data: response.data?.[mutation], errors: response.errors, code: response.errors?.[0]?.extensions?.code as string | undefined };
}

/** Typed shorthands for each contract mutation. */
export const mutations = {
  accept: (t: TestPlatform, as: Caller, id: string, input?: Record<string, unknown>, expectedVersion?: number) =>
    act(t, as, 'acceptIssue', { id, ...(input ? { input } : {}), ...(expectedVersion ? { expectedVersion } : {}) }),
  reject: (t: TestPlatform, as: Caller, id: string, reason = '不属于营商环境问题') => act(t, as, 'rejectIssue', { id, reason }),
  assign: (t: TestPlatform, as: Caller, id: string, unitId: string) => act(t, as, 'assignIssue', { id, unitId }),
  return: (t: TestPlatform, as: Caller, id: string, reason = '不属本单位职责') => act(t, as, 'returnIssue', { id, reason }),
  contact: (t: TestPlatform, as: Caller, id: string, expectedVersion?: number) =>
    act(t, as, 'recordContact', { id, note: '已电话联系', ...(expectedVersion ? { expectedVersion } : {}) }),
  feedback: (t: TestPlatform, as: Caller, id: string) => act(t, as, 'giveFeedback', { id, note: '已初步答复' }),
  resolve: (t: TestPlatform, as: Caller, id: string) => act(t, as, 'resolveIssue', { id, resolution: '已办结' }),
  rate: (t: TestPlatform, as: Caller, id: string, rating: string, solved?: boolean) =>
    act(t, as, 'rateIssue', { id, rating, ...(solved === undefined ? {} : { solved }) }),
  close: (t: TestPlatform, as: Caller, id: string) => act(t, as, 'closeIssue', { id, note: '回访核实' }),
  reopen: (t: TestPlatform, as: Caller, id: string) => act(t, as, 'reopenIssue', { id, reason: '问题仍存在' }),
  escalate: (t: TestPlatform, as: Caller, id: string) => act(t, as, 'escalateIssue', { id, supervisingLeader: '副市长' }),
  merge: (t: TestPlatform, as: Caller, id: string, intoId: string) => act(t, as, 'mergeIssue', { id, intoId }),
  requestExtension: (t: TestPlatform, as: Caller, id: string, totalWorkingDays: number) =>
    act(t, as, 'requestExtension', { id, totalWorkingDays, reason: '需会商' }),
  grantExtension: (t: TestPlatform, as: Caller, id: string, approve = true) => act(t, as, 'grantExtension', { id, approve }),
  remind: (t: TestPlatform, as: Caller, id: string) => act(t, as, 'remindIssue', { id, note: '请抓紧办理' }),
  publish: (t: TestPlatform, as: Caller, id: string, kind = 'NEGATIVE') =>
    act(t, as, 'publishIssue', { id, title: '典型案例', summary: '匿名摘要', kind }),
};

/** An appeal taken to the given point of the loop by the right people. */
export async function appealAt(
  t: TestPlatform,
  point: 'SUBMITTED' | 'ACCEPTED' | 'ASSIGNED' | 'CONTACTED' | 'FEEDBACK_GIVEN' | 'RESOLVED' | 'CLOSED',
  options: { as?: Caller; unitCode?: string; staff?: Caller } = {},
) {
  const unitCode = options.unitCode ?? 'MARKET_REGULATION_BUREAU';
  const staff = options.staff ?? callers.marketStaff;
  let issue = await submitAppeal(t, options.as ?? callers.enterpriseA);
  const steps: [string, () => Promise<{ data: any; errors?: unknown }>][] = [
    ['ACCEPTED', () => mutations.accept(t, callers.office, issue.id)],
    ['ASSIGNED', () => mutations.assign(t, callers.office, issue.id, unit(unitCode))],
    ['CONTACTED', () => mutations.contact(t, staff, issue.id)],
    ['FEEDBACK_GIVEN', () => mutations.feedback(t, staff, issue.id)],
    ['RESOLVED', () => mutations.resolve(t, staff, issue.id)],
    ['CLOSED', () => mutations.close(t, callers.office, issue.id)],
  ];
  for (const [reached, step] of steps) {
    if (issue.status === point) break;
    const result = await step();
    if (result.errors) throw new Error(`could not reach ${reached}: ${JSON.stringify(result.errors)}`);
    issue = result.data;
  }
  return issue;
}

/** The issues slice's kept figures, per day and per month, equal a rebuild from every row, with nothing left staged. */
export async function expectKeptFiguresRebuildable(t: TestPlatform): Promise<void> {
  for (const [table, period] of [
    ['issues.issue_figures', 'day'],
    ['issues.issue_figures_monthly', 'month'],
  ] as const) {
    await expectKeptEqualsRebuild(t.database.handle.owner(), {
      table,
      keys: ['axis', 'key', period],
      rebuild: 'issues.rebuild_figures',
      staging: 'issues.issue_figure_changes',
    });
  }
}
