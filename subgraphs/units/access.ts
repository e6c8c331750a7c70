/**
 * Who may do what in the units slice — the one place that decides it, from the verified token and
 * the caller's own unit row, never from input:
 * - the organisation (campaign, domains, units, districts) is public, anonymous callers included;
 * - units are written by the command office only;
 * - enterprises are read by the command office, city-level units (they serve the whole city),
 *   district and function-zone units for their own district, and an enterprise for itself; they are
 *   written by the command office and 市市场监管局, the registry's owner.
 */
import { Role, type Viewer } from '../../platform/auth.ts';
import { authorize } from '../../platform/rules.ts';
import { ENTERPRISE_REGISTRY_OWNER_CODE } from '../../db/reference/organisation.ts';
import { rules, unitStateNames, type UnitsAction, type UnitsStanding } from './rules.ts';
import type { EnterpriseRow, UnitRow } from './store.ts';

/** What a caller may see of the enterprise directory. */
export type EnterpriseScope =
  | { kind: 'all' }
  | { kind: 'district'; districtCode: string }
  | { kind: 'self'; creditCode: string }
  | { kind: 'none' };

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
  if (unit.code === ENTERPRISE_REGISTRY_OWNER_CODE) standings.push('REGISTRY_OWNER');
  // City bureaus serve the whole city; district and zone units (and any unit below the city) their district.
  if (unit.level === 'CITY' && unit.kind !== 'DISTRICT' && unit.kind !== 'FUNCTION_ZONE') standings.push('CITY_UNIT');
  else if (unit.districtCode) standings.push('DISTRICT_UNIT');
  return standings.length ? standings : ['SIGNED_IN'];
}

export function createUnitsAccess(viewer: Viewer, loadUnit: (id: string) => Promise<UnitRow | null>) {
  let standings: Promise<(UnitsStanding | 'ANONYMOUS')[]> | undefined;
  const viewerUnit = async () => (viewer.unitId ? loadUnit(viewer.unitId) : null);
  const current = () => (standings ??= viewerUnit().then((unit) => standingsOf(viewer, unit)));

  return {
    viewerUnit,

    /** Throws the coded refusal unless the caller may take `action` (on `unit`, in its state). */
    async authorize(action: UnitsAction, unit?: UnitRow): Promise<void> {
      authorize(rules[action], await current(), unit ? { noun: UNIT_NOUN, state: unit.archivedAt ? 'ARCHIVED' : 'ACTIVE', stateNames: unitStateNames } : { noun: DIRECTORY_NOUN });
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


export function canSeeEnterprise(scope: EnterpriseScope, row: EnterpriseRow): boolean {
  if (scope.kind === 'all') return true;
  if (scope.kind === 'district') return row.districtCode === scope.districtCode;
  if (scope.kind === 'self') return row.creditCode === scope.creditCode;
  return false;
}
