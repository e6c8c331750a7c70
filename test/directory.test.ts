/**
 * The unit directory other slices read from the units API: a short-lived copy, the caller's own unit
 * confirmed fresh on request, a unit created a moment ago fetched by itself and merged in, and the
 * organisation's tree (a district and the streets below it). Against a stand-in units API.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Directory, remoteDirectory } from '../platform/directory.ts';

interface Node {
  id: string;
  code: string;
  name: string;
  kind: string;
  level: string;
  archived: boolean;
  parent: { id: string } | null;
  domain: { code: string } | null;
  district: { code: string } | null;
}

const node = (id: string, extra: Partial<Node> = {}): Node => ({
  id,
  code: id.toUpperCase(),
  name: id,
  kind: 'OTHER',
  level: 'CITY',
  archived: false,
  parent: null,
  domain: null,
  district: null,
  ...extra,
});

let units: Node[];
const asked = { directory: 0, unit: 0 };
/** When set, the stand-in answers a unit's lookup as the units subgraph does when its database is away. */
let unitLookupFails = false;
let server: http.Server;
let url: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { query, variables } = JSON.parse(body) as { query: string; variables: { id?: string } };
      let data: unknown;
      if (query.includes('query DirectoryUnit')) {
        asked.unit++;
        if (unitLookupFails) {
          const errors = [
            {
              message: '数据库暂时无法访问，请稍后重试 / The database is unreachable for the moment; retry shortly',
              path: ['unit'],
              extensions: { code: 'SERVICE_UNAVAILABLE' },
            },
          ];
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: { unit: null }, errors }));
          return;
        }
        data = { unit: units.find((u) => u.id === variables.id) ?? null };
      } else {
        asked.directory++;
        data = {
          districts: [{ code: '370215' }],
          domains: [{ code: 'COMMERCE' }],
          units: { pageInfo: { hasNextPage: false, endCursor: null }, edges: units.map((u) => ({ node: u })) },
        };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  units = [
    node('jimo', { kind: 'DISTRICT', level: 'COUNTY', district: { code: '370215' } }),
    node('commerce', { kind: 'LEAD', domain: { code: 'COMMERCE' } }),
  ];
  asked.directory = 0;
  asked.unit = 0;
  unitLookupFails = false;
});

describe('the unit directory', () => {
  it('keeps its copy for the TTL, and fetches a unit it does not know by itself, merging it in', async () => {
    let clock = 0;
    const directory = remoteDirectory({ url, ttlMs: 30_000, now: () => clock });
    expect((await directory.current()).unit('jimo')?.kind).toBe('DISTRICT');
    await directory.current();
    expect(asked).toEqual({ directory: 1, unit: 0 });

    units.push(node('longshan', { level: 'TOWN', parent: { id: 'jimo' }, district: { code: '370215' } }));
    expect((await directory.unit('longshan'))?.parentId).toBe('jimo');
    expect(asked).toEqual({ directory: 1, unit: 1 });
    // Whoever asks next finds it in the copy, with its place in the tree.
    const copy = await directory.current();
    expect(copy.descendants('jimo').map((u) => u.id)).toEqual(['longshan']);
    expect(copy.isWithin('longshan', 'jimo')).toBe(true);
    expect(asked).toEqual({ directory: 1, unit: 1 });
    clock = 30_001;
    await directory.current();
    expect(asked.directory).toBe(2);
  });

  it('confirms a unit fresh when asked, so an archived unit is seen archived at once', async () => {
    const directory = remoteDirectory({ url, ttlMs: 30_000, now: () => 0 });
    expect((await directory.unit('commerce'))?.archived).toBe(false);
    units[1]!.archived = true;
    expect((await directory.unit('commerce'))?.archived).toBe(false); // the copy, within its TTL
    expect((await directory.unit('commerce', { fresh: true }))?.archived).toBe(true);
    expect((await directory.current()).unit('commerce')?.archived).toBe(true);
    // An archived lead unit no longer leads its domain.
    expect((await directory.current()).domainLedBy('commerce')).toBeNull();
  });

  it('answers null for a unit that does not exist, and SERVICE_UNAVAILABLE when it never reached the units API', async () => {
    const directory = remoteDirectory({ url, ttlMs: 30_000, now: () => 0 });
    expect(await directory.unit('nobody')).toBeNull();
    const away = remoteDirectory({ url: 'http://127.0.0.1:9/graphql', ttlMs: 30_000, now: () => 0, timeoutMs: 500 });
    await expect(away.unit('jimo')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('takes an answer with errors for no answer: a unit the units API failed to read is not a unit that does not exist', async () => {
    // The units subgraph answers `unit: null` with a SERVICE_UNAVAILABLE error when its database is
    // away; read as "no such unit", a caller's own unit vanished and every action was FORBIDDEN.
    const directory = remoteDirectory({ url, ttlMs: 30_000, now: () => 0 });
    await directory.current();
    unitLookupFails = true;
    expect((await directory.unit('commerce', { fresh: true }))?.id).toBe('commerce'); // as last seen
    await expect(directory.unit('newcomer')).rejects.toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(asked.unit).toBe(2);
  });
});

describe('the organisation’s tree', () => {
  const tree = new Directory(
    [
      {
        id: 'd',
        code: 'D',
        name: '区',
        kind: 'DISTRICT',
        level: 'COUNTY',
        domainCode: null,
        districtCode: '370215',
        parentId: null,
        archived: false,
      },
      {
        id: 's',
        code: 'S',
        name: '街道',
        kind: 'OTHER',
        level: 'TOWN',
        domainCode: null,
        districtCode: '370215',
        parentId: 'd',
        archived: false,
      },
      {
        id: 'v',
        code: 'V',
        name: '社区',
        kind: 'OTHER',
        level: 'VILLAGE',
        domainCode: null,
        districtCode: '370215',
        parentId: 's',
        archived: true,
      },
      {
        id: 'z',
        code: 'Z',
        name: '功能区',
        kind: 'FUNCTION_ZONE',
        level: 'COUNTY',
        domainCode: null,
        districtCode: '370215',
        parentId: null,
        archived: false,
      },
    ],
    ['370215'],
    [],
  );

  it('finds every unit below a district, archived ones included, and knows which units answer for an area', () => {
    expect(tree.descendants('d').map((u) => u.id)).toEqual(['s', 'v']);
    expect(tree.isWithin('v', 'd')).toBe(true);
    expect(tree.isWithin('d', 'v')).toBe(false);
    expect(tree.isWithin('z', 'd')).toBe(false);
    expect(['d', 's', 'z'].map((id) => tree.isAreaUnit(id))).toEqual([true, false, true]);
    expect(tree.districtUnit('370215')?.id).toBe('d');
  });
});
