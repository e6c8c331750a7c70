/**
 * The plan's dated duties (issue #26): 方案备案 by 3/31, the self-check list 自查问题清单 by 4/20, and
 * the further batches the command office declares. Each is expected from every active unit the
 * plan names (rules.ts `PLAN_UNIT_KINDS`); a unit's admin files its part — a document reference
 * and, for a self-check list, its problems, which become SELF_INSPECTION issues reported by the
 * unit in the same transaction as the filing (`issue_origins` links them). Every filing is kept
 * (append-only); the first is judged on time or late for good, a correction is a new version.
 * The lists say, per unit, on time, late or missing; `Unit.planDutyFigures` counts them for the
 * evaluation's punctuality indicator (asked by the evaluations slice).
 */
import type { Queryable } from '../../../db/client.ts';
import { campaign } from '../../../db/reference/organisation.ts';
import { personOf } from '../../../platform/auth.ts';
import { beijingDate, endOfBeijingDay } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import type { Directory } from '../../../platform/directory.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { period as periodOf } from '../../../platform/periods.ts';
import { canSee } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { declarePlanDutyInput, filePlanDutyInput, fingerprint } from '../input.ts';
import { PLAN_UNIT_KINDS } from '../rules.ts';
import type {
  MutationDeclarePlanDutyArgs,
  MutationFilePlanDutyArgs,
  PlanDutyUnitsArgs,
  QueryPlanDutyArgs,
  UnitPlanDutyFiguresArgs,
} from '../schema-types.ts';
import {
  planDutyStore,
  type IssueRow,
  type PlanDutyFilingRow,
  type PlanDutyRow,
  type PlanDutyUnitStatusRow,
  type PlanDutyView,
} from '../store.ts';
import { enterWithin, type SubmittedRow } from './intake.ts';
import { requireDistrict } from './lookups.ts';

const DUTY = { zh: '方案职责', en: 'Plan duty' };
const FILING = { zh: '方案职责报送', en: 'plan-duty filing' };

/** The plan's own duties (campaign.json), each step's dated deadlines: the first step's a document, the self-check step's a list. */
export function referencePlanDuties(): PlanDutyRow[] {
  return campaign.steps.flatMap((step) =>
    (step.deadlines ?? []).map((deadline) => ({
      code: `${step.code}:${deadline.date}`,
      kind: step.code === 'FIND_PROBLEMS' ? ('SELF_CHECK_LIST' as const) : ('PLAN_DOCUMENT' as const),
      title: `${step.name}：${deadline.what}`,
      dueOn: deadline.date,
      declaredBy: 'reference:campaign.json',
      declaredAt: new Date(`${campaign.campaign.starts}T00:00:00+08:00`),
    })),
  );
}

/** The units every duty is expected from: active units the plan names, in code order. */
export function expectedUnits(dir: Directory): string[] {
  return [...dir.units.values()]
    .filter((u) => !u.archived && PLAN_UNIT_KINDS.includes(u.kind))
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((u) => u.id);
}

/** Each unit's part of one duty: the expected units (and any other unit that filed), within `readable` (null: all). */
function statusesOf(
  duty: PlanDutyRow,
  filings: readonly PlanDutyFilingRow[],
  expected: readonly string[],
  readable: readonly string[] | null,
  now: Date,
): PlanDutyUnitStatusRow[] {
  const past = now.getTime() > endOfBeijingDay(duty.dueOn).getTime();
  const mine = filings.filter((f) => f.dutyCode === duty.code);
  const filers = mine.map((f) => f.unitId).filter((id) => !expected.includes(id));
  return [...expected, ...new Set(filers)]
    .filter((unitId) => readable === null || readable.includes(unitId))
    .map((unitId) => {
      const own = mine.filter((f) => f.unitId === unitId);
      const first = own[0] ?? null;
      return { unitId, firstFiling: first, latestFiling: own.at(-1) ?? null, late: first?.late ?? false, missing: !first && past };
    });
}

/** Duties with each unit's part, for the caller's units. */
async function views(ctx: IssuesContext, duties: PlanDutyRow[]): Promise<PlanDutyView[]> {
  const readable = await ctx.access.planDutyUnits();
  const dir = await ctx.access.directory();
  const filings = await planDutyStore.filings(
    ctx.db,
    duties.map((d) => d.code),
    readable,
  );
  const expected = expectedUnits(dir);
  const now = ctx.now();
  return duties.map((duty) => ({
    duty,
    dueAt: endOfBeijingDay(duty.dueOn),
    statuses: statusesOf(duty, filings, expected, readable, now),
  }));
}

/** `planDuties`: every duty by due date, each unit's part within the caller's units. */
export async function planDuties(ctx: IssuesContext): Promise<PlanDutyView[]> {
  ctx.access.assertSignedIn();
  return views(ctx, await planDutyStore.all(ctx.db));
}

/** `planDuty(code)`. */
export async function planDuty(ctx: IssuesContext, { code }: QueryPlanDutyArgs): Promise<PlanDutyView | null> {
  ctx.access.assertSignedIn();
  const duty = await planDutyStore.get(ctx.db, code);
  return duty ? ((await views(ctx, [duty]))[0] ?? null) : null;
}

/** A duty's counts over the units shown. */
export const dutyCounts = (view: PlanDutyView) => ({
  expected: view.statuses.length,
  onTime: view.statuses.filter((s) => s.firstFiling && !s.late).length,
  late: view.statuses.filter((s) => s.late).length,
  missing: view.statuses.filter((s) => s.missing).length,
});

export const dutyUnits = (view: PlanDutyView, { onlyProblems }: Partial<PlanDutyUnitsArgs>) =>
  onlyProblems ? view.statuses.filter((s) => s.late || s.missing) : view.statuses;

/** A filing's duty, as the caller sees it. */
export async function dutyOfFiling(ctx: IssuesContext, filing: PlanDutyFilingRow): Promise<PlanDutyView> {
  const duty = present(await planDutyStore.get(ctx.db, filing.dutyCode), 'the duty of a filing');
  return present((await views(ctx, [duty]))[0], 'the view of a duty');
}

/** The issues a filing listed, those the caller may see. */
export async function issuesOfFiling(ctx: IssuesContext, filing: PlanDutyFilingRow): Promise<IssueRow[]> {
  const listed = await ctx.loaders.issuesByFiling.load(filing.id);
  const scope = await ctx.access.scope();
  return listed.map((l) => l.issue).filter((issue) => canSee(scope, issue));
}

/** `Issue.planDutyFiling`: the filing that brought the issue in, if any and the caller reads the unit's filings. */
export async function filingOfIssue(ctx: IssuesContext, issue: IssueRow): Promise<PlanDutyFilingRow | null> {
  const origin = await ctx.loaders.originByIssue.load(issue.id);
  if (!origin?.filingId) return null;
  return (await ctx.loaders.filingById.load(origin.filingId)) ?? null;
}

/** `Unit.planDutyFigures(period)`: the duties due in the period (all time without one) and already due. */
export async function unitFigures(ctx: IssuesContext, unitId: string, args: UnitPlanDutyFiguresArgs) {
  periodOf(args.period);
  await ctx.access.assertReadsUnit(unitId);
  const now = ctx.now();
  const dates = args.period ?? { from: '2000-01-01', to: beijingDate(now) };
  const { duties, filings } = await ctx.loaders.planDutyParts.load({ unitId, from: dates.from, to: dates.to });
  const expected = expectedUnits(await ctx.access.directory());
  const due = duties.filter((d) => now.getTime() > endOfBeijingDay(d.dueOn).getTime());
  const parts = due.flatMap((duty) => statusesOf(duty, filings, expected, [unitId], now));
  return {
    expected: parts.length,
    onTime: parts.filter((s) => s.firstFiling && !s.late).length,
    late: parts.filter((s) => s.late).length,
    missing: parts.filter((s) => s.missing).length,
  };
}

/** `declarePlanDuty`: a further duty of every named unit (a second self-check list, say). */
export async function declarePlanDuty(ctx: IssuesContext, { input: given }: MutationDeclarePlanDutyArgs): Promise<PlanDutyView> {
  await ctx.access.prepareToAct();
  await ctx.access.assertLoop('DECLARE_PLAN_DUTY');
  const input = parseInput(declarePlanDutyInput, given);
  const duty = await createRow(
    ctx.db,
    { noun: DUTY },
    {
      authorize: () => ctx.access.assertLoop('DECLARE_PLAN_DUTY'),
      write: (tx) =>
        planDutyStore.declare(tx, {
          kind: input.kind,
          title: input.title,
          dueOn: input.dueOn,
          declaredBy: present(ctx.viewer.subject, 'the subject of the command office'),
          declaredAt: ctx.now(),
        }),
      // The duty and the filing are their own records (append-only).
      record: () => Promise.resolve(),
    },
  );
  return present((await views(ctx, [duty]))[0], 'the view of the duty just declared');
}

/** The issues a self-check list's problems become: reported by the unit, proposed to itself. */
async function problemRows(ctx: IssuesContext, unitId: string, clientRequestId: string, problems: FiledProblem[]) {
  return Promise.all(
    problems.map(async (problem, index) => ({
      sent: problem,
      row: {
        clientRequestId: `${clientRequestId}#${index + 1}`,
        source: 'SELF_INSPECTION',
        environment: problem.environment,
        appealKind: null,
        title: problem.title,
        description: problem.description,
        enterpriseCreditCode: null,
        districtCode: await requireDistrict(ctx, problem.districtCode, `input.problems[${index}].districtCode`),
        proposedUnitId: unitId,
        responsibleLeader: problem.responsibleLeader,
        contactName: null,
        contactPhone: null,
        receivedAt: ctx.now(),
      } satisfies SubmittedRow,
    })),
  );
}

type FiledProblem = NonNullable<ReturnType<typeof filePlanDutyInput.parse>['problems']>[number];

/** Writes the filing and its issues, or finds the same person's earlier request. */
async function writeFiling(
  ctx: IssuesContext,
  tx: Queryable,
  filing: Parameters<typeof planDutyStore.insertFiling>[1],
  problems: Awaited<ReturnType<typeof problemRows>>,
): Promise<PlanDutyFilingRow> {
  const filer = { issuer: filing.filerIssuer, role: filing.filerRole, subject: filing.filerSubject };
  await planDutyStore.lockRequest(tx, filer, filing.clientRequestId);
  const earlier = await planDutyStore.byClientRequest(tx, filer, filing.clientRequestId);
  if (earlier) {
    if (earlier.requestFingerprint === filing.requestFingerprint) return earlier;
    throw errors.conflict(
      {
        zh: `请求号 ${filing.clientRequestId} 已用于另一项内容不同的报送`,
        en: `clientRequestId ${filing.clientRequestId} was already used for a different filing`,
      },
      { existingId: earlier.id },
    );
  }
  await planDutyStore.lockUnitDuty(tx, filing.dutyCode, filing.unitId);
  const version = (await planDutyStore.versions(tx, filing.dutyCode, filing.unitId)) + 1;
  const saved = await planDutyStore.insertFiling(tx, { ...filing, version });
  const issueIds: string[] = [];
  for (const { row, sent } of problems) {
    const issue = await enterWithin(ctx, tx, row, sent);
    if (!issue) {
      throw errors.conflict({
        zh: `请求号 ${row.clientRequestId} 已用于另一项报告`,
        en: `clientRequestId ${row.clientRequestId} was already used for another report`,
      });
    }
    issueIds.push(issue.id);
  }
  await planDutyStore.linkIssues(tx, saved.id, issueIds);
  return saved;
}

/**
 * `filePlanDuty`: the unit's part of a duty, by its admin — the document and, for a self-check
 * list, its problems as SELF_INSPECTION issues, all in one transaction. Idempotent on the filer's
 * `clientRequestId`.
 */
export async function filePlanDuty(ctx: IssuesContext, { input: given }: MutationFilePlanDutyArgs): Promise<PlanDutyFilingRow> {
  await ctx.access.prepareToAct();
  const unitId = await ctx.access.assertFilePlanDuty();
  const input = parseInput(filePlanDutyInput, given, 'input');
  const duty = await planDutyStore.get(ctx.db, input.dutyCode);
  if (!duty) throw errors.notFound(DUTY, input.dutyCode);
  const listed = input.problems ?? [];
  if (duty.kind === 'PLAN_DOCUMENT' && listed.length) {
    throw errors.badInput('input.problems', {
      zh: '方案备案只报文件，不列问题；问题请随自查问题清单报送',
      en: 'A plan document lists no problems; problems come with a self-check list',
    });
  }
  const problems = await problemRows(ctx, unitId, input.clientRequestId, listed);
  const filer = present(personOf(ctx.viewer), 'the person of a unit admin');
  const now = ctx.now();
  const dueAt = endOfBeijingDay(duty.dueOn);
  return createRow(
    ctx.db,
    { noun: FILING },
    {
      authorize: async () => {
        await ctx.access.assertFilePlanDuty();
      },
      write: (tx) =>
        writeFiling(
          ctx,
          tx,
          {
            dutyCode: duty.code,
            unitId,
            version: 0,
            documentReference: input.documentReference,
            note: input.note,
            filedAt: now,
            dueAt,
            late: now.getTime() > dueAt.getTime(),
            filerIssuer: filer.issuer,
            filerRole: filer.role,
            filerSubject: filer.subject,
            clientRequestId: input.clientRequestId,
            requestFingerprint: fingerprint({ ...input, clientRequestId: undefined }),
          },
          problems,
        ),
      // The duty and the filing are their own records (append-only).
      record: () => Promise.resolve(),
    },
  );
}
