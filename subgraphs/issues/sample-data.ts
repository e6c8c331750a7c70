/**
 * Sample issues for trying the platform out, played through the real service (so every sample
 * issue has a true history) on the campaign's own dates in 2023. Each is flagged `sample`.
 * Loaded on the embedded default and by `npm run seed:sample`; never into a DATABASE_URL database
 * unless asked. Loading twice adds nothing.
 */
import type { Db } from '../../db/client.ts';
import { Directory, staticDirectory } from '../../platform/directory.ts';
import type { Viewer } from '../../platform/auth.ts';
import { campaign, referenceDistricts, referenceUnits, sampleCreditCode, unitIdForCode } from '../../db/reference/organisation.ts';
import { createIssuesLoaders } from './loaders.ts';
import { createIssuesService } from './service.ts';
import { sampleStore } from './store.ts';

const SAMPLE_SUBJECT_PREFIX = 'sample:';

function referenceDirectory(): Directory {
  return new Directory(
    referenceUnits.map((u) => ({ ...u, archived: false })),
    referenceDistricts.map((d) => d.code),
    campaign.domains.map((d) => d.code),
  );
}

export async function loadIssuesSampleData(db: Db): Promise<number> {
  if ((await sampleStore.count(db)) > 0) return 0;

  const directory = staticDirectory(referenceDirectory());
  let clock = new Date();
  const at = (iso: string) => {
    clock = new Date(iso);
  };
  const as = (viewer: Omit<Viewer, 'subject'> & { name: string }) => {
    const { name, ...rest } = viewer;
    const who: Viewer = { ...rest, subject: `${SAMPLE_SUBJECT_PREFIX}${name}` };
    return createIssuesService({ db, viewer: who, loaders: createIssuesLoaders(db, directory, () => clock), directory, now: () => clock, maxPageSize: 100 });
  };
  const unit = (code: string) => unitIdForCode(code);
  const office = as({ name: 'command-office', role: 'COMMAND_OFFICE', unitId: unit('COMMAND_OFFICE'), enterprise: null });
  const staff = (code: string) => as({ name: `staff-${code}`, role: 'UNIT_STAFF', unitId: unit(code), enterprise: null });
  const admin = (code: string) => as({ name: `admin-${code}`, role: 'UNIT_ADMIN', unitId: unit(code), enterprise: null });
  const enterprise = (district: string, n: number) =>
    as({ name: `enterprise-${district}-${n}`, role: 'ENTERPRISE', unitId: null, enterprise: sampleCreditCode(district, n) });

  // 1. An appeal handled end to end around the 2023 National Day holiday, rated and closed.
  const shinan = enterprise('370202', 1);
  at('2023-09-28T10:00:00+08:00');
  let a = await shinan.submitAppeal({
    clientRequestId: 'sample-1',
    kind: 'HELP',
    environment: 'SERVICE',
    title: '施工许可审批材料反复补正（样例）',
    description: '企业反映施工许可申请被要求多次补正材料，希望一次性告知。（样例数据）',
    districtCode: '370202',
  });
  at('2023-09-28T11:00:00+08:00');
  a = await office.acceptIssue(a.id, null);
  a = await office.assignIssue(a.id, unit('ADMINISTRATIVE_APPROVAL_BUREAU'), '请行政审批局办理');
  at('2023-09-28T11:40:00+08:00');
  a = await staff('ADMINISTRATIVE_APPROVAL_BUREAU').recordContact(a.id, '已电话联系企业负责人');
  at('2023-10-07T09:30:00+08:00');
  a = await staff('ADMINISTRATIVE_APPROVAL_BUREAU').giveFeedback(a.id, '已梳理补正清单，承诺一次性告知');
  at('2023-10-12T16:00:00+08:00');
  a = await staff('ADMINISTRATIVE_APPROVAL_BUREAU').resolveIssue(a.id, '出具一次性告知清单，许可证已核发');
  at('2023-10-13T09:00:00+08:00');
  a = await shinan.rateIssue(a.id, 'SATISFIED', true, '办理迅速');
  a = await office.closeIssue(a.id, '回访企业，确认已解决');
  a = await office.publishIssue(a.id, '一次性告知解决“反复补正”（样例）', '某企业反映施工许可反复补正，承办单位一次性告知并当周办结。（样例数据）');

  // 2. An appeal still in hand, with an extension requested and granted.
  const laoshan = enterprise('370212', 31);
  at('2023-11-01T14:00:00+08:00');
  let b = await laoshan.submitAppeal({
    clientRequestId: 'sample-2',
    kind: 'COMPLAINT',
    environment: 'MARKET',
    title: '招标文件设置不合理资质门槛（样例）',
    description: '企业投诉某项目招标文件要求本地业绩，涉嫌排斥外地企业。（样例数据）',
    districtCode: '370212',
  });
  b = await office.acceptIssue(b.id, null);
  b = await office.assignIssue(b.id, unit('MARKET_REGULATION_BUREAU'), null);
  at('2023-11-01T15:10:00+08:00');
  b = await staff('MARKET_REGULATION_BUREAU').recordContact(b.id, '已联系企业了解情况');
  at('2023-11-02T10:00:00+08:00');
  b = await staff('MARKET_REGULATION_BUREAU').giveFeedback(b.id, '已调取招标文件，正在审查');
  at('2023-11-15T10:00:00+08:00');
  b = await admin('MARKET_REGULATION_BUREAU').requestExtension(b.id, 25, '需征求发展改革委意见');
  b = await office.grantExtension(b.id, true, '同意延期至 25 个工作日');

  // 3. A duplicate of the same complaint from another enterprise, merged into it.
  at('2023-11-03T09:00:00+08:00');
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
  at('2023-04-15T09:00:00+08:00');
  let d = await staff('HOUSING_CONSTRUCTION_BUREAU').reportIssue({
    clientRequestId: 'sample-4',
    source: 'SELF_INSPECTION',
    environment: 'FACTOR',
    title: '竣工联合验收材料清单不统一（样例）',
    description: '自查发现各区竣工验收材料清单口径不一。（样例数据）',
  });
  d = await office.acceptIssue(d.id, { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 10, responsibleLeader: '分管副局长（样例）' });
  d = await office.assignIssue(d.id, unit('HOUSING_CONSTRUCTION_BUREAU'), null);
  at('2023-04-24T17:00:00+08:00');
  d = await staff('HOUSING_CONSTRUCTION_BUREAU').resolveIssue(d.id, '印发全市统一材料清单');
  at('2023-04-26T10:00:00+08:00');
  await office.closeIssue(d.id, '抽查三个区，已统一');

  // 5. An undercover finding with an ongoing, milestone-tracked rectification, escalated.
  at('2023-06-05T10:00:00+08:00');
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
      { title: '增设自助办税终端', dueOn: '2023-07-31' },
      { title: '推行预约办税', dueOn: '2023-09-30' },
    ],
  });
  e = await office.assignIssue(e.id, unit('TAXATION_BUREAU'), null);
  e = await office.escalateIssue(e.id, '市指挥部办公室副主任（样例）', '挂牌督办');
  at('2023-07-28T16:00:00+08:00');
  const firstMilestone = (await office.deadlines(e.id)).find((m) => m.stage === 'MILESTONE');
  if (firstMilestone) await staff('TAXATION_BUREAU').completeMilestone(e.id, String(firstMilestone.id), '新增 12 台终端');

  // 6. A 12345 hotline record imported with its original receipt time, not the campaign's business.
  at('2023-06-21T09:00:00+08:00');
  const f = await office.reportIssue({
    clientRequestId: 'sample-6',
    source: 'HOTLINE_12345',
    environment: 'HUMANISTIC',
    title: '咨询公园开放时间（样例）',
    description: '市民来电咨询公园开放时间，不属营商环境问题。（样例数据）',
    receivedAt: new Date('2023-06-20T15:30:00+08:00'),
    appealKind: 'CONSULTATION',
  });
  await office.rejectIssue(f.id, '不属于营商环境问题，已转 12345 答复');

  // 7. Just submitted, waiting for intake.
  at('2023-12-20T10:00:00+08:00');
  await enterprise('370215', 61).submitAppeal({
    clientRequestId: 'sample-7',
    kind: 'SUGGESTION',
    environment: 'POLICY',
    title: '建议公开惠企政策兑现进度（样例）',
    description: '建议在政策通平台公开每项政策的兑现进度。（样例数据）',
    districtCode: '370215',
  });

  return sampleStore.mark(db, SAMPLE_SUBJECT_PREFIX);
}
