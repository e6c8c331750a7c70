import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the policies subgraph (a test runs each one on the sample data). */
export const policiesExamples: ExplorerExample[] = [
  {
    name: '公开：搜索政策 / Public: search policies',
    description: '无需令牌 / no token needed',
    query: /* GraphQL */ `
      query SearchPolicies {
        policies(filter: { text: "高新技术企业" }, first: 10) {
          totalCount
          edges {
            node {
              id
              title
              documentNumber
              issuedOn
              status
              match {
                tier
                title {
                  html
                }
                snippet {
                  html
                }
              }
            }
          }
        }
        policyItems(filter: { text: "研发", openNow: true }, first: 10) {
          edges {
            node {
              name
              kind
              amount {
                kind
                amount
                rate
                base
              }
              automatic
              match {
                snippet {
                  html
                }
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '企业：政策计算器与推送 / Enterprise: matches and notices',
    description: '令牌：npm run token -- --role ENTERPRISE --enterprise 91370202RPUQ7RBXF2',
    query: /* GraphQL */ `
      query MyPolicies {
        policyMatches(creditCode: "91370202RPUQ7RBXF2", first: 20) {
          edges {
            node {
              eligible
              missing
              item {
                name
                automatic
              }
              criteria {
                criterion
                met
                reason
              }
            }
          }
        }
        applications(first: 10) {
          edges {
            node {
              number
              status
              item {
                name
              }
              submittedAt
              reviewDueAt
              overdue
              late
              steps {
                action
                at
                workingDays
                limits {
                  limit
                  dueAt
                  late
                }
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '审核单位：待办与超期 / Reviewing unit: work and overdue',
    description: '令牌：npm run token -- --role UNIT_STAFF --unit SCIENCE_TECHNOLOGY_BUREAU',
    query: /* GraphQL */ `
      query ReviewWork {
        applications(filter: { status: [SUBMITTED, RESUBMITTED, UNDER_REVIEW] }, first: 20) {
          totalCount
          edges {
            node {
              id
              number
              status
              item {
                name
              }
              requestedAmount
              reviewDueAt
              overdue
            }
          }
        }
        overdue: applications(filter: { overdue: true }, first: 20) {
          totalCount
          edges {
            node {
              number
              status
              reviewDueAt
              paymentDueAt
            }
          }
        }
        paidLate: applications(filter: { status: [DISBURSED] }, first: 20) {
          edges {
            node {
              number
              late
              disbursement {
                paidOn
                late
              }
              steps {
                action
                limits {
                  limit
                  dueAt
                  judgedAt
                  late
                  provisional
                }
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '审核单位：公示异议与重复、恶意标记 / Reviewing unit: objections and their marks',
    description:
      '令牌：npm run token -- --role UNIT_STAFF --unit SCIENCE_TECHNOLOGY_BUREAU。批量标记 / to mark in bulk: ' +
      'mutation { markObjections(applicationId: "…", input: { objectionIds: ["…"], kind: DUPLICATE, duplicateOf: "…", reason: "内容重复" }) { id mark { kind reason markedAt } } }',
    query: /* GraphQL */ `
      query Objections {
        applications(filter: { status: [PUBLIC_NOTICE] }, first: 20) {
          edges {
            node {
              id
              number
              item {
                name
              }
              publicNotice {
                endsOn
                running
              }
              objections {
                id
                text
                filedAt
                answer
                mark {
                  kind
                  duplicateOf
                  reason
                  unit {
                    id
                  }
                  markedAt
                }
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '公开：公示名单 / Public: grants in public notice',
    description: '无需令牌 / no token needed',
    query: /* GraphQL */ `
      query Notices {
        publicNotices(first: 20) {
          totalCount
          edges {
            node {
              applicationId
              number
              amount
              item {
                name
              }
              period {
                startsAt
                endsOn
                running
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '市指挥部办公室：惠企政策统计 / Command office: policy figures',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `
      query PolicyFigures {
        policyStats {
          itemsPublished
          applicationsReceived
          automaticGrants
          approved
          refused
          disbursedCount
          disbursedAmount
          medianDisbursementWorkingDays
          p90DisbursementWorkingDays
          pastLimits
          lateReviews
          latePayments
          lateObjectionAnswers
          reviews {
            count
            averageScore
            satisfactionRate
          }
        }
      }
    `,
  },
];
