/**
 * Bad input to the units subgraph: every refusal is coded, bilingual, names the field, and leaves the
 * data as it was. Also the rules of the unit lifecycle, the change history, and pagination.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceUnits, unitIdForCode } from '../db/reference/organisation.ts';
import { creditCodeCheckCharacter } from '../platform/credit-code.ts';
import { encodeCursor } from '../platform/pagination.ts';
import { sqlState } from '../db/client.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

const CO = { as: 'COMMAND_OFFICE' as const };

function expectCoded(response: GraphQLResponse, code: string) {
  const error = response.errors?.[0];
  expect(error?.extensions?.code, JSON.stringify(response.errors)).toBe(code);
  expect(error!.extensions!.messageZh).toMatch(/[\u4e00-\u9fff]/);
  expect(error!.extensions!.messageEn).toMatch(/[A-Za-z]{3}/);
  expect(error!.message).toContain(error!.extensions!.messageZh);
  expect(error!.message).toContain(error!.extensions!.messageEn);
  return error!.extensions!;
}

/** Every message along an error's cause chain (drizzle wraps the database's error). */
function messages(error: unknown): string {
  const found: string[] = [];
  for (let current = error; current instanceof Error; current = current.cause) found.push(current.message);
  return found.join('\n');
}

function expectBadInput(response: GraphQLResponse, field: string) {
  const extensions = expectCoded(response, 'BAD_USER_INPUT');
  expect(extensions.field).toBe(field);
  return extensions;
}

describe('validation and lifecycle of units and enterprises', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  let serial = 0;
  const uniqueCode = (prefix = 'VALIDATION') => `${prefix}_${++serial}`;

  async function unitCount(): Promise<number> {
    const { data } = await t.query(`{ units(first: 1, filter: { includeArchived: true }) { totalCount } }`);
    return data.units.totalCount;
  }

  async function enterpriseCount(): Promise<number> {
    const { data, errors } = await t.query(`{ enterprises(first: 1) { totalCount } }`, CO);
    expect(errors).toBeUndefined();
    return data.enterprises.totalCount;
  }

  async function unitById(id: string) {
    const { data, errors } = await t.query(
      `query($id: ID!) { unit(id: $id) { id code name kind version archived archivedAt parent { id } domain { code } } }`,
      { variables: { id } },
    );
    expect(errors).toBeUndefined();
    return data.unit;
  }

  async function createUnit(input: Record<string, unknown>, as: Caller = 'COMMAND_OFFICE') {
    return t.query(`mutation($input: CreateUnitInput!) { createUnit(input: $input) { id code name version } }`, {
      as,
      variables: { input: { name: '校验测试单位', kind: 'OTHER', level: 'CITY', ...input } },
    });
  }

  async function newUnit(input: Record<string, unknown> = {}): Promise<string> {
    const response = await createUnit({ code: uniqueCode(), ...input });
    expect(response.errors).toBeUndefined();
    return response.data.createUnit.id;
  }

  const UPDATE = `mutation($id: ID!, $input: UpdateUnitInput!) { updateUnit(id: $id, input: $input) { id name version parent { id } } }`;
  const ARCHIVE = `mutation($id: ID!, $reason: String!) { archiveUnit(id: $id, reason: $reason) { id archived archivedAt version } }`;

  // ---- enterprises ----

  describe('upsertEnterprise', () => {
    const UPSERT = /* GraphQL */ `
      mutation ($input: UpsertEnterpriseInput!) {
        upsertEnterprise(input: $input) {
          creditCode
          name
          industryCode
          industry {
            code
            name
          }
          district {
            code
          }
          version
          sample
        }
      }
    `;
    const upsert = (input: Record<string, unknown>) =>
      t.query(UPSERT, {
        ...CO,
        variables: { input: { name: '校验测试有限公司', districtCode: '370202', industryCode: 'C13', sizeClass: 'SMALL', ...input } },
      });
    const read = async (creditCode: string) =>
      (
        await t.query(`query($c: String!) { enterprise(creditCode: $c) { creditCode name version } }`, {
          ...CO,
          variables: { c: creditCode },
        })
      ).data.enterprise;

    /** A valid code of the given district whose organisation part is `body` (9 characters). */
    const codeWith = (body: string, district = '370202') => {
      const first17 = `91${district}${body}`;
      return first17 + creditCodeCheckCharacter(first17);
    };

    it('refuses a credit code with a wrong check character, naming creditCode, and registers nothing', async () => {
      const valid = codeWith('MA3C00001');
      const wrong = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
      const before = await enterpriseCount();
      const extensions = expectBadInput(await upsert({ creditCode: wrong }), 'input.creditCode');
      expect(extensions.messageZh).toContain('校验位');
      expect(await read(wrong)).toBeNull();
      expect(await read(valid)).toBeNull();
      expect(await enterpriseCount()).toBe(before);
    });

    it('refuses a credit code of the wrong length', async () => {
      const before = await enterpriseCount();
      for (const creditCode of ['', '91350100M000100Y4', '91350100M000100Y433', '370202000012345']) {
        const extensions = expectBadInput(await upsert({ creditCode }), 'input.creditCode');
        expect(extensions.messageEn).toContain('18');
      }
      expect(await enterpriseCount()).toBe(before);
    });

    it('refuses the letters I, O, S, V and Z in a credit code', async () => {
      const before = await enterpriseCount();
      for (const letter of ['I', 'O', 'S', 'V', 'Z']) {
        // A check character computed as if the letter were allowed: only the alphabet can be the problem.
        const creditCode = `91370202MA3C${letter}0001` + '0';
        const extensions = expectBadInput(await upsert({ creditCode }), 'input.creditCode');
        expect(extensions.messageEn).toContain('I, O, S, V, Z');
        expect(await read(creditCode)).toBeNull();
      }
      expect(await enterpriseCount()).toBe(before);
    });

    it('accepts a lower-case credit code with stray spaces and stores it upper-case', async () => {
      const creditCode = codeWith('MA3C0000A');
      const response = await upsert({ creditCode: `  ${creditCode.toLowerCase()} ` });
      expect(response.errors).toBeUndefined();
      expect(response.data.upsertEnterprise).toMatchObject({ creditCode, version: 1, sample: false, district: { code: '370202' } });
      expect((await read(creditCode.toLowerCase()))?.creditCode).toBe(creditCode);
      // The same entity typed again in lower case updates it instead of registering a twin.
      const again = await upsert({ creditCode: creditCode.toLowerCase(), name: '校验测试有限公司（更名）' });
      expect(again.data.upsertEnterprise).toMatchObject({ creditCode, version: 2, name: '校验测试有限公司（更名）' });
    });

    it('refuses an unknown district code', async () => {
      const creditCode = codeWith('MA3C0000B');
      const before = await enterpriseCount();
      for (const districtCode of ['370299', '110101', '', 'SHINAN']) {
        expectBadInput(await upsert({ creditCode, districtCode }), 'input.districtCode');
      }
      expect(await read(creditCode)).toBeNull();
      expect(await enterpriseCount()).toBe(before);
    });

    it('refuses an industry code that is not GB/T 4754, and normalises a good one', async () => {
      const creditCode = codeWith('MA3C0000C');
      const before = await enterpriseCount();
      for (const industryCode of ['', 'U', 'Z', 'C1', 'CC', 'C12345', '13', 'C-13']) {
        const extensions = expectBadInput(await upsert({ creditCode, industryCode }), 'input.industryCode');
        expect(extensions.messageEn).toContain('GB/T 4754');
      }
      // The right shape and section, but a division of another section (GB/T 4754-2017: C is 13–43, K only 70).
      for (const [industryCode, division] of [
        ['C9999', '大类 99 不属于门类 C'],
        ['C12', '大类 12 不属于门类 C'],
        ['F3484', '大类 34 不属于门类 F'],
        ['K71', '大类 71 不属于门类 K'],
        ['A00', '大类 00 不属于门类 A'],
      ] as const) {
        const extensions = expectBadInput(await upsert({ creditCode, industryCode }), 'input.industryCode');
        expect(extensions.messageZh).toContain(division);
        expect(extensions.messageEn).toContain('GB/T 4754-2017');
      }
      expect(await read(creditCode)).toBeNull();
      expect(await enterpriseCount()).toBe(before);

      const good = await upsert({ creditCode, industryCode: ' c131 ' });
      expect(good.errors).toBeUndefined();
      expect(good.data.upsertEnterprise).toMatchObject({ industryCode: 'C131', industry: { code: 'C', name: '制造业' } });
    });

    it('refuses an empty name', async () => {
      const creditCode = codeWith('MA3C0000D');
      expectBadInput(await upsert({ creditCode, name: '   ' }), 'input.name');
      expect(await read(creditCode)).toBeNull();
    });

    it('refuses a stale expectedVersion with CONFLICT and the current version', async () => {
      const creditCode = codeWith('MA3C0000E');
      expect((await upsert({ creditCode })).errors).toBeUndefined();
      expect((await upsert({ creditCode, name: '第二版有限公司', expectedVersion: 1 })).errors).toBeUndefined();
      const stale = await upsert({ creditCode, name: '过时的修改有限公司', expectedVersion: 1 });
      expect(expectCoded(stale, 'CONFLICT').currentVersion).toBe(2);
      expect(await read(creditCode)).toEqual({ creditCode, name: '第二版有限公司', version: 2 });
    });
  });

  // ---- createUnit ----

  describe('createUnit', () => {
    it('refuses a code that is not upper-case letters, digits and underscores', async () => {
      const before = await unitCount();
      for (const code of ['harbour_bureau', 'Harbour_Bureau', '1HARBOUR', 'HARBOUR-BUREAU', 'H', '港口局', '']) {
        expectBadInput(await createUnit({ code }), 'input.code');
      }
      expect(await unitCount()).toBe(before);
      const { data } = await t.query(`{ unit(code: "harbour_bureau") { id } }`);
      expect(data.unit).toBeNull();
    });

    it('refuses a code that is already taken with CONFLICT', async () => {
      const before = await unitCount();
      const statistics = await unitById(unitIdForCode('STATISTICS_BUREAU'));
      expectCoded(await createUnit({ code: 'STATISTICS_BUREAU', name: '另一个统计局' }), 'CONFLICT');
      expect(await unitCount()).toBe(before);
      expect(await unitById(unitIdForCode('STATISTICS_BUREAU'))).toEqual(statistics);
    });

    it('refuses a lead unit without a domain', async () => {
      const before = await unitCount();
      const code = uniqueCode();
      expectBadInput(await createUnit({ code, kind: 'LEAD' }), 'input.domainCode');
      expectBadInput(await createUnit({ code, kind: 'RESPONSIBLE' }), 'input.domainCode');
      expect(await unitCount()).toBe(before);
    });

    it('refuses a second active lead unit for a domain with CONFLICT', async () => {
      const before = await unitCount();
      const code = uniqueCode();
      expectCoded(await createUnit({ code, kind: 'LEAD', domainCode: 'MARKET_REGULATION' }), 'CONFLICT');
      expect(await unitCount()).toBe(before);
      const { data } = await t.query(`{ domain(code: "MARKET_REGULATION") { leadUnit { code } } }`);
      expect(data.domain.leadUnit.code).toBe('MARKET_REGULATION_BUREAU');
    });

    it('refuses an unknown domain, a district unit without its district, and a second command office', async () => {
      const before = await unitCount();
      expectBadInput(await createUnit({ code: uniqueCode(), kind: 'RESPONSIBLE', domainCode: 'NO_SUCH_DOMAIN' }), 'input.domainCode');
      expectBadInput(await createUnit({ code: uniqueCode(), kind: 'DISTRICT', level: 'COUNTY' }), 'input.districtCode');
      expectBadInput(await createUnit({ code: uniqueCode(), districtCode: '370299' }), 'input.districtCode');
      expectBadInput(await createUnit({ code: uniqueCode(), kind: 'COMMAND_OFFICE' }), 'input.kind');
      expectBadInput(await createUnit({ code: uniqueCode(), name: ' ' }), 'input.name');
      expectBadInput(await createUnit({ code: uniqueCode(), name: '长'.repeat(121) }), 'input.name');
      expect(await unitCount()).toBe(before);
    });

    it('refuses an unknown parent, whether a well-formed id or not', async () => {
      const before = await unitCount();
      expectBadInput(await createUnit({ code: uniqueCode(), parentId: randomUUID() }), 'input.parentId');
      expectBadInput(await createUnit({ code: uniqueCode(), parentId: 'not-a-unit-id' }), 'input.parentId');
      expect(await unitCount()).toBe(before);
    });

    it('treats an empty domain, district or parent as a code that names nothing, not as none', async () => {
      const before = await unitCount();
      expectBadInput(await createUnit({ code: uniqueCode(), domainCode: '' }), 'input.domainCode');
      expectBadInput(await createUnit({ code: uniqueCode(), districtCode: '' }), 'input.districtCode');
      expectBadInput(await createUnit({ code: uniqueCode(), parentId: '' }), 'input.parentId');
      expect(await unitCount()).toBe(before);
    });

    it('creates a unit under an existing parent', async () => {
      const parent = await newUnit();
      const child = await newUnit({ parentId: parent, aliases: [' 别名 ', '别名', ''] });
      expect((await unitById(child)).parent).toEqual({ id: parent });
      const { data } = await t.query(`query($id: ID!) { unit(id: $id) { aliases } }`, { variables: { id: child } });
      expect(data.unit.aliases).toEqual(['别名']);
    });
  });

  // ---- updateUnit ----

  describe('updateUnit', () => {
    it('refuses to put a unit under itself or under its own descendant', async () => {
      const a = await newUnit();
      const b = await newUnit({ parentId: a });
      const c = await newUnit({ parentId: b });
      const before = await unitById(a);
      for (const parentId of [a, b, c]) {
        expectBadInput(await t.query(UPDATE, { ...CO, variables: { id: a, input: { parentId } } }), 'input.parentId');
      }
      expect(await unitById(a)).toEqual(before);
      // Moving the other way is fine: c leaves b for a.
      const moved = await t.query(UPDATE, { ...CO, variables: { id: c, input: { parentId: a } } });
      expect(moved.errors).toBeUndefined();
      expect(moved.data.updateUnit.parent).toEqual({ id: a });
    });

    it('refuses a stale expectedVersion with CONFLICT and tells the current version', async () => {
      const id = await newUnit();
      const first = await t.query(UPDATE, { ...CO, variables: { id, input: { name: '第一次修改', expectedVersion: 1 } } });
      expect(first.errors).toBeUndefined();
      expect(first.data.updateUnit.version).toBe(2);
      const stale = await t.query(UPDATE, { ...CO, variables: { id, input: { name: '过时的修改', expectedVersion: 1 } } });
      expect(expectCoded(stale, 'CONFLICT').currentVersion).toBe(2);
      expect(await unitById(id)).toMatchObject({ name: '第一次修改', version: 2 });
    });

    it('refuses to make a unit a second lead of a domain with CONFLICT', async () => {
      const before = await unitById(unitIdForCode('STATISTICS_BUREAU'));
      const response = await t.query(UPDATE, {
        ...CO,
        variables: { id: unitIdForCode('STATISTICS_BUREAU'), input: { kind: 'LEAD', domainCode: 'MARKET_REGULATION' } },
      });
      expectCoded(response, 'CONFLICT');
      expect(await unitById(unitIdForCode('STATISTICS_BUREAU'))).toEqual(before);
    });

    it('answers NOT_FOUND for an id that names no unit', async () => {
      for (const id of [randomUUID(), 'not-a-unit-id']) {
        expectCoded(await t.query(UPDATE, { ...CO, variables: { id, input: { name: '无' } } }), 'NOT_FOUND');
      }
    });

    it('checks the command office’s domain, district and parent like any other unit’s', async () => {
      const id = unitIdForCode('COMMAND_OFFICE');
      const before = await unitById(id);
      for (const [input, field] of [
        [{ domainCode: 'NO_SUCH_DOMAIN' }, 'input.domainCode'],
        [{ districtCode: '370299' }, 'input.districtCode'],
        [{ parentId: 'not-a-unit-id' }, 'input.parentId'],
        [{ parentId: id }, 'input.parentId'],
      ] as const) {
        expectBadInput(await t.query(UPDATE, { ...CO, variables: { id, input } }), field);
      }
      expect(await unitById(id)).toEqual(before);
      const renamed = await t.query(UPDATE, { ...CO, variables: { id, input: { aliases: ['市指挥部办公室', '指挥部办公室'] } } });
      expect(renamed.errors).toBeUndefined();
    });

    it('refuses to change the command office into another kind', async () => {
      const before = await unitById(unitIdForCode('COMMAND_OFFICE'));
      const response = await t.query(UPDATE, { ...CO, variables: { id: unitIdForCode('COMMAND_OFFICE'), input: { kind: 'OTHER' } } });
      expectBadInput(response, 'input.kind');
      expect(await unitById(unitIdForCode('COMMAND_OFFICE'))).toEqual(before);
    });
  });

  // ---- archiveUnit ----

  describe('archiveUnit', () => {
    it('refuses to archive the command office', async () => {
      const before = await unitById(unitIdForCode('COMMAND_OFFICE'));
      const response = await t.query(ARCHIVE, { ...CO, variables: { id: unitIdForCode('COMMAND_OFFICE'), reason: '测试' } });
      expect(expectCoded(response, 'INVALID_TRANSITION').currentState).toBe('ACTIVE');
      expect(await unitById(unitIdForCode('COMMAND_OFFICE'))).toEqual(before);
    });

    it('refuses to archive a lead unit', async () => {
      const id = unitIdForCode('MARKET_REGULATION_BUREAU');
      const before = await unitById(id);
      expectCoded(await t.query(ARCHIVE, { ...CO, variables: { id, reason: '测试' } }), 'INVALID_TRANSITION');
      expect(await unitById(id)).toEqual(before);
      expect(before.archived).toBe(false);
    });

    it('refuses an empty reason', async () => {
      const id = await newUnit();
      expectBadInput(await t.query(ARCHIVE, { ...CO, variables: { id, reason: '  ' } }), 'reason');
      expect((await unitById(id)).archived).toBe(false);
    });

    it('archives once, then refuses to archive or change the archived unit', async () => {
      const id = await newUnit();
      const first = await t.query(ARCHIVE, { ...CO, variables: { id, reason: '撤并' } });
      expect(first.errors).toBeUndefined();
      expect(first.data.archiveUnit).toMatchObject({ id, archived: true, archivedAt: expect.stringMatching(/\+08:00$/), version: 2 });
      const archived = await unitById(id);

      const second = await t.query(ARCHIVE, { ...CO, variables: { id, reason: '再次撤并' } });
      expect(expectCoded(second, 'INVALID_TRANSITION').currentState).toBe('ARCHIVED');
      expectCoded(await t.query(UPDATE, { ...CO, variables: { id, input: { name: '复活' } } }), 'INVALID_TRANSITION');
      expect(await unitById(id)).toEqual(archived);
    });

    it('leaves an archived unit out of the directory unless asked, but unit(id) still finds it', async () => {
      const code = uniqueCode('ARCHIVED_UNIT');
      const id = await newUnit({ code, kind: 'RESPONSIBLE', domainCode: 'POLITICS_LAW' });
      const LIST = `query($f: UnitFilter) { units(first: 100, filter: $f) { totalCount edges { node { code archived } } } }`;
      const listed = async (filter: Record<string, unknown>) => (await t.query(LIST, { variables: { f: filter } })).data.units;
      const domainUnits = async () =>
        (await t.query(`{ domain(code: "POLITICS_LAW") { responsibleUnits { code } units { code } } }`)).data.domain;

      const activeBefore = await listed({});
      expect(activeBefore.edges.map((e: any) => e.node.code)).toContain(code);
      expect((await domainUnits()).responsibleUnits.map((u: any) => u.code)).toContain(code);

      expect((await t.query(ARCHIVE, { ...CO, variables: { id, reason: '职责调整' } })).errors).toBeUndefined();

      const active = await listed({});
      expect(active.edges.map((e: any) => e.node.code)).not.toContain(code);
      expect(active.totalCount).toBe(activeBefore.totalCount - 1);
      expect(active.edges.every((e: any) => e.node.archived === false)).toBe(true);
      expect((await listed({ domainCode: 'POLITICS_LAW' })).edges.map((e: any) => e.node.code)).not.toContain(code);

      const all = await listed({ includeArchived: true });
      expect(all.edges).toContainEqual({ node: { code, archived: true } });
      expect(all.totalCount).toBe(
        active.totalCount + (await listed({ includeArchived: true })).edges.filter((e: any) => e.node.archived).length,
      );

      expect(await unitById(id)).toMatchObject({ id, code, archived: true, archivedAt: expect.any(String) });
      const byCode = await t.query(`query($code: String!) { unit(code: $code) { id archived } }`, { variables: { code } });
      expect(byCode.data.unit).toEqual({ id, archived: true });
      expect((await domainUnits()).units.map((u: any) => u.code)).not.toContain(code);
    });
  });

  // ---- change history ----

  describe('change history', () => {
    const CHANGES = /* GraphQL */ `
      query ($id: ID!) {
        unit(id: $id) {
          changes(first: 50) {
            totalCount
            edges {
              node {
                id
                action
                actorSubject
                actorRole
                at
                before
                after
              }
            }
          }
        }
      }
    `;

    it('records create, update and archive with the actor, oldest first', async () => {
      const actor: Caller = { role: 'COMMAND_OFFICE', subject: 'wang.fang@qingdao' };
      const created = await createUnit({ code: uniqueCode('HISTORY'), name: '历史测试单位' }, actor);
      const id = created.data.createUnit.id;
      expect((await t.query(UPDATE, { as: actor, variables: { id, input: { name: '历史测试单位（改）' } } })).errors).toBeUndefined();
      // A refused change leaves no trace.
      expectCoded(await t.query(UPDATE, { as: actor, variables: { id, input: { name: 'x', expectedVersion: 1 } } }), 'CONFLICT');
      expect((await t.query(ARCHIVE, { as: actor, variables: { id, reason: '机构改革' } })).errors).toBeUndefined();

      const { data, errors } = await t.query(CHANGES, { ...CO, variables: { id } });
      expect(errors).toBeUndefined();
      const changes = data.unit.changes;
      expect(changes.totalCount).toBe(3);
      const nodes = changes.edges.map((e: any) => e.node);
      expect(nodes.map((n: any) => [n.action, n.actorSubject, n.actorRole])).toEqual([
        ['create', 'wang.fang@qingdao', 'COMMAND_OFFICE'],
        ['update', 'wang.fang@qingdao', 'COMMAND_OFFICE'],
        ['archive', 'wang.fang@qingdao', 'COMMAND_OFFICE'],
      ]);
      expect(nodes.every((n: any) => /\+08:00$/.test(n.at))).toBe(true);
      const [create, update, archive] = nodes.map((n: any) => ({ before: JSON.parse(n.before), after: JSON.parse(n.after) }));
      expect(create.before).toBeNull();
      expect(create.after).toMatchObject({ id, name: '历史测试单位', version: 1 });
      expect(update.before).toMatchObject({ name: '历史测试单位', version: 1 });
      expect(update.after).toMatchObject({ name: '历史测试单位（改）', version: 2 });
      expect(archive.before.archivedAt).toBeNull();
      expect(archive.after).toMatchObject({ reason: '机构改革', version: 3, archivedAt: expect.any(String) });
    });

    it('shows the history to the command office only', async () => {
      const id = await newUnit();
      for (const [as, code] of [
        [{ role: 'UNIT_ADMIN', unit: 'STATISTICS_BUREAU' }, 'FORBIDDEN'],
        [{ role: 'UNIT_STAFF', unit: 'MARKET_REGULATION_BUREAU' }, 'FORBIDDEN'],
        ['OBSERVER', 'FORBIDDEN'],
        ['ANONYMOUS', 'UNAUTHENTICATED'],
      ] as [Caller, string][]) {
        const response = await t.query(CHANGES, { as, variables: { id } });
        expectCoded(response, code);
        expect(response.data?.unit ?? null).toBeNull();
      }
    });

    it('cannot be rewritten, even with SQL straight to the database', async () => {
      const id = await newUnit();
      const { db } = t.database.handle.forSubgraph('units');
      const entries = () => t.query(CHANGES, { ...CO, variables: { id } }).then((r) => r.data.unit.changes);
      const before = await entries();
      expect(before.totalCount).toBe(1);

      for (const statement of [
        sql`update units.change_log set actor_subject = 'someone-else' where entity_key = ${id}`,
        sql`delete from units.change_log where entity_key = ${id}`,
        sql`truncate units.change_log`,
      ]) {
        const error = await db.execute(statement).then(
          () => null,
          (failure: unknown) => failure,
        );
        expect(error).not.toBeNull();
        expect(sqlState(error)).toBe('42501');
        // The slice's own role may not even ask (permission denied); any other connection meets the trigger.
        expect(messages(error)).toMatch(/units\.change_log is append-only|permission denied for table change_log/);
      }
      expect(await entries()).toEqual(before);
    });
  });
});

// ---- reading the directory: a database nobody writes to, so the 64 seeded units are all there is ----

describe('reading the unit directory', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const PAGE = /* GraphQL */ `
    query Page($first: Int, $after: String, $filter: UnitFilter) {
      units(first: $first, after: $after, filter: $filter) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            id
            code
          }
        }
      }
    }
  `;

  it('walks all 64 seeded units in pages of 10, in the plan’s order, without repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response: GraphQLResponse = await t.query(PAGE, { variables: { first: 10, after, filter: { includeArchived: true } } });
      expect(response.errors).toBeUndefined();
      const { totalCount, pageInfo, edges } = response.data.units;
      pages++;
      expect(totalCount).toBe(64);
      expect(pageInfo.hasPreviousPage).toBe(after !== null);
      expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
      seen.push(...edges.map((edge: any) => edge.node.code));
      if (!pageInfo.hasNextPage) break;
      expect(edges).toHaveLength(10);
      after = pageInfo.endCursor;
      expect(pages).toBeLessThan(10);
    }
    expect(pages).toBe(7);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(referenceUnits.map((unit) => unit.code));
  });

  it('walks the same units directly against the subgraph', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const response: GraphQLResponse = await t.querySubgraph('units', PAGE, { variables: { first: 25, after } });
      expect(response.errors).toBeUndefined();
      seen.push(...response.data.units.edges.map((edge: any) => edge.node.code));
      after = response.data.units.pageInfo.hasNextPage ? response.data.units.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toEqual(referenceUnits.map((unit) => unit.code));
  });

  it('refuses a page larger than 100 with PAGE_SIZE_TOO_LARGE, through the gateway and at the subgraph', async () => {
    for (const response of [
      await t.query(PAGE, { variables: { first: 101 } }),
      await t.query(`{ units(first: 101) { totalCount } }`),
      await t.querySubgraph('units', PAGE, { variables: { first: 101 } }),
    ]) {
      expect(expectCoded(response, 'PAGE_SIZE_TOO_LARGE')).toMatchObject({ max: 100, requested: 101 });
      expect(response.data?.units ?? null).toBeNull();
    }
    const hundred = await t.query(PAGE, { variables: { first: 100 } });
    expect(hundred.errors).toBeUndefined();
    expect(hundred.data.units.edges).toHaveLength(64);
  });

  it('refuses a cursor it did not make with BAD_USER_INPUT naming after', async () => {
    const cursors = [
      'garbage',
      '!!!',
      encodeCursor(['not-a-position']),
      encodeCursor([1, 2]),
      encodeCursor([1.5]),
      encodeCursor([{}]),
      Buffer.from('[1e400]').toString('base64url'),
    ];
    for (const after of cursors) {
      expectBadInput(await t.query(PAGE, { variables: { first: 5, after } }), 'after');
      expectBadInput(await t.querySubgraph('units', PAGE, { variables: { first: 5, after } }), 'after');
    }
    expectBadInput(await t.query(PAGE, { variables: { first: -1 } }), 'first');
  });

  it('wants exactly one of id and code in unit()', async () => {
    const both = await t.query(`query($id: ID!) { unit(id: $id, code: "STATISTICS_BUREAU") { id } }`, {
      variables: { id: unitIdForCode('STATISTICS_BUREAU') },
    });
    expectBadInput(both, 'id');
    expect(both.data?.unit ?? null).toBeNull();
    expectBadInput(await t.query(`{ unit { id } }`), 'id');
    const byCode = await t.query(`{ unit(code: "STATISTICS_BUREAU") { id name } }`);
    expect(byCode.data.unit).toEqual({ id: unitIdForCode('STATISTICS_BUREAU'), name: '市统计局' });
  });

  it('answers null, not an error, for an id that names no unit', async () => {
    for (const id of [randomUUID(), 'not-a-unit-id', "'; drop table units.units; --"]) {
      const response = await t.query(`query($id: ID!) { unit(id: $id) { id } }`, { variables: { id } });
      expect(response.errors).toBeUndefined();
      expect(response.data.unit).toBeNull();
    }
    const { data } = await t.querySubgraph('units', `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit { code } } }`, {
      variables: {
        r: [
          { __typename: 'Unit', id: 'nope' },
          { __typename: 'Unit', id: unitIdForCode('STATISTICS_BUREAU') },
        ],
      },
    });
    expect(data._entities).toEqual([null, { code: 'STATISTICS_BUREAU' }]);
  });

  it('finds units by a part of their Chinese name', async () => {
    const { data, errors } = await t.query(
      `{ units(first: 100, filter: { search: "监管" }) { totalCount edges { node { name aliases } } } }`,
    );
    expect(errors).toBeUndefined();
    const names = data.units.edges.map((edge: any) => edge.node.name);
    expect(names).toEqual(expect.arrayContaining(['市市场监管局', '市地方金融监管局']));
    expect(data.units.totalCount).toBe(names.length);
    for (const { node } of data.units.edges) expect([node.name, ...node.aliases].some((text: string) => text.includes('监管'))).toBe(true);
  });

  it('treats % and _ in a search as text, not as wildcards', async () => {
    // Codes contain underscores, so a literal _ would match them: use Chinese text around the wildcards.
    for (const search of ['%', '市%局', '市__局']) {
      const { data, errors } = await t.query(`query($s: String) { units(filter: { search: $s }) { totalCount } }`, {
        variables: { s: search },
      });
      expect(errors).toBeUndefined();
      expect(data.units.totalCount).toBe(0);
    }
  });

  it('filters by kind, domain and district', async () => {
    const { data } = await t.query(/* GraphQL */ `
      {
        politics: units(first: 100, filter: { domainCode: "POLITICS_LAW" }) {
          edges {
            node {
              code
              kind
            }
          }
        }
        shinan: units(first: 100, filter: { districtCode: "370202" }) {
          edges {
            node {
              code
            }
          }
        }
        zones: units(first: 100, filter: { kind: FUNCTION_ZONE }) {
          totalCount
        }
      }
    `);
    expect(data.politics.edges.map((e: any) => e.node.kind)).toEqual(['LEAD', 'RESPONSIBLE', 'RESPONSIBLE', 'RESPONSIBLE', 'RESPONSIBLE']);
    expect(data.shinan.edges.map((e: any) => e.node.code)).toEqual(['SHINAN_DISTRICT']);
    expect(data.zones.totalCount).toBe(4);
  });
});
