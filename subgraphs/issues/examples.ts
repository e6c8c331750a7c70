import { unitIdForCode } from '../../db/reference/organisation.ts';
import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the issues subgraph. */
export const issuesExamples: ExplorerExample[] = [
  {
    name: '多头反映：待受理的疑似重复 / Duplicate appeals at intake',
    description:
      '令牌：npm run token -- --role COMMAND_OFFICE。每条附理由与分数；合并用 mergeIssue(id: merge.id, intoId: merge.intoId, expectedVersion: merge.expectedVersion)',
    query: /* GraphQL */ `
      query DuplicatesAtIntake {
        intakeDuplicates(first: 10) {
          edges {
            node {
              issue {
                id
                number
                source
                title
                receivedAt
              }
              likelyDuplicates(first: 5) {
                score
                daysApart
                issue {
                  id
                  number
                  source
                  title
                  status
                }
                reasons {
                  kind
                  sharedTerms
                  district {
                    code
                  }
                  enterprise {
                    creditCode
                  }
                }
                merge {
                  id
                  intoId
                  expectedVersion
                }
              }
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    `,
  },
  {
    name: '局长进大厅：本季度未值守单位 / 局长进大厅: who has not served this quarter',
    description: '令牌：npm run token -- --role COMMAND_OFFICE（单位令牌只看本单位）',
    query: /* GraphQL */ `
      query HallDuty {
        hallDuty {
          quarter
          from
          to
          expected
          served
          notServed {
            id
            name
          }
        }
        hallVisits(first: 10) {
          totalCount
          edges {
            node {
              unit {
                name
              }
              leader {
                name
                post
              }
              hall
              servedOn
              handled
              found
              issues {
                number
                source
                title
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '登记单位领导 / Record a unit’s leader',
    description: '令牌：npm run token -- --role UNIT_ADMIN --unit COMMERCE_BUREAU（包保领导、进大厅的主要负责人都引用领导记录）',
    query: /* GraphQL */ `
      mutation RecordLeader($input: RecordUnitLeaderInput!) {
        recordUnitLeader(input: $input) {
          id
          name
          post
          principal
          unit {
            id
          }
        }
      }
    `,
    variables: {
      input: {
        clientRequestId: 'explorer-leader-1',
        unitId: unitIdForCode('COMMERCE_BUREAU'),
        name: '钱副局长',
        post: '副局长',
        principal: false,
      },
    },
  },
  {
    name: '签约未落地项目 / Signed projects not landed, by district and status',
    description: '令牌：npm run token -- --role COMMAND_OFFICE（区(市)令牌只看本区）',
    query: /* GraphQL */ `
      query SignedProjects {
        signedProjectCounts {
          district {
            code
          }
          status
          count
          maxDaysSinceSigning
        }
        signedProjects(filter: { status: [NOT_STARTED, STARTED] }, first: 20) {
          totalCount
          edges {
            node {
              name
              investorCreditCode
              amountWanYuan
              signedOn
              daysSinceSigning
              status
              obstacle
              responsibleUnit {
                name
              }
              leader {
                name
                post
              }
              issues {
                number
                title
                status
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '监测点：本周期未走访 / Monitoring points without a visit this period',
    description: '令牌：npm run token -- --role COMMAND_OFFICE（责任单位令牌只看本单位负责的）',
    query: /* GraphQL */ `
      query UnvisitedPoints {
        monitoringPoints(filter: { unvisitedOnly: true }, first: 20) {
          totalCount
          edges {
            node {
              id
              kind
              name
              enterpriseCreditCode
              frequency
              periodFrom
              periodTo
              lastVisitedOn
              responsibleUnit {
                name
              }
              leader {
                name
                post
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '方案职责报送情况 / Plan duties: who filed, late, missing',
    description: '令牌：npm run token -- --role COMMAND_OFFICE（单位令牌只看本单位）',
    query: /* GraphQL */ `
      query PlanDuties {
        planDuties {
          code
          kind
          title
          dueOn
          expected
          onTime
          late
          missing
          units(onlyProblems: true) {
            unit {
              id
              name
            }
            late
            missing
            firstFiling {
              filedAt
              documentReference
            }
          }
        }
      }
    `,
  },
  {
    name: '报送自查问题清单 / File a self-check list',
    description: '令牌：npm run token -- --role UNIT_ADMIN --unit PUBLIC_SECURITY_BUREAU（所列问题成为“单位自查”问题）',
    query: /* GraphQL */ `
      mutation FileSelfCheckList($input: FilePlanDutyInput!) {
        filePlanDuty(input: $input) {
          id
          version
          late
          dueAt
          duty {
            title
          }
          issues {
            id
            number
            source
            status
            title
          }
        }
      }
    `,
    variables: {
      input: {
        clientRequestId: 'explorer-self-check-1',
        dutyCode: 'FIND_PROBLEMS:2023-04-20',
        documentReference: '青公自查〔2023〕1号',
        problems: [
          {
            environment: 'SERVICE',
            title: '出入境窗口预约号源不足',
            description: '企业反映外籍员工证件办理需排队两周以上',
            responsibleLeader: '分管副局长',
          },
        ],
      },
    },
  },
  {
    name: '本单位待办 / My unit’s issues',
    description: '令牌：npm run token -- --role UNIT_STAFF --unit MARKET_REGULATION_BUREAU',
    query: /* GraphQL */ `
      query MyUnitIssues {
        issues(filter: { status: [ASSIGNED, CONTACTED, FEEDBACK_GIVEN, REOPENED] }, first: 20) {
          totalCount
          edges {
            node {
              id
              number
              title
              status
              deadlines {
                stage
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
    name: '临期与超期 / Near due and overdue',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `
      query Alerts {
        issueAlerts(first: 20) {
          totalCount
          edges {
            node {
              issue {
                number
                title
                status
              }
              deadline {
                stage
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
    name: '按渠道、环境、区(市)统计 / Figures by channel',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `
      query FiguresByChannel {
        issueStatsBy(dimension: SOURCE) {
          key
          stats {
            received
            dispatched
            averageDispatchHours
            overdueNow
            rates {
              rate
              value
              numerator
              denominator
            }
          }
        }
      }
    `,
  },
  {
    name: '单位排名：响应率 / Units ranked by response rate',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `
      query RankByResponse {
        unitRanking(rate: RESPONSE, among: ALL_UNITS) {
          rank
          unit {
            id
          }
          value
          numerator
          denominator
        }
      }
    `,
  },
  {
    name: '区内事区内办：本区待受理 / A district’s items waiting for intake',
    description: '令牌：npm run token -- --role UNIT_ADMIN --unit SHINAN_DISTRICT',
    query: /* GraphQL */ `
      query DistrictIntake {
        issues(filter: { status: [SUBMITTED, ACCEPTED, RETURNED] }, first: 20) {
          totalCount
          edges {
            node {
              id
              number
              title
              source
              district {
                code
              }
              contact {
                name
                phone
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '典型案例 / Published cases',
    description: '公开 / public',
    query: /* GraphQL */ `
      query PublishedCases {
        publishedCases(first: 10) {
          edges {
            node {
              title
              summary
              kind
              environment
              publishedAt
            }
          }
        }
      }
    `,
  },
];
