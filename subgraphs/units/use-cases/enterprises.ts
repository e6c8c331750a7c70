/**
 * The market-entity registry: reading enterprises (each caller the part access.ts gives them) and
 * registering them (`upsertEnterprise`, the command office and 市市场监管局).
 */
import { beijingDate } from '../../../platform/calendar.ts';
import { changeRow } from '../../../platform/change.ts';
import { creditCodeProblem, normalizeCreditCode } from '../../../platform/credit-code.ts';
import { errors } from '../../../platform/errors.ts';
import { parseInput } from '../../../platform/input.ts';
import { decodeCursor, encodeCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import { canSeeEnterprise, type EnterpriseScope } from '../access.ts';
import type { UnitsContext } from '../context.ts';
import { enterpriseFilter, upsertEnterpriseInput } from '../input.ts';
import { enterpriseRow, recordChange } from '../rows.ts';
import type { MutationUpsertEnterpriseArgs, QueryEnterpriseArgs, QueryEnterpriseCodesArgs, QueryEnterprisesArgs } from '../schema-types.ts';
import { enterpriseStore, type EnterpriseRow, type EnterpriseTally, type EnterpriseView, type UnregisteredEnterprise } from '../store.ts';
import { requireDistrict } from './lookups.ts';

/**
 * Codes per page of `enterpriseCodes`. An item for 5% of the city's 2,008,000 entities is one page
 * (and a short second): read as one statement, a parallel scan and a sort (1.1 s under a load of
 * 20), where pages of 10,000 read the table eleven times in key order (3.3 s). About 5 MB of JSON.
 */
const ENTERPRISE_CODE_PAGE = 100_000;

/** The enterprises the caller may read; refuses a caller who may read none. */
async function readableScope(ctx: UnitsContext): Promise<EnterpriseScope> {
  await ctx.access.assert('READ_ENTERPRISES');
  return ctx.access.enterpriseScope();
}

/** A well-formed credit code the registry lacks: its district from the region code, when it is one of ours. */
async function unregistered(ctx: UnitsContext, code: string): Promise<UnregisteredEnterprise | null> {
  if (creditCodeProblem(code)) return null;
  const region = code.slice(2, 8);
  const district = await ctx.loaders.districtByCode.load(region);
  return {
    creditCode: code,
    name: null,
    districtCode: district ? region : null,
    industryCode: null,
    sizeClass: null,
    registeredOn: null,
    qualifications: [],
    status: null,
    sample: false,
    version: null,
    createdAt: null,
    updatedAt: null,
    unregistered: true,
  };
}

/** `enterprise(creditCode)`: null when there is none or the caller may not see it. */
export async function enterprise(ctx: UnitsContext, { creditCode }: QueryEnterpriseArgs): Promise<EnterpriseRow | null> {
  const scope = await readableScope(ctx);
  const row = await ctx.loaders.enterpriseByCode.load(normalizeCreditCode(creditCode));
  return row && canSeeEnterprise(scope, row) ? row : null;
}

/**
 * For `_entities`: null when the caller may not see it, without failing the whole plan. A
 * well-formed code the registry lacks still resolves (registered: false), its district taken from
 * the code's region code.
 */
export async function enterpriseReference(ctx: UnitsContext, code: string): Promise<EnterpriseView | null> {
  const scope = await ctx.access.enterpriseScope();
  const row = (await ctx.loaders.enterpriseByCode.load(code)) ?? (await unregistered(ctx, normalizeCreditCode(code)));
  return row && canSeeEnterprise(scope, row) ? row : null;
}

export async function enterprises(ctx: UnitsContext, { filter: given }: QueryEnterprisesArgs, page: PageArgs) {
  const scope = await readableScope(ctx);
  const filter = parseInput(enterpriseFilter, given ?? {});
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
  if (scope.kind === 'self') {
    const own = await ctx.loaders.enterpriseByCode.load(scope.creditCode);
    const rows = own && (!after || own.creditCode > after) ? [own] : [];
    return {
      ...toConnection(
        rows,
        size,
        (row) => [row.creditCode],
        async () => (own ? 1 : 0),
        after !== null,
      ),
      totalCountIsEstimate: false,
    };
  }
  const query = { ...filter, onlyDistrict: scope.kind === 'district' ? scope.districtCode : null };
  // Counted beside the page when the operation asks for totalCount; once for totalCount and its flag.
  let tally: Promise<EnterpriseTally> | undefined;
  const tallied = () => (tally ??= enterpriseStore.tally(ctx.db, query));
  if (page.counted) tallied().catch(() => {});
  const rows = await enterpriseStore.page(ctx.db, query, size + 1, after);
  return {
    ...toConnection(
      rows,
      size,
      (row) => [row.creditCode],
      async () => (await tallied()).count,
      after !== null,
    ),
    totalCountIsEstimate: async () => (await tallied()).estimate,
  };
}

/** Credit codes (and names) only, in pages of ENTERPRISE_CODE_PAGE: the bulk path of other slices (policy notices, automatic grants). */
export async function enterpriseCodes(ctx: UnitsContext, { filter: given, after: cursor }: QueryEnterpriseCodesArgs) {
  const scope = await readableScope(ctx);
  // Deregistered and revoked entities get no notices or grants unless the caller asks for them.
  const parsed = parseInput(enterpriseFilter, given ?? {});
  const filter = { ...parsed, statuses: parsed.statuses ?? (['ACTIVE'] as const satisfies EnterpriseRow['status'][]) };
  const after = cursor ? String(decodeCursor(cursor, 1)[0]) : null;
  const answer = (rows: { code: string; name: string }[], hasNextPage: boolean) => ({
    codes: rows.map((row) => row.code),
    names: rows.map((row) => row.name),
    hasNextPage,
    endCursor: rows.length ? encodeCursor([rows[rows.length - 1]?.code]) : null,
  });
  if (scope.kind === 'self') {
    const rows =
      after && after >= scope.creditCode
        ? []
        : await enterpriseStore.named(ctx.db, { ...filter, onlyCreditCode: scope.creditCode }, 1, null);
    return answer(rows, false);
  }
  const query = { ...filter, onlyDistrict: scope.kind === 'district' ? scope.districtCode : null };
  const rows = await enterpriseStore.named(ctx.db, query, ENTERPRISE_CODE_PAGE + 1, after);
  return answer(rows.slice(0, ENTERPRISE_CODE_PAGE), rows.length > ENTERPRISE_CODE_PAGE);
}

/**
 * `upsertEnterprise`: registers an entity or changes its profile. Omitted profile fields keep what
 * the registry already says; sample rows become real the moment the registry owner confirms them.
 * With `expectedVersion` the entity must exist (NOT_FOUND otherwise) at that version (CONFLICT).
 */
export async function upsertEnterprise(ctx: UnitsContext, { input: given }: MutationUpsertEnterpriseArgs): Promise<EnterpriseRow> {
  await ctx.access.assert('WRITE_ENTERPRISE');
  const input = parseInput(upsertEnterpriseInput(beijingDate(ctx.now())), given);
  await requireDistrict(ctx, input.districtCode, 'districtCode');
  if (!(await ctx.loaders.industryByCode.load(input.industryCode.slice(0, 1)))) {
    throw errors.badInput('industryCode', {
      zh: '行业代码须符合 GB/T 4754-2017，如 C、C13 或 C131',
      en: 'The industry code must follow GB/T 4754-2017, e.g. C, C13 or C131',
    });
  }
  const { expectedVersion, registeredOn, qualifications, ...profile } = input;
  const valuesOver = (current: EnterpriseRow | null) => ({
    ...profile,
    registeredOn: registeredOn === undefined ? (current?.registeredOn ?? null) : registeredOn,
    qualifications: qualifications ?? current?.qualifications ?? [],
  });
  const authorize = () => ctx.access.assert('WRITE_ENTERPRISE');
  return changeRow(ctx.db, enterpriseRow, {
    key: input.creditCode,
    expectedVersion,
    authorize,
    write: (tx, current) => enterpriseStore.update(tx, input.creditCode, { ...valuesOver(current), sample: false }),
    record: (tx, current, row) =>
      recordChange(ctx, tx, { entity: 'enterprise', key: row.creditCode, action: 'update', before: current, after: row }),
    orCreate: {
      authorize,
      write: (tx) => enterpriseStore.insert(tx, valuesOver(null)),
      exists: { zh: '该市场主体刚被他人登记，请重试', en: 'Someone registered this entity meanwhile; retry' },
      record: (tx, row) => recordChange(ctx, tx, { entity: 'enterprise', key: row.creditCode, action: 'create', before: null, after: row }),
    },
  });
}
