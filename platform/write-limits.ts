/**
 * The abuse limits of what the public may write without signing in — a service review, an
 * objection to a public notice — the same way in every slice (issue #20). They are counted in the
 * database, so they hold across replicas and across the gateway and the subgraph's own door: each
 * slice counts its own rows (its store), in the writing transaction, under a transaction-scoped
 * lock on the writer's key. A writer is the signed-in person (issuer, role, subject), or for the
 * public the real client address as the request's context derived it — hashed, so no table holds
 * an address. Two limits: per writer and target per Beijing day, and per writer per hour.
 */
import { createHash } from 'node:crypto';
import { personKey, personOf, type Viewer } from './auth.ts';
import { beijingDate, beijingMidnight, endOfBeijingDay } from './calendar.ts';
import { errors, type Bilingual } from './errors.ts';

export interface WriteLimit {
  /** How many writes of one target a writer may make in one Beijing day. */
  perTargetPerDay: number;
  /** How many writes a writer may make in any hour, over all targets. */
  perHour: number;
  /** What is written and of what, for the refusal: { zh: '评价', en: 'reviews' } and { zh: '同一单位', en: 'one unit' }. */
  writes: Bilingual;
  target: Bilingual;
}

/** Whom the limits count: the person when signed in, else the client's address — hashed. */
export function writerKey(viewer: Viewer, clientAddress: string | undefined): string {
  const person = personOf(viewer);
  const who = person ? `person:${personKey(person)}` : `addr:${clientAddress ?? 'unknown'}`;
  return createHash('sha256').update(who).digest('hex');
}

/** Since when a write counts: the last hour, and the Beijing day `at` falls in. */
export function limitWindows(at: Date): { hourAgo: Date; dayStart: Date; since: Date } {
  const hourAgo = new Date(at.getTime() - 3_600_000);
  const dayStart = beijingMidnight(beijingDate(at));
  return { hourAgo, dayStart, since: hourAgo < dayStart ? hourAgo : dayStart };
}

/** Refuses a write over either limit with RATE_LIMITED, saying when to try again; counts are the writer's earlier writes. */
export function refuseOverLimit(limit: WriteLimit, counts: { targetToday: number; lastHour: number }, at: Date): void {
  if (counts.targetToday >= limit.perTargetPerDay) {
    // The next Beijing day starts at 24:00 of this one.
    const tomorrow = endOfBeijingDay(beijingDate(at)).getTime();
    throw errors.rateLimited(
      {
        zh: `同一来源每天对${limit.target.zh}最多提交 ${limit.perTargetPerDay} 次${limit.writes.zh}`,
        en: `At most ${limit.perTargetPerDay} ${limit.writes.en} of ${limit.target.en} per writer per day`,
      },
      Math.ceil((tomorrow - at.getTime()) / 1000),
    );
  }
  if (counts.lastHour >= limit.perHour) {
    throw errors.rateLimited(
      {
        zh: `同一来源每小时最多提交 ${limit.perHour} 次${limit.writes.zh}`,
        en: `At most ${limit.perHour} ${limit.writes.en} per writer per hour`,
      },
      3600,
    );
  }
}
