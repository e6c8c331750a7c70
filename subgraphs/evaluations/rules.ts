/**
 * The evaluations slice's rules, in tables: which action may move a contest or a service review from
 * which state to which, and who may take it. The access module works out the caller's standings
 * (from the token and the unit directory, never from input); the use cases ask before they change
 * anything.
 *
 * Contest:  OPEN (entries, judges, scores) → CLOSED → PUBLISHED (frozen).
 * Review:   a bad review goes AWAITING_ANSWER → AWAITING_RECTIFICATION → AWAITING_FOLLOW_UP → DONE;
 *           any other review is NO_ACTION. An appeal (once) runs beside it: NONE → PENDING → DECIDED;
 *           upheld, the review is EXCLUDED from the figures (and kept).
 */
import type { Bilingual } from '../../platform/errors.ts';
import type { Rule } from '../../platform/rules.ts';
import { baseStandingNames } from '../../platform/standing.ts';

export type ContestState = 'OPEN' | 'CLOSED' | 'PUBLISHED';
export type ReviewState = 'NO_ACTION' | 'AWAITING_ANSWER' | 'AWAITING_RECTIFICATION' | 'AWAITING_FOLLOW_UP' | 'DONE' | 'EXCLUDED';
export type AppealState = 'NONE' | 'PENDING' | 'DECIDED';

/** How the caller stands to a contest, a review or the slice as a whole. */
export type EvaluationStanding =
  /** a token of the active command office */
  | 'COMMAND_OFFICE'
  /** who runs the contest: CITY the command office; SYSTEM also the admin of the domain's lead unit; INTERNAL the unit's admin */
  | 'ORGANISER'
  /** who publishes it: CITY and SYSTEM the command office; INTERNAL the unit's admin */
  | 'PUBLISHER'
  /** an assigned judge (by the token's subject) */
  | 'JUDGE'
  /** admin or staff of an entrant unit */
  | 'ENTRANT'
  /** admin or staff of the unit an INTERNAL contest belongs to */
  | 'CONTEST_UNIT_MEMBER'
  /** admin or staff of the unit a review is about */
  | 'REVIEWED_UNIT_ADMIN'
  | 'REVIEWED_UNIT_STAFF'
  /** admin or staff of the active lead unit of the reviewed (or task's, or reporting) unit's domain */
  | 'DOMAIN_LEAD'
  /** the admin of that lead unit */
  | 'DOMAIN_LEAD_ADMIN'
  /** admin or staff of the unit a task or report belongs to */
  | 'OWN_UNIT_ADMIN'
  | 'OWN_UNIT_STAFF'
  /** admin or staff of the unit a survey is about (it feeds that unit's satisfaction) */
  | 'SURVEYED_UNIT'
  /** admin or staff of any active unit */
  | 'UNIT_MEMBER'
  | 'ENTERPRISE'
  | 'OBSERVER'
  /** signed in, none of the above (e.g. the token's unit is archived) */
  | 'SIGNED_IN'
  | 'ANONYMOUS';

export type ContestAction = 'createContest' | 'addContestEntry' | 'assignJudge' | 'submitScores' | 'closeContest' | 'publishContest';
export type ReviewAction = 'submitServiceReview' | 'answerServiceReview' | 'rectifyServiceReview' | 'recordReviewFollowUp';
export type AppealAction = 'appealServiceReview' | 'decideReviewAppeal';

/** Who each standing is, as a refusal names those who may (platform/rules.ts); standings that name nobody in particular are left out. */
export const standingNames: Partial<Record<EvaluationStanding, Bilingual>> = {
  ...baseStandingNames,
  ORGANISER: { zh: '比武的组织单位', en: 'the contest’s organiser' },
  PUBLISHER: { zh: '比武的发布单位', en: 'the contest’s publisher' },
  JUDGE: { zh: '指定的评委', en: 'an assigned judge' },
  ENTRANT: { zh: '参赛单位', en: 'an entrant unit' },
  CONTEST_UNIT_MEMBER: { zh: '比武所属单位的人员', en: 'the staff of the contest’s unit' },
  REVIEWED_UNIT_ADMIN: { zh: '被评价单位的管理员', en: 'the admin of the reviewed unit' },
  REVIEWED_UNIT_STAFF: { zh: '被评价单位的工作人员', en: 'the staff of the reviewed unit' },
  DOMAIN_LEAD: { zh: '领域牵头单位', en: 'the domain’s lead unit' },
  DOMAIN_LEAD_ADMIN: { zh: '领域牵头单位的管理员', en: 'the admin of the domain’s lead unit' },
  OWN_UNIT_ADMIN: { zh: '本单位的管理员', en: 'the unit’s own admin' },
  OWN_UNIT_STAFF: { zh: '本单位的工作人员', en: 'the unit’s own staff' },
  SURVEYED_UNIT: { zh: '所调查单位的人员', en: 'the staff of the surveyed unit' },
};

export const contestStateNames: Record<ContestState, string> = { OPEN: '进行中', CLOSED: '评分结束', PUBLISHED: '已发布' };
export const reviewStateNames: Record<ReviewState, string> = {
  NO_ACTION: '无需处理',
  AWAITING_ANSWER: '待答复',
  AWAITING_RECTIFICATION: '待整改',
  AWAITING_FOLLOW_UP: '待回访',
  DONE: '已办结',
  EXCLUDED: '申诉成立',
};
export const appealStateNames: Record<AppealState, string> = { NONE: '未申诉', PENDING: '申诉待决定', DECIDED: '申诉已决定' };

export const contestRules: Record<ContestAction, Rule<ContestState, EvaluationStanding>> = {
  createContest: { name: { zh: '创建擂台比武', en: 'create the contest' }, who: ['ORGANISER'] },
  addContestEntry: { name: { zh: '增加参赛者', en: 'add an entry' }, who: ['ORGANISER'], from: ['OPEN'], to: 'SAME' },
  assignJudge: { name: { zh: '指定评委', en: 'assign a judge' }, who: ['ORGANISER'], from: ['OPEN'], to: 'SAME' },
  submitScores: { name: { zh: '评分', en: 'score the entries' }, who: ['JUDGE'], from: ['OPEN'], to: 'SAME' },
  closeContest: { name: { zh: '结束评分', en: 'close the scoring' }, who: ['ORGANISER'], from: ['OPEN'], to: 'CLOSED' },
  publishContest: { name: { zh: '发布排名', en: 'publish the ranking' }, who: ['PUBLISHER'], from: ['CLOSED'], to: 'PUBLISHED' },
};

const REVIEWED_UNIT = ['REVIEWED_UNIT_ADMIN', 'REVIEWED_UNIT_STAFF'] as const;

export const reviewRules: Record<ReviewAction, Rule<ReviewState, EvaluationStanding>> = {
  // The public rates too; a unit never rates itself (its members do not get UNIT_MEMBER for it, see access.ts).
  submitServiceReview: {
    name: { zh: '评价', en: 'review the service' },
    who: ['ANONYMOUS', 'ENTERPRISE', 'OBSERVER', 'UNIT_MEMBER', 'COMMAND_OFFICE', 'SIGNED_IN'],
  },
  answerServiceReview: {
    name: { zh: '答复差评', en: 'answer the bad review' },
    who: REVIEWED_UNIT,
    from: ['AWAITING_ANSWER'],
    to: 'AWAITING_RECTIFICATION',
  },
  rectifyServiceReview: {
    name: { zh: '登记整改', en: 'record the rectification' },
    who: REVIEWED_UNIT,
    from: ['AWAITING_RECTIFICATION'],
    to: 'AWAITING_FOLLOW_UP',
  },
  recordReviewFollowUp: {
    name: { zh: '回访', en: 'record a follow-up' },
    who: [...REVIEWED_UNIT, 'COMMAND_OFFICE'],
    from: ['AWAITING_FOLLOW_UP', 'DONE'],
    to: 'DONE',
  },
};

export const appealRules: Record<AppealAction, Rule<AppealState, EvaluationStanding>> = {
  appealServiceReview: { name: { zh: '申请复核', en: 'appeal the review' }, who: ['REVIEWED_UNIT_ADMIN'], from: ['NONE'], to: 'PENDING' },
  decideReviewAppeal: { name: { zh: '决定申诉', en: 'decide the appeal' }, who: ['COMMAND_OFFICE'], from: ['PENDING'], to: 'DECIDED' },
};

export type MilestoneState = 'OPEN' | 'DONE';
export type EvaluationState = 'NONE' | 'DRAFT' | 'PUBLISHED';
export type TaskAction = 'createTask' | 'completeMilestone' | 'submitQuarterlyReport';
export type EvaluationAction = 'createEvaluation' | 'setIndicatorValue' | 'publishEvaluation' | 'recordEvaluationDecision';

export const milestoneStateNames: Record<MilestoneState, string> = { OPEN: '未完成', DONE: '已完成' };
export const evaluationStateNames: Record<EvaluationState, string> = { NONE: '未定义', DRAFT: '定义中', PUBLISHED: '已发布' };

export const taskRules: Record<TaskAction, Rule<MilestoneState, EvaluationStanding>> = {
  createTask: { name: { zh: '建立攻坚事项', en: 'create the task' }, who: ['OWN_UNIT_ADMIN', 'DOMAIN_LEAD_ADMIN', 'COMMAND_OFFICE'] },
  completeMilestone: {
    name: { zh: '登记里程碑完成', en: 'record the milestone as done' },
    who: ['OWN_UNIT_ADMIN', 'OWN_UNIT_STAFF'],
    from: ['OPEN'],
    to: 'DONE',
  },
  submitQuarterlyReport: { name: { zh: '报送季度报告', en: 'file the quarterly report' }, who: ['OWN_UNIT_ADMIN'] },
};

export const evaluationRules: Record<EvaluationAction, Rule<EvaluationState, EvaluationStanding>> = {
  createEvaluation: {
    name: { zh: '定义效果评估', en: 'define the evaluation' },
    who: ['COMMAND_OFFICE'],
    from: ['NONE', 'DRAFT'],
    to: 'DRAFT',
  },
  setIndicatorValue: { name: { zh: '录入指标值', en: 'enter an indicator value' }, who: ['COMMAND_OFFICE'], from: ['DRAFT'], to: 'SAME' },
  publishEvaluation: {
    name: { zh: '发布效果评估', en: 'publish the evaluation' },
    who: ['COMMAND_OFFICE'],
    from: ['DRAFT'],
    to: 'PUBLISHED',
  },
  recordEvaluationDecision: {
    name: { zh: '记录褒扬或问责', en: 'record a decision' },
    who: ['COMMAND_OFFICE'],
    from: ['PUBLISHED'],
    to: 'SAME',
  },
};

export type SurveyState = 'OPEN' | 'CLOSED';
export type SurveyAction = 'publishSurvey' | 'answerEnterpriseSurvey' | 'answerPublicSurvey';
export const surveyStateNames: Record<SurveyState, string> = { OPEN: '开放作答', CLOSED: '已截止' };

/** 问卷调查 (issue #26 §6): the command office publishes; the audience answers while it is open, never the surveyed unit itself (access.ts). */
export const surveyRules: Record<SurveyAction, Rule<SurveyState, EvaluationStanding>> = {
  publishSurvey: {
    name: { zh: '发布问卷调查（仅市指挥部办公室）', en: 'publish a survey (the command office only)' },
    who: ['COMMAND_OFFICE'],
  },
  answerEnterpriseSurvey: {
    name: { zh: '填写企业问卷（仅企业，每家一份）', en: 'answer an enterprises’ survey (enterprises only, once each)' },
    who: ['ENTERPRISE'],
    from: ['OPEN'],
    to: 'SAME',
  },
  answerPublicSurvey: {
    name: { zh: '填写公众问卷', en: 'answer a public survey' },
    who: ['ANONYMOUS', 'ENTERPRISE', 'OBSERVER', 'UNIT_MEMBER', 'COMMAND_OFFICE', 'SIGNED_IN'],
    from: ['OPEN'],
    to: 'SAME',
  },
};

/** Mutations an anonymous caller may call: the public rates a service and answers a public survey too (their rules' ANONYMOUS). */
export const openToAnonymous = ['submitServiceReview', 'answerSurvey'] as const;

/** Who reads what (asked by access.ts). */
export const readRules = {
  /** A review and the figures of its unit. */
  reviews: ['REVIEWED_UNIT_ADMIN', 'REVIEWED_UNIT_STAFF', 'DOMAIN_LEAD', 'COMMAND_OFFICE'] as EvaluationStanding[],
  /** An unpublished contest. */
  contestBeforePublication: ['ORGANISER', 'COMMAND_OFFICE', 'JUDGE', 'ENTRANT'] as EvaluationStanding[],
  /** A published INTERNAL contest: a reference for the unit's own appraisal. */
  internalContest: ['ORGANISER', 'COMMAND_OFFICE', 'CONTEST_UNIT_MEMBER'] as EvaluationStanding[],
  /** The ranking before publication, and the judges. */
  rankingPreview: ['ORGANISER', 'COMMAND_OFFICE'] as EvaluationStanding[],
  /** A unit's tasks, reports and punctuality. */
  unitWork: ['OWN_UNIT_ADMIN', 'OWN_UNIT_STAFF', 'DOMAIN_LEAD', 'COMMAND_OFFICE'] as EvaluationStanding[],
  /** An evaluation's definition and preview. */
  evaluationDraft: ['COMMAND_OFFICE'] as EvaluationStanding[],
  /** The board, and so its files and their download links (the gateway serves them by asking this slice, under this rule). */
  board: ['COMMAND_OFFICE'] as EvaluationStanding[],
  /** The surveys' list and their text answers. */
  surveys: ['COMMAND_OFFICE'] as EvaluationStanding[],
  /** A survey's results: the command office and the unit it is about. */
  surveyResults: ['COMMAND_OFFICE', 'SURVEYED_UNIT'] as EvaluationStanding[],
  /** Which account entered a value, where a result frozen before issue #20 names it (everyone else: the unit). */
  enteredBy: ['COMMAND_OFFICE'] as EvaluationStanding[],
};
