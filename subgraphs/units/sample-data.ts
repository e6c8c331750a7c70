/**
 * Sample market entities for trying the platform out. Every row is flagged `sample = true` and its
 * name ends in （样例）, so nobody mistakes it for the registry. Loaded on the embedded default and
 * by `npm run seed:sample`, never into a DATABASE_URL database unless asked.
 */
import type { Db } from '../../db/client.ts';
import { enterprises } from '../../db/units.ts';
import { creditCodeCheckCharacter } from '../shared/credit-code.ts';
import { referenceDistricts } from '../../db/reference/organisation.ts';

const ORG_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A well-formed credit code (valid check character) that is derived from a sample number. */
export function sampleCreditCode(districtCode: string, serial: number): string {
  let body = '';
  let n = serial * 7919 + 104729;
  for (let i = 0; i < 9; i++) {
    body += ORG_ALPHABET[n % 31];
    n = Math.floor(n / 31) + 17 * (i + 1);
  }
  const first17 = `91${districtCode}${body}`;
  return first17 + creditCodeCheckCharacter(first17);
}

const names = [
  ['海洋科技有限公司', 'M', 'SMALL'],
  ['智能制造股份有限公司', 'C', 'MEDIUM'],
  ['港口物流有限公司', 'G', 'LARGE'],
  ['食品加工有限公司', 'C', 'SMALL'],
  ['软件信息技术有限公司', 'I', 'MICRO'],
  ['建筑工程有限公司', 'E', 'MEDIUM'],
] as const;

export function sampleEnterprises() {
  return referenceDistricts.flatMap((district, d) =>
    names.slice(0, 2 + (d % 3)).map(([suffix, industry, size], i) => ({
      creditCode: sampleCreditCode(district.code, d * 10 + i + 1),
      name: `青岛${district.name.replace(/[区市]$/, '')}${suffix}（样例）`,
      districtCode: district.code,
      industryCode: industry,
      sizeClass: size,
      sample: true,
    })),
  );
}

export async function loadUnitsSampleData(db: Db): Promise<number> {
  const rows = sampleEnterprises();
  await db.insert(enterprises).values(rows).onConflictDoNothing({ target: enterprises.creditCode });
  return rows.length;
}
