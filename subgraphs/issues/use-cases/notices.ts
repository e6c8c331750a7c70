/**
 * The issues slice's notices (issue #25 §3): the caller's inbox and its read state, the notice
 * settings of a unit (duty contact, what comes by SMS) or an enterprise (SMS or inbox only), the
 * webhooks a unit or connected system registers, their dead letters and replay — the kit's
 * functions (platform/notices.ts) on this slice's tables, for the owners access.ts allows — and
 * the sweep that writes the deadline warnings and lapses time makes.
 */
import { personOf } from '../../../platform/auth.ts';
import { noticesOf } from '../../../platform/notices.ts';
import { emit } from '../../../platform/outbox.ts';
import { pageSize } from '../../../platform/pagination.ts';
import type { Queryable } from '../../../db/client.ts';
import type { IssuesContext } from '../context.ts';
import { deadlineNotice, ISSUE_NOTICE_TYPES } from '../notices.ts';
import type {
  MutationMarkIssueNoticesReadArgs,
  MutationRegisterIssueWebhookArgs,
  MutationReplayIssueWebhookDeliveryArgs,
  MutationSetIssueNoticeSettingsArgs,
  QueryIssueNoticesArgs,
  QueryIssueWebhookDeadLettersArgs,
  QueryIssueWebhooksArgs,
} from '../schema-types.ts';
import { issueOutbox, noticeStore } from '../store.ts';

const kit = noticesOf(issueOutbox);
const who = (ctx: IssuesContext) => JSON.stringify(personOf(ctx.viewer));

export async function inbox(ctx: IssuesContext, args: QueryIssueNoticesArgs) {
  ctx.access.assertSignedIn();
  return kit.inbox(ctx.db, await ctx.access.noticeOwners(), {
    unreadOnly: args.unreadOnly,
    first: pageSize(args.first, ctx.maxPageSize),
    after: args.after,
  });
}

export async function markRead(ctx: IssuesContext, args: MutationMarkIssueNoticesReadArgs) {
  return kit.markRead(ctx.db, await ctx.access.noticeOwners(), args.ids, who(ctx), ctx.now());
}

export async function settings(ctx: IssuesContext) {
  return kit.settings(ctx.db, await ctx.access.assertNoticeManager(null, 'settings'));
}

export async function setSettings(ctx: IssuesContext, args: MutationSetIssueNoticeSettingsArgs) {
  const owner = await ctx.access.assertNoticeManager(null, 'settings');
  return kit.setSettings(ctx.db, owner, args.input, ISSUE_NOTICE_TYPES, who(ctx), ctx.now());
}

export async function registerWebhook(ctx: IssuesContext, args: MutationRegisterIssueWebhookArgs) {
  const owner = await ctx.access.assertNoticeManager(args.input.system, 'webhooks');
  return kit.registerWebhook(ctx.db, owner, args.input, ISSUE_NOTICE_TYPES, ctx.development ?? false, who(ctx), ctx.now());
}

export async function webhooks(ctx: IssuesContext, args: QueryIssueWebhooksArgs) {
  const rows = await kit.webhooks(ctx.db, await ctx.access.assertNoticeManager(args.system, 'webhooks'));
  // The secret is shown once, at registration.
  return rows.map((row) => ({ ...row, secret: null }));
}

export async function deadLetters(ctx: IssuesContext, args: QueryIssueWebhookDeadLettersArgs) {
  const owner = await ctx.access.assertNoticeManager(args.system, 'webhooks');
  return kit.deadLetters(ctx.db, owner, pageSize(args.first, ctx.maxPageSize));
}

export async function replay(ctx: IssuesContext, args: MutationReplayIssueWebhookDeliveryArgs) {
  const owner = await ctx.access.assertNoticeManager(args.system, 'webhooks');
  return kit.replay(ctx.db, owner, args.id.toLowerCase(), ctx.now());
}

/** The worker's sweep: a deadline's warning (80%) and its lapse, each once (by its once key). */
export async function sweepDeadlines(tx: Queryable, now: Date): Promise<void> {
  for (const deadline of await noticeStore.deadlinesPassed(tx, now)) await emit(tx, issueOutbox, deadlineNotice(deadline), now);
}
