/**
 * The market-entity registry's bulk import (issue #25 §1), on real PostgreSQL: the command line on a
 * small file with good rows and bad rows of every kind (the rejects file exact), a changed re-run
 * (updated with history, unchanged counted), a full snapshot deregistering only then, BOM and
 * NDJSON, a run that fails before its merge commits loading nothing (in-process, and the command
 * line killed with SIGKILL mid-run), and the command office's
 * GraphQL import — through the gateway and against the units subgraph — refused to everyone else
 * and refused over 10,000 rows.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, rowsOf, type Db } from '../db/client.ts';
import { prepareDatabase } from '../platform/start.ts';
import { slices } from '../subgraphs/registry.ts';
import { sampleCreditCode } from '../db/reference/organisation.ts';
import { SYNTHETIC_HEADER, syntheticRegistryLines } from '../subgraphs/units/registry-synthetic.ts';
import { runRegistryImport, type RegistryImportOptions } from '../subgraphs/units/use-cases/registry-import.ts';
import { startTestPlatform, type Caller, type GraphQLResponse, type TestPlatform } from './support/platform.ts';

let t: TestPlatform;
let units: Db;
let dir: string;
beforeAll(async () => {
  t = await startTestPlatform();
  units = t.database.handle.forSubgraph('units').db;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-import-'));
});
afterAll(async () => {
  await t?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const SHINAN = '370202';
const HUANGDAO = '370211';
const code = (serial: number, district = SHINAN) => sampleCreditCode(district, serial);
/** A well-formed code with the wrong check character. */
const badCheck = (serial: number) => {
  const good = code(serial);
  return good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
};
const HEADER = 'credit_code,name,district_code,industry_code,size_class,registered_on,qualifications,status';
const errorCode = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code;

async function enterprise(creditCode: string) {
  const [row] = rowsOf<Record<string, unknown>>(
    await units.execute(
      sql`select name, district_code, industry_code, size_class::text, registered_on::text, qualifications::text[], status::text, version, sample
            from units.enterprises where credit_code = ${creditCode}`,
    ),
  );
  return row;
}
async function changes(creditCode: string) {
  return rowsOf<{ action: string; actor_role: string; before: Record<string, unknown> | null; after: Record<string, unknown> }>(
    await units.execute(
      sql`select action, actor_role, before, after from units.change_log where entity = 'enterprise' and entity_key = ${creditCode} order by id`,
    ),
  );
}
async function totals() {
  const [row] = rowsOf<{ enterprises: number; changes: number }>(
    await units.execute(
      sql`select (select count(*) from units.enterprises)::int as enterprises, (select count(*) from units.change_log)::int as changes`,
    ),
  );
  return row;
}

const actor = { subject: 'test-import', role: 'OPERATOR', unitId: null };
const importText = (content: string, options: Partial<RegistryImportOptions> = {}) =>
  runRegistryImport(units, [content], { format: null, fullSnapshot: false, actor, now: new Date(), ...options });

/** The command line, as an operator runs it, against the test database. */
function commandLine(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/import-enterprises.ts', ...args], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, DATABASE_URL: t.database.url ?? '', LOG_LEVEL: 'error' },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run import:enterprises', () => {
  const A = code(901);
  const B = code(902, HUANGDAO);
  const C = code(903);
  const D = code(904);
  it('loads the good rows and writes every bad one, with its line, column and reasons, to FILE.rejects.csv', () => {
    const file = path.join(dir, 'registry.csv');
    const lines = [
      HEADER,
      `${A},青岛样本科技有限公司,${SHINAN},C3484,SMALL,2015-03-01,HIGH_TECH;专精特新中小企业,存续`,
      `${B},"青岛""海丰"",贸易有限公司",${HUANGDAO},f5123,micro,,,存续`,
      `${badCheck(905)},校验位错误有限公司,${SHINAN},C3484,SMALL,2015-03-01,,存续`,
      `${code(906)},外地区县有限公司,370101,C3484,SMALL,2015-03-01,,存续`,
      `${code(907)},行业不明有限公司,${SHINAN},Z12,SMALL,2015-03-01,,存续`,
      `${D},重复一有限公司,${SHINAN},C3484,SMALL,2015-03-01,,存续`,
      `${code(908)},日期有误有限公司,${SHINAN},C3484,SMALL,2023-02-30,,存续`,
      `${code(909)},规模不明有限公司,${SHINAN},C3484,HUGE,2015-03-01,,存续`,
      `${code(910)},状态不明有限公司,${SHINAN},C3484,SMALL,2015-03-01,,歇业`,
      `${D},重复二有限公司,${SHINAN},C3484,SMALL,2015-03-01,,存续`,
      `${code(911)},字段太少有限公司,${SHINAN}`,
      `${code(912)},资质不明有限公司,${SHINAN},C3484,SMALL,2015-03-01,HIGH_TECH;ROCKET,存续`,
      `${code(913)},,${SHINAN},C3484,SMALL,2015-03-01,,存续`,
      '',
      `${C},青岛吊销示例有限公司,${SHINAN},E4812,大型,2001-12-31,,吊销`,
      // The shape and the section are right, the division is not the section's (C is 13–43, F 51–52).
      `${code(916)},大类不符有限公司,${SHINAN},C9999,SMALL,2015-03-01,,存续`,
      `${code(917)},门类不符有限公司,${SHINAN},f3484,SMALL,2015-03-01,,存续`,
    ];
    fs.writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    const run = commandLine(file);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(': 16 rows');
    expect(run.stdout).toMatch(/loaded \(new\)\s+3\n/);
    expect(run.stdout).toMatch(/rejected\s+13 →/);
    expect(fs.readFileSync(`${file}.rejects.csv`, 'utf8')).toBe(
      [
        'line,column,value,reason_zh,reason_en',
        `4,credit_code,${badCheck(905)},统一社会信用代码校验位不正确,The credit code’s check character is wrong`,
        '5,district_code,370101,区(市)代码不是本市的区(市)（GB/T 2260，如 370202 市南区）,"Not a district code of Qingdao (GB/T 2260, e.g. 370202 for Shinan)"',
        '6,industry_code,Z12,行业代码须符合 GB/T 4754-2017，如 C、C13 或 C131,"The industry code must follow GB/T 4754-2017, e.g. C, C13 or C131"',
        `7,credit_code,${D},统一社会信用代码在文件中重复出现（第 7、11 行），这些行均不载入,"The credit code appears more than once in the file (lines 7, 11); none of those rows is loaded"`,
        '8,registered_on,2023-02-30,成立日期须为 YYYY-MM-DD 格式的有效日期,The date of registration must be a real date as YYYY-MM-DD',
        '9,size_class,HUGE,规模须为 LARGE、MEDIUM、SMALL、MICRO（或 大型、中型、小型、微型）,"The size class is one of LARGE, MEDIUM, SMALL, MICRO (or 大型, 中型, 小型, 微型)"',
        '10,status,歇业,登记状态须为 存续、注销 或 吊销（或 ACTIVE、DEREGISTERED、REVOKED）,"The status is one of 存续, 注销, 吊销 (or ACTIVE, DEREGISTERED, REVOKED)"',
        `11,credit_code,${D},统一社会信用代码在文件中重复出现（第 7、11 行），这些行均不载入,"The credit code appears more than once in the file (lines 7, 11); none of those rows is loaded"`,
        '12,,,该行有 3 个字段，表头有 8 个,The row has 3 fields; the header has 8',
        '13,qualifications,HIGH_TECH;ROCKET,未知资质「ROCKET」（可用 HIGH_TECH、TECH_SME、SPECIALIZED_SME、LITTLE_GIANT、GAZELLE、MANUFACTURING_CHAMPION 或其中文名，以 ; 分隔）,"Unknown qualification ""ROCKET"" (HIGH_TECH, TECH_SME, SPECIALIZED_SME, LITTLE_GIANT, GAZELLE, MANUFACTURING_CHAMPION or their Chinese names, separated by ;)"',
        '14,name,,名称不能为空,The name is missing',
        '17,industry_code,C9999,行业代码 C9999 的大类 99 不属于门类 C（GB/T 4754-2017：门类 C 为大类 13–43）,The industry code C9999: division 99 is not of section C (GB/T 4754-2017: section C holds divisions 13–43)',
        '18,industry_code,f3484,行业代码 F3484 的大类 34 不属于门类 F（GB/T 4754-2017：门类 F 为大类 51–52）,The industry code F3484: division 34 is not of section F (GB/T 4754-2017: section F holds divisions 51–52)',
        '',
      ].join('\n'),
    );
  });

  it('keeps what the good rows say, each creation in the change history', async () => {
    expect(await enterprise(A)).toMatchObject({
      name: '青岛样本科技有限公司',
      district_code: SHINAN,
      industry_code: 'C3484',
      size_class: 'SMALL',
      registered_on: '2015-03-01',
      qualifications: ['HIGH_TECH', 'SPECIALIZED_SME'],
      status: 'ACTIVE',
      version: 1,
      sample: false,
    });
    expect(await enterprise(B)).toMatchObject({
      name: '青岛"海丰",贸易有限公司',
      industry_code: 'F5123',
      size_class: 'MICRO',
      registered_on: null,
    });
    expect(await enterprise(C)).toMatchObject({ size_class: 'LARGE', status: 'REVOKED' });
    expect(await enterprise(D)).toBeUndefined();
    expect(await enterprise(code(908))).toBeUndefined();
    const [created] = await changes(A);
    expect(created).toMatchObject({
      action: 'create',
      actor_role: 'OPERATOR',
      before: null,
      after: { creditCode: A, version: 1, status: 'ACTIVE' },
    });
  });

  it('updates what changed (version and history), counts the unchanged, and deregisters nothing without --full-snapshot', () => {
    const file = path.join(dir, 'changed.csv');
    const E = code(914);
    fs.writeFileSync(
      file,
      [
        HEADER,
        `${A},青岛样本科技股份有限公司,${SHINAN},C3484,MEDIUM,2015-03-01,SPECIALIZED_SME;HIGH_TECH,存续`,
        `${B},"青岛""海丰"",贸易有限公司",${HUANGDAO},F5123,MICRO,,,存续`,
        `${E},青岛新设有限公司,${SHINAN},I6513,MICRO,2024-05-06,,存续`,
      ].join('\n'),
    );
    const run = commandLine(file);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/loaded \(new\)\s+1\n/);
    expect(run.stdout).toMatch(/updated\s+1\n/);
    expect(run.stdout).toMatch(/unchanged\s+1\n/);
    expect(run.stdout).toMatch(/deregistered\s+0/);
    expect(fs.readFileSync(`${file}.rejects.csv`, 'utf8')).toBe('line,column,value,reason_zh,reason_en\n');
  });

  it('kept the change in the profile’s history, before and after', async () => {
    expect(await enterprise(A)).toMatchObject({ name: '青岛样本科技股份有限公司', size_class: 'MEDIUM', version: 2 });
    const history = await changes(A);
    expect(history.map((entry) => entry.action)).toEqual(['create', 'update']);
    expect(history[1]?.before).toMatchObject({ name: '青岛样本科技有限公司', sizeClass: 'SMALL', version: 1 });
    expect(history[1]?.after).toMatchObject({ name: '青岛样本科技股份有限公司', sizeClass: 'MEDIUM', version: 2 });
    expect((await changes(B)).map((entry) => entry.action)).toEqual(['create']);
    expect(await enterprise(C)).toMatchObject({ status: 'REVOKED', version: 1 });
  });

  it('with --full-snapshot deregisters the entities the file lacks, but not one whose row was only rejected', async () => {
    const file = path.join(dir, 'snapshot.ndjson');
    fs.writeFileSync(
      file,
      [
        JSON.stringify({
          credit_code: A,
          name: '青岛样本科技股份有限公司',
          district_code: SHINAN,
          industry_code: 'C3484',
          size_class: 'MEDIUM',
          registered_on: '2015-03-01',
          qualifications: ['HIGH_TECH', 'SPECIALIZED_SME'],
          status: '存续',
        }),
        JSON.stringify({
          credit_code: B,
          name: '改名',
          district_code: HUANGDAO,
          industry_code: 'F5123',
          size_class: 'MICRO',
          registered_on: 'yesterday',
          status: '存续',
        }),
      ].join('\n'),
    );
    const run = commandLine(file, '--full-snapshot');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/unchanged\s+1\n/);
    expect(run.stdout).toMatch(/rejected\s+1 →/);
    // C (revoked) and E are absent: deregistered; B's row was rejected: B stays as it was.
    expect(run.stdout).toMatch(/deregistered\s+2/);
    expect(await enterprise(C)).toMatchObject({ status: 'DEREGISTERED', version: 2 });
    expect(await enterprise(code(914))).toMatchObject({ status: 'DEREGISTERED' });
    expect(await enterprise(B)).toMatchObject({ status: 'ACTIVE', name: '青岛"海丰",贸易有限公司', version: 1 });
    expect((await changes(C)).at(-1)).toMatchObject({
      action: 'deregister',
      before: { status: 'REVOKED' },
      after: { status: 'DEREGISTERED' },
    });
  });

  it('refuses a file without a required column as a whole: nothing loaded, exit code 1', async () => {
    const file = path.join(dir, 'no-status.csv');
    fs.writeFileSync(
      file,
      `credit_code,name,district_code,industry_code,size_class,registered_on,qualifications\n${code(915)},无状态,${SHINAN},C,SMALL,,\n`,
    );
    const before = await totals();
    const run = commandLine(file);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('The header row lacks the column status');
    expect(await totals()).toEqual(before);
    expect(fs.existsSync(`${file}.rejects.csv`)).toBe(false);
  });
});

describe('the import, in-process', () => {
  it('reads NDJSON (sniffed), a BOM and blank lines, and numbers lines from the file’s first', async () => {
    const F = code(920);
    const G = code(921);
    const content = [
      '\uFEFF',
      `${JSON.stringify({ credit_code: F.toLowerCase(), name: 'NDJSON 甲', district_code: SHINAN, industry_code: 'M7320', size_class: 'SMALL', qualifications: ['GAZELLE'], status: 'ACTIVE' })}`,
      '{ not json',
      '[1, 2]',
      JSON.stringify({
        credit_code: G,
        name: 'NDJSON 乙',
        district_code: SHINAN,
        industry_code: 'M7320',
        size_class: 'SMALL',
        status: null,
      }),
    ].join('\n');
    const rejects: unknown[] = [];
    const counts = await importText(content, { onReject: (reject) => void rejects.push(reject) });
    expect(counts).toEqual({ rows: 4, loaded: 1, updated: 0, unchanged: 0, rejected: 3, deregistered: 0 });
    expect(rejects).toEqual([
      { line: 3, column: '', value: '', reason: { zh: '该行不是合法的 JSON', en: 'The line is not valid JSON' } },
      { line: 4, column: '', value: '', reason: { zh: '该行不是 JSON 对象', en: 'The line is not a JSON object' } },
      { line: 5, column: 'status', value: '', reason: { zh: '登记状态不能为空', en: 'The status is missing' } },
    ]);
    expect(await enterprise(F)).toMatchObject({ name: 'NDJSON 甲', qualifications: ['GAZELLE'], registered_on: null });
  });

  it('loads nothing when the run fails before its merge commits, or while the file is being read', async () => {
    const before = await totals();
    const content = [
      HEADER,
      `${code(930)},崩溃前有限公司,${SHINAN},C,SMALL,,,存续`,
      `${code(920)},改了名,${SHINAN},M7320,SMALL,,,存续`,
    ].join('\n');
    await expect(
      importText(content, {
        fullSnapshot: true,
        beforeCommit: () => Promise.reject(new Error('injected: the process dies before the commit')),
      }),
    ).rejects.toThrow('injected');
    expect(await totals()).toEqual(before);
    async function* brokenFile() {
      yield `${HEADER}\n${code(931)},读到一半有限公司,${SHINAN},C,SMALL,,,存续\n`;
      throw new Error('injected: the file could not be read further');
    }
    await expect(runRegistryImport(units, brokenFile(), { format: 'CSV', fullSnapshot: false, actor, now: new Date() })).rejects.toThrow(
      'could not be read further',
    );
    expect(await totals()).toEqual(before);
    expect(await enterprise(code(930))).toBeUndefined();
    expect(await enterprise(code(920))).toMatchObject({ name: 'NDJSON 甲' });
  });
});

describe('importEnterprises (GraphQL)', () => {
  const IMPORT = /* GraphQL */ `
    mutation Import($content: String!, $format: RegistryFileFormat, $full: Boolean) {
      importEnterprises(content: $content, format: $format, fullSnapshot: $full) {
        rows
        loaded
        updated
        unchanged
        rejected
        deregistered
        rejects {
          line
          column
          value
          reasonZh
          reasonEn
        }
      }
    }
  `;
  const OFFICE: Caller = 'COMMAND_OFFICE';
  type Transport = 'gateway' | 'units subgraph';
  const send = (transport: Transport, variables: Record<string, unknown>, as: Caller) =>
    transport === 'gateway' ? t.query(IMPORT, { as, variables }) : t.querySubgraph('units', IMPORT, { as, variables });

  for (const [index, transport] of (['gateway', 'units subgraph'] as const).entries()) {
    it(`lets the command office import a small file, rejects listed (${transport})`, async () => {
      const good = code(940 + index);
      const content = `\uFEFF${HEADER}\n${good},青岛接口导入有限公司,${SHINAN},C13,SMALL,2020-01-02,,存续\n${good.slice(0, 17)}X,坏码,${SHINAN},C,SMALL,,,存续\n`;
      const response = await send(transport, { content }, OFFICE);
      expect(response.errors).toBeUndefined();
      expect(response.data.importEnterprises).toEqual({
        rows: 2,
        loaded: 1,
        updated: 0,
        unchanged: 0,
        rejected: 1,
        deregistered: 0,
        rejects: [
          {
            line: 3,
            column: 'credit_code',
            value: `${good.slice(0, 17)}X`,
            reasonZh: expect.stringContaining('校验位') as string,
            reasonEn: expect.stringContaining('check character') as string,
          },
        ],
      });
      const [created] = await changes(good);
      expect(created).toMatchObject({ action: 'create', actor_role: 'COMMAND_OFFICE' });
      const again = await send(transport, { content, format: 'CSV' }, OFFICE);
      expect(again.data.importEnterprises).toMatchObject({ loaded: 0, unchanged: 1, rejected: 1 });
    });

    it(`refuses a full snapshot even from the command office, changing nothing: the CLI's alone (${transport})`, async () => {
      const named = code(970 + index);
      const content = `${HEADER}\n${named},全量快照不该载入有限公司,${SHINAN},C,SMALL,,,存续\n`;
      const statuses = async () =>
        rowsOf<{ status: string; n: number }>(
          await units.execute(sql`select status::text, count(*)::int as n from units.enterprises group by status order by status`),
        );
      const before = { totals: await totals(), statuses: await statuses() };
      expect(before.statuses.find((row) => row.status === 'ACTIVE')?.n).toBeGreaterThan(1);
      const response = await send(transport, { content, full: true }, OFFICE);
      expect(response.data?.importEnterprises ?? null).toBeNull();
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'fullSnapshot',
        messageZh: expect.stringContaining('npm run import:enterprises -- FILE --full-snapshot') as string,
        messageEn: expect.stringContaining('every entity it does not name would be deregistered') as string,
      });
      expect({ totals: await totals(), statuses: await statuses() }).toEqual(before);
      expect(await enterprise(named)).toBeUndefined();
      // false is what the mutation always does: the file is loaded, nothing deregistered.
      const partial = await send(transport, { content, full: false }, OFFICE);
      expect(partial.data.importEnterprises).toMatchObject({ loaded: 1, deregistered: 0 });
      expect((await statuses()).filter((row) => row.status !== 'ACTIVE')).toEqual(before.statuses.filter((row) => row.status !== 'ACTIVE'));
    });

    it(`refuses everyone but the command office, changing nothing (${transport})`, async () => {
      const content = `${HEADER}\n${code(950)},不该载入有限公司,${SHINAN},C,SMALL,,,存续\n`;
      const before = await totals();
      const callers: [Caller, string][] = [
        ['ANONYMOUS', 'UNAUTHENTICATED'],
        [{ role: 'UNIT_ADMIN', unit: 'MARKET_REGULATION_BUREAU' }, 'FORBIDDEN'],
        [{ role: 'UNIT_STAFF', unit: 'SHINAN_DISTRICT' }, 'FORBIDDEN'],
        [{ role: 'ENTERPRISE', enterprise: code(950) }, 'FORBIDDEN'],
        ['OBSERVER', 'FORBIDDEN'],
      ];
      for (const [caller, expected] of callers) {
        const response = await send(transport, { content, full: true }, caller);
        expect(errorCode(response)).toBe(expected);
        expect(response.data?.importEnterprises ?? null).toBeNull();
      }
      expect(await totals()).toEqual(before);
    });
  }

  it('refuses more than 10,000 rows as BAD_USER_INPUT and loads none of them', async () => {
    const lines = [...syntheticRegistryLines(10_001, { first: 5_000_000 })];
    const before = await totals();
    const response = await t.query(IMPORT, { as: OFFICE, variables: { content: [SYNTHETIC_HEADER, ...lines].join('\n') } });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('content');
    expect(response.errors?.[0]?.message).toContain('At most 10000 rows');
    expect(await totals()).toEqual(before);
    const exactly = await t.query(IMPORT, { as: OFFICE, variables: { content: [SYNTHETIC_HEADER, ...lines.slice(0, 10_000)].join('\n') } });
    expect(exactly.errors).toBeUndefined();
    expect(exactly.data.importEnterprises).toMatchObject({ rows: 10_000, rejected: 0, loaded: 10_000 });
  });

  it('refuses a file without a header as BAD_USER_INPUT', async () => {
    const response = await t.query(IMPORT, { as: OFFICE, variables: { content: '', format: 'CSV' } });
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.messageEn).toBe('The file is empty: no header row');
  });
});

describe('on the embedded database (no COPY: batched INSERTs)', () => {
  it('imports with the same checks, duplicates, merge and counts', async () => {
    const embedded = await openPglite();
    try {
      await prepareDatabase(
        embedded,
        slices.filter((slice) => slice.name === 'units'),
        { sample: false },
      );
      const db = embedded.forSubgraph('units').db;
      const rows = [...syntheticRegistryLines(2_500)];
      const duplicate = rows[7] ?? '';
      const content = [SYNTHETIC_HEADER, ...rows, duplicate, `${code(960)},坏日期,${SHINAN},C,SMALL,2023-13-01,,存续`].join('\n');
      const options = { format: null, fullSnapshot: false, actor, now: new Date() };
      expect(await runRegistryImport(db, [content], options)).toEqual({
        rows: 2_502,
        loaded: 2_499,
        updated: 0,
        unchanged: 0,
        rejected: 3,
        deregistered: 0,
      });
      const again = await runRegistryImport(db, [[SYNTHETIC_HEADER, ...rows.slice(1)].join('\n')], { ...options, fullSnapshot: true });
      expect(again).toMatchObject({ loaded: 1, unchanged: 2_498, rejected: 0, deregistered: 1 });
    } finally {
      await embedded.close();
    }
  });
});

describe('npm run import:enterprises on a terminal and off it', () => {
  const ROWS = 25_000;
  /** A synthetic registry file of ROWS new entities, numbered from `first` (each test its own). */
  const registryFile = (name: string, first: number) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${SYNTHETIC_HEADER}\n${[...syntheticRegistryLines(ROWS, { first })].join('\n')}\n`);
    return file;
  };
  /** The progress lines the run drew (each ends in `\r` and is overwritten by the next), as rows, rows/s, percent, seconds left. */
  const progressLines = (output: string) =>
    [...output.matchAll(/读取 \/ reading ([\d,]+) rows · ([\d,]+) rows\/s · ([\d.]+)% · (\d+) s left/g)].map((m) => ({
      rows: Number(m[1]?.replaceAll(',', '')),
      perSecond: Number(m[2]?.replaceAll(',', '')),
      percent: Number(m[3]),
      left: Number(m[4]),
    }));

  it('draws a progress line — rows per second, percent, time left — under a pseudo-terminal (util-linux `script`)', () => {
    const file = registryFile('progress-terminal.csv', 3_000_000);
    const run = spawnSync('script', ['-qec', `npm run --silent import:enterprises -- ${file}`, '/dev/null'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      // npm runs the node of this test (Node 24), first on PATH.
      env: {
        ...process.env,
        PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        DATABASE_URL: t.database.url ?? '',
        LOG_LEVEL: 'error',
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const lines = progressLines(run.stdout);
    // Every 5,000 rows, and once at the end of the file.
    expect(lines.map((line) => line.rows)).toEqual([5_000, 10_000, 15_000, 20_000, 25_000, 25_000]);
    expect(lines.every((line) => line.perSecond > 0)).toBe(true);
    expect(lines[0]?.percent).toBeLessThan(100);
    expect(lines[0]?.left).toBeGreaterThan(0);
    expect(lines.at(-1)).toMatchObject({ percent: 100, left: 0 });
    // Redrawn in place (a carriage return, no new line each time), then the merge and the summary.
    expect(run.stdout).toMatch(/s left {3}\r读取/);
    expect(run.stdout).toContain('合并 / merging into the registry…');
    expect(run.stdout).toMatch(/import done in [\d.]+ s: 25,000 rows/);
    expect(run.stdout).toMatch(/loaded \(new\)\s+25,000/);
  });

  it('killed mid-run (SIGKILL while its statements run) loads nothing and leaves no rejects file; run again, it loads everything', async () => {
    const file = registryFile('killed.csv', 3_200_000);
    const before = await totals();
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/import-enterprises.ts', file], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: { ...process.env, DATABASE_URL: t.database.url ?? '', LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const database = new URL(t.database.url ?? 'postgres://x/none').pathname.slice(1);
    // The import's own connection at work: its COPY into the staging table or its merge.
    let caught = false;
    for (let i = 0; i < 3_000 && !caught; i++) {
      const [busy] = rowsOf<{ n: number }>(
        await units.execute(
          sql`select count(*)::int as n from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()
                and state = 'active' and (query ilike 'copy %' or query ilike '%staging%')`,
        ),
      );
      if (busy?.n) caught = child.kill('SIGKILL');
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(caught, 'the import was killed while its statements ran').toBe(true);
    expect(await exited).toBe('SIGKILL');
    // PostgreSQL rolls the dead client's transaction back once it notices the connection gone.
    await expect.poll(() => totals(), { timeout: 30_000 }).toEqual(before);
    expect(fs.existsSync(`${file}.rejects.csv`)).toBe(false);

    const again = commandLine(file);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/新增 loaded \(new\)\s+25,000\n/);
    expect((await totals())?.enterprises).toBe((before?.enterprises ?? 0) + ROWS);
  });

  it('prints only the plain summary without a terminal: no progress line, nothing on stderr', () => {
    const run = commandLine(registryFile('progress-plain.csv', 3_100_000));
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(progressLines(run.stdout)).toEqual([]);
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).not.toContain('merging');
    expect(run.stdout).toMatch(/^导入完成 \/ import done in [\d.]+ s: 25,000 rows\n/);
    expect(run.stdout).toMatch(/新增 loaded \(new\)\s+25,000\n/);
  });
});
