/**
 * Who may do what in the issues slice — the one place that decides it, from the verified token and
 * the unit directory, never from anything the caller sends. The use cases ask; nothing else does.
 * The vocabulary of every access module: `can…` answers a boolean, `assert…` throws the coded
 * refusal (UNAUTHENTICATED, FORBIDDEN, INVALID_TRANSITION).
 *
 * Reading: the command office sees all. A unit's staff and admins see what their unit leads,
 * co-handles, accepted or reported; a lead unit also every issue of its domain's units; a district
 * or function zone (区内事区内办) also what the units below it (streets, towns) lead, and the items
 * waiting for intake in its district or registered at its windows. An enterprise sees the appeals it
 * submitted, an observer the reports it made; anonymous callers no issue (only published,
 * anonymised cases). A caller who names a unit or domain it may not read is refused (FORBIDDEN),
 * never answered with a silent zero.
 *
 * Acting: the rules table (rules.ts), asked with the caller's standings on the issue. Every request
 * that acts first confirms the caller's own unit fresh from the directory (an archived unit acts
 * for nobody, at once) and takes the directory snapshot it decides on — before any transaction, so
 * deciding never waits on the network.
 *
 * Fields: who reported is for the command office; how to reach the enterprise for the handling
 * units, the command office and the enterprise itself; an outside reporter's account is hidden
 * from units, an official's account and internal notes from enterprises and observers.
 */
import { isPerson, personOf, Role, samePerson, type Viewer } from '../../platform/auth.ts';
import type { Directory, DirectorySource, DirectoryUnit } from '../../platform/directory.ts';
import { errors } from '../../platform/errors.ts';
import { present } from '../../platform/invariant.ts';
import { managedOwnerOf, noticeOwnersOf } from '../../platform/notices.ts';
import type { NoticeOwner } from '../../platform/outbox.ts';
import { assert } from '../../platform/rules.ts';
import { baseStandingOf, whileActive } from '../../platform/standing.ts';
import {
  issueRules,
  loopRules,
  HALL_UNIT_KINDS,
  monitoringPointRules,
  noteAudiences,
  PLAN_UNIT_KINDS,
  planRecordRules,
  projectStatusNames,
  signedProjectRules,
  resolveFrom,
  standingNames,
  statusNames,
  type IssueAction,
  type IssueStanding,
  type LoopAction,
  type NoteAudience,
  type PlanRecordAction,
  type SignedProjectAction,
  type SignedProjectStatus,
} from './rules.ts';
import { reporterKey } from './notices.ts';
import type { EventRow, IssueRow, IssueScope, OutcomeScope } from './store.ts';

/** Channels a unit reports through itself; the rest reach the platform through the command office. */
export const UNIT_SOURCES = [
  'SELF_INSPECTION',
  'DIRECTOR_IN_HALL',
  'SIGNED_NOT_LANDED',
  'MONITORING_POINT',
  'RECEPTION_ROOM',
  'SURVEY',
  'UNIT_WINDOW',
];

const ISSUE_NOUN = { zh: '该问题', en: 'the issue' };
const LOOP_NOUN = { zh: '问题清单', en: 'the issue list' };
const OUTSIDERS: string[] = [Role.ENTERPRISE, Role.OBSERVER];

/** Who reported an issue, as a person. */
const reporterOf = (issue: IssueRow) => ({ issuer: issue.reporterIssuer, role: issue.reporterRole, subject: issue.reporterSubject });

export function canSee(scope: IssueScope, issue: IssueRow): boolean {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'unit': {
      const mine = (id: string | null) => id !== null && scope.unitIds.includes(id);
      if (mine(issue.responsibleUnitId) || mine(issue.reporterUnitId) || mine(issue.intakeUnitId)) return true;
      if (issue.coHandlerUnitIds.some((id) => scope.unitIds.includes(id))) return true;
      return issue.status === 'SUBMITTED' && isWaitingInArea(scope, issue);
    }
    case 'enterprise':
      return issue.reporterEnterprise === scope.creditCode;
    case 'observer':
      return issue.reporterRole === Role.OBSERVER && samePerson(scope.person, reporterOf(issue));
    default:
      return false;
  }
}

/** A submitted item in a district's own district, or registered at a window of the area. */
function isWaitingInArea(scope: Extract<IssueScope, { kind: 'unit' }>, issue: IssueRow): boolean {
  return (
    (scope.areaDistrict !== null && issue.districtCode === scope.areaDistrict) ||
    (issue.reporterUnitId !== null && scope.areaUnitIds.includes(issue.reporterUnitId))
  );
}

/** What issues the caller may read, from the token and its active unit in the directory. */
async function scopeOf(
  viewer: Viewer,
  activeUnit: () => Promise<DirectoryUnit | null>,
  dir: () => Promise<Directory>,
): Promise<IssueScope> {
  switch (viewer.role) {
    case Role.COMMAND_OFFICE:
      return (await activeUnit()) ? { kind: 'all' } : { kind: 'none' };
    case Role.UNIT_ADMIN:
    case Role.UNIT_STAFF: {
      const unit = await activeUnit();
      if (!unit) return { kind: 'none' };
      const d = await dir();
      const led = d.domainLedBy(unit.id);
      const below = d.descendants(unit.id).map((u) => u.id);
      const unitIds = [...new Set([unit.id, ...(led ? d.unitsOfDomain(led).map((u) => u.id) : []), ...below])];
      const area = d.isAreaUnit(unit.id);
      return {
        kind: 'unit',
        ownUnitId: unit.id,
        unitIds,
        areaUnitIds: area ? [unit.id, ...below] : [],
        areaDistrict: area && unit.kind === 'DISTRICT' ? unit.districtCode : null,
      };
    }
    case Role.ENTERPRISE:
      return { kind: 'enterprise', creditCode: present(viewer.enterprise, 'the credit code of an enterprise token') };
    case Role.OBSERVER:
      return { kind: 'observer', person: present(personOf(viewer), 'the person of an observer token') };
    default:
      return { kind: 'none' };
  }
}

/**
 * What a caller may see of an issue's fields: who reported it, how to reach the enterprise, the
 * internal records, the accounts and notes of its history.
 */
function fieldVisibility(viewer: Viewer, scope: () => Promise<IssueScope>, activeUnit: () => Promise<DirectoryUnit | null>) {
  /**
   * Whether an actor recorded in the history (or a rating) is the caller: the same role and subject.
   * Events keep no issuer; what this shows is the caller's own account.
   */
  const isOwn = (actor: { subject: string; role: string }) => isPerson(viewer, { issuer: null, role: actor.role, subject: actor.subject });
  const isOutsider = () => OUTSIDERS.includes(viewer.role);
  /**
   * An actor's account: always one's own, and for the command office everyone's. An outside
   * reporter's (enterprise, observer) is hidden from units; an official's from outsiders.
   */
  function canSeeSubject(actor: { subject: string; role: string }): boolean {
    if (isOwn(actor)) return true;
    if (viewer.role === Role.COMMAND_OFFICE) return true;
    if (OUTSIDERS.includes(actor.role)) return false;
    return !isOutsider();
  }

  return {
    /** Who reported an issue is for the command office only. */
    canSeeReporter: () => viewer.role === Role.COMMAND_OFFICE,

    /** How to reach the enterprise: the lead and co-handling units, the command office, the enterprise itself. */
    async canSeeContact(issue: IssueRow): Promise<boolean> {
      if (viewer.role === Role.COMMAND_OFFICE) return (await scope()).kind === 'all';
      if (viewer.role === Role.ENTERPRISE) return issue.reporterEnterprise === viewer.enterprise;
      const unit = await activeUnit();
      return Boolean(unit && (issue.responsibleUnitId === unit.id || issue.coHandlerUnitIds.includes(unit.id)));
    },

    /** Internal records (follow-ups, supervision outcomes) are for government only. */
    canSeeInternal: () => !isOutsider(),

    canSeeSubject,

    /** Who reported (a SUBMIT event's account and unit) shows to the command office and the reporter only. */
    canSeeEventUnit(event: EventRow): boolean {
      if (event.action !== 'SUBMIT') return true;
      return (
        viewer.role === Role.COMMAND_OFFICE ||
        (viewer.unitId !== null && viewer.unitId === event.actorUnitId) ||
        isOwn({ subject: event.actorSubject, role: event.actorRole })
      );
    },

    /** An event's account: as `canSeeSubject`, and a SUBMIT's only for the command office and the reporter. */
    canSeeEventSubject(event: EventRow): boolean {
      if (
        event.action === 'SUBMIT' &&
        viewer.role !== Role.COMMAND_OFFICE &&
        !isOwn({ subject: event.actorSubject, role: event.actorRole })
      )
        return false;
      return canSeeSubject({ subject: event.actorSubject, role: event.actorRole });
    },

    /** Internal notes never reach enterprises and observers. */
    canSeeNote(event: EventRow): boolean {
      if (!isOutsider()) return true;
      return noteAudienceOf(event) === 'ENTERPRISE';
    },
  };
}

/**
 * Who reports a new issue, as the issue records it: the person (a retry is the same person's:
 * issuer, role and subject), the unit a unit's official reports for, the enterprise's credit code.
 */
function newReporter(viewer: Viewer) {
  const person = present(personOf(viewer), 'the person of a caller allowed to report');
  return {
    reporterSubject: person.subject,
    reporterRole: person.role,
    reporterIssuer: person.issuer,
    reporterUnitId: OUTSIDERS.includes(viewer.role) ? null : viewer.unitId,
    reporterEnterprise: viewer.role === Role.ENTERPRISE ? viewer.enterprise : null,
  };
}

export type IssuesAccess = ReturnType<typeof createIssuesAccess>;

/**
 * Notices (issue #25 §3): whose inbox the caller reads — themselves, their active unit, their
 * enterprise — and whose notice settings or webhooks they keep: their unit's (its admin, or the
 * command office), a connected system's (the command office, by name), their enterprise's
 * settings. FORBIDDEN for anyone else; the caller's unit is confirmed fresh first.
 */
function noticeAccess(viewer: Viewer, directory: DirectorySource, activeUnit: () => Promise<DirectoryUnit | null>) {
  return {
    async noticeOwners(): Promise<NoticeOwner[]> {
      const owners = noticeOwnersOf(viewer, (await activeUnit())?.id ?? null);
      const me = personOf(viewer);
      // The notices of a report kept before issuers were recorded: its reporter's by role and subject (isPerson).
      if (me) owners.push({ kind: 'PERSON', id: reporterKey({ issuer: null, role: me.role, subject: me.subject }) });
      return owners;
    },
    async assertNoticeManager(system: string | null | undefined, purpose: 'settings' | 'webhooks'): Promise<NoticeOwner> {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const unit = viewer.unitId ? whileActive(await directory.unit(viewer.unitId, { fresh: true })) : null;
      const owner = managedOwnerOf(viewer, unit?.id ?? null, system, purpose);
      if (owner) return owner;
      throw errors.forbidden({
        zh: '只有单位管理员（或市指挥部办公室）可设置本单位的通知与 webhook，企业可设置本企业的短信接收',
        en: "Only a unit's admin (or the command office) keeps its unit's notices and webhooks; an enterprise its own SMS choice",
      });
    },
  };
}

/** The refusal of a read: UNAUTHENTICATED without a token, else FORBIDDEN with the reason. */
function refusalFor(viewer: Viewer) {
  return (zh: string, en: string): never => {
    if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
    throw errors.forbidden({ zh, en });
  };
}

/** Who files and reads the plan's duties (issue #26). */
function planDutyAccess(
  viewer: Viewer,
  of: {
    standings: () => Promise<(IssueStanding | 'ANONYMOUS')[]>;
    activeUnit: () => Promise<DirectoryUnit | null>;
    assertLoop: (action: LoopAction) => Promise<void>;
    readableUnits: () => Promise<string[] | null>;
    scope: () => Promise<IssueScope>;
  },
) {
  return {
    // The plan's people (#26 §5): the observer teams' reports.
    ...observerAccess(viewer, of),
    /** Filing a plan duty: the admin of an active unit the plan names, for its own unit. Returns that unit's id. */
    async assertFilePlanDuty(): Promise<string> {
      const found = await of.standings();
      const unit = await of.activeUnit();
      if (viewer.role === Role.UNIT_ADMIN && unit && PLAN_UNIT_KINDS.includes(unit.kind)) found.push('PLAN_UNIT_ADMIN');
      assert(loopRules.FILE_PLAN_DUTY, found, { noun: LOOP_NOUN, standingNames });
      return present(unit, 'the unit of a plan unit admin').id;
    },

    /** Whose plan-duty filings the caller reads: every unit (null), or the units of its scope. */
    async planDutyUnits(): Promise<string[] | null> {
      await of.assertLoop('READ_PLAN_DUTIES');
      return of.readableUnits();
    },
  };
}

/** Who reads the observer teams' reports (issue #26 §5), and as which observer a report is filed. */
function observerAccess(viewer: Viewer, of: { assertLoop: (action: LoopAction) => Promise<void>; scope: () => Promise<IssueScope> }) {
  return {
    /**
     * Whose team reports the caller reads (issue #26 §5): every member's (null) for the command
     * office, an observer only their own (issuer and subject); FORBIDDEN for anyone else.
     */
    async observerReportsOf(): Promise<{ issuer: string; subject: string } | null> {
      await of.assertLoop('READ_OBSERVER_REPORTS');
      if ((await of.scope()).kind === 'all') return null;
      const person = present(personOf(viewer), 'the person of an observer');
      return { issuer: person.issuer, subject: person.subject };
    },
    /** The observer a report is filed by, if the caller is one: the team member it may be recorded as. */
    observerPerson(): { issuer: string; subject: string } | null {
      const person = viewer.role === Role.OBSERVER ? personOf(viewer) : null;
      return person ? { issuer: person.issuer, subject: person.subject } : null;
    },
  };
}

/** Which leaders, hall days, projects and points the caller reads: all, or those of its units (and a district's projects). */
export type PlanRecordScope = { kind: 'all' } | { kind: 'units'; unitIds: string[]; districtCode: string | null };

/** Whether a project (its district and responsible unit) or another record (its unit) lies in the caller's scope. */
export function inPlanScope(scope: PlanRecordScope, record: { unitId: string; districtCode?: string | null }): boolean {
  if (scope.kind === 'all') return true;
  if (scope.unitIds.includes(record.unitId)) return true;
  return Boolean(record.districtCode && scope.districtCode === record.districtCode);
}

const PLAN_RECORD_NOUN = { zh: '专项行动记录', en: 'the campaign records' };
const PROJECT_NOUN = { zh: '该签约项目', en: 'the signed project' };
const POINT_NOUN = { zh: '该监测点', en: 'the monitoring point' };

/**
 * Who records and reads the plan's machinery beyond the loop (issue #26): a unit's leaders (the
 * command office, the unit's admin), 局长进大厅 (a lead or participating unit for itself, the command
 * office), signed projects (the project's district and responsible unit, the command office), and
 * monitoring points (designated by the command office, visited by the responsible unit).
 */
function planRecordAccess(
  viewer: Viewer,
  of: {
    standings: () => Promise<(IssueStanding | 'ANONYMOUS')[]>;
    activeUnit: () => Promise<DirectoryUnit | null>;
    readableUnits: () => Promise<string[] | null>;
  },
) {
  /** The caller's standings towards a record about `unitId` (and a project in `districtCode`). */
  async function towards(about: { unitId?: string | null; districtCode?: string | null; hall?: boolean }) {
    const found = await of.standings();
    const unit = await of.activeUnit();
    if (!unit) return found;
    if (about.unitId === unit.id && (!about.hall || HALL_UNIT_KINDS.includes(unit.kind))) {
      found.push('OWN_UNIT_MEMBER');
      if (viewer.role === Role.UNIT_ADMIN) found.push('OWN_UNIT_ADMIN');
    }
    if (about.districtCode && unit.kind === 'DISTRICT' && unit.districtCode === about.districtCode) found.push('PROJECT_DISTRICT');
    return found;
  }

  return {
    /** Throws the coded refusal unless the caller may take `action` about this unit (and district). */
    async assertPlanRecord(action: PlanRecordAction, about: { unitId?: string | null; districtCode?: string | null } = {}) {
      const hall = action === 'RECORD_HALL_VISIT';
      assert(planRecordRules[action], await towards({ ...about, hall }), { noun: PLAN_RECORD_NOUN, standingNames });
    },

    /** A change of a signed project: its district, its responsible unit or the command office, from the states the rule allows. */
    async assertProject(
      action: SignedProjectAction,
      project: { status: SignedProjectStatus; responsibleUnitId: string; districtCode: string },
    ) {
      const found = await towards({ unitId: project.responsibleUnitId, districtCode: project.districtCode });
      assert(signedProjectRules[action], found, {
        noun: PROJECT_NOUN,
        state: project.status,
        stateNames: projectStatusNames,
        rules: signedProjectRules,
        standingNames,
      });
    },

    /** A visit to a monitoring point: its responsible unit or the command office. */
    async assertMonitoringVisit(point: { responsibleUnitId: string }) {
      const found = await towards({ unitId: point.responsibleUnitId });
      assert(monitoringPointRules.RECORD_MONITORING_VISIT, found, { noun: POINT_NOUN, standingNames });
    },

    /** What the caller reads of these records: government only; the command office all, a unit its readable units, a district its projects. */
    async planRecordScope(): Promise<PlanRecordScope> {
      assert(planRecordRules.READ_PLAN_RECORDS, await of.standings(), { noun: PLAN_RECORD_NOUN, standingNames });
      const units = await of.readableUnits();
      if (units === null) return { kind: 'all' };
      const unit = await of.activeUnit();
      return { kind: 'units', unitIds: units, districtCode: unit?.kind === 'DISTRICT' ? unit.districtCode : null };
    },
  };
}

export function createIssuesAccess(viewer: Viewer, directory: DirectorySource) {
  let snapshot: Promise<Directory> | undefined;
  /** The directory this request decides on: taken once (again after prepareToAct), never inside a transaction. */
  const dir = () => (snapshot ??= directory.current());

  let unitPromise: Promise<DirectoryUnit | null> | undefined;
  /** The caller's own unit while it is active; null otherwise (an archived unit acts for nobody). */
  const activeUnit = () => (unitPromise ??= viewer.unitId ? directory.unit(viewer.unitId).then(whileActive) : Promise.resolve(null));

  let scopePromise: Promise<IssueScope> | undefined;
  const scope = () => (scopePromise ??= scopeOf(viewer, activeUnit, dir));

  /** Whether the caller's own unit is an area unit (district or zone) and the issue lies in its area. */
  async function inArea(unit: DirectoryUnit, issue: IssueRow): Promise<boolean> {
    const d = await dir();
    if (!d.isAreaUnit(unit.id)) return false;
    const within = (id: string | null) => id !== null && d.isWithin(id, unit.id);
    if (within(issue.responsibleUnitId) || within(issue.intakeUnitId)) return true;
    if (issue.status !== 'SUBMITTED') return false;
    return (unit.kind === 'DISTRICT' && issue.districtCode === unit.districtCode) || within(issue.reporterUnitId);
  }

  /** The caller's standings: towards the loop, and towards `issue` when given. */
  async function standings(issue?: IssueRow): Promise<(IssueStanding | 'ANONYMOUS')[]> {
    const base = await baseStandingOf(viewer, activeUnit);
    if (base === 'ENTERPRISE')
      return issue && issue.reporterEnterprise === viewer.enterprise ? ['ENTERPRISE', 'REPORTING_ENTERPRISE'] : ['ENTERPRISE'];
    if (base !== 'UNIT_MEMBER') return [base];
    const unit = present(await activeUnit(), 'the active unit of a unit member');
    const found: IssueStanding[] = ['UNIT_MEMBER'];
    if (!issue) return found;
    if (issue.responsibleUnitId === unit.id)
      found.push(viewer.role === Role.UNIT_ADMIN ? 'RESPONSIBLE_UNIT_ADMIN' : 'RESPONSIBLE_UNIT_STAFF');
    if (issue.coHandlerUnitIds.includes(unit.id)) found.push('CO_HANDLER');
    if (viewer.role === Role.UNIT_ADMIN && (await inArea(unit, issue))) found.push('AREA_ADMIN');
    return found;
  }

  /** The units whose issues, figures and supervision outcomes the caller may read; null for all. */
  async function readableUnits(): Promise<string[] | null> {
    const visible = await scope();
    if (visible.kind === 'all') return null;
    return visible.kind === 'unit' ? visible.unitIds : [];
  }

  const refuse = refusalFor(viewer);
  const isOutsider = () => OUTSIDERS.includes(viewer.role);

  /** Throws the coded refusal unless the caller may take `action`, which acts on no one issue. */
  async function assertLoop(action: LoopAction): Promise<void> {
    assert(loopRules[action], await standings(), { noun: LOOP_NOUN, standingNames });
  }

  return {
    scope,
    activeUnit,
    directory: dir,

    /**
     * Before a request acts, outside any transaction: the caller's own unit confirmed fresh (an
     * archived unit acts for nobody, at once), the units the request names looked up (one created a
     * moment ago is fetched by itself), and the directory snapshot taken that every later decision
     * of the request uses. Returns the named units (null for a unit that does not exist).
     */
    async prepareToAct(unitIds: readonly string[] = []): Promise<(DirectoryUnit | null)[]> {
      const named = await Promise.all(unitIds.map((id) => directory.unit(id)));
      const own = viewer.unitId ? await directory.unit(viewer.unitId, { fresh: true }) : null;
      unitPromise = Promise.resolve(whileActive(own));
      const taken = await directory.current();
      snapshot = Promise.resolve(taken);
      scopePromise = undefined;
      await scope();
      return named;
    },

    /** Throws UNAUTHENTICATED for a caller without a token: issues are for signed-in callers. */
    assertSignedIn(): void {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
    },

    /** Throws the coded refusal unless the caller may take `action` on `issue` now. */
    async assert(action: IssueAction, issue: IssueRow): Promise<void> {
      const found = await standings(issue);
      const from = action === 'RESOLVE' ? resolveFrom(issue.source) : undefined;
      assert(
        issueRules[action],
        found,
        { noun: ISSUE_NOUN, state: issue.status, stateNames: statusNames, rules: issueRules, standingNames },
        from,
      );
      if (action === 'REOPEN' && !found.includes('COMMAND_OFFICE') && issue.enterpriseReopenUsed) {
        throw errors.forbidden({
          zh: '企业只能申请重办一次，之后由市指挥部办公室决定',
          en: 'An enterprise may reopen once; after that the command office decides',
        });
      }
    },

    assertLoop,

    /**
     * Where the caller may send an issue (lead or co-handler): the command office anywhere; an area
     * admin (who is not also the command office) to its own unit and the units below it.
     */
    async assertDispatchTo(unitId: string, field: string): Promise<void> {
      if (viewer.role === Role.COMMAND_OFFICE) return;
      const unit = await activeUnit();
      if (unit && (await dir()).isWithin(unitId, unit.id)) return;
      throw errors.forbidden({
        zh: '区(市)、功能区只能派给本单位及下属单位（区内事区内办）；其他单位请报市指挥部办公室',
        en: `An area dispatches within its own units only (${field}); other units go through the command office`,
      });
    },

    ...noticeAccess(viewer, directory, activeUnit),

    /** Whether the caller is the enterprise that submitted the issue (its own rating reopens it). */
    isReporter: (issue: IssueRow) => viewer.role === Role.ENTERPRISE && issue.reporterEnterprise === viewer.enterprise,

    /** Whether the caller may replace a round's plan with a final date directly (the command office); the lead handler asks (requestReplan). */
    canReplanDirectly: () => viewer.role === Role.COMMAND_OFFICE,

    reporter: () => newReporter(viewer),

    /**
     * Whose records of a source system the caller reads in its change feed: the command office
     * every record (null); any other caller allowed to read feeds only the records it sent itself,
     * as the same person (issuer, role, subject) — the sending system's own token.
     */
    async feedSender(): Promise<{ issuer: string; role: string; subject: string } | null> {
      await assertLoop('READ_ISSUE_FEED');
      if ((await standings()).includes('COMMAND_OFFICE')) return null;
      return present(personOf(viewer), 'the person of a caller allowed to read a feed');
    },

    /**
     * What a report may say, by who reports it: a unit only for its own unit and through its own
     * channels, an observer only undercover findings, the command office anything — and only the
     * command office may give an original receipt time and the handling unit of an import.
     * Returns the unit a unit's report is proposed for.
     */
    async assertReport(input: {
      source: string;
      unitId?: string | null;
      receivedAt?: Date | null;
      handlingUnitId?: string | null;
    }): Promise<{ ownUnitId: string | null }> {
      await assertLoop('REPORT_ISSUE');
      let ownUnitId: string | null = null;
      if (viewer.role === Role.UNIT_ADMIN || viewer.role === Role.UNIT_STAFF) {
        ownUnitId = present(await activeUnit(), 'the active unit of a unit allowed to report').id;
        if (!UNIT_SOURCES.includes(input.source)) {
          throw errors.forbidden({
            zh: `单位不能以“${input.source}”渠道报告问题，请经市指挥部办公室`,
            en: `Units cannot report through ${input.source}; that channel goes through the command office`,
          });
        }
        if (input.unitId && input.unitId.toLowerCase() !== ownUnitId) {
          throw errors.forbidden({ zh: '单位只能报告本单位的问题', en: 'A unit reports problems of its own unit only' });
        }
      }
      if (viewer.role === Role.OBSERVER && input.source !== 'UNDERCOVER_VISIT') {
        throw errors.forbidden({
          zh: '观察员只能报告明察暗访发现的问题',
          en: 'Observers report undercover findings (UNDERCOVER_VISIT) only',
        });
      }
      if ((input.receivedAt || input.handlingUnitId) && viewer.role !== Role.COMMAND_OFFICE) {
        throw errors.forbidden({
          zh: '只有市指挥部办公室可以指定收到时间和原承办单位（导入其他平台记录）',
          en: 'Only the command office may give receivedAt and handlingUnitId, for imported records',
        });
      }
      return { ownUnitId };
    },

    ...planDutyAccess(viewer, { standings, activeUnit, assertLoop, readableUnits, scope }),
    ...planRecordAccess(viewer, { standings, activeUnit, readableUnits }),
    /** A unit's issues, figures, alerts and supervision outcomes: the command office, the unit, its lead unit, the units above it. */
    async assertReadsUnit(unitId: string): Promise<void> {
      const units = await readableUnits();
      if (units === null || units.includes(unitId)) return;
      refuse('无权查看该单位的问题、统计和督导结果', "You may not read this unit's issues, figures or supervision outcomes");
    },

    /** A domain's issues and figures: the command office and the domain's lead unit. */
    async assertReadsDomain(domainCode: string): Promise<void> {
      if ((await scope()).kind === 'all') return;
      const unit = await activeUnit();
      if (unit && (await dir()).domainLedBy(unit.id) === domainCode) return;
      refuse(
        '只有市指挥部办公室和牵头单位可以查看领域的问题和统计',
        "Only the command office and the lead unit may read a domain's issues and figures",
      );
    },

    /** The supervision outcomes the caller may read. */
    async outcomeScope(): Promise<OutcomeScope> {
      const units = await readableUnits();
      if (units === null) return { kind: 'all' };
      if (isOutsider() || viewer.role === 'ANONYMOUS') refuse('督导结果仅供政府内部查看', 'Supervision outcomes are for government only');
      return { kind: 'units', unitIds: units };
    },

    ...fieldVisibility(viewer, scope, activeUnit),
  };
}

/** The audience an event's note was written for (older events: their action's default). */
export function noteAudienceOf(event: EventRow): NoteAudience {
  if (event.noteAudience) return event.noteAudience;
  const audience = noteAudiences[event.action];
  // An enterprise's own words (its reopen reason) were for the enterprise; a choice not recorded was internal.
  if (audience === 'CHOSEN') return OUTSIDERS.includes(event.actorRole) ? 'ENTERPRISE' : 'INTERNAL';
  return audience ?? 'INTERNAL';
}
