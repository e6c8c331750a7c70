/**
 * Sample institutions and branches for trying the platform out: some of the city's 57 by their real
 * names, every row flagged `sample = true` and named with （样例）, so nobody mistakes them for the
 * regulator's records; a branch of each in every district it serves. Ids are name-based, the same
 * on every machine, so a development token can name them (`sampleInstitutionId`).
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { referenceDistricts, sampleCreditCode } from '../../db/reference/organisation.ts';
import { tsvectorOf } from '../../platform/search-text.ts';
import { insertSamplePartners, insertSampleProducts, type InstitutionRow, type ProductValues } from './store.ts';

const NAMESPACE = Buffer.from('3e8b1f0c5a7d4e2f9b6c0d1e2f3a4b5c', 'hex');

/** Name-based UUID (RFC 9562 v5) of a sample record. */
function sampleId(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ALL = referenceDistricts.map((district) => district.code);

/** [name, kind, districts served (all when absent)]. */
const INSTITUTIONS: [string, InstitutionRow['kind'], string[]?][] = [
  ['青岛银行', 'BANK'],
  ['青岛农商银行', 'BANK'],
  ['中国工商银行青岛市分行', 'BANK'],
  ['中国农业银行青岛市分行', 'BANK'],
  ['中国银行青岛市分行', 'BANK'],
  ['中国建设银行青岛市分行', 'BANK'],
  ['交通银行青岛分行', 'BANK'],
  ['中国邮政储蓄银行青岛分行', 'BANK'],
  ['恒丰银行青岛分行', 'BANK'],
  ['齐鲁银行青岛分行', 'BANK'],
  ['青岛市融资担保中心', 'GUARANTEE_COMPANY'],
  ['青岛中小企业融资担保有限公司', 'GUARANTEE_COMPANY', ALL.slice(0, 4)],
  ['青岛市市南区小额贷款有限公司', 'SMALL_LOAN_COMPANY', ALL.slice(0, 1)],
  ['青岛西海岸新区小额贷款有限公司', 'SMALL_LOAN_COMPANY', ALL.slice(3, 5)],
];

const sampleName = (name: string) => `${name}（样例）`;

/** The id of a sample institution, by its real name (`青岛农商银行`). */
export const sampleInstitutionId = (name: string): string => sampleId(`institution:${name}`);
/** The id of a sample institution's branch in a district. */
export const sampleBranchId = (institution: string, districtCode: string): string => sampleId(`branch:${institution}:${districtCode}`);

/** The sample institutions and branches as rows. */
export function samplePartners() {
  const districtName = new Map(referenceDistricts.map((district) => [district.code, district.name]));
  const institutions = INSTITUTIONS.map(([name, kind, served], index) => ({
    id: sampleInstitutionId(name),
    name: sampleName(name),
    kind,
    creditCode: sampleCreditCode(served?.[0] ?? '370202', 9_000 + index),
    districtCodes: [...(served ?? ALL)].sort(),
    contact: `0532-8${String(6000000 + index * 1111).slice(0, 7)}`,
    sample: true,
  }));
  const branches = INSTITUTIONS.flatMap(([name, , served]) =>
    (served ?? ALL).map((code, index) => ({
      id: sampleBranchId(name, code),
      institutionId: sampleInstitutionId(name),
      name: sampleName(`${name}${districtName.get(code) ?? code}支行`),
      districtCode: code,
      contact: `0532-8${String(7000000 + index * 1234).slice(0, 7)}`,
      sample: true,
    })),
  );
  return { institutions, branches };
}

/**
 * Product templates: [name, category, description, amount min–max (yuan), term min–max (months),
 * LPR tenor, spread min–max (bp), guarantee mode, eligibility beyond "anyone"].
 */
type Template = [
  string,
  ProductValues['category'],
  string,
  [number, number],
  [number, number],
  ProductValues['lprTenor'],
  [number, number],
  ProductValues['guaranteeMode'],
  Partial<ProductValues['eligibility']>?,
];
const TEMPLATES: Template[] = [
  [
    '信易贷',
    'CREDIT',
    '依托企业信用信息的纯信用贷款，线上申请、随借随还',
    [100_000, 3_000_000],
    [3, 12],
    'ONE_YEAR',
    [0, 150],
    'PURE_CREDIT',
    { minYears: 1 },
  ],
  [
    '税易贷',
    'CREDIT',
    '按纳税信用等级和纳税额核定额度的信用贷款',
    [100_000, 5_000_000],
    [6, 12],
    'ONE_YEAR',
    [20, 180],
    'PURE_CREDIT',
    { minYears: 2 },
  ],
  [
    '科创信用贷',
    'CREDIT',
    '面向科技型企业的信用贷款，看重研发投入与知识产权',
    [500_000, 10_000_000],
    [12, 36],
    'ONE_YEAR',
    [-20, 100],
    'PURE_CREDIT',
    { qualifications: ['HIGH_TECH', 'TECH_SME', 'SPECIALIZED_SME', 'LITTLE_GIANT'] },
  ],
  [
    '厂房抵押贷',
    'MORTGAGE',
    '以厂房、土地使用权抵押的经营性贷款，期限长、额度高',
    [1_000_000, 50_000_000],
    [12, 120],
    'FIVE_YEAR',
    [0, 120],
    'MORTGAGE',
    { industryPrefixes: ['C'] },
  ],
  [
    '商铺抵押经营贷',
    'MORTGAGE',
    '以商铺、住房抵押的小微企业经营贷款',
    [300_000, 10_000_000],
    [12, 60],
    'FIVE_YEAR',
    [-10, 90],
    'MORTGAGE',
    { sizeClasses: ['SMALL', 'MICRO'] },
  ],
  [
    '政银担批量贷',
    'GUARANTEED',
    '政府性融资担保机构担保、银行批量审批的小微企业贷款，担保费补贴',
    [100_000, 10_000_000],
    [6, 36],
    'ONE_YEAR',
    [0, 100],
    'GUARANTEE',
    { sizeClasses: ['SMALL', 'MICRO'] },
  ],
  ['订单融资', 'SUPPLY_CHAIN', '凭核心企业的采购订单融资，回款即还', [200_000, 20_000_000], [3, 12], 'ONE_YEAR', [20, 150], 'PLEDGE'],
  [
    '应收账款融资',
    'SUPPLY_CHAIN',
    '以对核心企业的应收账款质押融资，线上确权',
    [200_000, 30_000_000],
    [3, 12],
    'ONE_YEAR',
    [10, 130],
    'PLEDGE',
  ],
  [
    '知识产权质押贷',
    'IP_PLEDGE',
    '以专利权、商标权质押的贷款，贴息、保险、评估费补贴',
    [300_000, 20_000_000],
    [12, 36],
    'ONE_YEAR',
    [0, 120],
    'PLEDGE',
    { qualifications: ['HIGH_TECH', 'TECH_SME', 'SPECIALIZED_SME', 'LITTLE_GIANT', 'GAZELLE'] },
  ],
  [
    '首贷快车',
    'FIRST_LOAN',
    '首次从银行贷款的小微企业专属，纯信用、当天审批',
    [50_000, 1_000_000],
    [6, 12],
    'ONE_YEAR',
    [0, 100],
    'PURE_CREDIT',
    { sizeClasses: ['SMALL', 'MICRO'] },
  ],
  [
    '首贷培育贷',
    'FIRST_LOAN',
    '首贷服务中心推荐的首贷户信用贷款',
    [100_000, 2_000_000],
    [6, 24],
    'ONE_YEAR',
    [10, 120],
    'PURE_CREDIT',
    { maxYears: 10 },
  ],
  [
    '无还本续贷',
    'RENEWAL',
    '贷款到期无需先还本金，提前审批、无缝续贷',
    [100_000, 20_000_000],
    [6, 36],
    'ONE_YEAR',
    [0, 100],
    'COMBINED',
    { minYears: 2 },
  ],
  [
    '金农通惠农贷',
    'AGRICULTURE',
    '面向涉农经营主体的贷款，财政贴息、农担担保',
    [50_000, 3_000_000],
    [6, 36],
    'ONE_YEAR',
    [-20, 80],
    'GUARANTEE',
    { industryPrefixes: ['A', 'C13', 'C14'] },
  ],
  [
    '乡村振兴贷',
    'AGRICULTURE',
    '支持农业产业化和乡村产业发展的经营贷款',
    [100_000, 10_000_000],
    [12, 60],
    'FIVE_YEAR',
    [0, 100],
    'COMBINED',
    { industryPrefixes: ['A', 'C13'] },
  ],
  [
    '稳岗扩岗贷',
    'POLICY',
    '稳岗扩岗专项贷款，吸纳就业的企业优先、利率优惠',
    [100_000, 5_000_000],
    [6, 24],
    'ONE_YEAR',
    [-30, 50],
    'PURE_CREDIT',
  ],
  [
    '技术改造再贷款',
    'POLICY',
    '央行再贷款支持的设备更新和技术改造贷款',
    [1_000_000, 100_000_000],
    [12, 120],
    'FIVE_YEAR',
    [-50, 30],
    'COMBINED',
    { industryPrefixes: ['C', 'I'], minYears: 3 },
  ],
  [
    '专精特新贷',
    'CREDIT',
    '专精特新企业专属信用贷款，额度高、利率优',
    [1_000_000, 30_000_000],
    [12, 36],
    'ONE_YEAR',
    [-30, 60],
    'PURE_CREDIT',
    { qualifications: ['SPECIALIZED_SME', 'LITTLE_GIANT', 'MANUFACTURING_CHAMPION'] },
  ],
  [
    '外贸信保贷',
    'GUARANTEED',
    '出口信用保险保单增信的外贸企业贷款',
    [200_000, 10_000_000],
    [3, 12],
    'ONE_YEAR',
    [20, 150],
    'GUARANTEE',
    { industryPrefixes: ['F', 'C'] },
  ],
  [
    '创业担保贷',
    'POLICY',
    '人社部门贴息、政府担保的创业贷款',
    [100_000, 3_000_000],
    [12, 36],
    'ONE_YEAR',
    [0, 50],
    'GUARANTEE',
    { maxYears: 5, sizeClasses: ['SMALL', 'MICRO'] },
  ],
  [
    '设备融资租赁贷',
    'MORTGAGE',
    '以所购设备抵押的分期贷款',
    [500_000, 20_000_000],
    [12, 60],
    'FIVE_YEAR',
    [30, 200],
    'MORTGAGE',
    { industryPrefixes: ['C', 'E'] },
  ],
  [
    '软件开发贷',
    'CREDIT',
    '面向软件和信息技术服务企业的信用贷款',
    [200_000, 5_000_000],
    [6, 24],
    'ONE_YEAR',
    [20, 160],
    'PURE_CREDIT',
    { industryPrefixes: ['I'] },
  ],
  [
    '建筑工程贷',
    'SUPPLY_CHAIN',
    '以工程合同和应收工程款为依据的流动资金贷款',
    [500_000, 30_000_000],
    [6, 24],
    'ONE_YEAR',
    [30, 180],
    'COMBINED',
    { industryPrefixes: ['E'] },
  ],
  [
    '普惠小微贷',
    'CREDIT',
    '普惠型小微企业信用贷款，手机银行申请、自动审批',
    [30_000, 1_000_000],
    [3, 12],
    'ONE_YEAR',
    [0, 120],
    'PURE_CREDIT',
    { sizeClasses: ['SMALL', 'MICRO'] },
  ],
  [
    '仓单质押贷',
    'SUPPLY_CHAIN',
    '以港口、冷链仓库的标准仓单质押的流动资金贷款',
    [500_000, 50_000_000],
    [3, 12],
    'ONE_YEAR',
    [20, 150],
    'PLEDGE',
    { industryPrefixes: ['F', 'G', 'C'] },
  ],
  [
    '经营性物业贷',
    'MORTGAGE',
    '以自有经营性物业的租金收入为还款来源的抵押贷款',
    [1_000_000, 80_000_000],
    [24, 120],
    'FIVE_YEAR',
    [0, 100],
    'MORTGAGE',
    { minYears: 3 },
  ],
];

const anyone: ProductValues['eligibility'] = {
  industryPrefixes: [],
  sizeClasses: [],
  districtCodes: [],
  minYears: null,
  maxYears: null,
  qualifications: [],
  qualificationMatch: 'ANY',
};

/** The name-based id of any other sample record (`demand:3`). */
export const sampleRecordId = (name: string): string => sampleId(name);

/** The id of a sample product, by its institution's real name and the product's template name. */
export const sampleProductId = (institution: string, product: string): string => sampleId(`product:${institution}:${product}`);

/**
 * About 300 sample products: each template at each institution it suits (guarantee and small-loan
 * companies offer the guaranteed, credit and first loans; banks all), every one marked sample, in
 * the institution's districts, created a few minutes apart so the list has a stable order.
 */
export function sampleProducts(now: Date): ProductValues[] {
  const rows: ProductValues[] = [];
  INSTITUTIONS.forEach(([institution, kind, served], i) => {
    const templates =
      kind === 'BANK' ? TEMPLATES : TEMPLATES.filter(([, category]) => ['GUARANTEED', 'CREDIT', 'FIRST_LOAN', 'POLICY'].includes(category));
    templates.forEach(([name, category, description, amount, term, tenor, spread, guarantee, eligibility], t) => {
      const shift = ((i + t) % 4) * 5;
      const at = new Date(now.getTime() - (rows.length + 1) * 60_000);
      rows.push({
        id: sampleProductId(institution, name),
        institutionId: sampleInstitutionId(institution),
        name: sampleName(name),
        category,
        description: `${institution}${description}`,
        amountMin: amount[0],
        amountMax: amount[1],
        termMin: term[0],
        termMax: term[1],
        lprTenor: tenor,
        spreadMinBp: spread[0] + shift,
        spreadMaxBp: spread[1] + shift,
        guaranteeMode: guarantee,
        districtCodes: [...(served ?? ALL)].sort(),
        eligibility: { ...anyone, ...eligibility },
        // Every tenth product is suspended, so the regulator's view differs from the public one.
        status: (i * TEMPLATES.length + t) % 10 === 9 ? 'SUSPENDED' : 'ACTIVE',
        terms: tsvectorOf(sampleName(name), `${institution}${description}`),
        sample: true,
        createdAt: at,
        updatedAt: at,
      });
    });
  });
  return rows;
}

/** The sample institutions, branches and products (sample-demands.ts adds the demands). */
export async function loadSamplePartnersAndProducts(db: Db, now: Date): Promise<number> {
  const { institutions, branches } = samplePartners();
  return (await insertSamplePartners(db, institutions, branches)) + (await insertSampleProducts(db, sampleProducts(now)));
}
