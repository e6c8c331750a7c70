/**
 * What every slice offers on its notice tables (db/outbox.ts), the same way in each (issue #25 §3):
 * the caller's inbox and its read state, notice settings (a unit's duty contact and who receives
 * what; an enterprise's SMS or inbox only), webhooks (registered, listed, dead letters, replay).
 * The slice's access module decides whose inbox and settings a caller has (`noticeOwnersOf`,
 * `managedOwnerOf` give the base rule); these functions only run the statements on those owners.
 *
 * Why the inbox lives in each slice (and the gateway joins them): the worker writes a notice in
 * the transaction that dispatches its event, on the slice's own tables — no call to another slice
 * and no service identity needed, and a notice exists exactly when its event was dispatched.
 */
import { z } from 'zod';
import { and, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import type { NoticeOwner, OutboxTables } from '../db/outbox.ts';
import { personKey, personOf, Role, type Viewer } from './auth.ts';
import { errors } from './errors.ts';
import { isUuid, parseInput } from './input.ts';
import { present } from './invariant.ts';
import { pageSize } from './pagination.ts';
import { newWebhookSecret, webhookUrlProblem } from './webhooks.ts';

/** Whose inbox the caller reads: themselves, their active unit, their enterprise, their institution (a branch's token: its branch). */
export function noticeOwnersOf(viewer: Viewer, activeUnitId: string | null): NoticeOwner[] {
  const owners: NoticeOwner[] = [];
  if (viewer.role !== 'ANONYMOUS' && viewer.subject)
    owners.push({ kind: 'PERSON', id: personKey({ issuer: viewer.issuer ?? '', role: viewer.role, subject: viewer.subject }) });
  if (activeUnitId) owners.push({ kind: 'UNIT', id: activeUnitId });
  if (viewer.role === Role.ENTERPRISE && viewer.enterprise) owners.push({ kind: 'ENTERPRISE', id: viewer.enterprise });
  if (viewer.role === Role.FINANCIAL_INSTITUTION && viewer.institution)
    owners.push(
      viewer.branch ? { kind: 'BRANCH', id: viewer.branch.toLowerCase() } : { kind: 'INSTITUTION', id: viewer.institution.toLowerCase() },
    );
  return owners;
}

/**
 * Whose settings and webhooks the caller keeps: a unit's admin (and the command office) their
 * unit's; the command office also a connected system's, by name; an enterprise its own settings;
 * an institution's staff its institution's. Null: nobody's.
 */
export function managedOwnerOf(
  viewer: Viewer,
  activeUnitId: string | null,
  system: string | null | undefined,
  purpose: 'settings' | 'webhooks',
): NoticeOwner | null {
  if (system) return viewer.role === Role.COMMAND_OFFICE && activeUnitId ? { kind: 'SYSTEM', id: system } : null;
  if ((viewer.role === Role.UNIT_ADMIN || viewer.role === Role.COMMAND_OFFICE) && activeUnitId) return { kind: 'UNIT', id: activeUnitId };
  if (viewer.role === Role.FINANCIAL_INSTITUTION && viewer.institution && !viewer.branch)
    return { kind: 'INSTITUTION', id: viewer.institution.toLowerCase() };
  if (purpose === 'settings' && viewer.role === Role.ENTERPRISE && viewer.enterprise) return { kind: 'ENTERPRISE', id: viewer.enterprise };
  return null;
}

const ownedBy = (table: { ownerKind: unknown; ownerId: unknown }, owners: NoticeOwner[]): SQL =>
  or(...owners.map((owner) => sql`(${table.ownerKind} = ${owner.kind} and ${table.ownerId} = ${owner.id})`)) ?? sql`false`;

const phone = z
  .string()
  .trim()
  .refine((value) => /^\+?[0-9]{7,15}$/.test(value), {
    message: 'Not a phone number',
    params: { zh: '手机号格式不正确（7–15 位数字，可带 +）', en: 'Not a phone number (7–15 digits, + allowed)' },
  });
const settingsInput = (types: readonly string[]) =>
  z.object({
    contactName: z.string().trim().min(1).max(50).nullish(),
    contactPhone: phone.nullish(),
    smsEventTypes: z
      .array(z.enum(types as [string, ...string[]]))
      .max(types.length)
      .nullish(),
  });
const webhookInput = (types: readonly string[]) =>
  z.object({
    url: z.string().trim().min(1).max(2000),
    eventTypes: z
      .array(z.enum(types as [string, ...string[]]))
      .min(1)
      .max(types.length),
    system: z.string().trim().min(1).max(100).nullish(),
  });

const NOTICE_CURSOR_UNKNOWN = {
  zh: 'after 须为本人站内信中的一条通知编号（上一页最后一条）',
  en: 'after must be the id of one of your notices (the last of the page before)',
};

export function noticesOf(tables: OutboxTables) {
  const { notices: N, noticeSettings: S, outboxWebhooks: W, outboxDeliveries: D, outboxEvents: E } = tables;
  return {
    /**
     * The caller's notices, newest first; `after` (a notice's id, the last one of the page before)
     * continues below it. An id that is not one of the caller's notices is refused, not ignored:
     * starting over from the newest would show a page twice.
     */
    async inbox(db: Queryable, owners: NoticeOwner[], options: { unreadOnly?: boolean | null; first: number; after?: string | null }) {
      if (!owners.length) return [];
      let below: SQL | undefined;
      if (options.after != null) {
        const after = options.after.toLowerCase();
        const [from] = isUuid(after)
          ? await db
              .select({ seq: N.seq })
              .from(N)
              .where(and(eq(N.id, after), ownedBy(N, owners)))
          : [];
        if (!from) throw errors.badInput('after', NOTICE_CURSOR_UNKNOWN);
        below = sql`${N.seq} < ${from.seq}`;
      }
      return db
        .select()
        .from(N)
        .where(and(ownedBy(N, owners), options.unreadOnly ? isNull(N.readAt) : undefined, below))
        .orderBy(desc(N.seq))
        .limit(options.first);
    },
    /** Marks the caller's own notices read (others' ids name nothing); returns them. */
    markRead(db: Queryable, owners: NoticeOwner[], given: string[], reader: string, now: Date) {
      const ids = given.map((id) => id.toLowerCase()).filter(isUuid);
      if (!owners.length || !ids.length) return Promise.resolve([]);
      return db.transaction(async (tx) => {
        await tx
          .update(N)
          .set({ readAt: now, readBy: reader })
          .where(and(inArray(N.id, ids), ownedBy(N, owners), isNull(N.readAt)));
        return tx
          .select()
          .from(N)
          .where(and(inArray(N.id, ids), ownedBy(N, owners)))
          .orderBy(desc(N.seq));
      });
    },
    async settings(db: Queryable, owner: NoticeOwner) {
      const [row] = await db
        .select()
        .from(S)
        .where(and(eq(S.ownerKind, owner.kind), eq(S.ownerId, owner.id)));
      return row ?? null;
    },
    async setSettings(db: Queryable, owner: NoticeOwner, input: unknown, types: readonly string[], by: string, now: Date) {
      const parsed = parseInput(settingsInput(types), input, 'input');
      const values = {
        contactName: parsed.contactName ?? null,
        contactPhone: parsed.contactPhone ?? null,
        smsTypes: parsed.smsEventTypes ?? null,
        updatedAt: now,
        updatedBy: by,
      };
      const [row] = await db
        .insert(S)
        .values({ ownerKind: owner.kind, ownerId: owner.id, ...values })
        .onConflictDoUpdate({ target: [S.ownerKind, S.ownerId], set: values })
        .returning();
      return present(row, 'the settings just written');
    },
    async registerWebhook(
      db: Queryable,
      owner: NoticeOwner,
      input: unknown,
      types: readonly string[],
      development: boolean,
      by: string,
      now: Date,
    ) {
      const parsed = parseInput(webhookInput(types), input, 'input');
      const problem = webhookUrlProblem(parsed.url, development);
      if (problem) throw errors.badInput('input.url', problem);
      const [row] = await db
        .insert(W)
        .values({
          ownerKind: owner.kind,
          ownerId: owner.id,
          url: parsed.url,
          eventTypes: parsed.eventTypes,
          secret: newWebhookSecret(),
          createdAt: now,
          createdBy: by,
        })
        .returning();
      return present(row, 'the webhook just registered');
    },
    webhooks(db: Queryable, owner: NoticeOwner) {
      return db
        .select()
        .from(W)
        .where(and(eq(W.ownerKind, owner.kind), eq(W.ownerId, owner.id)))
        .orderBy(desc(W.createdAt));
    },
    /** The owner's deliveries that failed for the whole retry window, newest first. */
    deadLetters(db: Queryable, owner: NoticeOwner, first: number, id?: string) {
      return db
        .select({
          id: D.id,
          eventId: D.eventId,
          eventType: E.type,
          state: D.state,
          attempts: D.attempts,
          lastStatus: D.lastStatus,
          lastError: D.lastError,
          createdAt: D.createdAt,
        })
        .from(D)
        .innerJoin(W, eq(W.id, D.webhookId))
        .innerJoin(E, eq(E.id, D.eventId))
        .where(and(eq(D.state, 'DEAD'), eq(W.ownerKind, owner.kind), eq(W.ownerId, owner.id), id ? eq(D.id, id) : undefined))
        .orderBy(desc(D.createdAt))
        .limit(first);
    },
    /** A dead letter of the owner's, pending again from now with a fresh retry window (the same event id); null when it is none. */
    async replay(db: Queryable, owner: NoticeOwner, id: string, now: Date) {
      if (!isUuid(id)) return null;
      const [dead] = await this.deadLetters(db, owner, 1, id);
      if (!dead) return null;
      await db
        .update(D)
        .set({
          state: 'PENDING',
          attempts: 0,
          firstAttemptAt: null,
          nextAttemptAt: now,
          leaseUntil: null,
          leaseToken: null,
          lastError: null,
        })
        .where(and(eq(D.id, id), eq(D.state, 'DEAD')));
      return { ...dead, state: 'PENDING', attempts: 0, lastError: null };
    },
  };
}

/** What a slice's notice use cases need of its context: the caller, who they may read and keep for (its access module), the clock. */
export interface NoticeCaller {
  viewer: Viewer;
  db: Queryable;
  now(): Date;
  maxPageSize: number;
  development?: boolean;
  access: {
    noticeOwners(): Promise<NoticeOwner[]>;
    assertNoticeManager(system: string | null | undefined, purpose: 'settings' | 'webhooks'): Promise<NoticeOwner>;
  };
}

/**
 * A slice's notice use cases (inbox, read state, settings, webhooks, dead letters, replay) on its
 * tables and event types, for the owners its access module allows — the same in every slice that
 * has no more to add (subgraphs/financing, policies, evaluations: use-cases/notices.ts).
 */
export function noticeUseCases(tables: OutboxTables, types: readonly string[]) {
  const kit = noticesOf(tables);
  const who = (ctx: NoticeCaller) => JSON.stringify(personOf(ctx.viewer));
  const signedIn = (ctx: NoticeCaller) => {
    if (ctx.viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
  };
  const settingsOf = (row: { contactName: string | null; contactPhone: string | null; smsTypes: string[] | null } | null) =>
    row ? { contactName: row.contactName, contactPhone: row.contactPhone, smsEventTypes: row.smsTypes } : null;
  return {
    async inbox(ctx: NoticeCaller, args: { unreadOnly?: boolean | null; first?: number | null; after?: string | null }) {
      signedIn(ctx);
      return kit.inbox(ctx.db, await ctx.access.noticeOwners(), {
        unreadOnly: args.unreadOnly,
        first: pageSize(args.first, ctx.maxPageSize),
        after: args.after,
      });
    },
    async markRead(ctx: NoticeCaller, args: { ids: string[] }) {
      signedIn(ctx);
      return kit.markRead(ctx.db, await ctx.access.noticeOwners(), args.ids, who(ctx), ctx.now());
    },
    async settings(ctx: NoticeCaller) {
      return settingsOf(await kit.settings(ctx.db, await ctx.access.assertNoticeManager(null, 'settings')));
    },
    async setSettings(ctx: NoticeCaller, args: { input: unknown }) {
      const owner = await ctx.access.assertNoticeManager(null, 'settings');
      return settingsOf(await kit.setSettings(ctx.db, owner, args.input, types, who(ctx), ctx.now()));
    },
    async registerWebhook(ctx: NoticeCaller, args: { input: { system?: string | null } }) {
      const owner = await ctx.access.assertNoticeManager(args.input.system, 'webhooks');
      return kit.registerWebhook(ctx.db, owner, args.input, types, ctx.development ?? false, who(ctx), ctx.now());
    },
    async webhooks(ctx: NoticeCaller, args: { system?: string | null }) {
      const rows = await kit.webhooks(ctx.db, await ctx.access.assertNoticeManager(args.system, 'webhooks'));
      // The secret is shown once, at registration.
      return rows.map((row) => ({ ...row, secret: null }));
    },
    async deadLetters(ctx: NoticeCaller, args: { system?: string | null; first?: number | null }) {
      const owner = await ctx.access.assertNoticeManager(args.system, 'webhooks');
      return kit.deadLetters(ctx.db, owner, pageSize(args.first, ctx.maxPageSize));
    },
    async replay(ctx: NoticeCaller, args: { id: string; system?: string | null }) {
      const owner = await ctx.access.assertNoticeManager(args.system, 'webhooks');
      return kit.replay(ctx.db, owner, args.id.toLowerCase(), ctx.now());
    },
  };
}
