import { loadEnv, DEVELOPMENT_JWT_SECRET } from './platform/env.ts';
import { signToken } from './platform/auth.ts';
import { slices } from './subgraphs/registry.ts';
import { startPlatform } from './bin/platform.ts';
import { unitIdForCode } from './db/reference/organisation.ts';
import { BENCH_NOW, benchPlatformEnv, postGraphQL } from './bench/env.ts';
import { issuesDatabase } from './bench/fill.ts';
const { database } = await issuesDatabase(1_000_000);
const env = loadEnv(benchPlatformEnv(), slices);
const platform = await startPlatform({ env, database, ephemeralPorts: true, now: () => BENCH_NOW });
const token = (c: any) => signToken(c, { secret: DEVELOPMENT_JWT_SECRET });
const office = await token({ sub: 'bench-office', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') });
const bureau = await token({ sub: 'bench-staff', role: 'UNIT_STAFF', unit: unitIdForCode('MARKET_REGULATION_BUREAU') });
const cases: [string, string, any, string][] = JSON.parse(process.env.CASES!);
for (const [field, type, filter, who] of cases) {
  const query = `query($filter: ${type}) { ${field}(filter: $filter, first: 20) { totalCount totalCountIsEstimate edges { node { id } } } }`;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r: any = await postGraphQL(platform.gateway.url, { query, variables: { filter } }, who === 'office' ? office : bureau);
    console.log(field, JSON.stringify(filter), (performance.now() - t).toFixed(1), 'ms', r.errors ? JSON.stringify(r.errors).slice(0, 200) : r.data[field].totalCount);
  }
}
await platform.stop();
process.exit(0);
