/**
 * The enterprise credit report (企业信用报告): what goes into it and how it is frozen.
 *
 * There is no service identity: a slice is asked with a caller's token, and only the enterprise's
 * own token reaches its applications and appeals. The enterprise consents when it posts a demand,
 * with that token — so the post gathers the platform's part of the report then (`gatherReportBasis`,
 * before its transaction) and keeps it with the demand (`keepReportBasis`, in its transaction). The
 * report an institution reads is that basis plus the credit records this slice holds at the first
 * read, frozen as one canonical JSON document with its SHA-256.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../../db/client.ts';
import { present } from '../../platform/invariant.ts';
import type { FinancingContext } from './context.ts';
import type { ReportAppeals, ReportGrants, ReportProfile } from './remote.ts';
import { creditStore, type CreditRecordRow, type DemandRow, type ReportBasisRow } from './store.ts';

/** What the other slices told of an enterprise when it posted a demand with its consent. */
export interface ReportBasis {
  /** Every part answered (a part the caller could not be given, or a slice that did not answer, is null). */
  gathered: boolean;
  /** When it was asked (ISO-8601, UTC); null when nothing was (an imported demand). */
  gatheredAt: string | null;
  profile: ReportProfile | null;
  policyGrants: ReportGrants | null;
  appeals: ReportAppeals | null;
}

type Part<T> = { answered: true; value: T } | { answered: false };

/** A part of the basis: a refusal or an unavailable slice leaves it out, never the post. */
async function part<T>(asked: () => Promise<T>): Promise<Part<T>> {
  try {
    return { answered: true, value: await asked() };
  } catch {
    return { answered: false };
  }
}

/**
 * The platform's part of an enterprise's credit report, asked of the units, policies and issues
 * slices with the caller's token — which must be the enterprise's own (its consent, as it posts a
 * demand): for anyone else nothing is asked and the basis says it was not gathered. Call it before
 * the post's transaction, never inside one; it never throws for another slice's refusal or absence.
 */
export async function gatherReportBasis(
  ctx: Pick<FinancingContext, 'access' | 'reportBasis' | 'now'>,
  creditCode: string,
): Promise<ReportBasis> {
  const gatheredAt = ctx.now().toISOString();
  if (ctx.access.enterprise() !== creditCode) return { gathered: false, gatheredAt, profile: null, policyGrants: null, appeals: null };
  const [profile, policyGrants, appeals] = await Promise.all([
    part(() => ctx.reportBasis.profile(creditCode)),
    part(() => ctx.reportBasis.grants(creditCode)),
    part(() => ctx.reportBasis.appeals(creditCode)),
  ]);
  return {
    gathered: profile.answered && policyGrants.answered && appeals.answered,
    gatheredAt,
    profile: profile.answered ? profile.value : null,
    policyGrants: policyGrants.answered ? policyGrants.value : null,
    appeals: appeals.answered ? appeals.value : null,
  };
}

/** Keeps a demand's basis, in the transaction that inserts the demand (append-only; once per demand). */
export async function keepReportBasis(tx: Queryable, demand: Pick<DemandRow, 'id' | 'creditCode'>, basis: ReportBasis): Promise<void> {
  await creditStore.insertBasis(tx, {
    demandId: demand.id,
    creditCode: demand.creditCode,
    gathered: basis.gathered,
    basis: { ...basis },
    gatheredAt: new Date(present(basis.gatheredAt, 'the time a kept basis was gathered')),
  });
}

/** The categories in the order a report lists them. */
export const RECORD_CATEGORIES: readonly CreditRecordRow['category'][] = [
  'TAX',
  'SOCIAL_INSURANCE',
  'HOUSING_FUND',
  'UTILITIES',
  'COURT_JUDGMENT',
  'ADMINISTRATIVE_PENALTY',
  'CREDIT_COMMITMENT',
];

/** A record as a report keeps it. */
export interface ReportRecord {
  category: CreditRecordRow['category'];
  source: string;
  externalRef: string;
  recordedOn: string;
  summary: string;
  adverse: boolean;
}

/** The content of a frozen report. */
export interface ReportContent {
  format: 'qingrongtong-credit-report/1';
  demandId: string;
  creditCode: string;
  institutionId: string;
  generatedAt: string;
  platform: ReportBasis;
  records: ReportRecord[];
}

const NOT_GATHERED: ReportBasis = {
  gathered: false,
  gatheredAt: null,
  profile: null,
  policyGrants: null,
  appeals: null,
};

/**
 * The report for a demand and an institution at `at`: the basis kept with the demand (none for an
 * imported demand: not gathered) and the enterprise's records by category, newest first within one.
 */
export function reportContent(
  demand: Pick<DemandRow, 'id' | 'creditCode'>,
  institutionId: string,
  basis: ReportBasisRow | undefined,
  records: readonly CreditRecordRow[],
  at: Date,
): ReportContent {
  const order = (row: CreditRecordRow) => RECORD_CATEGORIES.indexOf(row.category);
  const sorted = [...records].sort(
    (a, b) =>
      order(a) - order(b) ||
      b.recordedOn.localeCompare(a.recordedOn) ||
      a.source.localeCompare(b.source) ||
      a.externalRef.localeCompare(b.externalRef),
  );
  return {
    format: 'qingrongtong-credit-report/1',
    demandId: demand.id,
    creditCode: demand.creditCode,
    institutionId,
    generatedAt: at.toISOString(),
    platform: basis ? (basis.basis as unknown as ReportBasis) : NOT_GATHERED,
    records: sorted.map((row) => ({
      category: row.category,
      source: row.source,
      externalRef: row.externalRef,
      recordedOn: row.recordedOn,
      summary: row.summary,
      adverse: row.adverse,
    })),
  };
}

/** JSON with every object's keys in code-point order and no whitespace: one text for one content, whatever the storage did to key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The SHA-256 (hex) of a content's canonical JSON, as UTF-8. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}
