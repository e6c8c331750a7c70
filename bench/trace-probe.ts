// TEMPORARY probe (not committed): in-process platform, TRACE=on|off, CPU ms per request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openPostgres } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { startPlatform } from '../bin/platform.ts';
import { signToken } from '../platform/auth.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';
import { slices } from '../subgraphs/registry.ts';
import { load } from './gateway.ts';

const on = process.env.TRACE === 'on';
let exports = 0;
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    exports++;
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': 0 });
    res.end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const collector = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const database = openPostgres('postgres://postgres@127.0.0.1:5432/yingshang_bench_observe', { maxConnections: 10 });
const env = loadEnv(
  {
    DEVELOPMENT_MODE: 'true',
    LOAD_SAMPLE_DATA: 'false',
    MERGE_INFLIGHT_REQUESTS: 'false',
    LOG_LEVEL: 'warn',
    ...(on ? { OTEL_EXPORTER_OTLP_ENDPOINT: collector, OTEL_TRACES_SAMPLER_ARG: process.env.SAMPLE ?? '1' } : {}),
  },
  slices,
);
const platform = await startPlatform({ env, database, ephemeralPorts: true });
const staff = await signToken(
  { sub: 'bench-staff', role: 'UNIT_STAFF', unit: unitIdForCode('MARKET_REGULATION_BUREAU') },
  { secret: DEVELOPMENT_JWT_SECRET },
);
const queries = {
  units: JSON.stringify({ query: '{ units(first: 50) { totalCount edges { node { id code name kind } } } }' }),
  issues: JSON.stringify({ query: '{ issues(first: 20) { totalCount edges { node { number title status responsibleUnit { name } } } } }' }),
};
const ms = Number(process.env.MS ?? 8000);
const out: string[] = [];
for (const [name, body] of Object.entries(queries)) {
  await load(platform.gateway.url, body, staff, 16, 2000);
  const before = process.cpuUsage();
  const r = await load(platform.gateway.url, body, staff, 16, ms);
  const cpu = process.cpuUsage(before);
  out.push(`${name} ${((cpu.user + cpu.system) / 1000 / r.requests).toFixed(3)} ms/req (${r.requests} req, ${r.rps.toFixed(0)} req/s, ${r.errors} errors)`);
}
console.log(`${on ? 'on ' : 'off'} ${out.join(' | ')} exports ${exports}`);
await platform.stop();
await database.close();
server.close();
process.exit(0);
