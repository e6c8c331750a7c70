/**
 * Many distinct users (issue #28 §2), for `npm run bench -- gateway`: every connection is a user of
 * its own (a token each, with its own `sub`) and the variables change from request to request, so
 * no two requests in flight are the same and in-flight merging has nothing to share.
 *
 * - the board: command-office staff (the same unit), `units → issueStats` for a period that moves
 *   month by month through 2023;
 * - a bureau's list: staff of different units (63, one per connection), each its own unit's issues, filtered by
 *   status, source, district or time received, pages of 10–30, paging on with the previous answer's
 *   `endCursor` two times in three;
 * - an enterprise's own applications (policies): ENTERPRISE tokens of distinct credit codes
 *   (bench/gateway-fill.ts gives each 48 applications), filtered by status and source, paged on.
 */
import { unitIdForCode, referenceUnits } from '../db/reference/organisation.ts';
import { signToken } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { present } from '../platform/invariant.ts';
import { gatewayBenchCreditCodes } from './gateway-fill.ts';
import { cpuSeconds, machineBusySeconds, ownCpuSeconds, withDescendants } from './cpu.ts';
import { load, type BenchRequest, type Load, type NextRequest } from './load.ts';

/** Users per scenario: at least the largest concurrency, so that every connection is somebody else. */
const USERS = 128;

export interface DistinctScenario {
  name: string;
  /** Through a gateway (ours or Hive). */
  next: NextRequest;
  /** The same users and variables on fields of one subgraph only, for gateway vs the subgraph itself; absent when it spans subgraphs. */
  direct?: { subgraph: string; next: NextRequest };
}

const STATS =
  'received accepted closed overdueNow reopened responseRate feedbackRate onTimeResolutionRate rectificationRate resolutionRate satisfactionRate';

const sign = (claims: Parameters<typeof signToken>[0]) => signToken(claims, { secret: DEVELOPMENT_JWT_SECRET });

/** The cursor to page on from, when the previous answer had a next page. */
function nextCursor(previous: string | undefined): string | undefined {
  if (!previous || !previous.includes('"hasNextPage":true')) return undefined;
  return /"endCursor":"([^"]+)"/.exec(previous)?.[1];
}

/**
 * A user paging through lists: each client starts a new list (filter and page size picked by its
 * number and sequence) one time in three or when there is no next page, else asks for the next page.
 */
function pagingUsers(
  tokens: readonly string[],
  query: string,
  filters: readonly Record<string, unknown>[],
  sizes: readonly number[],
): NextRequest {
  const current: { filter: Record<string, unknown>; first: number }[] = [];
  return (client, sequence, previous): BenchRequest => {
    const token = present(tokens[client % tokens.length], 'a user token');
    const after = sequence % 3 === 0 ? undefined : nextCursor(previous);
    let state = current[client];
    if (!after || !state) {
      const pick = client * 7 + sequence;
      state = { filter: present(filters[pick % filters.length], 'a filter'), first: present(sizes[pick % sizes.length], 'a page size') };
      current[client] = state;
    }
    return { token, body: JSON.stringify({ query, variables: { filter: state.filter, first: state.first, ...(after ? { after } : {}) } }) };
  };
}

export async function distinctScenarios(): Promise<DistinctScenario[]> {
  const officeUnit = unitIdForCode('COMMAND_OFFICE');
  const offices = await Promise.all(
    Array.from({ length: USERS }, (_, i) => sign({ sub: `bench-office-${i}`, role: 'COMMAND_OFFICE', unit: officeUnit })),
  );
  const units = referenceUnits.filter((unit) => unit.kind !== 'COMMAND_OFFICE');
  const staff = await Promise.all(
    Array.from({ length: USERS }, (_, i) =>
      sign({ sub: `bench-staff-${i}`, role: 'UNIT_STAFF', unit: present(units[i % units.length], 'a unit').id }),
    ),
  );
  const codes = gatewayBenchCreditCodes();
  const enterprises = await Promise.all(
    Array.from({ length: USERS }, (_, i) =>
      sign({ sub: `bench-enterprise-${i}`, role: 'ENTERPRISE', enterprise: present(codes[i % codes.length], 'a credit code') }),
    ),
  );

  // The board: a period of one to three months starting in any month of 2023.
  const boardQuery = `query Board($period: PeriodInput) { units(first: 100) { edges { node { code name issueStats(period: $period) { ${STATS} } } } } }`;
  const board: NextRequest = (client, sequence) => {
    const pick = client * 5 + sequence;
    const from = 1 + (pick % 12);
    const to = Math.min(12, from + (Math.floor(pick / 12) % 3));
    const last = new Date(Date.UTC(2023, to, 0)).getUTCDate();
    const period = { from: `2023-${String(from).padStart(2, '0')}-01`, to: `2023-${String(to).padStart(2, '0')}-${last}` };
    return {
      token: present(offices[client % offices.length], 'an office token'),
      body: JSON.stringify({ query: boardQuery, variables: { period } }),
    };
  };

  const issueFilters = [
    {},
    { status: ['CLOSED'] },
    { status: ['ASSIGNED', 'CONTACTED', 'FEEDBACK_GIVEN'] },
    { source: 'HOTLINE_12345' },
    { source: 'ENTERPRISE_APPEAL', status: ['CLOSED', 'RESOLVED'] },
    { districtCode: '370212' },
    { districtCode: '370203', status: ['CLOSED'] },
    { receivedFrom: '2023-06-01T00:00:00+08:00', receivedTo: '2023-09-01T00:00:00+08:00' },
    { source: 'SUPERVISION', receivedFrom: '2023-10-01T00:00:00+08:00' },
  ];
  // The unit names come from the issues subgraph's own directory copy (@provides): one subgraph either way.
  const issuesQuery = `query BureauIssues($filter: IssueFilter, $first: Int, $after: String) { issues(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { number title status source receivedAt responsibleUnit { name } } } } }`;

  const applicationFilters = [
    {},
    { status: ['DISBURSED'] },
    { source: 'ONLINE' },
    { status: ['SUBMITTED', 'UNDER_REVIEW', 'RETURNED'] },
    { source: 'AUTOMATIC', status: ['DISBURSED'] },
    { status: ['APPROVED', 'PUBLIC_NOTICE'] },
  ];
  const applicationFields = 'number status source requestedAmount approvedAmount submittedAt item { name }';
  const applicationsQuery = (extra: string) => `query MyApplications($filter: ApplicationFilter, $first: Int, $after: String) {
    applications(filter: $filter, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${applicationFields}${extra} } } } }`;

  return [
    { name: 'board (units → issueStats), command-office staff, a period each', next: board },
    {
      name: "a bureau's list, each user the staff of another unit, filters and pages",
      next: pagingUsers(staff, issuesQuery, issueFilters, [10, 20, 30]),
      direct: { subgraph: 'issues', next: pagingUsers(staff, issuesQuery, issueFilters, [10, 20, 30]) },
    },
    {
      name: "an enterprise's own applications (+ its name from units), filters and pages",
      next: pagingUsers(enterprises, applicationsQuery(' enterprise { name }'), applicationFilters, [10, 20]),
      direct: { subgraph: 'policies', next: pagingUsers(enterprises, applicationsQuery(''), applicationFilters, [10, 20]) },
    },
  ];
}

/** CPU milliseconds per answered request, by whose: the target (a gateway, or the subgraph called directly), the subgraphs behind it, the load generator, and the rest of the machine (PostgreSQL, mostly). */
interface CpuPerRequest {
  target: number;
  subgraphs: number;
  load: number;
  rest: number;
}

/** The processes whose CPU a round counts: each target's (by name) and the subgraphs'. */
export interface BenchProcesses {
  targets: Record<string, number[]>;
  subgraphs: number[];
}

interface Figures {
  cpu?: CpuPerRequest;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  firstError?: string;
  callsPerRequest: number;
}

/** The rounds' mean req/s and p50, their worst p99, errors, and subgraph calls per answered request. */
function summarise(list: readonly Load[], calls: number, cpu?: CpuPerRequest): Figures {
  const requests = list.reduce((sum, r) => sum + r.requests, 0);
  const firstError = list.find((r) => r.firstError)?.firstError;
  const per = (seconds: number) => (requests ? (seconds * 1000) / requests : NaN);
  return {
    ...(cpu ? { cpu: { target: per(cpu.target), subgraphs: per(cpu.subgraphs), load: per(cpu.load), rest: per(cpu.rest) } } : {}),
    rps: list.reduce((sum, r) => sum + r.rps, 0) / list.length,
    p50: list.reduce((sum, r) => sum + r.p50, 0) / list.length,
    p99: Math.max(...list.map((r) => r.p99)),
    errors: list.reduce((sum, r) => sum + r.errors, 0),
    ...(firstError ? { firstError } : {}),
    callsPerRequest: requests ? calls / requests : NaN,
  };
}

const cpuLine = (name: string, cpu: CpuPerRequest | undefined) =>
  cpu
    ? `\n  ${''.padEnd(8)} CPU per request: ${name} ${cpu.target.toFixed(2)} · subgraphs ${cpu.subgraphs.toFixed(2)} · load generator ${cpu.load.toFixed(2)} · PostgreSQL and the rest ${cpu.rest.toFixed(2)} · machine ${(cpu.target + cpu.subgraphs + cpu.load + cpu.rest).toFixed(2)} ms`
    : '';

const line = (name: string, r: Figures) =>
  `  ${name.padEnd(8)} ${r.rps.toFixed(1).padStart(7)} req/s · p50 ${r.p50.toFixed(1)} ms · p99 ${r.p99.toFixed(1)} ms · ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ''} · ${r.callsPerRequest.toFixed(2)} subgraph calls per request${cpuLine(name, r.cpu)}`;

/**
 * Each target in turn, `rounds` times (interleaved), each round after a 2-second warm-up: the
 * figures per target name, and the subgraph calls its rounds caused.
 */
async function interleaved(
  targets: readonly { name: string; url: string; next: NextRequest }[],
  concurrency: number,
  rounds: number,
  ms: number,
  subgraphCalls: () => number,
  processes?: BenchProcesses,
): Promise<Record<string, Figures>> {
  const results: Record<string, Load[]> = {};
  const calls: Record<string, number> = {};
  const cpu: Record<string, CpuPerRequest> = {};
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      await load(target.url, target.next, concurrency, 2_000);
      const before = subgraphCalls();
      // The target's own processes (with any it forked); the subgraphs, unless the target is one.
      const own = processes ? withDescendants(processes.targets[target.name] ?? []) : [];
      const behind = processes?.subgraphs.filter((pid) => !own.includes(pid)) ?? [];
      const cpuBefore = { target: cpuSeconds(own), subgraphs: cpuSeconds(behind), load: ownCpuSeconds(), machine: machineBusySeconds() };
      (results[target.name] ??= []).push(await load(target.url, target.next, concurrency, ms));
      calls[target.name] = (calls[target.name] ?? 0) + subgraphCalls() - before;
      if (processes) {
        const used = {
          target: cpuSeconds(own) - cpuBefore.target,
          subgraphs: cpuSeconds(behind) - cpuBefore.subgraphs,
          load: ownCpuSeconds() - cpuBefore.load,
        };
        const sum = (cpu[target.name] ??= { target: 0, subgraphs: 0, load: 0, rest: 0 });
        sum.target += used.target;
        sum.subgraphs += used.subgraphs;
        sum.load += used.load;
        sum.rest += machineBusySeconds() - cpuBefore.machine - used.target - used.subgraphs - used.load;
      }
    }
  }
  return Object.fromEntries(
    targets.map((target) => [target.name, summarise(results[target.name]!, calls[target.name]!, cpu[target.name])]),
  );
}

/**
 * The distinct-user rounds: ours against Hive Gateway on each scenario at c=16 and c=64, then ours
 * against the subgraph itself on the scenarios one subgraph answers, every pair interleaved.
 */
export async function runDistinctUsers(options: {
  apolloUrl: string;
  hiveUrl: string;
  subgraphUrl: (name: string) => string;
  subgraphCalls: () => number;
  ms: number;
  rounds?: number;
  /** An earlier commit's gateway (BENCH_GATEWAY_BASELINE), measured as a third target in each pair. */
  baselineUrl?: string;
  /** The processes of each target and the subgraphs (by slice name), for CPU per request. */
  processes?: { apollo: number; hive: number; before?: number; subgraphs: Record<string, number> };
  /** A CPU budget the gateways can be given (a control group each): the gateway-bound rounds, last. */
  gatewayBudget?: { cpus: number; limit(cpus: number | null): void };
}): Promise<void> {
  const pids = options.processes;
  const processes = (targets: Record<string, number | undefined>): BenchProcesses | undefined =>
    pids && {
      targets: Object.fromEntries(Object.entries(targets).flatMap(([name, pid]) => (pid ? [[name, [pid]]] : []))),
      subgraphs: Object.values(pids.subgraphs),
    };
  const rounds = options.rounds ?? 2;
  // BENCH_DISTINCT_ONLY: the scenarios whose name contains it (e.g. `list`, to profile one).
  const only = process.env.BENCH_DISTINCT_ONLY;
  const scenarios = (await distinctScenarios()).filter((scenario) => !only || scenario.name.includes(only));
  console.log(
    `Distinct users: every connection a user of its own, variables changing per request; ${rounds} rounds per target, interleaved.\n`,
  );
  const oursAgainstHive = async (label: string) => {
    for (const scenario of scenarios) {
      for (const concurrency of [16, 64]) {
        const figures = await interleaved(
          [
            { name: 'apollo', url: options.apolloUrl, next: scenario.next },
            { name: 'hive', url: options.hiveUrl, next: scenario.next },
            ...(options.baselineUrl ? [{ name: 'before', url: options.baselineUrl, next: scenario.next }] : []),
          ],
          concurrency,
          rounds,
          options.ms,
          options.subgraphCalls,
          processes({ apollo: pids?.apollo, hive: pids?.hive, before: pids?.before }),
        );
        const a = figures.apollo!;
        const h = figures.hive!;
        console.log(`${scenario.name}${label}, c=${concurrency}\n${line('apollo', a)}\n${line('hive', h)}`);
        if (figures.before)
          console.log(`${line('before', figures.before)}\n  apollo/before ${(a.rps / figures.before.rps).toFixed(2)}× req/s`);
        const cpu = a.cpu && h.cpu ? ` · gateway CPU per request hive/apollo ${(h.cpu.target / a.cpu.target).toFixed(2)}×` : '';
        console.log(
          `  apollo/hive ${(a.rps / h.rps).toFixed(2)}× req/s (goal ≥ 1.5×), p99 ${a.p99 <= h.p99 ? 'no worse' : `worse (${a.p99.toFixed(1)} vs ${h.p99.toFixed(1)} ms)`}${cpu}\n`,
        );
      }
    }
  };
  await oursAgainstHive('');
  for (const scenario of scenarios) {
    if (!scenario.direct) continue;
    for (const concurrency of [16, 64]) {
      const figures = await interleaved(
        [
          { name: 'gateway', url: options.apolloUrl, next: scenario.direct.next },
          { name: 'direct', url: options.subgraphUrl(scenario.direct.subgraph), next: scenario.direct.next },
          ...(options.baselineUrl ? [{ name: 'before', url: options.baselineUrl, next: scenario.direct.next }] : []),
        ],
        concurrency,
        rounds,
        options.ms,
        options.subgraphCalls,
        processes({ gateway: pids?.apollo, direct: pids?.subgraphs[scenario.direct.subgraph], before: pids?.before }),
      );
      const g = figures.gateway!;
      const d = figures.direct!;
      console.log(
        `${scenario.name} — ${scenario.direct.subgraph} fields only, gateway vs the subgraph itself, c=${concurrency}\n${line('gateway', g)}\n${line('direct', d)}`,
      );
      if (figures.before)
        console.log(`${line('before', figures.before)}\n  before/direct ${(figures.before.rps / d.rps).toFixed(2)}× req/s`);
      console.log(`  gateway/direct ${(g.rps / d.rps).toFixed(2)}× req/s (goal ≥ 0.8×)\n`);
    }
  }
  // Gateway-bound: each gateway with the same small CPU budget, so that req/s measures the gateways
  // themselves and not the subgraphs and PostgreSQL they share this machine's cores with.
  if (options.gatewayBudget) {
    options.gatewayBudget.limit(options.gatewayBudget.cpus);
    try {
      console.log(`Gateway-bound: each gateway with a CPU budget of ${options.gatewayBudget.cpus} CPU (a control group each).\n`);
      await oursAgainstHive(`, each gateway ${options.gatewayBudget.cpus} CPU`);
    } finally {
      options.gatewayBudget.limit(null);
    }
  }
}
