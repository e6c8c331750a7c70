/**
 * An enterprise's industry code, GB/T 4754-2017 (国民经济行业分类), as the registry writes it: the
 * section letter (门类, A–T), optionally its two-digit division (大类) and one or two digits more
 * (中类, 小类) — `C`, `C13`, `C131`, `C1311`. Checked: the shape, and that the division is one of its
 * section's (C13–C43 are manufacturing; `C99` or `F13` is no code of the standard). Not checked: the
 * third and fourth digits against the standard's list of groups and classes. One check for the
 * registry file (registry-file.ts) and `upsertEnterprise` (input.ts); no I/O.
 */
import type { Bilingual } from '../../platform/errors.ts';

/** The shape: a section letter, then nothing, a division, or a division and one or two digits. */
export const INDUSTRY_CODE = /^([A-T])(\d{2}(\d{1,2})?)?$/;

/** Each section's divisions, first and last (GB/T 4754-2017; no gaps within a section). */
export const INDUSTRY_DIVISIONS: Readonly<Record<string, readonly [number, number]>> = {
  A: [1, 5],
  B: [6, 12],
  C: [13, 43],
  D: [44, 46],
  E: [47, 50],
  F: [51, 52],
  G: [53, 60],
  H: [61, 62],
  I: [63, 65],
  J: [66, 69],
  K: [70, 70],
  L: [71, 72],
  M: [73, 75],
  N: [76, 79],
  O: [80, 82],
  P: [83, 83],
  Q: [84, 85],
  R: [86, 90],
  S: [91, 96],
  T: [97, 97],
};

const FORMAT: Bilingual = {
  zh: '行业代码须符合 GB/T 4754-2017，如 C、C13 或 C131',
  en: 'The industry code must follow GB/T 4754-2017, e.g. C, C13 or C131',
};

const two = (n: number) => String(n).padStart(2, '0');

/** Why a code (trimmed and upper-cased) is no GB/T 4754-2017 code, or null. */
export function industryCodeProblem(code: string): Bilingual | null {
  const match = INDUSTRY_CODE.exec(code);
  const section = match?.[1];
  const range = section ? INDUSTRY_DIVISIONS[section] : undefined;
  if (!section || !range) return FORMAT;
  if (!match[2]) return null;
  const division = Number(match[2].slice(0, 2));
  const [first, last] = range;
  if (division >= first && division <= last) return null;
  const divisions =
    first === last
      ? { zh: `大类 ${two(first)}`, en: `division ${two(first)}` }
      : {
          zh: `大类 ${two(first)}–${two(last)}`,
          en: `divisions ${two(first)}–${two(last)}`,
        };
  return {
    zh: `行业代码 ${code} 的大类 ${two(division)} 不属于门类 ${section}（GB/T 4754-2017：门类 ${section} 为${divisions.zh}）`,
    en: `The industry code ${code}: division ${two(division)} is not of section ${section} (GB/T 4754-2017: section ${section} holds ${divisions.en})`,
  };
}
