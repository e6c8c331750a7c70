/**
 * Checks every subgraph makes of what callers send, each refusal a coded BAD_USER_INPUT naming
 * the field in Chinese and English.
 */
import { errors, type Bilingual } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs: any other string names nothing, and must not reach a uuid column as an SQL error. */
export const isUuid = (value: string): boolean => UUID.test(value);

export function requireUuid(field: string, value: string): string {
  if (!isUuid(value)) throw errors.badInput(field, { zh: `${field} 不是有效的 id`, en: `${field} is not a valid id` });
  return value.toLowerCase();
}

/** Trimmed, non-empty, bounded text — or a coded refusal naming the field. */
export function text(field: string, value: string | null | undefined, label: Bilingual, max = 2000): string {
  const trimmed = value?.trim() ?? '';
  if (!trimmed) throw errors.badInput(field, { zh: `${label.zh}不能为空`, en: `${label.en} must not be empty` });
  if (trimmed.length > max) {
    throw errors.badInput(field, { zh: `${label.zh}不能超过 ${max} 个字`, en: `${label.en} must be at most ${max} characters` });
  }
  return trimmed;
}

export function optionalText(field: string, value: string | null | undefined, label: Bilingual, max = 2000): string | null {
  return value?.trim() ? text(field, value, label, max) : null;
}
