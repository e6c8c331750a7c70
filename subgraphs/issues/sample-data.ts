/**
 * Sample issues for trying the platform out, played through the real use cases (so every sample
 * issue has a true history), dated relative to the day they are loaded: a new user opens a live
 * board — an item waiting for dispatch, one overdue for contact, a milestone near due, cases in
 * hand and closed ones. Each is flagged `sample`. Loaded on the embedded default and by
 * `npm run seed:sample`; never into a DATABASE_URL database unless asked. Loading twice adds nothing.
 */
import type { Db } from '../../db/client.ts';
import { present } from '../../platform/invariant.ts';
import { Directory, staticDirectory } from '../../platform/directory.ts';
import type { Viewer } from '../../platform/auth.ts';
import { beijingDate, beijingMidnight } from '../../platform/calendar.ts';
import { referenceOrganisation, sampleCreditCode, unitIdForCode } from '../../db/reference/organisation.ts';
import { createIssuesContext, type IssuesContext } from './context.ts';
import { createIssuesLoaders } from './loaders.ts';
import { sampleStore, type IssueRow } from './store.ts';
import * as dispatch from './use-cases/dispatch.ts';
import * as hallVisits from './use-cases/hall-visits.ts';
import * as handling from './use-cases/handling.ts';
import * as intake from './use-cases/intake.ts';
import * as observerTeams from './use-cases/observer-teams.ts';
import * as leaders from './use-cases/leaders.ts';
import * as points from './use-cases/monitoring-points.ts';
import * as plan from './use-cases/plan.ts';
import * as planDuties from './use-cases/plan-duties.ts';
import * as reads from './use-cases/reads.ts';
import * as projects from './use-cases/signed-projects.ts';
import * as supervision from './use-cases/supervision.ts';

const SAMPLE_SUBJECT_PREFIX = 'sample:';
const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function minutes(time: string): number {
  const [hours = 0, mins = 0] = time.split(':').map(Number);
  return hours * 60 + mins;
}

/** The people who play the samples, and the clock they play them on (moved forward story by story). */
function castOf(db: Db, today: Date) {
  const directory = staticDirectory(Directory.of(referenceOrganisation()));
  let clock = today;
  const at = (instant: Date) => {
    clock = instant;
  };
  const as = (viewer: Omit<Viewer, 'subject'> & { name: string }): IssuesContext => {
    const { name, ...rest } = viewer;
    return createIssuesContext({
      db,
      viewer: { ...rest, subject: `${SAMPLE_SUBJECT_PREFIX}${name}` },
      loaders: createIssuesLoaders(db, () => clock),
      directory,
      now: () => clock,
      maxPageSize: 100,
      sample: true,
    });
  };
  const unit = (code: string) => unitIdForCode(code);
  return {
    unit,
    at,
    /** A Beijing wall-clock time `days` before today (never later than today itself). */
    daysAgo(days: number, time: string) {
      const instant = new Date(beijingMidnight(beijingDate(new Date(today.getTime() - days * DAY))).getTime() + minutes(time) * MINUTE);
      return instant > today ? today : instant;
    },
    dateIn: (days: number) => beijingDate(new Date(today.getTime() + days * DAY)),
    later: (ms: number) => at(new Date(Math.min(clock.getTime() + ms, today.getTime()))),
    justBefore: (ms: number) => at(new Date(today.getTime() - ms)),
    office: as({ name: 'command-office', role: 'COMMAND_OFFICE', unitId: unit('COMMAND_OFFICE'), enterprise: null }),
    observer: as({ name: 'observer-1', role: 'OBSERVER', unitId: null, enterprise: null }),
    staff: (code: string) => as({ name: `staff-${code}`, role: 'UNIT_STAFF', unitId: unit(code), enterprise: null }),
    admin: (code: string) => as({ name: `admin-${code}`, role: 'UNIT_ADMIN', unitId: unit(code), enterprise: null }),
    enterprise: (district: string, n: number) =>
      as({ name: `enterprise-${district}-${n}`, role: 'ENTERPRISE', unitId: null, enterprise: sampleCreditCode(district, n) }),
  };
}

type Cast = ReturnType<typeof castOf>;

/** 1. An appeal handled end to end, rated, closed and published as a positive case. */
async function appealHandledEndToEnd(c: Cast): Promise<void> {
  const shinan = c.enterprise('370202', 1);
  const bureau = c.staff('ADMINISTRATIVE_APPROVAL_BUREAU');
  c.at(c.daysAgo(40, '10:00'));
  let a = await intake.submitAppeal(shinan, {
    input: {
      clientRequestId: 'sample-1',
      kind: 'HELP',
      environment: 'SERVICE',
      title: '施工许可审批材料反复补正（样例）',
      description: '企业反映施工许可申请被要求多次补正材料，希望一次性告知。（样例数据）',
      districtCode: '370202',
      contact: { name: '王经理（样例）', phone: '13800000001' },
    },
  });
  c.later(HOUR);
  a = await intake.acceptIssue(c.office, { id: a.id });
  a = await dispatch.assignIssue(c.office, { id: a.id, unitId: c.unit('ADMINISTRATIVE_APPROVAL_BUREAU'), note: '请行政审批局办理' });
  c.later(40 * MINUTE);
  a = await handling.recordContact(bureau, { id: a.id, note: '已电话联系企业负责人', noteFor: 'ENTERPRISE' });
  c.later(20 * HOUR);
  a = await handling.giveFeedback(bureau, { id: a.id, note: '已梳理补正清单，承诺一次性告知' });
  c.at(c.daysAgo(32, '16:00'));
  a = await handling.resolveIssue(bureau, { id: a.id, resolution: '出具一次性告知清单，许可证已核发', outcome: 'SOLVED' });
  c.later(17 * HOUR);
  a = await handling.rateIssue(shinan, { id: a.id, rating: 'SATISFIED', solved: true, comment: '办理迅速' });
  a = await handling.closeIssue(c.office, { id: a.id, note: '回访企业，确认已解决', noteFor: 'INTERNAL' });
  await supervision.publishIssue(c.office, {
    id: a.id,
    title: '一次性告知解决“反复补正”（样例）',
    summary: '某企业反映施工许可反复补正，承办单位一次性告知并当周办结。（样例数据）',
    kind: 'POSITIVE',
  });
}

/** 2. A cross-department appeal in hand: 市场监管局 leads, 发展改革委 co-handles; extension granted. */
async function crossDepartmentAppeal(c: Cast): Promise<IssueRow> {
  const market = c.staff('MARKET_REGULATION_BUREAU');
  c.at(c.daysAgo(20, '14:00'));
  let b = await intake.submitAppeal(c.enterprise('370212', 31), {
    input: {
      clientRequestId: 'sample-2',
      kind: 'COMPLAINT',
      environment: 'MARKET',
      title: '招标文件设置不合理资质门槛（样例）',
      description: '企业投诉某项目招标文件要求本地业绩，涉嫌排斥外地企业。（样例数据）',
      districtCode: '370212',
      contact: { name: '李女士（样例）', phone: '0532-88880002' },
    },
  });
  c.later(30 * MINUTE);
  b = await intake.acceptIssue(c.office, { id: b.id });
  b = await dispatch.assignIssue(c.office, {
    id: b.id,
    unitId: c.unit('MARKET_REGULATION_BUREAU'),
    coHandlerIds: [c.unit('DEVELOPMENT_REFORM_COMMISSION')],
  });
  c.later(70 * MINUTE);
  b = await handling.recordContact(market, { id: b.id, note: '已联系企业了解情况' });
  c.later(20 * HOUR);
  b = await handling.giveFeedback(market, { id: b.id, note: '已调取招标文件，正在审查' });
  c.later(2 * DAY);
  b = await dispatch.contributeToIssue(c.staff('DEVELOPMENT_REFORM_COMMISSION'), {
    id: b.id,
    note: '发展改革委：该项目招标方案未经审核，建议责令修改（样例）',
  });
  c.at(c.daysAgo(10, '10:00'));
  b = await supervision.requestExtension(c.admin('MARKET_REGULATION_BUREAU'), {
    id: b.id,
    totalWorkingDays: 25,
    reason: '需征求发展改革委意见',
  });
  return supervision.grantExtension(c.office, { id: b.id, approve: true, note: '同意延期至 25 个工作日' });
}

/** 3. A duplicate of the same complaint from another enterprise, merged into it. */
async function duplicateMerged(c: Cast, original: IssueRow): Promise<void> {
  c.at(c.daysAgo(19, '09:00'));
  const duplicate = await intake.submitAppeal(c.enterprise('370212', 32), {
    input: {
      clientRequestId: 'sample-3',
      kind: 'COMPLAINT',
      environment: 'MARKET',
      title: '同一招标项目限制外地企业（样例）',
      description: '与已有投诉为同一招标项目。（样例数据）',
      districtCode: '370212',
    },
  });
  await supervision.mergeIssue(c.office, { id: duplicate.id, intoId: original.id, note: '同一招标项目，合并办理' });
}

/** 4. A self-inspection problem fixed immediately and struck off. */
async function selfInspectionFixed(c: Cast): Promise<void> {
  const housing = c.staff('HOUSING_CONSTRUCTION_BUREAU');
  c.at(c.daysAgo(60, '09:00'));
  let d = await intake.reportIssue(housing, {
    input: {
      clientRequestId: 'sample-4',
      source: 'SELF_INSPECTION',
      environment: 'FACTOR',
      title: '竣工联合验收材料清单不统一（样例）',
      description: '自查发现各区竣工验收材料清单口径不一。（样例数据）',
    },
  });
  d = await intake.acceptIssue(c.office, {
    id: d.id,
    input: { rectificationMode: 'IMMEDIATE', immediateWorkingDays: 10, responsibleLeader: '分管副局长（样例）' },
  });
  d = await dispatch.assignIssue(c.office, { id: d.id, unitId: c.unit('HOUSING_CONSTRUCTION_BUREAU') });
  c.at(c.daysAgo(52, '17:00'));
  d = await handling.resolveIssue(housing, { id: d.id, resolution: '印发全市统一材料清单', outcome: 'SOLVED' });
  c.later(DAY);
  await handling.closeIssue(c.office, { id: d.id, note: '抽查三个区，已统一' });
}

/**
 * 5. An undercover finding with an ongoing, milestone-tracked rectification under listed supervision:
 *    the first milestone done, the second near its date (yellow on the board).
 */
async function undercoverOngoing(c: Cast): Promise<void> {
  await observerTeamMembers(c);
  c.at(c.daysAgo(45, '10:00'));
  let e = await intake.reportIssue(c.observer, {
    input: {
      clientRequestId: 'sample-5',
      source: 'UNDERCOVER_VISIT',
      environment: 'SERVICE',
      title: '办税服务厅高峰期排队超过一小时（样例）',
      description: '体验官暗访发现某办税服务厅高峰期排队时间过长。（样例数据）',
      unitId: c.unit('TAXATION_BUREAU'),
    },
  });
  e = await intake.acceptIssue(c.office, {
    id: e.id,
    input: {
      rectificationMode: 'ONGOING',
      milestones: [
        { title: '增设自助办税终端', dueOn: c.dateIn(-15) },
        { title: '推行预约办税', dueOn: c.dateIn(4) },
      ],
    },
  });
  e = await dispatch.assignIssue(c.office, { id: e.id, unitId: c.unit('TAXATION_BUREAU') });
  e = await supervision.escalateIssue(c.office, { id: e.id, supervisingLeader: '市指挥部办公室副主任（样例）', note: '挂牌督办' });
  c.at(c.daysAgo(17, '16:00'));
  const firstMilestone = (await reads.deadlines(c.office, e.id)).find((m) => m.stage === 'MILESTONE' && !m.cancelledAt);
  if (firstMilestone) {
    await plan.completeMilestone(c.staff('TAXATION_BUREAU'), { id: e.id, milestoneId: String(firstMilestone.id), note: '新增 12 台终端' });
  }
}

/**
 * The three observer teams (#26 §5): the sample's observer an experience officer (体验官) since two
 * months ago — so the undercover finding above is that team's report — beside an expert and a media
 * observer, and one expert whose term ended last month.
 */
async function observerTeamMembers(c: Cast): Promise<void> {
  c.at(c.daysAgo(60, '09:00'));
  const members: [string, 'EXPERT_COMMITTEE' | 'MEDIA_OBSERVER' | 'EXPERIENCE_OFFICER', string][] = [
    ['observer-1', 'EXPERIENCE_OFFICER', '李体验（样例）'],
    ['expert-1', 'EXPERT_COMMITTEE', '王教授（样例）'],
    ['expert-2', 'EXPERT_COMMITTEE', '赵研究员（样例）'],
    ['media-1', 'MEDIA_OBSERVER', '青岛日报记者（样例）'],
  ];
  const recorded = [];
  for (const [name, team, person] of members)
    recorded.push(
      await observerTeams.recordMembership(c.office, {
        input: { team, subject: `${SAMPLE_SUBJECT_PREFIX}${name}`, name: person, since: c.dateIn(-60) },
      }),
    );
  c.at(c.daysAgo(20, '09:00'));
  await observerTeams.endMembership(c.office, { id: present(recorded[2], 'the second expert').id, until: c.dateIn(-21) });
}

/** 6 and 7. 12345 hotline records imported with their original receipt time. */
async function hotlineImports(c: Cast): Promise<void> {
  // 6. Not the campaign's business.
  c.at(c.daysAgo(30, '09:00'));
  const f = await intake.reportIssue(c.office, {
    input: {
      clientRequestId: 'sample-6',
      source: 'HOTLINE_12345',
      environment: 'HUMANISTIC',
      title: '咨询公园开放时间（样例）',
      description: '市民来电咨询公园开放时间，不属营商环境问题。（样例数据）',
      receivedAt: c.daysAgo(31, '15:30'),
      appealKind: 'CONSULTATION',
    },
  });
  await intake.rejectIssue(c.office, { id: f.id, reason: '不属于营商环境问题，已转 12345 答复' });

  // 7. Imported after the hotline had dispatched it; resolved, and the command office called back.
  const power = c.staff('STATE_GRID_QINGDAO_POWER_SUPPLY');
  c.at(c.daysAgo(12, '09:00'));
  let g = await intake.reportIssue(c.office, {
    input: {
      clientRequestId: 'sample-7',
      source: 'HOTLINE_12345',
      environment: 'FACTOR',
      title: '厂区临时用电接入迟缓（样例）',
      description: '来电人反映新厂区临时用电申请两周未接入。（样例数据）',
      receivedAt: c.daysAgo(13, '16:00'),
      handlingUnitId: c.unit('STATE_GRID_QINGDAO_POWER_SUPPLY'),
      appealKind: 'HELP',
      districtCode: '370214',
      contact: { name: '赵先生（样例）', phone: '13900000007' },
    },
  });
  g = await handling.recordContact(power, { id: g.id, note: '已联系来电人' });
  g = await handling.giveFeedback(power, { id: g.id, note: '已安排现场勘查' });
  c.at(c.daysAgo(6, '15:00'));
  g = await handling.resolveIssue(power, { id: g.id, resolution: '临时用电已接入', outcome: 'SOLVED' });
  c.later(DAY);
  await handling.recordFollowUp(c.office, {
    id: g.id,
    input: { reached: true, rating: 'BASICALLY_SATISFIED', solved: true, note: '来电人表示已通电（样例）' },
  });
}

/** 8. 区内事区内办: an appeal taken in at 市南区's own window, accepted and handled by the district. */
async function districtWindow(c: Cast): Promise<void> {
  const district = c.admin('SHINAN_DISTRICT');
  c.at(c.daysAgo(3, '10:30'));
  let h = await intake.reportIssue(district, {
    input: {
      clientRequestId: 'sample-8',
      source: 'UNIT_WINDOW',
      environment: 'SERVICE',
      appealKind: 'HELP',
      title: '餐饮门店证照变更需跑多个窗口（样例）',
      description: '企业在区政务服务大厅反映证照变更需分别到三个窗口办理。（样例数据）',
      enterpriseCreditCode: sampleCreditCode('370202', 2),
      contact: { name: '陈店长（样例）', phone: '13700000008' },
    },
  });
  c.later(15 * MINUTE);
  h = await intake.acceptIssue(district, { id: h.id });
  h = await dispatch.assignIssue(district, { id: h.id, unitId: c.unit('SHINAN_DISTRICT'), note: '区政务服务中心牵头办理' });
  c.later(HOUR);
  await handling.recordContact(c.staff('SHINAN_DISTRICT'), { id: h.id, note: '已到店了解情况', noteFor: 'ENTERPRISE' });
}

/** 9 and 10. Fresh items: one assigned yesterday and not contacted (overdue), one waiting for intake. */
async function freshItems(c: Cast): Promise<void> {
  c.at(c.daysAgo(1, '09:30'));
  const i = await intake.submitAppeal(c.enterprise('370211', 41), {
    input: {
      clientRequestId: 'sample-9',
      kind: 'HELP',
      environment: 'POLICY',
      title: '惠企政策申报系统无法上传附件（样例）',
      description: '企业反映政策申报系统上传附件一直失败，申报截止在即。（样例数据）',
      contact: { name: '孙会计（样例）', phone: '13600000009' },
    },
  });
  c.later(30 * MINUTE);
  await intake.acceptIssue(c.office, { id: i.id });
  await dispatch.assignIssue(c.office, { id: i.id, unitId: c.unit('BIG_DATA_BUREAU') });

  // Just submitted: its dispatch time is running.
  c.justBefore(2 * HOUR);
  await intake.submitAppeal(c.enterprise('370215', 61), {
    input: {
      clientRequestId: 'sample-10',
      kind: 'SUGGESTION',
      environment: 'POLICY',
      title: '建议公开惠企政策兑现进度（样例）',
      description: '建议在政策通平台公开每项政策的兑现进度。（样例数据）',
    },
  });
}

/**
 * 8. The plan's duties (issue #26): the command office declares a second self-check list, due three
 * days ago; 市公安局 filed on time with two problems (now SELF_INSPECTION issues waiting for
 * intake), 市发展改革委 filed late, every other named unit is missing; and this year's plan
 * document, due in ten days, filed by 市行政审批局.
 */
async function planDutiesFiled(c: Cast): Promise<void> {
  c.at(c.daysAgo(12, '09:00'));
  const list = await planDuties.declarePlanDuty(c.office, {
    input: { kind: 'SELF_CHECK_LIST', title: '第二批自查问题清单（样例）', dueOn: c.dateIn(-3) },
  });
  const document = await planDuties.declarePlanDuty(c.office, {
    input: { kind: 'PLAN_DOCUMENT', title: '下一阶段专项行动方案备案（样例）', dueOn: c.dateIn(10) },
  });
  c.at(c.daysAgo(5, '15:00'));
  await planDuties.filePlanDuty(c.admin('PUBLIC_SECURITY_BUREAU'), {
    input: {
      clientRequestId: 'sample-duty-1',
      dutyCode: list.duty.code,
      documentReference: '青公自查〔样例〕2号',
      problems: [
        {
          environment: 'SERVICE',
          title: '户籍窗口午间不办理业务（样例）',
          description: '群众反映午休时段户籍窗口停办，拟推行午间延时服务。（样例数据）',
          responsibleLeader: '分管副局长（样例）',
        },
        {
          environment: 'RULE_OF_LAW',
          title: '涉企检查频次偏高（样例）',
          description: '部分企业一季度内被多次检查，拟推行“综合查一次”。（样例数据）',
          districtCode: '370215',
        },
      ],
    },
  });
  c.at(c.daysAgo(1, '10:00'));
  await planDuties.filePlanDuty(c.admin('DEVELOPMENT_REFORM_COMMISSION'), {
    input: { clientRequestId: 'sample-duty-2', dutyCode: list.duty.code, documentReference: '青发改自查〔样例〕1号', problems: [] },
  });
  await planDuties.filePlanDuty(c.admin('ADMINISTRATIVE_APPROVAL_BUREAU'), {
    input: { clientRequestId: 'sample-duty-3', dutyCode: document.duty.code, documentReference: '青审批发〔样例〕8号' },
  });
}

/**
 * 11 and 12. 多头反映 (issue #26 §7): the same parking problem on 辽阳西路 from two channels, both
 * waiting for intake — a 12345 record taken yesterday and an enterprise's appeal this morning; the
 * command office's intake view (`intakeDuplicates`) shows them as likely duplicates, ready to merge.
 */
async function duplicateAtIntake(c: Cast): Promise<void> {
  c.at(c.daysAgo(1, '16:40'));
  await intake.reportIssue(c.office, {
    input: {
      clientRequestId: 'sample-11',
      source: 'HOTLINE_12345',
      environment: 'HUMANISTIC',
      title: '辽阳西路路边停车收费不给票据（样例）',
      description: '来电人反映市北区辽阳西路路边停车位收费人员只收现金、不给票据，收费标准没有公示。（样例数据）',
      receivedAt: c.daysAgo(1, '16:20'),
      appealKind: 'COMPLAINT',
      districtCode: '370203',
    },
  });
  c.justBefore(HOUR);
  await intake.submitAppeal(c.enterprise('370203', 71), {
    input: {
      clientRequestId: 'sample-12',
      kind: 'COMPLAINT',
      environment: 'HUMANISTIC',
      title: '门店前路边停车乱收费影响经营（样例）',
      description: '我店在市北区辽阳西路，门口路边停车位收费人员乱收费、不给票据，顾客投诉多，影响经营。（样例数据）',
      districtCode: '370203',
    },
  });
}

/**
 * 0. Before the stories (issue #26): the leaders of 市税务局 and 市商务局 as records, and the command
 * office's monitoring point on the enterprise whose appeal story 2 tells — so that appeal is tagged
 * with the point at intake. Its first 包保 leader, a deputy director, left 50 days ago and handed it
 * to the other deputy (离任). Its monthly visit was 40 days ago: the point is listed as unvisited.
 */
async function planRecordsFirst(c: Cast): Promise<Record<string, string>> {
  c.at(c.daysAgo(60, '09:00'));
  const leader = async (code: string, name: string, post: string, principal: boolean, key = `${code}-${principal}`) =>
    (
      await leaders.recordUnitLeader(c.office, {
        input: { clientRequestId: `sample-leader-${key}`, unitId: c.unit(code), name, post, principal },
      })
    ).id;
  const ids = {
    tax: await leader('TAXATION_BUREAU', '王局长（样例）', '局长', true),
    commerce: await leader('COMMERCE_BUREAU', '赵局长（样例）', '局长', true),
    commerceDeputy: await leader('COMMERCE_BUREAU', '周副局长（样例）', '副局长', false),
    formerDeputy: await leader('COMMERCE_BUREAU', '孙副局长（样例）', '副局长', false, 'COMMERCE_BUREAU-former'),
  };
  const point = await points.designateMonitoringPoint(c.office, {
    input: {
      clientRequestId: 'sample-point-1',
      kind: 'ENTERPRISE',
      name: '崂山区重点企业（样例）',
      enterpriseCreditCode: sampleCreditCode('370212', 31),
      responsibleUnitId: c.unit('COMMERCE_BUREAU'),
      leaderId: ids.formerDeputy,
      frequency: 'MONTHLY',
    },
  });
  c.at(c.daysAgo(50, '11:00'));
  await leaders.recordLeaderDeparture(c.admin('COMMERCE_BUREAU'), {
    input: { leaderId: ids.formerDeputy, leftOn: c.dateIn(-50), reason: '调任市发展改革委（样例）', successorId: ids.commerceDeputy },
  });
  c.at(c.daysAgo(40, '15:00'));
  await points.recordMonitoringVisit(c.staff('COMMERCE_BUREAU'), {
    input: {
      clientRequestId: 'sample-point-visit-1',
      pointId: point.id,
      visitedOn: c.dateIn(-40),
      summary: '走访企业，了解招投标中遇到的问题（样例）',
    },
  });
  return ids;
}

/**
 * 9. The plan's records near today (issue #26): 崂山区 lists a project signed 500 days ago and not
 * started, a monitoring point on it, 市税务局's principal serves a day in the 市民中心 and finds a
 * problem (a DIRECTOR_IN_HALL issue), and 市商务局 reports the project's obstacle (a
 * SIGNED_NOT_LANDED issue, tagged with the point) and visits it. 市商务局's principal has not
 * served this quarter: it is listed, and reminded in the quarter's last month.
 */
async function planRecordsRecent(c: Cast, ids: Record<string, string>): Promise<void> {
  c.at(c.daysAgo(20, '10:00'));
  const project = await projects.registerSignedProject(c.admin('LAOSHAN_DISTRICT'), {
    input: {
      clientRequestId: 'sample-project-1',
      name: '崂山智能装备产业园项目（样例）',
      investorCreditCode: sampleCreditCode('370212', 33),
      amountWanYuan: 85000,
      signedOn: c.dateIn(-500),
      industry: '智能制造',
      status: 'NOT_STARTED',
      responsibleUnitId: c.unit('COMMERCE_BUREAU'),
      leaderId: present(ids.commerceDeputy, 'the sample deputy'),
    },
  });
  const point = await points.designateMonitoringPoint(c.office, {
    input: {
      clientRequestId: 'sample-point-2',
      kind: 'PROJECT',
      projectId: project.id,
      responsibleUnitId: c.unit('COMMERCE_BUREAU'),
      leaderId: present(ids.commerceDeputy, 'the sample deputy'),
      frequency: 'QUARTERLY',
    },
  });
  c.at(c.daysAgo(2, '09:00'));
  await hallVisits.recordHallVisit(c.staff('TAXATION_BUREAU'), {
    input: {
      clientRequestId: 'sample-hall-1',
      leaderId: present(ids.tax, 'the sample principal'),
      hall: '市民中心税务服务大厅（样例）',
      servedOn: c.dateIn(-2),
      handled: '坐席办理新办企业涉税事项 12 件（样例）',
      found: '发票领用须重复提交已登记材料（样例）',
      problems: [
        {
          environment: 'SERVICE',
          title: '新办企业领用发票重复提交材料（样例）',
          description: '新办企业领用发票时被要求重复提交登记环节已提交的材料。（样例数据）',
        },
      ],
    },
  });
  c.at(c.daysAgo(1, '14:00'));
  await projects.reportProjectObstacle(c.staff('COMMERCE_BUREAU'), {
    input: {
      clientRequestId: 'sample-obstacle-1',
      projectId: project.id,
      obstacle: {
        environment: 'FACTOR',
        title: '项目用地指标未落实（样例）',
        description: '项目用地征收未完成，指标缺口约 50 亩。（样例数据）',
      },
    },
  });
  await points.recordMonitoringVisit(c.staff('COMMERCE_BUREAU'), {
    input: { clientRequestId: 'sample-point-visit-2', pointId: point.id, visitedOn: c.dateIn(-1), summary: '现场查看项目用地情况（样例）' },
  });
}

export async function loadIssuesSampleData(db: Db, options: { now: Date } = { now: new Date() }): Promise<number> {
  if ((await sampleStore.count(db)) > 0) return 0;
  const cast = castOf(db, options.now);
  const leaderIds = await planRecordsFirst(cast);
  await appealHandledEndToEnd(cast);
  await duplicateMerged(cast, await crossDepartmentAppeal(cast));
  await selfInspectionFixed(cast);
  await undercoverOngoing(cast);
  await hotlineImports(cast);
  await districtWindow(cast);
  await freshItems(cast);
  await planDutiesFiled(cast);
  await planRecordsRecent(cast, leaderIds);
  await duplicateAtIntake(cast);
  return sampleStore.mark(db, SAMPLE_SUBJECT_PREFIX);
}
