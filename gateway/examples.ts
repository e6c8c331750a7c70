import type { ExplorerExample } from '../platform/subgraph.ts';

/** Operations offered in the gateway's explorer: the command office's and a bureau's. */
export const gatewayExamples: ExplorerExample[] = [
  {
    name: '市指挥部办公室：跨单位总览 / Command office overview',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `
      query CommandOfficeOverview {
        domains {
          name
          leadUnit {
            name
          }
          issueStats {
            received
            closed
            overdueNow
            rectificationRate
          }
        }
        units(filter: { kind: PARTICIPATING }, first: 50) {
          totalCount
          edges {
            node {
              name
              issueStats {
                received
                overdueNow
                responseRate
                onTimeResolutionRate
                satisfactionRate
              }
            }
          }
        }
        issueAlerts(first: 10) {
          totalCount
          edges {
            node {
              issue {
                number
                title
                responsibleUnit {
                  name
                }
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
    name: '牵头单位：本单位待办 / Bureau: my unit’s issues',
    description: '令牌：npm run token -- --role UNIT_ADMIN --unit MARKET_REGULATION_BUREAU',
    query: /* GraphQL */ `
      query BureauMyIssues {
        viewer {
          unit {
            name
            domain {
              name
            }
            issues(filter: { status: [ASSIGNED, CONTACTED, FEEDBACK_GIVEN, REOPENED] }, first: 20) {
              totalCount
              edges {
                node {
                  id
                  number
                  title
                  status
                  enterprise {
                    name
                  }
                  deadlines {
                    stage
                    dueAt
                    state
                  }
                }
              }
            }
            issueStats {
              received
              closed
              responseRate
              feedbackRate
              onTimeResolutionRate
            }
          }
        }
      }
    `,
  },
  {
    name: '公开：典型案例 / Public: published cases',
    description: '无需令牌 / no token needed',
    query: /* GraphQL */ `
      query PublishedCases {
        publishedCases(first: 10) {
          totalCount
          edges {
            node {
              title
              summary
              environment
              unit {
                name
              }
              publishedAt
            }
          }
        }
      }
    `,
  },
  {
    name: '市指挥部办公室：看板（跨四个子图） / Command office: the board across four subgraphs',
    description:
      '令牌：npm run token -- --role COMMAND_OFFICE — 按综合得分排序（orderBy: DOMAIN、NAME 另排）；文件与打印版见下一个示例 / ordered by score (orderBy: DOMAIN or NAME otherwise); files and the printable page: the next example',
    query: /* GraphQL */ `
      query CommandOfficeBoard {
        board(period: "2026-H2", orderBy: SCORE_DESC) {
          rank
          unit {
            name
            issueStats(period: { from: "2026-07-01", to: "2026-12-31" }) {
              received
              overdueNow
              rectificationRate
            }
            policyStats(period: { from: "2026-07-01", to: "2026-12-31" }) {
              approved
              disbursedCount
              disbursedAmount
            }
          }
          domain {
            name
          }
          latestContestRank
          contestsAgain
          reviewSatisfactionRate
          reportPunctuality
          score
          grade
          preview
          evaluated
          coverage {
            indicators
            indicatorsTotal
            weight
            missing {
              name
              mandatory
            }
          }
        }
      }
    `,
  },
  {
    name: '市指挥部办公室：看板文件与打印版 / Command office: board files and the printable page',
    description:
      '令牌：npm run token -- --role COMMAND_OFFICE — 运行后在结果下方点按钮：下载 CSV、Excel（含得分图），或打开可打印的网页报告；链接几分钟内有效，无需再带令牌 / run it, then click the buttons under the answer: CSV, Excel (with the score chart) or the printable page; the links work for a few minutes without a token',
    query: /* GraphQL */ `
      mutation BoardFiles {
        csv: boardDownloadLink(format: CSV) {
          url
          path
          period
          format
          expiresAt
        }
        xlsx: boardDownloadLink(format: XLSX) {
          url
          path
          period
          format
          expiresAt
        }
        report: boardDownloadLink(format: HTML) {
          url
          path
          period
          format
          expiresAt
        }
      }
    `,
  },
];
