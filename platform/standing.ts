/**
 * The standings every slice starts from, worked out once for all of them from the verified token
 * and the unit it acts for. A slice's access module adds its own (a lead handler, an issuing unit,
 * a judge) on top; what is here it never writes again, and a new slice gets it by calling it:
 *
 * - no token: ANONYMOUS; an enterprise's token: ENTERPRISE; an observer's: OBSERVER;
 * - a token that acts for a unit (COMMAND_OFFICE, UNIT_ADMIN, UNIT_STAFF) stands for that unit only
 *   while the unit is active: the token of an archived (or unknown) unit acts for nobody and is
 *   merely SIGNED_IN, in every slice, at once;
 * - otherwise COMMAND_OFFICE for the command office's token, UNIT_MEMBER for a unit's admin or staff.
 */
import { Role, type Viewer } from './auth.ts';
import type { DirectorySource, DirectoryUnit } from './directory.ts';

export type BaseStanding = 'ANONYMOUS' | 'ENTERPRISE' | 'OBSERVER' | 'SIGNED_IN' | 'COMMAND_OFFICE' | 'UNIT_MEMBER';

/** How a refusal names the base standings that are somebody in particular (platform/rules.ts `standingNames`). */
export const baseStandingNames = {
  COMMAND_OFFICE: { zh: '市指挥部办公室', en: 'the command office' },
  UNIT_MEMBER: { zh: '各单位工作人员', en: 'unit staff' },
  ENTERPRISE: { zh: '企业', en: 'an enterprise' },
  OBSERVER: { zh: '观察员', en: 'an observer' },
} as const satisfies Partial<Record<BaseStanding, { zh: string; en: string }>>;

/** A unit as a slice knows it: from the directory (`archived`) or the units table (`archivedAt`). */
export type StandingUnit = { archived: boolean } | { archivedAt: Date | null };

export const isArchived = (unit: StandingUnit): boolean => ('archived' in unit ? unit.archived : unit.archivedAt !== null);

/** Whether the token's role acts for a unit (its standing then depends on that unit being active). */
export const actsForUnit = (viewer: Viewer): boolean =>
  viewer.role === Role.COMMAND_OFFICE || viewer.role === Role.UNIT_ADMIN || viewer.role === Role.UNIT_STAFF;

/** The caller's base standing, given the unit the token names (null: none, or unknown). */
export function baseStanding(viewer: Viewer, unit: StandingUnit | null | undefined): BaseStanding {
  switch (viewer.role) {
    case 'ANONYMOUS':
      return 'ANONYMOUS';
    case Role.ENTERPRISE:
      return 'ENTERPRISE';
    case Role.OBSERVER:
      return 'OBSERVER';
  }
  if (!unit || isArchived(unit)) return 'SIGNED_IN';
  return viewer.role === Role.COMMAND_OFFICE ? 'COMMAND_OFFICE' : 'UNIT_MEMBER';
}

/** The unit while it is active; null when it is archived or there is none. */
export const whileActive = <Unit extends StandingUnit>(unit: Unit | null | undefined): Unit | null =>
  unit && !isArchived(unit) ? unit : null;

/** As `baseStanding`, asking for the token's unit (`unitOf`) only when the role acts for one. */
export async function baseStandingOf(viewer: Viewer, unitOf: () => Promise<StandingUnit | null>): Promise<BaseStanding> {
  return baseStanding(viewer, actsForUnit(viewer) ? await unitOf() : null);
}

/** The caller, as an access module starts from: the base standing and the token's unit while it is active. */
export interface Caller<Unit> {
  viewer: Viewer;
  standing(): Promise<BaseStanding>;
  /** The unit the token acts for, while it is active; null for other roles and for an archived or unknown unit. */
  activeUnit(): Promise<Unit | null>;
}

/**
 * The caller of one request. `lookUp` finds a unit by id (the directory, or the units slice's own
 * table); it is asked at most once, and only for a role that acts for a unit — never inside a
 * transaction, so call `standing()` or `activeUnit()` before opening one.
 */
export function callerOf<Unit extends StandingUnit>(viewer: Viewer, lookUp: (id: string) => Promise<Unit | null>): Caller<Unit> {
  let unit: Promise<Unit | null> | undefined;
  const activeUnit = () =>
    (unit ??= actsForUnit(viewer) && viewer.unitId ? lookUp(viewer.unitId).then(whileActive) : Promise.resolve(null));
  return { viewer, activeUnit, standing: () => baseStandingOf(viewer, activeUnit) };
}

/**
 * The caller as any slice sees it through the organisation directory, the unit confirmed fresh
 * (archiving a unit takes effect at once): what a slice made from the recipe starts from.
 */
export function directoryCaller(viewer: Viewer, directory: DirectorySource): Caller<DirectoryUnit> {
  return callerOf(viewer, (id) => directory.unit(id, { fresh: true }));
}
