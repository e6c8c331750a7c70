/**
 * 一键直达, without I/O: which institutions a demand goes to, and the category it is counted under.
 * - The enterprise named products: the institutions of those products (active ones, on offer).
 * - It named none: every institution with an active product that fits — the amount and the term in
 *   the product's ranges, the enterprise's district served, and every eligibility criterion met.
 * Each institution gets the demand once, with its branch in the enterprise's district (the first by
 * name, if it has one there): that branch sees it; the institution's own staff see all of theirs.
 */
import { judge, type EnterpriseProfile } from './eligibility.ts';
import type { BranchRow, DemandRow, ProductRow } from './store.ts';

export interface DemandAsk {
  amount: number;
  termMonths: number;
  guaranteeOffered: DemandRow['guaranteeOffered'];
  firstLoan: boolean;
  source: DemandRow['source'];
}

/** Whether a product fits a demand: amount, term, district, eligibility. */
export function fits(product: ProductRow, ask: DemandAsk, profile: EnterpriseProfile, today: string): boolean {
  return (
    product.amountMin <= ask.amount &&
    ask.amount <= product.amountMax &&
    product.termMin <= ask.termMonths &&
    ask.termMonths <= product.termMax &&
    product.districtCodes.includes(profile.districtCode) &&
    judge(product.eligibility, profile, today).every((result) => result.met)
  );
}

export interface Route {
  institutionId: string;
  branchId: string | null;
}

/** The routes of a demand: the institutions of `products` (already chosen: fitting or named), each once, with its branch in the district. */
export function routesFor(products: ProductRow[], branches: BranchRow[], districtCode: string): Route[] {
  const institutions = [...new Set(products.map((product) => product.institutionId))].sort();
  return institutions.map((institutionId) => {
    const local = branches
      .filter((branch) => branch.institutionId === institutionId && branch.districtCode === districtCode && branch.suspendedAt === null)
      .sort((a, b) => a.name.localeCompare(b.name, 'zh'));
    return { institutionId, branchId: local[0]?.id ?? null };
  });
}

/**
 * The product category a demand is counted under in the figures: the first named product's; else
 * as the demand reads — 金农通 is agricultural, a first loan is 首贷, else by the guarantee offered.
 */
export function categoryOf(ask: DemandAsk, named: ProductRow[]): ProductRow['category'] {
  const first = named[0];
  if (first) return first.category;
  if (ask.source === 'JINNONGTONG') return 'AGRICULTURE';
  if (ask.firstLoan) return 'FIRST_LOAN';
  switch (ask.guaranteeOffered) {
    case 'MORTGAGE':
      return 'MORTGAGE';
    case 'GUARANTEE':
      return 'GUARANTEED';
    case 'PLEDGE':
      return 'IP_PLEDGE';
    default:
      return 'CREDIT';
  }
}
