/**
 * 青融通's sample data shows a live picture, dated relative to the day it is loaded: sample
 * institutions with branches in every district, about 300 products, and demands in every state —
 * in the pool, waiting for dispatch, held, decided, disbursed with the loan received and rated,
 * declined, withdrawn, and one returned to the pool after its holder's contact limit lapsed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceDistricts } from '../db/reference/organisation.ts';
import { startTestPlatform, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true', DIRECTORY_TTL_MS: '0' } });
});
afterAll(async () => {
  await t?.stop();
});

const REGULATOR = { role: 'UNIT_STAFF' as const, unit: 'LOCAL_FINANCIAL_REGULATION_BUREAU' };

describe('the financing sample data', () => {
  it('has branches in every district and about 300 products', async () => {
    const answer = await t.query(
      `{ financialInstitutions(first: 100) { totalCount edges { node { name branches { district { code } } } } }
         financialProducts(first: 1) { totalCount } }`,
    );
    expect(answer.errors).toBeUndefined();
    const districts = new Set(
      answer.data.financialInstitutions.edges.flatMap((e: any) => e.node.branches.map((b: any) => b.district.code)),
    );
    expect([...districts].sort()).toEqual(referenceDistricts.map((d) => d.code).sort());
    expect(answer.data.financialInstitutions.edges.every((e: any) => e.node.name.endsWith('（样例）'))).toBe(true);
    expect(answer.data.financialProducts.totalCount).toBeGreaterThanOrEqual(250);
  });

  it('has demands in every state, the lapse kept, loans received and rated, and some waiting for dispatch', async () => {
    const answer = await t.query(
      `{ financingDemands(first: 100) { totalCount edges { node { status heldBy rating routedCount loan { amount receivedAt } limits { kind state } events { kind } } } }
         waiting: financingDemands(filter: { awaitingDispatch: true }, first: 100) { totalCount } }`,
      { as: REGULATOR },
    );
    expect(answer.errors).toBeUndefined();
    const nodes = answer.data.financingDemands.edges.map((e: any) => e.node);
    expect(answer.data.financingDemands.totalCount).toBe(60);
    expect(new Set(nodes.map((n: any) => n.status))).toEqual(
      new Set(['OPEN', 'CLAIMED', 'CONTACTED', 'APPROVED', 'DISBURSED', 'DECLINED', 'WITHDRAWN']),
    );
    expect(answer.data.waiting.totalCount).toBeGreaterThan(0);
    const returned = nodes.filter((n: any) => n.events.some((e: any) => e.kind === 'RETURNED'));
    expect(returned.length).toBeGreaterThan(0);
    for (const node of returned) {
      expect(node.status).toBe('OPEN');
      expect(node.limits.map((l: any) => l.state)).toContain('LAPSED');
    }
    const disbursed = nodes.filter((n: any) => n.status === 'DISBURSED');
    expect(disbursed.length).toBeGreaterThan(0);
    for (const node of disbursed) {
      expect(node.loan.receivedAt).not.toBeNull();
      expect(node.rating).toBe('VERY_SATISFIED');
      expect(node.loan.amount).toBeGreaterThan(0);
    }
    expect(nodes.every((n: any) => n.routedCount > 0)).toBe(true);
  });
});
