/**
 * Who may write the units subgraph, and who may read the enterprise directory — through the gateway
 * and directly against the subgraph, because bureau frontends call their subgraph directly and every
 * subgraph enforces permissions itself.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../platform/env.ts';
import { unitIdForCode } from '../db/reference/organisation.ts';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(async () => {
  await t?.stop();
});

type Transport = 'gateway' | 'units subgraph';
const transports: Transport[] = ['gateway', 'units subgraph'];

function send(transport: Transport, document: string, options: { as?: Caller; variables?: Record<string, unknown> } = {}) {
  return transport === 'gateway' ? t.query(document, options) : t.querySubgraph('units', document, options);
}

const ORDINARY_UNIT = 'STATISTICS_BUREAU';
const REGISTRY_OWNER = 'MARKET_REGULATION_BUREAU';
const SHINAN = '370202';
const SHIBEI = '370203';

let serial = 0;
/** A fresh credit code for each attempt, so no attempt can see another's enterprise. */
const freshCreditCode = (district = SHINAN) => sampleCreditCode(district, 500 + ++serial);
const freshUnitCode = () => `PERMISSION_TEST_UNIT_${++serial}`;

// ---- the four mutations, each with a way to see that nothing happened ----

const CREATE_UNIT = /* GraphQL */ `
  mutation Create($code: String!) {
    createUnit(input: { code: $code, name: "权限测试单位", kind: PARTICIPATING, level: CITY }) {
      id
      code
    }
  }
`;
const UPDATE_UNIT = /* GraphQL */ `
  mutation Update($id: ID!, $name: String!) {
    updateUnit(id: $id, input: { name: $name }) {
      id
      name
      version
    }
  }
`;
const ARCHIVE_UNIT = /* GraphQL */ `
  mutation Archive($id: ID!) {
    archiveUnit(id: $id, reason: "权限测试 / permission test") {
      id
      archived
    }
  }
`;
const UPSERT_ENTERPRISE = /* GraphQL */ `
  mutation Upsert($creditCode: String!) {
    upsertEnterprise(
      input: { creditCode: $creditCode, name: "权限测试有限公司", districtCode: "370202", industryCode: "C13", sizeClass: SMALL }
    ) {
      creditCode
      name
    }
  }
`;

interface DirectoryState {
  totalCount: number;
  target: { name: string; version: number; archived: boolean } | null;
  created: { id: string } | null;
  enterprise: { creditCode: string } | null;
}

/** Reads, as the command office, what a mutation could have changed. */
async function directoryState(targetId: string, createdCode: string, creditCode: string): Promise<DirectoryState> {
  const { data, errors } = await t.query(
    /* GraphQL */ `
      query State($targetId: ID!, $createdCode: String!, $creditCode: String!) {
        units(first: 1, filter: { includeArchived: true }) {
          totalCount
        }
        target: unit(id: $targetId) {
          name
          version
          archived
        }
        created: unit(code: $createdCode) {
          id
        }
        enterprise(creditCode: $creditCode) {
          creditCode
        }
      }
    `,
    { as: 'COMMAND_OFFICE', variables: { targetId, createdCode, creditCode } },
  );
  expect(errors).toBeUndefined();
  return { totalCount: data.units.totalCount, target: data.target, created: data.created, enterprise: data.enterprise };
}

async function createScratchUnit(): Promise<string> {
  const { data, errors } = await t.query(CREATE_UNIT, { as: 'COMMAND_OFFICE', variables: { code: freshUnitCode() } });
  expect(errors).toBeUndefined();
  return data.createUnit.id;
}

type MutationName = 'createUnit' | 'updateUnit' | 'archiveUnit' | 'upsertEnterprise';
const mutations: MutationName[] = ['createUnit', 'updateUnit', 'archiveUnit', 'upsertEnterprise'];

interface Attempt {
  response: GraphQLResponse;
  before: DirectoryState;
  after: DirectoryState;
}

/** Runs one mutation as `caller`, with the directory read before and after. */
async function attempt(transport: Transport, mutation: MutationName, caller: Caller): Promise<Attempt> {
  const target = await createScratchUnit();
  const createdCode = freshUnitCode();
  const creditCode = freshCreditCode();
  const before = await directoryState(target, createdCode, creditCode);
  const [document, variables] = {
    createUnit: [CREATE_UNIT, { code: createdCode }],
    updateUnit: [UPDATE_UNIT, { id: target, name: '改名后的权限测试单位' }],
    archiveUnit: [ARCHIVE_UNIT, { id: target }],
    upsertEnterprise: [UPSERT_ENTERPRISE, { creditCode }],
  }[mutation] as [string, Record<string, unknown>];
  const response = await send(transport, document, { as: caller, variables });
  const after = await directoryState(target, createdCode, creditCode);
  return { response, before, after };
}

function expectRefused({ response, before, after }: Attempt, code: string) {
  expect(response.status).toBe(200);
  expect(response.errors?.[0]?.extensions?.code).toBe(code);
  expect(response.errors?.[0]?.extensions?.messageZh).toEqual(expect.any(String));
  expect(response.errors?.[0]?.extensions?.messageEn).toEqual(expect.any(String));
  // Root fields are nullable (issue #20): a refused mutation answers null in its own field.
  expect(Object.values(response.data ?? {}).every((value) => value === null)).toBe(true);
  expect(after).toEqual(before);
  expect(after.created).toBeNull();
  expect(after.enterprise).toBeNull();
}

function expectAllowed(mutation: MutationName, { response, before, after }: Attempt) {
  expect(response.errors).toBeUndefined();
  switch (mutation) {
    case 'createUnit':
      expect(after.totalCount).toBe(before.totalCount + 1);
      expect(after.created).toEqual({ id: response.data.createUnit.id });
      break;
    case 'updateUnit':
      expect(after.target).toEqual({ name: '改名后的权限测试单位', version: before.target!.version + 1, archived: false });
      break;
    case 'archiveUnit':
      expect(after.target).toMatchObject({ archived: true, version: before.target!.version + 1 });
      break;
    case 'upsertEnterprise':
      expect(after.enterprise).toEqual({ creditCode: response.data.upsertEnterprise.creditCode });
      break;
  }
}

const ordinaryUnitStaff: Caller = { role: 'UNIT_STAFF', unit: ORDINARY_UNIT };
const ordinaryUnitAdmin: Caller = { role: 'UNIT_ADMIN', unit: ORDINARY_UNIT };
const registryStaff: Caller = { role: 'UNIT_STAFF', unit: REGISTRY_OWNER };
const enterpriseCaller: Caller = { role: 'ENTERPRISE', enterprise: '91350100M000100Y43' };

const roleCases: { name: string; caller: Caller; allowed: MutationName[]; refusal: string }[] = [
  { name: 'an anonymous caller', caller: 'ANONYMOUS', allowed: [], refusal: 'UNAUTHENTICATED' },
  { name: 'the command office', caller: 'COMMAND_OFFICE', allowed: mutations, refusal: 'FORBIDDEN' },
  { name: `the administrator of an ordinary unit (${ORDINARY_UNIT})`, caller: ordinaryUnitAdmin, allowed: [], refusal: 'FORBIDDEN' },
  { name: `staff of an ordinary unit (${ORDINARY_UNIT})`, caller: ordinaryUnitStaff, allowed: [], refusal: 'FORBIDDEN' },
  { name: 'staff of 市市场监管局, the registry owner', caller: registryStaff, allowed: ['upsertEnterprise'], refusal: 'FORBIDDEN' },
  { name: 'an enterprise', caller: enterpriseCaller, allowed: [], refusal: 'FORBIDDEN' },
  { name: 'an observer', caller: 'OBSERVER', allowed: [], refusal: 'FORBIDDEN' },
];

for (const transport of transports) {
  describe(`units mutations through the ${transport}`, () => {
    for (const { name, caller, allowed, refusal } of roleCases) {
      for (const mutation of mutations) {
        if (allowed.includes(mutation)) {
          it(`lets ${name} ${mutation}`, async () => {
            expectAllowed(mutation, await attempt(transport, mutation, caller));
          });
        } else {
          it(`refuses ${mutation} to ${name} with ${refusal} and changes nothing`, async () => {
            expectRefused(await attempt(transport, mutation, caller), refusal);
          });
        }
      }
    }

    it('lets the administrator of 市市场监管局 write the enterprise registry but not the unit directory', async () => {
      const admin: Caller = { role: 'UNIT_ADMIN', unit: REGISTRY_OWNER };
      expectAllowed('upsertEnterprise', await attempt(transport, 'upsertEnterprise', admin));
      expectRefused(await attempt(transport, 'createUnit', admin), 'FORBIDDEN');
    });
  });
}

// ---- tokens that must not verify ----

async function signWith(secret: string, claims: Record<string, unknown>, expiresAt: number) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('test-token-holder')
    .setIssuedAt(expiresAt - 3600)
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

const now = () => Math.floor(Date.now() / 1000);
const commandOfficeClaims = { role: 'COMMAND_OFFICE', unit: unitIdForCode('COMMAND_OFFICE') };

describe('tokens that do not verify', () => {
  const badTokens: { name: string; token: () => Promise<string> }[] = [
    { name: 'an expired token', token: () => signWith(DEVELOPMENT_JWT_SECRET, commandOfficeClaims, now() - 60) },
    {
      name: 'a token signed with the wrong secret',
      token: () => signWith('not-the-platform-secret-at-all-0123456789', commandOfficeClaims, now() + 3600),
    },
    {
      name: 'a token whose claims were changed after signing',
      token: async () => {
        const [header, , signature] = (await signWith(DEVELOPMENT_JWT_SECRET, { role: 'OBSERVER' }, now() + 3600)).split('.');
        const forged = Buffer.from(JSON.stringify({ ...commandOfficeClaims, sub: 'x', exp: now() + 3600 })).toString('base64url');
        return `${header}.${forged}.${signature}`;
      },
    },
    {
      name: 'an unsigned token (alg none)',
      token: async () => {
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const payload = Buffer.from(JSON.stringify({ ...commandOfficeClaims, sub: 'x', exp: now() + 3600 })).toString('base64url');
        return `${header}.${payload}.`;
      },
    },
    { name: 'a token with an unknown role', token: () => signWith(DEVELOPMENT_JWT_SECRET, { role: 'MAYOR' }, now() + 3600) },
  ];

  for (const transport of transports) {
    for (const { name, token } of badTokens) {
      it(`answers ${name} with UNAUTHENTICATED through the ${transport}, even for public data`, async () => {
        const bad = await token();
        const read = await send(transport, '{ domains { code } }', { as: { token: bad } });
        expect(read.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        expect(read.data ?? null).toBeNull();

        const createdCode = freshUnitCode();
        const before = await directoryState(unitIdForCode(ORDINARY_UNIT), createdCode, freshCreditCode());
        const write = await send(transport, CREATE_UNIT, { as: { token: bad }, variables: { code: createdCode } });
        expect(write.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
        expect(await directoryState(unitIdForCode(ORDINARY_UNIT), createdCode, freshCreditCode())).toEqual({
          ...before,
          enterprise: null,
        });
      });
    }
  }

  it('accepts the same claims signed with the platform secret and still valid', async () => {
    const good = await signWith(DEVELOPMENT_JWT_SECRET, commandOfficeClaims, now() + 3600);
    for (const transport of transports) {
      const { data, errors } = await send(transport, '{ viewer { role unit { code } } }', { as: { token: good } });
      expect(errors).toBeUndefined();
      expect(data.viewer).toEqual({ role: 'COMMAND_OFFICE', unit: { code: 'COMMAND_OFFICE' } });
    }
  });
});

// ---- reading the enterprise directory ----

describe('who may read the enterprise directory', () => {
  const inShinan = sampleCreditCode(SHINAN, 901);
  const alsoInShinan = sampleCreditCode(SHINAN, 902);
  const inShibei = sampleCreditCode(SHIBEI, 903);

  beforeAll(async () => {
    for (const [creditCode, districtCode, name] of [
      [inShinan, SHINAN, '市南读取测试甲有限公司'],
      [alsoInShinan, SHINAN, '市南读取测试乙有限公司'],
      [inShibei, SHIBEI, '市北读取测试有限公司'],
    ]) {
      const { errors } = await t.query(
        /* GraphQL */ `
          mutation ($creditCode: String!, $districtCode: String!, $name: String!) {
            upsertEnterprise(
              input: { creditCode: $creditCode, name: $name, districtCode: $districtCode, industryCode: "I", sizeClass: MICRO }
            ) {
              creditCode
            }
          }
        `,
        { as: 'COMMAND_OFFICE', variables: { creditCode, districtCode, name } },
      );
      expect(errors).toBeUndefined();
    }
  });

  const READ = /* GraphQL */ `
    query Read($creditCode: String!) {
      enterprise(creditCode: $creditCode) {
        creditCode
        name
        district {
          code
        }
      }
    }
  `;
  const LIST = /* GraphQL */ `
    query List($districtCode: String) {
      enterprises(first: 100, filter: { districtCode: $districtCode }) {
        totalCount
        edges {
          node {
            creditCode
          }
        }
      }
    }
  `;
  const listed = (response: GraphQLResponse) => response.data.enterprises.edges.map((edge: any) => edge.node.creditCode).sort();
  const readCode = async (transport: Transport, caller: Caller, creditCode: string) => {
    const response = await send(transport, READ, { as: caller, variables: { creditCode } });
    expect(response.errors).toBeUndefined();
    return response.data.enterprise?.creditCode ?? null;
  };

  for (const transport of transports) {
    describe(`through the ${transport}`, () => {
      it('shows an enterprise its own record, as the viewer and by credit code', async () => {
        const self: Caller = { role: 'ENTERPRISE', enterprise: inShinan };
        expect(await readCode(transport, self, inShinan)).toBe(inShinan);
        expect(await readCode(transport, self, inShinan.toLowerCase())).toBe(inShinan);
        const viewer = await send(transport, '{ viewer { role enterprise { creditCode name } } }', { as: self });
        expect(viewer.data.viewer).toEqual({ role: 'ENTERPRISE', enterprise: { creditCode: inShinan, name: '市南读取测试甲有限公司' } });
        const list = await send(transport, LIST, { as: self });
        expect(list.errors).toBeUndefined();
        expect(listed(list)).toEqual([inShinan]);
        expect(list.data.enterprises.totalCount).toBe(1);
      });

      it('hides another enterprise’s record from an enterprise (null, as if absent)', async () => {
        const other: Caller = { role: 'ENTERPRISE', enterprise: alsoInShinan };
        expect(await readCode(transport, other, inShinan)).toBeNull();
        expect(await readCode(transport, other, inShibei)).toBeNull();
        const list = await send(transport, LIST, { as: other });
        expect(listed(list)).toEqual([alsoInShinan]);
      });

      it('shows a city bureau every enterprise of the city', async () => {
        const bureau: Caller = { role: 'UNIT_STAFF', unit: ORDINARY_UNIT };
        expect(await readCode(transport, bureau, inShinan)).toBe(inShinan);
        expect(await readCode(transport, bureau, inShibei)).toBe(inShibei);
        const list = await send(transport, LIST, { as: bureau });
        expect(listed(list)).toEqual(expect.arrayContaining([inShinan, alsoInShinan, inShibei]));
        expect(listed(list).some((code: string) => code.slice(2, 8) === SHIBEI)).toBe(true);
      });

      it('shows 市南区 only the enterprises registered in 370202', async () => {
        const district: Caller = { role: 'UNIT_ADMIN', unit: 'SHINAN_DISTRICT' };
        expect(await readCode(transport, district, inShinan)).toBe(inShinan);
        expect(await readCode(transport, district, inShibei)).toBeNull();

        const all = await send(transport, LIST, { as: district });
        expect(all.errors).toBeUndefined();
        expect(listed(all)).toEqual(expect.arrayContaining([inShinan, alsoInShinan]));
        expect(listed(all)).not.toContain(inShibei);
        const everyDistrict = await send(transport, `{ enterprises(first: 100) { totalCount edges { node { district { code } } } } }`, {
          as: district,
        });
        expect(new Set(everyDistrict.data.enterprises.edges.map((edge: any) => edge.node.district.code))).toEqual(new Set([SHINAN]));
        expect(everyDistrict.data.enterprises.totalCount).toBe(everyDistrict.data.enterprises.edges.length);

        // Asking for another district's enterprises does not widen what it sees.
        const shibei = await send(transport, LIST, { as: district, variables: { districtCode: SHIBEI } });
        expect(shibei.errors).toBeUndefined();
        expect(shibei.data.enterprises).toEqual({ totalCount: 0, edges: [] });
      });

      it('refuses the directory to an observer with FORBIDDEN', async () => {
        for (const document of [READ, LIST]) {
          const response = await send(transport, document, { as: 'OBSERVER', variables: { creditCode: inShinan } });
          expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
          expect(JSON.stringify(response.data ?? null)).not.toContain(inShinan);
        }
      });

      it('refuses the directory to an anonymous caller with UNAUTHENTICATED', async () => {
        for (const document of [READ, LIST]) {
          const response = await send(transport, document, { variables: { creditCode: inShinan } });
          expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
          expect(JSON.stringify(response.data ?? null)).not.toContain(inShinan);
        }
      });
    });
  }

  it('resolves enterprise references for `_entities` only where the caller may see them', async () => {
    const ENTITIES = /* GraphQL */ `
      query ($representations: [_Any!]!) {
        _entities(representations: $representations) {
          ... on Enterprise {
            creditCode
          }
        }
      }
    `;
    const representations = [inShinan, inShibei].map((creditCode) => ({ __typename: 'Enterprise', creditCode }));
    const as = async (caller: Caller) =>
      (await t.querySubgraph('units', ENTITIES, { as: caller, variables: { representations } })).data._entities.map(
        (entity: { creditCode: string } | null) => entity?.creditCode ?? null,
      );
    expect(await as('COMMAND_OFFICE')).toEqual([inShinan, inShibei]);
    expect(await as({ role: 'UNIT_STAFF', unit: 'SHINAN_DISTRICT' })).toEqual([inShinan, null]);
    expect(await as({ role: 'ENTERPRISE', enterprise: inShibei })).toEqual([null, inShibei]);
    expect(await as('OBSERVER')).toEqual([null, null]);
    expect(await as('ANONYMOUS')).toEqual([null, null]);
  });
});

// ---- a token whose unit has been archived ----

describe('a token whose unit has been archived', () => {
  let archived: TestPlatform;
  beforeAll(async () => {
    archived = await startTestPlatform();
    const co = { as: 'COMMAND_OFFICE' as const };
    // 市市场监管局 leads a domain, and a lead cannot be archived: the command office first makes it
    // an ordinary unit (as it would after handing the domain to another bureau), then archives it.
    const demoted = await archived.query(`mutation($id: ID!) { updateUnit(id: $id, input: { kind: PARTICIPATING }) { kind } }`, {
      ...co,
      variables: { id: unitIdForCode(REGISTRY_OWNER) },
    });
    expect(demoted.errors).toBeUndefined();
    for (const code of [REGISTRY_OWNER, ORDINARY_UNIT]) {
      const done = await archived.query(ARCHIVE_UNIT, { ...co, variables: { id: unitIdForCode(code) } });
      expect(done.errors).toBeUndefined();
      expect(done.data.archiveUnit.archived).toBe(true);
    }
  });
  afterAll(async () => {
    await archived?.stop();
  });

  for (const transport of transports) {
    const sendTo = (document: string, options: { as?: Caller; variables?: Record<string, unknown> }) =>
      transport === 'gateway' ? archived.query(document, options) : archived.querySubgraph('units', document, options);

    it(`keeps staff of the archived registry owner from writing enterprises (${transport})`, async () => {
      const creditCode = sampleCreditCode(SHINAN, 950 + transports.indexOf(transport));
      for (const role of ['UNIT_STAFF', 'UNIT_ADMIN'] as const) {
        const response = await sendTo(UPSERT_ENTERPRISE, { as: { role, unit: REGISTRY_OWNER }, variables: { creditCode } });
        expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      }
      const check = await archived.query(`query($c: String!) { enterprise(creditCode: $c) { creditCode } }`, {
        as: 'COMMAND_OFFICE',
        variables: { c: creditCode },
      });
      expect(check.data.enterprise).toBeNull();
    });

    it(`refuses the enterprise directory to staff of an archived unit (${transport})`, async () => {
      const response = await sendTo('{ enterprises(first: 5) { totalCount } }', { as: { role: 'UNIT_STAFF', unit: ORDINARY_UNIT } });
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    });

    it(`keeps a command-office token whose unit is archived from writing units (${transport})`, async () => {
      const code = `ARCHIVED_TOKEN_${transports.indexOf(transport)}`;
      const response = await sendTo(CREATE_UNIT, { as: { role: 'COMMAND_OFFICE', unit: ORDINARY_UNIT }, variables: { code } });
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const check = await archived.query(`query($code: String!) { unit(code: $code) { id } }`, { variables: { code } });
      expect(check.data.unit).toBeNull();
    });
  }
});
