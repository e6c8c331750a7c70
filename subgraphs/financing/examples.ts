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
  {
    name: '企业：发布融资需求，一键直达 / Enterprise: post a financing demand, routed at once',
    description:
      '需要令牌：npm run token -- --role ENTERPRISE --enterprise 91370202RPUQ7RBXF2。同一 clientRequestId 重试只算一条 / a retry with the same clientRequestId is one demand',
    query: /* GraphQL */ `
      mutation PostFinancingDemand($input: PostFinancingDemandInput!) {
        postFinancingDemand(input: $input) {
          id
          status
          routedCount
          routedTo {
            name
          }
          currentLimit {
            kind
            dueAt
            state
          }
        }
      }
    `,
    variables: {
      input: {
        creditCode: '91370202RPUQ7RBXF2',
        amount: 500000,
        termMonths: 12,
        purpose: '采购原材料',
        guaranteeOffered: 'PURE_CREDIT',
        firstLoan: true,
        contact: '张经理 13800000000',
        creditReportConsent: true,
        clientRequestId: 'explorer-example-1',
      },
    },
  },
  {
    name: '企业：我的融资需求 / Enterprise: my financing demands',
    description: '需要令牌：npm run token -- --role ENTERPRISE --enterprise 91370202RPUQ7RBXF2',
    query: /* GraphQL */ `
      query MyFinancingDemands {
        financingDemands(first: 10) {
          totalCount
          edges {
            node {
              id
              amount
              status
              heldBy
              institution {
                name
              }
              loan {
                amount
                ratePercent
                receivedAt
              }
              events {
                kind
                at
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '网点：推送给本网点的需求（抢单前不显示企业） / Branch: demands routed to it (no enterprise before the claim)',
    description:
      '需要令牌：npm run token -- --role FINANCIAL_INSTITUTION --institution 9b0b19af-9edb-5d0d-bef7-e511c74fa54b --branch 7e9f5e49-7531-56d0-a80f-9aac73601bc8（青岛农商银行市南区支行，样例）',
    query: /* GraphQL */ `
      query RoutedToMyBranch {
        financingDemands(filter: { status: [OPEN] }, first: 10) {
          totalCount
          edges {
            node {
              id
              enterpriseName
              industryCode
              district {
                code
              }
              sizeClass
              amount
              termMonths
              purpose
              currentLimit {
                dueAt
                state
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '监管局：超过抢单时限、待派单的需求 / Regulator: demands past the claim limit, waiting for dispatch',
    description: '需要令牌：npm run token -- --role UNIT_STAFF --unit LOCAL_FINANCIAL_REGULATION_BUREAU',
    query: /* GraphQL */ `
      query AwaitingDispatch {
        financingDemands(filter: { awaitingDispatch: true }, first: 20) {
          totalCount
          edges {
            node {
              id
              enterpriseName
              amount
              postedAt
              routedTo {
                name
              }
              currentLimit {
                kind
                dueAt
                state
              }
            }
          }
        }
      }
    `,
  },
];
