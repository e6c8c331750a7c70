/**
 * A full batch of applications (issue #25 §2), the policies slice's twin of issues-batch-10k: a
 * department's system sends 10,000 applications it accepted in one `importApplicationBatch` through
 * the gateway, on the platform's default limits (the batch's own execution budget,
 * platform/budget.ts), and gets a result per record — every tenth refused with its coded reason (a
 * time of acceptance in the future), refusing nothing else. Sent again, every good record is found
 * (ALREADY_PRESENT), none entered twice; and nothing of a refused record is written (no
 * application, no step of its history, no entry in the change feed).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../db/client.ts';
import { MAX_BATCH_RECORDS } from '../platform/batch.ts';
import { syntheticCreditCode } from '../subgraphs/units/registry-synthetic.ts';
import { TestClock } from './support/clock.ts';
import { callers, docs, gateway, ok, policyInput, rdItem } from './support/policies.ts';
import { startTestPlatform, type Caller, type TestPlatform } from './support/platform.ts';

const clock = new TestClock('2026-10-12T10:00:00+08:00');
let t: TestPlatform;
/** Ten items: one live application per item and enterprise, so 10,000 records are ten items × 1,000 enterprises. */
const items: string[] = [];
beforeAll(async () => {
  t = await startTestPlatform({ now: clock.now });
  const policyId = (await ok(gateway(t), docs.createPolicy, callers.scienceStaff, { input: policyInput })).createPolicy.id;
  await ok(gateway(t), docs.publish, callers.scienceAdmin, { id: policyId, input: { documentNumber: '青科规〔2026〕31号' } });
  for (let i = 0; i < 10; i++)
    items.push((await ok(gateway(t), docs.createItem, callers.scienceStaff, { policyId, input: rdItem })).createPolicyItem.id);
});
afterAll(async () => {
  await t?.stop();
});

/** The science bureau's project system. */
const SYSTEM: Caller = { role: 'UNIT_STAFF', unit: 'SCIENCE_TECHNOLOGY_BUREAU', subject: 'kjj-xmsb-system' };
const BATCH = /* GraphQL */ `
  mutation Batch($source: String!, $content: String!) {
    importApplicationBatch(sourceSystem: $source, format: NDJSON, content: $content) {
      received
      created
      alreadyPresent
      rejected
      records {
        line
        externalReference
        outcome
        applicationId
        code
        field
      }
    }
  }
`;

const PER_ITEM = MAX_BATCH_RECORDS / 10;
/** Record `index`: item index / 1,000's, enterprise index % 1,000; every tenth accepted "in 2099" — in the future, refused. */
const record = (source: string, index: number) =>
  JSON.stringify({
    externalReference: `${source}-${index}`,
    itemId: items[Math.floor(index / PER_ITEM)],
    enterpriseCreditCode: syntheticCreditCode('370202', 500_000 + (index % PER_ITEM)),
    submittedAt: index % 10 === 9 ? '2099-01-01T00:00:00+08:00' : '2026-10-09T15:00:00+08:00',
    declaredBase: 400_000 + index,
    materials: [{ name: '研发费用专项审计报告', reference: `AUD-${index}` }],
  });

type Outcome = {
  line: number;
  externalReference: string | null;
  outcome: string;
  applicationId: string | null;
  code: string | null;
  field: string | null;
};

/** What the source system's records left in the database: applications, their history's steps, their events. */
async function written(source: string) {
  const [row] = rowsOf<{ applications: number; steps: number; feed: number; events: number; refusedApplications: number }>(
    await t.database.handle.owner()
      .execute(sql`with a as (select id, external_reference from policies.applications where source_system = ${source})
      select (select count(*) from a)::int as applications,
        (select count(*) from policies.application_events s where s.application_id in (select id from a))::int as steps,
        (select count(*) from policies.application_feed f where f.source_system = ${source})::int as feed,
        (select count(*) from policies.outbox_events e where e.record_key in (select 'application:' || id from a))::int as events,
        (select count(*) from a where substring(external_reference from '[0-9]+$')::int % 10 = 9)::int as "refusedApplications"`),
  );
  return row;
}

describe('a full batch of applications through the gateway', () => {
  it(
    `takes ${MAX_BATCH_RECORDS} records in one call on the default limits, a result for each; sent again, every record is found`,
    { timeout: 900_000 },
    async () => {
      const source = `kjj-full-${process.pid}`;
      const content = Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => record(source, i)).join('\n');

      const answer = await t.query(BATCH, { as: SYSTEM, variables: { source, content } });
      expect(answer.errors).toBeUndefined();
      const result = answer.data.importApplicationBatch;
      expect([result.received, result.created, result.alreadyPresent, result.rejected]).toEqual([10_000, 9_000, 0, 1_000]);
      const records = result.records as Outcome[];
      expect(records).toHaveLength(10_000);
      records.forEach((r, i) => {
        const expected =
          i % 10 === 9
            ? [i + 1, `${source}-${i}`, 'REJECTED', false, 'BAD_USER_INPUT', 'submittedAt']
            : [i + 1, `${source}-${i}`, 'CREATED', true, null, null];
        expect([r.line, r.externalReference, r.outcome, r.applicationId !== null, r.code, r.field]).toEqual(expected);
      });
      const ids = records.filter((r) => r.outcome === 'CREATED').map((r) => r.applicationId);
      expect(new Set(ids).size).toBe(9_000);
      const first = await written(source);
      // Nothing of a refused record; each entered one whole: its step, and the events its entry emits.
      expect(first?.applications).toBe(9_000);
      expect(first?.refusedApplications).toBe(0);
      expect(first?.steps).toBe(9_000);
      expect(first?.feed).toBe(9_000);

      const again = await t.query(BATCH, { as: SYSTEM, variables: { source, content } });
      expect(again.errors).toBeUndefined();
      const second = again.data.importApplicationBatch;
      expect([second.received, second.created, second.alreadyPresent, second.rejected]).toEqual([10_000, 0, 9_000, 1_000]);
      (second.records as Outcome[]).forEach((r, i) => {
        expect([r.outcome, r.applicationId, r.code]).toEqual(
          i % 10 === 9 ? ['REJECTED', null, 'BAD_USER_INPUT'] : ['ALREADY_PRESENT', records[i]?.applicationId, null],
        );
      });
      // Found, not entered again: the same rows, steps and events as after the first send.
      expect(await written(source)).toEqual(first);
    },
  );
});
