/**
 * The issues slice's rows as the kit changes them (platform/change.ts `changeRow`), and the one
 * path by which an existing issue changes: `changeIssue`.
 *
 * Before it opens a transaction it confirms the caller's unit and looks up every unit the request
 * names (the directory is another slice's API: no network call ever waits inside a transaction).
 * Then, in one transaction, the kit (1) reads the issue — one the caller may not see is NOT_FOUND —
 * and compares `expectedVersion`, (2) asks the access module whether this caller may take this
 * action now, (3) writes the issue only if its version is unchanged, with what the use case's plan
 * says (and the plan's deadline and record changes), (4) appends the event, and (5) refreshes the
 * issue's next due time — so a change and its history are never apart, and of two people acting
 * at once exactly one wins.
 */
import { changeRow, type RowKind } from '../../platform/change.ts';
import { emit } from '../../platform/outbox.ts';
import type { WorkingCalendar } from '../../platform/calendar.ts';
import type { DirectoryUnit } from '../../platform/directory.ts';
import type { Bilingual } from '../../platform/errors.ts';
import { parseInput } from '../../platform/input.ts';
import { present } from '../../platform/invariant.ts';
import { nextState } from '../../platform/rules.ts';
import type { Queryable } from '../../db/client.ts';
import { canSee } from './access.ts';
import type { IssuesContext } from './context.ts';
import { issueId, type NoteAudienceValue } from './input.ts';
import { issueRules, noteAudienceFor, statusNames, type IssueAction, type IssueStatus } from './rules.ts';
import { issueNotice, NOTIFYING_ACTIONS } from './notices.ts';
import {
  calendarStore,
  eventStore,
  issueOutbox,
  issueStore,
  type IssueRow,
  type IssueScope,
  type NewEvent,
  type NewIssue,
} from './store.ts';

export const ISSUE: Bilingual = { zh: '问题', en: 'Issue' };

/** An issue, by id, as a caller with `scope` may know it: one it may not see does not exist for it. */
export function issueRow(scope: IssueScope): RowKind<IssueRow, Queryable> {
  return {
    noun: ISSUE,
    load: (tx, id) => issueStore.get(tx, id.toLowerCase()),
    visible: (row) => canSee(scope, row),
    version: (row) => row.version,
    state: (row) => row.status,
    stateName: (row) => statusNames[row.status],
  };
}

/** Who acts, as every event records it. */
function actorFields(ctx: IssuesContext) {
  return {
    actorSubject: present(ctx.viewer.subject, 'the subject of a caller allowed to act'),
    actorRole: ctx.viewer.role,
    actorUnitId: ctx.viewer.unitId,
  };
}

/**
 * Appends one event of an issue's history (append-only, by trigger), as the caller of this request
 * — and, in the same transaction, the outbox event of an entry that tells someone (notices.ts): the
 * entry and its notice commit together or not at all.
 */
export async function recordEvent(ctx: IssuesContext, tx: Queryable, event: Omit<NewEvent, 'actorSubject' | 'actorRole' | 'actorUnitId'>) {
  await eventStore.append(tx, { ...event, ...actorFields(ctx) });
  if (!NOTIFYING_ACTIONS.has(event.action)) return;
  const issue = present(await issueStore.get(tx, event.issueId), 'the issue whose history is written');
  const notice = issueNotice(event.action, issue, event.details as Record<string, unknown> | null | undefined);
  if (notice) await emit(tx, issueOutbox, notice, event.at ?? ctx.now());
}

/** What a use case's plan is given, inside the transaction, on the issue as locked-by-version. */
export interface ActionContext {
  tx: Queryable;
  issue: IssueRow;
  now: Date;
  calendar(): Promise<WorkingCalendar>;
  /** The units the request named, looked up before the transaction (null: no such unit). */
  units: (DirectoryUnit | null)[];
}

/** What a use case says a change does to the issue. */
export interface ActionPlan {
  values?: Partial<NewIssue>;
  /** Overrides the rule's target (an unsatisfied rating reopens). */
  toStatus?: IssueStatus;
  /** The history's name for what happened, when it is not the action's own. */
  eventAction?: string;
  note?: string | null;
  /** Who the note is for, where the writer chooses (rules.ts says where). */
  noteFor?: NoteAudienceValue | null;
  details?: Record<string, unknown>;
  /** Deadline and record changes, run after the issue row is written. */
  after?: (updated: IssueRow) => Promise<unknown>;
  /** Other issues whose deadlines or counters changed (merge). */
  alsoRefresh?: string[];
}

/** One change of an existing issue. */
export interface IssueChange {
  /** The issue's id, as the caller gave it. */
  id: string;
  action: IssueAction;
  expectedVersion?: number | null;
  /** Unit ids the request names, looked up before the transaction (`ActionContext.units`, in order). */
  named?: readonly string[];
  plan(action: ActionContext): Promise<ActionPlan> | ActionPlan;
}

interface Written {
  issue: IssueRow;
  plan: ActionPlan;
  toStatus: IssueStatus;
  at: Date;
}

/** The one path by which an existing issue changes (see above). Returns the issue as changed. */
export async function changeIssue(ctx: IssuesContext, change: IssueChange): Promise<IssueRow> {
  ctx.access.assertSignedIn();
  parseInput(issueId, change.id, 'id');
  const units = await ctx.access.prepareToAct(change.named ?? []);
  const scope = await ctx.access.scope();
  const changed = await changeRow<IssueRow, Written, Queryable>(ctx.db, issueRow(scope), {
    key: change.id,
    expectedVersion: change.expectedVersion,
    authorize: (issue) => ctx.access.assert(change.action, issue),
    async write(tx, issue) {
      const now = ctx.now();
      let calendar: Promise<WorkingCalendar> | undefined;
      const plan = await change.plan({ tx, issue, now, units, calendar: () => (calendar ??= calendarStore.working(tx)) });
      const toStatus = plan.toStatus ?? nextState(issueRules[change.action], issue.status);
      const updated = await issueStore.update(tx, issue.id, issue.version, { ...plan.values, status: toStatus });
      if (!updated) return null;
      await plan.after?.(updated);
      return { issue: updated, plan, toStatus, at: now };
    },
    record(tx, before, { plan, toStatus, at }) {
      const eventAction = plan.eventAction ?? change.action;
      return recordEvent(ctx, tx, {
        issueId: before.id,
        action: eventAction,
        fromStatus: before.status,
        toStatus,
        note: plan.note ?? null,
        noteAudience: plan.note ? noteAudienceFor(eventAction, plan.noteFor) : null,
        details: plan.details ?? null,
        at,
      });
    },
    async finish(tx, written) {
      await issueStore.refreshNextDue(tx, [written.issue.id, ...(written.plan.alsoRefresh ?? [])]);
      return { ...written, issue: present(await issueStore.get(tx, written.issue.id), 'the issue just changed') };
    },
  });
  return changed.issue;
}
