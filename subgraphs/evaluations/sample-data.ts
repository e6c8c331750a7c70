/**
 * Sample contests and reviews for trying the platform out: played through the real service (so every
 * sample has a true history), dated relative to the day they are loaded, so the picture is live — a
 * published city contest with six judges (highest and lowest dropped) and its last place carried
 * into the open contest that follows; and reviews on every channel, bad ones at every step: awaiting
 * an answer, overdue, answered, rectified late, followed up, appealed and upheld; tackling tasks with
 * an overdue milestone and last quarter's reports (on time, late, one missing); and the current half
 * year's evaluation, defined with economic and survey figures entered (mandatory), so its preview and
 * the board are live: four units graded, the rest not evaluated for want of data. Everything is flagged `sample`; loading twice adds nothing.
 */
import type { Db } from '../../db/client.ts';
import type { Viewer } from '../../platform/auth.ts';
import type { CalendarYear } from '../../platform/calendar.ts';
import { staticCalendar } from '../../platform/calendar-source.ts';
import { Directory, staticDirectory } from '../../platform/directory.ts';
import holidays from '../../db/reference/holidays.json' with { type: 'json' };
import { campaign, referenceDistricts, referenceUnits, unitIdForCode } from '../../db/reference/organisation.ts';
import { quarter as quarterOf } from './grading.ts';
import { createEvaluationsLoaders } from './loaders.ts';
import { noFigures } from './remote.ts';
import { createEvaluationsService } from './service.ts';
import { sampleStore } from './store.ts';

const DAY_MS = 86_400_000;

export async function loadEvaluationsSampleData(db: Db, options: { now: Date } = { now: new Date() }): Promise<number> {
  if ((await sampleStore.count(db)) > 0) return 0;
  const directory = staticDirectory(
    new Directory(
      referenceUnits.map((u) => ({ ...u, archived: false })),
      referenceDistricts.map((d) => d.code),
      campaign.domains.map((d) => d.code),
    ),
  );
  const calendar = staticCalendar(
    Object.entries(holidays.years).map(([year, y]): CalendarYear => ({ year: Number(year), off: y.off, workdays: y.workdays })),
  );
  let clock = options.now.getTime() - 40 * DAY_MS;
  const as = (viewer: Viewer, address = 'sample') =>
    createEvaluationsService({
      db,
      viewer,
      clientAddress: address,
      loaders: createEvaluationsLoaders(db, directory, () => new Date(clock)),
      directory,
      calendar,
      now: () => new Date(clock),
      maxPageSize: 100,
      sample: true,
      figures: noFigures(),
    });
  const office = as({
    subject: 'sample:command-office',
    role: 'COMMAND_OFFICE',
    unitId: unitIdForCode('COMMAND_OFFICE'),
    enterprise: null,
  });
  const day = (offset: number) => new Date(options.now.getTime() + offset * DAY_MS).toISOString().slice(0, 10);
  let added = 0;

  // ── 擂台比武: a published city contest, then the next one with the last place carried over ──
  const criteria = [
    { name: '问题找得准', weight: 30 },
    { name: '目标定得实', weight: 30 },
    { name: '举措可落地', weight: 40 },
  ];
  const first = await office.createContest({ title: '（样例）第一期全市擂台比武', level: 'CITY', heldOn: day(-30), criteria });
  added++;
  const entrants = ['ADMINISTRATIVE_APPROVAL_BUREAU', 'MARKET_REGULATION_BUREAU', 'TAXATION_BUREAU', 'SCIENCE_TECHNOLOGY_BUREAU'];
  const entries = [];
  for (const code of entrants) {
    entries.push(
      await office.addContestEntry(first.id, {
        unitId: unitIdForCode(code),
        problems: '（样例）企业办事环节多、材料多',
        goals: '（样例）年底前高频事项一次办结',
        ideas: '（样例）以企业视角梳理流程',
        measures: '（样例）材料清单压减三成，推行告知承诺制',
      }),
    );
  }
  const judges = ['甲', '乙', '丙', '丁', '戊', '己'];
  for (const name of judges)
    await office.assignJudge(first.id, { subject: `sample:judge-${name}`, role: 'OBSERVER', name: `评委${name}（样例）` });
  for (const [j, name] of judges.entries()) {
    const judge = as({ subject: `sample:judge-${name}`, role: 'OBSERVER', unitId: null, enterprise: null });
    await judge.submitScores(
      first.id,
      entries.flatMap((entry, e) =>
        criteria.map((_, c) => ({ entryId: entry.id, criterion: c, score: 92 - e * 4 + ((j * 3 + c) % 5) - (j === 0 ? 10 : 0) })),
      ),
    );
  }
  await office.closeContest(first.id);
  await office.publishContest(first.id);
  clock = options.now.getTime() - 2 * DAY_MS;
  const second = await office.createContest({ title: '（样例）第二期全市擂台比武', level: 'CITY', heldOn: day(3), criteria });
  added++;
  await office.addContestEntry(second.id, {
    unitId: unitIdForCode('HOUSING_CONSTRUCTION_BUREAU'),
    problems: '（样例）项目审批周期长',
    goals: '（样例）审批时限压缩一半',
    ideas: '（样例）并联审批',
    measures: '（样例）一窗受理、同步审查',
  });

  // ── 好差评 ──
  const reviews: { unit: string; item: string; channel: string; level: string; comment?: string; daysAgo: number; then?: string[] }[] = [
    { unit: 'ADMINISTRATIVE_APPROVAL_BUREAU', item: '企业开办', channel: 'ONLINE', level: 'VERY_SATISFIED', daysAgo: 20 },
    { unit: 'ADMINISTRATIVE_APPROVAL_BUREAU', item: '企业开办', channel: 'WINDOW', level: 'SATISFIED', daysAgo: 12 },
    {
      unit: 'ADMINISTRATIVE_APPROVAL_BUREAU',
      item: '施工许可',
      channel: 'WINDOW',
      level: 'UNSATISFIED',
      comment: '（样例）材料反复补正',
      daysAgo: 25,
      then: ['answer', 'rectify', 'followUp'],
    },
    {
      unit: 'ADMINISTRATIVE_APPROVAL_BUREAU',
      item: '施工许可',
      channel: 'MOBILE',
      level: 'VERY_UNSATISFIED',
      comment: '（样例）线上申报无人回复',
      daysAgo: 10,
    },
    {
      unit: 'MARKET_REGULATION_BUREAU',
      item: '食品经营许可',
      channel: 'HOTLINE',
      level: 'UNSATISFIED',
      comment: '（样例）现场核查一再推迟',
      daysAgo: 22,
      then: ['answerLate', 'rectifyLate'],
    },
    { unit: 'MARKET_REGULATION_BUREAU', item: '食品经营许可', channel: 'SELF_SERVICE', level: 'BASICALLY_SATISFIED', daysAgo: 6 },
    {
      unit: 'TAXATION_BUREAU',
      item: '增值税留抵退税',
      channel: 'ONLINE',
      level: 'UNSATISFIED',
      comment: '（样例）到账慢',
      daysAgo: 15,
      then: ['appeal', 'upheld'],
    },
    { unit: 'TAXATION_BUREAU', item: '发票申领', channel: 'SMS', level: 'VERY_SATISFIED', daysAgo: 1 },
    {
      unit: 'SCIENCE_TECHNOLOGY_BUREAU',
      item: '高企认定',
      channel: 'ONLINE',
      level: 'UNSATISFIED',
      comment: '（样例）政策解读不清',
      daysAgo: 0,
    },
  ];
  let n = 0;
  for (const r of reviews) {
    clock = options.now.getTime() - r.daysAgo * DAY_MS;
    const reviewer = as({ subject: null, role: 'ANONYMOUS', unitId: null, enterprise: null }, `sample-${++n}`);
    const review = await reviewer.submitServiceReview({
      clientRequestId: `sample-review-${n}`,
      unitId: unitIdForCode(r.unit),
      serviceItem: r.item,
      channel: r.channel,
      level: r.level,
      comment: r.comment,
    });
    added++;
    const staff = as({ subject: `sample:staff-${r.unit}`, role: 'UNIT_ADMIN', unitId: unitIdForCode(r.unit), enterprise: null });
    for (const step of r.then ?? []) {
      if (step === 'answer') await staff.answerServiceReview(review.id, '（样例）已电话联系企业，核实情况属实');
      if (step === 'answerLate') {
        clock += 3 * DAY_MS;
        await staff.answerServiceReview(review.id, '（样例）已联系企业，核实情况属实');
      }
      if (step === 'rectify') {
        clock += 5 * DAY_MS;
        await staff.rectifyServiceReview(review.id, '（样例）一次性告知补正材料清单');
      }
      if (step === 'rectifyLate') {
        clock += 25 * DAY_MS;
        await staff.rectifyServiceReview(review.id, '（样例）增派核查人员，三日内上门');
      }
      if (step === 'followUp') {
        clock += 1 * DAY_MS;
        await staff.recordReviewFollowUp(review.id, { reached: true, level: 'SATISFIED', note: '（样例）企业对整改表示满意' });
      }
      if (step === 'appeal') await staff.appealServiceReview(review.id, '（样例）退税已按规定时限到账，评价与事实不符');
      if (step === 'upheld') {
        clock += DAY_MS;
        await office.decideReviewAppeal(review.id, 'UPHELD', '（样例）经核，退税按时到账，申诉成立');
      }
    }
  }

  // ── 督导检查: tasks with milestones (one overdue), last quarter's reports (on time, late, missing) ──
  const lastQuarter = previousQuarter(options.now);
  const q = quarterOf(lastQuarter)!;
  const dueAt = new Date(`${q.dueOn}T23:59:59+08:00`).getTime();
  clock = Date.parse(`${q.from}T09:00:00+08:00`) - 10 * DAY_MS;
  const owners = ['ADMINISTRATIVE_APPROVAL_BUREAU', 'MARKET_REGULATION_BUREAU', 'TAXATION_BUREAU'];
  for (const code of owners) {
    const admin = as({ subject: `sample:admin-${code}`, role: 'UNIT_ADMIN', unitId: unitIdForCode(code), enterprise: null });
    await admin.createTask({
      unitId: unitIdForCode(code),
      title: '（样例）高频事项“一件事一次办”',
      description: '（样例）梳理高频事项，压减材料和环节，年底前全部上线',
      dueOn: day(60),
      milestones: [
        { title: '（样例）梳理事项清单', dueOn: day(-20) },
        { title: '（样例）系统上线试运行', dueOn: day(30) },
      ],
    });
    added++;
  }
  if (options.now.getTime() > dueAt) {
    clock = dueAt - 5 * DAY_MS;
    await as({
      subject: 'sample:admin-approval',
      role: 'UNIT_ADMIN',
      unitId: unitIdForCode('ADMINISTRATIVE_APPROVAL_BUREAU'),
      enterprise: null,
    }).submitQuarterlyReport({ quarter: lastQuarter, content: '（样例）本季度完成事项梳理，材料压减三成' });
    clock = dueAt + 3 * DAY_MS;
    await as({
      subject: 'sample:admin-market',
      role: 'UNIT_ADMIN',
      unitId: unitIdForCode('MARKET_REGULATION_BUREAU'),
      enterprise: null,
    }).submitQuarterlyReport({ quarter: lastQuarter, content: '（样例）本季度进展（逾期报送）' });
    added += 2;
  }

  // ── 半年效果评估: the current half year, defined and live, economic figures entered ──
  clock = options.now.getTime() - DAY_MS;
  const half = `${options.now.getUTCFullYear()}-H${options.now.getUTCMonth() < 6 ? 1 : 2}`;
  await office.createEvaluation({
    period: half,
    indicators: [
      // Mandatory: the two figures entered below, so the four units that have them are graded and every other unit shows as 未参评 with what it lacks.
      {
        code: 'ECONOMY',
        name: '经济运行',
        kind: 'ECONOMIC_OPERATION',
        weight: 20,
        measure: '（样例）统计部门提供的主要指标完成度',
        mandatory: true,
      },
      {
        code: 'MARKET',
        name: '市场主体满意度',
        kind: 'MARKET_SATISFACTION',
        weight: 15,
        measure: '（样例）第三方调查得分',
        mandatory: true,
      },
      { code: 'RECTIFY', name: '问题整改', kind: 'RECTIFICATION', weight: 20, measure: '问题整改率', mandatory: false },
      { code: 'POLICY', name: '政策兑现', kind: 'POLICY_HONOURING', weight: 15, measure: '已兑现 ÷ 已批准', mandatory: false },
      { code: 'CONTEST', name: '擂台比武', kind: 'CONTEST', weight: 10, measure: '最近一次市级擂台得分', mandatory: false },
      { code: 'REPORTS', name: '季度报告', kind: 'REPORT_PUNCTUALITY', weight: 10, measure: '季度报告按时率', mandatory: false },
      { code: 'REVIEWS', name: '好差评', kind: 'SERVICE_REVIEWS', weight: 10, measure: '好差评满意率', mandatory: false },
    ],
    gradingMethod: 'THRESHOLDS',
    gradeCutoffs: [85, 70, 60],
  });
  added++;
  const figures: [string, number, number][] = [
    ['ADMINISTRATIVE_APPROVAL_BUREAU', 102.5, 92],
    ['MARKET_REGULATION_BUREAU', 98.1, 85],
    ['TAXATION_BUREAU', 100.4, 88],
    ['SCIENCE_TECHNOLOGY_BUREAU', 96.7, 81],
  ];
  for (const [code, economy, market] of figures) {
    await office.setIndicatorValue({
      period: half,
      indicator: 'ECONOMY',
      unitId: unitIdForCode(code),
      value: economy,
      source: '（样例）市统计局月报',
    });
    await office.setIndicatorValue({
      period: half,
      indicator: 'MARKET',
      unitId: unitIdForCode(code),
      value: market,
      source: '（样例）第三方满意度调查',
    });
  }
  return added;
}

/** The quarter before the one `now` falls in, like 2026-Q3. */
function previousQuarter(now: Date): string {
  const beijing = new Date(now.getTime() + 8 * 3_600_000);
  const q = Math.floor(beijing.getUTCMonth() / 3) + 1;
  return q === 1 ? `${beijing.getUTCFullYear() - 1}-Q4` : `${beijing.getUTCFullYear()}-Q${q - 1}`;
}
