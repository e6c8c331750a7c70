/**
 * Who may do what in the policies subgraph — every mutation allowed and refused, each role, through
 * the gateway and straight against the policies subgraph (bureau frontends call it directly, so the
 * subgraph enforces every rule itself). After each refusal, nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beijingDate } from '../platform/calendar.ts';
import { TestClock } from './support/clock.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';
import { automaticItem, callers, docs, firms, ok, policyInput, rdItem, registerFirms, requestId } from './support/policies.ts';

const clock = new TestClock('2026-06-01T10:00:00+08:00'); // a Monday
let t: TestPlatform;

type Via = 'gateway' | 'policies subgraph';
const transports: Via[] = ['gateway', 'policies subgraph'];
const send = (via: Via, document: string, as: Caller, variables: Record<string, unknown>): Promise<GraphQLResponse> =>
  via === 'gateway' ? t.query(document, { as, variables }) : t.querySubgraph('policies', document, { as, variables });
const setup = (document: string, as: Caller, variables: Record<string, unknown> = {}) =>
  ok((d, o) => t.query(d, o), document, as, variables);

const { office, scienceAdmin, scienceStaff, taxStaff, hightech, startup, observer, anonymous } = callers;
const admin = scienceAdmin;
const DAY = 86_400_000;
const today = () => beijingDate(clock.now());
const tomorrow = () => beijingDate(new Date(clock.now().getTime() + DAY));

// ───────────── targets in the state each action needs ─────────────

let publishedPolicyId: string;
let numbers = 0;
const documentNumber = () => `青科规〔2026〕${++numbers}号`;

async function draft(): Promise<string> {
  return (await setup(docs.createPolicy, scienceStaff, { input: policyInput })).createPolicy.id;
}
async function published(): Promise<string> {
  const id = await draft();
  await setup(docs.publish, admin, { id, input: { documentNumber: documentNumber() } });
  return id;
}
async function consulting(): Promise<string> {
  const id = await draft();
  await setup(docs.openConsultation, scienceStaff, { id, endsOn: '2026-12-31' });
  return id;
}
/** A fresh published item (one live application per item and enterprise). */
async function item(input: Record<string, unknown> = rdItem): Promise<string> {
  return (await setup(docs.createItem, scienceStaff, { policyId: publishedPolicyId, input })).createPolicyItem.id;
}
const materials = [{ name: '研发费用专项审计报告', reference: 'file://audit.pdf' }];
async function application(
  state: 'DRAFT' | 'SUBMITTED' | 'UNDER_REVIEW' | 'RETURNED' | 'APPROVED' | 'PUBLIC_NOTICE' | 'NOTICE_ENDED' | 'DISBURSED',
): Promise<string> {
  const itemId = await item();
  const input = { clientRequestId: requestId('perm'), itemId, declaredBase: 100_000, materials, asDraft: state === 'DRAFT' };
  const id = (await setup(docs.submit, hightech, { input })).submitApplication.id;
  if (state === 'DRAFT' || state === 'SUBMITTED') return id;
  await setup(docs.startReview, scienceStaff, { id });
  if (state === 'UNDER_REVIEW') return id;
  if (state === 'RETURNED')
    return (await setup(docs.returnApplication, scienceStaff, { id, reason: '补正', missing: ['研发费用专项审计报告'] }), id);
  await setup(docs.approve, scienceStaff, { id, amount: 10_000 });
  if (state === 'APPROVED') return id;
  await setup(docs.startNotice, scienceStaff, { id, endsOn: state === 'PUBLIC_NOTICE' ? '2026-12-31' : tomorrow() });
  if (state === 'PUBLIC_NOTICE') return id;
  // Time moves on (forward only) until the notice is over.
  clock.advance(2 * DAY);
  if (state === 'DISBURSED')
    await setup(docs.disburse, scienceStaff, { id, input: { amount: 10_000, paidOn: today(), paymentReference: requestId('pay') } });
  return id;
}
async function comment(): Promise<{ policyId: string; commentId: string }> {
  const policyId = await consulting();
  return { policyId, commentId: (await setup(docs.comment, hightech, { policyId, text: '意见' })).commentOnPolicy.id };
}
let objectors = 0;
async function objection(): Promise<{ applicationId: string; objectionId: string }> {
  const applicationId = await application('PUBLIC_NOTICE');
  // A writer of its own each time: objections are limited per writer (policies-objections.e2e.ts).
  const objector: Caller = { role: 'OBSERVER', subject: `objector-${++objectors}` };
  return {
    applicationId,
    objectionId: (await setup(docs.object, objector, { id: applicationId, input: { text: '异议' } })).fileObjection.id,
  };
}

// ───────────── what each target looks like, to see that a refusal changed nothing ─────────────

const readPolicy = async (id: string) =>
  (
    await setup(
      `query($id: ID!) { policy(id: $id) { status version revision title documentNumber items { id name } comments { answer } interpretations { title } history { action } } }`,
      office,
      { id },
    )
  ).policy;
const readApplication = async (id: string) =>
  (
    await setup(
      `query($id: ID!) { application(id: $id) { status version approvedAmount returnReason rejectionReason materials { name } publicNotice { endsOn } objections { answer mark { kind } } disbursement { amount } review { level } steps { action } } }`,
      office,
      { id },
    )
  ).application;
const counts = async () =>
  setup(
    `{ policies(filter: { status: [DRAFT, CONSULTATION, PUBLISHED, REPEALED] }, first: 1) { totalCount } applications(first: 1) { totalCount } policyNews(first: 1) { totalCount } }`,
    office,
  );

interface Case {
  mutation: string;
  /** Builds a fresh target and the call on it. */
  prepare(): Promise<{ document: string; variables: Record<string, unknown>; read: () => Promise<unknown> }>;
  allowed: Caller[];
  refused: [Caller, string][];
  /** What an allowed call does, seen on the target's reading before and after (an answer without an error is not enough). */
  effect(before: any, after: any): void;
}

const onPolicy = (state: () => Promise<string>, document: string, variables: (id: string) => Record<string, unknown>) => async () => {
  const id = await state();
  return { document, variables: variables(id), read: () => readPolicy(id) };
};
const onApplication =
  (state: Parameters<typeof application>[0], document: string, variables: (id: string) => Record<string, unknown> = (id) => ({ id })) =>
  async () => {
    const id = await application(state);
    return { document, variables: variables(id), read: () => readApplication(id) };
  };

const renamed = (policy: { items: { name: string }[] }) => policy.items.filter((i) => i.name === '新名称').length;

const cases: Case[] = [
  {
    mutation: 'createPolicy',
    prepare: async () => ({ document: docs.createPolicy, variables: { input: policyInput }, read: counts }),
    allowed: [office, admin, scienceStaff, taxStaff],
    refused: [
      [hightech, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.policies.totalCount).toBe(before.policies.totalCount + 1),
  },
  {
    mutation: 'updatePolicy',
    prepare: onPolicy(draft, `mutation($id: ID!) { updatePolicy(id: $id, input: { title: "新标题" }) { id } }`, (id) => ({ id })),
    allowed: [office, admin, scienceStaff],
    refused: [
      [taxStaff, 'NOT_FOUND'],
      [hightech, 'NOT_FOUND'],
      [observer, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.title).toBe('新标题'),
  },
  {
    mutation: 'openConsultation',
    prepare: onPolicy(draft, docs.openConsultation, (id) => ({ id, endsOn: '2026-12-31' })),
    allowed: [office, admin, scienceStaff],
    refused: [
      [taxStaff, 'NOT_FOUND'],
      [hightech, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.status).toBe('CONSULTATION'),
  },
  {
    mutation: 'commentOnPolicy',
    prepare: async () => {
      const id = await consulting();
      return { document: docs.comment, variables: { policyId: id, text: '建议' }, read: () => readPolicy(id) };
    },
    allowed: [hightech, startup, taxStaff, scienceStaff, observer],
    refused: [
      [office, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.comments).toHaveLength(before.comments.length + 1),
  },
  {
    mutation: 'answerPolicyComment',
    prepare: async () => {
      const { policyId, commentId } = await comment();
      return { document: docs.answer, variables: { commentId, answer: '答复' }, read: () => readPolicy(policyId) };
    },
    allowed: [office, admin, scienceStaff],
    refused: [
      [hightech, 'FORBIDDEN'],
      [startup, 'NOT_FOUND'],
      [taxStaff, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.comments).toEqual([{ answer: '答复' }]),
  },
  {
    mutation: 'publishPolicy',
    prepare: onPolicy(draft, docs.publish, (id) => ({ id, input: { documentNumber: documentNumber() } })),
    allowed: [office, admin],
    refused: [
      [scienceStaff, 'FORBIDDEN'],
      [taxStaff, 'NOT_FOUND'],
      [hightech, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after).toMatchObject({ status: 'PUBLISHED', documentNumber: expect.stringMatching(/^青科规/) }),
  },
  {
    mutation: 'amendPolicy',
    prepare: onPolicy(published, docs.amend, (id) => ({ id, input: { documentNumber: documentNumber(), changeNote: '修订' } })),
    allowed: [office, admin],
    refused: [
      [scienceStaff, 'FORBIDDEN'],
      [taxStaff, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.revision).toBe(before.revision + 1),
  },
  {
    mutation: 'repealPolicy',
    prepare: onPolicy(published, docs.repeal, (id) => ({ id, reason: '废止' })),
    allowed: [office, admin],
    refused: [
      [scienceStaff, 'FORBIDDEN'],
      [taxStaff, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.status).toBe('REPEALED'),
  },
  {
    mutation: 'addInterpretation',
    prepare: onPolicy(published, docs.interpret, (id) => ({ policyId: id, input: { title: '解读', text: '解读正文' } })),
    allowed: [office, admin, scienceStaff],
    refused: [
      [taxStaff, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.interpretations).toHaveLength(before.interpretations.length + 1),
  },
  {
    mutation: 'createPolicyItem',
    prepare: onPolicy(draft, docs.createItem, (id) => ({ policyId: id, input: rdItem })),
    allowed: [office, admin, scienceStaff],
    refused: [
      [taxStaff, 'NOT_FOUND'],
      [hightech, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.items).toHaveLength(before.items.length + 1),
  },
  {
    mutation: 'updatePolicyItem',
    prepare: async () => {
      const id = await item();
      return { document: docs.updateItem, variables: { id, input: { name: '新名称' } }, read: () => readPolicy(publishedPolicyId) };
    },
    allowed: [office, admin, scienceStaff],
    refused: [
      [taxStaff, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(renamed(after)).toBe(renamed(before) + 1),
  },
  {
    mutation: 'publishPolicyNews',
    prepare: async () => ({
      document: docs.news,
      variables: { input: { title: '资讯', text: '正文', policyIds: [publishedPolicyId] } },
      read: counts,
    }),
    allowed: [office, scienceStaff, taxStaff],
    refused: [
      [hightech, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.policyNews.totalCount).toBe(before.policyNews.totalCount + 1),
  },
  {
    mutation: 'submitApplication',
    prepare: async () => {
      const itemId = await item();
      return {
        document: docs.submit,
        variables: { input: { clientRequestId: requestId('perm'), itemId, declaredBase: 100_000, materials } },
        read: counts,
      };
    },
    allowed: [hightech],
    refused: [
      [startup, 'FORBIDDEN'],
      [office, 'FORBIDDEN'],
      [scienceStaff, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.applications.totalCount).toBe(before.applications.totalCount + 1),
  },
  {
    mutation: 'submitDraftApplication',
    prepare: onApplication('DRAFT', docs.submitDraft),
    allowed: [hightech],
    refused: [
      [scienceStaff, 'FORBIDDEN'],
      [office, 'FORBIDDEN'],
      [startup, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.status).toBe('SUBMITTED'),
  },
  {
    mutation: 'importApplication',
    prepare: async () => {
      const itemId = await item();
      const input = {
        sourceSystem: 'kjj-xmsb',
        externalReference: requestId('ext'),
        itemId,
        enterpriseCreditCode: firms.hightech.creditCode,
        submittedAt: '2026-05-29T10:00:00+08:00',
        declaredBase: 100_000,
      };
      return { document: docs.importApplication, variables: { input }, read: counts };
    },
    allowed: [office, admin, scienceStaff],
    refused: [
      [taxStaff, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.applications.totalCount).toBe(before.applications.totalCount + 1),
  },
  ...(['startReview', 'returnApplication', 'approveApplication', 'rejectApplication'] as const).map((mutation): Case => ({
    mutation,
    prepare: onApplication(
      'SUBMITTED',
      {
        startReview: docs.startReview,
        returnApplication: docs.returnApplication,
        approveApplication: docs.approve,
        rejectApplication: docs.reject,
      }[mutation],
      (id) => ({
        id,
        ...(mutation === 'returnApplication' || mutation === 'rejectApplication' ? { reason: '理由' } : {}),
      }),
    ),
    allowed: [scienceStaff, admin],
    refused: [
      [office, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [taxStaff, 'NOT_FOUND'],
      [startup, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) =>
      expect(after.status).toBe(
        (
          {
            startReview: 'UNDER_REVIEW',
            returnApplication: 'RETURNED',
            approveApplication: 'APPROVED',
            rejectApplication: 'REJECTED',
          } as const
        )[mutation],
      ),
  })),
  {
    mutation: 'resubmitApplication',
    prepare: onApplication('RETURNED', docs.resubmit, (id) => ({ id, input: { materials } })),
    allowed: [hightech],
    refused: [
      [scienceStaff, 'FORBIDDEN'],
      [office, 'FORBIDDEN'],
      [startup, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.status).toBe('RESUBMITTED'),
  },
  {
    mutation: 'startPublicNotice',
    prepare: onApplication('APPROVED', docs.startNotice, (id) => ({ id, endsOn: '2026-12-31' })),
    allowed: [scienceStaff, admin],
    refused: [
      [office, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [taxStaff, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after).toMatchObject({ status: 'PUBLIC_NOTICE', publicNotice: { endsOn: '2026-12-31' } }),
  },
  {
    mutation: 'fileObjection',
    prepare: onApplication('PUBLIC_NOTICE', docs.object, (id) => ({ id, input: { text: '异议' } })),
    allowed: [anonymous, startup, hightech, office, taxStaff, observer],
    refused: [],
    effect: (before, after) => expect(after.objections).toHaveLength(before.objections.length + 1),
  },
  {
    mutation: 'answerObjection',
    prepare: async () => {
      const { applicationId, objectionId } = await objection();
      return {
        document: docs.answerObjection,
        variables: { id: objectionId, upheld: false, answer: '答复' },
        read: () => readApplication(applicationId),
      };
    },
    allowed: [scienceStaff, admin],
    refused: [
      [office, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [taxStaff, 'NOT_FOUND'],
      [startup, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.objections).toEqual([{ answer: '答复', mark: null }]),
  },
  {
    mutation: 'markObjections',
    prepare: async () => {
      const { applicationId, objectionId } = await objection();
      return {
        document: docs.markObjections,
        variables: { id: applicationId, input: { objectionIds: [objectionId], kind: 'ABUSIVE', reason: '刷屏' } },
        read: () => readApplication(applicationId),
      };
    },
    allowed: [scienceStaff, admin],
    refused: [
      [office, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [taxStaff, 'NOT_FOUND'],
      [startup, 'NOT_FOUND'],
      [observer, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.objections).toEqual([{ answer: null, mark: { kind: 'ABUSIVE' } }]),
  },
  {
    mutation: 'recordDisbursement',
    prepare: onApplication('NOTICE_ENDED', docs.disburse, (id) => ({
      id,
      input: { amount: 10_000, paidOn: today(), paymentReference: requestId('pay') },
    })),
    allowed: [scienceStaff, admin],
    refused: [
      [office, 'FORBIDDEN'],
      [hightech, 'FORBIDDEN'],
      [taxStaff, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after).toMatchObject({ status: 'DISBURSED', disbursement: { amount: 10_000 } }),
  },
  {
    mutation: 'rateApplication',
    prepare: onApplication('DISBURSED', docs.rate, (id) => ({ id, level: 'SATISFIED' })),
    allowed: [hightech],
    refused: [
      [scienceStaff, 'FORBIDDEN'],
      [office, 'FORBIDDEN'],
      [startup, 'NOT_FOUND'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (_, after) => expect(after.review).toEqual({ level: 'SATISFIED' }),
  },
  {
    mutation: 'runAutomaticGrants',
    prepare: async () => {
      const itemId = await item(automaticItem);
      return { document: docs.runGrants, variables: { itemId }, read: counts };
    },
    allowed: [scienceStaff, admin],
    refused: [
      [office, 'FORBIDDEN'],
      [taxStaff, 'FORBIDDEN'],
      [startup, 'FORBIDDEN'],
      [observer, 'FORBIDDEN'],
      [anonymous, 'UNAUTHENTICATED'],
    ],
    effect: (before, after) => expect(after.applications.totalCount).toBe(before.applications.totalCount + 1),
  },
];

const who = (caller: Caller): string => {
  if (typeof caller === 'string') return caller;
  if ('token' in caller) return 'a token';
  return caller.subject ?? `${caller.role}${caller.enterprise ? ` ${caller.enterprise}` : ''}${caller.unit ? ` of ${caller.unit}` : ''}`;
};

beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now, env: { DIRECTORY_TTL_MS: '0' } });
  await registerFirms(t);
  publishedPolicyId = await published();
});
afterAll(async () => {
  await t?.stop();
});

describe.each(transports)('through the %s', (via) => {
  describe.each(cases.map((c) => [c.mutation, c] as const))('%s', (_, c) => {
    it.each(c.allowed.map((caller) => [who(caller), caller] as const))('is allowed to %s, and it takes effect', async (_name, caller) => {
      const target = await c.prepare();
      const before = await target.read();
      const response = await send(via, target.document, caller, target.variables);
      expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      c.effect(before, await target.read());
    });

    if (c.refused.length) {
      it('is refused to everyone else, with the right code, and nothing changes', async () => {
        const target = await c.prepare();
        const before = await target.read();
        for (const [caller, expected] of c.refused) {
          const response = await send(via, target.document, caller, target.variables);
          expect(response.errors?.[0]?.extensions?.code, `${who(caller)}: ${JSON.stringify(response.errors)}`).toBe(expected);
          expect(response.errors?.[0]?.extensions).toMatchObject({ messageZh: expect.any(String), messageEn: expect.any(String) });
        }
        expect(await target.read()).toEqual(before);
      });
    }
  });
});
