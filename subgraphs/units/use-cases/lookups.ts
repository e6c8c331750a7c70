/**
 * What the use cases check a caller named: a domain or a district must exist. Only an absent value
 * means "none": an empty string is a code that names nothing.
 *
 * Inside a transaction, look through it (`tx`): the embedded database has a single connection, so
 * a loader query beside an open transaction would wait for that transaction forever.
 */
import { errors } from '../../../platform/errors.ts';
import type { Queryable } from '../../../db/client.ts';
import type { UnitsContext } from '../context.ts';
import { referenceStore, type DistrictRow, type DomainRow } from '../store.ts';

export async function requireDomain(
  ctx: UnitsContext,
  code: string | null | undefined,
  field: string,
  tx?: Queryable,
): Promise<DomainRow | null> {
  if (code == null) return null;
  const domain = tx ? (await referenceStore.domainsByCodes(tx, [code]))[0] : await ctx.loaders.domainByCode.load(code);
  if (!domain) throw errors.badInput(field, { zh: `重点领域不存在：${code}`, en: `No such domain: ${code}` });
  return domain;
}

export async function requireDistrict(
  ctx: UnitsContext,
  code: string | null | undefined,
  field: string,
  tx?: Queryable,
): Promise<DistrictRow | null> {
  if (code == null) return null;
  const district = tx ? (await referenceStore.districtsByCodes(tx, [code]))[0] : await ctx.loaders.districtByCode.load(code);
  if (!district) throw errors.badInput(field, { zh: `区(市)不存在：${code}`, en: `No such district: ${code}` });
  return district;
}
