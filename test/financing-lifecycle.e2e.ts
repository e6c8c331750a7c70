/**
 * 青融通's lifecycle after the claim (issue #24): the holder contacts the enterprise, approves (up
 * to the amount asked — ¥500k asked, ¥290k approved and lent), records the loan or declines; the
 * enterprise withdraws, confirms the money arrived and rates the institution, once each. Every
 * step, allowed and refused, for every caller — the enterprise itself and another, the holding
 * institution and another, a branch of the holder and a branch of another, the regulator, the
 * command office, anonymous —; a refused step changes nothing (version, steps, limits). Through the
 * gateway and directly against the subgraph.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from './support/clock.ts';
import { code, financingWorld, REGULATOR, transports, type Bank, type Firm } from './support/financing.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00');
let t: TestPlatform;
const world = financingWorld(() => t, 7_000);
const { send, post, claim, stored, steps } = world;

let firm: Firm;
let other: Firm;
let a: Bank;
let b: Bank;

beforeAll(async () => {
  // The clock is moved by the test: the background sweep of lapsed holds is off (test/financing-sweep.e2e.ts
  // tests it), so every return happens on the request that looks — at the instant the test set.
  t = await startTestPlatform({ now: clock.now, env: { OUTBOX_WORKER: 'false' } });
  firm = await world.firm();
  other = await world.firm();
  a = await world.bank();
  b = await world.bank();
});
afterAll(async () => {
  await t?.stop();
});

const DEMAND_FIELDS = /* GraphQL */ `
  id
  status
  version
  approvedAmount
  declineReason
  declineText
  rating
  heldBy
  institution {
    id
  }
  branch {
    id
  }
  loan {
    amount
    disbursedOn
    ratePercent
    termMonths
    guaranteeMode
    pureCredit
    firstLoan
    loanRef
    receivedAt
    institution {
      id
    }
  }
  limits {
    kind
    state
    metAt
    endedAt
  }
  events {
    kind
    institution {
      id
    }
  }
`;

const STEPS = {
  contact: [
    'recordFinancingContact',
    `mutation($id: ID!) { recordFinancingContact(id: $id, note: "电话联系，约定下周面谈") { ${DEMAND_FIELDS} } }`,
  ],
  approve: [
    'approveFinancing',
    `mutation($id: ID!, $amount: Float!) { approveFinancing(id: $id, amount: $amount, note: "纯信用授信") { ${DEMAND_FIELDS} } }`,
  ],
  disburse: [
    'recordLoanDisbursement',
    `mutation($id: ID!, $input: LoanDisbursementInput!) { recordLoanDisbursement(id: $id, input: $input) { ${DEMAND_FIELDS} } }`,
  ],
  decline: [
    'declineFinancing',
    `mutation($id: ID!) { declineFinancing(id: $id, reasonCode: POOR_CREDIT, reason: "近两年有欠税记录") { ${DEMAND_FIELDS} } }`,
  ],
  withdraw: [
    'withdrawFinancingDemand',
    `mutation($id: ID!) { withdrawFinancingDemand(id: $id, reason: "已从其他渠道融资") { ${DEMAND_FIELDS} } }`,
  ],
  confirm: ['confirmLoanReceived', `mutation($id: ID!) { confirmLoanReceived(id: $id) { ${DEMAND_FIELDS} } }`],
  rate: [
    'rateFinancialInstitution',
    `mutation($id: ID!) { rateFinancialInstitution(id: $id, rating: VERY_SATISFIED, comment: "放款快") { ${DEMAND_FIELDS} } }`,
  ],
} as const;
type StepName = keyof typeof STEPS;

const loanInput = (overrides: Record<string, unknown> = {}) => ({
  amount: 290_000,
  disbursedOn: '2026-06-02',
  ratePercent: 3.45,
  termMonths: 12,
  guaranteeMode: 'PURE_CREDIT',
  loanRef: `LOAN-${Math.random().toString(36).slice(2, 10)}`,
  ...overrides,
});

const variablesOf = (step: StepName, id: string, extra: Record<string, unknown> = {}) => ({
  id,
  ...(step === 'approve' ? { amount: 290_000 } : {}),
  ...(step === 'disburse' ? { input: loanInput() } : {}),
  ...extra,
});

describe.each(transports)('the lifecycle after the claim, %s', (transport) => {
  const take = (step: StepName, as: Caller, id: string, extra: Record<string, unknown> = {}) =>
    send(transport, STEPS[step][1], { as, variables: variablesOf(step, id, extra) });
  const answer = (step: StepName, response: Awaited<ReturnType<typeof take>>) => {
    expect(response.errors).toBeUndefined();
    return response.data[STEPS[step][0]];
  };

  it('¥500k asked, ¥290k approved and lent on pure credit as a first loan: contact, approval, loan, receipt and rating, each recorded', async () => {
    clock.set('2026-06-01T10:00:00+08:00');
    const id = await post(firm);
    await claim(id, a.staff);

    clock.set('2026-06-01T15:00:00+08:00');
    const contacted = answer('contact', await take('contact', a.branchStaff, id));
    expect(contacted.status).toBe('CONTACTED');
    expect(contacted.limits.find((l: { kind: string }) => l.kind === 'CONTACT')).toMatchObject({
      state: 'MET',
      metAt: '2026-06-01T15:00:00+08:00',
    });

    // An approval above the amount asked is refused and changes nothing.
    const before = await stored(id);
    const tooMuch = await take('approve', a.staff, id, { amount: 500_001 });
    expect(code(tooMuch)).toBe('BAD_USER_INPUT');
    expect(tooMuch.errors?.[0]?.extensions?.field).toBe('amount');
    expect(await stored(id)).toEqual(before);

    clock.set('2026-06-03T11:00:00+08:00'); // two working days after the claim
    const approved = answer('approve', await take('approve', a.staff, id));
    expect(approved).toMatchObject({ status: 'APPROVED', approvedAmount: 290_000 });
    expect(approved.limits.map((l: { kind: string; state: string }) => [l.kind, l.state])).toEqual([
      ['CLAIM', 'MET'],
      ['CONTACT', 'MET'],
      ['DECISION', 'MET'],
    ]);

    // A loan above the approval, or dated before the hold or after today, is refused.
    for (const [input, field] of [
      [loanInput({ amount: 290_001 }), 'input.amount'],
      [loanInput({ disbursedOn: '2026-05-31' }), 'input.disbursedOn'],
      [loanInput({ disbursedOn: '2026-06-04' }), 'input.disbursedOn'],
      [loanInput({ ratePercent: 0 }), 'input.ratePercent'],
    ] as const) {
      const refused = await take('disburse', a.staff, id, { input });
      expect(code(refused)).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect(await stored(id)).toMatchObject({ status: 'APPROVED', version: approved.version });

    const ref = `QDRCB-${transport}-1`;
    const disbursed = answer('disburse', await take('disburse', a.branchStaff, id, { input: loanInput({ loanRef: ref }) }));
    expect(disbursed).toMatchObject({
      status: 'DISBURSED',
      loan: {
        amount: 290_000,
        disbursedOn: '2026-06-02',
        ratePercent: 3.45,
        termMonths: 12,
        guaranteeMode: 'PURE_CREDIT',
        pureCredit: true,
        firstLoan: true,
        loanRef: ref,
        receivedAt: null,
        institution: { id: a.id },
      },
    });

    clock.set('2026-06-03T15:00:00+08:00');
    const received = answer('confirm', await take('confirm', firm.caller, id));
    expect(received.loan.receivedAt).toBe('2026-06-03T15:00:00+08:00');
    const again = await take('confirm', firm.caller, id);
    expect(code(again)).toBe('CONFLICT');

    const rated = answer('rate', await take('rate', firm.caller, id));
    expect(rated.rating).toBe('VERY_SATISFIED');
    const rateAgain = await take('rate', firm.caller, id);
    expect(code(rateAgain)).toBe('CONFLICT');

    expect(rated.events.map((e: { kind: string }) => e.kind)).toEqual([
      'POSTED',
      'ROUTED',
      'CLAIMED',
      'CONTACTED',
      'APPROVED',
      'DISBURSED',
      'RECEIVED',
      'RATED',
    ]);
    // The data each step carries, as rows.ts writes it down for the figures.
    const recorded = await steps(id);
    const of = (kind: string) => recorded.find((step) => step.kind === kind);
    expect(of('CONTACTED')).toMatchObject({ institution_id: a.id, branch_id: a.branch, actor_role: 'FINANCIAL_INSTITUTION' });
    expect(of('APPROVED')?.data).toEqual({ amount: 290_000, workingDaysToDecision: 2 });
    expect(of('DISBURSED')?.data).toMatchObject({ amount: 290_000, rateBp: 345, termMonths: 12, pureCredit: true, firstLoan: true });
    expect(of('DISBURSED')?.data?.loanId).toEqual(expect.any(String));
    expect(of('RECEIVED')?.data).toEqual({ loanId: of('DISBURSED')?.data?.loanId });
    expect(of('RATED')).toMatchObject({ institution_id: a.id, actor_role: 'ENTERPRISE', data: { rating: 'VERY_SATISFIED', score: 5 } });

    // The same loan reference twice at one institution is one loan.
    const second = await post(firm);
    await claim(second, a.staff);
    answer('approve', await take('approve', a.staff, second));
    const duplicate = await take('disburse', a.staff, second, { input: loanInput({ loanRef: ref, disbursedOn: '2026-06-03' }) });
    expect(code(duplicate)).toBe('CONFLICT');
    expect((await stored(second)).status).toBe('APPROVED');
  });

  it('the holder declines with a reason; the enterprise may then rate, not withdraw', async () => {
    clock.set('2026-06-08T09:00:00+08:00');
    const id = await post(firm);
    await claim(id, a.staff);
    answer('contact', await take('contact', a.staff, id)); // within its limit (1 working day), so the hold stays
    clock.set('2026-06-12T09:00:00+08:00');
    const declined = answer('decline', await take('decline', a.branchStaff, id));
    expect(declined).toMatchObject({ status: 'DECLINED', declineReason: 'POOR_CREDIT', declineText: '近两年有欠税记录' });
    expect(declined.limits.filter((l: { kind: string }) => l.kind !== 'CLAIM').map((l: { state: string }) => l.state)).toEqual([
      'MET',
      'MET',
    ]);
    expect((await steps(id)).find((step) => step.kind === 'DECLINED')?.data).toEqual({
      reasonCode: 'POOR_CREDIT',
      workingDaysToDecision: 4,
    });

    const withdraw = await take('withdraw', firm.caller, id);
    expect(code(withdraw)).toBe('INVALID_TRANSITION');
    const confirm = await take('confirm', firm.caller, id);
    expect(code(confirm)).toBe('INVALID_TRANSITION');
    expect(answer('rate', await take('rate', firm.caller, id)).rating).toBe('VERY_SATISFIED');
  });

  it('the enterprise withdraws an open or a held demand: every running limit stops, cancelled before its due time', async () => {
    clock.set('2026-06-15T09:00:00+08:00');
    const open = await post(firm);
    const held = await post(firm);
    await claim(held, a.staff);
    clock.set('2026-06-15T10:00:00+08:00');
    const withdrawnOpen = answer('withdraw', await take('withdraw', firm.caller, open));
    expect(withdrawnOpen.status).toBe('WITHDRAWN');
    expect(withdrawnOpen.limits.map((l: { kind: string; state: string; endedAt: string }) => [l.kind, l.state, l.endedAt])).toEqual([
      ['CLAIM', 'CANCELLED', '2026-06-15T10:00:00+08:00'],
    ]);
    const withdrawnHeld = answer('withdraw', await take('withdraw', firm.caller, held));
    expect(withdrawnHeld.limits.map((l: { kind: string; state: string }) => [l.kind, l.state])).toEqual([
      ['CLAIM', 'MET'],
      ['CONTACT', 'CANCELLED'],
      ['DECISION', 'CANCELLED'],
    ]);
    expect((await steps(held)).at(-1)).toMatchObject({ kind: 'WITHDRAWN', institution_id: a.id, note: '已从其他渠道融资' });
    expect((await stored(held)).limits).toBe(0);
    // Withdrawn is the end: nothing more.
    for (const step of ['withdraw', 'rate'] as const) expect(code(await take(step, firm.caller, held))).toBe('INVALID_TRANSITION');
    expect(code(await take('contact', a.staff, held))).toBe('INVALID_TRANSITION');
  });

  it('a withdrawal after the claim limit passed keeps that lateness: the claim limit LAPSED', async () => {
    clock.set('2026-06-15T09:00:00+08:00');
    const id = await post(firm);
    clock.set('2026-06-18T09:00:00+08:00'); // the claim limit (2 working days: due 06-18 00:00) has passed
    const withdrawn = answer('withdraw', await take('withdraw', firm.caller, id));
    expect(withdrawn.limits.map((l: { kind: string; state: string }) => [l.kind, l.state])).toEqual([['CLAIM', 'LAPSED']]);
  });

  it('every step, for every caller: the holder’s steps the holding institution and its branch only, the enterprise’s the enterprise only; a refusal changes nothing', async () => {
    clock.set('2026-06-22T09:00:00+08:00');
    const id = await post(firm);
    await claim(id, a.staff);
    const refusals: [string, Caller, string][] = [
      ['the enterprise itself', firm.caller, 'FORBIDDEN'],
      ['another enterprise', other.caller, 'NOT_FOUND'],
      ['the holding institution', a.staff, 'FORBIDDEN'],
      ['another institution it was routed to', b.staff, 'NOT_FOUND'],
      ['a branch of the holder', a.branchStaff, 'FORBIDDEN'],
      ['a branch of another institution', b.branchStaff, 'NOT_FOUND'],
      ['the regulator', REGULATOR, 'FORBIDDEN'],
      ['the command office', 'COMMAND_OFFICE', 'FORBIDDEN'],
      ['a bureau', { role: 'UNIT_STAFF', unit: 'TAX_BUREAU' }, 'NOT_FOUND'],
      ['anonymous', 'ANONYMOUS', 'UNAUTHENTICATED'],
    ];
    const holderSteps: StepName[] = ['contact', 'approve', 'decline'];
    const enterpriseSteps: StepName[] = ['withdraw'];
    const before = await stored(id);
    for (const step of [...holderSteps, ...enterpriseSteps]) {
      const allowed = holderSteps.includes(step) ? [a.staff, a.branchStaff] : [firm.caller];
      for (const [who, caller, expected] of refusals) {
        if (allowed.includes(caller)) continue;
        const refused = await take(step, caller, id);
        expect({ step, who, code: code(refused) }).toEqual({ step, who, code: expected });
      }
    }
    expect(await stored(id)).toEqual(before);

    // From the wrong state, by the right caller: INVALID_TRANSITION, nothing changed.
    for (const [step, caller] of [
      ['disburse', a.staff],
      ['confirm', firm.caller],
      ['rate', firm.caller],
    ] as const) {
      expect({ step, code: code(await take(step, caller, id)) }).toEqual({ step, code: 'INVALID_TRANSITION' });
    }
    expect(await stored(id)).toEqual(before);

    // The holder's steps after approval and the enterprise's after the loan, refused for everyone else.
    answer('approve', await take('approve', a.staff, id));
    answer('disburse', await take('disburse', a.staff, id, { input: loanInput({ disbursedOn: '2026-06-22' }) }));
    const disbursed = await stored(id);
    for (const step of ['confirm', 'rate'] as const) {
      for (const [who, caller, expected] of refusals) {
        if (caller === firm.caller) continue;
        const refused = await take(step, caller, id);
        expect({ step, who, code: code(refused) }).toEqual({ step, who, code: expected });
      }
    }
    expect(code(await take('disburse', a.staff, id))).toBe('INVALID_TRANSITION');
    expect(code(await take('withdraw', firm.caller, id))).toBe('INVALID_TRANSITION');
    expect(await stored(id)).toEqual(disbursed);
    // And the enterprise itself may.
    answer('confirm', await take('confirm', firm.caller, id));
    answer('rate', await take('rate', firm.caller, id));
  });

  it('an unknown or malformed id is NOT_FOUND or BAD_USER_INPUT, blank text BAD_USER_INPUT', async () => {
    expect(code(await take('contact', a.staff, '00000000-0000-4000-8000-000000000000'))).toBe('NOT_FOUND');
    expect(code(await take('contact', a.staff, 'not-an-id'))).toBe('BAD_USER_INPUT');
    clock.set('2026-06-22T09:00:00+08:00');
    const id = await post(firm);
    await claim(id, a.staff);
    const blank = await send(transport, `mutation($id: ID!) { recordFinancingContact(id: $id, note: "  ") { id } }`, {
      as: a.staff,
      variables: { id },
    });
    expect(code(blank)).toBe('BAD_USER_INPUT');
    expect((await stored(id)).status).toBe('CLAIMED');
  });
});
