import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayExamples } from '../gateway/examples.ts';
import { slices } from '../subgraphs/registry.ts';
import { post, startTestPlatform, tokenFor, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  // With the sample data, as a newcomer's `npm start` has it.
  t = await startTestPlatform({ env: { LOAD_SAMPLE_DATA: 'true' } });
});
afterAll(async () => {
  await t?.stop();
});

/** The token an example's description asks for: `--role X [--unit Y | --enterprise Z | --institution I [--branch B]]`, or none. */
async function tokenForExample(description: string): Promise<string | undefined> {
  const role = /--role (\w+)/.exec(description)?.[1];
  if (!role) return undefined;
  const unit = /--unit (\w+)/.exec(description)?.[1];
  const enterprise = /--enterprise (\w+)/.exec(description)?.[1];
  if (enterprise) return tokenFor({ role: role as never, enterprise });
  const institution = /--institution ([\w-]+)/.exec(description)?.[1];
  const branch = /--branch ([\w-]+)/.exec(description)?.[1];
  if (institution) return tokenFor({ role: role as never, institution, ...(branch ? { branch } : {}) });
  return tokenFor(unit ? { role: role as never, unit } : (role as never));
}

describe('the explorer’s example operations', () => {
  const cases = [
    ...gatewayExamples.map((example) => ({ where: 'gateway', example })),
    ...slices.flatMap((slice) => slice.examples.map((example) => ({ where: slice.name, example }))),
  ];
  it.each(cases)('runs "$example.name" on the $where without an error, as the caller it names', async ({ where, example }) => {
    const url = where === 'gateway' ? t.gatewayUrl : `${t.platform.subgraphs[where]!.url}graphql`;
    const response = await post<Record<string, unknown>>(
      url,
      { query: example.query, variables: example.variables },
      await tokenForExample(example.description),
    );
    expect(response.errors).toBeUndefined();
    expect(Object.keys(response.data ?? {}).length).toBeGreaterThan(0);
  });

  it('shows the sample data in the command office overview', async () => {
    const response = await post<any>(t.gatewayUrl, { query: gatewayExamples[0]!.query }, await tokenFor('COMMAND_OFFICE'));
    const approval = response.data.domains.find((d: any) => d.name === '行政审批');
    expect(approval.issueStats).toMatchObject({ received: 1, closed: 1, rectificationRate: 1 });
    expect(response.data.issueAlerts.totalCount).toBeGreaterThan(0);
  });
});
