/**
 * The market-entity registry's bulk import, shared by `npm run import:enterprises` (bin/, any size,
 * streamed from a file) and the command office's `importEnterprises` mutation (at most
 * IMPORT_ROWS_LIMIT rows): the file is read as a stream and every row checked (registry-file.ts),
 * streamed into a staging table of one transaction (COPY on PostgreSQL), duplicates found there,
 * then merged set-based (store.ts `registryImportStore`). Everything happens in that one
 * transaction: an interrupted run — killed, crashed, a database gone — loads nothing, and the
 * next run starts over.
 */
import { beijingDate } from '../../../platform/calendar.ts';
import { errors } from '../../../platform/errors.ts';
import { present } from '../../../platform/invariant.ts';
import { bulkTransaction, type Db } from '../../../db/client.ts';
import type { UnitsContext } from '../context.ts';
import {
  readRegistryRecords,
  RegistryFileProblem,
  stageRecord,
  type RegistryChunks,
  type RegistryColumn,
  type RegistryFormat,
  type RegistryReject,
  type RegistryReference,
  type StagedRow,
} from '../registry-file.ts';
import type { MutationImportEnterprisesArgs } from '../schema-types.ts';
import { registryImportStore, type ImportActor, type StagingTuple } from '../store.ts';

/** Rows the GraphQL import takes in one call; larger files go through `npm run import:enterprises`. */
export const IMPORT_ROWS_LIMIT = 10_000;

export interface RegistryImportOptions {
  /** CSV or NDJSON; null: by the first character (`{`: NDJSON). */
  format: RegistryFormat | null;
  /** Entities the file does not name are deregistered (only then). */
  fullSnapshot: boolean;
  actor: ImportActor;
  /** The platform's clock: today's date bounds a date of registration; the instant is written as the change's time. */
  now: Date;
  /** Lifts the serving role's statement timeout for the run's transaction (the command line). */
  unbounded?: boolean;
  /** More data rows than this: BAD_USER_INPUT, nothing loaded. */
  maxRows?: number;
  /** Rows read so far (every few thousand rows). */
  onProgress?: (rowsRead: number) => void;
  /** Called once the rows are staged, before the merge. */
  onStaged?: () => void;
  /** Each rejected row, in line order, before the merge. */
  onReject?: (reject: RegistryReject) => void | Promise<void>;
  /** Runs inside the transaction after the merge, before it commits (a test injects its failure here). */
  beforeCommit?: () => Promise<void>;
}

export interface RegistryImportCounts {
  /** Data rows in the file. */
  rows: number;
  /** New entities. */
  loaded: number;
  updated: number;
  unchanged: number;
  rejected: number;
  deregistered: number;
}

const DUPLICATE = {
  zh: '统一社会信用代码在文件中重复出现（第 {lines} 行），这些行均不载入',
  en: 'The credit code appears more than once in the file (lines {lines}); none of those rows is loaded',
};

function tupleOf(row: StagedRow): StagingTuple {
  const v = row.values;
  const p = row.problem;
  return [
    String(row.line),
    row.creditCode,
    row.codeOk ? 't' : 'f',
    v?.name ?? null,
    v?.district_code ?? null,
    v?.industry_code ?? null,
    v?.size_class ?? null,
    v?.registered_on ?? null,
    v?.qualifications ?? null,
    v?.status ?? null,
    p ? p.column : null,
    p ? p.value : null,
    p?.reason.zh ?? null,
    p?.reason.en ?? null,
  ];
}

/** The file's rows as staging tuples, counted against `maxRows`, with progress every 5,000 rows. */
async function* stagingRows(
  chunks: RegistryChunks,
  reference: RegistryReference,
  options: RegistryImportOptions,
): AsyncGenerator<StagingTuple> {
  let read = 0;
  for await (const record of readRegistryRecords(chunks, options.format)) {
    if (options.maxRows !== undefined && read >= options.maxRows)
      throw errors.badInput('content', {
        zh: `一次最多导入 ${options.maxRows} 行；更大的文件请用 npm run import:enterprises 命令导入`,
        en: `At most ${options.maxRows} rows per call; import a larger file with npm run import:enterprises`,
      });
    yield tupleOf(stageRecord(record, reference));
    if (++read % 5000 === 0) options.onProgress?.(read);
  }
  options.onProgress?.(read);
}

/**
 * Imports one registry file in one transaction (see the module's comment). A file refused as a
 * whole (no header, a required column missing, too many rows) is BAD_USER_INPUT on `content`.
 */
export async function runRegistryImport(db: Db, chunks: RegistryChunks, options: RegistryImportOptions): Promise<RegistryImportCounts> {
  const known = await registryImportStore.reference(db);
  const reference: RegistryReference = {
    districts: new Set(known.districts),
    industrySections: new Set(known.industrySections),
    today: beijingDate(options.now),
  };
  try {
    return await bulkTransaction(db, async (tx) => {
      await registryImportStore.prepare(tx, options.unbounded ?? false);
      await registryImportStore.stage(tx, stagingRows(chunks, reference, options));
      await registryImportStore.rejectDuplicates(tx, DUPLICATE);
      options.onStaged?.();
      const { rows, rejected } = await registryImportStore.counts(tx);
      if (options.onReject)
        for await (const batch of registryImportStore.rejects(tx, 2000))
          for (const reject of batch)
            await options.onReject({
              line: reject.line,
              column: reject.column as RegistryColumn | '',
              value: reject.value ?? '',
              reason: { zh: reject.zh, en: reject.en },
            });
      const merged = await registryImportStore.merge(tx, options.now, options.actor, options.fullSnapshot);
      await options.beforeCommit?.();
      return { rows, rejected, ...merged, unchanged: rows - rejected - merged.loaded - merged.updated };
    });
  } catch (error) {
    if (error instanceof RegistryFileProblem) throw errors.badInput('content', error.reason);
    throw error;
  }
}

/**
 * `importEnterprises`: the command office imports a small registry file (≤ IMPORT_ROWS_LIMIT rows)
 * given as text — never as a full snapshot: such a file names at most 10,000 of the registry's two
 * million entities, and every other one would be deregistered. A full snapshot is the whole
 * registry's file, imported by the database's operator with `npm run import:enterprises --
 * FILE --full-snapshot`.
 */
export async function importEnterprises(ctx: UnitsContext, { format, content, fullSnapshot }: MutationImportEnterprisesArgs) {
  await ctx.access.assert('IMPORT_ENTERPRISES');
  if (fullSnapshot)
    throw errors.badInput('fullSnapshot', {
      zh: '接口导入不接受全量快照：文件最多 10,000 行，未列入的市场主体都会被标记注销；全量快照请由数据库运维人员用 npm run import:enterprises -- FILE --full-snapshot 导入',
      en: 'A GraphQL import is never a full snapshot: its file holds at most 10,000 rows and every entity it does not name would be deregistered; the database operator imports a full snapshot with npm run import:enterprises -- FILE --full-snapshot',
    });
  const rejects: RegistryReject[] = [];
  const counts = await runRegistryImport(ctx.db, [content], {
    format: format ?? null,
    fullSnapshot: false,
    actor: {
      subject: present(ctx.viewer.subject, 'the subject of a caller allowed to import'),
      role: ctx.viewer.role,
      unitId: ctx.viewer.unitId,
    },
    now: ctx.now(),
    maxRows: IMPORT_ROWS_LIMIT,
    onReject: (reject) => void rejects.push(reject),
  });
  return {
    ...counts,
    rejects: rejects.map((reject) => ({
      line: reject.line,
      column: reject.column || null,
      value: reject.value,
      reasonZh: reject.reason.zh,
      reasonEn: reject.reason.en,
    })),
  };
}
