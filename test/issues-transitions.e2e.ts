/**
 * The closed loop of issues, transition by transition: every action of the contract from a status
 * where it is allowed (new status, the event appended to the history, what else it changes) and
 * from a status where it is refused (INVALID_TRANSITION naming the current status, and nothing
 * changed). Through the gateway, and the whole loop also straight against the issues subgraph as a
 * bureau frontend calls it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';
import { HOUR, MINUTE, TestClock } from './support/clock.ts';
import { requestId, unit, mutationSignatures } from './support/issues.ts';

/** Monday 4 November 2024, 09:00 in Qingdao: 30 working days ahead hold no public holiday. */
const START = '2024-11-04T09:00:00+08:00';
const clock = new TestClock(START);

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
});
afterAll(async () => {
  await t?.stop();
});
// Each test works on its own issues and starts on the same Monday morning.
beforeEach(() => clock.set(START));

// ───────────── callers, with subjects so the history's actor can be checked ─────────────

const office = { role: 'COMMAND_OFFICE', subject: 'office-zhang' } as const satisfies Caller;
const marketStaff = { role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU', subject: 'market-staff-li' } as const satisfies Caller;
const marketAdmin = { role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU', subject: 'market-admin-wang' } as const satisfies Caller;
const enterpriseA = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370202', 1), subject: 'enterprise-a' } as const satisfies Caller;
const enterpriseB = { role: 'ENTERPRISE', enterprise: sampleCreditCode('370203', 11), subject: 'enterprise-b' } as const satisfies Caller;
type Who = typeof office | typeof marketStaff | typeof marketAdmin | typeof enterpriseA | typeof enterpriseB;

const MARKET = unit('MARKET_REGULATION_BUREAU');
const APPROVAL = unit('ADMINISTRATIVE_APPROVAL_BUREAU');
const OFFICE_UNIT = unit('COMMAND_OFFICE');

// ───────────── transport ─────────────

type Via = 'gateway' | 'issues subgraph';

function send(via: Via, document: string, options: { as?: Caller; variables?: Record<string, unknown> }): Promise<GraphQLResponse> {
  return via === 'gateway' ? t.query(document, options) : t.querySubgraph('issues', document, options);
}

const FIELDS = /* GraphQL */ `
  id number status effectiveStatus version source title
  rectificationMode immediateWorkingDays
  receivedAt acceptedAt resolvedAt closedAt rejectionReason resolution reopenCount absorbedCount reminderCount published
  responsibleUnit { id }
  mergedInto { id }
  rating { rating solved comment round }
  escalation { supervisingLeader escalatedAt }
  extension { requestedWorkingDays reason pending grantedWorkingDays }
  deadlines { id stage round dueAt metAt state workingDays title }
  milestones { id title metAt state }
  history { action fromStatus toStatus note noteFor actor { subject role unit { id } } unit { id } rating workingDays at }
`;

type Mutation = keyof typeof mutationSignatures;

interface Outcome {
  issue: any;
  error: { message: string; extensions?: Record<string, any> } | undefined;
}

/** One mutation; the clock moves on a minute first, as people do not act in the same instant. */
async function perform(mutation: Mutation, as: Caller, args: Record<string, unknown>, via: Via = 'gateway'): Promise<Outcome> {
  clock.advance(MINUTE);
  const types: Record<string, string> = mutationSignatures[mutation];
  const names = Object.keys(args);
  for (const name of names) if (!types[name]) throw new Error(`${mutation} takes no ${name}`);
  const declared = names.map((name) => `$${name}: ${types[name]}`).join(', ');
  const passed = names.map((name) => `${name}: $${name}`).join(', ');
  const response = await send(via, `mutation Act(${declared}) { ${mutation}(${passed}) { ${FIELDS} } }`, { as, variables: args });
  return { issue: response.data?.[mutation] ?? null, error: response.errors?.[0] };
}

/** Same as `perform`, for the steps that set a test up: they must succeed. */
async function step(mutation: Mutation, as: Caller, args: Record<string, unknown>, via: Via = 'gateway') {
  const { issue, error } = await perform(mutation, as, args, via);
  if (error) throw new Error(`${mutation} failed: ${JSON.stringify(error)}`);
  return issue;
}

async function read(id: string, as: Caller = office, via: Via = 'gateway') {
  const response = await send(via, `query Read($id: ID!) { issue(id: $id) { ${FIELDS} } }`, { as, variables: { id } });
  expect(response.errors).toBeUndefined();
  return response.data.issue;
}

const instant = (value: string | null) => (value === null ? null : new Date(value).getTime());

/**
 * The issue as any viewer sees it. Accounts differ between viewers (an enterprise's is hidden from
 * units, an official's from enterprises), as do the SUBMIT event's unit and internal notes (hidden
 * from enterprises) and an extension's internal reason; comparisons across viewers leave those out.
 */
const viewerNeutral = (issue: any) =>
  issue && {
    ...issue,
    extension: issue.extension && { ...issue.extension, reason: '(internal)' },
    history: issue.history.map((e: any) => ({
      ...e,
      note: e.noteFor === 'INTERNAL' ? '(internal)' : e.note,
      actor: { ...e.actor, subject: '(account)', unit: e.action === 'SUBMIT' ? '(reporter)' : e.actor.unit },
    })),
  };

// ───────────── issues at a given point of the loop ─────────────

async function submitAppeal(as: Caller = enterpriseA, via: Via = 'gateway', input: Record<string, unknown> = {}) {
  clock.advance(MINUTE);
  const response = await send(via, `mutation Submit($input: SubmitAppealInput!) { submitAppeal(input: $input) { ${FIELDS} } }`, {
    as,
    variables: {
      input: {
        clientRequestId: requestId('transition'),
        kind: 'HELP',
        environment: 'SERVICE',
        title: '营业执照变更反复补正',
        description: '希望一次性告知需要补正的材料',
        districtCode: '370202',
        ...input,
      },
    },
  });
  if (response.errors) throw new Error(`submitAppeal failed: ${JSON.stringify(response.errors)}`);
  return response.data.submitAppeal;
}

async function report(as: Caller, input: Record<string, unknown>) {
  clock.advance(MINUTE);
  const response = await t.query(`mutation Report($input: ReportIssueInput!) { reportIssue(input: $input) { ${FIELDS} } }`, {
    as,
    variables: {
      input: {
        clientRequestId: requestId('transition-report'),
        environment: 'SERVICE',
        title: '窗口推诿',
        description: '现场发现的问题',
        ...input,
      },
    },
  });
  if (response.errors) throw new Error(`reportIssue failed: ${JSON.stringify(response.errors)}`);
  return response.data.reportIssue;
}

type AppealPoint = 'SUBMITTED' | 'ACCEPTED' | 'ASSIGNED' | 'CONTACTED' | 'FEEDBACK_GIVEN' | 'RESOLVED' | 'CLOSED';
const APPEAL_PATH: AppealPoint[] = ['SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'CLOSED'];

/** Takes an appeal (or an issue already submitted) along the loop to `point`, each step by its proper actor. */
async function advance(issue: any, point: AppealPoint, via: Via = 'gateway') {
  const steps: Record<Exclude<AppealPoint, 'SUBMITTED'>, () => Promise<any>> = {
    ACCEPTED: () => step('acceptIssue', office, { id: issue.id }, via),
    ASSIGNED: () => step('assignIssue', office, { id: issue.id, unitId: MARKET }, via),
    CONTACTED: () => step('recordContact', marketStaff, { id: issue.id, note: '已电话联系企业' }, via),
    FEEDBACK_GIVEN: () => step('giveFeedback', marketStaff, { id: issue.id, note: '已初步答复办理方案' }, via),
    RESOLVED: () => step('resolveIssue', marketStaff, { id: issue.id, resolution: '已一次性告知并当场办结' }, via),
    CLOSED: () => step('closeIssue', office, { id: issue.id, note: '回访企业，确认已解决' }, via),
  };
  for (const next of APPEAL_PATH.slice(APPEAL_PATH.indexOf(issue.status) + 1, APPEAL_PATH.indexOf(point) + 1)) {
    issue = await steps[next as Exclude<AppealPoint, 'SUBMITTED'>]();
  }
  return issue;
}

const appealAt = async (point: AppealPoint, as: Caller = enterpriseA) => advance(await submitAppeal(as), point);

/** A problem the market regulation bureau found itself, accepted with the given mode and assigned back to it. */
async function selfFound(mode: 'IMMEDIATE' | 'ONGOING', point: 'SUBMITTED' | 'ACCEPTED' | 'ASSIGNED' = 'ASSIGNED') {
  let issue = await report(marketStaff, { source: 'SELF_INSPECTION', title: '自查：窗口一次性告知不到位' });
  if (point === 'SUBMITTED') return issue;
  const input =
    mode === 'IMMEDIATE'
      ? { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 5 }
      : {
          rectificationMode: 'ONGOING',
          milestones: [
            { title: '梳理材料清单', dueOn: '2024-11-15' },
            { title: '上线一次告知', dueOn: '2024-11-29' },
          ],
        };
  issue = await step('acceptIssue', office, { id: issue.id, input });
  if (point === 'ACCEPTED') return issue;
  return step('assignIssue', office, { id: issue.id, unitId: MARKET });
}

// ───────────── assertions ─────────────

/** The action succeeded: the status, one more version, and exactly one event appended by the caller. */
function expectTransition(before: any, outcome: Outcome, expected: { action: string; to: string; by: Who; note?: string | null }) {
  expect(outcome.error).toBeUndefined();
  const after = outcome.issue;
  expect(after.status).toBe(expected.to);
  expect(after.version).toBe(before.version + 1);
  expect(after.history).toHaveLength(before.history.length + 1);
  expect(viewerNeutral(after).history.slice(0, -1)).toEqual(viewerNeutral(before).history);
  const event = after.history.at(-1);
  expect(event).toMatchObject({
    action: expected.action,
    fromStatus: before.status,
    toStatus: expected.to,
    actor: { subject: expected.by.subject, role: expected.by.role },
  });
  if ('unit' in expected.by) expect(event.actor.unit).toEqual({ id: unit(expected.by.unit) });
  if (expected.by.role === 'COMMAND_OFFICE') expect(event.actor.unit).toEqual({ id: OFFICE_UNIT });
  if (expected.by.role === 'ENTERPRISE') expect(event.actor.unit).toBeNull();
  if (expected.note !== undefined) expect(event.note).toBe(expected.note);
  expect(instant(event.at)).toBe(clock.now().getTime());
  return after;
}

/** The action was refused with `code`, and a fresh read shows the issue exactly as before. */
async function expectRefused(before: any, outcome: Outcome, code: string, currentState?: string) {
  expect(outcome.issue).toBeNull();
  expect(outcome.error?.extensions?.code).toBe(code);
  expect(outcome.error?.extensions?.messageZh).toEqual(expect.any(String));
  expect(outcome.error?.extensions?.messageEn).toEqual(expect.any(String));
  if (currentState) expect(outcome.error?.extensions?.currentState).toBe(currentState);
  const after = await read(before.id);
  expect(after.status).toBe(before.status);
  expect(after.version).toBe(before.version);
  expect(after.history).toHaveLength(before.history.length);
  expect(viewerNeutral(after)).toEqual(viewerNeutral(before));
}

const expectInvalidTransition = (before: any, outcome: Outcome) => expectRefused(before, outcome, 'INVALID_TRANSITION', before.status);

const deadline = (issue: any, stage: string, round = 1) => issue.deadlines.find((d: any) => d.stage === stage && d.round === round);

// ───────────── the tests ─────────────

describe('acceptIssue', () => {
  it('accepts a submitted appeal, stamping acceptedAt and recording ACCEPT', async () => {
    const before = await appealAt('SUBMITTED');
    const after = expectTransition(before, await perform('acceptIssue', office, { id: before.id, input: { note: '属于青诉即办范围' } }), {
      action: 'ACCEPT',
      to: 'ACCEPTED',
      by: office,
      note: '属于青诉即办范围',
    });
    expect(instant(after.acceptedAt)).toBe(clock.now().getTime());
    expect(after.rectificationMode).toBeNull();
    expect(await read(before.id)).toEqual(after);
  });

  it('refuses to accept an issue that is already accepted, or rejected', async () => {
    const accepted = await appealAt('ACCEPTED');
    await expectInvalidTransition(accepted, await perform('acceptIssue', office, { id: accepted.id }));
    const rejected = await step('rejectIssue', office, { id: (await appealAt('SUBMITTED')).id, reason: '重复提交' });
    await expectInvalidTransition(rejected, await perform('acceptIssue', office, { id: rejected.id }));
  });

  it('refuses to accept a self-found problem without a rectification mode, and an appeal with one', async () => {
    const selfReported = await selfFound('IMMEDIATE', 'SUBMITTED');
    const missing = await perform('acceptIssue', office, { id: selfReported.id });
    await expectRefused(selfReported, missing, 'BAD_USER_INPUT');
    expect(missing.error?.extensions?.field).toBe('input.rectificationMode');

    const appeal = await appealAt('SUBMITTED');
    const given = await perform('acceptIssue', office, {
      id: appeal.id,
      input: { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 3 },
    });
    await expectRefused(appeal, given, 'BAD_USER_INPUT');
    expect(given.error?.extensions?.field).toBe('input.rectificationMode');
  });

  it('accepts a self-found problem as IMMEDIATE with a working-day resolution limit the command office sets', async () => {
    const before = await selfFound('IMMEDIATE', 'SUBMITTED');
    const after = expectTransition(
      before,
      await perform('acceptIssue', office, { id: before.id, input: { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 5 } }),
      { action: 'ACCEPT', to: 'ACCEPTED', by: office },
    );
    expect(after).toMatchObject({ rectificationMode: 'IMMEDIATE', immediateWorkingDays: 5 });
    // The limit runs from the handling unit's receipt, not from acceptance: nothing runs while nobody has it.
    expect(after.deadlines).toEqual([]);
    clock.advance(2 * HOUR);
    const assigned = await step('assignIssue', office, { id: before.id, unitId: MARKET });
    expect(assigned.deadlines).toEqual([expect.objectContaining({ stage: 'RESOLUTION', round: 1, workingDays: 5, state: 'ON_TIME' })]);
    // Assigned Monday 4 November 2024 at 11:01: five working days end with Monday 11 November.
    expect(deadline(assigned, 'RESOLUTION').dueAt).toBe('2024-11-12T00:00:00+08:00');
  });
});

describe('rejectIssue', () => {
  it('rejects a submitted appeal only with a reason and stores the reason; no clock ever ran for it', async () => {
    const before = await appealAt('SUBMITTED');
    const blank = await perform('rejectIssue', office, { id: before.id, reason: '   ' });
    await expectRefused(before, blank, 'BAD_USER_INPUT');
    expect(blank.error?.extensions?.field).toBe('reason');

    const reason = '属于司法程序处理事项，不予受理';
    const after = expectTransition(before, await perform('rejectIssue', office, { id: before.id, reason }), {
      action: 'REJECT',
      to: 'REJECTED',
      by: office,
      note: reason,
    });
    expect(after.rejectionReason).toBe(reason);
    // A unit's clocks start when it receives the item: a rejected appeal never reached one.
    expect(after.deadlines).toEqual([]);
  });

  it('refuses to reject an issue that was already accepted and assigned', async () => {
    const assigned = await appealAt('ASSIGNED');
    await expectInvalidTransition(assigned, await perform('rejectIssue', office, { id: assigned.id, reason: '不属实' }));
  });
});

describe('assignIssue', () => {
  it('assigns an accepted issue to a unit, and reassigns it (转办) to another', async () => {
    const before = await appealAt('ACCEPTED');
    const assigned = expectTransition(
      before,
      await perform('assignIssue', office, { id: before.id, unitId: MARKET, note: '请市场监管局办理' }),
      {
        action: 'ASSIGN',
        to: 'ASSIGNED',
        by: office,
        note: '请市场监管局办理',
      },
    );
    expect(assigned.responsibleUnit).toEqual({ id: MARKET });
    expect(assigned.history.at(-1).unit).toEqual({ id: MARKET });

    const reassigned = expectTransition(assigned, await perform('assignIssue', office, { id: before.id, unitId: APPROVAL }), {
      action: 'REASSIGN',
      to: 'ASSIGNED',
      by: office,
    });
    expect(reassigned.responsibleUnit).toEqual({ id: APPROVAL });
    expect(reassigned.history.at(-1).unit).toEqual({ id: APPROVAL });
  });

  it('refuses to assign an issue that was not accepted yet, or is already resolved', async () => {
    const submitted = await appealAt('SUBMITTED');
    await expectInvalidTransition(submitted, await perform('assignIssue', office, { id: submitted.id, unitId: MARKET }));
    const resolved = await appealAt('RESOLVED');
    await expectInvalidTransition(resolved, await perform('assignIssue', office, { id: resolved.id, unitId: APPROVAL }));
  });

  it('refuses to assign an issue to the unit that already has it, or to a unit that does not exist', async () => {
    const assigned = await appealAt('ASSIGNED');
    const same = await perform('assignIssue', office, { id: assigned.id, unitId: MARKET });
    await expectRefused(assigned, same, 'BAD_USER_INPUT');
    expect(same.error?.extensions?.field).toBe('unitId');
    const unknown = await perform('assignIssue', office, { id: assigned.id, unitId: '00000000-0000-4000-8000-000000000000' });
    await expectRefused(assigned, unknown, 'BAD_USER_INPUT');
    expect(unknown.error?.extensions?.field).toBe('unitId');
  });
});

describe('returnIssue', () => {
  it('lets the unit admin return an assigned issue with a reason, clearing the responsible unit until the office reassigns it', async () => {
    const before = await appealAt('ASSIGNED');
    const blank = await perform('returnIssue', marketAdmin, { id: before.id, reason: '' });
    await expectRefused(before, blank, 'BAD_USER_INPUT');
    expect(blank.error?.extensions?.field).toBe('reason');

    const reason = '涉及审批事项，不属市场监管职责';
    const returned = expectTransition(before, await perform('returnIssue', marketAdmin, { id: before.id, reason }), {
      action: 'RETURN',
      to: 'RETURNED',
      by: marketAdmin,
      note: reason,
    });
    expect(returned.responsibleUnit).toBeNull();
    expect(returned.history.at(-1).unit).toEqual({ id: MARKET });
    // The returning unit no longer sees it; the office does, unchanged.
    expect(await read(before.id, marketAdmin)).toBeNull();
    expect(viewerNeutral(await read(before.id))).toEqual(viewerNeutral(returned));

    const reassigned = expectTransition(returned, await perform('assignIssue', office, { id: before.id, unitId: APPROVAL }), {
      action: 'REASSIGN',
      to: 'ASSIGNED',
      by: office,
    });
    expect(reassigned.responsibleUnit).toEqual({ id: APPROVAL });
  });

  it('refuses to return an issue the unit has already contacted the enterprise about', async () => {
    const contacted = await appealAt('CONTACTED');
    await expectInvalidTransition(contacted, await perform('returnIssue', marketAdmin, { id: contacted.id, reason: '不属本单位职责' }));
  });
});

describe('recordContact', () => {
  it('records the contact of an assigned appeal and meets the 2-hour contact deadline', async () => {
    const before = await appealAt('ASSIGNED');
    const after = expectTransition(before, await perform('recordContact', marketStaff, { id: before.id, note: '已电话联系法人' }), {
      action: 'CONTACT',
      to: 'CONTACTED',
      by: marketStaff,
      note: '已电话联系法人',
    });
    const contact = deadline(after, 'CONTACT');
    expect(contact.state).toBe('MET');
    expect(instant(contact.metAt)).toBe(clock.now().getTime());
    expect(deadline(after, 'FEEDBACK').metAt).toBeNull();
  });

  it('refuses to record a contact before the issue is assigned, or a second time', async () => {
    const accepted = await appealAt('ACCEPTED');
    await expectInvalidTransition(accepted, await perform('recordContact', office, { id: accepted.id, note: '已联系' }));
    const contacted = await appealAt('CONTACTED');
    await expectInvalidTransition(contacted, await perform('recordContact', marketStaff, { id: contacted.id, note: '再次联系' }));
  });
});

describe('giveFeedback', () => {
  it('gives the initial feedback after the contact and meets the feedback deadline', async () => {
    const before = await appealAt('CONTACTED');
    const after = expectTransition(before, await perform('giveFeedback', marketStaff, { id: before.id, note: '已告知办理方案' }), {
      action: 'FEEDBACK',
      to: 'FEEDBACK_GIVEN',
      by: marketStaff,
      note: '已告知办理方案',
    });
    expect(deadline(after, 'FEEDBACK').state).toBe('MET');
  });

  it('refuses to give feedback before the enterprise was contacted', async () => {
    const assigned = await appealAt('ASSIGNED');
    await expectInvalidTransition(assigned, await perform('giveFeedback', marketStaff, { id: assigned.id, note: '答复' }));
  });
});

describe('resolveIssue', () => {
  it('resolves an appeal after contact and feedback, storing what was done', async () => {
    const before = await appealAt('FEEDBACK_GIVEN');
    const resolution = '已梳理材料清单并一次性告知，企业当日办结变更';
    const after = expectTransition(before, await perform('resolveIssue', marketStaff, { id: before.id, resolution }), {
      action: 'RESOLVE',
      to: 'RESOLVED',
      by: marketStaff,
      note: resolution,
    });
    expect(after.resolution).toBe(resolution);
    expect(instant(after.resolvedAt)).toBe(clock.now().getTime());
    expect(deadline(after, 'RESOLUTION').state).toBe('MET');
    expect(after.deadlines.every((d: any) => d.state === 'MET')).toBe(true);
  });

  it('refuses to resolve an enterprise appeal before contact and before feedback', async () => {
    const assigned = await appealAt('ASSIGNED');
    await expectInvalidTransition(assigned, await perform('resolveIssue', marketStaff, { id: assigned.id, resolution: '已办结' }));
    const contacted = await advance(assigned, 'CONTACTED');
    await expectInvalidTransition(contacted, await perform('resolveIssue', marketStaff, { id: assigned.id, resolution: '已办结' }));
  });

  it('refuses to resolve a 12345 hotline item before contact and feedback, like an appeal', async () => {
    const hotline = await report(office, { source: 'HOTLINE_12345', appealKind: 'COMPLAINT', title: '热线：办事窗口推诿' });
    const assigned = await advance(hotline, 'ASSIGNED');
    await expectInvalidTransition(assigned, await perform('resolveIssue', marketStaff, { id: assigned.id, resolution: '已办结' }));
    const contacted = await advance(assigned, 'CONTACTED');
    await expectInvalidTransition(contacted, await perform('resolveIssue', marketStaff, { id: assigned.id, resolution: '已办结' }));
    const resolved = await advance(contacted, 'RESOLVED');
    expect(resolved.status).toBe('RESOLVED');
  });

  it('resolves a self-found IMMEDIATE problem straight from ASSIGNED', async () => {
    const before = await selfFound('IMMEDIATE');
    const after = expectTransition(before, await perform('resolveIssue', marketStaff, { id: before.id, resolution: '已当场整改' }), {
      action: 'RESOLVE',
      to: 'RESOLVED',
      by: marketStaff,
    });
    expect(after.resolution).toBe('已当场整改');
    expect(deadline(after, 'RESOLUTION').state).toBe('MET');
  });

  it('refuses to resolve a resolved issue again', async () => {
    const resolved = await appealAt('RESOLVED');
    await expectInvalidTransition(resolved, await perform('resolveIssue', marketStaff, { id: resolved.id, resolution: '再次办结' }));
  });
});

describe('ONGOING rectification: milestones', () => {
  it('refuses to accept an ONGOING rectification without milestones', async () => {
    const before = await selfFound('ONGOING', 'SUBMITTED');
    const outcome = await perform('acceptIssue', office, { id: before.id, input: { rectificationMode: 'ONGOING' } });
    await expectRefused(before, outcome, 'BAD_USER_INPUT');
    expect(outcome.error?.extensions?.field).toBe('input.milestones');
  });

  it('cannot be resolved while a milestone is open, and can once all are completed', async () => {
    let issue = await selfFound('ONGOING');
    expect(issue.rectificationMode).toBe('ONGOING');
    expect(issue.milestones.map((m: any) => m.title)).toEqual(['梳理材料清单', '上线一次告知']);
    expect(deadline(issue, 'RESOLUTION').dueAt).toBe('2024-11-30T00:00:00+08:00');

    await expectInvalidTransition(issue, await perform('resolveIssue', marketStaff, { id: issue.id, resolution: '已整改' }));

    const [first, second] = issue.milestones;
    issue = expectTransition(
      issue,
      await perform('completeMilestone', marketStaff, { id: issue.id, milestoneId: first.id, note: '清单已印发' }),
      {
        action: 'COMPLETE_MILESTONE',
        to: 'ASSIGNED',
        by: marketStaff,
        note: '清单已印发',
      },
    );
    expect(issue.milestones.map((m: any) => m.state)).toEqual(['MET', 'ON_TIME']);
    await expectInvalidTransition(issue, await perform('resolveIssue', marketStaff, { id: issue.id, resolution: '已整改' }));

    issue = await step('completeMilestone', marketStaff, { id: issue.id, milestoneId: second.id, note: '系统已上线' });
    issue = expectTransition(issue, await perform('resolveIssue', marketStaff, { id: issue.id, resolution: '已整改完毕' }), {
      action: 'RESOLVE',
      to: 'RESOLVED',
      by: marketStaff,
    });
    expect(issue.deadlines.every((d: any) => d.state === 'MET')).toBe(true);
  });

  it('refuses to complete a milestone twice, or before the issue is assigned', async () => {
    let issue = await selfFound('ONGOING');
    issue = await step('completeMilestone', marketStaff, { id: issue.id, milestoneId: issue.milestones[0].id, note: '完成' });
    await expectRefused(
      issue,
      await perform('completeMilestone', marketStaff, { id: issue.id, milestoneId: issue.milestones[0].id, note: '再次完成' }),
      'INVALID_TRANSITION',
      'ASSIGNED',
    );

    const accepted = await selfFound('ONGOING', 'ACCEPTED');
    await expectInvalidTransition(
      accepted,
      await perform('completeMilestone', office, { id: accepted.id, milestoneId: accepted.milestones[0].id, note: '完成' }),
    );
  });

  it('re-plans the open milestones on a granted request, keeping completed ones and moving the resolution deadline to the last', async () => {
    let issue = await selfFound('ONGOING');
    issue = await step('completeMilestone', marketStaff, { id: issue.id, milestoneId: issue.milestones[0].id, note: '完成' });
    const milestones = [
      { title: '试运行', dueOn: '2024-12-06' },
      { title: '全面推广', dueOn: '2024-12-20' },
    ];
    // The unit may not move its own plan: that is a request the command office grants.
    await expectInvalidTransition(issue, await perform('planMilestones', marketStaff, { id: issue.id, milestones }));
    await expectRefused(issue, await perform('requestReplan', marketStaff, { id: issue.id, milestones, reason: '需试运行' }), 'FORBIDDEN');
    const requested = expectTransition(
      issue,
      await perform('requestReplan', marketAdmin, { id: issue.id, milestones, reason: '需试运行' }),
      {
        action: 'REQUEST_REPLAN',
        to: 'ASSIGNED',
        by: marketAdmin,
      },
    );
    expect(requested.milestones).toEqual(issue.milestones);
    const after = expectTransition(requested, await perform('decideReplan', office, { id: issue.id, note: '同意' }), {
      action: 'GRANT_REPLAN',
      to: 'ASSIGNED',
      by: office,
    });
    expect(after.milestones.map((m: any) => [m.title, m.state])).toEqual([
      ['梳理材料清单', 'MET'],
      ['试运行', 'ON_TIME'],
      ['全面推广', 'ON_TIME'],
    ]);
    expect(after.deadlines.find((d: any) => d.title === '上线一次告知')?.state).toBe('CANCELLED');
    const open = after.deadlines.filter((d: any) => d.stage === 'RESOLUTION' && d.state !== 'CANCELLED');
    expect(open).toEqual([expect.objectContaining({ dueAt: '2024-12-21T00:00:00+08:00', metAt: null })]);
  });

  it('refuses to plan milestones for a resolved issue, or for an IMMEDIATE one', async () => {
    const milestones = [{ title: '补充节点', dueOn: '2024-12-31' }];
    let ongoing = await selfFound('ONGOING');
    for (const m of ongoing.milestones)
      ongoing = await step('completeMilestone', marketStaff, { id: ongoing.id, milestoneId: m.id, note: '完成' });
    const resolved = await step('resolveIssue', marketStaff, { id: ongoing.id, resolution: '已整改' });
    await expectInvalidTransition(resolved, await perform('planMilestones', marketStaff, { id: resolved.id, milestones }));

    const immediate = await selfFound('IMMEDIATE');
    await expectRefused(
      immediate,
      await perform('planMilestones', office, { id: immediate.id, milestones }),
      'INVALID_TRANSITION',
      'ASSIGNED',
    );
  });
});

describe('rateIssue', () => {
  it('lets the enterprise rate a resolved appeal; the status stays RESOLVED', async () => {
    const before = await appealAt('RESOLVED');
    const after = expectTransition(
      before,
      await perform('rateIssue', enterpriseA, { id: before.id, rating: 'BASICALLY_SATISFIED', comment: '办理及时' }),
      { action: 'RATE', to: 'RESOLVED', by: enterpriseA, note: '办理及时' },
    );
    expect(after.rating).toEqual({ rating: 'BASICALLY_SATISFIED', solved: true, comment: '办理及时', round: 1 });
    expect(after.history.at(-1).rating).toBe('BASICALLY_SATISFIED');
    expect(after.reopenCount).toBe(0);
  });

  it('refuses to rate the same round of handling twice', async () => {
    const resolved = await appealAt('RESOLVED');
    const rated = await step('rateIssue', enterpriseA, { id: resolved.id, rating: 'SATISFIED' });
    await expectInvalidTransition(rated, await perform('rateIssue', enterpriseA, { id: resolved.id, rating: 'UNSATISFIED' }));
  });

  it('refuses to rate an appeal that is not resolved yet, or already closed', async () => {
    const feedback = await appealAt('FEEDBACK_GIVEN');
    await expectInvalidTransition(feedback, await perform('rateIssue', enterpriseA, { id: feedback.id, rating: 'SATISFIED' }));
    const closed = await appealAt('CLOSED');
    await expectInvalidTransition(closed, await perform('rateIssue', enterpriseA, { id: closed.id, rating: 'SATISFIED' }));
  });

  it("reopens on the enterprise's first UNSATISFIED rating, not on the second; then only the command office may reopen", async () => {
    const resolved = await appealAt('RESOLVED');
    const reopened = expectTransition(
      resolved,
      await perform('rateIssue', enterpriseA, { id: resolved.id, rating: 'UNSATISFIED', comment: '材料仍需反复提交' }),
      {
        action: 'RATE_AND_REOPEN',
        to: 'REOPENED',
        by: enterpriseA,
      },
    );
    expect(reopened.reopenCount).toBe(1);
    expect(reopened.rating).toMatchObject({ rating: 'UNSATISFIED', solved: false });
    const round2 = deadline(reopened, 'RESOLUTION', 2);
    expect(round2).toMatchObject({ workingDays: 15, metAt: null, state: 'ON_TIME' });
    expect(deadline(reopened, 'RESOLUTION', 1).state).toBe('MET');
    // Rated on Monday 4 November 2024; the day itself does not count: 15 working days end with Monday 25 November.
    expect(round2.dueAt).toBe('2024-11-26T00:00:00+08:00');

    const reResolved = expectTransition(
      reopened,
      await perform('resolveIssue', marketStaff, { id: resolved.id, resolution: '已开通线上预审' }),
      {
        action: 'RESOLVE',
        to: 'RESOLVED',
        by: marketStaff,
      },
    );
    expect(deadline(reResolved, 'RESOLUTION', 2).state).toBe('MET');

    const secondRating = expectTransition(reResolved, await perform('rateIssue', enterpriseA, { id: resolved.id, rating: 'UNSATISFIED' }), {
      action: 'RATE',
      to: 'RESOLVED',
      by: enterpriseA,
    });
    expect(secondRating.reopenCount).toBe(1);
    expect(secondRating.deadlines.filter((d: any) => d.stage === 'RESOLUTION')).toHaveLength(2);

    await expectRefused(secondRating, await perform('reopenIssue', enterpriseA, { id: resolved.id, reason: '仍不满意' }), 'FORBIDDEN');

    const byOffice = expectTransition(
      secondRating,
      await perform('reopenIssue', office, { id: resolved.id, reason: '市指挥部办公室决定重办' }),
      {
        action: 'REOPEN',
        to: 'REOPENED',
        by: office,
        note: '市指挥部办公室决定重办',
      },
    );
    expect(byOffice.reopenCount).toBe(2);
    expect(deadline(byOffice, 'RESOLUTION', 3)).toMatchObject({ workingDays: 15, metAt: null });
  });
});

describe('closeIssue', () => {
  it('closes (销号) a resolved issue after verification, stamping closedAt', async () => {
    const before = await appealAt('RESOLVED');
    const after = expectTransition(before, await perform('closeIssue', office, { id: before.id, note: '电话回访，企业确认解决' }), {
      action: 'CLOSE',
      to: 'CLOSED',
      by: office,
      note: '电话回访，企业确认解决',
    });
    expect(instant(after.closedAt)).toBe(clock.now().getTime());
  });

  it('refuses to close an issue that was never resolved, or is closed already', async () => {
    const feedback = await appealAt('FEEDBACK_GIVEN');
    await expectInvalidTransition(feedback, await perform('closeIssue', office, { id: feedback.id, note: '销号' }));
    const closed = await appealAt('CLOSED');
    await expectInvalidTransition(closed, await perform('closeIssue', office, { id: closed.id, note: '再次销号' }));
  });
});

describe('reopenIssue', () => {
  it('lets the command office reopen a closed issue: closedAt cleared, a new resolution round', async () => {
    const before = await appealAt('CLOSED');
    const after = expectTransition(before, await perform('reopenIssue', office, { id: before.id, reason: '媒体反映问题复发' }), {
      action: 'REOPEN',
      to: 'REOPENED',
      by: office,
      note: '媒体反映问题复发',
    });
    expect(after.closedAt).toBeNull();
    expect(after.reopenCount).toBe(1);
    expect(deadline(after, 'RESOLUTION', 2)).toMatchObject({ workingDays: 15, metAt: null, state: 'ON_TIME' });
    // A reopened appeal is handled again: contact, or resolve again.
    const contacted = await step('recordContact', marketStaff, { id: before.id, note: '再次联系企业' });
    expect(contacted.status).toBe('CONTACTED');
  });

  it('lets the enterprise reopen once, and refuses the second time', async () => {
    const resolved = await appealAt('RESOLVED');
    const reopened = expectTransition(resolved, await perform('reopenIssue', enterpriseA, { id: resolved.id, reason: '问题没有解决' }), {
      action: 'REOPEN',
      to: 'REOPENED',
      by: enterpriseA,
    });
    expect(reopened.reopenCount).toBe(1);
    const again = await step('resolveIssue', marketStaff, { id: resolved.id, resolution: '再次办理' });
    await expectRefused(again, await perform('reopenIssue', enterpriseA, { id: resolved.id, reason: '还是没有解决' }), 'FORBIDDEN');
    // Its one reopening used, an UNSATISFIED rating no longer reopens either.
    const rated = await step('rateIssue', enterpriseA, { id: resolved.id, rating: 'UNSATISFIED' });
    expect(rated).toMatchObject({ status: 'RESOLVED', reopenCount: 1 });
  });

  it('refuses to reopen an issue that is still being handled', async () => {
    const assigned = await appealAt('ASSIGNED');
    await expectInvalidTransition(assigned, await perform('reopenIssue', office, { id: assigned.id, reason: '重办' }));
    const submitted = await appealAt('SUBMITTED');
    await expectInvalidTransition(submitted, await perform('reopenIssue', enterpriseA, { id: submitted.id, reason: '重办' }));
  });
});

describe('escalateIssue', () => {
  it('escalates an open issue under a supervising leader without moving its status', async () => {
    const before = await appealAt('ASSIGNED');
    const after = expectTransition(
      before,
      await perform('escalateIssue', office, { id: before.id, supervisingLeader: '王副市长', note: '挂牌督办' }),
      {
        action: 'ESCALATE',
        to: 'ASSIGNED',
        by: office,
        note: '挂牌督办',
      },
    );
    expect(after.escalation.supervisingLeader).toBe('王副市长');
    expect(instant(after.escalation.escalatedAt)).toBe(clock.now().getTime());
  });

  it('refuses to escalate a closed or a rejected issue', async () => {
    const closed = await appealAt('CLOSED');
    await expectInvalidTransition(closed, await perform('escalateIssue', office, { id: closed.id, supervisingLeader: '王副市长' }));
    const rejected = await step('rejectIssue', office, { id: (await appealAt('SUBMITTED')).id, reason: '不属实' });
    await expectInvalidTransition(rejected, await perform('escalateIssue', office, { id: rejected.id, supervisingLeader: '王副市长' }));
  });
});

describe('mergeIssue', () => {
  it('merges a duplicate into its original: the duplicate is MERGED and follows the original, which counts it', async () => {
    const original = await appealAt('ASSIGNED', enterpriseA);
    const duplicate = await appealAt('ACCEPTED', enterpriseB);

    const merged = expectTransition(
      duplicate,
      await perform('mergeIssue', office, { id: duplicate.id, intoId: original.id, note: '同一事项' }),
      {
        action: 'MERGE',
        to: 'MERGED',
        by: office,
        note: '同一事项',
      },
    );
    expect(merged.mergedInto).toEqual({ id: original.id });
    expect(merged.effectiveStatus).toBe('ASSIGNED');
    expect(merged.deadlines.every((d: any) => d.state === 'CANCELLED')).toBe(true);

    const absorbing = await read(original.id);
    expect(absorbing.absorbedCount).toBe(1);
    expect(absorbing.status).toBe('ASSIGNED');
    expect(absorbing.version).toBe(original.version + 1);
    expect(absorbing.history).toHaveLength(original.history.length + 1);
    expect(absorbing.history.at(-1)).toMatchObject({
      action: 'ABSORB',
      fromStatus: 'ASSIGNED',
      toStatus: 'ASSIGNED',
      note: '同一事项',
      actor: { role: 'COMMAND_OFFICE' },
    });

    // The duplicate's reporter follows the original's outcome, without seeing the original itself.
    const original2 = await advance(absorbing, 'RESOLVED');
    const seenByReporter = await read(duplicate.id, enterpriseB);
    expect(seenByReporter).toMatchObject({
      status: 'MERGED',
      effectiveStatus: 'RESOLVED',
      resolution: original2.resolution,
      mergedInto: null,
    });
    expect(seenByReporter.history.map((e: any) => e.action)).toEqual(['SUBMIT', 'ACCEPT', 'MERGE']);
    await advance(original2, 'CLOSED');
    expect((await read(duplicate.id)).effectiveStatus).toBe('CLOSED');
  });

  it('re-points the duplicates a merged issue had absorbed, and the original counts them all', async () => {
    const first = await appealAt('ACCEPTED', enterpriseA);
    const second = await appealAt('ACCEPTED', enterpriseB);
    const third = await appealAt('ASSIGNED', enterpriseA);
    await step('mergeIssue', office, { id: first.id, intoId: second.id });
    expect((await read(second.id)).absorbedCount).toBe(1);

    const before = await read(third.id);
    await step('mergeIssue', office, { id: second.id, intoId: third.id });
    const original = await read(third.id);
    expect(original.absorbedCount).toBe(2);
    expect(original.history).toHaveLength(before.history.length + 1);
    expect(original.history.at(-1)).toMatchObject({ action: 'ABSORB', fromStatus: 'ASSIGNED', toStatus: 'ASSIGNED' });

    const firstNow = await read(first.id);
    expect(firstNow.mergedInto).toEqual({ id: third.id });
    expect(firstNow.effectiveStatus).toBe('ASSIGNED');
    expect(firstNow.history.map((e: any) => e.action)).toEqual(['SUBMIT', 'ACCEPT', 'MERGE']);
    const secondNow = await read(second.id);
    expect(secondNow.mergedInto).toEqual({ id: third.id });
    expect(secondNow.history.map((e: any) => e.action)).toEqual(['SUBMIT', 'ACCEPT', 'ABSORB', 'MERGE']);

    const resolved = await advance(original, 'RESOLVED');
    expect((await read(first.id)).resolution).toBe(resolved.resolution);
    expect((await read(first.id)).effectiveStatus).toBe('RESOLVED');
  });

  it('refuses to merge a closed issue, an issue into itself, or into an issue that was itself merged', async () => {
    const original = await appealAt('ASSIGNED');
    const closed = await appealAt('CLOSED');
    await expectInvalidTransition(closed, await perform('mergeIssue', office, { id: closed.id, intoId: original.id }));
    expect((await read(original.id)).absorbedCount).toBe(0);

    const open = await appealAt('ACCEPTED');
    const self = await perform('mergeIssue', office, { id: open.id, intoId: open.id });
    await expectRefused(open, self, 'BAD_USER_INPUT');
    expect(self.error?.extensions?.field).toBe('intoId');

    const mergedAway = await appealAt('ACCEPTED');
    await step('mergeIssue', office, { id: mergedAway.id, intoId: original.id });
    const intoMerged = await perform('mergeIssue', office, { id: open.id, intoId: mergedAway.id });
    await expectRefused(open, intoMerged, 'INVALID_TRANSITION', 'MERGED');
  });

  it('refuses every further action on a merged duplicate', async () => {
    const original = await appealAt('ASSIGNED');
    const duplicate = await step('mergeIssue', office, { id: (await appealAt('ASSIGNED')).id, intoId: original.id });
    await expectInvalidTransition(duplicate, await perform('recordContact', marketStaff, { id: duplicate.id, note: '联系' }));
    await expectInvalidTransition(duplicate, await perform('assignIssue', office, { id: duplicate.id, unitId: APPROVAL }));
    await expectInvalidTransition(duplicate, await perform('mergeIssue', office, { id: duplicate.id, intoId: original.id }));
  });
});

describe('requestExtension and grantExtension', () => {
  it('lets the unit admin ask for an extension before the deadline and the command office grant it', async () => {
    const before = await appealAt('ASSIGNED');
    const dueBefore = deadline(before, 'RESOLUTION').dueAt;
    const requested = expectTransition(
      before,
      await perform('requestExtension', marketAdmin, { id: before.id, totalWorkingDays: 20, reason: '需多部门会商' }),
      {
        action: 'REQUEST_EXTENSION',
        to: 'ASSIGNED',
        by: marketAdmin,
        note: '需多部门会商',
      },
    );
    expect(requested.extension).toEqual({ requestedWorkingDays: 20, reason: '需多部门会商', pending: true, grantedWorkingDays: null });
    expect(requested.history.at(-1).workingDays).toBe(20);
    expect(deadline(requested, 'RESOLUTION').dueAt).toBe(dueBefore);

    const granted = expectTransition(requested, await perform('grantExtension', office, { id: before.id, note: '同意延期' }), {
      action: 'GRANT_EXTENSION',
      to: 'ASSIGNED',
      by: office,
      note: '同意延期',
    });
    expect(granted.extension).toEqual({ requestedWorkingDays: null, reason: null, pending: false, grantedWorkingDays: 20 });
    const resolution = deadline(granted, 'RESOLUTION');
    expect(resolution.workingDays).toBe(20);
    // Received on Monday 4 November 2024; the day itself does not count: 20 working days end with Monday 2 December.
    expect(resolution.dueAt).toBe('2024-12-03T00:00:00+08:00');
    expect(instant(resolution.dueAt)).toBeGreaterThan(instant(dueBefore)!);
  });

  it('lets the command office refuse an extension, leaving the deadline as it was', async () => {
    const assigned = await appealAt('ASSIGNED');
    const requested = await step('requestExtension', marketAdmin, { id: assigned.id, totalWorkingDays: 25, reason: '需现场核查' });
    const refused = expectTransition(
      requested,
      await perform('grantExtension', office, { id: assigned.id, approve: false, note: '不同意' }),
      {
        action: 'REFUSE_EXTENSION',
        to: 'ASSIGNED',
        by: office,
      },
    );
    expect(refused.extension).toBeNull();
    expect(refused.deadlines).toEqual(requested.deadlines);
  });

  it('refuses an extension request on a resolved issue, and a second request while one is pending', async () => {
    const resolved = await appealAt('RESOLVED');
    await expectInvalidTransition(
      resolved,
      await perform('requestExtension', marketAdmin, { id: resolved.id, totalWorkingDays: 20, reason: '会商' }),
    );
    const pending = await step('requestExtension', marketAdmin, {
      id: (await appealAt('ASSIGNED')).id,
      totalWorkingDays: 20,
      reason: '会商',
    });
    await expectInvalidTransition(
      pending,
      await perform('requestExtension', marketAdmin, { id: pending.id, totalWorkingDays: 25, reason: '再会商' }),
    );
  });

  it('refuses an extension beyond 30 working days in all', async () => {
    const assigned = await appealAt('ASSIGNED');
    const outcome = await perform('requestExtension', marketAdmin, { id: assigned.id, totalWorkingDays: 31, reason: '会商' });
    await expectRefused(assigned, outcome, 'BAD_USER_INPUT');
    expect(outcome.error?.extensions?.field).toBe('totalWorkingDays');
  });

  it('refuses to grant an extension on a resolved issue, or when none was asked for', async () => {
    const assigned = await appealAt('ASSIGNED');
    await step('requestExtension', marketAdmin, { id: assigned.id, totalWorkingDays: 20, reason: '会商' });
    const resolved = await advance(await read(assigned.id), 'RESOLVED');
    await expectInvalidTransition(resolved, await perform('grantExtension', office, { id: resolved.id }));

    const nothingAsked = await appealAt('ASSIGNED');
    await expectInvalidTransition(nothingAsked, await perform('grantExtension', office, { id: nothingAsked.id }));
  });

  it('refuses an extension for an ONGOING rectification, which re-plans its milestones instead', async () => {
    const ongoing = await selfFound('ONGOING');
    await expectInvalidTransition(
      ongoing,
      await perform('requestExtension', marketAdmin, { id: ongoing.id, totalWorkingDays: 20, reason: '会商' }),
    );
  });
});

describe('remindIssue', () => {
  it('sends a reminder (催办) on an overdue issue, counted and kept in the history', async () => {
    // Imported from the 12345 platform three days after the hotline dispatched it to 市场监管局:
    // the unit received it then, and its 2-hour contact is long overdue.
    const before = await report(office, {
      source: 'HOTLINE_12345',
      appealKind: 'HELP',
      receivedAt: new Date(clock.now().getTime() - 72 * HOUR).toISOString(),
      handlingUnitId: MARKET,
    });
    expect(before).toMatchObject({ status: 'ASSIGNED', responsibleUnit: { id: MARKET } });
    expect(deadline(before, 'CONTACT').state).toBe('OVERDUE');
    const after = expectTransition(before, await perform('remindIssue', office, { id: before.id, note: '请今日内联系企业' }), {
      action: 'REMIND',
      to: 'ASSIGNED',
      by: office,
      note: '请今日内联系企业',
    });
    expect(after.reminderCount).toBe(1);
  });

  it('refuses to remind on an issue that is not overdue, or already closed', async () => {
    const fresh = await appealAt('ASSIGNED');
    await expectInvalidTransition(fresh, await perform('remindIssue', office, { id: fresh.id, note: '催办' }));
    const closed = await appealAt('CLOSED');
    await expectInvalidTransition(closed, await perform('remindIssue', office, { id: closed.id, note: '催办' }));
  });
});

describe('publishIssue', () => {
  it('publishes a closed case as a typical case with only the given title and summary', async () => {
    const before = await appealAt('CLOSED');
    const after = expectTransition(
      before,
      await perform('publishIssue', office, {
        id: before.id,
        title: '一次告知解决变更难',
        summary: '某企业反映变更登记反复补正，市场监管部门一次告知后当日办结。',
        kind: 'POSITIVE',
      }),
      { action: 'PUBLISH', to: 'CLOSED', by: office },
    );
    expect(after.published).toBe(true);
    const { data } = await t.query(/* GraphQL */ `
      {
        publishedCases(first: 100) {
          edges {
            node {
              id
              title
              summary
              kind
            }
          }
        }
      }
    `);
    expect(data.publishedCases.edges.map((e: any) => e.node)).toContainEqual({
      id: before.id,
      title: '一次告知解决变更难',
      summary: '某企业反映变更登记反复补正，市场监管部门一次告知后当日办结。',
      kind: 'POSITIVE',
    });
  });

  it('refuses to publish an issue that was never accepted, or was rejected', async () => {
    const submitted = await appealAt('SUBMITTED');
    await expectInvalidTransition(
      submitted,
      await perform('publishIssue', office, { id: submitted.id, title: '案例', summary: '摘要', kind: 'NEGATIVE' }),
    );
    const rejected = await step('rejectIssue', office, { id: (await appealAt('SUBMITTED')).id, reason: '不属实' });
    await expectInvalidTransition(
      rejected,
      await perform('publishIssue', office, { id: rejected.id, title: '案例', summary: '摘要', kind: 'NEGATIVE' }),
    );
  });
});

describe.each<Via>(['gateway', 'issues subgraph'])('the whole loop through the %s', (via) => {
  it('runs from submission to closing, each step by its own actor, and the history tells it all', async () => {
    let issue = await submitAppeal(enterpriseA, via);
    expect(issue).toMatchObject({ status: 'SUBMITTED', effectiveStatus: 'SUBMITTED', version: 1, source: 'ENTERPRISE_APPEAL' });
    // The clocks start when the handling unit receives it.
    expect(issue.deadlines).toEqual([]);
    issue = await step('acceptIssue', office, { id: issue.id }, via);
    issue = await step('assignIssue', office, { id: issue.id, unitId: MARKET }, via);
    expect(issue.deadlines.map((d: any) => [d.stage, d.state])).toEqual([
      ['CONTACT', 'ON_TIME'],
      ['FEEDBACK', 'ON_TIME'],
      ['RESOLUTION', 'ON_TIME'],
    ]);
    issue = await step('recordContact', marketStaff, { id: issue.id, note: '已联系' }, via);
    issue = await step('giveFeedback', marketStaff, { id: issue.id, note: '已答复' }, via);
    issue = await step('resolveIssue', marketStaff, { id: issue.id, resolution: '已办结' }, via);
    issue = await step('rateIssue', enterpriseA, { id: issue.id, rating: 'SATISFIED' }, via);
    issue = await step('closeIssue', office, { id: issue.id, note: '回访确认' }, via);

    expect(issue).toMatchObject({
      status: 'CLOSED',
      effectiveStatus: 'CLOSED',
      version: 8,
      resolution: '已办结',
      rating: { rating: 'SATISFIED', solved: true },
    });
    expect(issue.deadlines.map((d: any) => [d.stage, d.state])).toEqual([
      ['CONTACT', 'MET'],
      ['FEEDBACK', 'MET'],
      ['RESOLUTION', 'MET'],
    ]);
    expect(issue.history.map((e: any) => [e.action, e.fromStatus, e.toStatus, e.actor.role])).toEqual([
      ['SUBMIT', null, 'SUBMITTED', 'ENTERPRISE'],
      ['ACCEPT', 'SUBMITTED', 'ACCEPTED', 'COMMAND_OFFICE'],
      ['ASSIGN', 'ACCEPTED', 'ASSIGNED', 'COMMAND_OFFICE'],
      ['CONTACT', 'ASSIGNED', 'CONTACTED', 'UNIT_STAFF'],
      ['FEEDBACK', 'CONTACTED', 'FEEDBACK_GIVEN', 'UNIT_STAFF'],
      ['RESOLVE', 'FEEDBACK_GIVEN', 'RESOLVED', 'UNIT_STAFF'],
      ['RATE', 'RESOLVED', 'RESOLVED', 'ENTERPRISE'],
      ['CLOSE', 'RESOLVED', 'CLOSED', 'COMMAND_OFFICE'],
    ]);
    // The enterprise reads the same closed issue and history through the same transport — without
    // the officials' accounts and the notes written for government only.
    const seen = await read(issue.id, enterpriseA, via);
    expect(seen.status).toBe('CLOSED');
    expect(seen.history.map((e: any) => [e.action, e.actor.role])).toEqual(issue.history.map((e: any) => [e.action, e.actor.role]));
    expect(seen.history.map((e: any) => [e.action, e.note, e.actor.subject])).toEqual([
      ['SUBMIT', null, enterpriseA.subject],
      ['ACCEPT', null, null],
      ['ASSIGN', null, null],
      ['CONTACT', null, null],
      ['FEEDBACK', '已答复', null],
      ['RESOLVE', '已办结', null],
      ['RATE', null, enterpriseA.subject],
      ['CLOSE', null, null],
    ]);
    expect(issue.history.find((e: any) => e.action === 'CONTACT')).toMatchObject({ note: '已联系', noteFor: 'INTERNAL' });
  });

  it('refuses a wrong transition with the same coded error', async () => {
    const issue = await submitAppeal(enterpriseA, via);
    const outcome = await perform('closeIssue', office, { id: issue.id, note: '销号' }, via);
    expect(outcome.issue).toBeNull();
    expect(outcome.error?.extensions).toMatchObject({ code: 'INVALID_TRANSITION', currentState: 'SUBMITTED' });
    expect(await read(issue.id, office, via)).toEqual(issue);
  });
});
