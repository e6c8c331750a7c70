/**
 * Who may do what in the units slice — the one place that decides it, from the verified token and
 * the caller's own unit row, never from input:
 * - the organisation (campaign, domains, units, districts) is public, anonymous callers included;
 * - units are written by the command office; a district's or function zone's admin also creates,
 *   changes and archives the town- and village-level units below its own unit (街道、镇、村);
 * - enterprises are read by the command office, city-level units (they serve the whole city),
 *   district and function-zone units for their own district, and an enterprise for itself; they are
 *   written by the command office and 市市场监管局, the registry's owner.
 *
 * The vocabulary of every access module: `can…` answers a boolean, `assert…` throws the coded
 * refusal (UNAUTHENTICATED, FORBIDDEN, INVALID_TRANSITION). The base standings — and "a token of
 * an archived unit acts for nobody" — come from the kit (platform/standing.ts).
 */
import { Role, type Viewer } from '../../platform/auth.ts';
import { errors } from '../../platform/errors.ts';
import { present } from '../../platform/invariant.ts';
import { assert, can, type Subject } from '../../platform/rules.ts';
import { callerOf } from '../../platform/standing.ts';
import { ENTERPRISE_REGISTRY_OWNER_CODE } from '../../db/reference/organisation.ts';
import { rules, standingNames, unitStateNames, type UnitsAction, type UnitsStanding, type UnitState } from './rules.ts';
import type { EnterpriseView, UnitRow } from './store.ts';

/** Kinds of unit that keep the units below them (区内事区内办), and the levels they may create. */
const AREA_KINDS: readonly UnitRow['kind'][] = ['DISTRICT', 'FUNCTION_ZONE'];
const LOCAL_LEVELS: readonly UnitRow['level'][] = ['TOWN', 'VILLAGE'];

/** What a caller may see of the enterprise directory. */
export type EnterpriseScope =
  { kind: 'all' } | { kind: 'district'; districtCode: string } | { kind: 'self'; creditCode: string } | { kind: 'none' };

const UNIT_NOUN = { zh: '该单位', en: 'the unit' };
const DIRECTORY_NOUN = { zh: '单位目录', en: 'the directory' };

/** The caller's standings towards the directory and the registry, from the base standing and the active unit. */
function standingsOf(viewer: Viewer, base: UnitsStanding, unit: UnitRow | null): UnitsStanding[] {
  if (base !== 'UNIT_MEMBER') return [base];
  const own = present(unit, 'the active unit of a unit member');
  const standings: UnitsStanding[] = ['UNIT_MEMBER'];
  if (viewer.role === Role.UNIT_ADMIN && AREA_KINDS.includes(own.kind)) standings.push('AREA_ADMIN');
  if (own.code === ENTERPRISE_REGISTRY_OWNER_CODE) standings.push('REGISTRY_OWNER');
  // City bureaus serve the whole city; district and zone units (and any unit below the city) their district.
  if (own.level === 'CITY' && !AREA_KINDS.includes(own.kind)) standings.push('CITY_UNIT');
  else if (own.districtCode) standings.push('DISTRICT_UNIT');
  return standings;
}

/** What a refusal names: the unit in its state, or the directory as a whole. */
const subjectOf = (unit?: UnitRow): Subject<UnitState, UnitsStanding> =>
  unit
    ? { noun: UNIT_NOUN, state: unit.archivedAt ? 'ARCHIVED' : 'ACTIVE', stateNames: unitStateNames, rules, standingNames }
    : { noun: DIRECTORY_NOUN, standingNames };

/** The shape of a unit as a write would leave it. */
export interface UnitShape {
  kind: UnitRow['kind'];
  level: UnitRow['level'];
  domainCode?: string | null;
  districtCode?: string | null;
  parentId?: string | null;
}

function refuseArea(zh: string, en: string): never {
  throw errors.forbidden({
    zh: `区(市)、功能区只能管理本单位下属的街道、镇、村级单位：${zh}`,
    en: `An area keeps the town- and village-level units below it only: ${en}`,
  });
}

export type UnitsAccess = ReturnType<typeof createUnitsAccess>;

/**
 * The access module of one request. `loadUnit` reads a unit as committed (the caller's own, once);
 * `isBelow(ancestorId, id)`: whether `id` lies strictly below `ancestorId`. Both are asked before
 * a write's transaction, never inside it.
 */
export function createUnitsAccess(
  viewer: Viewer,
  loadUnit: (id: string) => Promise<UnitRow | null>,
  isBelow: (ancestorId: string, id: string) => Promise<boolean>,
) {
  const caller = callerOf(viewer, loadUnit);
  let found: Promise<UnitsStanding[]> | undefined;
  const standings = () =>
    (found ??= Promise.all([caller.standing(), caller.activeUnit()]).then(([base, unit]) => standingsOf(viewer, base, unit)));
  /** The unit of an area admin (who has one: the standing says it is active). */
  const ownUnit = async () => present(await caller.activeUnit(), 'the active unit of an area admin');

  return {
    standings,
    /** The caller's own unit while it is active. */
    activeUnit: () => caller.activeUnit(),

    /** Whether the caller may take `action` (on `unit`, in its state). */
    async can(action: UnitsAction, unit?: UnitRow): Promise<boolean> {
      return can(rules[action], await standings(), subjectOf(unit));
    },

    /** Throws the coded refusal unless the caller may take `action` (on `unit`, in its state). */
    async assert(action: UnitsAction, unit?: UnitRow): Promise<void> {
      assert(rules[action], await standings(), subjectOf(unit));
    },

    /**
     * Throws FORBIDDEN unless the caller keeps `existing` — may change or archive it: the command
     * office any unit, an area admin only a town- or village-level unit below its own unit.
     */
    async assertKeeps(existing: UnitRow): Promise<void> {
      if ((await standings()).includes('COMMAND_OFFICE')) return;
      const own = await ownUnit();
      if (!LOCAL_LEVELS.includes(existing.level) || !(await isBelow(own.id, existing.id)))
        refuseArea('该单位不在本单位之下', 'that unit is not below yours');
    },

    /**
     * Throws FORBIDDEN unless the caller may give a unit this shape: the command office any; an area
     * admin only a town- or village-level unit of kind OTHER under its own unit, in its own district,
     * outside any domain. Returns the shape with the area's district filled in.
     */
    async assertShape<T extends UnitShape>(shape: T): Promise<T> {
      if ((await standings()).includes('COMMAND_OFFICE')) return shape;
      const own = await ownUnit();
      if (!LOCAL_LEVELS.includes(shape.level)) refuseArea('层级须为 TOWN 或 VILLAGE', 'the level must be TOWN or VILLAGE');
      if (shape.kind !== 'OTHER') refuseArea('类别须为 OTHER', 'the kind must be OTHER');
      if (shape.domainCode) refuseArea('不能归属重点领域', 'it cannot belong to a domain');
      if (shape.districtCode && shape.districtCode !== own.districtCode) refuseArea('须在本区(市)内', 'it must lie in your district');
      if (!shape.parentId || (shape.parentId !== own.id && !(await isBelow(own.id, shape.parentId))))
        refuseArea('上级须为本单位或其下属单位', 'its parent must be your unit or one below it');
      return { ...shape, districtCode: own.districtCode };
    },

    /** The enterprises the caller may read; 'none' for a caller who may read none (never a refusal: `_entities` must not fail the plan). */
    async enterpriseScope(): Promise<EnterpriseScope> {
      const found = await standings();
      if (found.includes('COMMAND_OFFICE') || found.includes('REGISTRY_OWNER') || found.includes('CITY_UNIT')) return { kind: 'all' };
      if (found.includes('ENTERPRISE'))
        return { kind: 'self', creditCode: present(viewer.enterprise, 'the credit code of an enterprise token') };
      if (found.includes('DISTRICT_UNIT')) {
        const unit = await caller.activeUnit();
        if (unit?.districtCode) return { kind: 'district', districtCode: unit.districtCode };
      }
      return { kind: 'none' };
    },
  };
}

/** Whether a caller with `scope` may see the enterprise `row`. */
export function canSeeEnterprise(scope: EnterpriseScope, row: EnterpriseView): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'district') return row.districtCode === scope.districtCode;
  if (scope.kind === 'self') return row.creditCode === scope.creditCode;
  return false;
}
