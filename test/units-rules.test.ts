/**
 * The units slice's rules and access module, without a server: standings come from the token and
 * the caller's own unit row only.
 */
import { describe, expect, it } from 'vitest';
import { referenceUnits, unitIdForCode } from '../db/reference/organisation.ts';
import type { Viewer } from '../platform/auth.ts';
import { canSeeEnterprise, createUnitsAccess, type UnitShape } from '../subgraphs/units/access.ts';
import type { EnterpriseRow, UnitRow } from '../subgraphs/units/store.ts';

const rows = new Map<string, UnitRow>(
  referenceUnits.map((unit, i) => [
    unit.id,
    {
      ...unit,
      parentId: null,
      position: i + 1,
      archivedAt: unit.code === 'STATISTICS_BUREAU' ? new Date() : null,
      version: 1,
      createdAt: new Date(),
      updatedAt: new Date(),
    } as UnitRow,
  ]),
);
const access = (role: Viewer['role'], extra: Partial<Viewer> = {}) =>
  createUnitsAccess(
    { subject: 'someone', role, unitId: null, enterprise: null, ...extra },
    async (id) => rows.get(id) ?? null,
    async (ancestorId, id) => {
      for (let unit = rows.get(id)?.parentId; unit; unit = rows.get(unit)?.parentId) if (unit === ancestorId) return true;
      return false;
    },
  );
const unitOf = (code: string) => ({ unitId: unitIdForCode(code) });
const refused = (code: string) => ({ extensions: { code } });

describe('the units slice’s access module', () => {
  it('lets only an active command office write units', async () => {
    await expect(access('COMMAND_OFFICE', unitOf('COMMAND_OFFICE')).assert('CREATE_UNIT')).resolves.toBeUndefined();
    await expect(access('UNIT_ADMIN', unitOf('MARKET_REGULATION_BUREAU')).assert('CREATE_UNIT')).rejects.toMatchObject(
      refused('FORBIDDEN'),
    );
    await expect(access('ANONYMOUS').assert('CREATE_UNIT')).rejects.toMatchObject(refused('UNAUTHENTICATED'));
  });

  it('refuses to change an archived unit as a wrong state, not a wrong caller', async () => {
    const archived = rows.get(unitIdForCode('STATISTICS_BUREAU'))!;
    await expect(access('COMMAND_OFFICE', unitOf('COMMAND_OFFICE')).assert('UPDATE_UNIT', archived)).rejects.toMatchObject(
      refused('INVALID_TRANSITION'),
    );
  });

  it('lets the registry owner write enterprises while its unit is active', async () => {
    await expect(access('UNIT_STAFF', unitOf('MARKET_REGULATION_BUREAU')).assert('WRITE_ENTERPRISE')).resolves.toBeUndefined();
    await expect(access('UNIT_STAFF', unitOf('TAXATION_BUREAU')).assert('WRITE_ENTERPRISE')).rejects.toMatchObject(refused('FORBIDDEN'));
    await expect(access('UNIT_STAFF', unitOf('STATISTICS_BUREAU')).assert('READ_ENTERPRISES')).rejects.toMatchObject(refused('FORBIDDEN'));
  });

  it('gives city bureaus the whole registry, district units their district, an enterprise itself, observers nothing', async () => {
    expect(await access('UNIT_STAFF', unitOf('TAXATION_BUREAU')).enterpriseScope()).toEqual({ kind: 'all' });
    const district = referenceUnits.find((unit) => unit.kind === 'DISTRICT')!;
    expect(await access('UNIT_STAFF', { unitId: district.id }).enterpriseScope()).toEqual({
      kind: 'district',
      districtCode: district.districtCode,
    });
    expect(await access('ENTERPRISE', { enterprise: 'X' }).enterpriseScope()).toEqual({ kind: 'self', creditCode: 'X' });
    await expect(access('OBSERVER').assert('READ_ENTERPRISES')).rejects.toMatchObject(refused('FORBIDDEN'));
    expect(await access('OBSERVER').enterpriseScope()).toEqual({ kind: 'none' });
    const row = { creditCode: 'X', districtCode: district.districtCode } as EnterpriseRow;
    expect(canSeeEnterprise({ kind: 'district', districtCode: '000000' }, row)).toBe(false);
    expect(canSeeEnterprise({ kind: 'self', creditCode: 'X' }, row)).toBe(true);
  });
});

describe('a district keeping the units below it', () => {
  const jimo = unitIdForCode('JIMO_DISTRICT');
  const street = {
    id: 'street-1',
    code: 'JIMO_STREET',
    kind: 'OTHER',
    level: 'TOWN',
    parentId: jimo,
    districtCode: '370215',
    archivedAt: null,
  } as unknown as UnitRow;
  rows.set(street.id, street);
  const shape = (extra: Record<string, unknown> = {}) => ({ kind: 'OTHER', level: 'TOWN', parentId: jimo, ...extra }) as UnitShape;

  it('lets its admin shape town- and village-level units under its own unit, filling in its district', async () => {
    const admin = access('UNIT_ADMIN', unitOf('JIMO_DISTRICT'));
    await expect(admin.assert('CREATE_UNIT')).resolves.toBeUndefined();
    await expect(admin.assertShape(shape())).resolves.toEqual({ ...shape(), districtCode: '370215' });
    await expect(admin.assertShape(shape({ level: 'VILLAGE', parentId: street.id }))).resolves.toMatchObject({ parentId: street.id });
    await expect(admin.assertKeeps(street)).resolves.toBeUndefined();
  });

  it('refuses it anything else: another level, kind, domain, district or parent, or a unit not below it', async () => {
    const admin = access('UNIT_ADMIN', unitOf('JIMO_DISTRICT'));
    for (const wrong of [
      { level: 'CITY' },
      { kind: 'LEAD' },
      { domainCode: 'COMMERCE' },
      { districtCode: '370285' },
      { parentId: unitIdForCode('LAIXI_CITY') },
      { parentId: null },
    ]) {
      await expect(admin.assertShape(shape(wrong)), JSON.stringify(wrong)).rejects.toMatchObject(refused('FORBIDDEN'));
    }
    await expect(admin.assertKeeps(rows.get(unitIdForCode('MARKET_REGULATION_BUREAU'))!)).rejects.toMatchObject(refused('FORBIDDEN'));
    await expect(access('UNIT_ADMIN', unitOf('LAIXI_CITY')).assertKeeps(street)).rejects.toMatchObject(refused('FORBIDDEN'));
    await expect(access('UNIT_STAFF', unitOf('JIMO_DISTRICT')).assert('CREATE_UNIT')).rejects.toMatchObject(refused('FORBIDDEN'));
    // The command office shapes any unit.
    await expect(access('COMMAND_OFFICE', unitOf('COMMAND_OFFICE')).assertShape(shape({ level: 'CITY' }))).resolves.toMatchObject({
      level: 'CITY',
    });
  });
});
