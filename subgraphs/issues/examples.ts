import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the issues subgraph. */
export const issuesExamples: ExplorerExample[] = [
  {
    name: '本单位待办 / My unit’s issues',
    description: '令牌：npm run token -- --role UNIT_STAFF --unit MARKET_REGULATION_BUREAU',
    query: /* GraphQL */ `query MyUnitIssues {
  issues(filter: { status: [ASSIGNED, CONTACTED, FEEDBACK_GIVEN, REOPENED] }, first: 20) {
    totalCount
    edges { node { id number title status deadlines { stage dueAt state } } }
  }
}`,
  },
  {
    name: '临期与超期 / Near due and overdue',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `query Alerts {
  issueAlerts(first: 20) {
    totalCount
    edges { node { issue { number title status } deadline { stage dueAt state } } }
  }
}`,
  },
  {
    name: '典型案例 / Published cases',
    description: '公开 / public',
    query: /* GraphQL */ `query PublishedCases {
  publishedCases(first: 10) { edges { node { title summary environment publishedAt } } }
}`,
  },
];
