import type { ExplorerExample } from '../subgraphs/shared/subgraph.ts';

/** Operations offered in the gateway's explorer: one for the command office, one for a bureau. */
export const gatewayExamples: ExplorerExample[] = [
  {
    name: '市指挥部办公室：跨单位总览 / Command office overview',
    description: '令牌：npm run token -- --role COMMAND_OFFICE',
    query: /* GraphQL */ `query CommandOfficeOverview {
  campaign { name startsOn endsOn steps { order name deadlines { date what } } }
  domains {
    name
    leadUnit { name }
    units { name kind }
  }
  units(filter: { kind: PARTICIPATING }, first: 50) {
    totalCount
    edges { node { code name } }
  }
}`,
  },
  {
    name: '牵头单位：本单位与本领域 / Bureau: my unit and domain',
    description: '令牌：npm run token -- --role UNIT_ADMIN --unit MARKET_REGULATION_BUREAU',
    query: /* GraphQL */ `query BureauMyUnit {
  viewer {
    role
    unit {
      code
      name
      domain { name responsibleUnits { name } }
    }
  }
}`,
  },
];
