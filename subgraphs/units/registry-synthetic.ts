/**
 * A synthetic market-entity registry for benches and tests (`npm run generate:enterprises`): the
 * same rows for the same seed on every machine, every credit code unique with a valid check
 * character (GB 32100, platform/credit-code.ts), districts, industries, sizes, statuses and
 * qualifications drawn in the proportions below. The proportions are this project's explicit
 * assumptions, not published figures: the city publishes the total (200.8万 market entities) but
 * not its split by district, industry section or size; see the units README › Synthetic registry.
 */
import { creditCodeCheckCharacter } from '../../platform/credit-code.ts';

type Weighted<T> = readonly (readonly [T, number])[];

/** Share of entities per district (GB/T 2260), in per cent: the larger economies hold more. */
export const DISTRICT_SHARES: Weighted<string> = [
  ['370211', 21], // 黄岛区 (西海岸新区)
  ['370214', 12], // 城阳区
  ['370215', 12], // 即墨区
  ['370203', 10], // 市北区
  ['370281', 10], // 胶州市
  ['370283', 9], // 平度市
  ['370202', 7], // 市南区
  ['370213', 7], // 李沧区
  ['370212', 6], // 崂山区
  ['370285', 6], // 莱西市
];

/** Share per industry (GB/T 4754-2017 class codes, a few per section), in per cent: trade and services first, as in every city's register. */
export const INDUSTRY_SHARES: Weighted<readonly string[]> = [
  [['F5123', 'F5211', 'F5264', 'F5191'], 31], // 批发和零售业
  [['H6210', 'H6110'], 11], // 住宿和餐饮业
  [['L7212', 'L7251', 'L7281'], 10], // 租赁和商务服务业
  [['C1391', 'C3484', 'C3670', 'C2929'], 9], // 制造业
  [['O8010', 'O8110', 'O8090'], 8], // 居民服务、修理和其他服务业
  [['M7320', 'M7520', 'M7484'], 7], // 科学研究和技术服务业
  [['I6513', 'I6440', 'I6531'], 5], // 信息传输、软件和信息技术服务业
  [['E4812', 'E4990'], 5], // 建筑业
  [['G5432', 'G5532', 'G5990'], 4], // 交通运输、仓储和邮政业
  [['A0511', 'A0190', 'A0411'], 3], // 农、林、牧、渔业
  [['K7020'], 1.5], // 房地产业
  [['R8710', 'R9051'], 1.5], // 文化、体育和娱乐业
  [['P8391'], 1], // 教育
  [['Q8421'], 0.8], // 卫生和社会工作
  [['N7850'], 0.7], // 水利、环境和公共设施管理业
  [['S9421'], 0.6], // 公共管理、社会保障和社会组织
  [['J6620'], 0.5], // 金融业
  [['D4411'], 0.3], // 电力、热力、燃气及水生产和供应业
  [['B1019'], 0.1], // 采矿业
];

/** Size classes, in per cent: micro enterprises are the great majority. */
export const SIZE_SHARES: Weighted<string> = [
  ['MICRO', 91],
  ['SMALL', 7],
  ['MEDIUM', 1.6],
  ['LARGE', 0.4],
];

/** Status, in per cent: a registry extract holds a few entities recently deregistered or revoked. */
export const STATUS_SHARES: Weighted<string> = [
  ['存续', 97],
  ['注销', 2],
  ['吊销', 1],
];

/** The chance (per cent) an entity holds each qualification, independently. */
export const QUALIFICATION_CHANCES: Weighted<string> = [
  ['HIGH_TECH', 0.4],
  ['TECH_SME', 0.5],
  ['SPECIALIZED_SME', 0.3],
  ['GAZELLE', 0.02],
  ['LITTLE_GIANT', 0.01],
  ['MANUFACTURING_CHAMPION', 0.003],
];

const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const TRADE_CHARACTERS = '海丰泰华鑫源德盛恒信瑞达兴隆金福康宏明远通利嘉诚安永祥和润广新青岛港崂峰蓝湾';
const WORDS = ['商贸', '科技', '贸易', '餐饮', '物流', '建设', '信息', '服务', '实业', '电子', '食品', '机械'];
const SUFFIXES = ['有限公司', '有限公司', '有限公司', '股份有限公司', '商行', '个体工商户'];

/** mulberry32: a small seeded generator, so a file is the same for the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(shares: Weighted<T>, r: number): T {
  const total = shares.reduce((sum, [, share]) => sum + share, 0);
  let left = r * total;
  for (const [value, share] of shares) if ((left -= share) < 0) return value;
  return shares[shares.length - 1]?.[0] as T;
}

/** Nine characters of the alphabet from a serial, scrambled and one-to-one (31^9 > 2.6·10^13 serials). */
function body(serial: number): string {
  const modulus = 31 ** 9;
  let n = (serial * 7_368_787) % modulus; // 7,368,787 is prime and not 31: a bijection of 0…31^9−1
  let text = '';
  for (let i = 0; i < 9; i++) {
    text += ALPHABET[n % 31];
    n = Math.floor(n / 31);
  }
  return text;
}

/** The credit code of synthetic entity number `serial`, in `district`: unique for each serial. */
export function syntheticCreditCode(district: string, serial: number): string {
  const first17 = `91${district}${body(serial + 1_000_003)}`;
  return first17 + creditCodeCheckCharacter(first17);
}

export const SYNTHETIC_HEADER = 'credit_code,name,district_code,industry_code,size_class,registered_on,qualifications,status';

/**
 * `count` CSV lines (no header) of synthetic entities, numbers `first`… The same serial gives the
 * same row for the same seed: a later run of a larger count extends an earlier file.
 */
export function* syntheticRegistryLines(count: number, options: { seed?: number; first?: number; today?: string } = {}): Generator<string> {
  const seed = options.seed ?? 2008;
  const lastYear = Number((options.today ?? '2024-12-31').slice(0, 4)) - 1;
  for (let serial = options.first ?? 0; serial < (options.first ?? 0) + count; serial++) {
    const r = random(seed * 1_000_003 + serial);
    const district = pick(DISTRICT_SHARES, r());
    const industries = pick(INDUSTRY_SHARES, r());
    const industry = industries[Math.floor(r() * industries.length)] ?? 'F5123';
    const size = pick(SIZE_SHARES, r());
    const status = pick(STATUS_SHARES, r());
    const qualifications = QUALIFICATION_CHANCES.filter(([, chance]) => r() * 100 < chance).map(([code]) => code);
    const year = lastYear - Math.floor(35 * r() ** 2);
    const date = `${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
    const trade = Array.from({ length: 2 }, () => TRADE_CHARACTERS[Math.floor(r() * TRADE_CHARACTERS.length)]).join('');
    const name = `青岛${trade}${WORDS[Math.floor(r() * WORDS.length)]}${SUFFIXES[Math.floor(r() * SUFFIXES.length)]}${serial}`;
    yield `${syntheticCreditCode(district, serial)},${name},${district},${industry},${size},${date},${qualifications.join(';')},${status}`;
  }
}
