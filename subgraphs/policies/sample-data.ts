/**
 * Sample policies for trying the platform out: played through the real service (so every sample
 * has a true history), dated relative to the day they are loaded, so the picture is live — a policy
 * in consultation, published ones with items and interpretations, an amendment, a repeal, news, and
 * applications at every step: under review, returned and resubmitted, in public notice with an open
 * objection, paid and rated, refused, an automatic grant partly paid, a review and a payment overdue.
 * Everything is flagged `sample` and named （样例）. Loaded on the embedded default and by
 * `npm run seed:sample`; loading twice adds nothing.
 */
import type { Db } from '../../db/client.ts';
import type { Viewer } from '../../platform/auth.ts';
import type { CalendarYear } from '../../platform/calendar.ts';
import { Directory, staticDirectory } from '../../platform/directory.ts';
import holidays from '../../db/reference/holidays.json' with { type: 'json' };
import { campaign, referenceDistricts, referenceUnits, sampleCreditCode, sampleEnterprises, unitIdForCode } from '../../db/reference/organisation.ts';
import type { EnterpriseProfile } from './eligibility.ts';
import { createPoliciesLoaders } from './loaders.ts';
import { staticCalendar, staticEnterprises } from './remote.ts';
import { createPoliciesService } from './service.ts';
import { sampleStore } from './store.ts';

const SAMPLE_SUBJECT_PREFIX = 'sample:';
const DAY_MS = 86_400_000;

export async function loadPoliciesSampleData(db: Db, options: { now: Date } = { now: new Date() }): Promise<number> {
  if ((await sampleStore.count(db)) > 0) return 0;

  const directory = staticDirectory(
    new Directory(
      referenceUnits.map((u) => ({ ...u, archived: false })),
      referenceDistricts.map((d) => d.code),
      campaign.domains.map((d) => d.code),
    ),
  );
  const calendar = staticCalendar(Object.entries(holidays.years).map(([year, y]): CalendarYear => ({ year: Number(year), off: y.off, workdays: y.workdays })));
  const profiles: EnterpriseProfile[] = sampleEnterprises().map((e) => ({ ...e, sizeClass: e.sizeClass, qualifications: e.qualifications }));
  const enterprises = staticEnterprises(profiles);

  // Days before the day of loading, at a given Beijing hour.
  const today = new Date(options.now);
  const day = (offset: number, hour = 10) => {
    const beijing = new Date(today.getTime() + 8 * 3_600_000 + offset * DAY_MS);
    return new Date(`${beijing.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00:00+08:00`);
  };
  const date = (offset: number) => new Date(day(offset).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  let clock = day(0);
  const at = (offset: number, hour = 10) => {
    clock = day(offset, hour);
  };
  const as = (who: Omit<Viewer, 'subject'> & { name: string }) => {
    const { name, ...rest } = who;
    const viewer: Viewer = { ...rest, subject: `${SAMPLE_SUBJECT_PREFIX}${name}` };
    return createPoliciesService({ db, viewer, loaders: createPoliciesLoaders(db, directory, () => clock), directory, calendar, enterprises, now: () => clock, maxPageSize: 100 });
  };
  const unit = unitIdForCode;
  const admin = (code: string) => as({ name: `admin-${code}`, role: 'UNIT_ADMIN', unitId: unit(code), enterprise: null });
  const staff = (code: string) => as({ name: `staff-${code}`, role: 'UNIT_STAFF', unitId: unit(code), enterprise: null });
  const enterprise = (district: string, serial: number) => {
    const code = sampleCreditCode(district, serial);
    return as({ name: `enterprise-${code}`, role: 'ENTERPRISE', unitId: null, enterprise: code });
  };
  const office = as({ name: 'command-office', role: 'COMMAND_OFFICE', unitId: unit('COMMAND_OFFICE'), enterprise: null });
  let created = 0;

  // ── 1. 科技局: a policy drafted, consulted, published with three items, interpreted ──
  const science = admin('SCIENCE_TECHNOLOGY_BUREAU');
  at(-80);
  let tech = await science.createPolicy({
    level: 'MUNICIPAL',
    environment: 'POLICY',
    title: '青岛市支持科技型企业创新发展若干政策措施（样例）',
    summary: '对新认定的高新技术企业给予奖励，对企业研发投入给予补助，科技型中小企业免申即享。（样例数据）',
    text:
      '为深入实施创新驱动发展战略，优化科技创新政策环境，制定本措施。一、对首次认定的高新技术企业给予一次性奖励20万元。' +
      '二、对规模以上工业企业、软件和信息技术服务企业的研发投入，按上年度研发费用的10%给予补助，最高500万元。' +
      '三、对入库的科技型中小企业给予5万元奖励，免申即享，资金直达企业。四、本措施自发布之日起施行，有效期三年。（样例数据）',
  });
  created++;
  at(-79);
  tech = await science.openConsultation(tech.id, date(-65));
  at(-75);
  const comment = await enterprise('370202', 1).commentOnPolicy(tech.id, '建议研发费用补助不设成立年限门槛，初创企业同样需要支持。（样例）');
  at(-66);
  await science.answerPolicyComment(comment.id, '已部分采纳：成立年限要求由三年调整为一年。（样例）', true);
  const reward = await science.createPolicyItem(tech.id, {
    name: '高新技术企业认定奖励（样例）',
    kind: 'REWARD',
    description: '对首次认定的高新技术企业一次性奖励20万元。（样例数据）',
    amount: { kind: 'FIXED', amount: 200_000 },
    requiredMaterials: ['高新技术企业证书', '营业执照'],
    reviewWorkingDays: 20,
    paymentWorkingDays: 15,
    eligibility: { qualifications: ['HIGH_TECH'] },
  });
  const research = await science.createPolicyItem(tech.id, {
    name: '企业研发投入补助（样例）',
    kind: 'SUBSIDY',
    description: '按上年度研发费用的10%给予补助，最高500万元。（样例数据）',
    amount: { kind: 'RATE', rate: 0.1, amount: 5_000_000, base: '上年度研发费用' },
    requiredMaterials: ['研发费用专项审计报告'],
    reviewWorkingDays: 20,
    paymentWorkingDays: 20,
    eligibility: { industryCodePrefixes: ['C', 'I', 'M'], minYearsRegistered: 1 },
  });
  const automatic = await science.createPolicyItem(tech.id, {
    name: '科技型中小企业奖励·免申即享（样例）',
    kind: 'REWARD',
    description: '入库科技型中小企业无需申报，奖励5万元直达企业。（样例数据）',
    amount: { kind: 'FIXED', amount: 50_000 },
    reviewWorkingDays: 10,
    paymentWorkingDays: 15,
    eligibility: { qualifications: ['TECH_SME'] },
    automatic: true,
  });
  at(-62);
  tech = await science.publishPolicy(tech.id, { documentNumber: '青科规〔2026〕3号（样例）' });
  at(-61);
  await science.addInterpretation(tech.id, {
    title: '一图读懂科技型企业创新发展政策（样例）',
    text: '高新技术企业认定奖励20万元；研发投入按10%补助、最高500万元；科技型中小企业奖励免申即享。（样例数据）',
  });

  // ── 2. 人社局: a published policy amended a month ago ──
  const hr = admin('HUMAN_RESOURCES_SOCIAL_SECURITY_BUREAU');
  at(-240);
  let jobs = await hr.createPolicy({
    level: 'MUNICIPAL',
    environment: 'SERVICE',
    title: '青岛市小微企业吸纳就业补贴办法（样例）',
    documentNumber: '青人社规〔2026〕1号（样例）',
    text: '小微企业吸纳登记失业人员就业并缴纳社会保险的，按每人每月500元给予补贴，最高3万元。（样例数据）',
  });
  created++;
  const hiring = await hr.createPolicyItem(jobs.id, {
    name: '小微企业吸纳就业补贴（样例）',
    kind: 'SUBSIDY',
    description: '按实际吸纳人数给予补贴，最高3万元。（样例数据）',
    amount: { kind: 'CAPPED', amount: 30_000 },
    requiredMaterials: ['社保缴费明细'],
    reviewWorkingDays: 15,
    paymentWorkingDays: 15,
    eligibility: { sizeClasses: ['SMALL', 'MICRO'] },
  });
  at(-238);
  jobs = await hr.publishPolicy(jobs.id, null);
  at(-30);
  await hr.amendPolicy(jobs.id, {
    documentNumber: '青人社规〔2026〕7号（样例）',
    changeNote: '补贴标准由每人每月500元提高到600元。（样例）',
    text: '小微企业吸纳登记失业人员就业并缴纳社会保险的，按每人每月600元给予补贴，最高3万元。（样例数据）',
  });

  // ── 3. 崂山区: a district policy ──
  const laoshan = admin('LAOSHAN_DISTRICT');
  at(-45);
  const district = await laoshan.createPolicy({
    level: 'DISTRICT',
    districtCode: '370212',
    environment: 'POLICY',
    title: '崂山区支持专精特新企业高质量发展若干措施（样例）',
    documentNumber: '崂政发〔2026〕5号（样例）',
    text: '对新认定的专精特新中小企业给予10万元奖励。（样例数据）',
  });
  created++;
  await laoshan.createPolicyItem(district.id, {
    name: '专精特新中小企业培育奖励（样例）',
    kind: 'REWARD',
    description: '对新认定的专精特新中小企业一次性奖励10万元。（样例数据）',
    amount: { kind: 'FIXED', amount: 100_000 },
    reviewWorkingDays: 15,
    paymentWorkingDays: 15,
    eligibility: { qualifications: ['SPECIALIZED_SME'] },
  });
  at(-44);
  await laoshan.publishPolicy(district.id, null);

  // ── 4. 工信局: an old policy, repealed ──
  const industry = admin('INDUSTRY_IT_BUREAU');
  at(-420);
  const old = await industry.createPolicy({
    level: 'MUNICIPAL',
    environment: 'FACTOR',
    title: '青岛市工业企业技术改造奖励办法（样例）',
    documentNumber: '青工信规〔2025〕2号（样例）',
    text: '对技术改造项目按设备投资额给予奖励。（样例数据）',
  });
  created++;
  at(-419);
  await industry.publishPolicy(old.id, null);
  at(-20);
  await industry.repealPolicy(old.id, '已被新出台的制造业高质量发展政策取代。（样例）');

  // ── 5. 商务局: a draft open for consultation now ──
  const commerce = admin('COMMERCE_BUREAU');
  at(-6);
  const draft = await commerce.createPolicy({
    level: 'MUNICIPAL',
    environment: 'MARKET',
    title: '青岛市外贸企业出口信用保险保费补贴办法（征求意见稿）（样例）',
    text: '对外贸企业投保短期出口信用保险的保费给予50%补贴。（样例数据）',
  });
  created++;
  at(-5);
  await commerce.openConsultation(draft.id, date(10));
  at(-3);
  await enterprise('370211', 41).commentOnPolicy(draft.id, '建议将补贴比例提高至60%，并覆盖中长期险种。（样例）');

  // ── 6. news ──
  at(-60);
  await science.publishPolicyNews({ title: '科技型企业创新发展政策正式发布（样例）', text: '市科技局发布支持科技型企业创新发展若干政策措施，科技型中小企业奖励免申即享。（样例数据）', policyIds: [tech.id] });
  at(-29);
  await hr.publishPolicyNews({ title: '小微企业吸纳就业补贴标准提高（样例）', text: '补贴标准由每人每月500元提高到600元。（样例数据）', policyIds: [jobs.id] });
  at(-19);
  await office.publishPolicyNews({ title: '“青岛政策通”一口发布、一口兑现（样例）', text: '全市惠企政策统一发布、统一兑现，企业可以查询申报进度并评价。（样例数据）' });

  // ── 7. applications at every step ──
  const reviewer = staff('SCIENCE_TECHNOLOGY_BUREAU');
  const shinan = enterprise('370202', 1); // 高新技术企业、科技型中小企业, small, 2008
  const shibei = enterprise('370203', 11); // same profile in 市北区
  const licang = enterprise('370213', 21);
  const materials = [
    { name: '高新技术企业证书', reference: 'sample://files/cert' },
    { name: '营业执照', reference: 'sample://files/licence' },
  ];

  // Paid and rated: returned once for a missing file, resubmitted, approved, noticed, paid.
  at(-55);
  let a = await shinan.submitApplication({ clientRequestId: 'sample-1', itemId: reward.id, materials });
  at(-52);
  a = await reviewer.startReview(a.id);
  at(-50);
  a = await reviewer.returnApplication(a.id, '高新技术企业证书扫描件不清晰，请重新上传。（样例）', ['高新技术企业证书']);
  at(-48);
  a = await shinan.resubmitApplication(a.id, { materials: [{ name: '高新技术企业证书', reference: 'sample://files/cert-v2' }] });
  at(-40);
  a = await reviewer.approveApplication(a.id, 200_000, null);
  at(-39);
  a = await reviewer.startPublicNotice(a.id, null);
  at(-25);
  a = await reviewer.recordDisbursement(a.id, { amount: 200_000, paidOn: date(-25), paymentReference: 'QDCZ-2026-000318（样例）' });
  at(-24);
  await shinan.rateApplication(a.id, 'VERY_SATISFIED', '审核快、到账快。（样例）');
  created++;

  // In public notice with an objection not yet answered, and its repetition marked as a duplicate.
  at(-30);
  let b = await shibei.submitApplication({ clientRequestId: 'sample-2', itemId: reward.id, materials });
  at(-8);
  b = await reviewer.approveApplication(b.id, null, null);
  at(-3);
  b = await reviewer.startPublicNotice(b.id, null);
  at(-1, 15);
  const first = await enterprise('370215', 61).fileObjection(b.id, { text: '该企业高新技术企业证书已过有效期。（样例）' });
  at(-1, 16);
  const repeated = await enterprise('370215', 61).fileObjection(b.id, { text: '再次反映：该企业高新技术企业证书已过有效期。（样例）' });
  at(-1, 17);
  await reviewer.markObjections(b.id, { objectionIds: [repeated.id], kind: 'DUPLICATE', duplicateOf: first.id, reason: '与同一来源此前的异议内容相同，合并答复。（样例）' });
  created++;

  // Under review, with a declared base.
  at(-12);
  let c = await licang.submitApplication({ clientRequestId: 'sample-3', itemId: research.id, declaredBase: 1_200_000, materials: [{ name: '研发费用专项审计报告', reference: 'sample://files/audit' }] });
  at(-10);
  c = await reviewer.startReview(c.id);
  created++;

  // Refused, and the refusal rated.
  at(-35);
  const refused = await enterprise('370214', 51).submitApplication({ clientRequestId: 'sample-4', itemId: reward.id, materials });
  at(-20);
  await reviewer.rejectApplication(refused.id, '经核查，企业不属于首次认定的高新技术企业。（样例）');
  at(-18);
  await enterprise('370214', 51).rateApplication(refused.id, 'BASICALLY_SATISFIED', '理由清楚，但希望申报前能提示。（样例）');
  created++;

  // Imported from the bureau's own system.
  at(-9);
  await reviewer.importApplication({
    sourceSystem: 'kjj-xmsb',
    externalReference: 'KJ2026-0457（样例）',
    itemId: research.id,
    enterpriseCreditCode: sampleCreditCode('370202', 2),
    submittedAt: day(-11),
    declaredBase: 3_000_000,
    materials: [{ name: '研发费用专项审计报告', reference: 'kjj-xmsb://KJ2026-0457' }],
  });
  created++;

  // Waiting for review past its limit: 人社局 has not looked at it.
  at(-40);
  await enterprise('370283', 81).submitApplication({ clientRequestId: 'sample-5', itemId: hiring.id, requestedAmount: 18_000, materials: [{ name: '社保缴费明细', reference: 'sample://files/social' }] });
  created++;

  // 免申即享: granted without applications; the notice is over, two paid, the rest overdue for payment.
  at(-28);
  const run = await reviewer.runAutomaticGrants(automatic.id);
  created += run.created;
  at(-10);
  const granted = await reviewer.applications({ itemId: automatic.id }, { first: 100 });
  for (const edge of granted.edges.slice(0, 2)) {
    await reviewer.recordDisbursement(edge.node.id, { amount: 50_000, paidOn: date(-10), paymentReference: `QDCZ-2026-AUTO-${edge.node.number}（样例）` });
  }

  await sampleStore.mark(db, SAMPLE_SUBJECT_PREFIX);
  return created;
}
