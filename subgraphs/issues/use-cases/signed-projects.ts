/**
 * 签约未落地 (issue #26 §3): each district lists the projects signed since 2022 that have not
 * started or have stalled — name, investor (an enterprise by credit code, resolved by the units
 * slice), amount, signing day, industry, status, the obstacle, the responsible unit and its 包保
 * leader (a leader record of that unit). Status moves by rules.ts (`signedProjectRules`), every
 * change appends the project's history; an obstacle becomes a SIGNED_NOT_LANDED issue proposed to
 * the responsible unit, in the project's own transaction (`issue_origins.signed_project_id`). The
 * command office reads them by district and status with the time since signing.
 */
import type { Queryable } from '../../../db/client.ts';
import { personKey, personOf } from '../../../platform/auth.ts';
import { beijingDate, beijingMidnight } from '../../../platform/calendar.ts';
import { changeRow, createRow, type RowKind } from '../../../platform/change.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { countBeside, exactCountLimit, decodeCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import { isValidDate } from '../../../platform/scalars.ts';
import { canSee, inPlanScope, type PlanRecordScope } from '../access.ts';
import type { IssuesContext } from '../context.ts';
import { changeSignedProjectStatusInput, registerSignedProjectInput, reportProjectObstacleInput, signedProjectFilter } from '../input.ts';
import { projectActionTo, projectStatusNames, SIGNED_SINCE, type SignedProjectAction } from '../rules.ts';
import type {
  MutationChangeSignedProjectStatusArgs,
  MutationRegisterSignedProjectArgs,
  MutationReportProjectObstacleArgs,
  QuerySignedProjectArgs,
  QuerySignedProjectsArgs,
} from '../schema-types.ts';
import { planRecordStore, type IssueRow, type SignedProjectRow, type UnitLeaderRow } from '../store.ts';
import { enterAll } from './hall-visits.ts';
import type { SubmittedRow } from './intake.ts';
import { confirmLeader, earlierRequest, recorderOf, requireLeader } from './leaders.ts';
import { requireDistrict, requireUnit } from './lookups.ts';

const PROJECT: Bilingual = { zh: '签约项目', en: 'Signed project' };
const DAY_MS = 24 * 60 * 60 * 1000;

type Obstacle = { environment: SubmittedRow['environment']; title: string; description: string };

/** A project as a caller in `scope` may know it: one outside its scope does not exist for it. */
function projectKind(scope: PlanRecordScope): RowKind<SignedProjectRow, Queryable> {
  return {
    noun: PROJECT,
    load: (tx, id) => planRecordStore.project(tx, id.toLowerCase()),
    visible: (row) => inPlanScope(scope, { unitId: row.responsibleUnitId, districtCode: row.districtCode }),
    version: (row) => row.version,
    state: (row) => row.status,
    stateName: (row) => projectStatusNames[row.status],
  };
}

/** The issue an obstacle becomes: SIGNED_NOT_LANDED, about the investor, proposed to the responsible unit. */
function obstacleRow(
  ctx: IssuesContext,
  project: Omit<SignedProjectRow, 'id'>,
  leader: UnitLeaderRow,
  obstacle: Obstacle,
  requestId: string,
) {
  return {
    sent: obstacle,
    row: {
      clientRequestId: requestId,
      source: 'SIGNED_NOT_LANDED',
      environment: obstacle.environment,
      appealKind: null,
      title: obstacle.title,
      description: `${obstacle.description}\n（签约项目：${project.name}）`,
      enterpriseCreditCode: project.investorCreditCode,
      districtCode: project.districtCode,
      proposedUnitId: project.responsibleUnitId,
      responsibleLeader: `${leader.name}（${leader.post}）`,
      contactName: null,
      contactPhone: null,
      receivedAt: ctx.now(),
    } satisfies SubmittedRow,
  };
}

/** One entry of a project's history (append-only). */
function appendEvent(
  ctx: IssuesContext,
  tx: Queryable,
  event: Omit<Parameters<typeof planRecordStore.appendProjectEvent>[1], 'actor' | 'at'>,
) {
  const actor = personKey(present(personOf(ctx.viewer), 'the person of a caller allowed to change a project'));
  return planRecordStore.appendProjectEvent(tx, { ...event, actor, at: ctx.now() });
}

/** `registerSignedProject`: the project's district (its units), or the command office naming the district. */
export async function registerSignedProject(
  ctx: IssuesContext,
  { input: given }: MutationRegisterSignedProjectArgs,
): Promise<SignedProjectRow> {
  const input = parseInput(registerSignedProjectInput, given, 'input');
  const [unit] = await ctx.access.prepareToAct([input.responsibleUnitId]);
  const own = await ctx.access.activeUnit();
  const districtCode = input.districtCode ?? (own?.kind === 'DISTRICT' ? own.districtCode : null);
  await ctx.access.assertPlanRecord('REGISTER_SIGNED_PROJECT', { districtCode });
  const district = await requireDistrict(ctx, districtCode, 'input.districtCode');
  if (!district) throw errors.badInput('input.districtCode', { zh: '请注明项目所在区(市)', en: 'Name the district of the project' });
  requireUnit('input.responsibleUnitId', input.responsibleUnitId, unit);
  if (input.signedOn < SIGNED_SINCE || input.signedOn > beijingDate(ctx.now())) {
    throw errors.badInput('input.signedOn', {
      zh: `签约日期须在 ${SIGNED_SINCE} 至今天之间`,
      en: `signedOn must lie between ${SIGNED_SINCE} and today`,
    });
  }
  if (input.status !== 'NOT_STARTED' && input.status !== 'STARTED') {
    throw errors.badInput('input.status', {
      zh: '签约未落地项目登记时为“未开工”或“已开工”（停滞）',
      en: 'A project is listed NOT_STARTED, or STARTED when it has stalled',
    });
  }
  const leader = await requireLeader(ctx, 'input.leaderId', input.leaderId, input.responsibleUnitId);
  const recorder = recorderOf(ctx, input.clientRequestId, input);
  const values = {
    name: input.name,
    investorCreditCode: input.investorCreditCode,
    amountWanYuan: input.amountWanYuan,
    signedOn: input.signedOn,
    industry: input.industry,
    districtCode: district,
    status: input.status,
    obstacle: input.obstacle?.description ?? null,
    responsibleUnitId: input.responsibleUnitId,
    leaderId: leader.id,
    version: 1,
    updatedAt: recorder.recordedAt,
    ...recorder,
  };
  const issue = input.obstacle ? [obstacleRow(ctx, values, leader, input.obstacle, `${input.clientRequestId}#obstacle`)] : [];
  return createRow(
    ctx.db,
    { noun: PROJECT },
    {
      authorize: () => ctx.access.assertPlanRecord('REGISTER_SIGNED_PROJECT', { districtCode: district }),
      async write(tx) {
        const earlier = await earlierRequest(tx, 'project', recorder, planRecordStore.projectByRequest);
        if (earlier) return { project: earlier, created: false };
        await confirmLeader(tx, 'input.leaderId', leader, beijingDate(recorder.recordedAt));
        const project = await planRecordStore.insertProject(tx, values);
        await planRecordStore.linkIssues(tx, { signedProjectId: project.id }, await enterAll(ctx, tx, issue));
        return { project, created: true };
      },
      record: (tx, { project, created }) =>
        created
          ? appendEvent(ctx, tx, {
              projectId: project.id,
              action: 'REGISTER',
              fromStatus: null,
              toStatus: project.status,
              note: project.obstacle,
            })
          : Promise.resolve(),
    },
  ).then((done) => done.project);
}

/** One change of a project by its rules: the action asked of access.ts, the row by version, the history entry. */
async function changeProject(
  ctx: IssuesContext,
  id: string,
  action: SignedProjectAction,
  expectedVersion: number | null | undefined,
  plan: (tx: Queryable, project: SignedProjectRow) => Promise<{ values: Partial<SignedProjectRow>; note: string | null }>,
): Promise<SignedProjectRow> {
  await ctx.access.prepareToAct();
  const scope = await ctx.access.planRecordScope();
  return changeRow(ctx.db, projectKind(scope), {
    key: id,
    expectedVersion,
    authorize: (project) => ctx.access.assertProject(action, project),
    async write(tx, project) {
      const { values, note } = await plan(tx, project);
      const to = action === 'OBSTACLE' ? project.status : (values.status ?? project.status);
      const saved = await planRecordStore.updateProject(tx, project.id, project.version, { ...values, status: to, updatedAt: ctx.now() });
      return saved && { saved, note };
    },
    record: (tx, before, { saved, note }) =>
      appendEvent(ctx, tx, { projectId: before.id, action, fromStatus: before.status, toStatus: saved.status, note }),
  }).then((done) => done.saved);
}

/** `changeSignedProjectStatus`: 开工, 投产 or 终止, from the states rules.ts allows. */
export async function changeSignedProjectStatus(ctx: IssuesContext, { input: given }: MutationChangeSignedProjectStatusArgs) {
  const input = parseInput(changeSignedProjectStatusInput, given, 'input');
  const action = projectActionTo(input.status);
  if (!action) {
    throw errors.badInput('input.status', { zh: '项目不能回到“未开工”', en: 'A project cannot go back to NOT_STARTED' });
  }
  return changeProject(ctx, input.projectId, action, input.expectedVersion, async () => ({
    values: { status: input.status },
    note: input.note,
  }));
}

/** `reportProjectObstacle`: the project's new obstacle, and the issue it becomes, in one transaction. */
export async function reportProjectObstacle(ctx: IssuesContext, { input: given }: MutationReportProjectObstacleArgs) {
  const input = parseInput(reportProjectObstacleInput, given, 'input');
  const requestId = `${input.clientRequestId}#obstacle`;
  return changeProject(ctx, input.projectId, 'OBSTACLE', input.expectedVersion, async (tx, project) => {
    const leader = present(await planRecordStore.leadersByIds(tx, [project.leaderId]).then((l) => l[0]), 'the leader of a project');
    const issueIds = await enterAll(ctx, tx, [obstacleRow(ctx, project, leader, input.obstacle, requestId)]);
    await planRecordStore.linkIssues(tx, { signedProjectId: project.id }, issueIds);
    return { values: { obstacle: input.obstacle.description }, note: input.obstacle.title };
  });
}

function projectCursor(cursor: string): { signedOn: string; id: string } {
  const [signedOn, id] = decodeCursor(cursor, 2);
  if (typeof signedOn === 'string' && isValidDate(signedOn) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id))
    return { signedOn, id };
  throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
}

/** `signedProjects`: earliest signed first; the command office all, a district its own, a responsible unit those it answers for. */
export async function signedProjects(ctx: IssuesContext, args: QuerySignedProjectsArgs, page: PageArgs) {
  const scope = await ctx.access.planRecordScope();
  const filter = parseInput(signedProjectFilter, args.filter ?? {}, 'filter');
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? projectCursor(page.after) : null;
  const q = { scope, ...filter };
  const count = countBeside(page.counted, () => planRecordStore.projectCount(ctx.db, q, exactCountLimit(ctx)));
  const rows = await planRecordStore.projectPage(ctx.db, { ...q, limit: size + 1, after });
  return toConnection(rows, size, (row) => [row.signedOn, row.id], count, after !== null);
}

/** `signedProjectCounts`: by district and status, in the same scope. */
export async function signedProjectCounts(ctx: IssuesContext) {
  const scope = await ctx.access.planRecordScope();
  return planRecordStore.projectCounts(ctx.db, scope, beijingDate(ctx.now()));
}

/** `signedProject(id)`: null when it does not exist or lies outside the caller's scope. */
export async function signedProject(ctx: IssuesContext, args: QuerySignedProjectArgs): Promise<SignedProjectRow | null> {
  const scope = await ctx.access.planRecordScope();
  if (!/^[0-9a-fA-F-]{36}$/.test(args.id)) return null;
  const row = await ctx.loaders.projectById.load(args.id.toLowerCase());
  return row && inPlanScope(scope, { unitId: row.responsibleUnitId, districtCode: row.districtCode }) ? row : null;
}

export const daysSinceSigning = (ctx: IssuesContext, project: SignedProjectRow) =>
  Math.floor((beijingMidnight(beijingDate(ctx.now())).getTime() - beijingMidnight(project.signedOn).getTime()) / DAY_MS);

/** The issues a project's obstacles became, those the caller may see. */
export async function issuesOfProject(ctx: IssuesContext, project: SignedProjectRow): Promise<IssueRow[]> {
  const listed = await ctx.loaders.issuesByProject.load(project.id);
  const scope = await ctx.access.scope();
  return listed.map((l) => l.issue).filter((issue) => canSee(scope, issue));
}

/** `Issue.signedProject`: the project whose obstacle it is, when the caller reads the project. */
export async function projectOfIssue(ctx: IssuesContext, issue: IssueRow): Promise<SignedProjectRow | null> {
  if (!ctx.access.canSeeInternal() || ctx.viewer.role === 'ANONYMOUS') return null;
  const origin = await ctx.loaders.recordOriginByIssue.load(issue.id);
  const project = origin?.signedProjectId ? await ctx.loaders.projectById.load(origin.signedProjectId) : undefined;
  if (!project) return null;
  const scope = await ctx.access.planRecordScope().catch(() => null);
  return scope && inPlanScope(scope, { unitId: project.responsibleUnitId, districtCode: project.districtCode }) ? project : null;
}
