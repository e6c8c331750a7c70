/**
 * Today's loan prime rates (贷款市场报价利率), the reference a product's rate is quoted over: the
 * 1-year and over-5-year LPR in basis points with the day they were published, kept as reference
 * data (db/reference/lpr.json) and updated there when the rate is announced again.
 */
import lpr from '../../db/reference/lpr.json' with { type: 'json' };
import type { ProductRow } from './store.ts';

export const loanPrimeRate = { publishedOn: lpr.publishedOn, oneYearBp: lpr.oneYearBp, fiveYearBp: lpr.fiveYearBp, source: lpr.source };

/** A product's rate range, in percent a year at today's LPR. */
export function rateOf(product: Pick<ProductRow, 'lprTenor' | 'spreadMinBp' | 'spreadMaxBp'>) {
  const base = product.lprTenor === 'ONE_YEAR' ? lpr.oneYearBp : lpr.fiveYearBp;
  return {
    lprTenor: product.lprTenor,
    spreadMinBp: product.spreadMinBp,
    spreadMaxBp: product.spreadMaxBp,
    minPercent: (base + product.spreadMinBp) / 100,
    maxPercent: (base + product.spreadMaxBp) / 100,
    lprDate: lpr.publishedOn,
  };
}
