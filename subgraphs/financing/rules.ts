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
  | 'ENTERPRISE_ITSELF';

/** An institution's or a branch's state, from its row: `suspendedAt` set or not. */
export type PartnerState = 'ACTIVE' | 'SUSPENDED';

export const standingNames: Partial<Record<FinancingStanding, Bilingual>> = {
  ...baseStandingNames,
  REGULATOR: { zh: '市地方金融监管局', en: 'the Local Financial Regulation Bureau' },
  INSTITUTION_STAFF: { zh: '金融机构', en: 'a financial institution' },
  BRANCH_STAFF: { zh: '金融机构网点', en: 'a branch of a financial institution' },
  OWN_INSTITUTION: { zh: '本产品所属金融机构', en: "the product's own institution" },
  ENTERPRISE_ITSELF: { zh: '企业本身', en: 'the enterprise itself' },
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
