/**
 * The three observer teams (三支队伍, issue #26 §5): the expert committee, media observers and
 * experience officers (campaign.json `threeTeams`) are people with the OBSERVER role, each in a team
 * from a day — a membership the command office records and ends (append-only, migration 0019). A
 * member's report (`reportIssue`, UNDERCOVER_VISIT) is recorded with the team and the membership
 * serving that day in the issue's own transaction (`recordTeamReport`, called by intake.ts); the
 * command office reads, per team, the reports filed, the issues they led to (accepted) and how many
 * were rectified (closed, 销号); an observer reads only their own reports.
 */
import type { Queryable } from '../../../db/client.ts';
import { campaign } from '../../../db/reference/organisation.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { decodeCursor, decodeInstantCursor, encodeCursor, pageSize, toConnection } from '../../../platform/pagination.ts';
import { period as periodOf } from '../../../platform/periods.ts';
import { canSee } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { observerMembershipInput, observerMembershipId, membershipEndDay } from '../input.ts';
import type {
  MutationEndObserverMembershipArgs,
  MutationRecordObserverMembershipArgs,
  QueryObserverMembershipsArgs,
  QueryObserverReportsArgs,
  QueryObserverTeamsArgs,
} from '../schema-types.ts';
import { observerStore, type IssueRow, type ObserverMembershipRow, type ObserverReportRow, type ObserverTeamCode } from '../store.ts';

const MEMBERSHIP = { zh: '队伍成员', en: 'Observer membership' };
const FAR_FUTURE = '9999-12-31';

/** The teams as the plan names them, in its order. */
export const TEAMS = campaign.threeTeams as { code: ObserverTeamCode; name: string; firstIntake: number }[];

const serves = (membership: Pick<ObserverMembershipRow, 'since' | 'until'>, day: string) =>
  membership.since <= day && (membership.until ?? FAR_FUTURE) >= day;
const overlaps = (a: { since: string; until: string | null }, b: { since: string; until: string | null }) =>
  a.since <= (b.until ?? FAR_FUTURE) && b.since <= (a.until ?? FAR_FUTURE);

/** `recordObserverMembership`: a person in a team from a day (the command office); one person's terms never overlap. */
export async function recordMembership(ctx: IssuesContext, args: MutationRecordObserverMembershipArgs): Promise<ObserverMembershipRow> {
  await ctx.access.prepareToAct();
  await ctx.access.assertLoop('KEEP_OBSERVER_TEAMS');
  const input = parseInput(observerMembershipInput, args.input, 'input');
  const member = { issuer: input.issuer ?? '', subject: input.subject };
  const id = await createRow(
    ctx.db,
    { noun: MEMBERSHIP },
    {
      authorize: () => ctx.access.assertLoop('KEEP_OBSERVER_TEAMS'),
      async write(tx) {
        await observerStore.lockMember(tx, member);
        const clash = (await observerStore.ofMember(tx, member)).find((m) =>
          overlaps(m, { since: input.since, until: input.until ?? null }),
        );
        if (clash)
          throw errors.conflict(
            {
              zh: `此人 ${clash.since} 起已在${teamName(clash.team)}任职，任期不能重叠；请先结束该任职`,
              en: `This person serves in ${clash.team} from ${clash.since}; terms cannot overlap — end that membership first`,
            },
            { existingId: clash.id },
          );
        return observerStore.insertMembership(tx, {
          team: input.team,
          memberIssuer: member.issuer,
          memberSubject: member.subject,
          name: input.name,
          since: input.since,
          until: input.until ?? null,
          recordedBy: present(ctx.viewer.subject, 'the subject of the command office'),
          recordedAt: ctx.now(),
          // A sample person's membership is sample data (the sample's people are `sample:` subjects, as its issues' reporters).
          sample: member.subject.startsWith('sample:'),
        });
      },
      // The membership is its own record (append-only).
      record: () => Promise.resolve(),
    },
  );
  return present(await observerStore.membership(ctx.db, id), 'the membership just recorded');
}

/** `endObserverMembership`: its last day, once (the command office); never before it began. */
export async function endMembership(ctx: IssuesContext, args: MutationEndObserverMembershipArgs): Promise<ObserverMembershipRow> {
  await ctx.access.prepareToAct();
  await ctx.access.assertLoop('KEEP_OBSERVER_TEAMS');
  const id = parseInput(observerMembershipId, args.id, 'id');
  const until = parseInput(membershipEndDay, args.until, 'until');
  await createRow(
    ctx.db,
    { noun: MEMBERSHIP },
    {
      authorize: () => ctx.access.assertLoop('KEEP_OBSERVER_TEAMS'),
      async write(tx) {
        const found = await observerStore.membership(tx, id);
        if (!found) throw errors.notFound(MEMBERSHIP, id);
        await observerStore.lockMember(tx, { issuer: found.memberIssuer, subject: found.memberSubject });
        // Ended once: a correction would rewrite evidence (a term given at the start may still be ended earlier).
        if (await observerStore.hasEnd(tx, id))
          throw errors.conflict({ zh: '该任职已结束', en: 'The membership has ended already' }, { until: found.until });
        if (until < found.since)
          throw errors.badInput('until', { zh: '结束日期不能早于起始日期', en: 'The last day cannot be before the first' });
        await observerStore.insertEnd(tx, {
          membershipId: id,
          until,
          recordedBy: present(ctx.viewer.subject, 'the subject of the command office'),
          recordedAt: ctx.now(),
        });
        return id;
      },
      record: () => Promise.resolve(),
    },
  );
  return present(await observerStore.membership(ctx.db, id), 'the membership just ended');
}

const teamName = (code: string) => TEAMS.find((t) => t.code === code)?.name ?? code;

/**
 * In the transaction of an observer's UNDERCOVER_VISIT issue: the report recorded with the team
 * and the membership serving on the day, if the reporter is a member (others' reports stay
 * unattributed issues, as before the teams were kept).
 */
export async function recordTeamReport(ctx: IssuesContext, tx: Queryable, issue: IssueRow): Promise<void> {
  const person = ctx.access.observerPerson();
  if (!person || issue.source !== 'UNDERCOVER_VISIT') return;
  const day = beijingDate(issue.receivedAt);
  const serving = (await observerStore.ofMember(tx, person)).find((m) => serves(m, day));
  if (!serving) return;
  await observerStore.insertReport(tx, { issueId: issue.id, membershipId: serving.id, team: serving.team, reportedAt: issue.recordedAt });
}

// ───────────── reads ─────────────

/** `observerTeams(period)`: each team's figures (the command office); the period's reports, all time without one. */
export async function teams(ctx: IssuesContext, args: QueryObserverTeamsArgs) {
  await ctx.access.assertLoop('READ_OBSERVER_TEAMS');
  const dates = periodOf(args.period);
  const now = ctx.now();
  const from = dates?.from ?? new Date(0);
  const to = dates?.to ?? new Date(now.getTime() + 1);
  const [counts, active] = await Promise.all([
    observerStore.teamCounts(ctx.db, from, to),
    observerStore.activeCounts(ctx.db, beijingDate(now)),
  ]);
  return TEAMS.map((team) => {
    const found = counts.find((c) => c.team === team.code);
    return {
      team: team.code,
      name: team.name,
      plannedMembers: team.firstIntake,
      activeMembers: active.get(team.code) ?? 0,
      reportsFiled: found?.reportsFiled ?? 0,
      issuesAccepted: found?.issuesAccepted ?? 0,
      issuesRectified: found?.issuesRectified ?? 0,
    };
  });
}

/** `observerMemberships`: by team and start (the command office). */
export async function memberships(ctx: IssuesContext, args: QueryObserverMembershipsArgs) {
  await ctx.access.assertLoop('READ_OBSERVER_TEAMS');
  const size = pageSize(args.first, ctx.maxPageSize);
  const cursor = args.after ? membershipCursor(args.after) : null;
  const { rows, count } = await observerStore.page(ctx.db, args.team ?? null, cursor, size);
  return toConnection(rows, size, (row) => [row.team, row.since, row.id], count);
}

function membershipCursor(after: string): { team: string; since: string; id: string } {
  const [team, since, id] = decodeCursor(after, 3);
  const checked = decodeInstantCursor(encodeCursor([`${String(since)}T00:00:00Z`, id]), 'uuid');
  if (!TEAMS.some((t) => t.code === team) || typeof since !== 'string')
    throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
  return { team: team as string, since, id: checked.id };
}

/** `observerReports`: newest first — the command office every member's, an observer their own. */
export async function reports(ctx: IssuesContext, args: QueryObserverReportsArgs) {
  const member = await ctx.access.observerReportsOf();
  const size = pageSize(args.first, ctx.maxPageSize);
  const cursor = args.after ? decodeInstantCursor(args.after, 'uuid') : null;
  const { rows, count } = await observerStore.reports(ctx.db, { team: args.team ?? null, member }, cursor, size);
  return toConnection(rows, size, (row) => [row.reportedAt.toISOString(), row.issueId], count);
}

export const membershipOf = async (ctx: IssuesContext, row: ObserverReportRow) =>
  present(await ctx.loaders.observerMembershipById.load(row.membershipId), 'the membership of a team report');

export const active = (ctx: IssuesContext, row: ObserverMembershipRow) => serves(row, beijingDate(ctx.now()));

/** `Issue.observerReport`: the team report that brought it in, for the command office and the reporter. */
export async function reportOfIssue(ctx: IssuesContext, issue: IssueRow): Promise<ObserverReportRow | null> {
  const row = await ctx.loaders.observerReportByIssue.load(issue.id);
  if (!row) return null;
  const scope = await ctx.access.scope();
  return scope.kind === 'all' || (scope.kind === 'observer' && canSee(scope, issue)) ? row : null;
}

/** `ObserverReport.issue`: the issue, read as the caller may. */
export async function issueOfReport(ctx: IssuesContext, row: ObserverReportRow): Promise<IssueRow> {
  return present(await ctx.loaders.issueById.load(row.issueId), 'the issue of a team report');
}
