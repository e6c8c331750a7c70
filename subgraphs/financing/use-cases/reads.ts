/**
 * Reading the network: the active institutions and branches are public; suspended ones only the
 * regulator and the command office see (others find them missing, never refused).
 */
import { errors } from '../../../platform/errors.ts';
import { isUuid, parseInput } from '../../../platform/input.ts';
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { FinancingContext } from '../context.ts';
import { institutionFilter } from '../input.ts';
import type { QueryFinancialInstitutionArgs, QueryFinancialInstitutionsArgs } from '../schema-types.ts';
import { institutionStore, type BranchRow, type CreditReportRow, type DemandRow, type InstitutionRow } from '../store.ts';

export async function financialInstitutions(ctx: FinancingContext, { filter }: QueryFinancialInstitutionsArgs, page: PageArgs) {
  const given = parseInput(institutionFilter, filter ?? {}, 'filter');
  if (given.includeSuspended && !(await ctx.access.canSeeSuspended())) {
    throw errors.forbidden({
      zh: '只有市地方金融监管局和市指挥部办公室可查看已暂停的金融机构',
      en: 'Only the regulator and the command office see suspended institutions',
    });
  }
  const query = { kind: given.kind, districtCode: given.districtCode, includeSuspended: given.includeSuspended ?? false };
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const count = countBeside(page.counted, () => institutionStore.count(ctx.db, query, exactCountLimit(ctx)));
  const rows = await institutionStore.page(ctx.db, query, size + 1, after);
  return toConnection(rows, size, (row) => [row.createdAt.toISOString(), row.id], count, after !== null);
}

/** One institution; null for an unknown id and for a suspended one the caller may not see. */
export async function financialInstitution(ctx: FinancingContext, { id }: QueryFinancialInstitutionArgs): Promise<InstitutionRow | null> {
  if (!isUuid(id)) return null;
  const row = await ctx.loaders.institutionById.load(id.toLowerCase());
  return row && (await ctx.access.canSee(row)) ? row : null;
}

/** The institution of a branch or a product (visible to whoever sees them). */
export async function institutionOf(ctx: FinancingContext, of: Pick<BranchRow, 'institutionId'>): Promise<InstitutionRow> {
  const row = await ctx.loaders.institutionById.load(of.institutionId);
  if (!row) throw errors.internal();
  return row;
}

/** An institution's branches the caller may see. */
export async function branchesOf(ctx: FinancingContext, institution: InstitutionRow): Promise<BranchRow[]> {
  const rows = await ctx.loaders.branchesByInstitution.load(institution.id);
  return (await ctx.access.canSeeSuspended()) ? rows : rows.filter((row) => row.suspendedAt === null);
}

/** The branch a read or a step names, if any. */
export async function branchOf(ctx: FinancingContext, of: { branchId: string | null }): Promise<BranchRow | null> {
  return of.branchId ? ((await ctx.loaders.branchById.load(of.branchId)) ?? null) : null;
}

/** The demand a report is of (its reader holds it). */
export async function demandOfReport(ctx: FinancingContext, report: Pick<CreditReportRow, 'demandId'>): Promise<DemandRow> {
  const row = await ctx.loaders.demandById.load(report.demandId);
  if (!row) throw errors.internal();
  return row;
}
