/**
 * The policies slice's notices (issue #25 §3): the caller's inbox (an enterprise's: items it is
 * eligible for, its applications' state) and its read state, notice settings (an enterprise's SMS
 * or inbox only), the webhooks a unit or a department's connected system registers, their dead
 * letters and replay — the kit's use cases (platform/notices.ts) on this slice's tables, for the
 * owners access.ts allows.
 */
import { noticeUseCases } from '../../../platform/notices.ts';
import { POLICY_NOTICE_TYPES } from '../notices.ts';
import { policiesOutbox } from '../store.ts';

export const { inbox, markRead, settings, setSettings, registerWebhook, webhooks, deadLetters, replay } = noticeUseCases(
  policiesOutbox,
  POLICY_NOTICE_TYPES,
);
