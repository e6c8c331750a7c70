/**
 * The industry code check (subgraphs/units/industry-code.ts): the section letter and its divisions
 * per GB/T 4754-2017, for the registry file and `upsertEnterprise` alike — and every code the
 * project's own data uses (the sample enterprises, the synthetic registry, the tests' and benches'
 * fixtures) passes it.
 */
import { describe, expect, it } from 'vitest';
import { industrySections, sampleEnterprises } from '../db/reference/organisation.ts';
import { INDUSTRY_DIVISIONS, industryCodeProblem } from '../subgraphs/units/industry-code.ts';
import { INDUSTRY_SHARES, syntheticRegistryLines } from '../subgraphs/units/registry-synthetic.ts';

const two = (n: number) => String(n).padStart(2, '0');

describe('GB/T 4754-2017 industry codes', () => {
  it('knows every section of the reference data, and the divisions 01–97 each belong to exactly one', () => {
    expect(Object.keys(INDUSTRY_DIVISIONS).sort()).toEqual(industrySections.map((section) => section.code).sort());
    for (let division = 1; division <= 97; division++) {
      const owners = Object.entries(INDUSTRY_DIVISIONS).filter(([, [first, last]]) => division >= first && division <= last);
      expect(owners.length, `division ${two(division)}`).toBe(1);
    }
  });

  it('takes a section alone, and a division of its own section with up to two digits more', () => {
    for (const [section, [first, last]] of Object.entries(INDUSTRY_DIVISIONS)) {
      for (const code of [section, `${section}${two(first)}`, `${section}${two(last)}1`, `${section}${two(last)}19`])
        expect(industryCodeProblem(code), code).toBeNull();
    }
  });

  it('refuses a division outside its section, saying which divisions the section holds', () => {
    for (const [section, [first, last]] of Object.entries(INDUSTRY_DIVISIONS)) {
      for (const division of [first - 1, last + 1]) {
        const code = `${section}${two(division)}11`;
        expect(industryCodeProblem(code)?.zh, code).toContain(`大类 ${two(division)} 不属于门类 ${section}`);
      }
    }
    expect(industryCodeProblem('C9999')).toEqual({
      zh: '行业代码 C9999 的大类 99 不属于门类 C（GB/T 4754-2017：门类 C 为大类 13–43）',
      en: 'The industry code C9999: division 99 is not of section C (GB/T 4754-2017: section C holds divisions 13–43)',
    });
    expect(industryCodeProblem('K71')?.en).toBe(
      'The industry code K71: division 71 is not of section K (GB/T 4754-2017: section K holds division 70)',
    );
  });

  it('refuses what has not the shape of a code', () => {
    for (const code of ['', 'U', 'Z12', 'C1', 'CC', 'C12345', '13', 'C-13', 'c13'])
      expect(industryCodeProblem(code)?.en, code).toBe('The industry code must follow GB/T 4754-2017, e.g. C, C13 or C131');
  });

  it('passes every code of the sample enterprises, the synthetic registry and the fixtures', () => {
    const fixtures = ['C', 'C13', 'C131', 'C34', 'I', 'F5191', 'C3484', 'M7320', 'G5532', 'C1391', 'I6513', 'E4812', 'F5123'];
    const synthetic = [...syntheticRegistryLines(5_000)].map((line) => line.split(',')[3] ?? '');
    for (const code of [
      ...sampleEnterprises().map((e) => e.industryCode),
      ...INDUSTRY_SHARES.flatMap(([codes]) => codes),
      ...synthetic,
      ...fixtures,
    ])
      expect(industryCodeProblem(code), code).toBeNull();
  });
});
