/**
 * Synthetic data for the policies benchmark: 100,000 enterprises (in the units slice's registry),
 * 30,000 policy documents of realistic Chinese text and length (words drawn with a Zipf-like
 * frequency, so common words are common and rare ones rare, as in real policy text), 10,000 items
 * with varied eligibility, 100,000 applications across statuses and 20,000 service reviews. The
 * same seed gives the same data. Everything is flagged `sample`.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowsOf } from '../db/client.ts';
import { referenceDistricts, referenceUnits } from '../db/reference/organisation.ts';
import { creditCodeCheckCharacter } from '../platform/credit-code.ts';
import { tsvectorOf } from '../platform/search-text.ts';

export const BENCH_SIZES = { enterprises: 100_000, policies: 30_000, items: 10_000, applications: 100_000, reviews: 20_000 };

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POLICY_WORDS =
  '企业 政策 支持 补贴 奖励 申报 资金 项目 发展 创新 科技 服务 高新技术 研发费用 专精特新 中小企业 人才 引进 稳岗 就业 创业 融资 贷款 贴息 税收 减免 优惠 条件 材料 审核 兑现 拨付 公示 青岛市 区市 平台 数字经济 制造业 转型 升级 智能化 绿色 低碳 节能 外贸 出口 物流 港口 海洋 文化 旅游 消费 农业 乡村振兴 知识产权 专利 标准 品牌 质量 认证 首台套 首批次 孵化器 众创空间 实验室 工程技术研究中心 博士后 院士 工作站 培训 社会保险 住房公积金 租金 用地 厂房 设备 购置 技术改造 投资 落地 招商 总部 上市 挂牌 债券 担保 风险补偿 一网通办 一次办好 营商环境 市场主体 个体工商户 小微企业 瞪羚企业 独角兽 单项冠军 小巨人 规模以上 工业 产值 增长 营业收入 纳税 信用 评价 监管 执法 包容审慎 航运 集装箱 冷链 跨境电商 新能源 氢能 集成电路 人工智能 工业互联网 生物医药 医疗器械 海洋装备 船舶 轨道交通 家电 纺织服装 食品饮料 橡胶 化工 新材料 文创 会展 金融 保险 期货 基金 天使投资 科技成果转化 技术合同 产学研 高校 院所 职业教育 技能 人才公寓 子女入学 医疗保障'.split(
    ' ',
  );
const COMMON = '的一是在和对于为以及按不与其并或等有将由所可该应予上下中年月日内外个名家项元万亿条款第'.split('');

const count = async (db: Db, statement: ReturnType<typeof sql>) => Number(rowsOf<{ n: number }>(await db.execute(statement))[0]?.n ?? 0);

/** How much of the benchmark's data is there: filling resumes where it stopped. */
export async function benchCounts(unitsDb: Db, policiesDb: Db) {
  return {
    enterprises: await count(unitsDb, sql`select count(*)::int as n from units.enterprises where name like '基准测试企业%'`),
    policies: await count(policiesDb, sql`select count(*)::int as n from policies.policies where created_by = 'bench'`),
    items: await count(policiesDb, sql`select count(*)::int as n from policies.policy_items where sample`),
    applications: await count(policiesDb, sql`select count(*)::int as n from policies.applications where submitter_subject = 'bench'`),
  };
}

/**
 * Fills the units registry and the policies tables, each part only when it is not there yet. With
 * `registryCodes` (the city bench: a registry already imported) no enterprise is added and the
 * applications name those enterprises instead.
 */
export async function fillPolicies(unitsDb: Db, policiesDb: Db, options: { registryCodes?: readonly string[] } = {}): Promise<void> {
  const present = await benchCounts(unitsDb, policiesDb);
  const next = random(20261123);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  // Zipf-like ranks: a handful of words everywhere, most of them rare.
  const vocabulary = [...POLICY_WORDS];
  while (vocabulary.length < 6_000)
    vocabulary.push(
      Array.from({ length: 2 + Math.floor(next() * 2) }, () => pick(COMMON.concat(POLICY_WORDS.join('').split('')))).join(''),
    );
  const order = vocabulary
    .map((word, i) => [word, i < POLICY_WORDS.length ? next() * 400 : 200 + i] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([word]) => word);
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < order.length; i++) cumulative.push((total += 1 / (i + 1)));
  const word = () => {
    const r = next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return order[lo]!;
  };
  const sentence = (words: number) => Array.from({ length: words }, word).join('') + pick(['，', '。', '；', '。']);
  const paragraph = (sentences: number) => Array.from({ length: sentences }, () => sentence(4 + Math.floor(next() * 8))).join('');

  // ── 100,000 enterprises in the units slice's registry ──
  const districts = referenceDistricts.map((d) => d.code);
  // Well-formed codes (GB 32100 check character), so every caller can name them.
  const codes =
    options.registryCodes?.slice(0, BENCH_SIZES.enterprises) ??
    Array.from({ length: BENCH_SIZES.enterprises }, (_, i) => {
      const first17 = `91${districts[(i + 1) % districts.length]}${String(i + 1).padStart(9, '0')}`;
      return first17 + creditCodeCheckCharacter(first17);
    });
  if (!options.registryCodes && present.enterprises < BENCH_SIZES.enterprises) {
    await unitsDb.execute(sql`
      insert into units.enterprises (credit_code, name, district_code, industry_code, size_class, registered_on, qualifications, sample)
      select code, '基准测试企业 ' || n, substr(code, 3, 6),
        (array['C3484','C1391','C2611','I6513','I6420','M7320','G5532','F5191','E4812','K7010'])[1 + (n * 7) % 10],
        (array['LARGE','MEDIUM','SMALL','SMALL','MICRO','MICRO'])[1 + (n * 13) % 6]::units.size_class,
        date '2000-01-01' + ((n * 7919) % 9500)::int,
        (case when n % 5 = 0 then array['HIGH_TECH','TECH_SME'] when n % 7 = 0 then array['SPECIALIZED_SME'] when n % 11 = 0 then array['HIGH_TECH','SPECIALIZED_SME','LITTLE_GIANT'] else array[]::text[] end)::units.qualification[],
        true
      from unnest(${`{${codes.join(',')}}`}::text[]) with ordinality as x(code, n)
      on conflict (credit_code) do nothing`);
  }
  await unitsDb.execute(sql`analyze units.enterprises`);

  // ── 30,000 policy documents ──
  const issuers = referenceUnits.filter((u) => u.kind !== 'COMMAND_OFFICE' && u.kind !== 'DISTRICT' && u.kind !== 'FUNCTION_ZONE');
  const levels = ['NATIONAL', 'PROVINCIAL', 'MUNICIPAL', 'MUNICIPAL', 'MUNICIPAL'];
  const environments = ['POLICY', 'SERVICE', 'FACTOR', 'MARKET', 'RULE_OF_LAW', 'HUMANISTIC'];
  for (let start = present.policies ? BENCH_SIZES.policies : 0; start < BENCH_SIZES.policies; start += 500) {
    const rows = [];
    for (let i = start; i < Math.min(BENCH_SIZES.policies, start + 500); i++) {
      const title = `关于${Array.from({ length: 2 + Math.floor(next() * 3) }, word).join('')}的${pick(['通知', '若干措施', '实施细则', '管理办法', '意见'])}`;
      const number = `青基准〔${2015 + (i % 12)}〕${i}号`;
      const summary = sentence(12);
      const body = Array.from({ length: 3 + Math.floor(next() * 6) }, () => paragraph(4 + Math.floor(next() * 6))).join('\n');
      const issued = new Date(Date.UTC(2015 + Math.floor(next() * 12), Math.floor(next() * 12), 1 + Math.floor(next() * 28)))
        .toISOString()
        .slice(0, 10);
      const status = next() < 0.9 ? 'PUBLISHED' : pick(['REPEALED', 'DRAFT']);
      rows.push({
        level: pick(levels),
        unit: pick(issuers).id,
        environment: pick(environments),
        status,
        title,
        number: status === 'DRAFT' ? null : number,
        summary,
        body,
        issued,
        until: next() < 0.2 ? new Date(Date.parse(issued) + 3 * 365 * 86_400_000).toISOString().slice(0, 10) : null,
        head: tsvectorOf(title, number, summary),
        terms: tsvectorOf(title, number, summary, body),
      });
    }
    await policiesDb.execute(sql`
      insert into policies.policies (level, issuing_unit_id, environment, status, title, document_number, summary, body, issued_on, valid_from, valid_until,
        published_at, head_terms, body_terms, created_at, created_by, sample)
      select level::policies.policy_level, unit, environment::policies.environment, status::policies.policy_status, title, number, summary, body, issued::date, issued::date, until::date,
        case when status <> 'DRAFT' then issued::timestamptz end, head::tsvector, terms::tsvector, issued::timestamptz, 'bench', true
      from json_to_recordset(${JSON.stringify(rows)}::json) as x(level text, unit uuid, environment text, status text, title text, number text, summary text, body text, issued text, until text, head text, terms text)`);
  }
  if (!present.policies) {
    await policiesDb.execute(sql`
      insert into policies.policy_revisions (policy_id, revision, title, document_number, summary, body, issued_on, valid_from, valid_until, published_at, published_by)
      select id, 1, title, document_number, summary, body, issued_on, valid_from, valid_until, published_at, 'bench' from policies.policies where created_by = 'bench' and published_at is not null`);
  }

  // ── 10,000 items on published policies, reviewed by city bureaus ──
  const policyIds = rowsOf<{ id: string; unit: string; level: string; environment: string }>(
    await policiesDb.execute(
      sql`select id, issuing_unit_id as unit, level, environment from policies.policies where created_by = 'bench' and status = 'PUBLISHED' order by id`,
    ),
  );
  const qualifications = ['HIGH_TECH', 'TECH_SME', 'SPECIALIZED_SME', 'LITTLE_GIANT', 'GAZELLE', 'MANUFACTURING_CHAMPION'];
  for (let start = present.items ? BENCH_SIZES.items : 0; start < BENCH_SIZES.items; start += 1_000) {
    const rows = [];
    for (let i = start; i < Math.min(BENCH_SIZES.items, start + 1_000); i++) {
      const policy = policyIds[(i * 7) % policyIds.length]!;
      const name = `${Array.from({ length: 2 }, word).join('')}${pick(['补贴', '奖励', '资助', '减免', '贴息'])}`;
      const description = paragraph(3);
      rows.push({
        policy: policy.id,
        unit: policy.unit,
        level: policy.level,
        environment: policy.environment,
        name,
        description,
        amount: 10_000 * (1 + Math.floor(next() * 100)),
        industries: next() < 0.4 ? [pick(['C', 'I', 'M', 'G', 'C34', 'I65'])] : [],
        sizes: next() < 0.4 ? [pick(['SMALL', 'MICRO', 'MEDIUM']), 'MICRO'] : [],
        districts: next() < 0.2 ? [pick(districts)] : [],
        minYears: next() < 0.3 ? 1 + Math.floor(next() * 5) : null,
        quals: next() < 0.5 ? [pick(qualifications)] : [],
        head: tsvectorOf(name),
        terms: tsvectorOf(name, description),
      });
    }
    await policiesDb.execute(sql`
      insert into policies.policy_items (policy_id, issuing_unit_id, level, environment, name, kind, description, amount_kind, amount, reviewing_unit_id,
        review_working_days, payment_working_days, industry_prefixes, size_classes, district_codes, min_years, qualifications, status, published_at, sort_at,
        head_terms, body_terms, created_at, sample)
      select policy, unit, level::policies.policy_level, environment::policies.environment, name, 'SUBSIDY', description, 'CAPPED', amount, unit,
        20, 15, array(select jsonb_array_elements_text(industries)), array(select jsonb_array_elements_text(sizes))::policies.size_class[],
        array(select jsonb_array_elements_text(districts)), min_years, array(select jsonb_array_elements_text(quals))::policies.qualification[],
        'PUBLISHED', now() - interval '30 days', now() - interval '30 days', head::tsvector, terms::tsvector, now(), true
      from json_to_recordset(${JSON.stringify(rows)}::json)
        as x(policy uuid, unit uuid, level text, environment text, name text, description text, amount numeric, industries jsonb, sizes jsonb, districts jsonb, min_years smallint, quals jsonb, head text, terms text)`);
  }

  // ── 100,000 applications across statuses, and 20,000 reviews ──
  if (present.applications) return;
  await policiesDb.execute(sql`
    with items as (select id, row_number() over (order by id) - 1 as position, count(*) over () as total from policies.policy_items where sample),
    g as (
      select n, (n * 31) % (select count(*) from policies.policy_items where sample) as position,
        (${`{${codes.join(',')}}`}::text[])[1 + (n * 17) % ${codes.length}] as code,
        (array['SUBMITTED','UNDER_REVIEW','RETURNED','APPROVED','REJECTED','PUBLIC_NOTICE','DISBURSED','DISBURSED','DISBURSED','STOPPED'])[1 + (n / 3) % 10]::policies.application_status as status,
        timestamptz '2026-01-05 09:00+08' + ((n * 7919) % (320 * 24 * 60)) * interval '1 minute' as at
      from generate_series(1, ${BENCH_SIZES.applications}) as n
    )
    ${applicationsFrom('bench')}
    from g join items p on p.position = g.position join policies.policy_items i on i.id = p.id
    on conflict do nothing`);
  await policiesDb.execute(sql`
    insert into policies.service_reviews (application_id, reviewing_unit_id, enterprise_credit_code, level, comment, reviewed_at)
    select id, reviewing_unit_id, enterprise_credit_code,
      (array['VERY_SATISFIED','SATISFIED','SATISFIED','BASICALLY_SATISFIED','UNSATISFIED','VERY_UNSATISFIED'])[1 + number % 6]::policies.review_level,
      null, disbursed_at + interval '1 day'
    from policies.applications where sample and status = 'DISBURSED' order by number limit ${BENCH_SIZES.reviews}`);
  // bench/policies.ts vacuums and analyzes what was loaded, as the owner.
}

/**
 * The applications' INSERT … SELECT both fills use (this one and bench/gateway-fill.ts): from `g`
 * (n, position, code, status, at) and `i` (the item applied for), which the caller's FROM clause
 * that follows names; every date and amount follows the status, as the use cases write them.
 */
export function applicationsFrom(subject: string) {
  return sql`
    insert into policies.applications (item_id, policy_id, reviewing_unit_id, issuing_unit_id, enterprise_credit_code, source, status, submitter_subject,
      requested_amount, approved_amount, entered_at, submitted_at, review_clock_at, decided_at, approved_at, review_due_at, payment_due_at,
      review_warn_at, payment_warn_at, disbursed_amount, paid_on, disbursed_at, cycle_working_days, next_due_at, sample)
    select i.id, i.policy_id, i.reviewing_unit_id, i.issuing_unit_id, g.code,
      (array['ONLINE','ONLINE','IMPORTED','AUTOMATIC'])[1 + g.n % 4]::policies.application_source, g.status, ${subject},
      i.amount, case when g.status in ('APPROVED','PUBLIC_NOTICE','DISBURSED','STOPPED') then i.amount end,
      g.at, g.at, g.at,
      case when g.status not in ('SUBMITTED','UNDER_REVIEW','RETURNED') then g.at + (g.n % 30) * interval '1 day' end,
      case when g.status in ('APPROVED','PUBLIC_NOTICE','DISBURSED','STOPPED') then g.at + (g.n % 30) * interval '1 day' end,
      g.at + interval '28 days', g.at + interval '50 days',
      -- the warnings at about 80% of each limit (the use cases count office hours; calendar days do here)
      g.at + interval '22 days', case when g.status in ('APPROVED','PUBLIC_NOTICE','DISBURSED','STOPPED') then g.at + interval '46 days' end,
      case when g.status = 'DISBURSED' then i.amount end,
      case when g.status = 'DISBURSED' then (g.at + (20 + g.n % 40) * interval '1 day')::date end,
      case when g.status = 'DISBURSED' then g.at + (20 + g.n % 40) * interval '1 day' end,
      case when g.status = 'DISBURSED' then 14 + (g.n % 30) end,
      case when g.status in ('SUBMITTED','UNDER_REVIEW') then g.at + interval '28 days' when g.status in ('APPROVED','PUBLIC_NOTICE') then g.at + interval '50 days' end,
      true`;
}
