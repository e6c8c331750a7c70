/**
 * Who may do what in the units slice — the one place that decides it, from the verified token and
 * the caller's own unit row, never from input:
 * - the organisation (campaign, domains, units, districts) is public, anonymous callers included;
 * - units are written by the command office; a district's or function zone's admin also creates,
 *   changes and archives the town- and village-level units below its own unit (街道、镇、村);
 * - enterprises are read by the command office, city-level units (they serve the whole city),
 *   district and function-zone units for their own district, and an enterprise for itself; they are
 *   written by the command office and 市市场监管局, the registry's owner.
 */
import { Role, type Viewer } from '../../platform/auth.ts';
import { authorize } from '../../platform/rules.ts';
import { ENTERPRISE_REGISTRY_OWNER_CODE } from '../../db/reference/organisation.ts';
import { errors } from '../../platform/errors.ts';
import { rules, standingNames, unitStateNames, type UnitsAction, type UnitsStanding } from './rules.ts';
import type { EnterpriseView, UnitRow } from './store.ts';

/** Kinds of unit that keep the units below them (区内事区内办), and the levels they may create. */
const AREA_KINDS: string[] = ['DISTRICT', 'FUNCTION_ZONE'];
const LOCAL_LEVELS: string[] = ['TOWN', 'VILLAGE'];

/** What a caller may see of the enterprise directory. */
export type EnterpriseScope =
  { kind: 'all' } | { kind: 'district'; districtCode: string } | { kind: 'self'; creditCode: string } | { kind: 'none' };

const UNIT_NOUN = { zh: '该单位', en: 'the unit' };
const DIRECTORY_NOUN = { zh: '单位目录', en: 'the directory' };

function standingsOf(viewer: Viewer, unit: UnitRow | null): (UnitsStanding | 'ANONYMOUS')[] {
  switch (viewer.role) {
    case 'ANONYMOUS':
      return ['ANONYMOUS'];
    case Role.ENTERPRISE:
      return ['ENTERPRISE'];
    case Role.OBSERVER:
      return ['OBSERVER'];
  }
  // Every other role acts for its unit, and only while that unit is active.
  if (!unit || unit.archivedAt) return ['SIGNED_IN'];
  if (viewer.role === Role.COMMAND_OFFICE) return ['COMMAND_OFFICE'];
  const standings: UnitsStanding[] = [];
  if (viewer.role === Role.UNIT_ADMIN && AREA_KINDS.includes(unit.kind)) standings.push('AREA_ADMIN');
  if (unit.code === ENTERPRISE_REGISTRY_OWNER_CODE) standings.push('REGISTRY_OWNER');
  // City bureaus serve the whole city; district and zone units (and any unit below the city) their district.
  if (unit.level === 'CITY' && unit.kind !== 'DISTRICT' && unit.kind !== 'FUNCTION_ZONE') standings.push('CITY_UNIT');
  else if (unit.districtCode) standings.push('DISTRICT_UNIT');
  return standings.length ? standings : ['SIGNED_IN'];
}

/** The shape of a unit as a write would leave it. */
export interface UnitShape {
  kind: string;
  level: string;
  domainCode?: string | null;
  districtCode?: string | null;
  parentId?: string | null;
}

export function createUnitsAccess(
  viewer: Viewer,
  loadUnit: (id: string) => Promise<UnitRow | null>,
  /** Whether `id` lies strictly below `ancestorId` (committed data; never asked inside a transaction). */
  isBelow: (ancestorId: string, id: string) => Promise<boolean>,
) {
  let standings: Promise<(UnitsStanding | 'ANONYMOUS')[]> | undefined;
  const viewerUnit = async () => (viewer.unitId ? loadUnit(viewer.unitId) : null);
  const current = () => (standings ??= viewerUnit().then((unit) => standingsOf(viewer, unit)));

  return {
    viewerUnit,

    /** Throws the coded refusal unless the caller may take `action` (on `unit`, in its state). */
    async authorize(action: UnitsAction, unit?: UnitRow): Promise<void> {
      authorize(
        rules[action],
        await current(),
        unit
          ? { noun: UNIT_NOUN, state: unit.archivedAt ? 'ARCHIVED' : 'ACTIVE', stateNames: unitStateNames, rules, standingNames }
          : { noun: DIRECTORY_NOUN, standingNames },
      );
    },

    /**
     * Whether the caller may give a unit this shape (create, or change `existing`). The command
     * office may give any; an area admin only a town- or village-level unit under its own unit, in
     * its own district, outside any domain — and change or archive only such units below it.
     * Returns the shape with the area's district filled in. Asked before the write's transaction.
     */
    async mayShapeUnit<T extends UnitShape>(shape: T | null, existing?: UnitRow): Promise<T | null> {
      const found = await current();
      if (found.includes('COMMAND_OFFICE')) return shape;
      const own = (await viewerUnit())!;
      const refuse = (zh: string, en: string): never => {
        throw errors.forbidden({
          zh: `区(市)、功能区只能管理本单位下属的街道、镇、村级单位：${zh}`,
          en: `An area keeps the town- and village-level units below it only: ${en}`,
        });
      };
      if (existing && (!LOCAL_LEVELS.includes(existing.level) || !(await isBelow(own.id, existing.id))))
        refuse('该单位不在本单位之下', 'that unit is not below yours');
      if (!shape) return shape;
      if (!LOCAL_LEVELS.includes(shape.level)) refuse('层级须为 TOWN 或 VILLAGE', 'the level must be TOWN or VILLAGE');
      if (shape.kind !== 'OTHER') refuse('类别须为 OTHER', 'the kind must be OTHER');
      if (shape.domainCode) refuse('不能归属重点领域', 'it cannot belong to a domain');
      if (shape.districtCode && shape.districtCode !== own.districtCode) refuse('须在本区(市)内', 'it must lie in your district');
      if (!shape.parentId || (shape.parentId !== own.id && !(await isBelow(own.id, shape.parentId))))
        refuse('上级须为本单位或其下属单位', 'its parent must be your unit or one below it');
      return { ...shape, districtCode: own.districtCode };
    },

    /** The enterprises the caller may read; refuses callers who may read none. */
    async enterpriseScope(): Promise<EnterpriseScope> {
      await this.authorize('READ_ENTERPRISES');
      return this.enterpriseScopeOrNone();
    },

    /** As `enterpriseScope`, but 'none' instead of a refusal (for `_entities`, which must not fail the plan). */
    async enterpriseScopeOrNone(): Promise<EnterpriseScope> {
      const found = await current();
      if (found.includes('COMMAND_OFFICE') || found.includes('REGISTRY_OWNER') || found.includes('CITY_UNIT')) return { kind: 'all' };
      if (found.includes('ENTERPRISE')) return { kind: 'self', creditCode: viewer.enterprise! };
      if (found.includes('DISTRICT_UNIT')) {
        const unit = await viewerUnit();
        if (unit?.districtCode) return { kind: 'district', districtCode: unit.districtCode };
      }
      return { kind: 'none' };
    },
  };
}

export function canSeeEnterprise(scope: EnterpriseScope, row: EnterpriseView): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'district') return row.districtCode === scope.districtCode;
  if (scope.kind === 'self') return row.creditCode === scope.creditCode;
  return false;
}
