/**
 * The units slice's rules: every action, who may take it, and from which state of a unit. The
 * access module works out the caller's standings; the use cases ask it before they read or write.
 */
import type { Bilingual } from '../../platform/errors.ts';
import type { Rule } from '../../platform/rules.ts';
import { baseStandingNames, type BaseStanding } from '../../platform/standing.ts';

/**
 * How a caller stands to the unit directory and the market-entity registry: the kit's base
 * standings (platform/standing.ts: ANONYMOUS, ENTERPRISE, OBSERVER, COMMAND_OFFICE, UNIT_MEMBER,
 * and SIGNED_IN for a token of an archived unit), and the slice's own.
 */
export type UnitsStanding =
  | BaseStanding
  /** staff or admin of the (active) unit that keeps the market-entity registry: 市市场监管局 */
  | 'REGISTRY_OWNER'
  /** the admin of an active district or function zone: keeps the town- and village-level units below it */
  | 'AREA_ADMIN'
  /** staff or admin of an active city-level unit, which serves the whole city */
  | 'CITY_UNIT'
  /** staff or admin of an active district or function-zone unit, which serves its district */
  | 'DISTRICT_UNIT';

/** A unit's state, from its row: `archivedAt` set or not. */
export type UnitState = 'ACTIVE' | 'ARCHIVED';

/** Who each standing is, as a refusal names those who may (platform/rules.ts); standings that name nobody in particular are left out. */
export const standingNames: Partial<Record<UnitsStanding, Bilingual>> = {
  ...baseStandingNames,
  REGISTRY_OWNER: { zh: '市市场监管局', en: 'the Market Regulation Bureau' },
  AREA_ADMIN: { zh: '区（市）、功能区的单位管理员', en: 'the admin of a district or function zone' },
  CITY_UNIT: { zh: '市级单位', en: 'a city-level unit' },
  DISTRICT_UNIT: { zh: '区（市）级单位', en: 'a district-level unit' },
};

export const unitStateNames: Record<UnitState, string> = { ACTIVE: '在用', ARCHIVED: '已归档' };

export type UnitsAction =
  'CREATE_UNIT' | 'UPDATE_UNIT' | 'ARCHIVE_UNIT' | 'READ_UNIT_CHANGES' | 'READ_ENTERPRISES' | 'WRITE_ENTERPRISE' | 'IMPORT_ENTERPRISES';

export const rules: Record<UnitsAction, Rule<UnitState, UnitsStanding>> = {
  // An area admin only under its own unit, and only town- and village-level units (access.ts: assertShape, assertKeeps).
  CREATE_UNIT: { name: { zh: '新增单位', en: 'add a unit to the directory' }, who: ['COMMAND_OFFICE', 'AREA_ADMIN'] },
  UPDATE_UNIT: { name: { zh: '修改单位', en: 'change a unit' }, who: ['COMMAND_OFFICE', 'AREA_ADMIN'], from: ['ACTIVE'] },
  ARCHIVE_UNIT: { name: { zh: '归档单位', en: 'archive a unit' }, who: ['COMMAND_OFFICE', 'AREA_ADMIN'], from: ['ACTIVE'], to: 'ARCHIVED' },
  READ_UNIT_CHANGES: { name: { zh: '查看单位变更记录', en: "read a unit's change history" }, who: ['COMMAND_OFFICE'] },
  READ_ENTERPRISES: {
    name: { zh: '查看市场主体信息', en: 'read the market-entity directory' },
    who: ['COMMAND_OFFICE', 'REGISTRY_OWNER', 'CITY_UNIT', 'DISTRICT_UNIT', 'ENTERPRISE'],
  },
  WRITE_ENTERPRISE: {
    name: {
      zh: '登记市场主体（仅市指挥部办公室和市市场监管局）',
      en: 'write the market-entity registry (the command office and the Market Regulation Bureau only)',
    },
    who: ['COMMAND_OFFICE', 'REGISTRY_OWNER'],
  },
  // The registry owner's own bulk loads go through `npm run import:enterprises`, run by whoever operates the database.
  IMPORT_ENTERPRISES: {
    name: { zh: '批量导入市场主体登记文件（仅市指挥部办公室）', en: 'import a registry file (the command office only)' },
    who: ['COMMAND_OFFICE'],
  },
};
