/**
 * Who may do what in the issues slice — the one place that decides it, from the verified token and
 * the unit directory, never from anything the caller sends. The service asks; nothing else does.
 *
 * Reading: the command office sees all; unit staff and admins see the issues their unit is
 * responsible for or reported, and a lead unit also every issue of its domain's units; an
 * enterprise sees the appeals it submitted; an observer the reports it made; anonymous callers no
 * issue (only published, anonymised cases). Acting: the rules table (rules.ts), asked with the
 * caller's standings on the issue.
 */
import { Role, type Viewer } from '../../platform/auth.ts';
import type { DirectorySource, DirectoryUnit } from '../../platform/directory.ts';
import { errors } from '../../platform/errors.ts';
import { authorize } from '../../platform/rules.ts';
import { issueRules, loopRules, resolveFrom, statusNames, type IssueAction, type IssueStanding, type LoopAction } from './rules.ts';
import type { EventRow, IssueRow, IssueScope } from './store.ts';


/** Channels a unit reports through itself; the rest reach the platform through the command office. */
export const UNIT_SOURCES = ['SELF_INSPECTION', 'DIRECTOR_IN_HALL', 'SIGNED_NOT_LANDED', 'MONITORING_POINT', 'RECEPTION_ROOM', 'SURVEY'];

const ISSUE_NOUN = { zh: '该问题', en: 'the issue' };
const LOOP_NOUN = { zh: '问题清单', en: 'the issue list' };

export function canSee(scope: IssueScope, issue: IssueRow): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'unit':
      return (issue.responsibleUnitId !== null && scope.unitIds.includes(issue.responsibleUnitId)) || issue.reporterUnitId === scope.ownUnitId;
    case 'enterprise':
      return issue.reporterEnterprise === scope.creditCode;
    case 'observer':
      return issue.reporterRole === Role.OBSERVER && issue.reporterSubject === scope.subject;
    default:
      return false;
  }
}

export function createIssuesAccess(viewer: Viewer, directory: DirectorySource) {
  let unitPromise: Promise<DirectoryUnit | null> | undefined;
  /** The caller's own unit while it is active; null otherwise (an archived unit acts for nobody). */
  const activeUnit = () =>
    (unitPromise ??= viewer.unitId ? directory.unit(viewer.unitId).then((unit) => (unit && !unit.archived ? unit : null)) : Promise.resolve(null));

  let scopePromise: Promise<IssueScope> | undefined;
  const scope = () =>
    (scopePromise ??= (async (): Promise<IssueScope> => {
      switch (viewer.role) {
        case Role.COMMAND_OFFICE:
          return (await activeUnit()) ? { kind: 'all' } : { kind: 'none' };
        case Role.UNIT_ADMIN:
        case Role.UNIT_STAFF: {
          const unit = await activeUnit();
          if (!unit) return { kind: 'none' };
          const dir = await directory.current();
          const led = dir.domainLedBy(unit.id);
          const unitIds = led ? [...new Set([unit.id, ...dir.unitsOfDomain(led).map((u) => u.id)])] : [unit.id];
          return { kind: 'unit', ownUnitId: unit.id, unitIds };
        }
        case Role.ENTERPRISE:
          return { kind: 'enterprise', creditCode: viewer.enterprise! };
        case Role.OBSERVER:
          return { kind: 'observer', subject: viewer.subject! };
        default:
          return { kind: 'none' };
      }
    })());

  /** The caller's standings: towards the loop, and towards `issue` when given. */
  async function standings(issue?: IssueRow): Promise<(IssueStanding | 'ANONYMOUS')[]> {
    switch (viewer.role) {
      case 'ANONYMOUS':
        return ['ANONYMOUS'];
      case Role.ENTERPRISE:
        return issue && issue.reporterEnterprise === viewer.enterprise ? ['ENTERPRISE', 'REPORTING_ENTERPRISE'] : ['ENTERPRISE'];
      case Role.OBSERVER:
        return ['OBSERVER'];
    }
    const unit = await activeUnit();
    if (!unit) return ['SIGNED_IN'];
    if (viewer.role === Role.COMMAND_OFFICE) return ['COMMAND_OFFICE'];
    const found: IssueStanding[] = ['UNIT_MEMBER'];
    if (issue && issue.responsibleUnitId === unit.id) found.push(viewer.role === Role.UNIT_ADMIN ? 'RESPONSIBLE_UNIT_ADMIN' : 'RESPONSIBLE_UNIT_STAFF');
    return found;
  }

  return {
    scope,
    activeUnit,

    /** May the caller take `action` on `issue` now? Throws the coded refusal if not. */
    async authorize(action: IssueAction, issue: IssueRow): Promise<void> {
      const found = await standings(issue);
      const from = action === 'RESOLVE' ? resolveFrom(issue.source) : undefined;
      authorize(issueRules[action], found, { noun: ISSUE_NOUN, state: issue.status, stateNames: statusNames }, from);
      if (action === 'REOPEN' && !found.includes('COMMAND_OFFICE') && issue.enterpriseReopenUsed) {
        throw errors.forbidden({ zh: '企业只能申请重办一次，之后由市指挥部办公室决定', en: 'An enterprise may reopen once; after that the command office decides' });
      }
    },

    async authorizeLoop(action: LoopAction): Promise<void> {
      authorize(loopRules[action], await standings(), { noun: LOOP_NOUN });
    },

    /** Whether the caller is the enterprise that submitted the issue (its own rating reopens it). */
    isReporter: (issue: IssueRow) => viewer.role === Role.ENTERPRISE && issue.reporterEnterprise === viewer.enterprise,

    /**
     * What a report may say, by who reports it: a unit only for its own unit and through its own
     * channels, an observer only undercover findings, the command office anything — and only the
     * command office may give an original receipt time (imports from other platforms).
     * Returns the unit a unit's report is proposed for.
     */
    async mayReport(input: { source: string; unitId?: string | null; receivedAt?: Date | null }): Promise<{ ownUnitId: string | null }> {
      await this.authorizeLoop('REPORT_ISSUE');
      let ownUnitId: string | null = null;
      if (viewer.role === Role.UNIT_ADMIN || viewer.role === Role.UNIT_STAFF) {
        ownUnitId = (await activeUnit())!.id;
        if (!UNIT_SOURCES.includes(input.source)) {
          throw errors.forbidden({ zh: `单位不能以“${input.source}”渠道报告问题，请经市指挥部办公室`, en: `Units cannot report through ${input.source}; that channel goes through the command office` });
        }
        if (input.unitId && input.unitId.toLowerCase() !== ownUnitId) {
          throw errors.forbidden({ zh: '单位只能报告本单位的问题', en: 'A unit reports problems of its own unit only' });
        }
      }
      if (viewer.role === Role.OBSERVER && input.source !== 'UNDERCOVER_VISIT') {
        throw errors.forbidden({ zh: '观察员只能报告明察暗访发现的问题', en: 'Observers report undercover findings (UNDERCOVER_VISIT) only' });
      }
      if (input.receivedAt && viewer.role !== Role.COMMAND_OFFICE) {
        throw errors.forbidden({ zh: '只有市指挥部办公室可以指定收到时间（导入其他平台记录）', en: 'Only the command office may give receivedAt, for imported records' });
      }
      return { ownUnitId };
    },

    /** A unit's figures: the command office, the unit itself, and its domain's lead unit. */
    async mayReadUnitStats(unitId: string): Promise<void> {
      const visible = await scope();
      if (visible.kind === 'all' || (visible.kind === 'unit' && visible.unitIds.includes(unitId))) return;
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      throw errors.forbidden({ zh: '无权查看该单位的问题统计', en: "You may not read this unit's statistics" });
    },

    /** A domain's figures: the command office and the domain's lead unit. */
    async mayReadDomainStats(domainCode: string): Promise<void> {
      if ((await scope()).kind === 'all') return;
      const unit = await activeUnit();
      if (unit && (await directory.current()).domainLedBy(unit.id) === domainCode) return;
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      throw errors.forbidden({ zh: '只有市指挥部办公室和牵头单位可以查看领域统计', en: 'Only the command office and the lead unit may read domain statistics' });
    },

    /** Who reported an issue is for the command office only. */
    seesReporter: () => viewer.role === Role.COMMAND_OFFICE,

    /** A SUBMIT event withholds the reporter's account from everyone but the command office and the reporter. */
    seesActor: (event: EventRow) => event.action !== 'SUBMIT' || viewer.role === Role.COMMAND_OFFICE || viewer.subject === event.actorSubject,
  };
}

