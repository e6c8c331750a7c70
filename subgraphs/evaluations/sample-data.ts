/**
 * Sample contests and reviews for trying the platform out: played through the real use cases (so every
 * sample has a true history), dated relative to the day they are loaded, so the picture is live — a
 * published city contest with six judges (highest and lowest dropped) and its last place carried
 * into the open contest that follows; and reviews on every channel, bad ones at every step: awaiting
 * an answer, overdue, answered, rectified late, followed up, appealed and upheld; tackling tasks with
 * an overdue milestone and last quarter's reports (on time, late, one missing); surveys (问卷调查) of
 * enterprises about 市行政审批局 and of the public about 即墨区, answered; and the current half
 * year's evaluation, defined with economic and market-satisfaction figures (mandatory) — entered, and
 * for 市行政审批局 its enterprises' survey — so its preview and
 * the board are live: four units graded, the rest not evaluated for want of data. Everything is flagged `sample`; loading twice adds nothing.
 */
import type { Db } from '../../db/client.ts';
import type { Viewer } from '../../platform/auth.ts';
import { staticCalendar } from '../../platform/calendar-source.ts';
import { Directory, staticDirectory } from '../../platform/directory.ts';
import { referenceCalendarYears } from '../../db/reference/holidays.ts';
import { referenceOrganisation, sampleCreditCode, unitIdForCode } from '../../db/reference/organisation.ts';
import { beijingMidnight, DEFAULT_OFFICE_HOURS, parseOfficeHours } from '../../platform/calendar.ts';
import { halfYear } from '../../platform/periods.ts';
import { present } from '../../platform/invariant.ts';
import { createEvaluationsContext, type EvaluationsContext } from './context.ts';
import { quarter as quarterOf } from './grading.ts';
import { createEvaluationsLoaders } from './loaders.ts';
import { noFigures } from './remote.ts';
import type { ReviewChannel, ServiceReviewLevel } from './schema-types.ts';
import { sampleStore } from './store.ts';
import * as contests from './use-cases/contests.ts';
import * as evaluations from './use-cases/evaluation.ts';
import * as reviews from './use-cases/reviews.ts';
import * as surveys from './use-cases/surveys.ts';
import * as tasks from './use-cases/tasks.ts';

const DAY_MS = 86_400_000;

/** The sample's clock, moved on as the story unfolds, and the callers it plays. */
interface Play {
  now: Date;
  /** The sample's own clock, in ms: every caller's `now`. */
  clock: number;
  as(viewer: Viewer, address?: string): EvaluationsContext;
  office: EvaluationsContext;
  /** A date `offset` days from the day the sample is loaded. */
  day(offset: number): string;
}

export async function loadEvaluationsSampleData(db: Db, options: { now: Date } = { now: new Date() }): Promise<number> {
  if ((await sampleStore.count(db)) > 0) return 0;
  const directory = staticDirectory(Directory.of(referenceOrganisation()));
  const calendar = staticCalendar(referenceCalendarYears());
  const officeHours = present(parseOfficeHours(DEFAULT_OFFICE_HOURS), 'office hours');
  const play = {
    now: options.now,
    clock: options.now.getTime() - 40 * DAY_MS,
    day: (offset: number) => new Date(options.now.getTime() + offset * DAY_MS).toISOString().slice(0, 10),
  } as Play;
  play.as = (viewer, address = 'sample') =>
    createEvaluationsContext({
      db,
      viewer,
      clientAddress: address,
      loaders: createEvaluationsLoaders(db, directory, () => new Date(play.clock)),
      directory,
      calendar,
      officeHours,
      now: () => new Date(play.clock),
      maxPageSize: 100,
      sample: true,
      figures: noFigures(),
    });
  play.office = play.as({
    subject: 'sample:command-office',
    role: 'COMMAND_OFFICE',
    unitId: unitIdForCode('COMMAND_OFFICE'),
    enterprise: null,
  });
  return (
    (await sampleContests(play)) +
    (await sampleReviews(play)) +
    (await sampleTasks(play)) +
    (await sampleSurveys(play)) +
    (await sampleEvaluation(play))
  );
}

/** 擂台比武: a published city contest, then the next one with the last place carried over. */
async function sampleContests(play: Play): Promise<number> {
  const { office, day } = play;
  const criteria = [
    { name: '问题找得准', weight: 30 },
    { name: '目标定得实', weight: 30 },
    { name: '举措可落地', weight: 40 },
  ];
  const first = await contests.createContest(office, {
    input: { title: '（样例）第一期全市擂台比武', level: 'CITY', heldOn: day(-30), criteria },
  });
  const entrants = ['ADMINISTRATIVE_APPROVAL_BUREAU', 'MARKET_REGULATION_BUREAU', 'TAXATION_BUREAU', 'SCIENCE_TECHNOLOGY_BUREAU'];
  const entries = [];
  for (const code of entrants) {
    entries.push(
      await contests.addContestEntry(office, {
        contestId: first.id,
        input: {
          unitId: unitIdForCode(code),
          problems: '（样例）企业办事环节多、材料多',
          goals: '（样例）年底前高频事项一次办结',
          ideas: '（样例）以企业视角梳理流程',
          measures: '（样例）材料清单压减三成，推行告知承诺制',
        },
      }),
    );
  }
  const judges = ['甲', '乙', '丙', '丁', '戊', '己'];
  for (const name of judges)
    await contests.assignJudge(office, {
      contestId: first.id,
      input: { subject: `sample:judge-${name}`, role: 'OBSERVER', name: `评委${name}（样例）` },
    });
  for (const [j, name] of judges.entries()) {
    const judge = play.as({ subject: `sample:judge-${name}`, role: 'OBSERVER', unitId: null, enterprise: null });
    await contests.submitScores(judge, {
      contestId: first.id,
      scores: entries.flatMap((entry, e) =>
        criteria.map((_, c) => ({ entryId: entry.id, criterion: c, score: 92 - e * 4 + ((j * 3 + c) % 5) - (j === 0 ? 10 : 0) })),
      ),
    });
  }
  await contests.closeContest(office, { id: first.id });
  await contests.publishContest(office, { id: first.id });
  play.clock = play.now.getTime() - 2 * DAY_MS;
  const second = await contests.createContest(office, {
    input: { title: '（样例）第二期全市擂台比武', level: 'CITY', heldOn: day(3), criteria },
  });
  await contests.addContestEntry(office, {
    contestId: second.id,
    input: {
      unitId: unitIdForCode('HOUSING_CONSTRUCTION_BUREAU'),
      problems: '（样例）项目审批周期长',
      goals: '（样例）审批时限压缩一半',
      ideas: '（样例）并联审批',
      measures: '（样例）一窗受理、同步审查',
    },
  });
  return 2;
}

interface SampleReview {
  unit: string;
  item: string;
  channel: ReviewChannel;
  level: ServiceReviewLevel;
  comment?: string;
  daysAgo: number;
  then?: ('answer' | 'answerLate' | 'rectify' | 'rectifyLate' | 'followUp' | 'appeal' | 'upheld')[];
}

const SAMPLE_REVIEWS: SampleReview[] = [
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

/** 好差评: reviews on every channel, bad ones at every step — answered, late, rectified, followed up, appealed and upheld. */
async function sampleReviews(play: Play): Promise<number> {
  let n = 0;
  for (const r of SAMPLE_REVIEWS) {
    play.clock = play.now.getTime() - r.daysAgo * DAY_MS;
    const reviewer = play.as({ subject: null, role: 'ANONYMOUS', unitId: null, enterprise: null }, `sample-${++n}`);
    const review = await reviews.submitServiceReview(reviewer, {
      input: {
        clientRequestId: `sample-review-${n}`,
        unitId: unitIdForCode(r.unit),
        serviceItem: r.item,
        channel: r.channel,
        level: r.level,
        comment: r.comment,
      },
    });
    const staff = play.as({ subject: `sample:staff-${r.unit}`, role: 'UNIT_ADMIN', unitId: unitIdForCode(r.unit), enterprise: null });
    for (const step of r.then ?? []) await sampleReviewStep(play, staff, review.id, step);
  }
  return n;
}

async function sampleReviewStep(play: Play, staff: EvaluationsContext, id: string, step: NonNullable<SampleReview['then']>[number]) {
  switch (step) {
    case 'answer':
      return reviews.answerServiceReview(staff, { id, answer: '（样例）已电话联系企业，核实情况属实' });
    case 'answerLate':
      play.clock += 3 * DAY_MS;
      return reviews.answerServiceReview(staff, { id, answer: '（样例）已联系企业，核实情况属实' });
    case 'rectify':
      play.clock += 5 * DAY_MS;
      return reviews.rectifyServiceReview(staff, { id, measures: '（样例）一次性告知补正材料清单' });
    case 'rectifyLate':
      play.clock += 25 * DAY_MS;
      return reviews.rectifyServiceReview(staff, { id, measures: '（样例）增派核查人员，三日内上门' });
    case 'followUp':
      play.clock += 1 * DAY_MS;
      return reviews.recordReviewFollowUp(staff, { id, input: { reached: true, level: 'SATISFIED', note: '（样例）企业对整改表示满意' } });
    case 'appeal':
      return reviews.appealServiceReview(staff, { id, reason: '（样例）退税已按规定时限到账，评价与事实不符' });
    case 'upheld':
      play.clock += DAY_MS;
      return reviews.decideReviewAppeal(play.office, { id, decision: 'UPHELD', reason: '（样例）经核，退税按时到账，申诉成立' });
  }
}

/** 督导检查: tasks with milestones (one overdue), last quarter's reports (on time, late, missing). */
async function sampleTasks(play: Play): Promise<number> {
  const { day } = play;
  const lastQuarter = previousQuarter(play.now);
  const q = present(quarterOf(lastQuarter), `quarter ${lastQuarter}`);
  const dueAt = new Date(`${q.dueOn}T23:59:59+08:00`).getTime();
  play.clock = Date.parse(`${q.from}T09:00:00+08:00`) - 10 * DAY_MS;
  const owners = ['ADMINISTRATIVE_APPROVAL_BUREAU', 'MARKET_REGULATION_BUREAU', 'TAXATION_BUREAU'];
  for (const code of owners) {
    const admin = play.as({ subject: `sample:admin-${code}`, role: 'UNIT_ADMIN', unitId: unitIdForCode(code), enterprise: null });
    await tasks.createTask(admin, {
      input: {
        unitId: unitIdForCode(code),
        title: '（样例）高频事项“一件事一次办”',
        description: '（样例）梳理高频事项，压减材料和环节，年底前全部上线',
        dueOn: day(60),
        milestones: [
          { title: '（样例）梳理事项清单', dueOn: day(-20) },
          { title: '（样例）系统上线试运行', dueOn: day(30) },
        ],
      },
    });
  }
  if (play.now.getTime() <= dueAt) return owners.length;
  play.clock = dueAt - 5 * DAY_MS;
  await tasks.submitQuarterlyReport(
    play.as({
      subject: 'sample:admin-approval',
      role: 'UNIT_ADMIN',
      unitId: unitIdForCode('ADMINISTRATIVE_APPROVAL_BUREAU'),
      enterprise: null,
    }),
    { input: { quarter: lastQuarter, content: '（样例）本季度完成事项梳理，材料压减三成' } },
  );
  play.clock = dueAt + 3 * DAY_MS;
  await tasks.submitQuarterlyReport(
    play.as({ subject: 'sample:admin-market', role: 'UNIT_ADMIN', unitId: unitIdForCode('MARKET_REGULATION_BUREAU'), enterprise: null }),
    { input: { quarter: lastQuarter, content: '（样例）本季度进展（逾期报送）' } },
  );
  return owners.length + 2;
}

/** 半年效果评估: the current half year, defined and live, economic figures entered. */
async function sampleEvaluation(play: Play): Promise<number> {
  const { office } = play;
  play.clock = play.now.getTime() - DAY_MS;
  const half = halfOf(play.now);
  await evaluations.createEvaluation(office, {
    input: {
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
    },
  });
  const figures: [string, number, number][] = [
    ['ADMINISTRATIVE_APPROVAL_BUREAU', 102.5, 92],
    ['MARKET_REGULATION_BUREAU', 98.1, 85],
    ['TAXATION_BUREAU', 100.4, 88],
    ['SCIENCE_TECHNOLOGY_BUREAU', 96.7, 81],
  ];
  for (const [code, economy, market] of figures) {
    await evaluations.setIndicatorValue(office, {
      input: { period: half, indicator: 'ECONOMY', unitId: unitIdForCode(code), value: economy, source: '（样例）市统计局月报' },
    });
    // 市行政审批局's market satisfaction is its enterprises' survey of the half year (sampleSurveys): nothing typed in.
    if (code === SURVEYED_UNIT) continue;
    await evaluations.setIndicatorValue(office, {
      input: { period: half, indicator: 'MARKET', unitId: unitIdForCode(code), value: market, source: '（样例）第三方满意度调查' },
    });
  }
  return 1;
}

const SURVEYED_UNIT = 'ADMINISTRATIVE_APPROVAL_BUREAU';
const MINUTE_MS = 60_000;

/** The half year `now` falls in, like 2026-H2 (as the sample evaluation names it). */
const halfOf = (now: Date) => `${now.getUTCFullYear()}-H${now.getUTCMonth() < 6 ? 1 : 2}`;

/**
 * 问卷调查: an enterprises' survey about 市行政审批局 published in the current half year (three days ago,
 * or at the half year's start), answered by five enterprises — so its market satisfaction in the
 * sample evaluation is the survey's — and a public survey about 即墨区 with text answers.
 */
async function sampleSurveys(play: Play): Promise<number> {
  const halfStart = beijingMidnight(present(halfYear(halfOf(play.now)), 'the sample half year').from).getTime();
  play.clock = Math.max(play.now.getTime() - 3 * DAY_MS, halfStart);
  const enterprises = await surveys.publishSurvey(play.office, {
    input: {
      clientRequestId: 'sample-survey-enterprises',
      title: '（样例）市行政审批局政务服务企业满意度调查',
      audience: 'ENTERPRISES',
      subject: 'UNIT',
      unitId: unitIdForCode(SURVEYED_UNIT),
      closesOn: play.day(20),
      questions: [
        { kind: 'RATING', text: '总体满意度' },
        { kind: 'RATING', text: '办事效率' },
        { kind: 'SINGLE_CHOICE', text: '主要办事渠道', options: ['网上办', '窗口办', '自助办'] },
        { kind: 'MULTIPLE_CHOICE', text: '遇到的问题', options: ['材料多', '跑腿多', '时间长', '无'] },
        { kind: 'TEXT', text: '意见建议', required: false },
      ],
    },
  });
  const sheets: [number, number, number, number[], string | null][] = [
    [5, 4, 0, [3], null],
    [4, 4, 1, [0], '（样例）施工许可材料清单能否再精简'],
    [5, 5, 0, [3], null],
    [3, 2, 1, [0, 2], '（样例）窗口午间排队时间长'],
    [4, 4, 2, [1], null],
  ];
  for (const [n, [overall, speed, channel, issues, text]] of sheets.entries()) {
    play.clock += 7 * MINUTE_MS;
    const enterprise = play.as({
      subject: `sample:enterprise-${n + 1}`,
      role: 'ENTERPRISE',
      unitId: null,
      enterprise: sampleCreditCode('370212', 80 + n),
    });
    await surveys.answerSurvey(enterprise, {
      input: {
        clientRequestId: `sample-survey-answer-${n + 1}`,
        surveyId: enterprises.id,
        answers: [
          { question: 0, rating: overall },
          { question: 1, rating: speed },
          { question: 2, choices: [channel] },
          { question: 3, choices: issues },
          ...(text ? [{ question: 4, text }] : []),
        ],
      },
    });
  }
  const district = await surveys.publishSurvey(play.office, {
    input: {
      clientRequestId: 'sample-survey-public',
      title: '（样例）即墨区群众办事满意度调查',
      audience: 'PUBLIC',
      subject: 'DISTRICT',
      districtCode: '370215',
      closesOn: play.day(30),
      questions: [
        { kind: 'RATING', text: '您对区政务服务中心的总体评价' },
        { kind: 'TEXT', text: '您遇到的问题' },
      ],
    },
  });
  const said = ['（样例）不动产登记周末不办理', '（样例）停车难，希望增加车位', '（样例）工作人员态度好'];
  for (const [n, text] of said.entries()) {
    play.clock += 5 * MINUTE_MS;
    const person = play.as({ subject: null, role: 'ANONYMOUS', unitId: null, enterprise: null }, `sample-survey-${n + 1}`);
    await surveys.answerSurvey(person, {
      input: {
        clientRequestId: `sample-survey-public-${n + 1}`,
        surveyId: district.id,
        answers: [
          { question: 0, rating: 4 - n },
          { question: 1, text },
        ],
      },
    });
  }
  return 2;
}

/** The quarter before the one `now` falls in, like 2026-Q3. */
function previousQuarter(now: Date): string {
  const beijing = new Date(now.getTime() + 8 * 3_600_000);
  const q = Math.floor(beijing.getUTCMonth() / 3) + 1;
  return q === 1 ? `${beijing.getUTCFullYear() - 1}-Q4` : `${beijing.getUTCFullYear()}-Q${q - 1}`;
}
