/**
 * `npm run bench -- batch`: one 10,000-record batch of the 12345 hotline (`importIssueBatch`, issue
 * #25 §2) through the gateway, with the platform's DEFAULT limits (execution timeout, the gateway's
 * subgraph timeout, the request size) — not the long ones of the other benchmarks, since what is
 * measured is whether a full batch fits what a deployment runs with. Every tenth record is bad (a
 * phone number that is not one), so the answer is mixed; then the same batch again, which finds
 * every good record (ALREADY_PRESENT). Then the same for the policies slice: 10,000 applications a
 * department's system accepted (`importApplicationBatch`) on ten items of a published policy, every
 * tenth accepted "in the future" (refused). In `<BENCH_DB_NAME>_batch`, a new source system each run.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { openPostgres } from '../db/client.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { startPlatform } from '../bin/platform.ts';
import { Role, signToken } from '../platform/auth.ts';
import { MAX_BATCH_RECORDS } from '../platform/batch.ts';
import { DEVELOPMENT_JWT_SECRET, loadEnv } from '../platform/env.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { syntheticCreditCode } from '../subgraphs/units/registry-synthetic.ts';
import { BENCH_DB, ensureBenchDatabase, postGraphQL } from './env.ts';

const loads = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

const RECORDS = Number(process.env.BENCH_BATCH_RECORDS ?? MAX_BATCH_RECORDS);

const BATCH = `mutation($source: String!, $content: String!) {
  importIssueBatch(sourceSystem: $source, format: NDJSON, content: $content) {
    received created alreadyPresent rejected records { outcome }
  }
}`;
const APPLICATION_BATCH = `mutation($source: String!, $content: String!) {
  importApplicationBatch(sourceSystem: $source, format: NDJSON, content: $content) {
    received created alreadyPresent rejected records { outcome }
  }
}`;
/** Ten items: one live application per item and enterprise, so a batch is ten items × RECORDS / 10 enterprises. */
const ITEMS = 10;

/** A realistic hotline record; every tenth one with a phone number that is not one. */
export function hotlineRecord(index: number, prefix: string): Record<string, unknown> {
  return {
    externalRef: `${prefix}-${String(index).padStart(6, '0')}`,
    source: 'HOTLINE_12345',
    environment: 'SERVICE',
    title: `来电反映办税大厅排队时间长（${index}）`,
    description: '高峰期排队超过一小时，希望增加窗口或开通线上预约。',
    receivedAt: '2023-10-08T10:15:00+08:00',
    contact: { name: '王先生', phone: index % 10 === 9 ? '12345' : `138${String(index).padStart(8, '0')}` },
  };
}

/** A department's record; every tenth one accepted "in 2099": in the future, refused. */
export function applicationRecord(index: number, prefix: string, items: string[], perItem: number): Record<string, unknown> {
  return {
    externalReference: `${prefix}-${String(index).padStart(6, '0')}`,
    itemId: items[Math.floor(index / perItem)],
    enterpriseCreditCode: syntheticCreditCode('370202', 700_000 + (index % perItem)),
    submittedAt: index % 10 === 9 ? '2099-01-01T00:00:00+08:00' : '2023-10-09T09:00:00+08:00',
    declaredBase: 400_000 + index,
    materials: [{ name: '研发费用专项审计报告', reference: `AUD-${index}` }],
  };
}

type Send = (label: string, query: string, variables: Record<string, unknown>, token: string) => Promise<void>;

/** A published policy of the science bureau with ITEMS items, through the gateway: what the application batch needs. */
async function policyItems(gatewayUrl: string): Promise<{ items: string[]; system: string }> {
  const token = (role: Role, sub: string) =>
    signToken({ sub, role, unit: unitIdForCode('SCIENCE_TECHNOLOGY_BUREAU') }, { secret: DEVELOPMENT_JWT_SECRET });
  const [staff, admin] = [await token(Role.UNIT_STAFF, 'bench-science-staff'), await token(Role.UNIT_ADMIN, 'bench-science-admin')];
  const ask = async (query: string, variables: Record<string, unknown>, as: string) => {
    const answer = await postGraphQL(gatewayUrl, { query, variables }, as);
    if (answer.errors) throw new Error(JSON.stringify(answer.errors).slice(0, 400));
    return answer.data;
  };
  const policy = await ask(
    'mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }',
    {
      input: {
        level: 'MUNICIPAL',
        environment: 'POLICY',
        title: '青岛市支持企业加大研发投入若干措施（基准测试）',
        summary: '研发费用补助',
        text: '对高新技术企业按上年度研发费用的10%给予补助。',
      },
    },
    staff,
  );
  const id = policy.createPolicy.id as string;
  await ask(
    'mutation($id: ID!, $input: PublishPolicyInput) { publishPolicy(id: $id, input: $input) { id } }',
    { id, input: { documentNumber: `青科规〔2023〕${Date.now() % 100000}号` } },
    admin,
  );
  const items: string[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const item = await ask(
      'mutation($policyId: ID!, $input: PolicyItemInput!) { createPolicyItem(policyId: $policyId, input: $input) { id } }',
      {
        policyId: id,
        input: {
          name: `高新技术企业研发费用补助（第${i + 1}批）`,
          kind: 'SUBSIDY',
          description: '按上年度研发费用的10%给予补助，最高100万元。',
          amount: { kind: 'RATE', rate: 0.1, amount: 1_000_000, base: '上年度研发费用' },
          requiredMaterials: ['研发费用专项审计报告'],
          reviewWorkingDays: 10,
          paymentWorkingDays: 10,
          eligibility: { industryCodePrefixes: ['C'], qualifications: ['HIGH_TECH'] },
        },
      },
      staff,
    );
    items.push(item.createPolicyItem.id as string);
  }
  return { items, system: await token(Role.UNIT_STAFF, 'bench-kjj-system') };
}

export async function runBatchBench(): Promise<void> {
  // A few connections a pool: the batch is one request, and the server may be shared.
  const database = openPostgres(await ensureBenchDatabase(`${BENCH_DB}_batch`), { maxConnections: 4 });
  await prepareDatabase(database, slices, { sample: false });
  // The defaults: only development tokens and no sample data are chosen here (a limit set in the environment is taken, to compare).
  const chosen = Object.fromEntries(
    ['EXECUTION_TIMEOUT_MS', 'SUBGRAPH_TIMEOUT_MS', 'STATEMENT_TIMEOUT_MS', 'BATCH_EXECUTION_TIMEOUT_MS'].flatMap((name) => {
      const value = process.env[name];
      return value ? [[name, value]] : [];
    }),
  );
  const env = loadEnv({ DEVELOPMENT_MODE: 'true', LOAD_SAMPLE_DATA: 'false', ...chosen }, slices);
  const platform = await startPlatform({ env, database, ephemeralPorts: true, now: () => new Date('2023-10-09T10:00:00+08:00') });
  try {
    const token = await signToken(
      { sub: 'bench-12345', role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') },
      { secret: DEVELOPMENT_JWT_SECRET },
    );
    const source = `bench-12345-${Date.now()}`;
    const content = Array.from({ length: RECORDS }, (_, i) => JSON.stringify(hotlineRecord(i, source))).join('\n');
    console.log(
      `Batch intake: ${RECORDS.toLocaleString('en')} records (${(content.length / 1e6).toFixed(2)} MB of NDJSON, ` +
        `${(Buffer.byteLength(content) / 1e6).toFixed(2)} MB UTF-8, ${(Buffer.byteLength(JSON.stringify({ query: BATCH, variables: { source, content } })) / 1e6).toFixed(2)} MB request) through the gateway; limits: execution ${env.limits.executionTimeoutMs} ms, ` +
        `subgraph ${env.limits.subgraphTimeoutMs} ms, request ${env.limits.maxRequestBytes.toLocaleString('en')} bytes; load ${loads()}`,
    );
    const send: Send = async (label, query, variables, as) => {
      const started = performance.now();
      const answer = await postGraphQL(platform.gateway.url, { query, variables }, as);
      const seconds = (performance.now() - started) / 1000;
      if (answer.errors) {
        console.log(`  ${label}: REFUSED after ${seconds.toFixed(1)} s: ${JSON.stringify(answer.errors).slice(0, 400)}`);
        return;
      }
      const { received, created, alreadyPresent, rejected } = Object.values(answer.data as Record<string, Record<string, number>>)[0]!;
      console.log(
        `  ${label}: ${seconds.toFixed(1)} s (${Math.round(received! / seconds).toLocaleString('en')} records/s) — ` +
          `received ${received}, created ${created}, already present ${alreadyPresent}, rejected ${rejected}; load ${loads()}`,
      );
    };
    for (const label of ['issues, first send', 'issues, sent again']) await send(label, BATCH, { source, content }, token);

    const { items, system } = await policyItems(platform.gateway.url);
    const perItem = Math.ceil(RECORDS / ITEMS);
    const applications = Array.from({ length: RECORDS }, (_, i) =>
      JSON.stringify(applicationRecord(i, `${source}-app`, items, perItem)),
    ).join('\n');
    console.log(
      `Applications: ${RECORDS.toLocaleString('en')} records on ${ITEMS} items (${(Buffer.byteLength(applications) / 1e6).toFixed(2)} MB UTF-8; every tenth refused: accepted in the future)`,
    );
    for (const label of ['policies, first send', 'policies, sent again'])
      await send(label, APPLICATION_BATCH, { source: `${source}-kjj`, content: applications }, system);
  } finally {
    await platform.stop();
    await database.close();
  }
}
