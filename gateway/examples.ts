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
  {
    name: '单位：全部站内信（四个子图，一次请求） / A unit: every inbox in one request',
    description:
      '令牌：npm run token -- --role UNIT_ADMIN --unit ADMINISTRATIVE_APPROVAL_BUREAU — 每个子图各自保存自己的通知，网关一次请求读全；下一页以最后一条的 id 作 after / each slice keeps its own notices and the gateway reads them all in one request; the next page is after: the last id',
    query: /* GraphQL */ `
      query MyInboxes {
        issues: issueNotices(unreadOnly: true, first: 20) {
          id
          type
          title
          createdAt
          readAt
        }
        policies: policyInbox(unreadOnly: true, first: 20) {
          id
          type
          title
          createdAt
          readAt
        }
        evaluations: evaluationNotices(unreadOnly: true, first: 20) {
          id
          type
          title
          createdAt
          readAt
        }
        financing: financingNotices(unreadOnly: true, first: 20) {
          id
          type
          title
          createdAt
          readAt
        }
      }
    `,
  },
  {
    name: '单位：各子图的值班联系人与短信接收，一次设置 / A unit: its duty contact and SMS choices in every slice at once',
    description:
      '令牌：npm run token -- --role UNIT_ADMIN --unit ADMINISTRATIVE_APPROVAL_BUREAU — 每个子图的通知设置各自保存（可各设不同联系人）；smsEventTypes 为 null 即按默认 / each slice keeps its own settings (a different contact each is allowed); smsEventTypes null: the defaults',
    query: /* GraphQL */ `
      mutation DutyContactEverywhere($contact: String!, $phone: String!) {
        issues: setIssueNoticeSettings(input: { contactName: $contact, contactPhone: $phone, smsEventTypes: null }) {
          contactName
          contactPhone
          smsEventTypes
        }
        policies: setPolicyNoticeSettings(input: { contactName: $contact, contactPhone: $phone, smsEventTypes: null }) {
          contactName
          contactPhone
          smsEventTypes
        }
        evaluations: setEvaluationNoticeSettings(input: { contactName: $contact, contactPhone: $phone, smsEventTypes: null }) {
          contactName
          contactPhone
          smsEventTypes
        }
        financing: setFinancingNoticeSettings(input: { contactName: $contact, contactPhone: $phone, smsEventTypes: null }) {
          contactName
          contactPhone
          smsEventTypes
        }
      }
    `,
    variables: { contact: '张值班', phone: '13800000000' },
  },
];
