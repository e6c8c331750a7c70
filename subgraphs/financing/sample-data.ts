/**
 * Sample institutions and branches for trying the platform out: some of the city's 57 by their real
 * names, every row flagged `sample = true` and named with （样例）, so nobody mistakes them for the
 * regulator's records; a branch of each in every district it serves. Ids are name-based, the same
 * on every machine, so a development token can name them (`sampleInstitutionId`).
 */
import { createHash } from 'node:crypto';
import type { Db } from '../../db/client.ts';
import { referenceDistricts, sampleCreditCode } from '../../db/reference/organisation.ts';
import { insertSamplePartners, type InstitutionRow } from './store.ts';

const NAMESPACE = Buffer.from('3e8b1f0c5a7d4e2f9b6c0d1e2f3a4b5c', 'hex');

/** Name-based UUID (RFC 9562 v5) of a sample record. */
function sampleId(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name).digest();
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ALL = referenceDistricts.map((district) => district.code);

/** [name, kind, districts served (all when absent)]. */
const INSTITUTIONS: [string, InstitutionRow['kind'], string[]?][] = [
  ['青岛银行', 'BANK'],
  ['青岛农商银行', 'BANK'],
  ['中国工商银行青岛市分行', 'BANK'],
  ['中国农业银行青岛市分行', 'BANK'],
  ['中国银行青岛市分行', 'BANK'],
  ['中国建设银行青岛市分行', 'BANK'],
  ['交通银行青岛分行', 'BANK'],
  ['中国邮政储蓄银行青岛分行', 'BANK'],
  ['恒丰银行青岛分行', 'BANK'],
  ['齐鲁银行青岛分行', 'BANK'],
  ['青岛市融资担保中心', 'GUARANTEE_COMPANY'],
  ['青岛中小企业融资担保有限公司', 'GUARANTEE_COMPANY', ALL.slice(0, 4)],
  ['青岛市市南区小额贷款有限公司', 'SMALL_LOAN_COMPANY', ALL.slice(0, 1)],
  ['青岛西海岸新区小额贷款有限公司', 'SMALL_LOAN_COMPANY', ALL.slice(3, 5)],
];

const sampleName = (name: string) => `${name}（样例）`;

/** The id of a sample institution, by its real name (`青岛农商银行`). */
export const sampleInstitutionId = (name: string): string => sampleId(`institution:${name}`);
/** The id of a sample institution's branch in a district. */
export const sampleBranchId = (institution: string, districtCode: string): string => sampleId(`branch:${institution}:${districtCode}`);

/** The sample institutions and branches as rows. */
export function samplePartners() {
  const districtName = new Map(referenceDistricts.map((district) => [district.code, district.name]));
  const institutions = INSTITUTIONS.map(([name, kind, served], index) => ({
    id: sampleInstitutionId(name),
    name: sampleName(name),
    kind,
    creditCode: sampleCreditCode(served?.[0] ?? '370202', 9_000 + index),
    districtCodes: [...(served ?? ALL)].sort(),
    contact: `0532-8${String(6000000 + index * 1111).slice(0, 7)}`,
    sample: true,
  }));
  const branches = INSTITUTIONS.flatMap(([name, , served]) =>
    (served ?? ALL).map((code, index) => ({
      id: sampleBranchId(name, code),
      institutionId: sampleInstitutionId(name),
      name: sampleName(`${name}${districtName.get(code) ?? code}支行`),
      districtCode: code,
      contact: `0532-8${String(7000000 + index * 1234).slice(0, 7)}`,
      sample: true,
    })),
  );
  return { institutions, branches };
}

export async function loadFinancingSampleData(db: Db): Promise<number> {
  const { institutions, branches } = samplePartners();
  return insertSamplePartners(db, institutions, branches);
}
