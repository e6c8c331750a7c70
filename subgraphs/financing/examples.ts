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
];
