/**
 * What the issues slice asks of the organisation directory when a request names a unit or a
 * district: that it exists (and, for a unit to work on, that it is active). A mistake in what was
 * sent is BAD_USER_INPUT naming the field.
 */
import type { DirectoryUnit } from '../../../platform/directory.ts';
import { errors } from '../../../platform/errors.ts';
import type { IssuesContext } from '../context.ts';

/** The unit a request named (looked up before the transaction), which must exist and — unless told — be active. */
export function requireUnit(field: string, raw: string, unit: DirectoryUnit | null | undefined, { active = true } = {}): DirectoryUnit {
  if (!unit) throw errors.badInput(field, { zh: `单位不存在：${raw}`, en: `No such unit: ${raw}` });
  if (active && unit.archived) throw errors.badInput(field, { zh: `单位已归档：${unit.name}`, en: `The unit is archived: ${unit.code}` });
  return unit;
}

/** A district a request named, which must exist; null when none was named. */
export async function requireDistrict(ctx: IssuesContext, code: string | null | undefined, field = 'districtCode'): Promise<string | null> {
  if (!code) return null;
  if (!(await ctx.access.directory()).districts.has(code)) {
    throw errors.badInput(field, { zh: `区(市)不存在：${code}`, en: `No such district: ${code}` });
  }
  return code;
}

/** The district a credit code was issued in (its 3rd–8th characters), when it is one of ours. */
export async function districtOfCreditCode(ctx: IssuesContext, code: string | null | undefined): Promise<string | null> {
  const region = code?.slice(2, 8);
  return region && (await ctx.access.directory()).districts.has(region) ? region : null;
}
