/**
 * Who may do what in the financing slice — the one place that decides it, from the verified token,
 * the directory (is the caller's unit 市地方金融监管局, still active?) and this slice's own records
 * of institutions and branches (is the token's institution known and active?), never from input:
 * - institutions and branches are written by the regulator (units of 市地方金融监管局);
 * - the active ones are public; suspended ones are read by the regulator and the command office;
 * - a FINANCIAL_INSTITUTION token stands for its institution only while the institution (and the
 *   branch it names) is active: otherwise it acts for nobody, as a token of an archived unit.
 *
 * `can…` answers a boolean, `assert…` throws the coded refusal.
 */
import { Role, type Viewer } from '../../platform/auth.ts';
import { errors } from '../../platform/errors.ts';
import type { DirectorySource } from '../../platform/directory.ts';
import { present } from '../../platform/invariant.ts';
import { managedOwnerOf, noticeOwnersOf } from '../../platform/notices.ts';
import type { NoticeOwner } from '../../platform/outbox.ts';
import { assert, can, type Subject } from '../../platform/rules.ts';
import { directoryCaller } from '../../platform/standing.ts';
import {
  demandRules,
  demandStateNames,
  rules,
  standingNames,
  type DemandAction,
  partnerStateNames,
  productStateNames,
  type FinancingAction,
  type FinancingStanding,
  type PartnerState,
} from './rules.ts';
import type { BranchRow, DemandRow, InstitutionRow, LimitAlertScope, ProductRow, RouteRow } from './store.ts';

/** The unit that runs the platform (db/reference/organisation.ts). */
export const REGULATOR_CODE = 'LOCAL_FINANCIAL_REGULATION_BUREAU';

const PLATFORM_NOUN = { zh: '青融通', en: 'the financing platform' };
const INSTITUTION_NOUN = { zh: '该金融机构', en: 'the institution' };
const BRANCH_NOUN = { zh: '该网点', en: 'the branch' };
const PRODUCT_NOUN = { zh: '该金融产品', en: 'the product' };
const ENTERPRISE_NOUN = { zh: '该企业', en: 'the enterprise' };

/** What a refusal names: an institution or a branch in its state, or the platform as a whole. */
function subjectOf(row?: { kind: 'institution'; row: InstitutionRow } | { kind: 'branch'; row: BranchRow }) {
  const subject: Subject<PartnerState, FinancingStanding> = row
    ? {
        noun: row.kind === 'institution' ? INSTITUTION_NOUN : BRANCH_NOUN,
        state: row.row.suspendedAt ? 'SUSPENDED' : 'ACTIVE',
        stateNames: partnerStateNames,
        rules,
        standingNames,
      }
    : { noun: PLATFORM_NOUN, standingNames };
  return subject;
}

export type FinancingAccess = ReturnType<typeof createFinancingAccess>;

/** The rows access needs, read as committed (loaders), before any transaction. */
export interface PartnerLookup {
  institution(id: string): Promise<InstitutionRow | null>;
  branch(id: string): Promise<BranchRow | null>;
  /** Whether a demand was routed to an institution: its route (with the branch in the demand's district, if any). */
  route(demandId: string, institutionId: string): Promise<RouteRow | null>;
}

const DEMAND_NOUN = { zh: '该融资需求', en: 'the demand' };

export function createFinancingAccess(viewer: Viewer, directory: DirectorySource, partners: PartnerLookup) {
  const caller = directoryCaller(viewer, directory);
  let found: Promise<FinancingStanding[]> | undefined;

  async function work(): Promise<FinancingStanding[]> {
    const base = await caller.standing();
    if (base === 'UNIT_MEMBER') {
      const unit = await caller.activeUnit();
      return unit?.code === REGULATOR_CODE ? ['UNIT_MEMBER', 'REGULATOR'] : ['UNIT_MEMBER'];
    }
    if (viewer.role !== Role.FINANCIAL_INSTITUTION || !viewer.institution) return [base];
    const institution = await partners.institution(viewer.institution);
    if (!institution || institution.suspendedAt) return [base];
    if (!viewer.branch) return [base, 'INSTITUTION_STAFF'];
    const branch = await partners.branch(viewer.branch);
    if (!branch || branch.suspendedAt || branch.institutionId !== institution.id) return [base];
    return [base, 'BRANCH_STAFF'];
  }
  const standings = () => (found ??= work());

  /** The standings, with OWN_INSTITUTION for the staff (an institution's token) of `institutionId`. */
  async function productStandings(institutionId: string): Promise<FinancingStanding[]> {
    const base = await standings();
    const own = base.includes('INSTITUTION_STAFF') && viewer.institution?.toLowerCase() === institutionId.toLowerCase();
    return own ? [...base, 'OWN_INSTITUTION'] : base;
  }
  const productSubject = (product?: ProductRow): Subject<PartnerState, FinancingStanding> =>
    product
      ? { noun: PRODUCT_NOUN, state: product.status, stateNames: productStateNames, rules, standingNames }
      : { noun: PRODUCT_NOUN, standingNames };

  /**
   * The standings towards one demand: the enterprise itself; the holder (the holding institution's
   * token, or the holding branch's); an institution (or branch) it was routed to.
   */
  async function demandStandings(demand: DemandRow): Promise<FinancingStanding[]> {
    const held = [...(await standings())];
    if (viewer.role === Role.ENTERPRISE && viewer.enterprise === demand.creditCode) held.push('ENTERPRISE_ITSELF');
    const institution = viewer.institution?.toLowerCase();
    if (held.includes('INSTITUTION_STAFF') && institution) {
      if (demand.institutionId === institution) held.push('HOLDER');
      if (await partners.route(demand.id, institution)) held.push('ROUTED_TO');
    } else if (held.includes('BRANCH_STAFF') && institution) {
      const branch = viewer.branch?.toLowerCase();
      if (demand.branchId !== null && demand.branchId === branch) held.push('HOLDER');
      const route = await partners.route(demand.id, institution);
      if (route && route.branchId === branch) held.push('ROUTED_TO');
    }
    return held;
  }
  const demandSubject = (demand?: DemandRow): Subject<DemandRow['status'], FinancingStanding> =>
    demand
      ? { noun: DEMAND_NOUN, state: demand.status, stateNames: demandStateNames, rules: demandRules, standingNames }
      : { noun: DEMAND_NOUN, standingNames };

  return {
    standings,
    /** The caller's institution (an institution's or a branch's token, while active), or null. */
    async institutionId(): Promise<string | null> {
      const held = await standings();
      return held.includes('INSTITUTION_STAFF') || held.includes('BRANCH_STAFF') ? (viewer.institution?.toLowerCase() ?? null) : null;
    },
    /** The caller's branch (a branch's token, while active), or null. */
    async branchId(): Promise<string | null> {
      return (await standings()).includes('BRANCH_STAFF') ? (viewer.branch?.toLowerCase() ?? null) : null;
    },
    /** The enterprise the caller is (an enterprise's token), or null. */
    enterprise(): string | null {
      return viewer.role === Role.ENTERPRISE ? (viewer.enterprise ?? null) : null;
    },
    /** A demand action, asked of the demand in its state (or of the platform, with no demand yet). */
    async canDemand(action: DemandAction, demand?: DemandRow): Promise<boolean> {
      return can(demandRules[action], demand ? await demandStandings(demand) : await standings(), demandSubject(demand));
    },
    async assertDemand(action: DemandAction, demand?: DemandRow): Promise<void> {
      assert(demandRules[action], demand ? await demandStandings(demand) : await standings(), demandSubject(demand));
    },
    /**
     * Whether the caller may know a demand exists, to act on it: whoever reads it with the enterprise
     * (READ_DEMAND), or an institution or branch it is routed to while it is open. Anonymous callers
     * are asked to sign in; everybody else who may not finds it missing (NOT_FOUND), never refused.
     */
    async seesDemand(demand: DemandRow): Promise<boolean> {
      const held = await demandStandings(demand);
      if (held.includes('ANONYMOUS')) assert(demandRules.READ_DEMAND, held, demandSubject());
      return can(demandRules.READ_DEMAND, held, demandSubject()) || can(demandRules.READ_DEMAND_UNNAMED, held, demandSubject(demand));
    },
    /**
     * Which limit alerts the caller reads (READ_ALERTS, refused otherwise): the regulator and the
     * command office all; an institution's staff the clocks of their institution; a branch its own.
     */
    async limitAlertScope(): Promise<LimitAlertScope> {
      const held = await standings();
      assert(demandRules.READ_ALERTS, held, demandSubject());
      if (held.includes('REGULATOR') || held.includes('COMMAND_OFFICE')) return { kind: 'ALL' };
      const institutionId = viewer.institution?.toLowerCase();
      const branchId = viewer.branch?.toLowerCase();
      if (held.includes('BRANCH_STAFF') && branchId) return { kind: 'BRANCH', branchId };
      if (held.includes('INSTITUTION_STAFF') && institutionId) return { kind: 'INSTITUTION', institutionId };
      // READ_ALERTS names no one else: a caller past the assertion is one of the above.
      throw errors.internal();
    },
    /** Posting for an enterprise: the enterprise itself only (its token's credit code). */
    async assertPostFor(creditCode: string): Promise<void> {
      const own = viewer.role === Role.ENTERPRISE && viewer.enterprise === creditCode;
      const held: FinancingStanding[] = [...(await standings()), ...(own ? (['ENTERPRISE_ITSELF'] as const) : [])];
      assert(demandRules.POST_DEMAND, held, { noun: ENTERPRISE_NOUN, standingNames });
    },
    /**
     * Whose figures the caller reads: every group (READ_STATS: the regulator, the command office)
     * or its own institution's (READ_OWN_STATS: an institution's staff); anyone else is refused.
     */
    async statsScope(): Promise<{ kind: 'ALL' } | { kind: 'INSTITUTION'; institutionId: string }> {
      const held = await standings();
      if (can(demandRules.READ_STATS, held, demandSubject())) return { kind: 'ALL' };
      // Refused, the message names everyone who may read figures, the institutions included.
      const either = { ...demandRules.READ_STATS, who: [...demandRules.READ_STATS.who, ...demandRules.READ_OWN_STATS.who] };
      assert(either, held, demandSubject());
      return { kind: 'INSTITUTION', institutionId: present(viewer.institution, 'the institution claim of its staff').toLowerCase() };
    },
    /** Reading about an enterprise (its report log, its demands and loans): itself, the regulator, the command office. */
    async canReadEnterprise(action: 'READ_REPORT_LOG' | 'READ_ROUTES' | 'READ_ENTERPRISE_FINANCING', creditCode: string): Promise<boolean> {
      const own = viewer.role === Role.ENTERPRISE && viewer.enterprise === creditCode;
      const held: FinancingStanding[] = [...(await standings()), ...(own ? (['ENTERPRISE_ITSELF'] as const) : [])];
      return can(demandRules[action], held, { noun: ENTERPRISE_NOUN, standingNames });
    },
    async assertReadEnterprise(action: 'READ_REPORT_LOG' | 'READ_ROUTES' | 'READ_ENTERPRISE_FINANCING', creditCode: string): Promise<void> {
      const own = viewer.role === Role.ENTERPRISE && viewer.enterprise === creditCode;
      const held: FinancingStanding[] = [...(await standings()), ...(own ? (['ENTERPRISE_ITSELF'] as const) : [])];
      assert(demandRules[action], held, { noun: ENTERPRISE_NOUN, standingNames });
    },
    async can(action: FinancingAction, row?: Parameters<typeof subjectOf>[0]): Promise<boolean> {
      return can(rules[action], await standings(), subjectOf(row));
    },
    async assert(action: FinancingAction, row?: Parameters<typeof subjectOf>[0]): Promise<void> {
      assert(rules[action], await standings(), subjectOf(row));
    },
    /**
     * Products: the caller's standings towards the institution `institutionId` (its own staff, by
     * an institution's token, stand as OWN_INSTITUTION), asked of the product in its state, or of
     * the institution itself when a product is being added to it.
     */
    async canProduct(action: FinancingAction, institutionId: string, product?: ProductRow): Promise<boolean> {
      return can(rules[action], await productStandings(institutionId), productSubject(product));
    },
    async assertProduct(
      action: FinancingAction,
      institutionId: string,
      row?: { kind: 'product'; row: ProductRow } | { kind: 'institution'; row: InstitutionRow },
    ): Promise<void> {
      const subject = row?.kind === 'institution' ? subjectOf(row) : productSubject(row?.row);
      assert(rules[action], await productStandings(institutionId), subject);
    },
    /** Whether the caller may see the products an enterprise is eligible for: itself, the regulator, the command office. */
    async assertMatches(creditCode: string): Promise<void> {
      const own = viewer.role === Role.ENTERPRISE && viewer.enterprise === creditCode;
      const held: FinancingStanding[] = [...(await standings()), ...(own ? (['ENTERPRISE_ITSELF'] as const) : [])];
      assert(rules.MATCH_PRODUCTS, held, { noun: ENTERPRISE_NOUN, standingNames });
    },
    /**
     * Notices (issue #25 §3): whose inbox the caller reads — themselves, their active unit, their
     * enterprise, and an institution's token its institution's (a branch's token its branch's) only
     * while the institution (and branch) is active, as every other standing of the token.
     */
    async noticeOwners(): Promise<NoticeOwner[]> {
      const held = await standings();
      const partner = held.includes('INSTITUTION_STAFF') || held.includes('BRANCH_STAFF');
      const owners = noticeOwnersOf(viewer, (await caller.activeUnit())?.id ?? null);
      return owners.filter((owner) => partner || (owner.kind !== 'INSTITUTION' && owner.kind !== 'BRANCH'));
    },
    /**
     * Whose notice settings or webhooks the caller keeps: a unit's admin (the regulator's, for the
     * claim limits) and the command office their unit's, the command office a connected system's by
     * name, an active institution's token (not a branch's) its institution's, an enterprise its own
     * SMS choice. FORBIDDEN for anyone else.
     */
    async assertNoticeManager(system: string | null | undefined, purpose: 'settings' | 'webhooks'): Promise<NoticeOwner> {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const held = await standings();
      const owner = managedOwnerOf(viewer, (await caller.activeUnit())?.id ?? null, system, purpose);
      if (owner && (owner.kind !== 'INSTITUTION' || held.includes('INSTITUTION_STAFF'))) return owner;
      throw errors.forbidden({
        zh: '只有单位管理员（或市指挥部办公室）、金融机构可设置自己的通知与 webhook，企业可设置本企业的短信接收',
        en: "Only a unit's admin (or the command office) and an institution keep their own notices and webhooks; an enterprise its own SMS choice",
      });
    },
    /** Whether the caller sees suspended institutions and branches (never a refusal: they are left out). */
    canSeeSuspended(): Promise<boolean> {
      return this.can('READ_SUSPENDED');
    },
    /** Whether the caller may see this institution or branch: an active one everybody, a suspended one the regulator and the command office. */
    async canSee(row: { suspendedAt: Date | null }): Promise<boolean> {
      return row.suspendedAt === null || (await this.can('READ_SUSPENDED'));
    },
  };
}
