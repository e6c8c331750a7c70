/**
 * The plan's organisation, built from campaign.json (the plan's own text) plus the stable English
 * codes the software gives each unit. Names stay exactly as the plan writes them; a name without a
 * code here is a bug caught at load time, not a unit silently left out.
 */
import { createHash } from 'node:crypto';
import campaign from './campaign.json' with { type: 'json' };
import { creditCodeCheckCharacter } from '../../platform/credit-code.ts';

export type UnitKind = 'COMMAND_OFFICE' | 'LEAD' | 'RESPONSIBLE' | 'PARTICIPATING' | 'DISTRICT' | 'FUNCTION_ZONE' | 'OTHER';
export type UnitLevel = 'CITY' | 'COUNTY' | 'TOWN' | 'VILLAGE';

export interface ReferenceUnit {
  id: string;
  code: string;
  name: string;
  aliases: string[];
  kind: UnitKind;
  level: UnitLevel;
  domainCode: string | null;
  districtCode: string | null;
}

export interface ReferenceDistrict {
  /** GB/T 2260 administrative division code. */
  code: string;
  name: string;
  kind: 'DISTRICT' | 'COUNTY_CITY';
  aliases: string[];
  /** The unit that stands for the district's government (区市). */
  unitCode: string;
}

export const COMMAND_OFFICE_CODE = 'COMMAND_OFFICE';
/** 市市场监管局 keeps the market-entity registry, so it may write enterprises. */
export const ENTERPRISE_REGISTRY_OWNER_CODE = 'MARKET_REGULATION_BUREAU';

const unitCodes: Record<string, string> = {
  // lead units (牵头单位), in the plan's domain order
  市委政法委: 'POLITICS_LAW_COMMITTEE',
  市发展改革委: 'DEVELOPMENT_REFORM_COMMISSION',
  市工业和信息化局: 'INDUSTRY_IT_BUREAU',
  市商务局: 'COMMERCE_BUREAU',
  市住房城乡建设局: 'HOUSING_CONSTRUCTION_BUREAU',
  市交通运输局: 'TRANSPORT_BUREAU',
  市自然资源和规划局: 'NATURAL_RESOURCES_PLANNING_BUREAU',
  市市场监管局: ENTERPRISE_REGISTRY_OWNER_CODE,
  市生态环境局: 'ECOLOGY_ENVIRONMENT_BUREAU',
  市行政审批局: 'ADMINISTRATIVE_APPROVAL_BUREAU',
  // responsible units of 政法 (主责单位)
  市中级人民法院: 'INTERMEDIATE_PEOPLES_COURT',
  市检察院: 'PROCURATORATE',
  市公安局: 'PUBLIC_SECURITY_BUREAU',
  市司法局: 'JUSTICE_BUREAU',
  // participating units (参与单位)
  市委组织部: 'ORGANIZATION_DEPARTMENT',
  市委编办: 'ESTABLISHMENT_OFFICE',
  '市政府办公厅(市口岸办)': 'GOVERNMENT_GENERAL_OFFICE',
  市教育局: 'EDUCATION_BUREAU',
  市科技局: 'SCIENCE_TECHNOLOGY_BUREAU',
  市民政局: 'CIVIL_AFFAIRS_BUREAU',
  市财政局: 'FINANCE_BUREAU',
  市人力资源社会保障局: 'HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU',
  市城市管理局: 'URBAN_MANAGEMENT_BUREAU',
  市水务管理局: 'WATER_AFFAIRS_BUREAU',
  市农业农村局: 'AGRICULTURE_RURAL_AFFAIRS_BUREAU',
  市海洋发展局: 'OCEAN_DEVELOPMENT_BUREAU',
  市园林和林业局: 'LANDSCAPE_FORESTRY_BUREAU',
  市文化和旅游局: 'CULTURE_TOURISM_BUREAU',
  市卫生健康委: 'HEALTH_COMMISSION',
  市应急局: 'EMERGENCY_MANAGEMENT_BUREAU',
  市国资委: 'STATE_ASSETS_COMMISSION',
  市体育局: 'SPORTS_BUREAU',
  市统计局: 'STATISTICS_BUREAU',
  市医保局: 'HEALTHCARE_SECURITY_BUREAU',
  市国防动员办公室: 'NATIONAL_DEFENSE_MOBILIZATION_OFFICE',
  市地方金融监管局: 'LOCAL_FINANCIAL_REGULATION_BUREAU',
  市大数据局: 'BIG_DATA_BUREAU',
  市民营经济局: 'PRIVATE_ECONOMY_BUREAU',
  青岛仲裁委: 'ARBITRATION_COMMISSION',
  市总工会: 'FEDERATION_OF_TRADE_UNIONS',
  市工商联: 'FEDERATION_OF_INDUSTRY_AND_COMMERCE',
  市住房公积金管理中心: 'HOUSING_PROVIDENT_FUND_CENTER',
  市税务局: 'TAXATION_BUREAU',
  青岛海关: 'QINGDAO_CUSTOMS',
  人民银行青岛市中心支行: 'PBOC_QINGDAO_CENTRAL_SUB_BRANCH',
  青岛证监局: 'CSRC_QINGDAO_BUREAU',
  青岛银保监局: 'CBIRC_QINGDAO_BUREAU',
  国网青岛供电公司: 'STATE_GRID_QINGDAO_POWER_SUPPLY',
  市通信管理局: 'COMMUNICATIONS_ADMINISTRATION',
  // function zones named in the plan's sources (功能区)
  青岛西海岸新区: 'WEST_COAST_NEW_AREA',
  蓝色硅谷核心区: 'BLUE_SILICON_VALLEY_CORE_AREA',
  青岛金家岭金融聚集区: 'JINJIALING_FINANCIAL_DISTRICT',
  '中国(山东)自由贸易试验区青岛片区': 'SHANDONG_FTZ_QINGDAO_AREA',
};

/** GB/T 2260 codes of Qingdao's districts and county-level cities. */
const districtCodes: Record<string, { code: string; unitCode: string }> = {
  市南区: { code: '370202', unitCode: 'SHINAN_DISTRICT' },
  市北区: { code: '370203', unitCode: 'SHIBEI_DISTRICT' },
  李沧区: { code: '370213', unitCode: 'LICANG_DISTRICT' },
  崂山区: { code: '370212', unitCode: 'LAOSHAN_DISTRICT' },
  黄岛区: { code: '370211', unitCode: 'HUANGDAO_DISTRICT' },
  城阳区: { code: '370214', unitCode: 'CHENGYANG_DISTRICT' },
  即墨区: { code: '370215', unitCode: 'JIMO_DISTRICT' },
  胶州市: { code: '370281', unitCode: 'JIAOZHOU_CITY' },
  平度市: { code: '370283', unitCode: 'PINGDU_CITY' },
  莱西市: { code: '370285', unitCode: 'LAIXI_CITY' },
};

/**
 * Where a function zone lies. 西海岸新区 is the plan's alias of 黄岛区 and the 自贸试验区青岛片区
 * lies inside it; 金家岭 is in 崂山区; 蓝色硅谷核心区 is in 即墨区.
 */
const functionZoneDistricts: Record<string, string> = {
  青岛西海岸新区: '370211',
  蓝色硅谷核心区: '370215',
  青岛金家岭金融聚集区: '370212',
  '中国(山东)自由贸易试验区青岛片区': '370211',
};

/** Name-based UUID (RFC 9562 v5), so a seeded unit has the same id on every machine and every token. */
const UNIT_NAMESPACE = Buffer.from('7c1d2e4a9b3f4c5d8e6f0a1b2c3d4e5f', 'hex');
export function unitIdForCode(code: string): string {
  const hash = createHash('sha1').update(UNIT_NAMESPACE).update(code).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function codeFor(name: string): string {
  const code = unitCodes[name];
  if (!code) throw new Error(`campaign.json names a unit without a code in organisation.ts: ${name}`);
  return code;
}

function unit(
  name: string,
  kind: UnitKind,
  extra: Partial<Pick<ReferenceUnit, 'domainCode' | 'districtCode' | 'aliases' | 'level'>> & { code?: string } = {},
): ReferenceUnit {
  const code = extra.code ?? codeFor(name);
  return {
    id: unitIdForCode(code),
    code,
    name,
    aliases: extra.aliases ?? [],
    kind,
    level: extra.level ?? 'CITY',
    domainCode: extra.domainCode ?? null,
    districtCode: extra.districtCode ?? null,
  };
}

export const referenceDistricts: ReferenceDistrict[] = campaign.districts.map((district) => {
  const codes = districtCodes[district.name];
  if (!codes) throw new Error(`campaign.json names a district without a code: ${district.name}`);
  return {
    code: codes.code,
    name: district.name,
    kind: district.kind as ReferenceDistrict['kind'],
    aliases: district.aliases ?? [],
    unitCode: codes.unitCode,
  };
});

/** In the plan's order: command office, domains (lead then responsible), participants, districts, zones. */
export const referenceUnits: ReferenceUnit[] = [
  unit(campaign.campaign.commandOffice, 'COMMAND_OFFICE', { code: COMMAND_OFFICE_CODE, aliases: ['市指挥部办公室'] }),
  ...campaign.domains.flatMap((domain) => [
    unit(domain.lead, 'LEAD', { domainCode: domain.code, aliases: domain.aliases ?? [] }),
    ...(domain.responsible ?? []).map((name) => unit(name, 'RESPONSIBLE', { domainCode: domain.code })),
  ]),
  ...campaign.participatingUnits.map((name) =>
    unit(name, 'PARTICIPATING', {
      aliases: (campaign.participatingUnitAliases as Record<string, string[]>)[name] ?? [],
    }),
  ),
  ...referenceDistricts.map((district) =>
    unit(district.name, 'DISTRICT', {
      code: district.unitCode,
      level: 'COUNTY',
      districtCode: district.code,
      aliases: district.aliases,
    }),
  ),
  ...campaign.functionZonesNamedInSources.map((name) =>
    unit(name, 'FUNCTION_ZONE', { level: 'COUNTY', districtCode: functionZoneDistricts[name] ?? null }),
  ),
];

/** GB/T 4754-2017 门类 (sections) of the national industry classification. */
export const industrySections: { code: string; name: string }[] = [
  { code: 'A', name: '农、林、牧、渔业' },
  { code: 'B', name: '采矿业' },
  { code: 'C', name: '制造业' },
  { code: 'D', name: '电力、热力、燃气及水生产和供应业' },
  { code: 'E', name: '建筑业' },
  { code: 'F', name: '批发和零售业' },
  { code: 'G', name: '交通运输、仓储和邮政业' },
  { code: 'H', name: '住宿和餐饮业' },
  { code: 'I', name: '信息传输、软件和信息技术服务业' },
  { code: 'J', name: '金融业' },
  { code: 'K', name: '房地产业' },
  { code: 'L', name: '租赁和商务服务业' },
  { code: 'M', name: '科学研究和技术服务业' },
  { code: 'N', name: '水利、环境和公共设施管理业' },
  { code: 'O', name: '居民服务、修理和其他服务业' },
  { code: 'P', name: '教育' },
  { code: 'Q', name: '卫生和社会工作' },
  { code: 'R', name: '文化、体育和娱乐业' },
  { code: 'S', name: '公共管理、社会保障和社会组织' },
  { code: 'T', name: '国际组织' },
];

/** The sections' names in English (GB/T 4754-2017 as the National Bureau of Statistics renders them), for bilingual messages. */
export const industrySectionNamesEn: Record<string, string> = {
  A: 'agriculture, forestry, animal husbandry and fishery',
  B: 'mining',
  C: 'manufacturing',
  D: 'production and supply of electricity, heat, gas and water',
  E: 'construction',
  F: 'wholesale and retail trade',
  G: 'transport, storage and post',
  H: 'accommodation and catering',
  I: 'information transmission, software and information technology services',
  J: 'finance',
  K: 'real estate',
  L: 'leasing and business services',
  M: 'scientific research and technical services',
  N: 'management of water conservancy, environment and public facilities',
  O: 'resident services, repair and other services',
  P: 'education',
  Q: 'health and social work',
  R: 'culture, sports and entertainment',
  S: 'public administration, social security and social organisations',
  T: 'international organisations',
};

/** The districts' names in English, as the city writes them, for bilingual messages. */
export const districtNamesEn: Record<string, string> = {
  '370202': 'Shinan District',
  '370203': 'Shibei District',
  '370211': 'Huangdao District',
  '370212': 'Laoshan District',
  '370213': 'Licang District',
  '370214': 'Chengyang District',
  '370215': 'Jimo District',
  '370281': 'Jiaozhou City',
  '370283': 'Pingdu City',
  '370285': 'Laixi City',
};

export { campaign };

const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/**
 * A well-formed credit code (valid check character) derived from a district and a sample number:
 * the same on every machine, so the sample data of different slices (and the tests) agree on who
 * the sample enterprises are.
 */
export function sampleCreditCode(districtCode: string, serial: number): string {
  let body = '';
  let n = serial * 7919 + 104729;
  for (let i = 0; i < 9; i++) {
    body += ORG_ALPHABET[n % 31];
    n = Math.floor(n / 31) + 17 * (i + 1);
  }
  const first17 = `91${districtCode}${body}`;
  return first17 + creditCodeCheckCharacter(first17);
}

const sampleNames = [
  ['海洋科技有限公司', 'M7320', 'SMALL', ['HIGH_TECH', 'TECH_SME']],
  ['智能制造股份有限公司', 'C3484', 'MEDIUM', ['HIGH_TECH', 'SPECIALIZED_SME']],
  ['港口物流有限公司', 'G5532', 'LARGE', []],
  ['食品加工有限公司', 'C1391', 'SMALL', ['SPECIALIZED_SME']],
  ['软件信息技术有限公司', 'I6513', 'MICRO', ['TECH_SME']],
  ['建筑工程有限公司', 'E4812', 'MEDIUM', []],
] as const;

/** The sample market entities: two to four per district, names ending in （样例）. */
export function sampleEnterprises() {
  return referenceDistricts.flatMap((district, d) =>
    sampleNames.slice(0, 2 + (d % 3)).map(([suffix, industry, size, qualifications], i) => ({
      creditCode: sampleCreditCode(district.code, d * 10 + i + 1),
      name: `青岛${district.name.replace(/[区市]$/, '')}${suffix}（样例）`,
      districtCode: district.code,
      industryCode: industry,
      sizeClass: size,
      // Registered between 2008 and 2022, so "years since registration" varies.
      registeredOn: `${2008 + ((d * 7 + i * 3) % 15)}-0${1 + ((d + i) % 9)}-15`,
      qualifications: [...qualifications],
    })),
  );
}

/**
 * The reference organisation as the unit directory reads it (every unit active, the districts' and
 * domains' codes): what a slice's sample data plays against before any unit has changed.
 */
export function referenceOrganisation() {
  return {
    units: referenceUnits.map((unit) => ({ ...unit, archived: false })),
    districts: referenceDistricts.map((district) => district.code),
    domains: campaign.domains.map((domain) => domain.code),
  };
}
