/**
 * 金融产品超市: the regulator and an institution's own staff add and edit its products (suspending
 * and resuming them too), versioned and recorded in the change log in the same transaction; anyone
 * browses the products on offer; an enterprise (or the regulator, or the command office for it) sees
 * those it is eligible for, with the reason for each criterion. The enterprise's profile is asked of
 * the units slice before anything else, never inside a transaction.
 */
import { changeRow, createRow } from '../../../platform/change.ts';
import { beijingDate } from '../../../platform/calendar.ts';
import { errors, type Bilingual } from '../../../platform/errors.ts';
import { creditCode, isUuid, parseInput, uuid } from '../../../platform/input.ts';
import { countBeside, exactCountLimit, decodeInstantCursor, pageSize, toConnection, type PageArgs } from '../../../platform/pagination.ts';
import { parseSearch, searchVocabulary, tsvectorOf } from '../../../platform/search-text.ts';
import vocabularyData from '../../../db/reference/search-vocabulary.json' with { type: 'json' };
import { sqlState, SqlState } from '../../../db/client.ts';
import type { FinancingContext } from '../context.ts';
import { judge, type ProductMatch } from '../eligibility.ts';
import { createProductInput, productFilter, productRanges, updateProductInput } from '../input.ts';
import { INSTITUTION, PRODUCT, productRow, recordChange } from '../rows.ts';
import type {
  MutationCreateFinancialProductArgs,
  MutationUpdateFinancialProductArgs,
  QueryFinancialProductArgs,
  QueryFinancialProductsArgs,
  QueryProductMatchesArgs,
} from '../schema-types.ts';
import { institutionStore, productStore, type ProductRow } from '../store.ts';

const vocabulary = searchVocabulary(vocabularyData);

const productTaken: Bilingual = { zh: '该金融机构已有同名产品', en: 'The institution has a product of that name already' };

const uniqueConflict = (error: unknown): never => {
  if (sqlState(error) === SqlState.UNIQUE_VIOLATION) throw errors.conflict(productTaken);
  throw error;
};

/** The ranges, each lower bound at most its upper one (BAD_USER_INPUT otherwise). */
function checkRanges(p: Pick<ProductRow, 'amountMin' | 'amountMax' | 'termMin' | 'termMax' | 'spreadMinBp' | 'spreadMaxBp'>) {
  parseInput(productRanges, p, 'input');
}

/** `createFinancialProduct`: the regulator, or the institution's own staff; the institution must be active. */
export async function createFinancialProduct(ctx: FinancingContext, { input }: MutationCreateFinancialProductArgs): Promise<ProductRow> {
  const institutionId = parseInput(uuid(INSTITUTION), input.institutionId, 'institutionId');
  await ctx.access.assertProduct('CREATE_PRODUCT', institutionId);
  const given = parseInput(createProductInput, input);
  const { termMinMonths, termMaxMonths, eligibility, ...rest } = given;
  const values = { ...rest, termMin: termMinMonths, termMax: termMaxMonths };
  checkRanges(values);
  return createRow(ctx.db, productRow, {
    async authorize(tx) {
      const institution = await institutionStore.lock(tx, institutionId);
      if (!institution) throw errors.notFound(INSTITUTION, institutionId);
      await ctx.access.assertProduct('CREATE_PRODUCT', institutionId, { kind: 'institution', row: institution });
    },
    write: (tx) =>
      productStore.insert(tx, {
        ...values,
        eligibility: eligibility ?? {
          industryPrefixes: [],
          sizeClasses: [],
          districtCodes: [],
          minYears: null,
          maxYears: null,
          qualifications: [],
          qualificationMatch: 'ANY',
        },
        terms: tsvectorOf(values.name, values.description),
        createdAt: ctx.now(),
        updatedAt: ctx.now(),
      }),
    exists: productTaken,
    record: (tx, row) => recordChange(ctx, tx, { entity: 'product', key: row.id, action: 'create', before: null, after: row }),
  }).catch(uniqueConflict);
}

/** `updateFinancialProduct`: the regulator, or the institution's own staff; omitted fields stay; `status` suspends or resumes it. */
export async function updateFinancialProduct(
  ctx: FinancingContext,
  { id, input }: MutationUpdateFinancialProductArgs,
): Promise<ProductRow> {
  const key = parseInput(uuid(PRODUCT), id, 'id');
  const given = parseInput(updateProductInput, input);
  return changeRow(ctx.db, productRow, {
    key,
    expectedVersion: given.expectedVersion,
    authorize: (current) => ctx.access.assertProduct('UPDATE_PRODUCT', current.institutionId, { kind: 'product', row: current }),
    write(tx, current) {
      const next = {
        name: given.name ?? current.name,
        category: given.category ?? current.category,
        description: given.description ?? current.description,
        amountMin: given.amountMin ?? current.amountMin,
        amountMax: given.amountMax ?? current.amountMax,
        termMin: given.termMinMonths ?? current.termMin,
        termMax: given.termMaxMonths ?? current.termMax,
        lprTenor: given.lprTenor ?? current.lprTenor,
        spreadMinBp: given.spreadMinBp ?? current.spreadMinBp,
        spreadMaxBp: given.spreadMaxBp ?? current.spreadMaxBp,
        guaranteeMode: given.guaranteeMode ?? current.guaranteeMode,
        districtCodes: given.districtCodes ?? current.districtCodes,
        eligibility: given.eligibility ?? current.eligibility,
        status: given.status ?? current.status,
      };
      checkRanges(next);
      return productStore.update(tx, key, current.version, { ...next, terms: tsvectorOf(next.name, next.description) });
    },
    record: (tx, before, after) => recordChange(ctx, tx, { entity: 'product', key, action: 'update', before, after }),
  }).catch(uniqueConflict);
}

/** `financialProducts`: the products on offer; suspended ones for the regulator, the command office, and an institution its own. */
export async function financialProducts(ctx: FinancingContext, { filter }: QueryFinancialProductsArgs, page: PageArgs) {
  const given = parseInput(productFilter, filter ?? {}, 'filter');
  if (given.includeSuspended) {
    const allowed = given.institutionId
      ? await ctx.access.canProduct('READ_SUSPENDED_PRODUCTS', given.institutionId)
      : await ctx.access.can('READ_SUSPENDED');
    if (!allowed) {
      throw errors.forbidden({
        zh: '只有市地方金融监管局、市指挥部办公室和产品所属金融机构可查看已暂停的产品',
        en: "Only the regulator, the command office and the product's own institution see suspended products",
      });
    }
  }
  const text = given.text ? parseSearch(given.text, vocabulary) : null;
  if (given.text && !text)
    throw errors.badInput('filter.text', {
      zh: '搜索词须包含汉字、字母或数字',
      en: 'The search text needs letters, digits or Chinese characters',
    });
  const query = { ...given, text, includeSuspended: given.includeSuspended ?? false };
  const size = pageSize(page.first, ctx.maxPageSize);
  const after = page.after ? decodeInstantCursor(page.after, 'uuid') : null;
  const count = countBeside(page.counted, () => productStore.count(ctx.db, query, exactCountLimit(ctx)));
  const rows = await productStore.page(ctx.db, query, size + 1, after);
  return toConnection(rows, size, (row) => [row.createdAt.toISOString(), row.id], count, after !== null);
}

/** One product; null for an unknown id and for a suspended one the caller may not see. */
export async function financialProduct(ctx: FinancingContext, { id }: QueryFinancialProductArgs): Promise<ProductRow | null> {
  if (!isUuid(id)) return null;
  const row = await ctx.loaders.productById.load(id.toLowerCase());
  if (!row) return null;
  if (row.status === 'ACTIVE') return row;
  return (await ctx.access.canProduct('READ_SUSPENDED_PRODUCTS', row.institutionId, row)) ? row : null;
}

/**
 * `productMatches`: the products on offer in the enterprise's district whose every criterion it
 * meets, with the reason for each; the enterprise itself, the regulator, the command office. The
 * profile comes from the units slice, with the caller's token, before anything else is read.
 */
export async function productMatches(ctx: FinancingContext, args: QueryProductMatchesArgs): Promise<ProductMatch[]> {
  const code = parseInput(creditCode, args.creditCode, 'creditCode');
  await ctx.access.assertMatches(code);
  const profile = await ctx.enterprises.profile(code);
  if (!profile) throw errors.notFound({ zh: '企业', en: 'Enterprise' }, code);
  const today = beijingDate(ctx.now());
  const offered = await productStore.offeredIn(ctx.db, profile.districtCode);
  return offered
    .map((product) => ({ product, criteria: judge(product.eligibility, profile, today) }))
    .filter((match) => match.criteria.every((result) => result.met));
}
