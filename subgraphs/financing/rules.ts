/**
 * The financing slice's rules (青融通): every action, who may take it, and from which state of an
 * institution or branch. The access module works out the caller's standings; the use cases ask it.
 */
import type { Bilingual } from '../../platform/errors.ts';
import type { Rule } from '../../platform/rules.ts';
import { baseStandingNames, type BaseStanding } from '../../platform/standing.ts';

/**
 * How a caller stands to the financing platform: the kit's base standings (a FINANCIAL_INSTITUTION
 * token acts for no unit, so its base standing is SIGNED_IN) and the slice's own.
 */
export type FinancingStanding =
  | BaseStanding
  /** staff or admin of the (active) 市地方金融监管局, which runs the platform */
  | 'REGULATOR'
  /** the staff of an active financial institution the platform knows (the token's institution claim) */
  | 'INSTITUTION_STAFF'
  /** the staff of one active branch of it (the token's branch claim) */
  | 'BRANCH_STAFF'
  /** the staff of the institution a product is (or is to be) of — an institution's token, not a branch's */
  | 'OWN_INSTITUTION'
  /** the enterprise a question is about (the token's credit code) */
  | 'ENTERPRISE_ITSELF'
  /** the institution (an institution's token) or branch (a branch's token) a demand was routed to */
  | 'ROUTED_TO'
  /** the institution holding a demand (an institution's token), or the branch holding it (a branch's token) */
  | 'HOLDER';

/** An institution's or a branch's state, from its row: `suspendedAt` set or not. */
export type PartnerState = 'ACTIVE' | 'SUSPENDED';

export const standingNames: Partial<Record<FinancingStanding, Bilingual>> = {
  ...baseStandingNames,
  REGULATOR: { zh: '市地方金融监管局', en: 'the Local Financial Regulation Bureau' },
  INSTITUTION_STAFF: { zh: '金融机构', en: 'a financial institution' },
  BRANCH_STAFF: { zh: '金融机构网点', en: 'a branch of a financial institution' },
  OWN_INSTITUTION: { zh: '本产品所属金融机构', en: "the product's own institution" },
  ENTERPRISE_ITSELF: { zh: '企业本身', en: 'the enterprise itself' },
  ROUTED_TO: { zh: '需求推送到的金融机构或网点', en: 'an institution or branch the demand was routed to' },
  HOLDER: { zh: '承接该需求的金融机构或网点', en: 'the institution or branch holding the demand' },
};

/** A demand's state (its `status`). */
export type DemandState = 'OPEN' | 'CLAIMED' | 'CONTACTED' | 'APPROVED' | 'DISBURSED' | 'DECLINED' | 'WITHDRAWN';

export const demandStateNames: Record<DemandState, string> = {
  OPEN: '待抢单',
  CLAIMED: '已承接',
  CONTACTED: '已联系企业',
  APPROVED: '已授信',
  DISBURSED: '已放款',
  DECLINED: '不予授信',
  WITHDRAWN: '已撤回',
};

/** The states a demand is still under way in (a limit may run, the enterprise may withdraw). */
export const OPEN_STATES: readonly DemandState[] = ['OPEN', 'CLAIMED', 'CONTACTED', 'APPROVED'];
/** The states a holder is working in. */
export const HELD_STATES: readonly DemandState[] = ['CLAIMED', 'CONTACTED', 'APPROVED'];

export type DemandAction =
  | 'POST_DEMAND'
  | 'IMPORT_DEMAND'
  | 'CLAIM_DEMAND'
  | 'CHOOSE_INSTITUTION'
  | 'DISPATCH_DEMAND'
  | 'RECORD_CONTACT'
  | 'APPROVE'
  | 'DISBURSE'
  | 'DECLINE'
  | 'WITHDRAW'
  | 'CONFIRM_RECEIVED'
  | 'RATE'
  | 'READ_DEMAND'
  | 'READ_DEMAND_UNNAMED'
  | 'READ_ROUTES'
  | 'READ_ENTERPRISE_FINANCING'
  | 'READ_CREDIT_REPORT'
  | 'READ_REPORT_LOG'
  | 'IMPORT_CREDIT_RECORDS'
  | 'SET_LIMITS'
  | 'READ_ALL_DEMANDS'
  | 'READ_STATS'
  | 'READ_OWN_STATS'
  | 'READ_ALERTS';

/** What may be done to a demand, by whom, from which state: the lifecycle of 一键直达 and 抢单. */
export const demandRules: Record<DemandAction, Rule<DemandState, FinancingStanding>> = {
  POST_DEMAND: { name: { zh: '发布融资需求', en: 'post a financing demand' }, who: ['ENTERPRISE_ITSELF'] },
  IMPORT_DEMAND: { name: { zh: '导入融资需求', en: 'import a financing demand' }, who: ['REGULATOR'] },
  CLAIM_DEMAND: { name: { zh: '抢单', en: 'claim the demand' }, who: ['ROUTED_TO'], from: ['OPEN'], to: 'CLAIMED' },
  CHOOSE_INSTITUTION: {
    name: { zh: '选择金融机构', en: 'choose an institution' },
    who: ['ENTERPRISE_ITSELF'],
    from: ['OPEN'],
    to: 'CLAIMED',
  },
  DISPATCH_DEMAND: { name: { zh: '派单', en: 'dispatch the demand' }, who: ['REGULATOR'], from: ['OPEN'], to: 'CLAIMED' },
  RECORD_CONTACT: { name: { zh: '记录已联系企业', en: 'record the contact' }, who: ['HOLDER'], from: ['CLAIMED'], to: 'CONTACTED' },
  APPROVE: { name: { zh: '授信', en: 'approve credit' }, who: ['HOLDER'], from: ['CLAIMED', 'CONTACTED'], to: 'APPROVED' },
  DISBURSE: { name: { zh: '记录放款', en: 'record the disbursement' }, who: ['HOLDER'], from: ['APPROVED'], to: 'DISBURSED' },
  DECLINE: { name: { zh: '不予授信', en: 'decline the credit' }, who: ['HOLDER'], from: HELD_STATES, to: 'DECLINED' },
  WITHDRAW: { name: { zh: '撤回需求', en: 'withdraw the demand' }, who: ['ENTERPRISE_ITSELF'], from: OPEN_STATES, to: 'WITHDRAWN' },
  CONFIRM_RECEIVED: {
    name: { zh: '确认到账', en: 'confirm the money arrived' },
    who: ['ENTERPRISE_ITSELF'],
    from: ['DISBURSED'],
    to: 'SAME',
  },
  RATE: {
    name: { zh: '评价金融机构', en: 'rate the institution' },
    who: ['ENTERPRISE_ITSELF'],
    from: ['DISBURSED', 'DECLINED'],
    to: 'SAME',
  },
  READ_DEMAND: {
    name: { zh: '查看融资需求及企业信息', en: 'read the demand with the enterprise' },
    who: ['ENTERPRISE_ITSELF', 'HOLDER', 'REGULATOR', 'COMMAND_OFFICE'],
  },
  /** Before a claim: industry, district, size, amount, term, purpose — never the name, contact or credit code. */
  READ_DEMAND_UNNAMED: { name: { zh: '查看推送的融资需求', en: 'read a routed demand' }, who: ['ROUTED_TO'], from: ['OPEN'] },
  READ_ROUTES: {
    name: { zh: '查看需求推送到哪些机构', en: 'see where a demand was routed' },
    who: ['ENTERPRISE_ITSELF', 'REGULATOR', 'COMMAND_OFFICE'],
  },
  /** Enterprise.financingDemands and Enterprise.loans: an enterprise's own financing, as other slices read it. */
  READ_ENTERPRISE_FINANCING: {
    name: { zh: '查看企业的融资需求和贷款', en: "read an enterprise's demands and loans" },
    who: ['ENTERPRISE_ITSELF', 'REGULATOR', 'COMMAND_OFFICE'],
  },
  READ_CREDIT_REPORT: { name: { zh: '查看企业信用报告', en: "read the enterprise's credit report" }, who: ['HOLDER'] },
  READ_REPORT_LOG: {
    name: { zh: '查看信用报告的查看记录', en: 'see who read the credit report' },
    who: ['ENTERPRISE_ITSELF', 'REGULATOR', 'COMMAND_OFFICE'],
  },
  IMPORT_CREDIT_RECORDS: { name: { zh: '导入信用记录', en: 'import credit records' }, who: ['REGULATOR'] },
  SET_LIMITS: { name: { zh: '修改融资时限', en: 'change the time limits' }, who: ['REGULATOR'] },
  READ_ALL_DEMANDS: { name: { zh: '查看全部融资需求', en: 'read every demand' }, who: ['REGULATOR', 'COMMAND_OFFICE'] },
  READ_STATS: { name: { zh: '查看全市融资统计', en: 'read the city-wide financing figures' }, who: ['REGULATOR', 'COMMAND_OFFICE'] },
  READ_OWN_STATS: { name: { zh: '查看本机构融资统计', en: "read the institution's own figures" }, who: ['INSTITUTION_STAFF'] },
  READ_ALERTS: {
    name: { zh: '查看融资时限提醒', en: 'read the limit alerts' },
    who: ['REGULATOR', 'COMMAND_OFFICE', 'INSTITUTION_STAFF', 'BRANCH_STAFF'],
  },
};

/** A product's state (its `status`): on offer, or withdrawn for now. */
export const productStateNames: Record<PartnerState, string> = { ACTIVE: '在售', SUSPENDED: '已暂停' };

export const partnerStateNames: Record<PartnerState, string> = { ACTIVE: '在用', SUSPENDED: '已暂停' };

export type FinancingAction =
  | 'CREATE_INSTITUTION'
  | 'UPDATE_INSTITUTION'
  | 'SUSPEND_INSTITUTION'
  | 'CREATE_BRANCH'
  | 'UPDATE_BRANCH'
  | 'SUSPEND_BRANCH'
  | 'READ_SUSPENDED'
  | 'CREATE_PRODUCT'
  | 'UPDATE_PRODUCT'
  | 'READ_SUSPENDED_PRODUCTS'
  | 'MATCH_PRODUCTS';

export const rules: Record<FinancingAction, Rule<PartnerState, FinancingStanding>> = {
  CREATE_INSTITUTION: { name: { zh: '新增金融机构', en: 'add a financial institution' }, who: ['REGULATOR'] },
  UPDATE_INSTITUTION: { name: { zh: '修改金融机构', en: 'edit a financial institution' }, who: ['REGULATOR'], from: ['ACTIVE'] },
  SUSPEND_INSTITUTION: {
    name: { zh: '暂停金融机构', en: 'suspend a financial institution' },
    who: ['REGULATOR'],
    from: ['ACTIVE'],
    to: 'SUSPENDED',
  },
  CREATE_BRANCH: { name: { zh: '新增网点', en: 'add a branch' }, who: ['REGULATOR'], from: ['ACTIVE'] },
  UPDATE_BRANCH: { name: { zh: '修改网点', en: 'edit a branch' }, who: ['REGULATOR'], from: ['ACTIVE'] },
  SUSPEND_BRANCH: { name: { zh: '暂停网点', en: 'suspend a branch' }, who: ['REGULATOR'], from: ['ACTIVE'], to: 'SUSPENDED' },
  READ_SUSPENDED: {
    name: { zh: '查看已暂停的金融机构和网点', en: 'read suspended institutions and branches' },
    who: ['REGULATOR', 'COMMAND_OFFICE'],
  },
  /** Asked of the institution the product is to be of: it must be active. */
  CREATE_PRODUCT: { name: { zh: '新增金融产品', en: 'add a financial product' }, who: ['REGULATOR', 'OWN_INSTITUTION'], from: ['ACTIVE'] },
  /** Any state: suspending and resuming a product are edits of its status. */
  UPDATE_PRODUCT: { name: { zh: '修改金融产品', en: 'edit a financial product' }, who: ['REGULATOR', 'OWN_INSTITUTION'] },
  READ_SUSPENDED_PRODUCTS: {
    name: { zh: '查看已暂停的金融产品', en: 'read suspended financial products' },
    who: ['REGULATOR', 'COMMAND_OFFICE', 'OWN_INSTITUTION'],
  },
  MATCH_PRODUCTS: {
    name: { zh: '查看企业可申请的金融产品', en: 'see the products an enterprise is eligible for' },
    who: ['ENTERPRISE_ITSELF', 'REGULATOR', 'COMMAND_OFFICE'],
  },
};
