import type { ExplorerExample } from '../../platform/subgraph.ts';

/** Operations offered in the explorer of the units subgraph. */
export const unitsExamples: ExplorerExample[] = [
  {
    name: '十个重点领域 / Domains and lead units',
    description: '公开：重点领域及牵头、主责单位 / public',
    query: /* GraphQL */ `
      query DomainsAndLeads {
        domains {
          code
          name
          leadUnit {
            code
            name
          }
          responsibleUnits {
            code
            name
          }
        }
      }
    `,
  },
  {
    name: '单位目录 / Unit directory',
    description: '公开：按类别筛选、分页 / public, filtered and paginated',
    query: /* GraphQL */ `
      query ParticipatingUnits($after: String) {
        units(filter: { kind: PARTICIPATING }, first: 20, after: $after) {
          totalCount
          pageInfo {
            hasNextPage
            endCursor
          }
          edges {
            node {
              id
              code
              name
              level
            }
          }
        }
      }
    `,
  },
  {
    name: '当前身份 / Who am I',
    description: '需要令牌：npm run token -- --role UNIT_STAFF --unit MARKET_REGULATION_BUREAU',
    query: /* GraphQL */ `
      query Viewer {
        viewer {
          role
          subject
          unit {
            code
            name
            kind
          }
        }
      }
    `,
  },
];
