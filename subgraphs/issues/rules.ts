/**
 * The closed loop, in one table: which action may move an issue from which status to which, and who
 * may take it. Beside it, the actions that do not act on one issue (entering the loop, statistics,
 * the calendar). The access module works out the caller's standings; the use cases ask before
 * they change anything.
 *
 * submitted → accepted | rejected → assigned (⇄ returned, reassigned) → contacted → feedback given
 * → resolved → rated / verified → closed; unsatisfied → reopened; any open issue can be escalated
 * or merged into its original.
 */
import type { Bilingual } from '../../platform/errors.ts';
import type { Rule } from '../../platform/rules.ts';
import type { EventRow, IssueRow } from './store.ts';
import { baseStandingNames } from '../../platform/standing.ts';

/** An issue's status, as its table has it. */
export type IssueStatus = IssueRow['status'];

/** How the caller stands to an issue (or to the loop); derived from the token and the issue, never from input. */
export type IssueStanding =
  /** a token of an active command office */
  | 'COMMAND_OFFICE'
  /**
   * the admin of an active district or function zone (区内事区内办), towards an item of its area:
   * led or accepted by it or a unit below it, or waiting for intake in its district or at its window
   */
  | 'AREA_ADMIN'
  /** admin or staff of the issue's (active) lead handler */
  | 'RESPONSIBLE_UNIT_ADMIN'
  | 'RESPONSIBLE_UNIT_STAFF'
  /** admin or staff of an (active) co-handling unit (协办) */
  | 'CO_HANDLER'
  /** the enterprise that submitted the appeal */
  | 'REPORTING_ENTERPRISE'
  /** the admin of an active unit the plan names (its duties are expected from it: `PLAN_UNIT_KINDS`) */
  | 'PLAN_UNIT_ADMIN'
  /** the admin of the (active) unit a record of the plan's machinery is about (a leader's unit) */
  | 'OWN_UNIT_ADMIN'
  /** admin or staff of the (active) unit a record is about: the hall's unit, a project's or point's responsible unit */
  | 'OWN_UNIT_MEMBER'
  /** admin or staff of the (active) district a signed project lies in */
  | 'PROJECT_DISTRICT'
  /** admin or staff of any active unit */
  | 'UNIT_MEMBER'
  | 'ENTERPRISE'
  | 'OBSERVER'
  /** signed in, none of the above (e.g. the token's unit is archived) */
  | 'SIGNED_IN';

/** Who each standing is, as a refusal names those who may (platform/rules.ts); standings that name nobody in particular are left out. */
export const standingNames: Partial<Record<IssueStanding, Bilingual>> = {
  ...baseStandingNames,
  AREA_ADMIN: { zh: '问题所在区（市）、功能区的单位管理员', en: 'the admin of the issue’s district or function zone' },
  RESPONSIBLE_UNIT_ADMIN: { zh: '承办单位的管理员', en: 'the admin of the handling unit' },
  RESPONSIBLE_UNIT_STAFF: { zh: '承办单位的工作人员', en: 'the staff of the handling unit' },
  CO_HANDLER: { zh: '协办单位', en: 'a co-handling unit' },
  REPORTING_ENTERPRISE: { zh: '提出诉求的企业', en: 'the enterprise that raised it' },
  OWN_UNIT_ADMIN: { zh: '本单位的管理员', en: 'the unit’s own admin' },
  OWN_UNIT_MEMBER: { zh: '本单位（责任单位）的管理员和工作人员', en: 'the unit’s own admin and staff (the responsible unit)' },
  PROJECT_DISTRICT: { zh: '项目所在区(市)的单位用户', en: 'the project’s district' },
  PLAN_UNIT_ADMIN: {
    zh: '方案点名单位（重点领域牵头和主责单位、参与单位、区(市)）的管理员',
    en: 'the admin of a unit the plan names (a domain’s lead or responsible unit, a participating unit, a district)',
  },
};

/**
 * The units every plan duty is expected from (the plan names them): the key domains' lead and
 * responsible units, the participating units and the districts (区市) — active ones.
 */
export const PLAN_UNIT_KINDS: readonly string[] = ['LEAD', 'RESPONSIBLE', 'PARTICIPATING', 'DISTRICT'];

export const statusNames: Record<IssueStatus, string> = {
  SUBMITTED: '待受理',
  REJECTED: '不予受理',
  ACCEPTED: '已受理',
  ASSIGNED: '已派单',
  RETURNED: '已退回',
  CONTACTED: '已联系',
  FEEDBACK_GIVEN: '已初步反馈',
  RESOLVED: '已办结',
  CLOSED: '已销号',
  REOPENED: '重新办理',
  MERGED: '已合并',
};

const OPEN: IssueStatus[] = ['SUBMITTED', 'ACCEPTED', 'ASSIGNED', 'RETURNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'REOPENED'];
const IN_HAND: IssueStatus[] = ['ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'REOPENED'];
/** Statuses in which the dispatcher may still shape who handles the item. */
const DISPATCHABLE: IssueStatus[] = ['ACCEPTED', 'RETURNED', ...IN_HAND];
const UNIT_HANDS: IssueStanding[] = ['COMMAND_OFFICE', 'RESPONSIBLE_UNIT_ADMIN', 'RESPONSIBLE_UNIT_STAFF'];
/** Who accepts and dispatches: the command office for all, a district or zone for its area. */
const DISPATCHERS: IssueStanding[] = ['COMMAND_OFFICE', 'AREA_ADMIN'];

/** Actions on one issue: each moves it (or keeps its status and is recorded). */
export const issueRules = {
  ACCEPT: { name: { zh: '受理', en: 'accept the issue' }, from: ['SUBMITTED'], to: 'ACCEPTED', who: DISPATCHERS },
  REJECT: { name: { zh: '不予受理', en: 'reject the issue' }, from: ['SUBMITTED'], to: 'REJECTED', who: DISPATCHERS },
  // Where an area admin may assign to (its own subtree) is the access module's question.
  ASSIGN: {
    name: { zh: '派单/转办', en: 'assign the issue' },
    from: ['ACCEPTED', 'RETURNED', 'ASSIGNED', 'REOPENED'],
    to: 'ASSIGNED',
    who: DISPATCHERS,
  },
  ADD_CO_HANDLER: { name: { zh: '增加协办单位', en: 'add a co-handling unit' }, from: DISPATCHABLE, to: 'SAME', who: DISPATCHERS },
  REMOVE_CO_HANDLER: { name: { zh: '撤销协办单位', en: 'remove a co-handling unit' }, from: DISPATCHABLE, to: 'SAME', who: DISPATCHERS },
  CONTRIBUTE: {
    name: { zh: '补充协办情况', en: 'add a co-handler’s part' },
    from: [...IN_HAND, 'RESOLVED'],
    to: 'SAME',
    who: ['CO_HANDLER'],
  },
  RETURN: { name: { zh: '退回', en: 'return the issue' }, from: ['ASSIGNED'], to: 'RETURNED', who: ['RESPONSIBLE_UNIT_ADMIN'] },
  // The lead handler answers the enterprise: co-handlers add their part, they do not contact, answer or resolve.
  CONTACT: {
    name: { zh: '联系企业', en: 'record contact with the enterprise' },
    from: ['ASSIGNED', 'REOPENED'],
    to: 'CONTACTED',
    who: UNIT_HANDS,
  },
  FEEDBACK: { name: { zh: '初步反馈', en: 'give feedback on the issue' }, from: ['CONTACTED'], to: 'FEEDBACK_GIVEN', who: UNIT_HANDS },
  // Appeals pass through contact and feedback first (see resolveFrom); self-found problems may be resolved directly.
  RESOLVE: {
    name: { zh: '办结', en: 'resolve the issue' },
    from: ['ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'REOPENED'],
    to: 'RESOLVED',
    who: UNIT_HANDS,
  },
  // Only the enterprise rates its own appeal. The command office's 回访 is FOLLOW_UP, a record of its own.
  RATE: { name: { zh: '评价', en: 'rate the handling' }, from: ['RESOLVED'], to: 'SAME', who: ['REPORTING_ENTERPRISE'] },
  FOLLOW_UP: { name: { zh: '回访', en: 'record a follow-up call' }, from: ['RESOLVED', 'CLOSED'], to: 'SAME', who: ['COMMAND_OFFICE'] },
  CLOSE: { name: { zh: '销号', en: 'close the issue' }, from: ['RESOLVED'], to: 'CLOSED', who: ['COMMAND_OFFICE'] },
  REOPEN: {
    name: { zh: '重新办理', en: 'reopen the issue' },
    from: ['RESOLVED', 'CLOSED'],
    to: 'REOPENED',
    who: ['COMMAND_OFFICE', 'REPORTING_ENTERPRISE'],
  },
  ESCALATE: { name: { zh: '提级督办', en: 'escalate the issue' }, from: OPEN, to: 'SAME', who: ['COMMAND_OFFICE'] },
  DEESCALATE: { name: { zh: '摘牌', en: 'take the issue off listed supervision' }, from: OPEN, to: 'SAME', who: ['COMMAND_OFFICE'] },
  MERGE: { name: { zh: '合并', en: 'merge the issue' }, from: OPEN, to: 'MERGED', who: ['COMMAND_OFFICE'] },
  REQUEST_EXTENSION: {
    name: { zh: '申请延期', en: 'request an extension of the deadline' },
    from: IN_HAND,
    to: 'SAME',
    who: ['RESPONSIBLE_UNIT_ADMIN'],
  },
  GRANT_EXTENSION: { name: { zh: '审批延期', en: 'decide on an extension' }, from: IN_HAND, to: 'SAME', who: ['COMMAND_OFFICE'] },
  REMIND: { name: { zh: '催办', en: 'send a reminder on the issue' }, from: OPEN, to: 'SAME', who: ['COMMAND_OFFICE'] },
  // A unit plans a round that has no final date yet; changing a plan is REQUEST_REPLAN (use-cases/plan.ts says which).
  PLAN_MILESTONES: { name: { zh: '制定节点计划', en: 'plan the milestones' }, from: ['ACCEPTED', ...IN_HAND], to: 'SAME', who: UNIT_HANDS },
  REQUEST_REPLAN: {
    name: { zh: '申请调整节点计划', en: 'ask to re-plan the milestones' },
    from: IN_HAND,
    to: 'SAME',
    who: ['RESPONSIBLE_UNIT_ADMIN'],
  },
  DECIDE_REPLAN: { name: { zh: '审批节点计划调整', en: 'decide on a re-plan' }, from: IN_HAND, to: 'SAME', who: ['COMMAND_OFFICE'] },
  COMPLETE_MILESTONE: { name: { zh: '完成节点', en: 'complete a milestone' }, from: IN_HAND, to: 'SAME', who: UNIT_HANDS },
  PUBLISH: {
    name: { zh: '通报典型案例', en: 'publish the issue as a typical case' },
    from: ['ACCEPTED', 'ASSIGNED', 'RETURNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'CLOSED', 'REOPENED'],
    to: 'SAME',
    who: ['COMMAND_OFFICE'],
  },
  RECORD_OUTCOME: {
    name: { zh: '记录督导结果', en: 'record a supervision outcome on the issue' },
    from: ['ACCEPTED', 'ASSIGNED', 'RETURNED', 'CONTACTED', 'FEEDBACK_GIVEN', 'RESOLVED', 'CLOSED', 'REOPENED'],
    to: 'SAME',
    who: ['COMMAND_OFFICE'],
  },
} satisfies Record<string, Rule<IssueStatus, IssueStanding>>;

export type IssueAction = keyof typeof issueRules;

/** Actions that do not act on one issue. */
export const loopRules = {
  SUBMIT_APPEAL: {
    name: { zh: '提交诉求（仅企业；其他渠道请用 reportIssue）', en: 'submit an appeal (enterprises only; other channels use reportIssue)' },
    who: ['ENTERPRISE'],
  },
  REPORT_ISSUE: {
    name: { zh: '报告问题（企业请用 submitAppeal）', en: 'report an issue (enterprises use submitAppeal)' },
    who: ['COMMAND_OFFICE', 'UNIT_MEMBER', 'OBSERVER'],
  },
  IMPORT_ISSUE_BATCH: {
    name: {
      zh: '批量导入其他渠道的记录（每条记录的渠道规则同 reportIssue）',
      en: "import records from other channels in a batch (each record on reportIssue's rules)",
    },
    who: ['COMMAND_OFFICE', 'UNIT_MEMBER', 'OBSERVER'],
  },
  READ_ISSUE_FEED: {
    name: {
      zh: '读取回传（送来记录的系统读自己送来的，市指挥部办公室读全部）',
      en: 'read the change feed (a sending system its own records, the command office all)',
    },
    who: ['COMMAND_OFFICE', 'UNIT_MEMBER', 'OBSERVER'],
  },
  READ_CITY_STATS: {
    name: { zh: '查看全市统计（仅市指挥部办公室）', en: 'read city-wide statistics (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
  RANK_UNITS: { name: { zh: '查看单位排名（仅市指挥部办公室）', en: 'rank the units (command office only)' }, who: ['COMMAND_OFFICE'] },
  RECORD_SUPERVISION_OUTCOME: {
    name: { zh: '记录督导结果（仅市指挥部办公室）', en: 'record a supervision outcome (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
  FILE_PLAN_DUTY: {
    name: { zh: '报送本单位的方案职责（方案点名单位的管理员）', en: "file the unit's part of a plan duty (a named unit's admin)" },
    who: ['PLAN_UNIT_ADMIN'],
  },
  DECLARE_PLAN_DUTY: {
    name: { zh: '新增方案职责（仅市指挥部办公室）', en: 'declare a plan duty (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
  READ_PLAN_DUTIES: {
    name: {
      zh: '查看方案职责报送情况（市指挥部办公室、各单位）',
      en: 'read the plan duties and their filings (the command office, units)',
    },
    who: ['COMMAND_OFFICE', 'UNIT_MEMBER'],
  },
  KEEP_OBSERVER_TEAMS: {
    name: { zh: '登记和结束三支队伍成员（仅市指挥部办公室）', en: 'record and end observer-team memberships (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
  READ_OBSERVER_TEAMS: {
    name: { zh: '查看三支队伍成员和统计（仅市指挥部办公室）', en: 'read the observer teams and their figures (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
  READ_OBSERVER_REPORTS: {
    name: {
      zh: '查看队伍成员的报告（市指挥部办公室；观察员本人的）',
      en: 'read the team members’ reports (the command office; an observer their own)',
    },
    who: ['COMMAND_OFFICE', 'OBSERVER'],
  },
  READ_LIKELY_DUPLICATES: {
    name: {
      zh: '查看疑似重复诉求（可合并问题的市指挥部办公室）',
      en: 'read likely duplicates (the command office, which may merge them)',
    },
    who: ['COMMAND_OFFICE'],
  },
  KEEP_CALENDAR: {
    name: { zh: '维护工作日历（仅市指挥部办公室）', en: 'keep the working-day calendar (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
} satisfies Record<string, Rule<IssueStatus, IssueStanding>>;

export type LoopAction = keyof typeof loopRules;

/**
 * The units whose principal serves a day each quarter in a front-line hall (局长进大厅): the key
 * domains' lead units and the participating units — active ones.
 */
export const HALL_UNIT_KINDS: readonly string[] = ['LEAD', 'PARTICIPATING'];

/** Signed projects are those signed on or after this day (签约未落地: since 2022). */
export const SIGNED_SINCE = '2022-01-01';

/**
 * The plan's machinery beyond the loop (issue #26): leaders, 局长进大厅, signed projects, monitoring
 * points. Who may record each; the standings are the caller's towards the record's unit (access.ts
 * `planRecordAccess`), never taken from input.
 */
export const planRecordRules = {
  READ_PLAN_RECORDS: {
    name: {
      zh: '查看领导、进大厅、签约项目和监测点记录（政府用户）',
      en: 'read leaders, hall days, signed projects and monitoring points (government)',
    },
    who: ['COMMAND_OFFICE', 'UNIT_MEMBER'],
  },
  RECORD_UNIT_LEADER: {
    name: { zh: '登记单位领导（市指挥部办公室或本单位管理员）', en: "record a unit's leader (the command office or the unit's admin)" },
    who: ['COMMAND_OFFICE', 'OWN_UNIT_ADMIN'],
  },
  RECORD_LEADER_DEPARTURE: {
    name: {
      zh: '记录领导离任并交接包保事项（市指挥部办公室或本单位管理员）',
      en: "record a leader's departure and hand over the projects and points they answered for (the command office or the unit's admin)",
    },
    who: ['COMMAND_OFFICE', 'OWN_UNIT_ADMIN'],
  },
  RECORD_HALL_VISIT: {
    name: {
      zh: '记录局长进大厅（重点领域牵头单位、参与单位本单位，或市指挥部办公室）',
      en: 'record a day in a hall (a lead or participating unit for itself, or the command office)',
    },
    who: ['COMMAND_OFFICE', 'OWN_UNIT_MEMBER'],
  },
  REGISTER_SIGNED_PROJECT: {
    name: {
      zh: '登记签约未落地项目（项目所在区(市)，或市指挥部办公室）',
      en: 'list a signed project (its district, or the command office)',
    },
    who: ['COMMAND_OFFICE', 'PROJECT_DISTRICT'],
  },
  DESIGNATE_MONITORING_POINT: {
    name: { zh: '确定监测点（仅市指挥部办公室）', en: 'designate a monitoring point (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
} satisfies Record<string, Rule<string, IssueStanding>>;

export type PlanRecordAction = keyof typeof planRecordRules;

export type SignedProjectStatus = 'NOT_STARTED' | 'STARTED' | 'IN_PRODUCTION' | 'TERMINATED';

export const projectStatusNames: Record<SignedProjectStatus, string> = {
  NOT_STARTED: '未开工',
  STARTED: '已开工',
  IN_PRODUCTION: '已投产',
  TERMINATED: '终止',
};

const PROJECT_HANDS: IssueStanding[] = ['COMMAND_OFFICE', 'PROJECT_DISTRICT', 'OWN_UNIT_MEMBER'];

/** A signed project's lifecycle: 未开工 → 已开工 → 已投产, or 终止 before it produces; an obstacle is recorded while it has not landed. */
export const signedProjectRules = {
  START: { name: { zh: '开工', en: 'start the project' }, from: ['NOT_STARTED'], to: 'STARTED', who: PROJECT_HANDS },
  PRODUCE: { name: { zh: '投产', en: 'put the project into production' }, from: ['STARTED'], to: 'IN_PRODUCTION', who: PROJECT_HANDS },
  TERMINATE: {
    name: { zh: '终止', en: 'terminate the project' },
    from: ['NOT_STARTED', 'STARTED'],
    to: 'TERMINATED',
    who: PROJECT_HANDS,
  },
  OBSTACLE: {
    name: { zh: '记录落地障碍', en: "record the project's obstacle" },
    from: ['NOT_STARTED', 'STARTED'],
    to: 'SAME',
    who: PROJECT_HANDS,
  },
} satisfies Record<string, Rule<SignedProjectStatus, IssueStanding>>;

export type SignedProjectAction = keyof typeof signedProjectRules;

/** The action that takes a project to `status` (none goes back to 未开工). */
export function projectActionTo(status: SignedProjectStatus): SignedProjectAction | null {
  const found = Object.entries(signedProjectRules).find(([, rule]) => rule.to === status);
  return found ? (found[0] as SignedProjectAction) : null;
}

/** A monitoring point is visited by its responsible unit or the command office. */
export const monitoringPointRules = {
  RECORD_MONITORING_VISIT: {
    name: {
      zh: '记录监测点走访（责任单位，或市指挥部办公室）',
      en: 'record a visit to a monitoring point (its responsible unit, or the command office)',
    },
    who: ['COMMAND_OFFICE', 'OWN_UNIT_MEMBER'],
  },
} satisfies Record<string, Rule<string, IssueStanding>>;

/** Appeals, hotline items and appeals taken in at a unit's window run on the 青诉即办 clock: contact, feedback, resolution. */
export function isAppealLike(source: string): boolean {
  return source === 'ENTERPRISE_APPEAL' || source === 'HOTLINE_12345' || source === 'UNIT_WINDOW';
}

export type NoteAudience = NonNullable<EventRow['noteAudience']>;

/**
 * Who each action's note is written for. ENTERPRISE: an answer to the enterprise (the reason of a
 * rejection, the feedback, what was done, the enterprise's own words). CHOSEN: the writer says
 * (`noteFor`), internal unless told otherwise. Everything else is internal: dispatch notes, return
 * reasons, reminders, supervision, extensions, co-handlers' parts. Events written before notes had
 * an audience are read with this default.
 */
export const noteAudiences: Record<string, NoteAudience | 'CHOSEN'> = {
  REJECT: 'ENTERPRISE',
  FEEDBACK: 'ENTERPRISE',
  RESOLVE: 'ENTERPRISE',
  RATE: 'ENTERPRISE',
  RATE_AND_REOPEN: 'ENTERPRISE',
  CONTACT: 'CHOSEN',
  CLOSE: 'CHOSEN',
  REOPEN: 'CHOSEN',
};

/** The audience of a note written now: the action's own, or the writer's choice where it has one. */
export function noteAudienceFor(action: string, chosen: NoteAudience | null | undefined): NoteAudience {
  const audience = noteAudiences[action] ?? 'INTERNAL';
  return audience === 'CHOSEN' ? (chosen ?? 'INTERNAL') : audience;
}

/** Statuses an issue may be resolved from: an appeal only after contact and feedback. */
export function resolveFrom(source: string): readonly IssueStatus[] {
  return isAppealLike(source) ? ['FEEDBACK_GIVEN', 'REOPENED'] : issueRules.RESOLVE.from;
}
