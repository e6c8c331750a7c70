/**
 * The Enterprise entity (the units slice owns it) gains its financing here, by federation:
 * `Enterprise.financingDemands` and `Enterprise.loans`, so another slice (a future 贴息 policy item)
 * reads them in the same request. The enterprise itself, the regulator and the command office see
 * them; anyone else gets null (never a refusal: the enterprise's other fields still answer).
 */
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import type { FinancingContext } from '../context.ts';
import { demandStore, type EnterpriseReference, type LoanRow } from '../store.ts';

export async function enterpriseDemands(ctx: FinancingContext, enterprise: EnterpriseReference, page: PageArgs) {
  if (!(await ctx.access.canReadEnterprise('READ_ENTERPRISE_FINANCING', enterprise.creditCode))) return null;
  const query = { scope: { kind: 'ENTERPRISE' as const, creditCode: enterprise.creditCode } };
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const count = countBeside(page.counted, () => demandStore.count(ctx.db, query, exactCountLimit(ctx)));
  const rows = await demandStore.page(ctx.db, query, size + 1, after);
  return toConnection(rows, size, (row) => [row.postedAt.toISOString(), row.id], count, after !== null);
}

/** Its loans, latest disbursed first. */
export async function enterpriseLoans(ctx: FinancingContext, enterprise: EnterpriseReference): Promise<LoanRow[] | null> {
  if (!(await ctx.access.canReadEnterprise('READ_ENTERPRISE_FINANCING', enterprise.creditCode))) return null;
  return ctx.loaders.loansByEnterprise.load(enterprise.creditCode);
}
