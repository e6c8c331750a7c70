import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the evaluations subgraph (a test runs each one on the sample data). */
export const evaluationsExamples: ExplorerExample[] = [
  {
    name: '公开：擂台比武排名 / Public: contest rankings',
    description: '无需令牌 / no token needed',
    query: /* GraphQL */ `
      query ContestRankings {
        contests(filter: { status: PUBLISHED }, first: 10) {
          totalCount
          edges {
            node {
              id
              title
              level
              heldOn
              criteria {
                name
                weight
              }
              ranking {
                rank
                entrantName
                score
                judgesCounted
                contestsAgain
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '市指挥部办公室：超期差评 / Command office: overdue bad reviews',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `
      query OverdueBadReviews {
        serviceReviews(filter: { overdue: true }, first: 20) {
          totalCount
          edges {
            node {
              id
              unit {
                id
              }
              serviceItem
              channel
              level
              comment
              status
              answerDueAt
              rectifyDueAt
              overdue
            }
          }
        }
        open: contests(filter: { status: OPEN }, first: 10) {
          edges {
            node {
              title
              heldOn
              entries {
                entrantName
              }
              carriedOver {
                entrantName
                carriedFromContestId
              }
              judges {
                name
                entriesScored
              }
              ranking {
                rank
                entrantName
                score
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '被评单位：待处理的差评 / Reviewed unit: bad reviews to handle',
    description: '令牌：npm run token -- --role UNIT_STAFF --unit ADMINISTRATIVE_APPROVAL_BUREAU',
    query: /* GraphQL */ `
      query MyBadReviews {
        serviceReviews(filter: { bad: true }, first: 20) {
          totalCount
          edges {
            node {
              id
              serviceItem
              level
              comment
              status
              answerDueAt
              rectifyDueAt
              overdue
              answer {
                text
                at
                late
              }
              rectification {
                text
                at
                late
              }
              followUps {
                text
                reached
                level
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '市指挥部办公室：看板 / Command office: the board',
    description:
      '令牌：npm run token -- --role COMMAND_OFFICE（文件与打印版：boardDownloadLink 生成网关上 /exports/board.csv、/exports/board.xlsx、/reports/board 的临时链接）',
    query: /* GraphQL */ `
      query Board {
        board(period: "2026-H2") {
          unit {
            id
            name
          }
          domain {
            code
          }
          latestContestRank
          contestsAgain
          reviews
          reviewSatisfactionRate
          reportPunctuality
          score
          grade
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
          preview
        }
        evaluation(period: "2026-H2") {
          status
          publishableAfter
          minimumCoverage
          indicators {
            code
            name
            kind
            weight
            mandatory
          }
          preview {
            unit {
              id
            }
            evaluated
            score
            rank
            grade
            coverage {
              indicators
              indicatorsTotal
              weight
              missing {
                code
                name
                mandatory
              }
            }
            inputs {
              indicator
              value
              source
              normalised
              weight
              contribution
            }
          }
        }
      }
    `,
  },
  {
    name: '市指挥部办公室：季度报告与超期节点 / Command office: reports and overdue milestones',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `
      query Supervision {
        quarterlyReportStatus(quarter: "2026-Q3", onlyProblems: true) {
          unit {
            id
          }
          dueAt
          late
          missing
          firstReport {
            submittedAt
            late
          }
        }
        overdueTaskMilestones(first: 20) {
          totalCount
          edges {
            node {
              title
              dueOn
              task {
                title
                unit {
                  id
                }
              }
            }
          }
        }
        tasks(filter: { kind: PLAN_DUTY }, first: 10) {
          edges {
            node {
              title
              dueOn
            }
          }
        }
      }
    `,
  },
  {
    name: '市指挥部办公室：问卷调查与结果 / Command office: surveys and their results',
    description: '令牌：npm run token -- --role COMMAND_OFFICE（关于单位的问卷结果即该单位半年评估的满意度指标值）',
    query: /* GraphQL */ `
      query Surveys {
        surveys(first: 10) {
          totalCount
          edges {
            node {
              id
              title
              audience
              subject
              unit {
                id
              }
              districtCode
              state
              closesAt
              questions {
                index
                kind
                text
                options
              }
              results {
                responses
                averageRating
                questions {
                  index
                  answered
                  average
                  ratingCounts
                  choices {
                    option
                    count
                  }
                }
              }
            }
          }
        }
      }
    `,
  },
  {
    name: '发布问卷调查 / Publish a survey',
    description: '令牌：npm run token -- --role COMMAND_OFFICE（企业每家一份；公众匿名作答受限额约束）',
    query: /* GraphQL */ `
      mutation PublishSurvey($input: PublishSurveyInput!) {
        publishSurvey(input: $input) {
          id
          title
          audience
          subject
          environmentCode
          opensAt
          closesAt
          state
          questions {
            index
            kind
            text
            options
            required
          }
        }
      }
    `,
    variables: {
      input: {
        clientRequestId: 'explorer-survey-1',
        title: '要素环境企业满意度调查',
        audience: 'ENTERPRISES',
        subject: 'ENVIRONMENT',
        environmentCode: 'FACTOR',
        closesOn: '2099-12-31',
        questions: [
          { kind: 'RATING', text: '用地、用能保障的满意度' },
          { kind: 'MULTIPLE_CHOICE', text: '最突出的问题', options: ['土地供给', '工程建设审批', '融资', '用工'] },
          { kind: 'TEXT', text: '意见建议', required: false },
        ],
      },
    },
  },
];
