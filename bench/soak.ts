/**
 * `npm run bench -- soak` (issue #28 §3): a working day's mixed load for SOAK_MINUTES (10 by default).
 *
 * PostgreSQL, two replicas of every subgraph and one gateway in front of both, each a process of its
 * own on the platform's default limits (not the other benches' long ones: refusals and timeouts are
 * what a user would get). SOAK_USERS distinct users (64 by default), each with a token of its own, in a
 * closed loop through the gateway, each pausing between an answer and its next request as a person
 * reading it would (SOAK_THINK_MS: the mean of an exponential pause, 1,000 ms by default; 0 sends the
 * next request at once, the machine's saturation rather than a working day): 80% reads (the board, a bureau's lists with filters and pages,
 * issue details, search, policy matches, an enterprise's applications, reviews) and 20% writes (appeals
 * through their loop, service reviews, applications through review and approval, contest scores).
 *
 * It reports per operation req/s, p50/p95/p99 and errors (intended refusals apart), each process's
 * memory over time, the database connections in use against the pools' limits, and whether every kept
 * figure still equals a rebuild from the rows (db/kept-figures.ts); and draws latency and memory over
 * time as an SVG chart. Report and chart: .build/soak/ (SOAK_OUT).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { Pool } from 'undici';
import { openPostgres } from '../db/client.ts';
import { compareKeptWithRebuild, KEPT_FIGURES } from '../db/kept-figures.ts';
import { referenceUnits, sampleCreditCode, unitIdForCode } from '../db/reference/organisation.ts';
import { signToken } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { benchProcessEnv } from './env.ts';
import { countIssues, fillIssues } from './fill.ts';
import { serverUrl, start, waitFor, type Service } from './gateway.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const DB = process.env.BENCH_SOAK_DB ?? 'yingshang_bench_soak';
const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const USERS = Number(process.env.SOAK_USERS ?? 64);
/** A user's mean pause between an answer and the next request (exponential, capped at five times the mean). */
const THINK_MS = Number(process.env.SOAK_THINK_MS ?? 1_000);
const think = () =>
  THINK_MS > 0 ? new Promise((resolve) => setTimeout(resolve, Math.min(-Math.log(1 - Math.random()) * THINK_MS, 5 * THINK_MS))) : null;
const ISSUES = Number(process.env.SOAK_ISSUES ?? 20_000);
const ENTERPRISES = Number(process.env.SOAK_ENTERPRISES ?? 2_000);
/** Connections each subgraph process's pool may open: 10 processes share one server's max_connections. */
const POOL_MAX = Number(process.env.SOAK_POOL_MAX ?? 6);
const BASE_PORT = Number(process.env.SOAK_PORT ?? 4910);
const SAMPLE_EVERY_MS = 10_000;
/** Eleven processes start on two cores (each compiles the TypeScript it runs): give them time. */
const STARTING_MS = 300_000;
const OUT = process.env.SOAK_OUT ?? path.join(root, '.build/soak');
const READ_P99_MS = 300;
const WRITE_P99_MS = 500;
/** Codes a caller is meant to get now and then under this load: counted apart, not as errors. */
const INTENDED = new Set(['RATE_LIMITED']);

const HANDLERS = [
  'MARKET_REGULATION_BUREAU',
  'TAXATION_BUREAU',
  'ADMINISTRATIVE_APPROVAL_BUREAU',
  'COMMERCE_BUREAU',
  'HOUSING_CONSTRUCTION_BUREAU',
  'SCIENCE_TECHNOLOGY_BUREAU',
  'PUBLIC_SECURITY_BUREAU',
  'HOUSING_PROVIDENT_FUND_CENTER',
];
const WORDS = ['审批', '材料', '办理', '企业', '窗口', '补正', '不动产', '税务', '营业执照', '施工许可'];
const STATUSES = [undefined, ['ACCEPTED'], ['ASSIGNED', 'CONTACTED'], ['CLOSED'], ['FEEDBACK_GIVEN', 'RESOLVED']];
const LEVELS = ['VERY_SATISFIED', 'SATISFIED', 'BASICALLY_SATISFIED', 'UNSATISFIED'];

type Kind = 'read' | 'write';
interface Sample {
  op: string;
  kind: Kind;
  at: number;
  ms: number;
  /** undefined: answered; a code: refused or failed with it. */
  code?: string;
}

const token = (claims: Parameters<typeof signToken>[0]) => signToken(claims, { secret: DEVELOPMENT_JWT_SECRET }, '12h');
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const beijingToday = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

/** One GraphQL client over kept-alive connections; every answer says its first error code, if any. */
function client(url: string, connections: number) {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections, pipelining: 1 });
  async function send(query: string, variables: Record<string, unknown>, bearer?: string) {
    const response = await pool.request({
      path: target.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify({ query, variables }),
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    const text = await response.body.text();
    let body: { data?: Record<string, any>; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      body = JSON.parse(text);
    } catch {
      return { code: `HTTP_${response.statusCode}`, data: undefined };
    }
    const code = body.errors?.length
      ? (body.errors[0]?.extensions?.code ?? 'ERROR')
      : response.statusCode === 200
        ? undefined
        : `HTTP_${response.statusCode}`;
    return { code, data: body.data, message: body.errors?.[0]?.message };
  }
  /** For the setup: the data, or the run stops with what went wrong. */
  async function must(query: string, variables: Record<string, unknown>, bearer?: string): Promise<Record<string, any>> {
    const answer = await send(query, variables, bearer);
    if (answer.code || !answer.data) throw new Error(`soak setup: ${query.slice(0, 60)}… ${answer.code}: ${answer.message ?? ''}`);
    return answer.data;
  }
  return { send, must, close: () => pool.close() };
}

type Client = ReturnType<typeof client>;

/** The people of the run: each user a token of its own for each part it plays. */
async function people(count: number) {
  const office = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      token({ sub: `soak-office-${i}`, role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') }),
    ),
  );
  const staff = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      token({ sub: `soak-staff-${i}`, role: 'UNIT_STAFF', unit: unitIdForCode(HANDLERS[i % HANDLERS.length]!) }),
    ),
  );
  const judges = await Promise.all(Array.from({ length: count }, (_, i) => token({ sub: `soak-judge-${i}`, role: 'OBSERVER' })));
  // A person of the reviewing unit for each user: who takes an application into review decides it (or a unit admin).
  const reviewers = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      token({ sub: `soak-science-${i}`, role: 'UNIT_STAFF', unit: unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU') }),
    ),
  );
  const handlerStaff = Object.fromEntries(
    await Promise.all(
      HANDLERS.map(
        async (code) => [code, await token({ sub: `soak-handler-${code}`, role: 'UNIT_STAFF', unit: unitIdForCode(code) })] as const,
      ),
    ),
  );
  const enterpriseTokens = new Map<string, Promise<string>>();
  const enterprise = (creditCode: string) => {
    if (!enterpriseTokens.has(creditCode))
      enterpriseTokens.set(creditCode, token({ sub: `soak-${creditCode}`, role: 'ENTERPRISE', enterprise: creditCode }));
    return enterpriseTokens.get(creditCode)!;
  };
  return { office, staff, judges, reviewers, handlerStaff, enterprise };
}

const firm = (n: number) => sampleCreditCode(['370202', '370203', '370211', '370212', '370213'][n % 5]!, 20_000 + n);

/** What the run writes against: enterprises that fit one open policy item, a contest with entries and judges. */
async function setUp(gateway: Client, who: Awaited<ReturnType<typeof people>>) {
  const office = who.office[0]!;
  const upsert = `mutation($input: UpsertEnterpriseInput!) { upsertEnterprise(input: $input) { creditCode } }`;
  for (let from = 0; from < ENTERPRISES; from += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, ENTERPRISES - from) }, (_, k) => {
        const n = from + k;
        return gateway.must(
          upsert,
          {
            input: {
              creditCode: firm(n),
              name: `青岛浸泡测试${n}号制造有限公司`,
              districtCode: ['370202', '370203', '370211', '370212', '370213'][n % 5],
              industryCode: 'C3484',
              sizeClass: 'SMALL',
              registeredOn: '2018-05-01',
              qualifications: ['HIGH_TECH'],
            },
          },
          office,
        );
      }),
    );
  }
  const scienceStaff = who.reviewers[0]!;
  const scienceAdmin = await token({ sub: 'soak-science-admin', role: 'UNIT_ADMIN', unit: unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU') });
  const policy = await gateway.must(
    `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`,
    {
      input: {
        level: 'MUNICIPAL',
        environment: 'POLICY',
        title: '青岛市高新技术企业研发补助（浸泡测试）',
        summary: '高新技术企业研发补助',
        text: '对高新技术企业给予研发补助五万元，经审核后兑现。',
      },
    },
    scienceStaff,
  );
  const policyId = policy.createPolicy.id as string;
  const item = await gateway.must(
    `mutation($policyId: ID!, $input: PolicyItemInput!) { createPolicyItem(policyId: $policyId, input: $input) { id } }`,
    {
      policyId,
      input: {
        name: '高新技术企业研发补助（浸泡测试）',
        kind: 'SUBSIDY',
        description: '高新技术企业研发补助五万元。',
        amount: { kind: 'FIXED', amount: 50_000 },
        requiredMaterials: [],
        reviewWorkingDays: 10,
        paymentWorkingDays: 10,
        eligibility: { qualifications: ['HIGH_TECH'] },
      },
    },
    scienceStaff,
  );
  await gateway.must(
    `mutation($id: ID!, $input: PublishPolicyInput) { publishPolicy(id: $id, input: $input) { id } }`,
    { id: policyId, input: { documentNumber: `青科规〔2026〕${900 + Math.floor(Math.random() * 99)}号` } },
    scienceAdmin,
  );
  const contest = await gateway.must(
    `mutation($input: CreateContestInput!) { createContest(input: $input) { id criteria { index } } }`,
    {
      input: {
        title: '擂台比武（浸泡测试）',
        level: 'CITY',
        heldOn: beijingToday(),
        criteria: [
          { name: '摆问题', weight: 30 },
          { name: '亮目标、列举措', weight: 70 },
        ],
      },
    },
    office,
  );
  const contestId = contest.createContest.id as string;
  const entrants = referenceUnits.filter((unit) => unit.kind !== 'COMMAND_OFFICE').slice(0, 40);
  for (const unit of entrants) {
    // A city contest carries over the last-ranked entrants of the one before (the sample's): those are in already.
    const added = await gateway.send(
      `mutation($contestId: ID!, $input: ContestEntryInput!) { addContestEntry(contestId: $contestId, input: $input) { id } }`,
      { contestId, input: { unitId: unit.id, problems: '审批环节多', goals: '压减时限', ideas: '一网通办', measures: '流程再造' } },
      office,
    );
    if (added.code && added.code !== 'CONFLICT') throw new Error(`soak setup: addContestEntry ${added.code}: ${added.message ?? ''}`);
  }
  const entered = await gateway.must(`query($id: ID!) { contest(id: $id) { entries { id } } }`, { id: contestId }, office);
  const entries = (entered.contest.entries as { id: string }[]).map((entry) => entry.id);
  for (let i = 0; i < who.judges.length; i++) {
    await gateway.must(
      `mutation($contestId: ID!, $input: JudgeInput!) { assignJudge(contestId: $contestId, input: $input) { id } }`,
      { contestId, input: { subject: `soak-judge-${i}`, role: 'OBSERVER', name: `评委${i + 1}` } },
      office,
    );
  }
  const seen = await gateway.must(`{ issues(first: 100) { edges { node { id } } } }`, {}, office);
  return {
    itemId: item.createPolicyItem.id as string,
    contestId,
    criteria: (contest.createContest.criteria as { index: number }[]).map((c) => c.index),
    entries,
    issueIds: (seen.issues.edges as { node: { id: string } }[]).map((e) => e.node.id),
  };
}

/** The mix: each operation, its weight (of 100), read or write, and what it sends for user `u`. */
function operations(who: Awaited<ReturnType<typeof people>>, fixture: Awaited<ReturnType<typeof setUp>>) {
  const issueIds = [...fixture.issueIds];
  // Appeals in their loop, applications in review, what each judge has left to score, enterprises not yet applied.
  const appeals: { id: string; step: number; unit: string; version?: number }[] = [];
  const applications: { id: string; step: number; user: number }[] = [];
  const scoring = who.judges.map(() => [...fixture.entries]);
  let nextFirm = 0;
  let counter = 0;
  const requestId = (label: string) => `soak-${process.pid}-${label}-${++counter}`;
  const remember = (id: string | undefined) => {
    if (id) {
      issueIds.push(id);
      if (issueIds.length > 5_000) issueIds.splice(0, 1_000);
    }
  };
  const period = { from: `${beijingToday().slice(0, 4)}-01-01`, to: beijingToday() };
  type Run = (gateway: Client, u: number) => Promise<string | undefined>;
  const op = (name: string, weight: number, kind: Kind, run: Run) => ({ name, weight, kind, run });

  const appealStep: Run = async (gateway, u) => {
    const appeal = appeals.shift();
    if (!appeal) {
      const creditCode = firm(Math.floor(Math.random() * ENTERPRISES));
      const answer = await gateway.send(
        `mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { id } }`,
        {
          input: {
            clientRequestId: requestId('appeal'),
            kind: pick(['HELP', 'COMPLAINT', 'CONSULTATION']),
            environment: 'SERVICE',
            title: `${pick(WORDS)}办理时间长`,
            description: `在窗口办理${pick(WORDS)}时被要求反复补正材料，希望一次性告知。`,
            districtCode: '370202',
          },
        },
        await who.enterprise(creditCode),
      );
      const id = answer.data?.submitAppeal?.id as string | undefined;
      if (id) appeals.push({ id, step: 0, unit: pick(HANDLERS) });
      remember(id);
      return answer.code;
    }
    const office = who.office[u]!;
    const staff = who.handlerStaff[appeal.unit]!;
    const steps: [string, Record<string, unknown>, string][] = [
      [`mutation($id: ID!) { acceptIssue(id: $id) { id } }`, { id: appeal.id }, office],
      [
        `mutation($id: ID!, $unitId: ID!) { assignIssue(id: $id, unitId: $unitId) { id } }`,
        { id: appeal.id, unitId: unitIdForCode(appeal.unit) },
        office,
      ],
      [`mutation($id: ID!) { recordContact(id: $id, note: "已电话联系") { id } }`, { id: appeal.id }, staff],
      [`mutation($id: ID!) { giveFeedback(id: $id, note: "已初步答复") { id } }`, { id: appeal.id }, staff],
      [`mutation($id: ID!) { resolveIssue(id: $id, resolution: "已办结") { id } }`, { id: appeal.id }, staff],
      [`mutation($id: ID!) { closeIssue(id: $id, note: "回访核实") { id } }`, { id: appeal.id }, office],
    ];
    const [query, variables, bearer] = steps[appeal.step]!;
    const answer = await gateway.send(query, variables, bearer);
    if (!answer.code && appeal.step + 1 < steps.length) appeals.push({ ...appeal, step: appeal.step + 1 });
    return answer.code;
  };

  const applicationStep: Run = async (gateway, u) => {
    const application = applications.shift();
    if (!application) {
      if (nextFirm >= ENTERPRISES) return serviceReview(gateway, u);
      const creditCode = firm(nextFirm++);
      const answer = await gateway.send(
        `mutation($input: SubmitApplicationInput!) { submitApplication(input: $input) { id } }`,
        { input: { clientRequestId: requestId('application'), itemId: fixture.itemId, materials: [] } },
        await who.enterprise(creditCode),
      );
      const id = answer.data?.submitApplication?.id as string | undefined;
      if (id) applications.push({ id, step: 0, user: u });
      return answer.code;
    }
    const steps = [
      `mutation($id: ID!) { startReview(id: $id) { id } }`,
      `mutation($id: ID!) { approveApplication(id: $id, amount: 50000) { id } }`,
    ];
    const answer = await gateway.send(steps[application.step]!, { id: application.id }, who.reviewers[application.user]);
    if (!answer.code && application.step + 1 < steps.length) applications.push({ ...application, step: application.step + 1 });
    return answer.code;
  };

  const serviceReview: Run = async (gateway) => {
    const answer = await gateway.send(
      `mutation($input: SubmitServiceReviewInput!) { submitServiceReview(input: $input) { id } }`,
      {
        input: {
          clientRequestId: requestId('review'),
          unitId: unitIdForCode(pick(HANDLERS)),
          serviceItem: `${pick(WORDS)}办理`,
          channel: pick(['ONLINE', 'WINDOW', 'MOBILE']),
          level: pick(LEVELS),
          comment: '办理顺利',
        },
      },
      await who.enterprise(firm(Math.floor(Math.random() * ENTERPRISES))),
    );
    return answer.code;
  };

  const score: Run = async (gateway, u) => {
    const entryId = scoring[u]!.shift();
    if (!entryId) return serviceReview(gateway, u);
    const answer = await gateway.send(
      `mutation($contestId: ID!, $scores: [ScoreInput!]!) { submitScores(contestId: $contestId, scores: $scores) { entryId } }`,
      {
        contestId: fixture.contestId,
        scores: fixture.criteria.map((criterion) => ({ entryId, criterion, score: 60 + Math.round(Math.random() * 40) })),
      },
      who.judges[u],
    );
    return answer.code;
  };

  const STATS = 'received accepted closed overdueNow responseRate onTimeResolutionRate satisfactionRate';
  return [
    op('board (evaluations)', 8, 'read', async (gateway, u) => {
      const answer = await gateway.send(
        `query($period: String) { board(period: $period) { unit { name } score grade reviews } }`,
        {
          period: `${beijingToday().slice(0, 4)}-H2`,
        },
        who.office[u],
      );
      return answer.code;
    }),
    op('board (issueStats of every unit)', 8, 'read', async (gateway, u) => {
      const answer = await gateway.send(
        `query($period: PeriodInput) { units(first: 100) { edges { node { code name issueStats(period: $period) { ${STATS} } } } } }`,
        { period },
        who.office[u],
      );
      return answer.code;
    }),
    op("a bureau's issue list", 16, 'read', async (gateway, u) => {
      const status = pick(STATUSES);
      const first = await gateway.send(
        `query($filter: IssueFilter, $after: String) { issues(filter: $filter, first: 20, after: $after) { totalCount pageInfo { endCursor hasNextPage } edges { node { id number title status responsibleUnit { name } } } } }`,
        { filter: status ? { status } : {} },
        who.staff[u],
      );
      for (const edge of first.data?.issues?.edges ?? []) remember(edge.node.id);
      return first.code;
    }),
    op('issue details', 10, 'read', async (gateway, u) => {
      const answer = await gateway.send(
        `query($id: ID!) { issue(id: $id) { id number title status source receivedAt responsibleUnit { name } history { action at } } }`,
        { id: pick(issueIds) },
        who.office[u],
      );
      return answer.code;
    }),
    op('issue search', 8, 'read', async (gateway, u) => {
      const answer = await gateway.send(
        `query($text: String) { issues(filter: { text: $text }, first: 20) { totalCount edges { node { id title } } } }`,
        { text: pick(WORDS) },
        who.office[u],
      );
      return answer.code;
    }),
    op('policy search (public)', 6, 'read', async (gateway) => {
      const answer = await gateway.send(
        `query($text: String) { policyItems(filter: { text: $text }, first: 10) { totalCount edges { node { id name } } } }`,
        {
          text: pick(['研发', '补助', '奖励', '人才', '高新技术']),
        },
      );
      return answer.code;
    }),
    op('policy matches (enterprise)', 10, 'read', async (gateway) => {
      const creditCode = firm(Math.floor(Math.random() * ENTERPRISES));
      const answer = await gateway.send(
        `query($creditCode: String!) { policyMatches(creditCode: $creditCode, first: 20) { edges { node { eligible missing item { id name } } } } }`,
        { creditCode },
        await who.enterprise(creditCode),
      );
      return answer.code;
    }),
    op("an enterprise's applications", 8, 'read', async (gateway) => {
      const creditCode = firm(Math.floor(Math.random() * Math.max(1, nextFirm)));
      const answer = await gateway.send(
        `{ applications(first: 10) { totalCount edges { node { id status approvedAmount } } } }`,
        {},
        await who.enterprise(creditCode),
      );
      return answer.code;
    }),
    op('service reviews of a unit', 6, 'read', async (gateway, u) => {
      const answer = await gateway.send(
        `{ serviceReviews(first: 20) { totalCount edges { node { id level status } } } }`,
        {},
        who.staff[u],
      );
      return answer.code;
    }),
    op('appeal loop step', 6, 'write', appealStep),
    op('service review', 4, 'write', serviceReview),
    op('application step', 6, 'write', applicationStep),
    op('contest scores', 4, 'write', score),
  ];
}

/** Resident memory of a process, in MiB (Linux /proc). */
function rssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

/** Latency p95 of reads and writes and each process's memory over time, as one SVG of two panels. */
function chart(
  buckets: { t: number; read: number; write: number }[],
  memory: { t: number; rss: Record<string, number> }[],
  names: string[],
): string {
  const width = 900;
  const panel = 260;
  const left = 60;
  const plotWidth = width - left - 180;
  const end = Math.max(1, ...buckets.map((b) => b.t), ...memory.map((m) => m.t));
  const x = (t: number) => left + (t / end) * plotWidth;
  const line = (points: [number, number][], color: string, top: number, max: number) =>
    `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v]) => `${x(t).toFixed(1)},${(top + panel - (v / max) * panel).toFixed(1)}`)
      .join(' ')}"/>`;
  const axis = (top: number, max: number, unit: string, title: string) =>
    `<text x="${left}" y="${top - 8}" font-size="13">${title}</text>` +
    `<line x1="${left}" y1="${top + panel}" x2="${left + plotWidth}" y2="${top + panel}" stroke="#999"/>` +
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + panel}" stroke="#999"/>` +
    [0, 0.5, 1]
      .map(
        (f) =>
          `<text x="${left - 6}" y="${top + panel - f * panel + 4}" font-size="10" text-anchor="end">${Math.round(max * f)} ${unit}</text>`,
      )
      .join('');
  const colors = [
    '#1f77b4',
    '#d62728',
    '#2ca02c',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
    '#bcbd22',
    '#17becf',
    '#ff7f0e',
    '#393b79',
    '#637939',
  ];
  const latencyMax = Math.max(READ_P99_MS, WRITE_P99_MS, ...buckets.flatMap((b) => [b.read, b.write]).filter(Number.isFinite)) * 1.05;
  const memoryMax = Math.max(100, ...memory.flatMap((m) => Object.values(m.rss)).filter(Number.isFinite)) * 1.05;
  const top1 = 30;
  const top2 = top1 + panel + 60;
  const legend = (items: [string, string][], top: number) =>
    items
      .map(
        ([name, color], i) => `<text x="${left + plotWidth + 12}" y="${top + 12 + i * 14}" font-size="11" fill="${color}">${name}</text>`,
      )
      .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top2 + panel + 40}" font-family="sans-serif">`,
    axis(top1, latencyMax, 'ms', 'p95 latency per 10 s (reads, writes)'),
    line(
      buckets.map((b) => [b.t, b.read]),
      colors[0]!,
      top1,
      latencyMax,
    ),
    line(
      buckets.map((b) => [b.t, b.write]),
      colors[1]!,
      top1,
      latencyMax,
    ),
    legend(
      [
        ['reads p95', colors[0]!],
        ['writes p95', colors[1]!],
      ],
      top1,
    ),
    axis(top2, memoryMax, 'MiB', 'resident memory per process'),
    ...names.map((name, i) =>
      line(
        memory.map((m) => [m.t, m.rss[name] ?? NaN]),
        colors[i % colors.length]!,
        top2,
        memoryMax,
      ),
    ),
    legend(
      names.map((name, i) => [name, colors[i % colors.length]!]),
      top2,
    ),
    `<text x="${left + plotWidth / 2}" y="${top2 + panel + 30}" font-size="11" text-anchor="middle">seconds since the start of the load</text>`,
    '</svg>',
  ].join('\n');
}

export async function runSoakBench(): Promise<void> {
  const admin = postgres(serverUrl('postgres'), { max: 1, onnotice: () => {} });
  // A fresh database each run: the drift check compares the figures kept during this run with a rebuild.
  await admin.unsafe(`drop database if exists ${DB} with (force)`);
  await admin.unsafe(`create database ${DB}`);
  const [{ max_connections: serverMax } = { max_connections: '100' }] = await admin<{ max_connections: string }[]>`show max_connections`;
  await admin.end();
  const url = serverUrl(DB);
  const database = openPostgres(url);
  await prepareDatabase(database, slices, { sample: true, now: new Date() });
  if ((await countIssues(database.forSubgraph('issues').db)) < ISSUES) await fillIssues(database.owner(), ISSUES);
  await database.close();

  const ports = Object.fromEntries(slices.map((slice, index) => [slice.name, BASE_PORT + index]));
  const replicaPorts = Object.fromEntries(slices.map((slice, index) => [slice.name, BASE_PORT + 20 + index]));
  const common: Record<string, string> = {
    ...benchProcessEnv(url, 'warn'),
    DATABASE_POOL_MAX: String(POOL_MAX),
    ...Object.fromEntries(
      slices.flatMap((slice) => [
        [`${slice.name.toUpperCase()}_PORT`, String(ports[slice.name])],
        [
          `${slice.name.toUpperCase()}_URL`,
          `http://127.0.0.1:${ports[slice.name]}/graphql,http://127.0.0.1:${replicaPorts[slice.name]}/graphql`,
        ],
      ]),
    ),
  };
  const services: Service[] = [];
  const stopAll = () => services.forEach((service) => service.child.kill('SIGTERM'));
  process.on('exit', stopAll);
  try {
    for (const slice of slices) {
      services.push(start(`${slice.name}#1`, ['--import', 'tsx', 'bin/subgraph.ts', slice.name], common, true));
      await waitFor(`http://127.0.0.1:${ports[slice.name]}/health`, STARTING_MS);
      services.push(
        start(
          `${slice.name}#2`,
          ['--import', 'tsx', 'bin/subgraph.ts', slice.name],
          { ...common, [`${slice.name.toUpperCase()}_PORT`]: String(replicaPorts[slice.name]) },
          true,
        ),
      );
    }
    for (const slice of slices) {
      await waitFor(`http://127.0.0.1:${ports[slice.name]}/ready`, STARTING_MS);
      await waitFor(`http://127.0.0.1:${replicaPorts[slice.name]}/ready`, STARTING_MS);
    }
    const gatewayPort = BASE_PORT + 50;
    services.push(start('gateway', ['--import', 'tsx', 'bin/gateway.ts'], { ...common, PORT: String(gatewayPort) }));
    await waitFor(`http://127.0.0.1:${gatewayPort}/ready`, STARTING_MS);
    const gateway = client(`http://127.0.0.1:${gatewayPort}/graphql`, USERS + 4);

    const who = await people(USERS);
    console.log(
      `\nSoak: setting up (${ENTERPRISES.toLocaleString('en')} enterprises, a policy item, a contest of 40 entries and ${USERS} judges)…`,
    );
    const fixture = await setUp(gateway, who);
    const mix = operations(who, fixture);
    const total = mix.reduce((sum, o) => sum + o.weight, 0);
    const choose = () => {
      let r = Math.random() * total;
      for (const o of mix) if ((r -= o.weight) < 0) return o;
      return mix[mix.length - 1]!;
    };

    const samples: Sample[] = [];
    const memory: { t: number; rss: Record<string, number> }[] = [];
    const connections: { t: number; n: number }[] = [];
    const monitor = postgres(serverUrl('postgres'), { max: 1, onnotice: () => {} });
    const began = performance.now();
    const until = began + MINUTES * 60_000;
    console.log(
      `Soak: ${USERS} users (pausing ${THINK_MS} ms on average between requests) for ${MINUTES} min through the gateway (two replicas of every subgraph, pools of ${POOL_MAX}) on ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}.`,
    );
    const sample = async () => {
      const t = (performance.now() - began) / 1000;
      memory.push({ t, rss: Object.fromEntries(services.map((s) => [s.name, rssMiB(s.child.pid)])) });
      const [row] = await monitor<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = ${DB}`;
      connections.push({ t, n: row?.n ?? NaN });
    };
    await sample();
    const sampler = setInterval(() => void sample().catch(() => {}), SAMPLE_EVERY_MS);
    await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        // The users start spread over their first pause, not all in the same instant.
        if (THINK_MS > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * THINK_MS));
        while (performance.now() < until) {
          const o = choose();
          const started = performance.now();
          let code: string | undefined;
          try {
            code = await o.run(gateway, u);
          } catch (error) {
            code = `EXCEPTION ${(error as Error).message.slice(0, 60)}`;
          }
          samples.push({
            op: o.name,
            kind: o.kind,
            at: (started - began) / 1000,
            ms: performance.now() - started,
            ...(code ? { code } : {}),
          });
          await think();
        }
      }),
    );
    clearInterval(sampler);
    await sample();
    const elapsed = (performance.now() - began) / 1000;
    await gateway.close();

    // Per operation.
    const lines: string[] = [];
    const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
    lines.push(row(['operation', 'kind', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'intended refusals']));
    lines.push(row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:']));
    const byOp = new Map<string, Sample[]>();
    for (const s of samples) byOp.set(s.op, [...(byOp.get(s.op) ?? []), s]);
    const errorCodes = new Map<string, number>();
    let errors = 0;
    const summary = (list: Sample[]) => {
      const times = list
        .filter((s) => !s.code)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
      return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99) };
    };
    for (const o of mix) {
      const list = byOp.get(o.name) ?? [];
      const failed = list.filter((s) => s.code && !INTENDED.has(s.code));
      const refused = list.filter((s) => s.code && INTENDED.has(s.code)).length;
      errors += failed.length;
      for (const s of failed) errorCodes.set(`${o.name}: ${s.code}`, (errorCodes.get(`${o.name}: ${s.code}`) ?? 0) + 1);
      const { p50, p95, p99 } = summary(list);
      lines.push(
        row([o.name, o.kind, (list.length / elapsed).toFixed(1), p50.toFixed(1), p95.toFixed(1), p99.toFixed(1), failed.length, refused]),
      );
    }
    const reads = summary(samples.filter((s) => s.kind === 'read'));
    const writes = summary(samples.filter((s) => s.kind === 'write'));
    // Latency over time, per 10 s.
    const buckets: { t: number; read: number; write: number }[] = [];
    for (let t = 0; t < elapsed; t += SAMPLE_EVERY_MS / 1000) {
      const inside = samples.filter((s) => s.at >= t && s.at < t + SAMPLE_EVERY_MS / 1000 && !s.code);
      const p95 = (kind: Kind) =>
        percentile(
          inside
            .filter((s) => s.kind === kind)
            .map((s) => s.ms)
            .sort((a, b) => a - b),
          95,
        );
      buckets.push({ t: t + SAMPLE_EVERY_MS / 2000, read: p95('read'), write: p95('write') });
    }
    // Memory growth after warm-up: the first minute (or first tenth of a short run) is the warm-up.
    const warm = Math.min(60, elapsed / 10);
    const names = services.map((s) => s.name);
    const growth = memoryGrowth(memory, names, warm);
    const peakConnections = Math.max(...connections.map((c) => c.n));
    // Two pools per subgraph process at most (its slice's and its notice worker's), each POOL_MAX.
    const poolLimit = slices.length * 2 * POOL_MAX * 2;

    // Drift: every kept figure against a rebuild from the rows, after the last write committed.
    const checking = openPostgres(url);
    const owner = checking.owner();
    const drift: string[] = [];
    for (const kept of KEPT_FIGURES) {
      const { kept: now, rebuilt, staged } = await compareKeptWithRebuild(owner, kept);
      if (JSON.stringify(now) !== JSON.stringify(rebuilt) || staged !== 0)
        drift.push(`${kept.table} (${now.length} kept rows, ${rebuilt.length} rebuilt, ${staged} staged)`);
    }

    await checking.close();
    const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
    const maxGrowth = Math.max(...growth.map((g) => g.peakGrowth).filter(Number.isFinite));
    const maxEndpoints = Math.max(...growth.map((g) => g.growth).filter(Number.isFinite));
    const report = [
      `# Soak run, ${new Date().toISOString()}`,
      '',
      `\`SOAK_MINUTES=${MINUTES} SOAK_THINK_MS=${THINK_MS} npm run bench -- soak\`: ${USERS} distinct users pausing ${THINK_MS} ms on average between requests, ${elapsed.toFixed(0)} s of load through the gateway; two replicas of every subgraph; ${os.cpus().length} CPUs; load average at the end ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}.`,
      `${samples.length.toLocaleString('en')} requests, ${(samples.length / elapsed).toFixed(1)} req/s.`,
      '',
      ...lines,
      '',
      `- reads: p50 ${reads.p50.toFixed(1)} · p95 ${reads.p95.toFixed(1)} · p99 ${reads.p99.toFixed(1)} ms (target p99 ≤ ${READ_P99_MS}: ${verdict(reads.p99 <= READ_P99_MS)})`,
      `- writes: p50 ${writes.p50.toFixed(1)} · p95 ${writes.p95.toFixed(1)} · p99 ${writes.p99.toFixed(1)} ms (target p99 ≤ ${WRITE_P99_MS}: ${verdict(writes.p99 <= WRITE_P99_MS)})`,
      `- errors other than intended refusals: ${errors} (target 0: ${verdict(errors === 0)})${errorCodes.size ? ` — ${[...errorCodes].map(([k, n]) => `${k} ×${n}`).join('; ')}` : ''}`,
      `- memory after the ${warm.toFixed(0)} s warm-up, the peak RSS of the run's last third against its first third, largest growth: ${(maxGrowth * 100).toFixed(1)}% (target ≤ 10%: ${verdict(maxGrowth <= 0.1)}) — ${growth.map((g) => `${g.name} ${g.peakFirst.toFixed(0)}→${g.peakLast.toFixed(0)} MiB`).join(', ')}`,
      `- the same from the first sample after the warm-up to the last (points of the collector's sawtooth, shown for what they are): largest ${(maxEndpoints * 100).toFixed(1)}% — ${growth.map((g) => `${g.name} ${g.first.toFixed(0)}→${g.last.toFixed(0)}`).join(', ')}`,
      `- database connections in use, peak: ${peakConnections} (the pools' limit ${poolLimit}, the server's max_connections ${serverMax}: ${verdict(peakConnections <= Math.min(poolLimit, Number(serverMax)))})`,
      `- kept figures equal to a rebuild from the rows: ${drift.length ? `**no** — ${drift.join('; ')}` : `yes, all ${KEPT_FIGURES.length} tables`}`,
      '',
      '![latency and memory over time](chart.svg)',
      '',
    ].join('\n');
    fs.mkdirSync(OUT, { recursive: true });
    fs.writeFileSync(path.join(OUT, 'report.md'), report);
    fs.writeFileSync(path.join(OUT, 'chart.svg'), chart(buckets, memory, names));
    // The series behind the chart, to look again at another warm-up or bucket without running again.
    fs.writeFileSync(path.join(OUT, 'series.json'), JSON.stringify({ buckets, memory, connections }, null, 1));
    await monitor.end();
    console.log(`\n${report}\nReport and chart: ${path.relative(process.cwd(), OUT)}/report.md, chart.svg`);
  } finally {
    stopAll();
    await Promise.race([
      Promise.all(services.map((s) => (s.child.exitCode === null ? new Promise((resolve) => s.child.once('exit', resolve)) : null))),
      new Promise((resolve) => setTimeout(resolve, 30_000).unref()),
    ]);
  }
}

/**
 * How each process's memory grew after the warm-up. A process's RSS under a garbage collector is a
 * sawtooth — in the first quiet soak a subgraph went 390 → 214 → 402 MiB within two minutes with no
 * change in load — so its first and last samples are arbitrary points of it (they gave +32% for one
 * process and −37% for another). What a leak raises is the ceiling: the peak of the run's last third
 * is compared with the peak of its first third (what an operator's memory limit must hold). The
 * endpoints are kept beside it.
 */
export function memoryGrowth(memory: { t: number; rss: Record<string, number> }[], names: string[], warm: number) {
  return names.map((name) => {
    const after = memory
      .filter((m) => m.t >= warm)
      .map((m) => m.rss[name]!)
      .filter(Number.isFinite);
    const third = Math.max(1, Math.floor(after.length / 3));
    const first = after[0] ?? NaN;
    const last = after.at(-1) ?? NaN;
    const peakFirst = after.length ? Math.max(...after.slice(0, third)) : NaN;
    const peakLast = after.length ? Math.max(...after.slice(-third)) : NaN;
    return { name, first, last, growth: (last - first) / first, peakFirst, peakLast, peakGrowth: (peakLast - peakFirst) / peakFirst };
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await runSoakBench();
