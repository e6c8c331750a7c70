/**
 * 统一社会信用代码 (unified social credit code) per GB 32100-2015: 18 characters from a 31-letter
 * alphabet (no I, O, S, V, Z), the 3rd–8th a GB/T 2260 division code, the last a check character.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (const [i, weight] of WEIGHTS.entries()) sum += ALPHABET.indexOf(first17.charAt(i)) * weight;
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

/** Upper-cases and trims what a person typed; validity is a separate question. */
export function normalizeCreditCode(input: string): string {
  return input.trim().toUpperCase();
}

export type CreditCodeProblem = 'LENGTH' | 'CHARACTERS' | 'CHECK_CHARACTER';

export function creditCodeProblem(code: string): CreditCodeProblem | null {
  if (code.length !== 18) return 'LENGTH';
  if (!SHAPE.test(code)) return 'CHARACTERS';
  if (creditCodeCheckCharacter(code.slice(0, 17)) !== code[17]) return 'CHECK_CHARACTER';
  return null;
}

export const creditCodeProblemMessages: Record<CreditCodeProblem, { zh: string; en: string }> = {
  LENGTH: { zh: '统一社会信用代码应为 18 位', en: 'A unified social credit code has 18 characters' },
  CHARACTERS: {
    zh: '统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z，第 3–8 位为数字）',
    en: 'The credit code has characters GB 32100 does not allow (no I, O, S, V, Z; positions 3–8 are digits)',
  },
  CHECK_CHARACTER: {
    zh: '统一社会信用代码校验位不正确',
    en: 'The credit code’s check character is wrong',
  },
};
