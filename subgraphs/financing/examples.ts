import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the financing subgraph (a test runs each one). */
export const financingExamples: ExplorerExample[] = [
  {
    name: '金融机构名录 / Financial institutions',
    description: '公开：在用的金融机构及其网点 / public: the active institutions and their branches',
    query: /* GraphQL */ `
      query FinancialInstitutions($after: String) {
        financialInstitutions(filter: { kind: BANK }, first: 10, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              name
              kind
              districts {
                code
              }
              branches {
                name
                district {
                  code
                }
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '监管局：含已暂停的金融机构 / Regulator: suspended institutions too',
    description: '需要令牌：npm run token -- --role UNIT_STAFF --unit LOCAL_FINANCIAL_REGULATION_BUREAU',
    query: /* GraphQL */ `
      query SuspendedToo {
        financialInstitutions(filter: { includeSuspended: true }, first: 5) {
          totalCount
          edges {
            node {
              name
              suspended
              version
            }
          }
        }
      }
    `,
  },
  {
    name: '金融产品超市 / Product supermarket',
    description:
      '公开：按类别、关键词、金额、期限、区（市）找在售的产品 / public: products on offer by category, text, amount, term and district',
    query: /* GraphQL */ `
      query FinancialProducts($after: String) {
        loanPrimeRate {
          publishedOn
          oneYearBp
          fiveYearBp
        }
        financialProducts(
          filter: { category: CREDIT, text: "信用贷款", amount: 500000, termMonths: 12, districtCode: "370202" }
          first: 10
          after: $after
        ) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              name
              category
              institution {
                name
              }
              amountMin
              amountMax
              termMinMonths
              termMaxMonths
              rate {
                lprTenor
                spreadMinBp
                spreadMaxBp
                minPercent
                maxPercent
              }
              guaranteeMode
              eligibility {
                sizeClasses
                qualifications
                minYearsRegistered
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '企业：我可申请的产品 / Enterprise: the products I am eligible for',
    description: '需要令牌：npm run token -- --role ENTERPRISE --enterprise 91370202RPUQ7RBXF2',
    query: /* GraphQL */ `
      query MyProducts {
        productMatches(creditCode: "91370202RPUQ7RBXF2") {
          product {
            name
            category
            institution {
              name
            }
            rate {
              minPercent
              maxPercent
            }
          }
          criteria {
            criterion
            met
            reason
            reasonEn
          }
        }
      }
    `,
  },
  {
    name: '监管局：含已暂停的产品 / Regulator: suspended products too',
    description: '需要令牌：npm run token -- --role UNIT_STAFF --unit LOCAL_FINANCIAL_REGULATION_BUREAU',
    query: /* GraphQL */ `
      query SuspendedProducts {
        financialProducts(filter: { includeSuspended: true }, first: 10) {
          totalCount
          edges {
            node {
              name
              status
              version
              updatedAt
              institution {
                name
              }
            }
          }
        }
      }
    `,
  },
];
