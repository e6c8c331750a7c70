/**
 * Sample issues for trying the platform out, played through the real service (so every sample
 * issue has a true history), dated relative to the day they are loaded: a new user opens a live
 * board — an item waiting for dispatch, one overdue for contact, a milestone near due, cases in
 * hand and closed ones. Each is flagged `sample`. Loaded on the embedded default and by
 * `npm run seed:sample`; never into a DATABASE_URL database unless asked. Loading twice adds nothing.
 */
import type { Db } from '../../db/client.ts';
import { Directory, staticDirectory } from '../../platform/directory.ts';
import type { Viewer } from '../../platform/auth.ts';
import { beijingDate, beijingMidnight } from '../../platform/calendar.ts';
import { campaign, referenceDistricts, referenceUnits, sampleCreditCode, unitIdForCode } from '../../db/reference/organisation.ts';
import { createIssuesLoaders } from './loaders.ts';
import { createIssuesService } from './service.ts';
import { sampleStore } from './store.ts';

const SAMPLE_SUBJECT_PREFIX = 'sample:';
const DAY = 24 * 60 * 60 * 1000;

function referenceDirectory(): Directory {
  return new Directory(
    referenceUnits.map((u) => ({ ...u, archived: false })),
    referenceDistricts.map((d) => d.code),
    campaign.domains.map((d) => d.code),
  );
}

export async function loadIssuesSampleData(db: Db, options: { now: Date } = { now: new Date() }): Promise<number> {
  if ((await sampleStore.count(db)) > 0) return 0;

  const today = options.now;
  /** A Beijing wall-clock time `days` before today (never later than today itself). */
  const daysAgo = (days: number, time: string) => {
    const at = new Date(beijingMidnight(beijingDate(new Date(today.getTime() - days * DAY))).getTime() + minutes(time) * 60_000);
    return at > today ? today : at;
  };
  const dateIn = (days: number) => beijingDate(new Date(today.getTime() + days * DAY));
  const directory = staticDirectory(referenceDirectory());
  let clock = today;
  const at = (instant: Date) => {
    clock = instant;
  };
  const later = (ms: number) => at(new Date(Math.min(clock.getTime() + ms, today.getTime())));
  const as = (viewer: Omit<Viewer, 'subject'> & { name: string }) => {
    const { name, ...rest } = viewer;
    const who: Viewer = { ...rest, subject: `${SAMPLE_SUBJECT_PREFIX}${name}` };
    return createIssuesService({
      db,
      viewer: who,
      loaders: createIssuesLoaders(db, () => clock),
      directory,
      now: () => clock,
      maxPageSize: 100,
    });
  };
  const unit = (code: string) => unitIdForCode(code);
  const office = as({ name: 'command-office', role: 'COMMAND_OFFICE', unitId: unit('COMMAND_OFFICE'), enterprise: null });
  const staff = (code: string) => as({ name: `staff-${code}`, role: 'UNIT_STAFF', unitId: unit(code), enterprise: null });
  const admin = (code: string) => as({ name: `admin-${code}`, role: 'UNIT_ADMIN', unitId: unit(code), enterprise: null });
  const enterprise = (district: string, n: number) =>
    as({ name: `enterprise-${district}-${n}`, role: 'ENTERPRISE', unitId: null, enterprise: sampleCreditCode(district, n) });
  const HOUR = 60 * 60 * 1000;

  // 1. An appeal handled end to end, rated, closed and published as a positive case.
  const shinan = enterprise('370202', 1);
  at(daysAgo(40, '10:00'));
  let a = await shinan.submitAppeal({
    clientRequestId: 'sample-1',
    kind: 'HELP',
    environment: 'SERVICE',
    title: '施工许可审批材料反复补正（样例）',
    description: '企业反映施工许可申请被要求多次补正材料，希望一次性告知。（样例数据）',
    districtCode: '370202',
    contact: { name: '王经理（样例）', phone: '13800000001' },
  });
  later(HOUR);
  a = await office.acceptIssue(a.id, null);
  a = await office.assignIssue(a.id, unit('ADMINISTRATIVE_APPROVAL_BUREAU'), null, '请行政审批局办理');
  later(40 * 60 * 1000);
  a = await staff('ADMINISTRATIVE_APPROVAL_BUREAU').recordContact(a.id, '已电话联系企业负责人', 'ENTERPRISE');
  later(20 * HOUR);
  a = await staff('ADMINISTRATIVE_APPROVAL_BUREAU').giveFeedback(a.id, '已梳理补正清单，承诺一次性告知');
  at(daysAgo(32, '16:00'));
  a = await staff('ADMINISTRATIVE_APPROVAL_BUREAU').resolveIssue(a.id, '出具一次性告知清单，许可证已核发', 'SOLVED');
  later(17 * HOUR);
  a = await shinan.rateIssue(a.id, 'SATISFIED', true, '办理迅速');
  a = await office.closeIssue(a.id, '回访企业，确认已解决', 'INTERNAL');
  await office.publishIssue(
    a.id,
    '一次性告知解决“反复补正”（样例）',
    '某企业反映施工许可反复补正，承办单位一次性告知并当周办结。（样例数据）',
    'POSITIVE',
  );

  // 2. A cross-department appeal in hand: 市场监管局 leads, 发展改革委 co-handles; extension granted.
  const laoshan = enterprise('370212', 31);
  at(daysAgo(20, '14:00'));
  let b = await laoshan.submitAppeal({
    clientRequestId: 'sample-2',
    kind: 'COMPLAINT',
    environment: 'MARKET',
    title: '招标文件设置不合理资质门槛（样例）',
    description: '企业投诉某项目招标文件要求本地业绩，涉嫌排斥外地企业。（样例数据）',
    districtCode: '370212',
    contact: { name: '李女士（样例）', phone: '0532-88880002' },
  });
  later(30 * 60 * 1000);
  b = await office.acceptIssue(b.id, null);
  b = await office.assignIssue(b.id, unit('MARKET_REGULATION_BUREAU'), [unit('DEVELOPMENT_REFORM_COMMISSION')], null);
  later(70 * 60 * 1000);
  b = await staff('MARKET_REGULATION_BUREAU').recordContact(b.id, '已联系企业了解情况', null);
  later(20 * HOUR);
  b = await staff('MARKET_REGULATION_BUREAU').giveFeedback(b.id, '已调取招标文件，正在审查');
  later(2 * DAY);
  b = await staff('DEVELOPMENT_REFORM_COMMISSION').contributeToIssue(b.id, '发展改革委：该项目招标方案未经审核，建议责令修改（样例）');
  at(daysAgo(10, '10:00'));
  b = await admin('MARKET_REGULATION_BUREAU').requestExtension(b.id, 25, '需征求发展改革委意见');
  b = await office.grantExtension(b.id, true, '同意延期至 25 个工作日');

  // 3. A duplicate of the same complaint from another enterprise, merged into it.
  at(daysAgo(19, '09:00'));
  const c = await enterprise('370212', 32).submitAppeal({
    clientRequestId: 'sample-3',
    kind: 'COMPLAINT',
    environment: 'MARKET',
    title: '同一招标项目限制外地企业（样例）',
    description: '与已有投诉为同一招标项目。（样例数据）',
    districtCode: '370212',
  });
  await office.mergeIssue(c.id, b.id, '同一招标项目，合并办理');

  // 4. A self-inspection problem fixed immediately and struck off.
  at(daysAgo(60, '09:00'));
  let d = await staff('HOUSING_CONSTRUCTION_BUREAU').reportIssue({
    clientRequestId: 'sample-4',
    source: 'SELF_INSPECTION',
    environment: 'FACTOR',
    title: '竣工联合验收材料清单不统一（样例）',
    description: '自查发现各区竣工验收材料清单口径不一。（样例数据）',
  });
  d = await office.acceptIssue(d.id, { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 10, responsibleLeader: '分管副局长（样例）' });
  d = await office.assignIssue(d.id, unit('HOUSING_CONSTRUCTION_BUREAU'), null, null);
  at(daysAgo(52, '17:00'));
  d = await staff('HOUSING_CONSTRUCTION_BUREAU').resolveIssue(d.id, '印发全市统一材料清单', 'SOLVED');
  later(DAY);
  await office.closeIssue(d.id, '抽查三个区，已统一', null);

  // 5. An undercover finding with an ongoing, milestone-tracked rectification under listed supervision:
  //    the first milestone done, the second near its date (yellow on the board).
  at(daysAgo(45, '10:00'));
  let e = await as({ name: 'observer-1', role: 'OBSERVER', unitId: null, enterprise: null }).reportIssue({
    clientRequestId: 'sample-5',
    source: 'UNDERCOVER_VISIT',
    environment: 'SERVICE',
    title: '办税服务厅高峰期排队超过一小时（样例）',
    description: '体验官暗访发现某办税服务厅高峰期排队时间过长。（样例数据）',
    unitId: unit('TAXATION_BUREAU'),
  });
  e = await office.acceptIssue(e.id, {
    rectificationMode: 'ONGOING',
    milestones: [
      { title: '增设自助办税终端', dueOn: dateIn(-15) },
      { title: '推行预约办税', dueOn: dateIn(4) },
    ],
  });
  e = await office.assignIssue(e.id, unit('TAXATION_BUREAU'), null, null);
  e = await office.escalateIssue(e.id, '市指挥部办公室副主任（样例）', '挂牌督办');
  at(daysAgo(17, '16:00'));
  const firstMilestone = (await office.deadlines(e.id)).find((m) => m.stage === 'MILESTONE' && !m.cancelledAt);
  if (firstMilestone) await staff('TAXATION_BUREAU').completeMilestone(e.id, String(firstMilestone.id), '新增 12 台终端');

  // 6. A 12345 hotline record imported with its original receipt time, not the campaign's business.
  at(daysAgo(30, '09:00'));
  const f = await office.reportIssue({
    clientRequestId: 'sample-6',
    source: 'HOTLINE_12345',
    environment: 'HUMANISTIC',
    title: '咨询公园开放时间（样例）',
    description: '市民来电咨询公园开放时间，不属营商环境问题。（样例数据）',
    receivedAt: daysAgo(31, '15:30'),
    appealKind: 'CONSULTATION',
  });
  await office.rejectIssue(f.id, '不属于营商环境问题，已转 12345 答复');

  // 7. A 12345 record imported after the hotline had dispatched it; resolved, and the command office called back.
  at(daysAgo(12, '09:00'));
  let g = await office.reportIssue({
    clientRequestId: 'sample-7',
    source: 'HOTLINE_12345',
    environment: 'FACTOR',
    title: '厂区临时用电接入迟缓（样例）',
    description: '来电人反映新厂区临时用电申请两周未接入。（样例数据）',
    receivedAt: daysAgo(13, '16:00'),
    handlingUnitId: unit('STATE_GRID_QINGDAO_POWER_SUPPLY'),
    appealKind: 'HELP',
    districtCode: '370214',
    contact: { name: '赵先生（样例）', phone: '13900000007' },
  });
  g = await staff('STATE_GRID_QINGDAO_POWER_SUPPLY').recordContact(g.id, '已联系来电人', null);
  g = await staff('STATE_GRID_QINGDAO_POWER_SUPPLY').giveFeedback(g.id, '已安排现场勘查');
  at(daysAgo(6, '15:00'));
  g = await staff('STATE_GRID_QINGDAO_POWER_SUPPLY').resolveIssue(g.id, '临时用电已接入', 'SOLVED');
  later(DAY);
  await office.recordFollowUp(g.id, { reached: true, rating: 'BASICALLY_SATISFIED', solved: true, note: '来电人表示已通电（样例）' });

  // 8. 区内事区内办: an appeal taken in at 市南区's own window, accepted and handled by the district.
  at(daysAgo(3, '10:30'));
  let h = await admin('SHINAN_DISTRICT').reportIssue({
    clientRequestId: 'sample-8',
    source: 'UNIT_WINDOW',
    environment: 'SERVICE',
    appealKind: 'HELP',
    title: '餐饮门店证照变更需跑多个窗口（样例）',
    description: '企业在区政务服务大厅反映证照变更需分别到三个窗口办理。（样例数据）',
    enterpriseCreditCode: sampleCreditCode('370202', 2),
    contact: { name: '陈店长（样例）', phone: '13700000008' },
  });
  later(15 * 60 * 1000);
  h = await admin('SHINAN_DISTRICT').acceptIssue(h.id, null);
  h = await admin('SHINAN_DISTRICT').assignIssue(h.id, unit('SHINAN_DISTRICT'), null, '区政务服务中心牵头办理');
  later(HOUR);
  await staff('SHINAN_DISTRICT').recordContact(h.id, '已到店了解情况', 'ENTERPRISE');

  // 9. Assigned yesterday and not contacted yet: overdue (red on the board).
  at(daysAgo(1, '09:30'));
  const i = await enterprise('370211', 41).submitAppeal({
    clientRequestId: 'sample-9',
    kind: 'HELP',
    environment: 'POLICY',
    title: '惠企政策申报系统无法上传附件（样例）',
    description: '企业反映政策申报系统上传附件一直失败，申报截止在即。（样例数据）',
    contact: { name: '孙会计（样例）', phone: '13600000009' },
  });
  later(30 * 60 * 1000);
  await office.acceptIssue(i.id, null);
  await office.assignIssue(i.id, unit('BIG_DATA_BUREAU'), null, null);

  // 10. Just submitted, waiting for intake (its dispatch time is running).
  at(new Date(today.getTime() - 2 * HOUR));
  await enterprise('370215', 61).submitAppeal({
    clientRequestId: 'sample-10',
    kind: 'SUGGESTION',
    environment: 'POLICY',
    title: '建议公开惠企政策兑现进度（样例）',
    description: '建议在政策通平台公开每项政策的兑现进度。（样例数据）',
  });

  return sampleStore.mark(db, SAMPLE_SUBJECT_PREFIX);
}

function minutes(time: string): number {
  const [hours, mins] = time.split(':').map(Number);
  return hours! * 60 + mins!;
}
