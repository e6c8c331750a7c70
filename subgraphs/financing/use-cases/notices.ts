/**
 * The financing slice's notices (issue #25 §3): the caller's inbox (an enterprise, an institution
 * or branch, the regulator) and its read state, notice settings, the webhooks an institution (or
 * a unit, or the command office for a connected system) registers, their dead letters and replay —
 * the kit's use cases (platform/notices.ts) on this slice's tables, for the owners access.ts
 * allows — and the sweep that writes the limit warnings (80%) and lapses time makes.
 */
import { noticeUseCases } from '../../../platform/notices.ts';
import { emit } from '../../../platform/outbox.ts';
import type { Queryable } from '../../../db/client.ts';
import { FINANCING_NOTICE_TYPES, limitNotice } from '../notices.ts';
import { financingOutbox, noticeStore } from '../store.ts';

export const { inbox, markRead, settings, setSettings, registerWebhook, webhooks, deadLetters, replay } = noticeUseCases(
  financingOutbox,
  FINANCING_NOTICE_TYPES,
);

/**
 * The worker's sweep: each running limit's warning (80%) and its lapse, once each (by its once
 * key) — to the holder, and a claim limit's to the regulator (`regulatorUnitId`, looked up in the
 * directory before the sweep's transaction; while it is unknown, claim limits wait for the next sweep).
 */
export async function sweepLimits(tx: Queryable, now: Date, regulatorUnitId: string | null): Promise<void> {
  for (const limit of await noticeStore.limitsPassed(tx, now)) {
    const notice = limitNotice(limit, regulatorUnitId);
    if (notice) await emit(tx, financingOutbox, notice, now);
  }
}
