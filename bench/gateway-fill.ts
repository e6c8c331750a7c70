/**
 * The gateway benchmark's enterprises (bench/gateway.ts, distinct users): GATEWAY_BENCH_ENTERPRISES
 * enterprises in the units slice's registry, each with applications of its own in the policies slice
 * (every status and source, entered over 2026), so that each ENTERPRISE token's own list has pages
 * and filters to ask. A small cut of bench/policies-fill.ts's shapes (one policy, a few items), kept
 * apart from it by its credit codes and by `created_by = 'bench-gateway'`; flagged `sample`.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowsOf } from '../db/client.ts';
import { referenceDistricts, referenceUnits } from '../db/reference/organisation.ts';
import { creditCodeCheckCharacter } from '../platform/credit-code.ts';
import { tsvectorOf } from '../platform/search-text.ts';
import { applicationsFrom } from './policies-fill.ts';

export const GATEWAY_BENCH_ENTERPRISES = 256;
/** Applications per enterprise: two pages of 20 and more, across statuses and sources. */
export const APPLICATIONS_PER_ENTERPRISE = 48;
/** One live application per item and enterprise (applications_one_live_key): an item for each of an enterprise's applications. */
const ITEMS = APPLICATIONS_PER_ENTERPRISE;

/** The benchmark enterprises' credit codes (well-formed; numbered from 800,000,001, apart from bench/policies-fill.ts's). */
export function gatewayBenchCreditCodes(): string[] {
  const districts = referenceDistricts.map((district) => district.code);
  return Array.from({ length: GATEWAY_BENCH_ENTERPRISES }, (_, i) => {
    const first17 = `91${districts[i % districts.length]}${String(800_000_001 + i).padStart(9, '0')}`;
    return first17 + creditCodeCheckCharacter(first17);
  });
}

/** Fills what is missing (each part once): enterprises, the policy and its items, the applications. */
export async function fillGatewayEnterprises(unitsDb: Db, policiesDb: Db): Promise<void> {
  const codes = gatewayBenchCreditCodes();
  await unitsDb.execute(sql`
    insert into units.enterprises (credit_code, name, district_code, industry_code, size_class, registered_on, qualifications, sample)
    select code, '网关基准企业 ' || n, substr(code, 3, 6),
      (array['C3484','C1391','I6513','M7320','G5532'])[1 + n % 5], (array['MEDIUM','SMALL','MICRO'])[1 + n % 3]::units.size_class,
      date '2010-01-01' + (n * 37)::int, array[]::units.qualification[], true
    from unnest(${`{${codes.join(',')}}`}::text[]) with ordinality as x(code, n)
    on conflict (credit_code) do nothing`);

  const present = rowsOf<{ n: number }>(
    await policiesDb.execute(sql`select count(*)::int as n from policies.policies where created_by = 'bench-gateway'`),
  )[0]!.n;
  if (!present) {
    const bureau = referenceUnits.find((unit) => unit.code === 'MARKET_REGULATION_BUREAU')!;
    const title = '关于网关基准测试企业扶持的若干措施';
    await policiesDb.execute(sql`
      insert into policies.policies (level, issuing_unit_id, environment, status, title, document_number, summary, body, issued_on, valid_from,
        published_at, head_terms, body_terms, created_at, created_by, sample)
      values ('MUNICIPAL', ${bureau.id}, 'POLICY', 'PUBLISHED', ${title}, '青基准〔2026〕网关1号', '扶持企业发展。', '支持企业创新发展，给予补贴。',
        date '2026-01-02', date '2026-01-02', timestamptz '2026-01-02 09:00+08', ${tsvectorOf(title)}::tsvector,
        ${tsvectorOf(title, '支持企业创新发展，给予补贴。')}::tsvector, timestamptz '2026-01-02 09:00+08', 'bench-gateway', true)`);
  }
  const itemsPresent = rowsOf<{ n: number }>(
    await policiesDb.execute(
      sql`select count(*)::int as n from policies.policy_items i join policies.policies p on p.id = i.policy_id where p.created_by = 'bench-gateway'`,
    ),
  )[0]!.n;
  if (itemsPresent < ITEMS) {
    const reviewers = referenceUnits.filter((unit) => unit.kind === 'RESPONSIBLE' || unit.kind === 'LEAD').slice(0, 4);
    const items = Array.from({ length: ITEMS - itemsPresent }, (_, j) => {
      const i = itemsPresent + j;
      const name = `网关基准${['研发', '稳岗', '技改', '人才'][i % 4]}补贴 ${i + 1}`;
      return { name, unit: reviewers[i % reviewers.length]!.id, head: tsvectorOf(name), terms: tsvectorOf(name, '按规定给予补贴。') };
    });
    await policiesDb.execute(sql`
      insert into policies.policy_items (policy_id, issuing_unit_id, level, environment, name, kind, description, amount_kind, amount, reviewing_unit_id,
        review_working_days, payment_working_days, industry_prefixes, size_classes, district_codes, qualifications, status, published_at, sort_at,
        head_terms, body_terms, created_at, sample)
      select p.id, p.issuing_unit_id, 'MUNICIPAL', 'POLICY', x.name, 'SUBSIDY', '按规定给予补贴。', 'CAPPED', 100000, x.unit,
        20, 15, '{}', '{}', '{}', '{}', 'PUBLISHED', timestamptz '2026-01-05 09:00+08', timestamptz '2026-01-05 09:00+08',
        x.head::tsvector, x.terms::tsvector, timestamptz '2026-01-05 09:00+08', true
      from policies.policies p, json_to_recordset(${JSON.stringify(items)}::json) as x(name text, unit uuid, head text, terms text)
      where p.created_by = 'bench-gateway'`);
  }

  const applications = rowsOf<{ n: number }>(
    await policiesDb.execute(sql`select count(*)::int as n from policies.applications where submitter_subject = 'bench-gateway'`),
  )[0]!.n;
  if (applications) return;
  await policiesDb.execute(sql`
    with items as (
      select i.*, row_number() over (order by i.id) - 1 as position
      from policies.policy_items i join policies.policies p on p.id = i.policy_id where p.created_by = 'bench-gateway'
    ),
    g as (
      select n, n % ${ITEMS} as position,
        (${`{${codes.join(',')}}`}::text[])[1 + n / ${ITEMS}] as code,
        (array['SUBMITTED','UNDER_REVIEW','RETURNED','APPROVED','REJECTED','PUBLIC_NOTICE','DISBURSED','DISBURSED','STOPPED'])[1 + (n / 5) % 9]::policies.application_status as status,
        timestamptz '2026-01-05 09:00+08' + ((n * 7919) % (320 * 24 * 60)) * interval '1 minute' as at
      from generate_series(0, ${codes.length * APPLICATIONS_PER_ENTERPRISE - 1}) as n
    )
    ${applicationsFrom('bench-gateway')}
    from g join items i on i.position = g.position`);
  await policiesDb.execute(sql`analyze policies.applications`);
}
