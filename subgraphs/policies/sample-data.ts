/**
 * Sample policies for trying the platform out: played through the real use cases (so every sample
 * has a true history), dated relative to the day they are loaded, so the picture is live — a policy
 * in consultation, published ones with items and interpretations, an amendment, a repeal, news, and
 * applications at every step: under review, returned and resubmitted, in public notice with an open
 * objection, paid and rated, refused, an automatic grant partly paid, a review and a payment overdue.
 * Everything is flagged `sample` and named （样例）. Loaded on the embedded default and by
 * `npm run seed:sample`; loading twice adds nothing.
 */
import type { Db } from '../../db/client.ts';
import type { Viewer } from '../../platform/auth.ts';
import { DEFAULT_OFFICE_HOURS, parseOfficeHours } from '../../platform/calendar.ts';
import { present } from '../../platform/invariant.ts';
import { Directory, staticDirectory } from '../../platform/directory.ts';
import { referenceCalendarYears } from '../../db/reference/holidays.ts';
import { referenceOrganisation, sampleCreditCode, sampleEnterprises, unitIdForCode } from '../../db/reference/organisation.ts';
import { createPoliciesContext, type PoliciesContext } from './context.ts';
import type { EnterpriseProfile } from './eligibility.ts';
import { createPoliciesLoaders } from './loaders.ts';
import { staticCalendar, staticEnterprises } from './remote.ts';
import type { CreatePolicyInput, PolicyItemInput } from './schema-types.ts';
import { sampleStore, type ItemRow, type PolicyRow } from './store.ts';
import * as applicationReads from './use-cases/application-reads.ts';
import * as applications from './use-cases/applications.ts';
import * as consultation from './use-cases/consultation.ts';
import * as documents from './use-cases/documents.ts';
import * as items from './use-cases/items.ts';
import * as news from './use-cases/news.ts';
import * as notice from './use-cases/notice.ts';
import * as payment from './use-cases/payment.ts';
import * as review from './use-cases/review.ts';

const SAMPLE_SUBJECT_PREFIX = 'sample:';
const DAY_MS = 86_400_000;

/** Who acts in the sample, on the sample's clock (days before the day of loading), and how many samples were made. */
interface Cast {
  /** Moves the clock to `offset` days from the day of loading, at a Beijing hour. */
  at(offset: number, hour?: number): void;
  /** That instant, without moving the clock. */
  day(offset: number, hour?: number): Date;
  /** That day, as a date. */
  date(offset: number): string;
  admin(code: string): PoliciesContext;
  staff(code: string): PoliciesContext;
  enterprise(district: string, serial: number): PoliciesContext;
  office: PoliciesContext;
  created: number;
}

/** The cast: each actor a context of its own, on the reference organisation, the holidays and the sample enterprises. */
function castOf(db: Db, now: Date): Cast {
  const directory = staticDirectory(Directory.of(referenceOrganisation()));
  const calendar = staticCalendar(referenceCalendarYears());
  const officeHours = present(parseOfficeHours(DEFAULT_OFFICE_HOURS), 'office hours');
  const profiles: EnterpriseProfile[] = sampleEnterprises().map((e) => ({
    ...e,
    sizeClass: e.sizeClass,
    qualifications: e.qualifications,
  }));
  const enterprises = staticEnterprises(profiles);
  // Days before the day of loading, at a given Beijing hour.
  const today = new Date(now);
  const day = (offset: number, hour = 10) => {
    const beijing = new Date(today.getTime() + 8 * 3_600_000 + offset * DAY_MS);
    return new Date(`${beijing.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00+08:00`);
  };
  let clock = day(0);
  const as = (who: Omit<Viewer, 'subject'> & { name: string }) => {
    const { name, ...rest } = who;
    const viewer: Viewer = { ...rest, subject: `${SAMPLE_SUBJECT_PREFIX}${name}` };
    return createPoliciesContext({
      db,
      viewer,
      loaders: createPoliciesLoaders(db, directory, () => clock),
      directory,
      calendar,
      officeHours,
      enterprises,
      now: () => clock,
      maxPageSize: 100,
    });
  };
  const unit = unitIdForCode;
  return {
    at: (offset, hour = 10) => {
      clock = day(offset, hour);
    },
    day,
    date: (offset) => new Date(day(offset).getTime() + 8 * 3_600_000).toISOString().slice(0, 10),
    admin: (code) => as({ name: `admin-${code}`, role: 'UNIT_ADMIN', unitId: unit(code), enterprise: null }),
    staff: (code) => as({ name: `staff-${code}`, role: 'UNIT_STAFF', unitId: unit(code), enterprise: null }),
    enterprise: (district, serial) => {
      const code = sampleCreditCode(district, serial);
      return as({ name: `enterprise-${code}`, role: 'ENTERPRISE', unitId: null, enterprise: code });
    },
    office: as({ name: 'command-office', role: 'COMMAND_OFFICE', unitId: unit('COMMAND_OFFICE'), enterprise: null }),
    created: 0,
  };
}

/** A policy published with its items: by whom, when (days before loading; published a day later), what. */
interface PublishedSample {
  unit: string;
  offset: number;
  policy: CreatePolicyInput & { documentNumber: string };
  items: PolicyItemInput[];
}

async function published(cast: Cast, { unit, offset, policy, items: itemInputs }: PublishedSample): Promise<PolicyRow> {
  const who = cast.admin(unit);
  cast.at(offset);
  const { documentNumber, ...draft } = policy;
  const row = await documents.createPolicy(who, { input: draft });
  for (const item of itemInputs) await items.createPolicyItem(who, { policyId: row.id, input: item });
  cast.at(offset + 1);
  cast.created++;
  return documents.publishPolicy(who, { id: row.id, input: { documentNumber } });
}

const SMART_MANUFACTURING: PublishedSample = {
  unit: 'INDUSTRY_IT_BUREAU',
  offset: -150,
  policy: {
    level: 'MUNICIPAL',
    environment: 'FACTOR',
    title: '青岛市推进制造业智能化改造和数字化转型若干政策（样例）',
    documentNumber: '青工信规〔2026〕4号（样例）',
    summary: '支持工业企业智能化改造、数字化车间和智能工厂建设，奖励首台（套）重大技术装备。（样例数据）',
    text:
      '一、对工业企业实施的智能化改造项目，按设备投资额的10%给予补助，最高1000万元。二、对新认定的市级数字化车间、智能工厂分别奖补50万元、100万元。' +
      '三、对首台（套）重大技术装备研制企业给予奖励，最高300万元。四、对上云用云的中小企业给予服务券补贴。（样例数据）',
  },
  items: [
    {
      name: '智能化改造设备投资补助（样例）',
      kind: 'SUBSIDY',
      description: '工业企业实施智能化技术改造，按生产性设备投资额的10%给予补助，最高1000万元。（样例数据）',
      amount: { kind: 'RATE', rate: 0.1, amount: 10_000_000, base: '生产性设备投资额' },
      requiredMaterials: ['项目备案文件', '设备购置发票'],
      reviewWorkingDays: 30,
      paymentWorkingDays: 20,
      eligibility: { industryCodePrefixes: ['C'] },
    },
    {
      name: '数字化车间和智能工厂奖补（样例）',
      kind: 'REWARD',
      description: '新认定的市级数字化车间奖补50万元，智能工厂奖补100万元。（样例数据）',
      amount: { kind: 'CAPPED', amount: 1_000_000 },
      reviewWorkingDays: 20,
      paymentWorkingDays: 20,
      eligibility: { industryCodePrefixes: ['C'], sizeClasses: ['LARGE', 'MEDIUM'] },
    },
    {
      name: '首台（套）重大技术装备奖励（样例）',
      kind: 'REWARD',
      description: '对研制首台（套）重大技术装备并实现销售的企业，按销售额的20%给予奖励，最高300万元。（样例数据）',
      amount: { kind: 'RATE', rate: 0.2, amount: 3_000_000, base: '首台（套）装备销售额' },
      requiredMaterials: ['首台（套）认定文件', '销售合同'],
      reviewWorkingDays: 20,
      paymentWorkingDays: 15,
      eligibility: { industryCodePrefixes: ['C34', 'C35'] },
    },
  ],
};

const GRADUATES: PublishedSample = {
  unit: 'HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU',
  offset: -120,
  policy: {
    level: 'MUNICIPAL',
    environment: 'HUMANISTIC',
    title: '青岛市支持高校毕业生就业创业若干措施（样例）',
    documentNumber: '青人社发〔2026〕12号（样例）',
    text:
      '一、高校毕业生首次创办小微企业并正常经营一年以上的，给予一次性创业补贴1万元。二、个人创业可申请最高30万元创业担保贷款，按规定给予贴息。' +
      '三、企业招用离校两年内高校毕业生并缴纳社会保险的，给予一次性吸纳就业补贴。四、不裁员或少裁员的参保企业，返还上年度实际缴纳失业保险费的60%。（样例数据）',
  },
  items: [
    {
      name: '高校毕业生一次性创业补贴（样例）',
      kind: 'SUBSIDY',
      description: '高校毕业生首次创办小微企业、正常经营一年以上的，给予一次性创业补贴1万元。（样例数据）',
      amount: { kind: 'FIXED', amount: 10_000 },
      requiredMaterials: ['毕业证书', '营业执照'],
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
      eligibility: { sizeClasses: ['SMALL', 'MICRO'], maxYearsRegistered: 3 },
    },
    {
      name: '创业担保贷款贴息（样例）',
      kind: 'SUBSIDY',
      description: '个人最高30万元、小微企业最高300万元的创业担保贷款，财政按规定贴息。（样例数据）',
      amount: { kind: 'CAPPED', amount: 3_000_000 },
      requiredMaterials: ['借款合同', '利息支付凭证'],
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
      eligibility: { sizeClasses: ['SMALL', 'MICRO'] },
    },
    {
      name: '失业保险稳岗返还（样例）',
      kind: 'FEE_RELIEF',
      description: '不裁员或少裁员的参保企业，按上年度实际缴纳失业保险费的60%返还，免申即办。（样例数据）',
      amount: { kind: 'RATE', rate: 0.6, amount: 5_000_000, base: '上年度失业保险费' },
      reviewWorkingDays: 10,
      paymentWorkingDays: 10,
    },
  ],
};

const CROSS_BORDER: PublishedSample = {
  unit: 'COMMERCE_BUREAU',
  offset: -100,
  policy: {
    level: 'MUNICIPAL',
    environment: 'MARKET',
    title: '青岛市促进跨境电子商务高质量发展若干措施（样例）',
    documentNumber: '青商发〔2026〕6号（样例）',
    summary: '支持跨境电商海外仓建设、跨境电商产业园和品牌出海。（样例数据）',
    text:
      '一、对在境外新建或租赁公共海外仓、面积达到5000平方米的企业，给予一次性奖励100万元。二、对认定的市级跨境电商产业园给予运营补贴。' +
      '三、对跨境电商企业在境外注册商标、参加国际展会给予费用补助。（样例数据）',
  },
  items: [
    {
      name: '跨境电商公共海外仓奖励（样例）',
      kind: 'REWARD',
      description: '新建或租赁公共海外仓面积达到5000平方米的，一次性奖励100万元。（样例数据）',
      amount: { kind: 'FIXED', amount: 1_000_000 },
      requiredMaterials: ['海外仓租赁合同', '仓储面积证明'],
      reviewWorkingDays: 20,
      paymentWorkingDays: 20,
      eligibility: { industryCodePrefixes: ['F', 'G'] },
    },
    {
      name: '境外商标注册和国际展会费用补助（样例）',
      kind: 'SUBSIDY',
      description: '跨境电商企业境外注册商标、参加国际展会的费用，按50%给予补助，最高20万元。（样例数据）',
      amount: { kind: 'RATE', rate: 0.5, amount: 200_000, base: '境外商标注册和展会费用' },
      reviewWorkingDays: 20,
      paymentWorkingDays: 15,
    },
  ],
};

const FINANCING: PublishedSample = {
  unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU',
  offset: -90,
  policy: {
    level: 'MUNICIPAL',
    environment: 'FACTOR',
    title: '青岛市缓解中小企业融资难融资贵若干措施（样例）',
    documentNumber: '青金发〔2026〕2号（样例）',
    text:
      '一、政府性融资担保机构为小微企业提供担保的，担保费率降至1%以下，财政给予担保费补贴。二、企业首次获得银行贷款的，按贷款利息的50%给予首贷贴息，最高50万元。' +
      '三、推广知识产权质押融资，对质押贷款给予贴息和评估费补助。（样例数据）',
  },
  items: [
    {
      name: '小微企业融资担保费补贴（样例）',
      kind: 'SUBSIDY',
      description: '小微企业通过政府性融资担保机构获得贷款担保的，按担保费的50%给予补贴。（样例数据）',
      amount: { kind: 'RATE', rate: 0.5, amount: 200_000, base: '担保费' },
      requiredMaterials: ['担保合同', '担保费缴纳凭证'],
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
      eligibility: { sizeClasses: ['SMALL', 'MICRO'] },
    },
    {
      name: '首贷贴息（样例）',
      kind: 'SUBSIDY',
      description: '企业首次获得银行贷款的，按实际支付利息的50%给予贴息，最高50万元。（样例数据）',
      amount: { kind: 'RATE', rate: 0.5, amount: 500_000, base: '首贷利息' },
      requiredMaterials: ['贷款合同', '付息凭证'],
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
    },
    {
      name: '知识产权质押融资贴息（样例）',
      kind: 'SUBSIDY',
      description: '以专利、商标质押获得贷款的，给予贷款利息和评估费补助，最高30万元。（样例数据）',
      amount: { kind: 'CAPPED', amount: 300_000 },
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
      eligibility: { qualifications: ['HIGH_TECH', 'TECH_SME'] },
    },
  ],
};

const CULTURE_TOURISM: PublishedSample = {
  unit: 'CULTURE_TOURISM_BUREAU',
  offset: -70,
  policy: {
    level: 'MUNICIPAL',
    environment: 'MARKET',
    title: '青岛市促进文化和旅游消费若干措施（样例）',
    documentNumber: '青文旅发〔2026〕3号（样例）',
    text: '一、旅行社组织境外游客来青旅游、入住两晚以上的，按人数给予招徕奖励。二、对新评定的A级旅游景区给予一次性奖励。三、发放文旅消费券。（样例数据）',
  },
  items: [
    {
      name: '旅行社入境游招徕奖励（样例）',
      kind: 'REWARD',
      description: '旅行社组织境外游客来青旅游、入住两晚以上的，每人奖励100元。（样例数据）',
      amount: { kind: 'CAPPED', amount: 500_000 },
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
      eligibility: { industryCodePrefixes: ['L'] },
    },
    {
      name: 'A级旅游景区创建奖励（样例）',
      kind: 'REWARD',
      description: '新评定为5A级旅游景区的奖励500万元，4A级奖励100万元。（样例数据）',
      amount: { kind: 'CAPPED', amount: 5_000_000 },
      reviewWorkingDays: 20,
      paymentWorkingDays: 20,
    },
  ],
};

const CONSTRUCTION_APPROVAL: PublishedSample = {
  unit: 'ADMINISTRATIVE_APPROVAL_BUREAU',
  offset: -130,
  policy: {
    level: 'MUNICIPAL',
    environment: 'SERVICE',
    title: '青岛市深化工程建设项目审批制度改革实施方案（样例）',
    documentNumber: '青审批发〔2026〕1号（样例）',
    summary: '社会投资简易低风险项目从立项到不动产登记全流程不超过15个工作日。（样例数据）',
    text: '一、推行施工许可告知承诺制，材料齐全的当场办结。二、竣工联合验收一次申请、并联办理。三、水电气暖报装与施工许可同步办理，接入全程网办。（样例数据）',
  },
  items: [],
};

const TAX_RELIEF: PublishedSample = {
  unit: 'TAXATION_BUREAU',
  offset: -110,
  policy: {
    level: 'MUNICIPAL',
    environment: 'POLICY',
    title: '小微企业和个体工商户税费优惠政策指引（样例）',
    documentNumber: '青税发〔2026〕8号（样例）',
    text:
      '一、小规模纳税人月销售额10万元以下的，免征增值税。二、小型微利企业年应纳税所得额不超过300万元的部分，减按25%计入应纳税所得额。' +
      '三、研发费用按100%在税前加计扣除。四、对个体工商户减半征收个人所得税。（样例数据）',
  },
  items: [
    {
      name: '小规模纳税人增值税减免（样例）',
      kind: 'TAX_RELIEF',
      description: '小规模纳税人月销售额10万元以下（含）的，免征增值税，申报即享。（样例数据）',
      amount: { kind: 'CAPPED', amount: 120_000 },
      reviewWorkingDays: 10,
      paymentWorkingDays: 10,
      eligibility: { sizeClasses: ['SMALL', 'MICRO'] },
    },
    {
      name: '研发费用税前加计扣除（样例）',
      kind: 'TAX_RELIEF',
      description: '企业开展研发活动实际发生的研发费用，按100%在税前加计扣除。（样例数据）',
      amount: { kind: 'RATE', rate: 1, amount: 100_000_000, base: '研发费用' },
      reviewWorkingDays: 10,
      paymentWorkingDays: 10,
    },
  ],
};

/** 1. 科技局: a policy drafted, consulted, published with three items, interpreted. */
async function sciencePolicy(cast: Cast) {
  const { at, date, admin, enterprise } = cast;
  // ── 1. 科技局: a policy drafted, consulted, published with three items, interpreted ──
  const science = admin('SCIENCE_TECHNOLOGY_BUREAU');
  at(-80);
  let tech = await documents.createPolicy(science, {
    input: {
      level: 'MUNICIPAL',
      environment: 'POLICY',
      title: '青岛市支持科技型企业创新发展若干政策措施（样例）',
      summary: '对新认定的高新技术企业给予奖励，对企业研发投入给予补助，科技型中小企业免申即享。（样例数据）',
      text:
        '为深入实施创新驱动发展战略，优化科技创新政策环境，制定本措施。一、对首次认定的高新技术企业给予一次性奖励20万元。' +
        '二、对规模以上工业企业、软件和信息技术服务企业的研发投入，按上年度研发费用的10%给予补助，最高500万元。' +
        '三、对入库的科技型中小企业给予5万元奖励，免申即享，资金直达企业。四、本措施自发布之日起施行，有效期三年。（样例数据）',
    },
  });
  cast.created++;
  at(-79);
  tech = await documents.openConsultation(science, { id: tech.id, endsOn: date(-65) });
  at(-75);
  const comment = await consultation.commentOnPolicy(enterprise('370202', 1), {
    policyId: tech.id,
    text: '建议研发费用补助不设成立年限门槛，初创企业同样需要支持。（样例）',
  });
  at(-66);
  await consultation.answerPolicyComment(science, {
    commentId: comment.id,
    answer: '已部分采纳：成立年限要求由三年调整为一年。（样例）',
    adopted: true,
  });
  const reward = await items.createPolicyItem(science, {
    policyId: tech.id,
    input: {
      name: '高新技术企业认定奖励（样例）',
      kind: 'REWARD',
      description: '对首次认定的高新技术企业一次性奖励20万元。（样例数据）',
      amount: { kind: 'FIXED', amount: 200_000 },
      requiredMaterials: ['高新技术企业证书', '营业执照'],
      reviewWorkingDays: 20,
      paymentWorkingDays: 15,
      eligibility: { qualifications: ['HIGH_TECH'] },
    },
  });
  const research = await items.createPolicyItem(science, {
    policyId: tech.id,
    input: {
      name: '企业研发投入补助（样例）',
      kind: 'SUBSIDY',
      description: '按上年度研发费用的10%给予补助，最高500万元。（样例数据）',
      amount: { kind: 'RATE', rate: 0.1, amount: 5_000_000, base: '上年度研发费用' },
      requiredMaterials: ['研发费用专项审计报告'],
      reviewWorkingDays: 20,
      paymentWorkingDays: 20,
      eligibility: { industryCodePrefixes: ['C', 'I', 'M'], minYearsRegistered: 1 },
    },
  });
  const automatic = await items.createPolicyItem(science, {
    policyId: tech.id,
    input: {
      name: '科技型中小企业奖励·免申即享（样例）',
      kind: 'REWARD',
      description: '入库科技型中小企业无需申报，奖励5万元直达企业。（样例数据）',
      amount: { kind: 'FIXED', amount: 50_000 },
      reviewWorkingDays: 10,
      paymentWorkingDays: 15,
      eligibility: { qualifications: ['TECH_SME'] },
      automatic: true,
    },
  });
  at(-62);
  tech = await documents.publishPolicy(science, { id: tech.id, input: { documentNumber: '青科规〔2026〕3号（样例）' } });
  at(-61);
  await documents.addInterpretation(science, {
    policyId: tech.id,
    input: {
      title: '一图读懂科技型企业创新发展政策（样例）',
      text: '高新技术企业认定奖励20万元；研发投入按10%补助、最高500万元；科技型中小企业奖励免申即享。（样例数据）',
    },
  });
  return { tech, reward, research, automatic };
}

/** 2. 人社局: a published policy amended a month ago. */
async function amendedPolicy(cast: Cast) {
  const { at, admin } = cast;
  // ── 2. 人社局: a published policy amended a month ago ──
  const hr = admin('HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU');
  at(-240);
  let jobs = await documents.createPolicy(hr, {
    input: {
      level: 'MUNICIPAL',
      environment: 'SERVICE',
      title: '青岛市小微企业吸纳就业补贴办法（样例）',
      documentNumber: '青人社规〔2026〕1号（样例）',
      text: '小微企业吸纳登记失业人员就业并缴纳社会保险的，按每人每月500元给予补贴，最高3万元。（样例数据）',
    },
  });
  cast.created++;
  const hiring = await items.createPolicyItem(hr, {
    policyId: jobs.id,
    input: {
      name: '小微企业吸纳就业补贴（样例）',
      kind: 'SUBSIDY',
      description: '按实际吸纳人数给予补贴，最高3万元。（样例数据）',
      amount: { kind: 'CAPPED', amount: 30_000 },
      requiredMaterials: ['社保缴费明细'],
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
      eligibility: { sizeClasses: ['SMALL', 'MICRO'] },
    },
  });
  at(-238);
  jobs = await documents.publishPolicy(hr, { id: jobs.id, input: null });
  at(-30);
  await documents.amendPolicy(hr, {
    id: jobs.id,
    input: {
      documentNumber: '青人社规〔2026〕7号（样例）',
      changeNote: '补贴标准由每人每月500元提高到600元。（样例）',
      text: '小微企业吸纳登记失业人员就业并缴纳社会保险的，按每人每月600元给予补贴，最高3万元。（样例数据）',
    },
  });
  return { jobs, hiring };
}

/** 3. 崂山区: a district policy. */
async function districtPolicy(cast: Cast): Promise<void> {
  const { at, admin } = cast;
  // ── 3. 崂山区: a district policy ──
  const laoshan = admin('LAOSHAN_DISTRICT');
  at(-45);
  const district = await documents.createPolicy(laoshan, {
    input: {
      level: 'DISTRICT',
      districtCode: '370212',
      environment: 'POLICY',
      title: '崂山区支持专精特新企业高质量发展若干措施（样例）',
      documentNumber: '崂政发〔2026〕5号（样例）',
      text: '对新认定的专精特新中小企业给予10万元奖励。（样例数据）',
    },
  });
  cast.created++;
  await items.createPolicyItem(laoshan, {
    policyId: district.id,
    input: {
      name: '专精特新中小企业培育奖励（样例）',
      kind: 'REWARD',
      description: '对新认定的专精特新中小企业一次性奖励10万元。（样例数据）',
      amount: { kind: 'FIXED', amount: 100_000 },
      reviewWorkingDays: 15,
      paymentWorkingDays: 15,
      eligibility: { qualifications: ['SPECIALIZED_SME'] },
    },
  });
  at(-44);
  await documents.publishPolicy(laoshan, { id: district.id, input: null });
}

/** 4. 工信局: an old policy, repealed. */
async function repealedPolicy(cast: Cast): Promise<void> {
  const { at, admin } = cast;
  // ── 4. 工信局: an old policy, repealed ──
  const industry = admin('INDUSTRY_IT_BUREAU');
  at(-420);
  const old = await documents.createPolicy(industry, {
    input: {
      level: 'MUNICIPAL',
      environment: 'FACTOR',
      title: '青岛市工业企业技术改造奖励办法（样例）',
      documentNumber: '青工信规〔2025〕2号（样例）',
      text: '对技术改造项目按设备投资额给予奖励。（样例数据）',
    },
  });
  cast.created++;
  at(-419);
  await documents.publishPolicy(industry, { id: old.id, input: null });
  at(-20);
  await documents.repealPolicy(industry, { id: old.id, reason: '已被新出台的制造业高质量发展政策取代。（样例）' });
}

/** 5. 商务局: a draft open for consultation now. */
async function consultedDraft(cast: Cast): Promise<void> {
  const { at, date, admin, enterprise } = cast;
  // ── 5. 商务局: a draft open for consultation now ──
  const commerce = admin('COMMERCE_BUREAU');
  at(-6);
  const draft = await documents.createPolicy(commerce, {
    input: {
      level: 'MUNICIPAL',
      environment: 'MARKET',
      title: '青岛市外贸企业出口信用保险保费补贴办法（征求意见稿）（样例）',
      text: '对外贸企业投保短期出口信用保险的保费给予50%补贴。（样例数据）',
    },
  });
  cast.created++;
  at(-5);
  await documents.openConsultation(commerce, { id: draft.id, endsOn: date(10) });
  at(-3);
  await consultation.commentOnPolicy(enterprise('370211', 41), {
    policyId: draft.id,
    text: '建议将补贴比例提高至60%，并覆盖中长期险种。（样例）',
  });
}

/** 6. More published policies (their documents are the constants above), one interpreted. */
async function publishedPolicies(cast: Cast) {
  const { at } = cast;
  // ── 6. more published policies, the kind an enterprise looks for (search and matching have
  // something to find among neighbours that share words) ──
  const smart = await published(cast, SMART_MANUFACTURING);
  const graduates = await published(cast, GRADUATES);
  await published(cast, CROSS_BORDER);
  const loans = await published(cast, FINANCING);
  await published(cast, CULTURE_TOURISM);
  await published(cast, CONSTRUCTION_APPROVAL);
  await published(cast, TAX_RELIEF);
  const hr = cast.admin('HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU');
  at(-85);
  await documents.addInterpretation(hr, {
    policyId: graduates.id,
    input: {
      title: '高校毕业生创业补贴和担保贷款政策问答（样例）',
      text: '问：创业担保贷款需要抵押吗？答：个人最高30万元的创业担保贷款由政府性融资担保机构担保，无需抵押。（样例数据）',
    },
  });
  return { smart, graduates, loans };
}

/** 7. News, naming the policies they are about. */
async function policyNews(
  cast: Cast,
  { smart, graduates, loans, tech, jobs }: Record<'smart' | 'graduates' | 'loans' | 'tech' | 'jobs', PolicyRow>,
): Promise<void> {
  const { admin, at, office } = cast;
  const industry = admin('INDUSTRY_IT_BUREAU');
  const hr = admin('HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU');
  const finance = admin('LOCAL_FINANCIAL_REGULATION_BUREAU');
  const science = admin('SCIENCE_TECHNOLOGY_BUREAU');
  // ── 7. news ──
  at(-140);
  await news.publishPolicyNews(industry, {
    input: {
      title: '智能化改造设备投资补助开始申报（样例）',
      text: '市工业和信息化局受理2026年度智能化技术改造项目申报，按设备投资额的10%给予补助。（样例数据）',
      policyIds: [smart.id],
    },
  });
  at(-115);
  await news.publishPolicyNews(hr, {
    input: {
      title: '高校毕业生创业可领一次性补贴（样例）',
      text: '首次创办小微企业的高校毕业生可申请1万元一次性创业补贴和最高30万元创业担保贷款。（样例数据）',
      policyIds: [graduates.id],
    },
  });
  at(-88);
  await news.publishPolicyNews(finance, {
    input: {
      title: '首贷贴息政策落地，已有百余家企业获得贴息（样例）',
      text: '缓解中小企业融资难融资贵若干措施实施以来，首次获得银行贷款的企业获得利息补贴。（样例数据）',
      policyIds: [loans.id],
    },
  });
  at(-50);
  await news.publishPolicyNews(office, {
    input: {
      title: '全市营商环境专项行动推进会召开（样例）',
      text: '会议通报了问题线索办理和惠企政策兑现情况，部署下一阶段重点任务。（样例数据）',
    },
  });
  at(-60);
  await news.publishPolicyNews(science, {
    input: {
      title: '科技型企业创新发展政策正式发布（样例）',
      text: '市科技局发布支持科技型企业创新发展若干政策措施，科技型中小企业奖励免申即享。（样例数据）',
      policyIds: [tech.id],
    },
  });
  at(-29);
  await news.publishPolicyNews(hr, {
    input: {
      title: '小微企业吸纳就业补贴标准提高（样例）',
      text: '补贴标准由每人每月500元提高到600元。（样例数据）',
      policyIds: [jobs.id],
    },
  });
  at(-19);
  await news.publishPolicyNews(office, {
    input: {
      title: '“青岛政策通”一口发布、一口兑现（样例）',
      text: '全市惠企政策统一发布、统一兑现，企业可以查询申报进度并评价。（样例数据）',
    },
  });
}

/** 8a. Applications paid and rated, and in public notice with objections. */
async function applicationsPaidAndNoticed(
  cast: Cast,
  { reward }: Pick<Record<'reward' | 'research' | 'automatic' | 'hiring', ItemRow>, 'reward'>,
): Promise<void> {
  const { at, date, staff, enterprise } = cast;
  // ── 8. applications at every step ──
  const reviewer = staff('SCIENCE_TECHNOLOGY_BUREAU');
  const shinan = enterprise('370202', 1); // 高新技术企业、科技型中小企业, small, 2008
  const shibei = enterprise('370203', 11); // same profile in 市北区
  const materials = [
    { name: '高新技术企业证书', reference: 'sample://files/cert' },
    { name: '营业执照', reference: 'sample://files/licence' },
  ];

  // Paid and rated: returned once for a missing file, resubmitted, approved, noticed, paid.
  at(-55);
  let a = await applications.submitApplication(shinan, { input: { clientRequestId: 'sample-1', itemId: reward.id, materials } });
  at(-52);
  a = await review.startReview(reviewer, { id: a.id });
  at(-50);
  a = await review.returnApplication(reviewer, {
    id: a.id,
    reason: '高新技术企业证书扫描件不清晰，请重新上传。（样例）',
    missingMaterials: ['高新技术企业证书'],
  });
  at(-48);
  a = await review.resubmitApplication(shinan, {
    id: a.id,
    input: { materials: [{ name: '高新技术企业证书', reference: 'sample://files/cert-v2' }] },
  });
  at(-40);
  a = await review.approveApplication(reviewer, { id: a.id, amount: 200_000, note: null });
  at(-39);
  a = await notice.startPublicNotice(reviewer, { id: a.id, endsOn: null });
  at(-25);
  a = await payment.recordDisbursement(reviewer, {
    id: a.id,
    input: { amount: 200_000, paidOn: date(-25), paymentReference: 'QDCZ-2026-000318（样例）' },
  });
  at(-24);
  await payment.rateApplication(shinan, { id: a.id, level: 'VERY_SATISFIED', comment: '审核快、到账快。（样例）' });
  cast.created++;

  // In public notice with an objection not yet answered, and its repetition marked as a duplicate.
  at(-30);
  let b = await applications.submitApplication(shibei, { input: { clientRequestId: 'sample-2', itemId: reward.id, materials } });
  at(-8);
  b = await review.approveApplication(reviewer, { id: b.id, amount: null, note: null });
  at(-3);
  b = await notice.startPublicNotice(reviewer, { id: b.id, endsOn: null });
  at(-1, 15);
  const first = await notice.fileObjection(enterprise('370215', 61), {
    applicationId: b.id,
    input: { text: '该企业高新技术企业证书已过有效期。（样例）' },
  });
  at(-1, 16);
  const repeated = await notice.fileObjection(enterprise('370215', 61), {
    applicationId: b.id,
    input: { text: '再次反映：该企业高新技术企业证书已过有效期。（样例）' },
  });
  at(-1, 17);
  await notice.markObjections(reviewer, {
    applicationId: b.id,
    input: {
      objectionIds: [repeated.id],
      kind: 'DUPLICATE',
      duplicateOf: first.id,
      reason: '与同一来源此前的异议内容相同，合并答复。（样例）',
    },
  });
  cast.created++;
}

/** 8b. Applications under review, refused, imported, overdue, and an automatic grant partly paid. */
async function applicationsUnderWay(
  cast: Cast,
  { reward, research, automatic, hiring }: Record<'reward' | 'research' | 'automatic' | 'hiring', ItemRow>,
): Promise<void> {
  const { at, date, day, staff, enterprise } = cast;
  // ── 8. applications at every step (continued) ──
  const reviewer = staff('SCIENCE_TECHNOLOGY_BUREAU');
  const licang = enterprise('370213', 21);
  const materials = [
    { name: '高新技术企业证书', reference: 'sample://files/cert' },
    { name: '营业执照', reference: 'sample://files/licence' },
  ];

  // Under review, with a declared base.
  at(-12);
  const c = await applications.submitApplication(licang, {
    input: {
      clientRequestId: 'sample-3',
      itemId: research.id,
      declaredBase: 1_200_000,
      materials: [{ name: '研发费用专项审计报告', reference: 'sample://files/audit' }],
    },
  });
  at(-10);
  await review.startReview(reviewer, { id: c.id });
  cast.created++;

  // Refused, and the refusal rated.
  at(-35);
  const refused = await applications.submitApplication(enterprise('370214', 51), {
    input: { clientRequestId: 'sample-4', itemId: reward.id, materials },
  });
  at(-20);
  await review.rejectApplication(reviewer, { id: refused.id, reason: '经核查，企业不属于首次认定的高新技术企业。（样例）' });
  at(-18);
  await payment.rateApplication(enterprise('370214', 51), {
    id: refused.id,
    level: 'BASICALLY_SATISFIED',
    comment: '理由清楚，但希望申报前能提示。（样例）',
  });
  cast.created++;

  // Imported from the bureau's own system.
  at(-9);
  await applications.importApplication(reviewer, {
    input: {
      sourceSystem: 'kjj-xmsb',
      externalReference: 'KJ2026-0457（样例）',
      itemId: research.id,
      enterpriseCreditCode: sampleCreditCode('370202', 2),
      submittedAt: day(-11),
      declaredBase: 3_000_000,
      materials: [{ name: '研发费用专项审计报告', reference: 'kjj-xmsb://KJ2026-0457' }],
    },
  });
  cast.created++;

  // Waiting for review past its limit: 人社局 has not looked at it.
  at(-40);
  await applications.submitApplication(enterprise('370283', 81), {
    input: {
      clientRequestId: 'sample-5',
      itemId: hiring.id,
      requestedAmount: 18_000,
      materials: [{ name: '社保缴费明细', reference: 'sample://files/social' }],
    },
  });
  cast.created++;

  // 免申即享: granted without applications; the notice is over, two paid, the rest overdue for payment.
  at(-28);
  const run = await payment.runAutomaticGrants(reviewer, { itemId: automatic.id });
  cast.created += run.created;
  at(-10);
  const granted = await applicationReads.applications(reviewer, { filter: { itemId: automatic.id } }, { first: 100 });
  for (const edge of granted.edges.slice(0, 2)) {
    await payment.recordDisbursement(reviewer, {
      id: edge.node.id,
      input: {
        amount: 50_000,
        paidOn: date(-10),
        paymentReference: `QDCZ-2026-AUTO-${edge.node.number}（样例）`,
      },
    });
  }
}

export async function loadPoliciesSampleData(db: Db, options: { now: Date } = { now: new Date() }): Promise<number> {
  if ((await sampleStore.count(db)) > 0) return 0;
  const cast = castOf(db, options.now);
  const { tech, reward, research, automatic } = await sciencePolicy(cast);
  const { jobs, hiring } = await amendedPolicy(cast);
  await districtPolicy(cast);
  await repealedPolicy(cast);
  await consultedDraft(cast);
  const { smart, graduates, loans } = await publishedPolicies(cast);
  await policyNews(cast, { smart, graduates, loans, tech, jobs });
  await applicationsPaidAndNoticed(cast, { reward });
  await applicationsUnderWay(cast, { reward, research, automatic, hiring });
  await sampleStore.mark(db, SAMPLE_SUBJECT_PREFIX);
  return cast.created;
}
