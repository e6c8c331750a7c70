/**
 * Who may do what in the evaluations slice — the one place that decides it, from the verified token
 * and the unit directory, never from anything the caller sends. The use cases ask; nothing else does.
 * Its vocabulary, as every slice's: `can…` answers a boolean, `assert…` throws the coded refusal
 * (UNAUTHENTICATED, FORBIDDEN, INVALID_TRANSITION); the base standings — and "a token of an archived
 * unit acts for nobody" — come from the kit (platform/standing.ts).
 *
 * Contests: published CITY and SYSTEM contests are public; before publication the organiser, the
 * command office, the judges and the entrant units see them; INTERNAL contests only the organiser
 * (the unit's admin), the unit's members and the command office. The ranking before publication
 * and the list of judges: the organiser and the command office.
 * Reviews and their figures: the reviewed unit, its domain's lead unit, the command office.
 * Acting: the rules tables (rules.ts), asked with the caller's standings on the thing.
 */
import { isPerson, personOf, Role, type Viewer } from '../../platform/auth.ts';
import type { Directory, DirectorySource, DirectoryUnit } from '../../platform/directory.ts';
import { errors } from '../../platform/errors.ts';
import { present } from '../../platform/invariant.ts';
import { managedOwnerOf, noticeOwnersOf } from '../../platform/notices.ts';
import type { NoticeOwner } from '../../platform/outbox.ts';
import { assert } from '../../platform/rules.ts';
import { baseStandingOf, whileActive } from '../../platform/standing.ts';
import { writerKey } from '../../platform/write-limits.ts';
import {
  appealRules,
  appealStateNames,
  evaluationRules,
  evaluationStateNames,
  milestoneStateNames,
  taskRules,
  type EvaluationAction,
  type EvaluationState,
  type MilestoneState,
  type TaskAction,
  contestRules,
  contestStateNames,
  readRules,
  reviewRules,
  reviewStateNames,
  standingNames,
  type AppealAction,
  type AppealState,
  type ContestAction,
  type EvaluationStanding,
  type ReviewAction,
  surveyRules,
  surveyStateNames,
  type SurveyState,
} from './rules.ts';
import type { ContestRow, ContestScope, EntryRow, JudgeRow, ReviewRow, ReviewScope, SurveyRow } from './store.ts';

const CONTEST_NOUN = { zh: '该擂台比武', en: 'the contest' };
const REVIEW_NOUN = { zh: '该评价', en: 'the review' };
const WORK_NOUN = { zh: '该单位的督导检查事项', en: 'the unit’s tasks and reports' };
const EVALUATION_NOUN = { zh: '该效果评估', en: 'the evaluation' };
const SURVEY_NOUN = { zh: '该问卷', en: 'the survey' };
/** An entered value's source as results frozen before issue #20 wrote it: the account, then the time. */
const ACCOUNT_NAMED = /^entered by (?!unit )[\s\S]*? at (\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z): /;

type ContestScopeFields = Pick<ContestRow, 'level' | 'domainCode' | 'unitId'>;

/** What the caller's standings on a contest depend on besides the contest: whether they judge it, which units entered. */
export interface ContestExtras {
  judge: boolean;
  entrantUnitIds: readonly string[];
}

/** How one request's caller stands, worked out from the token and the directory (each asked once per request). */
function callerStandings(viewer: Viewer, directory: DirectorySource) {
  let snapshot: Promise<Directory> | undefined;
  /**
   * The directory this request decides on: taken once (again by `prepare()`), so a decision inside
   * a transaction never fetches it — on the embedded database that fetch waits for the very
   * connection the transaction holds.
   */
  const dir = () => (snapshot ??= directory.current());
  let unitPromise: Promise<DirectoryUnit | null> | undefined;
  const lookUp = (fresh: boolean) => (viewer.unitId ? directory.unit(viewer.unitId, { fresh }).then(whileActive) : Promise.resolve(null));
  /** The caller's own unit while it is active; null otherwise (an archived unit acts for nobody). */
  const activeUnit = () => (unitPromise ??= lookUp(false));
  const isUnitRole = viewer.role === Role.UNIT_ADMIN || viewer.role === Role.UNIT_STAFF;

  async function base(): Promise<EvaluationStanding[]> {
    return [await baseStandingOf(viewer, activeUnit)];
  }

  /** The domain whose lead unit the caller belongs to, if any. */
  async function ledDomain(): Promise<string | null> {
    if (!isUnitRole) return null;
    const unit = await activeUnit();
    return unit ? (await dir()).domainLedBy(unit.id) : null;
  }

  /** Organiser and publisher standings for a contest's scope. */
  async function organiser(scope: ContestScopeFields): Promise<EvaluationStanding[]> {
    const found: EvaluationStanding[] = [];
    const unit = await activeUnit();
    if (!unit) return found;
    if (viewer.role === Role.COMMAND_OFFICE && scope.level !== 'INTERNAL') found.push('ORGANISER', 'PUBLISHER');
    if (viewer.role === Role.UNIT_ADMIN) {
      if (scope.level === 'SYSTEM' && scope.domainCode && (await ledDomain()) === scope.domainCode) found.push('ORGANISER');
      if (scope.level === 'INTERNAL' && scope.unitId === unit.id) found.push('ORGANISER', 'PUBLISHER');
    }
    return found;
  }

  async function onContest(contest: ContestRow, extra: ContestExtras): Promise<EvaluationStanding[]> {
    const found = [...(await base()), ...(await organiser(contest))];
    if (extra.judge) found.push('JUDGE');
    const unit = isUnitRole ? await activeUnit() : null;
    if (unit && extra.entrantUnitIds.includes(unit.id)) found.push('ENTRANT');
    if (unit && contest.level === 'INTERNAL' && contest.unitId === unit.id) found.push('CONTEST_UNIT_MEMBER');
    return found;
  }

  async function onReview(review: Pick<ReviewRow, 'unitId'>): Promise<EvaluationStanding[]> {
    const found = await base();
    if (!isUnitRole) return found;
    const unit = await activeUnit();
    if (!unit) return found;
    if (unit.id === review.unitId) found.push(viewer.role === Role.UNIT_ADMIN ? 'REVIEWED_UNIT_ADMIN' : 'REVIEWED_UNIT_STAFF');
    const d = await dir();
    const reviewed = d.unit(review.unitId);
    if (reviewed?.domainCode && d.domainLedBy(unit.id) === reviewed.domainCode) found.push('DOMAIN_LEAD');
    return found;
  }

  /** Standings towards a unit's own work (tasks, reports): its members, its domain's lead, the command office. */
  async function onUnit(unitId: string): Promise<EvaluationStanding[]> {
    const found = await base();
    if (!isUnitRole) return found;
    const unit = await activeUnit();
    if (!unit) return found;
    const admin = viewer.role === Role.UNIT_ADMIN;
    if (unit.id === unitId) found.push(admin ? 'OWN_UNIT_ADMIN' : 'OWN_UNIT_STAFF');
    const d = await dir();
    const target = d.unit(unitId);
    if (target?.domainCode && d.domainLedBy(unit.id) === target.domainCode)
      found.push('DOMAIN_LEAD', ...(admin ? (['DOMAIN_LEAD_ADMIN'] as const) : []));
    return found;
  }

  /** A unit member's own unit and, for a member of a domain's lead unit, the domain's units. */
  async function ownAndLedUnits(): Promise<string[]> {
    const unit = present(await activeUnit(), 'the active unit of a unit member');
    const domain = await ledDomain();
    const d = await dir();
    return [...new Set([unit.id, ...(domain ? d.unitsOfDomain(domain).map((u) => u.id) : [])])];
  }

  /**
   * Before a change: the caller's unit looked up fresh (an archived unit acts for nobody, at
   * once) and the directory in hand — so nothing is fetched over HTTP inside the transaction.
   */
  async function prepare(): Promise<void> {
    unitPromise = lookUp(true);
    snapshot = directory.current();
    await Promise.all([unitPromise, snapshot]);
  }

  return { dir, activeUnit, isUnitRole, base, ledDomain, organiser, onContest, onReview, onUnit, ownAndLedUnits, prepare };
}

const allowed = (standings: readonly EvaluationStanding[], who: readonly EvaluationStanding[]) => standings.some((s) => who.includes(s));

/** What a contest shows to whoever stands so towards it: nothing (null), the contest, and the ranking and judges too. */
interface ContestView {
  ranking: boolean;
  judges: boolean;
}

function contestViewOf(contest: ContestRow, standings: readonly EvaluationStanding[]): ContestView | null {
  const preview = allowed(standings, readRules.rankingPreview);
  if (contest.level === 'INTERNAL') {
    if (
      !allowed(standings, readRules.internalContest) &&
      !(contest.status !== 'PUBLISHED' && allowed(standings, readRules.contestBeforePublication))
    )
      return null;
    return { ranking: contest.status === 'PUBLISHED' || preview, judges: preview };
  }
  if (contest.status === 'PUBLISHED') return { ranking: true, judges: preview };
  if (!allowed(standings, readRules.contestBeforePublication)) return null;
  return { ranking: preview, judges: preview };
}

/**
 * Notices (issue #25 §3): whose inbox the caller reads — themselves, their active unit — and whose
 * notice settings or webhooks they keep: a unit's admin (and the command office) their unit's, the
 * command office a connected system's by name; FORBIDDEN for anyone else (an enterprise hears
 * nothing from this slice). The unit is confirmed fresh.
 */
function noticeAccess(viewer: Viewer, directory: DirectorySource, activeUnit: () => Promise<DirectoryUnit | null>) {
  return {
    async noticeOwners(): Promise<NoticeOwner[]> {
      const owners = noticeOwnersOf(viewer, (await activeUnit())?.id ?? null);
      return owners.filter((owner) => owner.kind === 'PERSON' || owner.kind === 'UNIT');
    },
    async assertNoticeManager(system: string | null | undefined, purpose: 'settings' | 'webhooks'): Promise<NoticeOwner> {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
      const unit = viewer.unitId ? whileActive(await directory.unit(viewer.unitId, { fresh: true })) : null;
      const owner = managedOwnerOf(viewer, unit?.id ?? null, system, purpose);
      if (owner && (owner.kind === 'UNIT' || owner.kind === 'SYSTEM')) return owner;
      throw errors.forbidden({
        zh: '只有单位管理员（或市指挥部办公室）可设置本单位的通知与 webhook',
        en: "Only a unit's admin (or the command office) keeps its unit's notices and webhooks",
      });
    },
  };
}

export function createEvaluationsAccess(viewer: Viewer, directory: DirectorySource, clientAddress: string | undefined) {
  const { activeUnit, isUnitRole, base, ledDomain, organiser, onContest, onReview, onUnit, ownAndLedUnits, prepare } = callerStandings(
    viewer,
    directory,
  );

  return {
    viewer,
    prepare,
    ...noticeAccess(viewer, directory, activeUnit),

    /** The caller among a contest's judges: the same issuer, role and subject (JUDGE standing), if any. */
    judgeAmong(judges: readonly JudgeRow[]): JudgeRow | undefined {
      return judges.find((judge) => isPerson(viewer, judge));
    },

    /** The caller's extras on a contest with these judges and entries. */
    extrasOf(judges: readonly JudgeRow[], entries: readonly Pick<EntryRow, 'unitId'>[]): ContestExtras {
      return {
        judge: judges.some((judge) => isPerson(viewer, judge)),
        entrantUnitIds: entries.map((entry) => entry.unitId).filter((id): id is string => id !== null),
      };
    },

    /** Before creating a contest: the caller must organise contests of this scope. */
    async assertCreateContest(scope: ContestScopeFields): Promise<void> {
      assert(contestRules.createContest, [...(await base()), ...(await organiser(scope))], { noun: CONTEST_NOUN, standingNames });
    },

    async assertContest(action: ContestAction, contest: ContestRow, extra: ContestExtras): Promise<void> {
      assert(contestRules[action], await onContest(contest, extra), {
        noun: CONTEST_NOUN,
        rules: contestRules,
        standingNames,
        state: contest.status,
        stateNames: contestStateNames,
      });
    },

    /** What the caller may see of a contest: nothing (null), the contest, and the ranking/judges too. */
    async contestView(contest: ContestRow, extra: ContestExtras): Promise<ContestView | null> {
      return contestViewOf(contest, await onContest(contest, extra));
    },

    /** Which contests the caller's lists include besides the published public ones. */
    async contestScope(): Promise<ContestScope> {
      const standings = await base();
      if (standings.includes('COMMAND_OFFICE')) return { all: true, unitId: null, ledDomain: null, person: personOf(viewer) };
      const unit = isUnitRole ? await activeUnit() : null;
      return {
        all: false,
        unitId: unit?.id ?? null,
        ledDomain: viewer.role === Role.UNIT_ADMIN || viewer.role === Role.UNIT_STAFF ? await ledDomain() : null,
        person: personOf(viewer),
      };
    },

    /** Submitting a review: never of the caller's own unit. */
    async assertSubmitReview(unitId: string): Promise<void> {
      const standings = (await base()).filter((s) => s !== 'UNIT_MEMBER' || !(isUnitRole && viewer.unitId === unitId));
      if (!standings.length) throw errors.forbidden({ zh: '不能评价本单位', en: 'You may not review your own unit' });
      assert(reviewRules.submitServiceReview, standings, { noun: REVIEW_NOUN, standingNames });
    },

    async assertReview(action: ReviewAction, review: ReviewRow): Promise<void> {
      assert(reviewRules[action], await onReview(review), {
        noun: REVIEW_NOUN,
        state: review.status,
        stateNames: reviewStateNames,
        rules: reviewRules,
        standingNames,
      });
    },

    async assertAppeal(action: AppealAction, review: ReviewRow, state: AppealState): Promise<void> {
      assert(appealRules[action], await onReview(review), {
        noun: REVIEW_NOUN,
        state,
        stateNames: appealStateNames,
        rules: appealRules,
        standingNames,
      });
    },

    async canReadReview(review: Pick<ReviewRow, 'unitId'>): Promise<boolean> {
      return allowed(await onReview(review), readRules.reviews);
    },

    /** The units whose reviews the caller's lists include. */
    async reviewScope(): Promise<ReviewScope> {
      const standings = await base();
      if (standings.includes('COMMAND_OFFICE')) return { all: true };
      if (!standings.includes('UNIT_MEMBER')) {
        if (standings.includes('ANONYMOUS')) throw errors.unauthenticated();
        throw errors.forbidden({ zh: '无权查看好差评列表', en: 'You may not list service reviews' });
      }
      return { all: false, unitIds: await ownAndLedUnits() };
    },

    /** The figures of a unit: FORBIDDEN rather than a silent zero for those who may not read them. */
    async assertReadUnitFigures(unitId: string): Promise<void> {
      const standings = await onReview({ unitId });
      if (allowed(standings, readRules.reviews)) return;
      if (standings.includes('ANONYMOUS')) throw errors.unauthenticated();
      throw errors.forbidden({ zh: '无权查看该单位的好差评统计', en: 'You may not read this unit’s service-review figures' });
    },

    async assertUnitWork(action: TaskAction, unitId: string, state?: MilestoneState): Promise<void> {
      assert(taskRules[action], await onUnit(unitId), {
        noun: WORK_NOUN,
        state,
        stateNames: milestoneStateNames,
        rules: taskRules,
        standingNames,
      });
    },

    async canReadUnitWork(unitId: string): Promise<boolean> {
      return allowed(await onUnit(unitId), readRules.unitWork);
    },

    /** Figures of a unit's work: FORBIDDEN rather than a silent null for those who may not read them. */
    async assertReadUnitWork(unitId: string): Promise<void> {
      const standings = await onUnit(unitId);
      if (allowed(standings, readRules.unitWork)) return;
      if (standings.includes('ANONYMOUS')) throw errors.unauthenticated();
      throw errors.forbidden({ zh: '无权查看该单位的督导检查情况', en: 'You may not read this unit’s tasks and reports' });
    },

    /** The units whose tasks and reports a caller's lists include (null: all). */
    async workScope(): Promise<string[] | null> {
      const standings = await base();
      if (standings.includes('COMMAND_OFFICE')) return null;
      if (!standings.includes('UNIT_MEMBER')) {
        if (standings.includes('ANONYMOUS')) throw errors.unauthenticated();
        throw errors.forbidden({ zh: '无权查看攻坚事项', en: 'You may not list tasks' });
      }
      return ownAndLedUnits();
    },

    async assertEvaluation(action: EvaluationAction, state: EvaluationState): Promise<void> {
      assert(evaluationRules[action], await base(), {
        noun: EVALUATION_NOUN,
        state,
        stateNames: evaluationStateNames,
        rules: evaluationRules,
        standingNames,
      });
    },

    /** The board, its files and their download links (rules.ts `readRules.board`). */
    async assertReadBoard(): Promise<void> {
      const standings = await base();
      if (allowed(standings, readRules.board)) return;
      if (standings.includes('ANONYMOUS')) throw errors.unauthenticated();
      throw errors.forbidden({ zh: '只有市指挥部办公室可以查看和导出看板', en: 'Only the command office sees and exports the board' });
    },

    async canReadEvaluationDraft(): Promise<boolean> {
      return allowed(await base(), readRules.evaluationDraft);
    },

    /**
     * How a published result's inputs read to the caller. An entered value names the unit that
     * entered it, never the official's account (the account stays in indicator_values). Results
     * frozen before that named the account ("entered by <sub> at …"): the command office reads them
     * as frozen; everyone else reads the command office there — the only standing that may enter
     * values (rules.ts).
     */
    async inputSources(): Promise<<T extends { source: string }>(inputs: T[]) => T[]> {
      if (allowed(await base(), readRules.enteredBy)) return (inputs) => inputs;
      return (inputs) =>
        inputs.map((input) => ({ ...input, source: input.source.replace(ACCOUNT_NAMED, 'entered by the command office at $1: ') }));
    },

    /**
     * For a row the caller may not see (or that does not exist): a caller who is nobody in
     * particular is asked to sign in first; anyone else then gets NOT_FOUND, learning nothing.
     */
    assertSignedIn(): void {
      if (viewer.role === 'ANONYMOUS') throw errors.unauthenticated();
    },

    /** Whom the abuse limits count (a review's, a survey answer's): the person when signed in, else the caller's address — hashed (platform/write-limits.ts). */
    reviewerKey(): string {
      return writerKey(viewer, clientAddress);
    },

    reviewerKind(): ReviewRow['reviewerKind'] {
      return viewer.role === 'ANONYMOUS' ? 'PUBLIC' : viewer.role === Role.ENTERPRISE ? 'ENTERPRISE' : 'SIGNED_IN';
    },

    async callerUnitId(): Promise<string | null> {
      return (await activeUnit())?.id ?? null;
    },

    ...surveyAccess(base, activeUnit, isUnitRole),
  };
}

/** 问卷调查 (issue #26 §6): who publishes, answers and reads surveys (rules.ts `surveyRules`, `readRules`). */
function surveyAccess(base: () => Promise<EvaluationStanding[]>, activeUnit: () => Promise<DirectoryUnit | null>, isUnitRole: boolean) {
  /** The base standings, and SURVEYED_UNIT for a member of the unit the survey is about — who then is no UNIT_MEMBER answering it. */
  async function onSurvey(survey: Pick<SurveyRow, 'unitId'>): Promise<EvaluationStanding[]> {
    const found = await base();
    const unit = isUnitRole ? await activeUnit() : null;
    if (unit && survey.unitId === unit.id) return [...found.filter((s) => s !== 'UNIT_MEMBER'), 'SURVEYED_UNIT'];
    return found;
  }
  const refuseRead = (standings: readonly EvaluationStanding[], message: { zh: string; en: string }): never => {
    if (standings.includes('ANONYMOUS')) throw errors.unauthenticated();
    throw errors.forbidden(message);
  };
  return {
    async assertPublishSurvey(): Promise<void> {
      assert(surveyRules.publishSurvey, await base(), { noun: SURVEY_NOUN, standingNames });
    },
    async assertAnswerSurvey(survey: SurveyRow, state: SurveyState): Promise<void> {
      const standings = await onSurvey(survey);
      if (standings.includes('SURVEYED_UNIT'))
        throw errors.forbidden({
          zh: '所调查单位的人员不能填写关于本单位的问卷',
          en: 'The surveyed unit’s own staff may not answer its survey',
        });
      const rule = survey.audience === 'ENTERPRISES' ? surveyRules.answerEnterpriseSurvey : surveyRules.answerPublicSurvey;
      assert(rule, standings, { noun: SURVEY_NOUN, state, stateNames: surveyStateNames, rules: surveyRules, standingNames });
    },
    /** A survey: the command office and the surveyed unit; while open, its audience (an enterprises' one: enterprises; a public one: everyone). */
    async canReadSurvey(survey: SurveyRow, state: SurveyState): Promise<boolean> {
      const standings = await onSurvey(survey);
      if (allowed(standings, readRules.surveyResults)) return true;
      if (state !== 'OPEN') return false;
      return survey.audience === 'PUBLIC' || standings.includes('ENTERPRISE');
    },
    async canReadSurveyResults(survey: SurveyRow): Promise<boolean> {
      return allowed(await onSurvey(survey), readRules.surveyResults);
    },
    /** The list of surveys and their text answers: the command office only. */
    async assertReadSurveys(): Promise<void> {
      const standings = await base();
      if (!allowed(standings, readRules.surveys))
        refuseRead(standings, {
          zh: '只有市指挥部办公室可以查看问卷列表和文字答案',
          en: 'Only the command office lists surveys and their text answers',
        });
    },
  };
}

export type EvaluationsAccess = ReturnType<typeof createEvaluationsAccess>;
