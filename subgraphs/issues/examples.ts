import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the issues subgraph. */
export const issuesExamples: ExplorerExample[] = [
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
