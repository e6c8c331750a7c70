/**
 * The credit report (企业信用报告): the regulator imports credit records from the city's data
 * sharing platform (idempotent on source and reference); the institution holding a demand reads
 * the enterprise's report, with its consent — frozen at the first read as a snapshot with its hash,
 * every read logged in the same transaction; the enterprise (and the regulator, the command
 * office) sees who read it. See credit-report.ts for what the report holds and why.
 */
import { personOf } from '../../../platform/auth.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { createRow } from '../../../platform/change.ts';
import { errors } from '../../../platform/errors.ts';
import { creditCode, isUuid, parseInput, z } from '../../../platform/input.ts';
import { present } from '../../../platform/invariant.ts';
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { Queryable } from '../../../db/client.ts';
import type { FinancingContext } from '../context.ts';
import { contentHash, reportContent } from '../credit-report.ts';
import { creditRecordsInput } from '../input.ts';
import type { MutationImportCreditRecordsArgs, QueryCreditReportArgs, QueryCreditReportReadsArgs } from '../schema-types.ts';
import { creditStore, type CreditRecordRow, type CreditReportRow, type DemandRow } from '../store.ts';

type RecordInput = ReturnType<typeof parseRecords>[number];

/** The batch, its fields named as the API does (`records[3].summary`). */
const parseRecords = (records: unknown) => parseInput(z.object({ records: creditRecordsInput }), { records }).records;

const keyOf = (record: { source: string; externalRef: string }) => JSON.stringify([record.source, record.externalRef]);

/** The same record: what a retry sends again, field by field. */
const sameRecord = (a: RecordInput, b: Pick<CreditRecordRow, keyof RecordInput>) =>
  a.creditCode === b.creditCode &&
  a.category === b.category &&
  a.recordedOn === b.recordedOn &&
  a.summary === b.summary &&
  a.adverse === b.adverse;

/** The batch, each source reference once: the same twice is one record, twice with different content a mistake. */
function distinctRecords(records: RecordInput[], today: string): RecordInput[] {
  const seen = new Map<string, RecordInput>();
  for (const [i, record] of records.entries()) {
    if (record.recordedOn > today) {
      throw errors.badInput(`records[${i}].recordedOn`, {
        zh: `记录日期不能晚于今天（${today}）`,
        en: `recordedOn cannot be after today (${today})`,
      });
    }
    const key = keyOf(record);
    const earlier = seen.get(key);
    if (earlier && !sameRecord(record, earlier)) {
      throw errors.badInput(`records[${i}]`, {
        zh: `同一来源编号（${record.source} ${record.externalRef}）在本批中出现两次且内容不同`,
        en: `The same source reference (${record.source} ${record.externalRef}) comes twice in this batch with different content`,
      });
    }
    if (!earlier) seen.set(key, record);
  }
  return [...seen.values()];
}

/**
 * `importCreditRecords`: the regulator; in one transaction. A record whose source and reference are
 * there already is unchanged — when it says the same; one that says otherwise is a CONFLICT and the
 * batch writes nothing (a correction is a new record, with a reference of its own).
 */
const CREDIT_RECORDS = { zh: '信用记录', en: 'Credit records' };
const CREDIT_REPORT = { zh: '信用报告', en: 'Credit report' };

export async function importCreditRecords(ctx: FinancingContext, { records }: MutationImportCreditRecordsArgs) {
  await ctx.access.assertDemand('IMPORT_CREDIT_RECORDS');
  const now = ctx.now();
  const batch = distinctRecords(parseRecords(records), beijingDate(now));
  const added = await createRow<number, Queryable>(
    ctx.db,
    { noun: CREDIT_RECORDS },
    {
      // Asked before: only the regulator imports.
      authorize: () => undefined,
      write: async (tx) => {
        const inserted = await creditStore.insertRecords(
          tx,
          batch.map((record) => ({ ...record, importedAt: now })),
        );
        const new_ = new Set(inserted.map(keyOf));
        const already = batch.filter((record) => !new_.has(keyOf(record)));
        const existing = new Map((await creditStore.recordsByKeys(tx, already)).map((row) => [keyOf(row), row]));
        for (const record of already) {
          const row = present(existing.get(keyOf(record)), 'a credit record whose insert conflicted');
          if (!sameRecord(record, row)) {
            throw errors.conflict(
              {
                zh: `来源编号 ${record.source} ${record.externalRef} 已导入且内容不同；更正请作为新记录导入`,
                en: `${record.source} ${record.externalRef} was imported already with other content; import a correction as a new record`,
              },
              { source: record.source, externalRef: record.externalRef },
            );
          }
        }
        return inserted.length;
      },
      // The imported records are themselves the record of the import (imported_at, source, reference).
      record: () => Promise.resolve(),
    },
  );
  return { added, unchanged: records.length - added };
}

const ENDED: readonly DemandRow['status'][] = ['DISBURSED', 'DECLINED', 'WITHDRAWN'];

const noConsent = () =>
  errors.forbidden({
    zh: '企业未授权金融机构查看其信用报告',
    en: 'The enterprise has not consented to its credit report being read',
  });

/** The report the caller's institution froze for the demand, or a new one frozen now (open demands only), with this read logged. */
async function readReport(ctx: FinancingContext, tx: Queryable, demandId: string): Promise<CreditReportRow> {
  const demand = await creditStore.shareDemand(tx, demandId);
  if (!demand) throw errors.internal();
  // The holder as this transaction has the demand: a claim that lapsed meanwhile reads nothing.
  await ctx.access.assertDemand('READ_CREDIT_REPORT', demand);
  if (!demand.creditReportConsent) throw noConsent();
  const institutionId = present(await ctx.access.institutionId(), 'the institution of a holder');
  const now = ctx.now();
  let report = await creditStore.report(tx, demand.id, institutionId);
  if (!report) {
    if (ENDED.includes(demand.status)) {
      throw errors.invalidTransition(
        {
          zh: '该融资需求已结束，不再生成信用报告；此前未查看过报告',
          en: 'The demand has ended: no credit report is generated now, and none was read before',
        },
        demand.status,
      );
    }
    const content = reportContent(
      demand,
      institutionId,
      await creditStore.basisOf(tx, demand.id),
      await creditStore.recordsOf(tx, demand.creditCode),
      now,
    );
    const values = {
      demandId: demand.id,
      institutionId,
      creditCode: demand.creditCode,
      content: { ...content },
      hash: contentHash(content),
      generatedAt: now,
    };
    // Two first reads at once: one snapshot; the later insert waits for the earlier and then reads it.
    report =
      (await creditStore.insertReport(tx, values)) ??
      present(await creditStore.report(tx, demand.id, institutionId), 'the report frozen meanwhile');
  }
  const reader = present(personOf(ctx.viewer), 'the person of a holder');
  await creditStore.insertRead(tx, {
    reportId: report.id,
    demandId: demand.id,
    creditCode: demand.creditCode,
    institutionId,
    branchId: await ctx.access.branchId(),
    readerIssuer: reader.issuer,
    readerSubject: reader.subject,
    at: now,
  });
  return report;
}

/**
 * `creditReport(demandId)`: the holder of the demand only, with the enterprise's consent. An unknown
 * demand, and one the caller may not see at all, is null (as `financingDemand`); one the caller sees
 * but does not hold — the enterprise itself, the regulator, the command office — is FORBIDDEN.
 */
export async function creditReport(ctx: FinancingContext, { demandId }: QueryCreditReportArgs): Promise<CreditReportRow | null> {
  if (!isUuid(demandId)) return null;
  const demand = await ctx.loaders.demandById.load(demandId.toLowerCase());
  if (!demand) return null;
  const holder = await ctx.access.canDemand('READ_CREDIT_REPORT', demand);
  if (!holder) {
    const sees = (await ctx.access.canDemand('READ_DEMAND', demand)) || (await ctx.access.canDemand('READ_DEMAND_UNNAMED', demand));
    if (!sees) return null;
    await ctx.access.assertDemand('READ_CREDIT_REPORT', demand);
  }
  if (!demand.creditReportConsent) throw noConsent();
  return createRow<CreditReportRow, Queryable>(
    ctx.db,
    { noun: CREDIT_REPORT },
    {
      // Asked again on the demand as the transaction has it (readReport).
      authorize: () => undefined,
      write: (tx) => readReport(ctx, tx, demand.id),
      // readReport logs the read (credit_report_reads) in this transaction.
      record: () => Promise.resolve(),
    },
  );
}

/** `creditReportReads(creditCode)`: the enterprise itself, the regulator, the command office; newest first. */
export async function creditReportReads(ctx: FinancingContext, args: QueryCreditReportReadsArgs, page: PageArgs) {
  const code = parseInput(creditCode, args.creditCode, 'creditCode');
  await ctx.access.assertReadEnterprise('READ_REPORT_LOG', code);
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'serial') : null;
  const count = countBeside(page.counted, () => creditStore.readsCount(ctx.db, code, exactCountLimit(ctx)));
  const rows = await creditStore.readsPage(ctx.db, code, size + 1, after);
  return toConnection(rows, size, (row) => [row.at.toISOString(), row.id], count, after !== null);
}
