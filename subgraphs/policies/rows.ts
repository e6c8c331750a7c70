/**
 * The policies slice's rows as the kit changes them (platform/change.ts `changeRow`, `createRow`),
 * and the histories every change appends to.
 *
 * A policy and an application change by the rules tables (rules.ts) in steps: `changePolicy` and
 * `changeApplication` run one step in one transaction that (1) reads the row (missing or hidden from
 * this caller: NOT_FOUND), (2) compares the caller's `expectedVersion` (CONFLICT), (3) asks the
 * access module whether this caller may take this action now, (4) writes the next state only if the
 * row's version is unchanged (else CONFLICT: someone acted at the same moment), with the further
 * writes the step plans, and (5) appends the event, with the limits the step ended, judged — so a
 * change and its history are never apart, and of two people acting at once exactly one wins. What
 * other slices must say is asked before, never inside the transaction.
 */
import type { Viewer } from '../../platform/auth.ts';
import { beijingDate } from '../../platform/calendar.ts';
import { changeRow, type RowKind } from '../../platform/change.ts';
import type { Bilingual } from '../../platform/errors.ts';
import { parseInput, type z } from '../../platform/input.ts';
import { present } from '../../platform/invariant.ts';
import { emit } from '../../platform/outbox.ts';
import { nextState, type Rule } from '../../platform/rules.ts';
import type { Queryable } from '../../db/client.ts';
import type { applicationEvents, policyEvents } from '../../db/policies.ts';
import { policyState } from './access.ts';
import type { PoliciesContext } from './context.ts';
import type { JudgedLimit } from './deadlines.ts';
import * as input from './input.ts';
import { applicationNotice, itemNotices } from './notices.ts';
import { applicationRules, policyRules, type ApplicationAction, type PolicyAction, type PolicyStanding } from './rules.ts';
import {
  applicationEventStore,
  applicationStore,
  commentStore,
  itemStore,
  limitOutcomeStore,
  noticeStore,
  policiesOutbox,
  policyEventStore,
  policyStore,
  type ApplicationRow,
  type CommentRow,
  type ItemRow,
  type NewApplication,
  type NewPolicy,
  type PolicyRow,
} from './store.ts';

export const POLICY: Bilingual = { zh: '政策', en: 'Policy' };
export const ITEM: Bilingual = { zh: '政策项目', en: 'Policy item' };
export const APPLICATION: Bilingual = { zh: '申报', en: 'Application' };
export const ENTERPRISE: Bilingual = { zh: '市场主体', en: 'Enterprise' };
export const COMMENT: Bilingual = { zh: '意见', en: 'Comment' };
export const OBJECTION: Bilingual = { zh: '异议', en: 'Objection' };

/** Who an event says acted: the caller (the public's objections: ANONYMOUS). */
export const actorOf = (viewer: Viewer) => ({
  actorSubject: viewer.subject ?? 'ANONYMOUS',
  actorRole: viewer.role,
  actorUnitId: viewer.unitId,
});

/** The subject of a caller allowed to write (a write refused to the anonymous has one). */
export const subjectOf = (viewer: Viewer): string => present(viewer.subject, 'the subject of a caller allowed to write');

export type PolicyEvent = Omit<typeof policyEvents.$inferInsert, 'id' | 'policyId'>;
export type ApplicationEvent = Omit<typeof applicationEvents.$inferInsert, 'id' | 'applicationId'>;

/** Appends an event to a policy's history (append-only, by trigger); returns its id. */
export const recordPolicyEvent = (tx: Queryable, policyId: string, event: PolicyEvent) =>
  policyEventStore.append(tx, { policyId, ...event });

/**
 * Appends an event to an application's history (append-only, by trigger); returns its id. A step
 * that changed its state writes, in the same transaction, the outbox event telling its enterprise
 * (notices.ts): the step and its notice commit together or not at all.
 */
export async function recordApplicationEvent(tx: Queryable, application: ApplicationRow, event: ApplicationEvent): Promise<number> {
  const id = await applicationEventStore.append(tx, { applicationId: application.id, ...event });
  const notice = applicationNotice(application, { action: event.action, fromStatus: event.fromStatus ?? null, toStatus: event.toStatus });
  if (notice) await emit(tx, policiesOutbox, notice, event.at);
  return id;
}

/**
 * 政策找企业: the item's notices to the enterprises `codes` (one per item and enterprise, ever) and,
 * in the same transaction, the outbox events that carry them to the enterprises' inboxes, SMS and
 * the webhooks that asked. Returns how many enterprises were newly noticed.
 */
export async function sendItemNotices(tx: Queryable, item: ItemRow, codes: readonly string[], at: Date): Promise<number> {
  const fresh = await noticeStore.send(tx, item.id, codes, at);
  for (const notice of itemNotices(item, fresh)) await emit(tx, policiesOutbox, notice, at);
  return fresh.length;
}

/** What one step writes besides the status, and what its event says. */
export interface Plan<Row, Values> {
  values?: Values;
  /** Overrides the rule's target status. */
  toStatus?: Row extends { status: infer S } ? S : never;
  /** The history's name for what happened, when it is not the action's own. */
  eventAction?: string;
  note?: string | null;
  details?: Record<string, unknown>;
  /** Further writes in the same transaction, after the row itself. */
  after?: (updated: Row) => Promise<void>;
  /** The limits this step ends, judged at it: kept with the step's event, never erased. */
  limits?: JudgedLimit[];
}

/** What a step's plan is worked out from: the transaction, the row as read in it, the step's instant and day. */
export interface StepContext<Row> {
  tx: Queryable;
  row: Row;
  now: Date;
  today: string;
}

export type Planner<Row, Values> = (step: StepContext<Row>) => Promise<Plan<Row, Values>> | Plan<Row, Values>;

export interface StepOptions {
  /** The version the caller last read; absent or null: not compared. */
  expectedVersion?: number | null;
  /** The step may be taken without a token (the rules table still says who). */
  anonymous?: boolean;
  /** The row is acted on as the public sees it (a public notice), not as this caller may read it. */
  publicRow?: boolean;
}

/** A row that changes by the rules: its id, version and status. */
interface Stepping<Status extends string> {
  id: string;
  version: number;
  status: Status;
}

/** What `step` needs to know of a kind of row that changes by the rules. */
interface Lifecycle<Status extends string, Row extends Stepping<Status>, Values, Action extends string> {
  noun: Bilingual;
  /** How its id is checked (a uuid, named in the refusal). */
  id: z.ZodType<string>;
  get(tx: Queryable, id: string): Promise<Row | undefined>;
  canSee(ctx: PoliciesContext, row: Row): Promise<boolean>;
  authorize(ctx: PoliciesContext, action: Action, row: Row): Promise<void>;
  rule(action: Action): Rule<Status, PolicyStanding>;
  stateName(ctx: PoliciesContext, row: Row): string;
  update(tx: Queryable, id: string, version: number, values: Values & { status: Status }): Promise<Row | undefined>;
  /** Appends the event; returns its id. */
  record(
    tx: Queryable,
    row: Row,
    event: { fromStatus: Status; toStatus: Status } & Omit<PolicyEvent, 'fromStatus' | 'toStatus'>,
  ): Promise<number>;
  /** Keeps the limits the step ended, judged, with the step's event (applications only). */
  judge?(tx: Queryable, row: Row, eventId: number, limits: JudgedLimit[]): Promise<void>;
}

interface Stepped<Row, Values> {
  row: Row;
  plan: Plan<Row, Values>;
  toStatus: string;
  at: Date;
}

/** One step of a policy's or an application's lifecycle, through the kit's `changeRow` (steps above). */
async function step<Status extends string, Row extends Stepping<Status>, Values, Action extends string>(
  ctx: PoliciesContext,
  life: Lifecycle<Status, Row, Values, Action>,
  rawId: string,
  action: Action,
  plan: Planner<Row, Values>,
  options: StepOptions = {},
): Promise<Row> {
  if (!options.anonymous) ctx.access.assertSignedIn();
  const id = parseInput(life.id, rawId, 'id');
  // The caller's unit comes from the directory (HTTP, cached): asked before the transaction.
  await ctx.access.draftsOf();
  const kind: RowKind<Row, Queryable> = {
    noun: life.noun,
    load: (tx) => life.get(tx, id),
    visible: options.publicRow ? undefined : (row) => life.canSee(ctx, row),
    version: (row) => row.version,
    state: (row) => row.status,
    stateName: (row) => life.stateName(ctx, row),
  };
  const done = await changeRow<Row, Stepped<Row, Values>, Queryable>(ctx.db, kind, {
    key: rawId,
    expectedVersion: options.expectedVersion,
    authorize: (row) => life.authorize(ctx, action, row),
    async write(tx, row) {
      const at = ctx.now();
      const planned = await plan({ tx, row, now: at, today: beijingDate(at) });
      const toStatus = (planned.toStatus as Status | undefined) ?? nextState(life.rule(action), row.status);
      const updated = await life.update(tx, id, row.version, { ...(planned.values as Values), status: toStatus });
      if (!updated) return null;
      await planned.after?.(updated);
      return { row: updated, plan: planned, toStatus, at };
    },
    async record(tx, before, { row, plan: planned, toStatus, at }) {
      const eventId = await life.record(tx, row, {
        action: planned.eventAction ?? action,
        fromStatus: before.status,
        toStatus: toStatus as Status,
        ...actorOf(ctx.viewer),
        note: planned.note ?? null,
        details: planned.details ?? null,
        at,
      });
      if (planned.limits?.length) await present(life.judge, `how a ${life.noun.en} keeps judged limits`)(tx, row, eventId, planned.limits);
    },
    // The row as the step left it, with whatever its further writes changed.
    finish: async (tx, stepped) => ({ ...stepped, row: present(await life.get(tx, id), `the ${life.noun.en} just changed`) }),
  });
  return done.row;
}

const policyLife: Lifecycle<PolicyRow['status'], PolicyRow, Partial<NewPolicy>, PolicyAction> = {
  noun: POLICY,
  id: input.policyId,
  get: policyStore.get,
  canSee: (ctx, row) => ctx.access.canSeePolicy(row),
  authorize: (ctx, action, row) => ctx.access.assertPolicy(action, row, ctx.today()),
  rule: (action) => policyRules[action] as Rule<PolicyRow['status'], PolicyStanding>,
  stateName: (ctx, row) => policyState(row, ctx.today()),
  update: policyStore.update,
  record: (tx, row, event) => recordPolicyEvent(tx, row.id, event),
};

const applicationLife: Lifecycle<ApplicationRow['status'], ApplicationRow, Partial<NewApplication>, ApplicationAction> = {
  noun: APPLICATION,
  id: input.applicationId,
  get: applicationStore.get,
  canSee: (ctx, row) => ctx.access.canSeeApplication(row),
  authorize: (ctx, action, row) => ctx.access.assertApplication(action, row),
  rule: (action) => applicationRules[action] as Rule<ApplicationRow['status'], PolicyStanding>,
  stateName: (_, row) => row.status,
  update: applicationStore.update,
  record: (tx, row, event) => recordApplicationEvent(tx, row, event),
  judge: (tx, row, eventId, limits) =>
    limitOutcomeStore.insert(
      tx,
      limits.map((limit) => ({
        applicationId: row.id,
        eventId,
        objectionId: limit.objectionId ?? null,
        kind: limit.kind,
        startsAt: limit.startsAt,
        dueAt: limit.dueAt,
        judgedAt: limit.judgedAt,
        pendingCalendarYear: limit.pendingCalendarYear,
      })),
    ),
};

/** One step of a policy (立、改、废、释, its items, its consultation): see the top of this file. */
export const changePolicy = (
  ctx: PoliciesContext,
  id: string,
  action: PolicyAction,
  plan: Planner<PolicyRow, Partial<NewPolicy>>,
  options?: StepOptions,
): Promise<PolicyRow> => step(ctx, policyLife, id, action, plan, options);

/** One step of an application (申报 → 审核 → 公示 → 兑现 → 评价): see the top of this file. */
export const changeApplication = (
  ctx: PoliciesContext,
  id: string,
  action: ApplicationAction,
  plan: Planner<ApplicationRow, Partial<NewApplication>>,
  options?: StepOptions,
): Promise<ApplicationRow> => step(ctx, applicationLife, id, action, plan, options);

/** A policy read in the transaction, as this caller may see it: what a comment is added to. */
export const policyRow = (ctx: PoliciesContext): RowKind<PolicyRow, Queryable> => ({
  noun: POLICY,
  // The key is the caller's, checked as a uuid beforehand (input.ts lower-cases ids).
  load: (tx, id) => policyStore.get(tx, id.toLowerCase()),
  visible: (row) => ctx.access.canSeePolicy(row),
});

/** A consultation comment, locked, with its policy, as this caller may see it: what an answer changes. */
export const commentRow = (ctx: PoliciesContext): RowKind<{ comment: CommentRow; policy: PolicyRow }, Queryable> => ({
  noun: COMMENT,
  async load(tx, id) {
    const comment = await commentStore.lock(tx, id.toLowerCase());
    const policy = comment && (await policyStore.get(tx, comment.policyId));
    return comment && policy ? { comment, policy } : null;
  },
  visible: ({ comment, policy }) => ctx.access.canSeeComment(comment, policy),
});

/** An item, locked: what an automatic grant runs on. */
export const itemRow: RowKind<ItemRow, Queryable> = {
  noun: ITEM,
  load: (tx, id) => itemStore.lock(tx, id),
  version: (row) => row.version,
};
