/**
 * Input checks every slice makes, as zod schemas. `parseInput` turns the first problem into the
 * API's coded refusal: BAD_USER_INPUT naming the field, with a message in Chinese and English.
 * Nothing a caller sends reaches a store unchecked.
 */
import { z } from 'zod';
import { errors, type Bilingual } from './errors.ts';
import { creditCodeProblem, creditCodeProblemMessages, normalizeCreditCode } from './credit-code.ts';
import { present } from './invariant.ts';

export { z };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs: any other string names nothing, and must not reach a uuid column as an SQL error. */
export const isUuid = (value: string): boolean => UUID.test(value);

// Control characters other than tab and line breaks; a NUL would even make PostgreSQL refuse the row.
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
// Bidirectional overrides and isolates: they make text read differently from what it is.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
// What a reader cannot see: spaces, zero-width and other format characters.
const INVISIBLE = /[\s\p{Cf}\u115F\u1160\u3164\uFFA0]/gu;

/** The bilingual refusal a check attaches to a zod issue; `parseInput` reads it back. */
const problem = (message: Bilingual) => ({ message: message.en, params: message });

function textProblem(value: string, label: Bilingual, max: number, multiline: boolean): Bilingual | null {
  if (!value.isWellFormed()) return { zh: `${label.zh}含有无效字符`, en: `${label.en} contains invalid characters` };
  if (CONTROL.test(value) || (!multiline && /[\t\n\r]/.test(value))) {
    return { zh: `${label.zh}含有控制字符`, en: `${label.en} contains control characters` };
  }
  if (BIDI.test(value)) return { zh: `${label.zh}含有改变文字方向的字符`, en: `${label.en} contains bidirectional override characters` };
  if (value.length > max) return { zh: `${label.zh}不能超过 ${max} 个字`, en: `${label.en} must be at most ${max} characters` };
  return null;
}

/** Trimmed, visible, bounded text. */
export function text(label: Bilingual, options: { max?: number; multiline?: boolean } = {}) {
  const max = options.max ?? 2000;
  const multiline = options.multiline ?? max > 200;
  return z
    .string()
    .transform((value) => value.trim())
    .superRefine((value, ctx) => {
      const found = textProblem(value, label, max, multiline);
      if (found) ctx.addIssue({ code: 'custom', ...problem(found) });
      else if (!value.replace(INVISIBLE, ''))
        ctx.addIssue({ code: 'custom', ...problem({ zh: `${label.zh}不能为空`, en: `${label.en} must not be empty` }) });
    });
}

/** Like `text`, but absent or blank means null. */
export function optionalText(label: Bilingual, options: { max?: number; multiline?: boolean } = {}) {
  return z
    .string()
    .nullish()
    .transform((value) => (value?.trim() ? value : null))
    .pipe(text(label, options).nullable());
}

/** A search string: may be empty, but never carries control characters. */
export function searchText(label: Bilingual, max = 200) {
  return z
    .string()
    .nullish()
    .superRefine((value, ctx) => {
      const found = value ? textProblem(value, label, max, false) : null;
      if (found) ctx.addIssue({ code: 'custom', ...problem(found) });
    })
    .transform((value) => value?.trim() || null);
}

export function uuid(label: Bilingual) {
  return z
    .string()
    .refine(isUuid, problem({ zh: `${label.zh}不是有效的 id`, en: `${label.en} is not a valid id` }))
    .transform((value) => value.toLowerCase());
}

/** 统一社会信用代码, upper-cased and checked against GB 32100 (length, alphabet, check character). */
export const creditCode = z
  .string()
  .transform(normalizeCreditCode)
  .superRefine((value, ctx) => {
    const found = creditCodeProblem(value);
    if (found) ctx.addIssue({ code: 'custom', ...problem(creditCodeProblemMessages[found]) });
  });

/** A client-generated request id: a retry with the same id is the same request. */
export const clientRequestId = z
  .string()
  .regex(
    /^[A-Za-z0-9_.:-]{1,100}$/,
    problem({ zh: 'clientRequestId 须为 1–100 位字母、数字或 _.:-', en: 'clientRequestId must be 1–100 letters, digits or _.:-' }),
  );

/** An integer in a range, e.g. a number of working days. */
export function integer(label: Bilingual, min: number, max: number) {
  return z
    .number()
    .refine(
      (value) => Number.isInteger(value) && value >= min && value <= max,
      problem({ zh: `${label.zh}须为 ${min}–${max} 的整数`, en: `${label.en} must be a whole number from ${min} to ${max}` }),
    );
}

/** An enum value GraphQL has already checked, typed as the slice's own union. */
export const enumValue = <T extends string>() => z.custom<T>((value) => typeof value === 'string');

/** `milestones[1].title`: how the API names a field inside an input. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)),
    '',
  );
}

/** Parses `value` with `schema`, or throws BAD_USER_INPUT for the first problem, naming its field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, field?: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = present(result.error.issues[0], 'the first problem of a refused input');
  const name = [field, fieldName(issue.path)].filter(Boolean).join('.') || 'input';
  const message = (issue as { params?: Bilingual }).params ?? {
    zh: `${name} 的值不合法`,
    en: `Invalid value for ${name}: ${issue.message}`,
  };
  throw errors.badInput(name, message);
}
