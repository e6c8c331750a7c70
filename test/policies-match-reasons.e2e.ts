/**
 * The policy calculator's reasons read as words (issue #21, item 7): districts by name (市南区,
 * 崂山区), industries by their GB/T 4754 section names, size classes and qualifications in words,
 * in Chinese and in English — never the raw codes ("所在区(市) 370202 不在 370212 之内").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';
import { callers, docs, firms, gateway, ok, policyInput, registerFirms } from './support/policies.ts';

let t: TestPlatform;
const items: Record<string, string> = {};
beforeAll(async () => {
  t = await startTestPlatform();
  await registerFirms(t);
  const policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: { ...policyInput, title: '匹配理由测试政策' } }))
    .createPolicy.id;
  // One item per criterion the 市南区 small manufacturer (高新技术企业) misses.
  const eligibility = {
    district: { districtCodes: ['370212', '370211'] },
    industry: { industryCodePrefixes: ['I', 'M73'] },
    size: { sizeClasses: ['MEDIUM', 'LARGE'] },
    qualification: { qualifications: ['SPECIALIZED_SME', 'LITTLE_GIANT'], qualificationMatch: 'ALL' },
    met: { districtCodes: ['370202'], industryCodePrefixes: ['C34'], sizeClasses: ['SMALL', 'MICRO'], qualifications: ['HIGH_TECH'] },
  };
  for (const [key, criteria] of Object.entries(eligibility)) {
    const input = {
      name: `匹配理由-${key}`,
      kind: 'SUBSIDY',
      description: '测试',
      amount: { kind: 'FIXED', amount: 1000 },
      reviewWorkingDays: 10,
      paymentWorkingDays: 10,
      eligibility: criteria,
    };
    items[key] = (await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input })).createPolicyItem.id;
  }
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕99号' } });
});
afterAll(async () => {
  await t?.stop();
});

describe('the reasons of a policy match', () => {
  it('name districts, industries, sizes and qualifications in Chinese and English, with no raw code', async () => {
    const query = `query($code: String!) { policyMatches(creditCode: $code, first: 50) { edges { node { item { id } criteria { criterion met reason reasonEn } } } } }`;
    const found = (await ok(gateway(t), query, callers.hightech, { code: firms.hightech.creditCode })).policyMatches.edges.map(
      (e: any) => e.node,
    );
    const reason = (key: string, criterion: string) =>
      found.find((m: any) => m.item.id === items[key])?.criteria.find((c: any) => c.criterion === criterion);

    expect(reason('district', 'DISTRICT')).toEqual({
      criterion: 'DISTRICT',
      met: false,
      reason: '所在区(市) 市南区 不在 崂山区、黄岛区 之内',
      reasonEn: 'Located in Shinan District, not in Laoshan District or Huangdao District',
    });
    expect(reason('met', 'DISTRICT')).toMatchObject({
      met: true,
      reason: '所在区(市) 市南区 符合',
      reasonEn: 'Located in Shinan District, as required',
    });

    expect(reason('industry', 'INDUSTRY')).toMatchObject({
      met: false,
      reason: '行业 制造业（C3484）不属于 信息传输、软件和信息技术服务业（I）、科学研究和技术服务业（M73）',
      reasonEn:
        'Industry: manufacturing (C3484), not within information transmission, software and information technology services (I) or scientific research and technical services (M73)',
    });
    expect(reason('met', 'INDUSTRY')).toMatchObject({
      met: true,
      reason: '行业 制造业（C3484）属于 制造业（C34）',
      reasonEn: 'Industry: manufacturing (C3484), within manufacturing (C34)',
    });

    expect(reason('size', 'SIZE')).toMatchObject({
      met: false,
      reason: '小型企业，要求中型、大型',
      reasonEn: 'A small enterprise; required: medium-sized or large',
    });
    expect(reason('met', 'SIZE')).toMatchObject({ met: true, reasonEn: 'A small enterprise, as required (small or micro)' });

    expect(reason('qualification', 'QUALIFICATION')).toMatchObject({
      met: false,
      reason: '缺少专精特新中小企业、专精特新“小巨人”企业（须全部具备）',
      reasonEn: 'Not recognised as specialised and sophisticated SME and specialised "little giant" enterprise (all required)',
    });
    expect(reason('met', 'QUALIFICATION')).toMatchObject({ met: true, reasonEn: 'Recognised as high-tech enterprise (any one suffices)' });

    // No reason anywhere shows a division code or an enum name.
    for (const match of found) {
      for (const c of match.criteria) {
        expect(`${c.reason} ${c.reasonEn}`, JSON.stringify(c)).not.toMatch(
          /\b37\d{4}\b|\b(SMALL|MICRO|MEDIUM|LARGE|HIGH_TECH|TECH_SME|SPECIALIZED_SME|LITTLE_GIANT)\b/,
        );
      }
    }
  });
});
