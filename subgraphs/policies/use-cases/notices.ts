/**
 * The policies slice's notices (issue #25 §3): the caller's inbox (an enterprise's: items it is
 * eligible for, its applications' state; a unit's: the limits of applications it reviews) and its
 * read state, notice settings (an enterprise's SMS or inbox only, a unit's duty contact), the
 * webhooks a unit or a department's connected system registers, their dead letters and replay — the
 * kit's use cases (platform/notices.ts) on this slice's tables, for the owners access.ts allows —
 * and the sweep that writes the limit warnings (80%) and lapses time makes.
 */
import { noticeUseCases } from '../../../platform/notices.ts';
import { emit } from '../../../platform/outbox.ts';
import type { Queryable } from '../../../db/client.ts';
import { limitNotice, POLICY_NOTICE_TYPES } from '../notices.ts';
import { limitNoticeStore, policiesOutbox } from '../store.ts';

export const { inbox, markRead, settings, setSettings, registerWebhook, webhooks, deadLetters, replay } = noticeUseCases(
  policiesOutbox,
  POLICY_NOTICE_TYPES,
);

/**
 * The worker's sweep: each running review or payment limit's warning (80%) and its lapse, and each
 * open objection's answer's, once each (by its once key), to the application's reviewing unit.
 */
export async function sweepLimits(tx: Queryable, now: Date): Promise<void> {
  for (const limit of await limitNoticeStore.limitsPassed(tx, now)) await emit(tx, policiesOutbox, limitNotice(limit), now);
}
