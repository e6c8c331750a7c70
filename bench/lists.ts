/**
 * `npm run bench -- lists` (#28 §1b): every list of every slice, whatever the filter. A seeded
 * property-style generator draws, per list, random combinations of its filters — values and search
 * words taken from the generated data itself (districts, statuses, units, words cut from titles and
 * descriptions, periods of 2024–2026) — and asks each through the gateway for the first page of 20
 * with `totalCount` and `totalCountIsEstimate`. It reports p50/p95/max per list, how many answers
 * were estimates, and the slowest filter, so a combination nobody tuned for is seen. Not a timed
 * test: the budget (p95 ≤ 50 ms at 1M issues) is read from the report.
 *
 * Data: the issues database of the largest size (`<BENCH_DB_NAME>_1m`, bench/fill.ts, 2024-01 …
 * BENCH_NOW) with the policies data (bench/policies-fill.ts: 100,000 enterprises, 30,000 documents,
 * 10,000 items, 100,000 applications) and the evaluations' service reviews; financing in its own
 * database (bench/financing-fill.ts, 200,000 demands), as `npm run bench -- financing` fills it.
 * BENCH_LIST_RUNS (default 100) filters per list after BENCH_WARMUPS warm-ups of other filters;
 * BENCH_LIST_SLOWEST (default 1) of the slowest filters of each list are named.
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { Kind, parse, type EnumTypeDefinitionNode } from 'graphql';
import { sql } from 'drizzle-orm';
import { openPostgres, rowsOf, type DatabaseHandle } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';
import { signToken } from '../platform/auth.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { startPlatform, type Platform } from '../bin/platform.ts';
import { BENCH_DB, BENCH_NOW, benchPlatformEnv, ensureBenchDatabase, postGraphQL, WARMUPS } from './env.ts';
import { BENCH_DISTRICTS, BENCH_TOPICS, issuesDatabase } from './fill.ts';
import { benchCounts, BENCH_SIZES, fillPolicies } from './policies-fill.ts';
import { fillReviews, REVIEWS } from './evaluations.ts';
import { fillFinancing, financingCounts, FINANCING_SIZES } from './financing-fill.ts';

const RUNS = Number(process.env.BENCH_LIST_RUNS ?? 100);
const SIZE = Number((process.env.BENCH_ISSUES ?? '1000000').split(',').at(-1));
/** The financing data's clock (bench/financing.ts): its demands lie in the year before. */
const FINANCING_NOW = new Date('2026-11-23T10:00:00+08:00');

/** A seeded generator (mulberry32): the same seed draws the same filters, run after run. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)]!;
  return {
    next,
    pick,
    /** Whether to set a filter key: each about one time in three, so combinations vary. */
    maybe: (p = 0.35) => next() < p,
    some: <T>(values: readonly T[]): T[] => values.filter(() => next() < 0.3).slice(0, 3),
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
  };
}
type Random = ReturnType<typeof random>;

/** The values of an enum of the supergraph (the schema is the one list of them). */
function enumValues(): (name: string) => string[] {
  const document = parse(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8'));
  const enums = new Map(
    document.definitions
      .filter((definition): definition is EnumTypeDefinitionNode => definition.kind === Kind.ENUM_TYPE_DEFINITION)
      .map((definition) => [definition.name.value, (definition.values ?? []).map((value) => value.name.value)]),
  );
  return (name) => {
    const values = enums.get(name);
    if (!values?.length) throw new Error(`No enum ${name} in the supergraph`);
    return values;
  };
}

/** Words cut from the data's own text: 2–4 characters of a title or description, from its Chinese runs. */
function wordsOf(texts: string[], rnd: Random, count: number): string[] {
  const words: string[] = [];
  for (let i = 0; i < count * 5 && words.length < count; i++) {
    const runs = rnd.pick(texts).match(/[\u4e00-\u9fff]{2,}/g) ?? [];
    if (!runs.length) continue;
    const run = rnd.pick(runs);
    const length = Math.min(run.length, rnd.int(2, 4));
    const start = rnd.int(0, run.length - length);
    words.push(run.slice(start, start + length));
  }
  return words;
}

async function textsOf(database: DatabaseHandle, statement: ReturnType<typeof sql>): Promise<string[]> {
  return rowsOf<{ t: string }>(await database.owner().execute(statement)).map((row) => row.t);
}

/** A day of 2024-01-01 … the clock, as a date (YYYY-MM-DD). */
function dayBetween(rnd: Random, from: string, to: Date): Date {
  const start = new Date(`${from}T00:00:00+08:00`).getTime();
  return new Date(start + Math.floor(rnd.next() * ((to.getTime() - start) / 86_400_000)) * 86_400_000);
}
const beijingDay = (at: Date) => new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);

interface ListCase {
  name: string;
  /** The database it reads: the issues one (with policies, evaluations, units) or financing's. */
  where: 'main' | 'financing';
  token?: string;
  /** The field with its filter variable's type, e.g. `issues(filter: $filter, first: 20)` over IssueFilter. */
  field: string;
  filterType: string;
  draw: (rnd: Random) => Record<string, unknown>;
}

interface Measured {
  times: number[];
  estimates: number;
  /** Requests asked again after the database was out of connection slots (not timed twice: the answer's time counts). */
  retried: number;
  /** Every filter asked, with its time and answer (the slowest are reported). */
  asked: { ms: number; filter: Record<string, unknown>; count: number; estimate: boolean }[];
}

/** How many of a list's slowest filters the report names (BENCH_LIST_SLOWEST, 1 by default). */
const SLOWEST = Number(process.env.BENCH_LIST_SLOWEST ?? 1);

async function measure(list: ListCase, url: string, seed: number): Promise<Measured> {
  const query = `query($filter: ${list.filterType}) { list: ${list.field} { totalCount totalCountIsEstimate edges { cursor } } }`;
  const ask = async (filter: Record<string, unknown>) => {
    // The machine is shared: a database out of connection slots for a moment (SERVICE_UNAVAILABLE)
    // is asked again, and counted; any other error ends the bench.
    for (let attempt = 1; ; attempt++) {
      const body = await postGraphQL<{ list: { totalCount: number; totalCountIsEstimate: boolean } }>(
        url,
        { query, variables: { filter } },
        list.token,
      );
      if (!body.errors && body.data) return body.data.list;
      const unavailable = JSON.stringify(body.errors).includes('SERVICE_UNAVAILABLE');
      if (!unavailable || attempt === 3) throw new Error(`${list.name} ${JSON.stringify(filter)}: ${JSON.stringify(body.errors)}`);
      result.retried++;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  const result: Measured = { times: [], estimates: 0, retried: 0, asked: [] };
  const warm = random(seed ^ 0x5bd1e995);
  for (let i = 0; i < WARMUPS; i++) await ask(list.draw(warm));
  const rnd = random(seed);
  for (let i = 0; i < RUNS; i++) {
    const filter = list.draw(rnd);
    const started = performance.now();
    const answer = await ask(filter);
    const ms = performance.now() - started;
    result.times.push(ms);
    if (answer.totalCountIsEstimate) result.estimates++;
    result.asked.push({ ms, filter, count: answer.totalCount, estimate: answer.totalCountIsEstimate });
  }
  return result;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function report(list: ListCase, measured: Measured): number {
  const sorted = [...measured.times].sort((a, b) => a - b);
  const p95 = percentile(sorted, 95);
  console.log(
    `${list.name}\n  p50 ${percentile(sorted, 50).toFixed(1)} ms · p95 ${p95.toFixed(1)} ms · max ${sorted.at(-1)!.toFixed(1)} ms · ` +
      `${measured.estimates}/${RUNS} counts estimated${measured.retried ? ` · ${measured.retried} asked again (no connection slot)` : ''}${p95 > 50 ? ' · OVER the 50 ms budget' : ''}\n` +
      [...measured.asked]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, SLOWEST)
        .map(
          (slow) =>
            `  slowest: ${slow.ms.toFixed(1)} ms, ${slow.estimate ? '约 ' : ''}${slow.count.toLocaleString('en')} rows, filter ${JSON.stringify(slow.filter)}`,
        )
        .join('\n'),
  );
  return p95;
}

/** The issues database of the largest size with the policies and evaluations data beside it (filled when missing). */
async function mainDatabase(): Promise<DatabaseHandle> {
  const { database } = await issuesDatabase(SIZE);
  const unitsDb = database.forSubgraph('units').db;
  const policiesDb = database.forSubgraph('policies').db;
  const present = await benchCounts(unitsDb, policiesDb);
  if (present.enterprises < BENCH_SIZES.enterprises || present.policies < BENCH_SIZES.policies) {
    console.log('Filling 100,000 enterprises, 30,000 policy documents, 10,000 items, 100,000 applications…');
    await fillPolicies(unitsDb, policiesDb);
    for (const table of [
      'units.enterprises',
      'policies.policies',
      'policies.policy_items',
      'policies.applications',
      'policies.service_reviews',
    ])
      await database.owner().execute(sql.raw(`vacuum analyze ${table}`));
  }
  await fillReviews(database, REVIEWS);
  return database;
}

async function financingDatabase(): Promise<DatabaseHandle> {
  const database = openPostgres(await ensureBenchDatabase(`${BENCH_DB}_financing`));
  await prepareDatabase(database, slices, { sample: false });
  const present = await financingCounts(database.forSubgraph('financing').db);
  if (present.institutions < FINANCING_SIZES.institutions || present.demands < FINANCING_SIZES.demands) {
    console.log('Filling the financing data: 57 institutions, 300 products, 200,000 demands…');
    await fillFinancing(database.owner(), database.owner(), FINANCING_NOW);
  }
  return database;
}

export async function runListsBench(): Promise<void> {
  const enums = enumValues();
  const main = await mainDatabase();
  const financing = await financingDatabase();
  const platforms: Platform[] = [];
  try {
    const env = loadEnv(benchPlatformEnv(), slices);
    const platform = await startPlatform({ env, database: main, ephemeralPorts: true, now: () => BENCH_NOW });
    platforms.push(platform);
    const token = (claims: Parameters<typeof signToken>[0]) => signToken(claims, { secret: DEVELOPMENT_JWT_SECRET });
    const office = await token({ sub: 'bench-office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') });
    const bureau = await token({ sub: 'bench-staff', role: 'UNIT_STAFF', unit: unitIdForCode('MARKET_REGULATION_BUREAU') });
    const regulator = await token({ sub: 'bench-regulator', role: 'UNIT_STAFF', unit: unitIdForCode('LOCAL_FINANCIAL_REGULATION_BUREAU') });

    // The data's own values: units, domains, words of the texts, enterprises, institutions.
    const directory = (
      await postGraphQL<{ units: { edges: { node: { id: string } }[] }; domains: { code: string }[] }>(
        platform.gateway.url,
        { query: '{ units(first: 100) { edges { node { id } } } domains { code } }' },
        office,
      )
    ).data!;
    const unitIds = directory.units.edges.map((edge) => edge.node.id);
    const domains = directory.domains.map((domain) => domain.code);
    const seedWords = random(20261206);
    const issueTexts = await textsOf(
      main,
      sql`select title || ' ' || description as t from issues.issues tablesample system (0.1) limit 500`,
    );
    const issueWords = ['审批', '测试', '用地', '融资', '许可', ...BENCH_TOPICS, ...wordsOf(issueTexts, seedWords, 40)];
    const itemWords = wordsOf(
      await textsOf(main, sql`select name || ' ' || description as t from policies.policy_items limit 2000`),
      seedWords,
      60,
    );
    const policyWords = wordsOf(
      await textsOf(main, sql`select title as t from policies.policies tablesample system (5) limit 2000`),
      seedWords,
      60,
    );
    const productWords = wordsOf(await textsOf(financing, sql`select name as t from financing.products`), seedWords, 30);
    const enterpriseWords = wordsOf(
      await textsOf(main, sql`select name as t from units.enterprises tablesample system (1) limit 1000`),
      seedWords,
      40,
    );
    const enterpriseCodes = await textsOf(main, sql`select credit_code as t from units.enterprises tablesample system (1) limit 200`);
    const itemIds = await textsOf(main, sql`select id::text as t from policies.policy_items tablesample system (10) limit 200`);
    const institutionIds = await textsOf(financing, sql`select id::text as t from financing.institutions`);
    const demandCodes = await textsOf(
      financing,
      sql`select credit_code as t from financing.demands tablesample system (1) where length(credit_code) = 18 limit 200`,
    );
    const industries = await textsOf(main, sql`select distinct left(industry_code, 3) as t from units.enterprises tablesample system (1)`);
    const districts = BENCH_DISTRICTS;

    const set = (rnd: Random, filter: Record<string, unknown>, key: string, value: () => unknown, p?: number) => {
      if (rnd.maybe(p)) filter[key] = value();
    };
    const issueFilter = (rnd: Random) => {
      const filter: Record<string, unknown> = {};
      set(rnd, filter, 'districtCode', () => rnd.pick(districts));
      set(rnd, filter, 'environment', () => rnd.pick(enums('EnvironmentCode')));
      set(rnd, filter, 'source', () => rnd.pick(enums('IssueSource')), 0.25);
      set(rnd, filter, 'status', () => rnd.some(enums('IssueStatus')), 0.4);
      set(rnd, filter, 'overdue', () => rnd.next() < 0.5, 0.2);
      set(rnd, filter, 'escalated', () => rnd.next() < 0.5, 0.1);
      set(rnd, filter, 'text', () => (rnd.maybe(0.2) ? `第 ${rnd.int(1, SIZE)} 号` : rnd.pick(issueWords)), 0.45);
      if (rnd.maybe(0.3)) {
        const from = dayBetween(rnd, '2024-01-01', BENCH_NOW);
        filter.receivedFrom = from.toISOString();
        filter.receivedTo = new Date(from.getTime() + rnd.pick([7, 31, 92, 366]) * 86_400_000).toISOString();
      }
      if (rnd.maybe(0.2)) filter.domainCode = rnd.pick(domains);
      else set(rnd, filter, 'unitId', () => rnd.pick(unitIds), 0.2);
      return filter;
    };
    /** The issue's held-out cases (#28 §1b: 1.6 s and 242 ms before), asked as they were. */
    const heldOut = (name: string, filter: Record<string, unknown>): ListCase => ({
      name: `issues (command office), held out: ${name}`,
      where: 'main',
      token: office,
      field: 'issues(filter: $filter, first: 20)',
      filterType: 'IssueFilter',
      draw: () => filter,
    });
    const lists: ListCase[] = [
      heldOut('a word in every issue, "审批"', { text: '审批' }),
      heldOut('a word in every issue, "测试"', { text: '测试' }),
      heldOut('one district, status CLOSED', { districtCode: '370202', status: ['CLOSED'] }),
      {
        name: 'issues (command office): any filters and words',
        where: 'main',
        token: office,
        field: 'issues(filter: $filter, first: 20)',
        filterType: 'IssueFilter',
        draw: issueFilter,
      },
      {
        name: 'issues (市市场监管局 staff, its own scope): any filters and words',
        where: 'main',
        token: bureau,
        field: 'issues(filter: $filter, first: 20)',
        filterType: 'IssueFilter',
        // A bureau may name only itself: no other unit or domain.
        draw: (rnd) => {
          const { unitId: _unit, domainCode: _domain, ...filter } = issueFilter(rnd);
          return filter;
        },
      },
      {
        name: 'policyItems (public): any filters and words',
        where: 'main',
        field: 'policyItems(filter: $filter, first: 20)',
        filterType: 'PolicyItemFilter',
        draw: (rnd) => {
          const filter: Record<string, unknown> = {};
          set(rnd, filter, 'text', () => rnd.pick(itemWords), 0.5);
          set(rnd, filter, 'kind', () => rnd.pick(enums('PolicyItemKind')));
          set(rnd, filter, 'automatic', () => rnd.next() < 0.5, 0.2);
          set(rnd, filter, 'openNow', () => rnd.next() < 0.5, 0.3);
          set(rnd, filter, 'level', () => rnd.pick(enums('PolicyLevel')));
          set(rnd, filter, 'environment', () => rnd.pick(enums('EnvironmentCode')));
          return filter;
        },
      },
      {
        name: 'policies (public): any filters and words',
        where: 'main',
        field: 'policies(filter: $filter, first: 20)',
        filterType: 'PolicyFilter',
        draw: (rnd) => {
          const filter: Record<string, unknown> = {};
          set(rnd, filter, 'text', () => rnd.pick(policyWords), 0.5);
          set(rnd, filter, 'level', () => rnd.pick(enums('PolicyLevel')));
          set(rnd, filter, 'environment', () => rnd.pick(enums('EnvironmentCode')));
          set(rnd, filter, 'districtCode', () => rnd.pick(districts), 0.2);
          if (rnd.maybe(0.3)) {
            const from = dayBetween(rnd, '2024-01-01', BENCH_NOW);
            filter.issuedFrom = beijingDay(from);
            filter.issuedTo = beijingDay(new Date(from.getTime() + rnd.pick([31, 92, 366]) * 86_400_000));
          }
          return filter;
        },
      },
      {
        name: 'applications (command office): any filters',
        where: 'main',
        token: office,
        field: 'applications(filter: $filter, first: 20)',
        filterType: 'ApplicationFilter',
        draw: (rnd) => {
          const filter: Record<string, unknown> = {};
          set(rnd, filter, 'itemId', () => rnd.pick(itemIds), 0.25);
          set(rnd, filter, 'unitId', () => rnd.pick(unitIds), 0.25);
          set(rnd, filter, 'status', () => rnd.some(enums('ApplicationStatus')), 0.4);
          set(rnd, filter, 'source', () => rnd.pick(enums('ApplicationSource')), 0.3);
          set(rnd, filter, 'enterpriseCreditCode', () => rnd.pick(enterpriseCodes), 0.15);
          set(rnd, filter, 'overdue', () => rnd.next() < 0.5, 0.2);
          return filter;
        },
      },
      {
        name: 'serviceReviews (command office): any filters',
        where: 'main',
        token: office,
        field: 'serviceReviews(filter: $filter, first: 20)',
        filterType: 'ServiceReviewFilter',
        draw: (rnd) => {
          const filter: Record<string, unknown> = {};
          if (rnd.maybe(0.25)) filter.domainCode = rnd.pick(domains);
          else set(rnd, filter, 'unitId', () => rnd.pick(unitIds), 0.3);
          set(rnd, filter, 'bad', () => rnd.next() < 0.5, 0.3);
          set(rnd, filter, 'overdue', () => rnd.next() < 0.5, 0.2);
          set(rnd, filter, 'status', () => rnd.pick(enums('ReviewStatus')), 0.3);
          if (rnd.maybe(0.3)) {
            const from = dayBetween(rnd, '2024-01-01', BENCH_NOW);
            filter.period = { from: beijingDay(from), to: beijingDay(new Date(from.getTime() + rnd.pick([31, 92, 183]) * 86_400_000)) };
          }
          return filter;
        },
      },
      {
        name: 'enterprises (command office): any filters and names',
        where: 'main',
        token: office,
        field: 'enterprises(filter: $filter, first: 20)',
        filterType: 'EnterpriseFilter',
        draw: (rnd) => {
          const filter: Record<string, unknown> = {};
          set(rnd, filter, 'districtCodes', () => rnd.some(districts).slice(0, 2));
          set(rnd, filter, 'industryCodePrefixes', () => [rnd.pick(industries)]);
          set(rnd, filter, 'sizeClasses', () => rnd.some(enums('SizeClass')));
          set(rnd, filter, 'qualificationsAny', () => [rnd.pick(enums('Qualification'))], 0.2);
          set(rnd, filter, 'search', () => rnd.pick(enterpriseWords), 0.3);
          if (rnd.maybe(0.2)) filter.registeredAfter = beijingDay(dayBetween(rnd, '2010-01-01', BENCH_NOW));
          return filter;
        },
      },
      {
        name: 'financingDemands (金融监管局 staff): any filters',
        where: 'financing',
        token: regulator,
        field: 'financingDemands(filter: $filter, first: 20)',
        filterType: 'FinancingDemandFilter',
        draw: (rnd) => {
          const filter: Record<string, unknown> = {};
          set(rnd, filter, 'status', () => rnd.some(enums('FinancingDemandStatus')), 0.4);
          set(rnd, filter, 'source', () => rnd.pick(enums('FinancingDemandSource')), 0.3);
          set(rnd, filter, 'districtCode', () => rnd.pick(districts));
          set(rnd, filter, 'institutionId', () => rnd.pick(institutionIds), 0.3);
          if (demandCodes.length) set(rnd, filter, 'creditCode', () => rnd.pick(demandCodes), 0.1);
          set(rnd, filter, 'awaitingDispatch', () => rnd.next() < 0.5, 0.15);
          return filter;
        },
      },
      {
        name: 'financialProducts (public): any filters and words',
        where: 'financing',
        field: 'financialProducts(filter: $filter, first: 20)',
        filterType: 'FinancialProductFilter',
        draw: (rnd) => {
          const filter: Record<string, unknown> = {};
          set(rnd, filter, 'category', () => rnd.pick(enums('FinancialProductCategory')));
          set(rnd, filter, 'text', () => rnd.pick(productWords), 0.4);
          set(rnd, filter, 'amount', () => rnd.pick([10, 50, 100, 500, 1000]), 0.3);
          set(rnd, filter, 'termMonths', () => rnd.pick([6, 12, 24, 36]), 0.3);
          set(rnd, filter, 'districtCode', () => rnd.pick(districts), 0.3);
          set(rnd, filter, 'institutionId', () => rnd.pick(institutionIds), 0.3);
          return filter;
        },
      },
    ];
    const only = process.env.BENCH_LISTS?.split(',').map((name) => name.trim());
    const issues = rowsOf<{ n: number }>(await main.owner().execute(sql`select count(*)::int as n from issues.issues`))[0]!.n;
    console.log(
      `\nEvery list, whatever the filter (#28 §1b): ${issues.toLocaleString('en')} issues (2024-01-01 … ${beijingDay(BENCH_NOW)}), ` +
        `${RUNS} random filters per list after ${WARMUPS} warm-ups, first 20 + totalCount through the gateway; ` +
        `counts exact up to ${env.limits.exactCount.upTo.toLocaleString('en')} rows within ${env.limits.exactCount.withinMs} ms, estimated (marked) otherwise.\n`,
    );
    const p95s: [string, number][] = [];
    // One platform at a time: the machine's connection slots are shared with others.
    let running: { where: ListCase['where']; url: string } = { where: 'main', url: platform.gateway.url };
    for (const [index, list] of lists.entries()) {
      if (only && !only.some((name) => list.name.startsWith(name))) continue;
      if (list.where !== running.where) {
        await platforms.pop()?.stop();
        const next = await startPlatform({ env, database: financing, ephemeralPorts: true, now: () => FINANCING_NOW });
        platforms.push(next);
        running = { where: list.where, url: next.gateway.url };
      }
      p95s.push([list.name, report(list, await measure(list, running.url, 20261206 + index))]);
    }
    const worst = p95s.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as [string, number]);
    console.log(`\nWorst p95: ${worst[1].toFixed(1)} ms (${worst[0]}); budget 50 ms.\n`);
  } finally {
    await Promise.all(platforms.map((platform) => platform.stop()));
    await main.close();
    await financing.close();
  }
}
