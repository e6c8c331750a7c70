/**
 * The evaluations slice's access module without a server: what a published result's inputs say
 * about who entered a value.
 */
import { describe, expect, it } from 'vitest';
import { campaign, referenceDistricts, referenceUnits, unitIdForCode } from '../db/reference/organisation.ts';
import type { Viewer } from '../platform/auth.ts';
import { Directory, staticDirectory } from '../platform/directory.ts';
import { createEvaluationsAccess } from '../subgraphs/evaluations/access.ts';

const directory = staticDirectory(
  new Directory(
    referenceUnits.map((u) => ({ ...u, archived: false })),
    referenceDistricts.map((d) => d.code),
    campaign.domains.map((d) => d.code),
  ),
);
const viewer = (role: Viewer['role'], unit?: string, enterprise?: string): Viewer => ({
  subject: role === 'ANONYMOUS' ? null : `t-${role}`,
  role,
  unitId: unit ? unitIdForCode(unit) : null,
  enterprise: enterprise ?? null,
});
const access = (v: Viewer) => createEvaluationsAccess(v, directory, '203.0.113.9');

describe('the sources of a published result’s inputs', () => {
  const frozen = [
    { indicator: 'ECON', source: 'entered by co-s18 at 2026-07-20T02:00:00.000Z: 统计局正式数' },
    { indicator: 'MARKET', source: 'entered by unit COMMAND_OFFICE 市指挥部办公室 at 2026-07-21T02:00:00.000Z: 第三方调查' },
    { indicator: 'RECT', source: 'issues: Unit.issueStats(2026-01-01–2026-06-30).rectificationRate' },
  ];

  it.each([
    ['the public', viewer('ANONYMOUS')],
    ['an enterprise', viewer('ENTERPRISE', undefined, '91370200MA3C5B7X1K')],
    ['a unit', viewer('UNIT_ADMIN', 'PUBLIC_SECURITY_BUREAU')],
  ])('show %s the unit, never the account, also in results frozen when they named the account', async (_, who) => {
    const shown = (await access(who).inputSources())(frozen);
    expect(shown.map((i) => i.source)).toEqual([
      'entered by the command office at 2026-07-20T02:00:00.000Z: 统计局正式数',
      frozen[1]!.source,
      frozen[2]!.source,
    ]);
    expect(JSON.stringify(shown)).not.toContain('co-s18');
  });

  it('show the command office the result as it was frozen', async () => {
    expect((await access(viewer('COMMAND_OFFICE', 'COMMAND_OFFICE')).inputSources())(frozen)).toEqual(frozen);
  });
});
