import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacter, creditCodeProblem, creditCodeProblemMessages, normalizeCreditCode } from '../platform/credit-code.ts';
import { sampleCreditCode } from '../db/reference/organisation.ts';

// Two codes printed on real business licences.
const REAL_CODES = ['91350100M000100Y43', '91110000802100433B'];
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Replaces one character of a code. */
const withCharacter = (code: string, index: number, character: string) => code.slice(0, index) + character + code.slice(index + 1);

describe('统一社会信用代码 (GB 32100)', () => {
  it('accepts codes printed on real business licences', () => {
    for (const code of REAL_CODES) expect(creditCodeProblem(code), code).toBeNull();
  });

  it('computes the check character of the real codes from their first 17 characters', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckCharacter('91110000802100433')).toBe('B');
  });

  it('accepts the generated sample codes of every district', () => {
    for (const district of ['370202', '370203', '370211', '370281', '370285']) {
      for (let n = 1; n <= 20; n++) expect(creditCodeProblem(sampleCreditCode(district, n))).toBeNull();
    }
  });

  it('refuses every wrong check character, and only the right one passes', () => {
    for (const code of REAL_CODES) {
      const accepted = [...ALPHABET].filter((check) => creditCodeProblem(withCharacter(code, 17, check)) === null);
      expect(accepted).toEqual([code[17]]);
      for (const check of ALPHABET) {
        if (check !== code[17]) expect(creditCodeProblem(withCharacter(code, 17, check))).toBe('CHECK_CHARACTER');
      }
    }
  });

  it('catches a single mistyped character or two swapped neighbours through the check character', () => {
    const code = REAL_CODES[0]!;
    for (let i = 0; i < 17; i++) {
      const replacement = code[i] === '0' ? '1' : '0';
      expect(creditCodeProblem(withCharacter(code, i, replacement)), `position ${i + 1}`).not.toBeNull();
    }
    const swapped = code.slice(0, 8) + code[9] + code[8] + code.slice(10);
    expect(swapped).not.toBe(code);
    expect(creditCodeProblem(swapped)).toBe('CHECK_CHARACTER');
  });

  it('refuses a code that is not 18 characters long', () => {
    expect(creditCodeProblem('')).toBe('LENGTH');
    expect(creditCodeProblem(REAL_CODES[0]!.slice(0, 17))).toBe('LENGTH');
    expect(creditCodeProblem(`${REAL_CODES[0]}3`)).toBe('LENGTH');
    // The old 15-digit registration number is not a credit code.
    expect(creditCodeProblem('370202000012345')).toBe('LENGTH');
  });

  it('refuses the letters GB 32100 leaves out (I, O, S, V, Z) wherever they appear', () => {
    for (const letter of ['I', 'O', 'S', 'V', 'Z']) {
      for (const index of [0, 1, 8, 12, 17]) {
        expect(creditCodeProblem(withCharacter(REAL_CODES[0]!, index, letter)), `${letter} at ${index + 1}`).toBe('CHARACTERS');
      }
    }
  });

  it('refuses letters in the division code (positions 3–8) and other characters anywhere', () => {
    expect(creditCodeProblem(withCharacter(REAL_CODES[0]!, 2, 'A'))).toBe('CHARACTERS');
    expect(creditCodeProblem(withCharacter(REAL_CODES[0]!, 7, 'B'))).toBe('CHARACTERS');
    expect(creditCodeProblem(withCharacter(REAL_CODES[0]!, 10, '-'))).toBe('CHARACTERS');
    expect(creditCodeProblem(withCharacter(REAL_CODES[0]!, 10, 'Ａ'))).toBe('CHARACTERS');
  });

  it('treats lower case as a problem until the input is normalised', () => {
    const typed = '  91350100m000100y43 ';
    expect(creditCodeProblem(typed.trim())).toBe('CHARACTERS');
    expect(normalizeCreditCode(typed)).toBe('91350100M000100Y43');
    expect(creditCodeProblem(normalizeCreditCode(typed))).toBeNull();
  });

  it('has a Chinese and an English message for every kind of problem', () => {
    expect(Object.keys(creditCodeProblemMessages).sort()).toEqual(['CHARACTERS', 'CHECK_CHARACTER', 'LENGTH']);
    for (const { zh, en } of Object.values(creditCodeProblemMessages)) {
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
      expect(en).toMatch(/^[\x20-\x7e’–]+$/);
    }
  });
});
