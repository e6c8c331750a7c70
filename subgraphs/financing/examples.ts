import { beijingDate } from '../../platform/calendar.ts';
import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Sample ids (sample-data.ts, sample-demands.ts: name-based, the same in every fresh sample load). */
const PSBC = '0a0ebb22-503b-5ed3-bdad-bc4fd63c6b5e'; // 中国邮政储蓄银行青岛分行（样例）
const PSBC_HUANGDAO = '4017c8f0-24c0-560e-83cf-2c9e7a69efef'; // its 黄岛区支行
const QRCB = '9b0b19af-9edb-5d0d-bef7-e511c74fa54b'; // 青岛农商银行（样例）
const DEMAND = {
  /** Open, routed to 邮储 among others. */
  open: '92f429ff-0768-5e90-9738-4c0ada938526',
  /** Claimed by 邮储's 黄岛区支行. */
  claimedHuangdao: 'bd396d33-30ba-5a83-90b7-a83965e11a0f',
  /** Claimed by 邮储 (¥600,000 asked). */
  claimedJiaozhou: '13a2fb43-833e-5a33-aa90-81be946962d1',
  /** Approved by 邮储 (¥600,000), of 91370214T0E78RBXFM. */
  approved: '503b4dba-56c1-5bef-ace3-d3680bf80696',
  /** Claimed by 青岛农商银行. */
  claimedByQrcb: '2d5875fe-1b40-5eda-8364-ad8228b2f3c0',
};
const PSBC_TOKEN = `npm run token -- --role FINANCIAL_INSTITUTION --institution ${PSBC}`;
const DEMAND_FIELDS = /* GraphQL */ `
          id
          status
          version
          institution {
            name
          }
          branch {
            name
          }
          currentLimit {
            kind
            dueAt
            state
          }
`;

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
  {
    name: '金融机构：抢单 / Institution: claim a demand (抢单)',
    description: `需要令牌：${PSBC_TOKEN}（中国邮政储蓄银行青岛分行，样例）。在样例数据上第一次运行时抢到；再运行（或别家已抢）：CONFLICT“已被其他金融机构承接” / the first run on fresh sample data wins the demand; again (or once another holds it): CONFLICT`,
    query: /* GraphQL */ `
      mutation ClaimDemand($id: ID!) {
        claimFinancingDemand(id: $id) {
          ${DEMAND_FIELDS}
          enterpriseName
          contact
          limits {
            kind
            state
            dueAt
          }
        }
      }
    `,
    variables: { id: DEMAND.open },
  },
  {
    name: '网点：记录已联系企业 / Branch: record the contact with the enterprise',
    description: `需要令牌：${PSBC_TOKEN} --branch ${PSBC_HUANGDAO}（邮储黄岛区支行，样例；持有该需求的网点）。只能记录一次：再运行为 INVALID_TRANSITION / once only: a rerun is INVALID_TRANSITION`,
    query: /* GraphQL */ `
      mutation RecordContact($id: ID!, $note: String!) {
        recordFinancingContact(id: $id, note: $note) {
          ${DEMAND_FIELDS}
        }
      }
    `,
    variables: { id: DEMAND.claimedHuangdao, note: '已电话联系企业财务负责人，约定上门收集材料' },
  },
  {
    name: '金融机构：授信（审批通过） / Institution: approve (授信)',
    description: `需要令牌：${PSBC_TOKEN}。授信金额不超过企业所需；在样例数据上运行一次 / up to the amount asked; once on fresh sample data`,
    query: /* GraphQL */ `
      mutation Approve($id: ID!, $amount: Float!, $note: String) {
        approveFinancing(id: $id, amount: $amount, note: $note) {
          ${DEMAND_FIELDS}
          approvedAmount
          events {
            kind
            at
          }
        }
      }
    `,
    variables: { id: DEMAND.claimedJiaozhou, amount: 500000, note: '纯信用，依据平台信用报告审批' },
  },
  {
    name: '金融机构：放款 / Institution: record the disbursement (放款)',
    description: `需要令牌：${PSBC_TOKEN}。部分放款是常态（授信 60 万，放款 29 万）；贷款编号在本机构内唯一；在样例数据上运行一次，之后企业可确认到账、评价 / partial amounts are normal; once on fresh sample data — then the enterprise confirms and rates`,
    query: /* GraphQL */ `
      mutation Disburse($id: ID!, $input: LoanDisbursementInput!) {
        recordLoanDisbursement(id: $id, input: $input) {
          ${DEMAND_FIELDS}
          loan {
            amount
            disbursedOn
            ratePercent
            termMonths
            pureCredit
            firstLoan
            loanRef
          }
        }
      }
    `,
    get variables() {
      return {
        id: DEMAND.approved,
        input: {
          amount: 290000,
          // Today (the process's day): the date must fall between the hold's day and today.
          disbursedOn: beijingDate(new Date()),
          ratePercent: 3.45,
          termMonths: 12,
          guaranteeMode: 'PURE_CREDIT',
          loanRef: 'PSBC-QD-EXAMPLE-0001',
        },
      };
    },
  },
  {
    name: '金融机构：不予授信 / Institution: decline',
    description: `需要令牌：npm run token -- --role FINANCIAL_INSTITUTION --institution ${QRCB}（青岛农商银行，样例）。须给出原因代码和说明；在样例数据上运行一次 / a reason code and its words; once on fresh sample data`,
    query: /* GraphQL */ `
      mutation Decline($id: ID!, $reasonCode: FinancingDeclineReason!, $reason: String!) {
        declineFinancing(id: $id, reasonCode: $reasonCode, reason: $reason) {
          ${DEMAND_FIELDS}
          declineReason
          declineText
        }
      }
    `,
    variables: { id: DEMAND.claimedByQrcb, reasonCode: 'INSUFFICIENT_GUARANTEE', reason: '近两年经营流水不足，需补充担保' },
  },
  {
    name: '企业：确认到账 / Enterprise: confirm the money arrived',
    description:
      '需要令牌：npm run token -- --role ENTERPRISE --enterprise 91370214T0E78RBXFM。先运行“金融机构：放款”（该企业的需求）；只能确认一次 / run "Institution: record the disbursement" first (this enterprise\'s demand); once only',
    query: /* GraphQL */ `
      mutation ConfirmReceived($id: ID!) {
        confirmLoanReceived(id: $id) {
          id
          status
          loan {
            amount
            receivedAt
          }
        }
      }
    `,
    variables: { id: DEMAND.approved },
  },
  {
    name: '企业：评价金融机构（好差评） / Enterprise: rate the institution',
    description:
      '需要令牌：npm run token -- --role ENTERPRISE --enterprise 91370214T0E78RBXFM。放款或拒绝后可评价一次；先运行“金融机构：放款” / once, after the loan or the decline; run "Institution: record the disbursement" first',
    query: /* GraphQL */ `
      mutation Rate($id: ID!, $rating: FinancingRating!, $comment: String) {
        rateFinancialInstitution(id: $id, rating: $rating, comment: $comment) {
          id
          status
          rating
        }
      }
    `,
    variables: { id: DEMAND.approved, rating: 'VERY_SATISFIED', comment: '无需抵押，三天到账' },
  },
  {
    name: '监管局：修改融资时限 / Regulator: set the time limits',
    description:
      '需要令牌：npm run token -- --role UNIT_STAFF --unit LOCAL_FINANCIAL_REGULATION_BUREAU。追加一条设置，之后开始的时限按新设置计算，进行中的不变（此处为默认值）/ appended: limits started afterwards use it, running ones keep theirs (the defaults here)',
    query: /* GraphQL */ `
      mutation SetLimits($input: FinancingLimitsInput!) {
        setFinancingLimits(input: $input) {
          claimWorkingDays
          contactWorkingDays
          decisionWorkingDays
          since
        }
      }
    `,
    variables: { input: { claimWorkingDays: 2, contactWorkingDays: 1, decisionWorkingDays: 10 } },
  },
  {
    name: '监管局：临近和超过时限的需求 / Regulator: limits near or past due',
    description: '需要令牌：npm run token -- --role UNIT_STAFF --unit LOCAL_FINANCIAL_REGULATION_BUREAU',
    query: /* GraphQL */ `
      query LimitAlerts {
        financingLimitAlerts(first: 20) {
          totalCount
          edges {
            node {
              limit {
                kind
                state
                dueAt
                institution {
                  name
                }
              }
              demand {
                id
                enterpriseName
                status
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '监管局：融资统计（全市、各机构、网点、区市、产品类别） / Regulator: financing figures',
    description:
      '需要令牌：npm run token -- --role UNIT_STAFF --unit LOCAL_FINANCIAL_REGULATION_BUREAU。不给 period 为全部时间 / without a period: all time',
    query: /* GraphQL */ `
      query FinancingStats($period: PeriodInput) {
        financingStats(period: $period) {
          city {
            posted
            claimed
            disbursed
            amountAsked
            amountLent
            firstLoans
            pureCreditLoans
            medianHoursToClaim
            medianWorkingDaysToDecision
            pastLimit
            averageRatePercent
            averageRating
          }
          institutions {
            name
            figures {
              claimed
              disbursed
              amountLent
              pastLimit
              averageRating
            }
          }
          districts {
            name
            figures {
              posted
              amountLent
            }
          }
          categories {
            name
            figures {
              posted
              disbursed
            }
          }
        }
      }
    `,
  },
];
