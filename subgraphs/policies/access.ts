/**
 * Who may do what in the policies slice — the one place that decides it, from the verified token
 * and the unit directory, never from anything the caller sends. The use cases ask (use-cases/*.ts);
 * nothing else does. Its vocabulary is every slice's: `can…` answers a boolean, `assert…` throws the
 * coded refusal (UNAUTHENTICATED, FORBIDDEN, INVALID_TRANSITION).
 *
 * Reading: published policies, items, news and running public notices are public; drafts only the
 * issuing unit (items: also the reviewing unit) and the command office. Applications: the command
 * office all, a unit those of the items it reviews or issued, an enterprise its own. Consultation
 * comments: the issuing unit and the command office all, everyone else their own. Figures and
 * service reviews: the unit itself, its domain's lead unit, the command office.
 * Acting: the rules tables (rules.ts), asked with the caller's standings on the thing.
 */
import { isPerson, personOf, Role, type Viewer } from '../../platform/auth.ts';
import type { DirectorySource, DirectoryUnit } from '../../platform/directory.ts';
import { errors } from '../../platform/errors.ts';
import { present } from '../../platform/invariant.ts';
import { managedOwnerOf, noticeOwnersOf } from '../../platform/notices.ts';
import type { NoticeOwner } from '../../platform/outbox.ts';
import { assert } from '../../platform/rules.ts';
import { baseStandingOf, whileActive } from '../../platform/standing.ts';
import { writerKey } from '../../platform/write-limits.ts';
import {
  applicationRules,
  applicationStateNames,
  itemRules,
  itemStateNames,
  policyRules,
  policyStateNames,
  REVIEW_DECISIONS,
  sliceRules,
  standingNames,
  type ApplicationAction,
  type ItemAction,
  type PolicyAction,
  type PolicyStanding,
  type PolicyState,
  type SliceAction,
} from './rules.ts';
import type { ApplicationRow, ApplicationScope, CommentRow, ItemRow, NoticeScope, PolicyRow } from './store.ts';

const POLICY_NOUN = { zh: '该政策', en: 'the policy' };
const ITEM_NOUN = { zh: '该政策项目', en: 'the policy item' };
const APPLICATION_NOUN = { zh: '该申报', en: 'the application' };
const SLICE_NOUN = { zh: '惠企政策', en: 'the policies' };

/** A published policy past its last day of validity reads as expired. */
export function policyState(policy: Pick<PolicyRow, 'status' | 'validUntil'>, today: string): PolicyState {
  return policy.status === 'PUBLISHED' && policy.validUntil !== null && policy.validUntil < today ? 'EXPIRED' : policy.status;
}

/**
 * Whose records of a source system a caller reads in the applications change feed: the command
 * office every record (null); a unit member only those it sent itself, as the same person (issuer,
 * role, subject) — the sending system's own token.
 */
function feedSenderOf(viewer: Viewer, standings: readonly PolicyStanding[]): { issuer: string; role: string; subject: string } | null {
  assert(sliceRules.READ_APPLICATION_FEED, standings, { noun: SLICE_NOUN, standingNames });
  return standings.includes('COMMAND_OFFICE') ? null : present(personOf(viewer), 'the person of a feed reader');
}

/**
 * Notices (issue #25 §3): whose inbox the caller reads — themselves, their active unit, their
 * enterprise — and whose notice settings or webhooks they keep: a unit's admin (and the command
 * office) their unit's, the command office a connected system's by name (a department's system), an
 * enterprise its own SMS choice; FORBIDDEN for anyone else. The unit is confirmed fresh.
 */
function noticeAccess(viewer: Viewer, directory: DirectorySource, activeUnit: () => Promise<DirectoryUnit | null>) {
  return {
    async noticeOwners(): Promise<NoticeOwner[]> {
      const owners = noticeOwnersOf(viewer, (await activeUnit())?.id ?? null);
      return owners.filter((owner) => owner.kind !== 'INSTITUTION' && owner.kind !== 'BRANCH');
    },
    async assertNoticeManager(system: string | null | undefined, purpose: 'settings' | 'webhooks'): Promise<NoticeOwner> {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const unit = viewer.unitId ? whileActive(await directory.unit(viewer.unitId, { fresh: true })) : null;
      const owner = managedOwnerOf(viewer, unit?.id ?? null, system, purpose);
      if (owner && owner.kind !== 'INSTITUTION') return owner;
      throw errors.forbidden({
        zh: '只有单位管理员（或市指挥部办公室）可设置本单位的通知与 webhook，企业可设置本企业的短信接收',
        en: "Only a unit's admin (or the command office) keeps its unit's notices and webhooks; an enterprise its own SMS choice",
      });
    },
  };
}

export function createPoliciesAccess(viewer: Viewer, directory: DirectorySource, clientAddress?: string) {
  let unitPromise: Promise<DirectoryUnit | null> | undefined;
  /** The caller's own unit while it is active; null otherwise (an archived unit acts for nobody). */
  const activeUnit = () => (unitPromise ??= viewer.unitId ? directory.unit(viewer.unitId).then(whileActive) : Promise.resolve(null));

  /** Standings towards the slice as a whole. */
  async function base(): Promise<PolicyStanding[]> {
    return [await baseStandingOf(viewer, activeUnit)];
  }

  /** Admin or staff standing when the caller's active unit is `unitId`. */
  async function unitStanding(unitId: string, admin: PolicyStanding, staff: PolicyStanding): Promise<PolicyStanding[]> {
    if (viewer.role !== Role.UNIT_ADMIN && viewer.role !== Role.UNIT_STAFF) return [];
    const unit = await activeUnit();
    if (!unit || unit.id !== unitId) return [];
    return [viewer.role === Role.UNIT_ADMIN ? admin : staff];
  }

  const onPolicy = async (policy: Pick<PolicyRow, 'issuingUnitId'>) => [
    ...(await base()),
    ...(await unitStanding(policy.issuingUnitId, 'ISSUING_UNIT_ADMIN', 'ISSUING_UNIT_STAFF')),
  ];
  const onItem = async (item: Pick<ItemRow, 'issuingUnitId' | 'reviewingUnitId'>) => [
    ...(await onPolicy(item)),
    ...(await unitStanding(item.reviewingUnitId, 'REVIEWING_UNIT_ADMIN', 'REVIEWING_UNIT_STAFF')),
  ];
  const onApplication = async (application: ApplicationRow) => {
    const found = [...(await base()), ...(await unitStanding(application.reviewingUnitId, 'REVIEWING_UNIT_ADMIN', 'REVIEWING_UNIT_STAFF'))];
    if (viewer.role === Role.ENTERPRISE && viewer.enterprise === application.enterpriseCreditCode) found.push('APPLICANT');
    return found;
  };

  /**
   * Whether the caller is the person who took the application into review. One taken before roles
   * were kept (role null) is known by its subject, as it was then; the caller still needs the
   * reviewing unit's standing.
   */
  const isReviewer = (application: ApplicationRow) =>
    application.reviewerRole === null
      ? application.reviewerSubject !== null && application.reviewerSubject === viewer.subject
      : isPerson(viewer, { issuer: application.reviewerIssuer, role: application.reviewerRole, subject: application.reviewerSubject });

  /** The caller's unit, when it is an active unit member (the command office counts as 'all'). */
  async function visibleUnit(): Promise<string | 'all' | null> {
    const found = await base();
    if (found.includes('COMMAND_OFFICE')) return 'all';
    if (found.includes('UNIT_MEMBER')) return present(await activeUnit(), 'the active unit of a unit member').id;
    return null;
  }

  return {
    activeUnit,
    ...noticeAccess(viewer, directory, activeUnit),
    /** Throws UNAUTHENTICATED for a caller without a token (what every write but an objection needs first). */
    assertSignedIn(): void {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
    },
    /** The enterprise an enterprise's token acts for (the applicant of what it submits); null for any other caller. */
    ownEnterprise(): string | null {
      return viewer.role === Role.ENTERPRISE ? present(viewer.enterprise, 'the credit code of an enterprise token') : null;
    },
    /**
     * Whom a consultation comment is by, besides the person: the unit of a unit's member (an
     * enterprise or an observer speaks for no unit), the enterprise of an enterprise's token.
     */
    async commentAuthor(): Promise<{ unitId: string | null; enterprise: string | null }> {
      const speaksForNoUnit = viewer.role === Role.ENTERPRISE || viewer.role === Role.OBSERVER;
      return {
        unitId: speaksForNoUnit ? null : ((await activeUnit())?.id ?? null),
        enterprise: viewer.role === Role.ENTERPRISE ? viewer.enterprise : null,
      };
    },
    /** Whose drafts the caller may see: 'all', their unit's, or nobody's. */
    draftsOf: visibleUnit,

    async canSeePolicy(policy: PolicyRow): Promise<boolean> {
      if (policy.status !== 'DRAFT') return true;
      const unit = await visibleUnit();
      return unit === 'all' || unit === policy.issuingUnitId;
    },

    async canSeeItem(item: ItemRow): Promise<boolean> {
      if (item.status !== 'DRAFT') return true;
      const unit = await visibleUnit();
      return unit === 'all' || unit === item.issuingUnitId || unit === item.reviewingUnitId;
    },

    async applicationScope(): Promise<ApplicationScope> {
      if (viewer.role === Role.ENTERPRISE)
        return { kind: 'enterprise', creditCode: present(viewer.enterprise, 'the credit code of an enterprise token') };
      const unit = await visibleUnit();
      if (unit === 'all') return { kind: 'all' };
      if (unit) return { kind: 'unit', unitId: unit };
      return { kind: 'none' };
    },

    async canSeeApplication(application: ApplicationRow): Promise<boolean> {
      const scope = await this.applicationScope();
      if (scope.kind === 'all') return true;
      if (scope.kind === 'unit') return application.reviewingUnitId === scope.unitId || application.issuingUnitId === scope.unitId;
      if (scope.kind === 'enterprise') return application.enterpriseCreditCode === scope.creditCode;
      return false;
    },

    /** Notices: an enterprise its own, the items' units theirs, the command office all. */
    async noticeScope(): Promise<NoticeScope> {
      return this.applicationScope();
    },

    /**
     * Comments: the issuing unit and the command office all; everyone else only their own — the same
     * person (issuer, role, subject), and for an enterprise's comment, acting for that enterprise.
     */
    async canSeeComment(comment: CommentRow, policy: PolicyRow): Promise<boolean> {
      const author = isPerson(viewer, { issuer: comment.authorIssuer, role: comment.authorRole, subject: comment.authorSubject });
      if (author && (comment.authorEnterprise === null || comment.authorEnterprise === viewer.enterprise)) return true;
      const unit = await visibleUnit();
      return unit === 'all' || unit === policy.issuingUnitId;
    },

    /** A policy's history: the issuing unit and the command office. */
    async canSeePolicyHistory(policy: PolicyRow): Promise<boolean> {
      const unit = await visibleUnit();
      return unit === 'all' || unit === policy.issuingUnitId;
    },

    /** Who objected and how to reach them: the reviewing unit and the command office only. */
    async canSeeObjector(application: ApplicationRow): Promise<boolean> {
      const unit = await visibleUnit();
      return unit === 'all' || unit === application.reviewingUnitId;
    },

    async assertPolicy(action: PolicyAction, policy: PolicyRow, today: string): Promise<void> {
      assert(policyRules[action], await onPolicy(policy), {
        noun: POLICY_NOUN,
        rules: policyRules,
        standingNames,
        state: policyState(policy, today),
        stateNames: policyStateNames,
      });
    },

    async assertItem(action: ItemAction, item: ItemRow): Promise<void> {
      assert(itemRules[action], await onItem(item), {
        noun: ITEM_NOUN,
        state: item.status,
        stateNames: itemStateNames,
        rules: itemRules,
        standingNames,
      });
    },

    async assertApplication(action: ApplicationAction, application: ApplicationRow): Promise<void> {
      const found = await onApplication(application);
      assert(applicationRules[action], found, {
        noun: APPLICATION_NOUN,
        state: application.status,
        stateNames: applicationStateNames,
        rules: applicationRules,
        standingNames,
      });
      // Two reviewers cannot both decide: one in review is decided by its reviewer or a unit admin.
      if (
        REVIEW_DECISIONS.includes(action) &&
        application.status === 'UNDER_REVIEW' &&
        !isReviewer(application) &&
        !found.includes('REVIEWING_UNIT_ADMIN')
      ) {
        throw errors.forbidden({
          zh: '该申报正由另一位审核人审核，只有其本人或本单位管理员可以决定',
          en: 'Another reviewer has this application in review; only they or a unit admin decide it',
        });
      }
    },

    /** Whom the objection limits count: the person when signed in, else the caller's real address — hashed (platform/write-limits.ts). */
    objectorKey(): string {
      return writerKey(viewer, clientAddress);
    },

    /** Throws the coded refusal unless the caller may take `action` on the slice as a whole. */
    async assert(action: SliceAction): Promise<void> {
      assert(sliceRules[action], await base(), { noun: SLICE_NOUN, standingNames });
    },

    /** Whose records of a source the caller reads in its change feed (`feedSenderOf`). */
    feedSender: async () => feedSenderOf(viewer, await base()),

    /**
     * The unit a new policy (or news item) is issued by: a unit member's own unit — naming another
     * is refused — or, for the command office, the unit it names (its own when it names none).
     */
    async issuingUnitFor(named: string | null | undefined): Promise<string> {
      const unit = present(await activeUnit(), 'the active unit of a caller allowed to draft');
      if (viewer.role === Role.COMMAND_OFFICE) return named ?? unit.id;
      if (named && named !== unit.id)
        throw errors.forbidden({ zh: '单位只能以本单位名义起草政策', en: 'A unit drafts policies in its own name only' });
      return unit.id;
    },

    ...statsReaders(viewer, directory, visibleUnit),
  };
}

/** Who may read a unit's or a domain's figures and reviews, from the caller's visible unit ('all': the command office). */
function statsReaders(viewer: Viewer, directory: DirectorySource, visibleUnit: () => Promise<string | 'all' | null>) {
  return {
    /** A unit's figures: the command office, the unit itself, and its domain's lead unit. */
    async assertReadsUnitStats(unitId: string): Promise<void> {
      const unit = await visibleUnit();
      if (unit === 'all' || unit === unitId) return;
      if (unit) {
        const dir = await directory.current();
        const led = dir.domainLedBy(unit);
        if (led && dir.unitsOfDomain(led).some((u) => u.id === unitId)) return;
      }
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      throw errors.forbidden({ zh: '无权查看该单位的惠企政策统计与评价', en: "You may not read this unit's policy figures and reviews" });
    },

    /** A domain's figures: the command office and the domain's lead unit. */
    async assertReadsDomainStats(domainCode: string): Promise<void> {
      const unit = await visibleUnit();
      if (unit === 'all') return;
      if (unit && (await directory.current()).domainLedBy(unit) === domainCode) return;
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      throw errors.forbidden({
        zh: '只有市指挥部办公室和牵头单位可以查看领域统计',
        en: 'Only the command office and the lead unit may read domain figures',
      });
    },
  };
}

export type PoliciesAccess = ReturnType<typeof createPoliciesAccess>;
