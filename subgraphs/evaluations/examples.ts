import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the evaluations subgraph (a test runs each one on the sample data). */
export const evaluationsExamples: ExplorerExample[] = [
  {
    name: '公开：擂台比武排名 / Public: contest rankings',
    description: '无需令牌 / no token needed',
    query: /* GraphQL */ `query ContestRankings {
  contests(filter: { status: PUBLISHED }, first: 10) {
    totalCount
    edges { node { id title level heldOn criteria { name weight } ranking { rank entrantName score judgesCounted contestsAgain } } }
  }
}`,
  },
  {
    name: '市指挥部办公室：超期差评 / Command office: overdue bad reviews',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `query OverdueBadReviews {
  serviceReviews(filter: { overdue: true }, first: 20) {
    totalCount
    edges { node { id unit { id } serviceItem channel level comment status answerDueAt rectifyDueAt overdue } }
  }
  open: contests(filter: { status: OPEN }, first: 10) {
    edges { node { title heldOn entries { entrantName } carriedOver { entrantName carriedFromContestId } judges { name entriesScored } ranking { rank entrantName score } } }
  }
}`,
  },
  {
    name: '被评单位：待处理的差评 / Reviewed unit: bad reviews to handle',
    description: '令牌：npm run token -- --role UNIT_STAFF --unit ADMINISTRATIVE_APPROVAL_BUREAU',
    query: /* GraphQL */ `query MyBadReviews {
  serviceReviews(filter: { bad: true }, first: 20) {
    totalCount
    edges { node { id serviceItem level comment status answerDueAt rectifyDueAt overdue answer { text at late } rectification { text at late } followUps { text reached level } } }
  }
}`,
  },
];
