/**
 * Synthetic data for the financing benchmark, by bulk SQL (not the API, like the other fills): 57
 * institutions, 546 branches in every district, 300 products (each institution with a broad credit
 * product offered everywhere, so a fresh demand is routed to all 57), one enterprise in the units
 * slice's registry, and 200,000 demands posted over the year before the benchmark's clock, in every
 * state, with their events, claim limits (some met late), loans and ratings. The kept figures are
 * then rebuilt from those rows by the definitions in subgraphs/financing/figures.ts (one SQL
 * aggregation; demand_routes are not filled, so `routed` counts only under the city, districts and
 * categories here).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { referenceDistricts, sampleCreditCode } from '../db/reference/organisation.ts';
import { CLAIM_BANDS, DECISION_DAYS } from '../subgraphs/financing/figures.ts';

export const FINANCING_SIZES = { institutions: 57, branches: 546, products: 300, demands: 200_000 };
/** The enterprise productMatches is asked for, and that posts the demand the 57 race for. */
export const BENCH_ENTERPRISE = { creditCode: sampleCreditCode('370202', 88_001), name: '基准测试融资企业', districtCode: '370202' };

const count = async (db: Db, query: ReturnType<typeof sql>) => {
  const result = (await db.execute(query)) as unknown as { rows?: { n: number }[] } | { n: number }[];
  const rows = Array.isArray(result) ? result : (result.rows ?? []);
  return Number(rows[0]?.n ?? 0);
};

export async function financingCounts(db: Db) {
  return {
    institutions: await count(db, sql`select count(*)::int as n from financing.institutions where name like '基准银行%'`),
    demands: await count(db, sql`select count(*)::int as n from financing.demands where purpose = '基准测试需求'`),
  };
}

export async function fillFinancing(unitsDb: Db, db: Db, now: Date): Promise<void> {
  const districts = referenceDistricts.map((d) => d.code);
  const districtArray = `{${districts.join(',')}}`;
  await unitsDb.execute(sql`
    insert into units.enterprises (credit_code, name, district_code, industry_code, size_class, registered_on, qualifications, sample)
    values (${BENCH_ENTERPRISE.creditCode}, ${BENCH_ENTERPRISE.name}, ${BENCH_ENTERPRISE.districtCode}, 'F5191', 'SMALL', date '2018-06-01', array['HIGH_TECH']::units.qualification[], true)
    on conflict (credit_code) do nothing`);
  await db.execute(sql`
    insert into financing.institutions (id, name, kind, credit_code, district_codes, contact, sample)
    select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, '基准银行' || n,
      (case when n % 10 = 0 then 'GUARANTEE_COMPANY' when n % 10 = 5 then 'SMALL_LOAN_COMPANY' else 'BANK' end)::financing.institution_kind,
      '91370200BENCH' || lpad(n::text, 5, '0'), ${districtArray}::text[], '0532-8' || lpad(n::text, 7, '0'), true
    from generate_series(1, ${FINANCING_SIZES.institutions}) n
    on conflict do nothing`);
  await db.execute(sql`
    insert into financing.branches (id, institution_id, name, district_code, contact, sample)
    select ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid,
      ('00000000-0000-4000-8000-' || lpad((1 + (n - 1) % ${FINANCING_SIZES.institutions})::text, 12, '0'))::uuid,
      '基准网点' || n, (${districtArray}::text[])[1 + ((n - 1) / ${FINANCING_SIZES.institutions}) % ${districts.length}], '0532-9' || n, true
    from generate_series(1, ${FINANCING_SIZES.branches}) n
    on conflict do nothing`);
  const empty = JSON.stringify({
    industryPrefixes: [],
    sizeClasses: [],
    districtCodes: [],
    minYears: null,
    maxYears: null,
    qualifications: [],
    qualificationMatch: 'ANY',
  });
  await db.execute(sql`
    insert into financing.products (institution_id, name, category, description, amount_min, amount_max, term_min, term_max, lpr_tenor,
      spread_min_bp, spread_max_bp, guarantee_mode, district_codes, eligibility, terms, sample)
    select ('00000000-0000-4000-8000-' || lpad((1 + (n - 1) % ${FINANCING_SIZES.institutions})::text, 12, '0'))::uuid,
      '基准产品' || n,
      (array['CREDIT','MORTGAGE','GUARANTEED','SUPPLY_CHAIN','IP_PLEDGE','FIRST_LOAN','RENEWAL','AGRICULTURE','POLICY'])[1 + ((n - 1) / ${FINANCING_SIZES.institutions}) % 9]::financing.product_category,
      '基准测试产品', case when n <= ${FINANCING_SIZES.institutions} then 10000 else 100000 * (1 + n % 5) end,
      case when n <= ${FINANCING_SIZES.institutions} then 10000000 else 1000000 * (1 + n % 9) end,
      1, case when n <= ${FINANCING_SIZES.institutions} then 120 else 12 * (1 + n % 5) end, 'ONE_YEAR', 0, 50 + n % 200,
      'PURE_CREDIT', case when n <= ${FINANCING_SIZES.institutions} then ${districtArray}::text[] else array[(${districtArray}::text[])[1 + n % ${districts.length}]] end,
      case when n <= ${FINANCING_SIZES.institutions} or n % 3 = 0 then ${empty}::jsonb
        else jsonb_set(${empty}::jsonb, '{sizeClasses}', '["MEDIUM","LARGE"]') end,
      ''::tsvector, true
    from generate_series(1, ${FINANCING_SIZES.products}) n
    on conflict do nothing`);
  await fillDemands(db, now, districtArray);
  await rebuildFigures(db);
}

/** 200,000 demands over the year before `now`, in every state, with events, claim limits, loans. */
async function fillDemands(db: Db, now: Date, districtArray: string): Promise<void> {
  const end = now.toISOString();
  const n = FINANCING_SIZES.demands;
  // status by n % 20: OPEN 2, CLAIMED 3, CONTACTED 2, APPROVED 2, DISBURSED 7, DECLINED 3, WITHDRAWN 1.
  await db.execute(sql`
    insert into financing.demands (id, source, external_ref, credit_code, enterprise_name, contact, industry_code, district_code, size_class,
      amount, term_months, purpose, guarantee_offered, first_loan, wanted_product_ids, category, credit_report_consent, status, routed_count,
      institution_id, branch_id, held_by, held_at, approved_amount, decline_reason, rating, closed_at, posted_at, sample)
    select ('10000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
      case when n % 9 = 0 then 'XINYIDAI' else 'PLATFORM' end::financing.demand_source,
      case when n % 9 = 0 then 'BENCH-' || n end,
      '91370200BENCHE' || lpad((n % 50000)::text, 5, '0'), '基准企业' || (n % 50000), '联系人', 'F5191',
      (${districtArray}::text[])[1 + n % 10], 'SMALL', 100000 * (1 + n % 30), 12, '基准测试需求', 'PURE_CREDIT', n % 3 = 0, '{}'::uuid[],
      (array['CREDIT','MORTGAGE','GUARANTEED','SUPPLY_CHAIN','IP_PLEDGE','FIRST_LOAN','RENEWAL','AGRICULTURE','POLICY'])[1 + n % 9]::financing.product_category,
      true, s.status::financing.demand_status, 57,
      case when s.status <> 'OPEN' and s.held then inst end, case when s.status <> 'OPEN' and s.held then br end,
      case when s.status <> 'OPEN' and s.held then (array['CLAIMED','CLAIMED','CLAIMED','DISPATCHED','CHOSEN'])[1 + n % 5]::financing.hold_kind end,
      case when s.status <> 'OPEN' and s.held then posted + (n % 4000) * interval '1 minute' end,
      case when s.status in ('APPROVED','DISBURSED') then 80000 * (1 + n % 30) end,
      case when s.status = 'DECLINED' then 'POOR_CREDIT'::financing.decline_reason end,
      case when s.status = 'DISBURSED' and n % 2 = 0 then (array['VERY_SATISFIED','SATISFIED','BASICALLY_SATISFIED','UNSATISFIED','VERY_UNSATISFIED'])[1 + n % 5]::financing.financing_rating end,
      case when s.status in ('DISBURSED','DECLINED','WITHDRAWN') then posted + interval '12 days' end,
      posted, true
    from generate_series(1, ${n}) n,
      lateral (select ${end}::timestamptz - interval '380 days' + (n::float8 / ${n}) * interval '372 days' as posted,
        ('00000000-0000-4000-9000-' || lpad((1 + n % 546)::text, 12, '0'))::uuid as br) p,
      lateral (select ('00000000-0000-4000-8000-' || lpad((1 + (n % 546) % 57)::text, 12, '0'))::uuid as inst) i,
      lateral (select (array['OPEN','OPEN','CLAIMED','CLAIMED','CLAIMED','CONTACTED','CONTACTED','APPROVED','APPROVED','DISBURSED','DISBURSED','DISBURSED',
        'DISBURSED','DISBURSED','DISBURSED','DISBURSED','DECLINED','DECLINED','DECLINED','WITHDRAWN'])[1 + n % 20] as status,
        n % 20 not in (0, 1, 19) as held) s
    on conflict do nothing`);
  // The steps: posted (or imported), routed, the hold, the decision, the loan, the withdrawal, the rating.
  await db.execute(sql`
    insert into financing.demand_events (demand_id, kind, at, institution_id, branch_id, actor_role, actor_subject, data)
    select d.id, 'POSTED'::financing.demand_event_kind, d.posted_at, null::uuid, null::uuid, 'ENTERPRISE', 'bench', jsonb_build_object('amount', d.amount) from financing.demands d where d.purpose = '基准测试需求' and d.source = 'PLATFORM'
    union all select d.id, 'IMPORTED', d.posted_at, null, null, 'UNIT_STAFF', 'bench', jsonb_build_object('amount', d.amount) from financing.demands d where d.purpose = '基准测试需求' and d.source <> 'PLATFORM'
    union all select d.id, 'ROUTED', d.posted_at, null, null, 'SYSTEM', 'platform', '{"institutions":57}'::jsonb from financing.demands d where d.purpose = '基准测试需求'
    union all select d.id, d.held_by::text::financing.demand_event_kind, d.held_at, d.institution_id, d.branch_id, 'FINANCIAL_INSTITUTION', 'bench',
      jsonb_build_object('hoursToClaim', extract(epoch from d.held_at - d.posted_at) / 3600) from financing.demands d where d.purpose = '基准测试需求' and d.held_at is not null
    union all select d.id, 'APPROVED', d.held_at + interval '3 days', d.institution_id, d.branch_id, 'FINANCIAL_INSTITUTION', 'bench',
      jsonb_build_object('amount', d.approved_amount, 'workingDaysToDecision', 1 + (hashtext(d.id::text) & 7)) from financing.demands d where d.purpose = '基准测试需求' and d.status in ('APPROVED','DISBURSED') and d.held_at is not null
    union all select d.id, 'DECLINED', d.held_at + interval '3 days', d.institution_id, d.branch_id, 'FINANCIAL_INSTITUTION', 'bench',
      jsonb_build_object('reasonCode', 'POOR_CREDIT', 'workingDaysToDecision', 1 + (hashtext(d.id::text) & 7)) from financing.demands d where d.purpose = '基准测试需求' and d.status = 'DECLINED' and d.held_at is not null
    union all select d.id, 'DISBURSED', d.closed_at, d.institution_id, d.branch_id, 'FINANCIAL_INSTITUTION', 'bench',
      jsonb_build_object('amount', d.approved_amount, 'rateBp', 300 + (hashtext(d.id::text) & 127), 'pureCredit', d.first_loan, 'firstLoan', d.first_loan)
      from financing.demands d where d.purpose = '基准测试需求' and d.status = 'DISBURSED' and d.held_at is not null
    union all select d.id, 'WITHDRAWN', d.closed_at, d.institution_id, d.branch_id, 'ENTERPRISE', 'bench', null from financing.demands d where d.purpose = '基准测试需求' and d.status = 'WITHDRAWN'
    union all select d.id, 'RATED', d.closed_at + interval '1 day', d.institution_id, d.branch_id, 'ENTERPRISE', 'bench', jsonb_build_object('rating', d.rating)
      from financing.demands d where d.purpose = '基准测试需求' and d.rating is not null`);
  await db.execute(sql`
    insert into financing.loans (demand_id, credit_code, institution_id, branch_id, amount, disbursed_on, rate_bp, term_months, guarantee_mode, pure_credit, first_loan, loan_ref, created_at)
    select e.demand_id, d.credit_code, e.institution_id, e.branch_id, (e.data->>'amount')::bigint, (e.at at time zone 'Asia/Shanghai')::date,
      (e.data->>'rateBp')::int, 12, 'PURE_CREDIT', (e.data->>'pureCredit')::boolean, (e.data->>'firstLoan')::boolean, 'BENCH-LOAN-' || d.id, e.at
    from financing.demand_events e join financing.demands d on d.id = e.demand_id
    where e.kind = 'DISBURSED' and d.purpose = '基准测试需求'
    on conflict do nothing`);
  // Claim limits of 2 working days (taken as 4 calendar days here); met at the hold, some late; still running when open.
  await db.execute(sql`
    insert into financing.demand_limits (demand_id, kind, institution_id, branch_id, starts_at, working_days, due_at, warn_at, met_at, ended_at)
    select d.id, 'CLAIM', null, null, d.posted_at, 2, d.posted_at + interval '40 hours', d.posted_at + interval '32 hours', d.held_at,
      case when d.held_at is null and d.status = 'WITHDRAWN' then d.closed_at end
    from financing.demands d where d.purpose = '基准测试需求'`);
  for (const table of ['demands', 'demand_events', 'loans', 'demand_limits']) await db.execute(sql.raw(`analyze financing.${table}`));
}

/**
 * The kept figures rebuilt from the rows (figures.ts): every step counted on its Beijing day under
 * the city, its district and category, and its institution and branch, with the counts per band of
 * minutes to claim and per working days to decision; monthly rows added up from the days, all-time rows (figure_totals) from the months.
 */
export async function rebuildFigures(db: Db): Promise<void> {
  const bands = `{${CLAIM_BANDS.join(',')}}`;
  await db.execute(sql`delete from financing.figures`);
  await db.execute(sql`delete from financing.figures_monthly`);
  await db.execute(sql`delete from financing.figure_totals`);
  await db.execute(sql`
    insert into financing.limit_lateness (limit_id, demand_id, kind, institution_id, branch_id, due_at, stopped_at)
    select id, demand_id, kind, institution_id, branch_id, due_at, coalesce(met_at, ended_at) from financing.demand_limits
    where coalesce(met_at, ended_at) >= due_at
    on conflict do nothing`);
  await db.execute(sql`
    insert into financing.figures
    with parts as (
      select (e.at at time zone 'Asia/Shanghai')::date as day, e.institution_id::text as inst, e.branch_id::text as br, d.district_code, d.category::text as category,
        (e.kind in ('POSTED','IMPORTED'))::int as posted, case when e.kind in ('POSTED','IMPORTED') then d.amount else 0 end as amount_asked,
        (e.kind = 'ROUTED')::int as routed, (e.kind = 'CLAIMED')::int as claimed, (e.kind = 'DISPATCHED')::int as dispatched, (e.kind = 'CHOSEN')::int as chosen,
        (e.kind = 'APPROVED')::int as approved, (e.kind = 'DECLINED')::int as declined, (e.kind = 'WITHDRAWN')::int as withdrawn,
        (e.kind = 'DISBURSED')::int as disbursed, case when e.kind = 'DISBURSED' then (e.data->>'amount')::bigint else 0 end as amount_lent,
        (e.kind = 'DISBURSED' and (e.data->>'firstLoan')::boolean)::int as first_loans,
        case when e.kind = 'DISBURSED' and (e.data->>'firstLoan')::boolean then (e.data->>'amount')::bigint else 0 end as first_loan_amount,
        (e.kind = 'DISBURSED' and (e.data->>'pureCredit')::boolean)::int as pure_credit_loans,
        case when e.kind = 'DISBURSED' and (e.data->>'pureCredit')::boolean then (e.data->>'amount')::bigint else 0 end as pure_credit_amount,
        case when e.kind = 'DISBURSED' then (e.data->>'rateBp')::bigint else 0 end as rate_bp_sum, 0 as past_limit,
        (e.kind = 'RATED')::int as ratings,
        case e.data->>'rating' when 'VERY_SATISFIED' then 5 when 'SATISFIED' then 4 when 'BASICALLY_SATISFIED' then 3 when 'UNSATISFIED' then 2 when 'VERY_UNSATISFIED' then 1 else 0 end as rating_score_sum,
        case when e.kind in ('CLAIMED','DISPATCHED','CHOSEN') then width_bucket(floor(extract(epoch from e.at - d.posted_at) / 60), ${bands}::float8[]) end as band,
        case when e.kind in ('APPROVED','DECLINED') then 1 + least((e.data->>'workingDaysToDecision')::int, ${DECISION_DAYS - 1}) end as slot
      from financing.demand_events e join financing.demands d on d.id = e.demand_id
      union all
      select (l.stopped_at at time zone 'Asia/Shanghai')::date, l.institution_id::text, l.branch_id::text, d.district_code, d.category::text,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, null, null
      from financing.limit_lateness l join financing.demands d on d.id = l.demand_id
    ),
    keyed as (
      select 'CITY' as dimension, '' as key, p.* from parts p
      union all select 'DISTRICT', p.district_code, p.* from parts p
      union all select 'CATEGORY', p.category, p.* from parts p
      union all select 'INSTITUTION', p.inst, p.* from parts p where p.inst is not null
      union all select 'BRANCH', p.br, p.* from parts p where p.br is not null
    )
    select dimension::financing.figure_dimension, key, day, sum(posted), sum(routed), sum(claimed), sum(dispatched), sum(chosen), sum(approved),
      sum(disbursed), sum(declined), sum(withdrawn), sum(amount_asked), sum(amount_lent), sum(first_loans), sum(first_loan_amount),
      sum(pure_credit_loans), sum(pure_credit_amount), sum(rate_bp_sum), sum(past_limit), sum(ratings), sum(rating_score_sum),
      array[${sql.raw(CLAIM_BANDS.map((_, i) => `count(*) filter (where band = ${i + 1})`).join(', '))}]::int[],
      array[${sql.raw(Array.from({ length: DECISION_DAYS }, (_, i) => `count(*) filter (where slot = ${i + 1})`).join(', '))}]::int[]
    from keyed group by 1, 2, 3`);
  await db.execute(sql`
    insert into financing.figures_monthly
    select dimension, key, date_trunc('month', day)::date, sum(posted), sum(routed), sum(claimed), sum(dispatched), sum(chosen), sum(approved),
      sum(disbursed), sum(declined), sum(withdrawn), sum(amount_asked), sum(amount_lent), sum(first_loans), sum(first_loan_amount),
      sum(pure_credit_loans), sum(pure_credit_amount), sum(rate_bp_sum), sum(past_limit), sum(ratings), sum(rating_score_sum),
      array[${sql.raw(CLAIM_BANDS.map((_, i) => `sum(claim_bands[${i + 1}])`).join(', '))}]::int[],
      array[${sql.raw(Array.from({ length: DECISION_DAYS }, (_, i) => `sum(decision_days[${i + 1}])`).join(', '))}]::int[]
    from financing.figures group by 1, 2, 3`);
  await db.execute(sql`
    insert into financing.figure_totals
    select dimension, key, sum(posted), sum(routed), sum(claimed), sum(dispatched), sum(chosen), sum(approved),
      sum(disbursed), sum(declined), sum(withdrawn), sum(amount_asked), sum(amount_lent), sum(first_loans), sum(first_loan_amount),
      sum(pure_credit_loans), sum(pure_credit_amount), sum(rate_bp_sum), sum(past_limit), sum(ratings), sum(rating_score_sum),
      array[${sql.raw(CLAIM_BANDS.map((_, i) => `sum(claim_bands[${i + 1}])`).join(', '))}]::int[],
      array[${sql.raw(Array.from({ length: DECISION_DAYS }, (_, i) => `sum(decision_days[${i + 1}])`).join(', '))}]::int[], 1
    from financing.figures_monthly group by 1, 2`);
  for (const table of ['figures', 'figures_monthly', 'figure_totals']) {
    await db.execute(sql.raw(`vacuum analyze financing.${table}`));
  }
}
