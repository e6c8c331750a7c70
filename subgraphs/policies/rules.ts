/**
 * The policies slice's rules, in tables: which action may move a policy, an item or an application
 * from which state to which, and who may take it. The access module works out the caller's
 * standings (from the token and the unit directory, never from input); the use cases ask before
 * they change anything.
 *
 * Policy:       DRAFT → CONSULTATION → PUBLISHED (amend: a new revision, still PUBLISHED) → REPEALED;
 *               a published policy past its validity reads EXPIRED (it may still be amended or repealed).
 * Application:  DRAFT → SUBMITTED → UNDER_REVIEW → (RETURNED → RESUBMITTED) → APPROVED | REJECTED
 *               → PUBLIC_NOTICE → DISBURSED, or STOPPED by an upheld objection. Automatic grants are
 *               created APPROVED and go straight to PUBLIC_NOTICE.
 */
import type { Bilingual } from '../../platform/errors.ts';
import type { Rule } from '../../platform/rules.ts';
import type { applicationStatus, itemStatus, policyStatus } from '../../db/policies.ts';
import { baseStandingNames } from '../../platform/standing.ts';

/** The states, as the tables keep them (db/policies.ts); a policy also reads EXPIRED past its validity. */
export type PolicyState = (typeof policyStatus.enumValues)[number] | 'EXPIRED';
export type ItemState = (typeof itemStatus.enumValues)[number];
export type ApplicationState = (typeof applicationStatus.enumValues)[number];

/** How the caller stands to a policy, an item, an application or the slice as a whole. */
export type PolicyStanding =
  /** a token of the active command office */
  | 'COMMAND_OFFICE'
  /** admin or staff of the policy's (active) issuing unit */
  | 'ISSUING_UNIT_ADMIN'
  | 'ISSUING_UNIT_STAFF'
  /** admin or staff of the item's (active) reviewing unit, which decides and pays */
  | 'REVIEWING_UNIT_ADMIN'
  | 'REVIEWING_UNIT_STAFF'
  /** the enterprise an application is for */
  | 'APPLICANT'
  /** admin or staff of any active unit */
  | 'UNIT_MEMBER'
  | 'ENTERPRISE'
  | 'OBSERVER'
  /** signed in, none of the above (e.g. the token's unit is archived) */
  | 'SIGNED_IN'
  /** not signed in: only where a rule says so (objections to a public notice) */
  | 'ANONYMOUS';

/** Who each standing is, as a refusal names those who may (platform/rules.ts); standings that name nobody in particular are left out. */
export const standingNames: Partial<Record<PolicyStanding, Bilingual>> = {
  ...baseStandingNames,
  ISSUING_UNIT_ADMIN: { zh: '政策制定单位的管理员', en: 'the admin of the issuing unit' },
  ISSUING_UNIT_STAFF: { zh: '政策制定单位的工作人员', en: 'the staff of the issuing unit' },
  REVIEWING_UNIT_ADMIN: { zh: '审核单位的管理员', en: 'the admin of the reviewing unit' },
  REVIEWING_UNIT_STAFF: { zh: '审核单位的工作人员', en: 'the staff of the reviewing unit' },
  APPLICANT: { zh: '申报企业', en: 'the applicant' },
};

export const policyStateNames: Record<PolicyState, string> = {
  DRAFT: '草稿',
  CONSULTATION: '征求意见中',
  PUBLISHED: '已发布',
  REPEALED: '已废止',
  EXPIRED: '已失效',
};

export const itemStateNames: Record<ItemState, string> = { DRAFT: '草稿', PUBLISHED: '已发布', CLOSED: '已停止受理' };

export const applicationStateNames: Record<ApplicationState, string> = {
  DRAFT: '草稿',
  SUBMITTED: '已提交',
  UNDER_REVIEW: '审核中',
  RETURNED: '退回补正',
  RESUBMITTED: '已重新提交',
  APPROVED: '审核通过',
  REJECTED: '不予通过',
  PUBLIC_NOTICE: '公示中',
  STOPPED: '终止兑现',
  DISBURSED: '已兑现',
};

const ISSUERS: PolicyStanding[] = ['COMMAND_OFFICE', 'ISSUING_UNIT_ADMIN', 'ISSUING_UNIT_STAFF'];
const ISSUER_ADMINS: PolicyStanding[] = ['COMMAND_OFFICE', 'ISSUING_UNIT_ADMIN'];
const REVIEWERS: PolicyStanding[] = ['REVIEWING_UNIT_ADMIN', 'REVIEWING_UNIT_STAFF'];
const EDITABLE: PolicyState[] = ['DRAFT', 'CONSULTATION'];
const IN_FORCE_OR_BEFORE: PolicyState[] = ['DRAFT', 'CONSULTATION', 'PUBLISHED'];
const UNDECIDED: ApplicationState[] = ['SUBMITTED', 'RESUBMITTED', 'UNDER_REVIEW'];

/** Actions on one policy (立、改、废、释, and its items). */
export const policyRules = {
  UPDATE: { name: { zh: '修改政策草稿', en: 'edit the draft policy' }, from: EDITABLE, to: 'SAME', who: ISSUERS },
  OPEN_CONSULTATION: {
    name: { zh: '公开征求意见', en: 'open the draft for consultation' },
    from: ['DRAFT'],
    to: 'CONSULTATION',
    who: ISSUERS,
  },
  COMMENT: {
    name: { zh: '提出意见', en: 'comment on the draft' },
    from: ['CONSULTATION'],
    to: 'SAME',
    who: ['ENTERPRISE', 'UNIT_MEMBER', 'OBSERVER'],
  },
  ANSWER_COMMENT: { name: { zh: '答复意见', en: 'answer a comment' }, from: ['CONSULTATION'], to: 'SAME', who: ISSUERS },
  PUBLISH: { name: { zh: '发布政策', en: 'publish the policy' }, from: EDITABLE, to: 'PUBLISHED', who: ISSUER_ADMINS },
  AMEND: { name: { zh: '修订政策', en: 'amend the policy' }, from: ['PUBLISHED', 'EXPIRED'], to: 'PUBLISHED', who: ISSUER_ADMINS },
  REPEAL: { name: { zh: '废止政策', en: 'repeal the policy' }, from: ['PUBLISHED', 'EXPIRED'], to: 'REPEALED', who: ISSUER_ADMINS },
  INTERPRET: { name: { zh: '发布政策解读', en: 'add an interpretation' }, from: IN_FORCE_OR_BEFORE, to: 'SAME', who: ISSUERS },
  ADD_ITEM: { name: { zh: '增加政策项目', en: 'add an item to the policy' }, from: IN_FORCE_OR_BEFORE, to: 'SAME', who: ISSUERS },
  UPDATE_ITEM: { name: { zh: '修改政策项目', en: "change the policy's item" }, from: IN_FORCE_OR_BEFORE, to: 'SAME', who: ISSUERS },
} satisfies Record<string, Rule<PolicyState, PolicyStanding>>;

export type PolicyAction = keyof typeof policyRules;

/** Actions on one item: entering applications and automatic grants. */
export const itemRules = {
  SUBMIT_APPLICATION: {
    name: { zh: '申报该项目（企业为自己申报）', en: 'apply for the item (an enterprise, for itself)' },
    from: ['PUBLISHED'],
    to: 'SAME',
    who: ['ENTERPRISE'],
  },
  IMPORT_APPLICATION: {
    name: {
      zh: '导入部门系统受理的申报（审核单位、市指挥部办公室）',
      en: 'import an application (the reviewing unit, the command office)',
    },
    from: ['PUBLISHED', 'CLOSED'],
    to: 'SAME',
    who: ['COMMAND_OFFICE', ...REVIEWERS],
  },
  RUN_AUTOMATIC_GRANTS: {
    name: { zh: '执行免申即享（审核单位）', en: 'run the automatic grant (the reviewing unit)' },
    from: ['PUBLISHED'],
    to: 'SAME',
    who: REVIEWERS,
  },
} satisfies Record<string, Rule<ItemState, PolicyStanding>>;

export type ItemAction = keyof typeof itemRules;

/** Actions on one application: 申报 → 审核 → 公示 → 兑现 → 评价. */
export const applicationRules = {
  SUBMIT_DRAFT: { name: { zh: '提交申报', en: 'submit the application' }, from: ['DRAFT'], to: 'SUBMITTED', who: ['APPLICANT'] },
  START_REVIEW: {
    name: { zh: '开始审核', en: 'take the application into review' },
    from: ['SUBMITTED', 'RESUBMITTED'],
    to: 'UNDER_REVIEW',
    who: REVIEWERS,
  },
  RETURN: { name: { zh: '退回补正', en: 'return the application for materials' }, from: UNDECIDED, to: 'RETURNED', who: REVIEWERS },
  RESUBMIT: { name: { zh: '补正后重新提交', en: 'resubmit the application' }, from: ['RETURNED'], to: 'RESUBMITTED', who: ['APPLICANT'] },
  APPROVE: { name: { zh: '审核通过', en: 'approve the application' }, from: UNDECIDED, to: 'APPROVED', who: REVIEWERS },
  REJECT: { name: { zh: '不予通过', en: 'refuse the application' }, from: UNDECIDED, to: 'REJECTED', who: REVIEWERS },
  START_NOTICE: { name: { zh: '开始公示', en: 'start the public notice' }, from: ['APPROVED'], to: 'PUBLIC_NOTICE', who: REVIEWERS },
  FILE_OBJECTION: {
    name: { zh: '提出公示异议', en: 'object to the grant in public notice' },
    from: ['PUBLIC_NOTICE'],
    to: 'SAME',
    who: ['ANONYMOUS', 'SIGNED_IN', 'ENTERPRISE', 'OBSERVER', 'UNIT_MEMBER', 'COMMAND_OFFICE', 'APPLICANT'],
  },
  ANSWER_OBJECTION: { name: { zh: '答复异议', en: 'answer an objection' }, from: ['PUBLIC_NOTICE'], to: 'SAME', who: REVIEWERS },
  MARK_OBJECTIONS: {
    name: { zh: '标记重复、恶意异议', en: 'mark objections as duplicates or abuse' },
    from: ['PUBLIC_NOTICE'],
    to: 'SAME',
    who: REVIEWERS,
  },
  STOP: {
    name: { zh: '异议成立，终止兑现', en: 'stop the grant on an upheld objection' },
    from: ['PUBLIC_NOTICE'],
    to: 'STOPPED',
    who: REVIEWERS,
  },
  DISBURSE: { name: { zh: '登记资金拨付', en: 'record the payment' }, from: ['PUBLIC_NOTICE'], to: 'DISBURSED', who: REVIEWERS },
  RATE: {
    name: { zh: '评价办理服务', en: 'rate the handling' },
    from: ['DISBURSED', 'REJECTED', 'STOPPED'],
    to: 'SAME',
    who: ['APPLICANT'],
  },
} satisfies Record<string, Rule<ApplicationState, PolicyStanding>>;

export type ApplicationAction = keyof typeof applicationRules;

/** Mutations an anonymous caller may call: anyone may object to a grant in public notice (FILE_OBJECTION's ANONYMOUS). */
export const openToAnonymous = ['fileObjection'] as const;

/** Decisions a reviewer takes; while one reviewer has an application in review, only they or an admin take them. */
export const REVIEW_DECISIONS: readonly ApplicationAction[] = ['RETURN', 'APPROVE', 'REJECT'];

/** Actions on the slice as a whole. */
export const sliceRules = {
  CREATE_POLICY: { name: { zh: '起草政策', en: 'draft a policy' }, who: ['COMMAND_OFFICE', 'UNIT_MEMBER'] },
  PUBLISH_NEWS: { name: { zh: '发布政策资讯', en: 'publish policy news' }, who: ['COMMAND_OFFICE', 'UNIT_MEMBER'] },
  IMPORT_APPLICATION_BATCH: {
    name: {
      zh: '批量导入部门系统受理的申报（每条记录须是所属项目的审核单位或市指挥部办公室）',
      en: "import a batch of applications departments' systems accepted (each record: its item's reviewing unit, or the command office)",
    },
    who: ['COMMAND_OFFICE', 'UNIT_MEMBER'],
  },
  READ_APPLICATION_FEED: {
    name: {
      zh: '读取申报回传（送来记录的系统读自己送来的，市指挥部办公室读全部）',
      en: 'read the applications change feed (a sending system its own records, the command office all)',
    },
    who: ['COMMAND_OFFICE', 'UNIT_MEMBER'],
  },
  READ_CITY_STATS: {
    name: { zh: '查看全市惠企政策统计（仅市指挥部办公室）', en: 'read city-wide policy figures (command office only)' },
    who: ['COMMAND_OFFICE'],
  },
} satisfies Record<string, Rule<never, PolicyStanding>>;

export type SliceAction = keyof typeof sliceRules;
