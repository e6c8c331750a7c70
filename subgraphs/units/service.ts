/**
 * The units slice's use cases: parse what the caller sent (input.ts), ask whether they may
 * (access.ts), then read or write through the store in one transaction with its change record.
 * Resolvers call only this; this is the only caller of the store.
 */
import type { RequestContext } from '../../platform/subgraph.ts';
import type { Viewer } from '../../platform/auth.ts';
import { errors, type Bilingual } from '../../platform/errors.ts';
import { parseInput } from '../../platform/input.ts';
import { beijingDate } from '../../platform/calendar.ts';
import {
  countBeside,
  decodeCursor,
  decodeIntegerCursor,
  encodeCursor,
  pageSize,
  toConnection,
  type PageArgs,
} from '../../platform/pagination.ts';
import { creditCodeProblem, normalizeCreditCode } from '../../platform/credit-code.ts';
import { sqlState, SqlState, type Db, type Queryable } from '../../db/client.ts';
import { COMMAND_OFFICE_CODE } from '../../db/reference/organisation.ts';
import { canSeeEnterprise, createUnitsAccess } from './access.ts';
import {
  archiveReason,
  createUnitInput,
  enterpriseFilter,
  unitFilter,
  updateUnitInput,
  upsertEnterpriseInput,
  type CreateUnitInput,
} from './input.ts';
import type { UnitsLoaders } from './loaders.ts';
import { changeStore, enterpriseStore, referenceStore, unitStore, type UnitRow, type UnregisteredEnterprise } from './store.ts';

export interface Context extends RequestContext {
  units: UnitsService;
}

export interface UnitsServiceDeps {
  db: Db;
  viewer: Viewer;
  loaders: UnitsLoaders;
  maxPageSize: number;
  /** The platform's clock (platform/subgraph.ts): archiving and "not in the future" read it, never the machine's. */
  now: () => Date;
}

const UNIT = { zh: '单位', en: 'Unit' };
/** Codes per page of `enterpriseCodes`: 100,000 enterprises in ten requests. */
export const ENTERPRISE_CODE_PAGE = 10_000;

function snapshot(row: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
}

export function createUnitsService({ db, viewer, loaders, maxPageSize, now }: UnitsServiceDeps) {
  const access = createUnitsAccess(
    viewer,
    (id) => loaders.unitById.load(id),
    // isAncestor(x, y): y is x or above it.
    (ancestorId, id) => unitStore.isAncestor(db, id, ancestorId).then((found) => found && ancestorId !== id),
  );

  /** A unit as it stands before a write (read outside the write's transaction, for the access check). */
  const unitBefore = async (id: string): Promise<UnitRow> => {
    const row = await loaders.unitById.load(id);
    if (!row) throw errors.notFound(UNIT, id);
    return row;
  };

  /** A well-formed credit code the registry lacks: its district from the region code, when it is one of ours. */
  async function unregistered(code: string): Promise<UnregisteredEnterprise | null> {
    if (creditCodeProblem(code)) return null;
    const region = code.slice(2, 8);
    const district = await loaders.districtByCode.load(region);
    return {
      creditCode: code,
      name: null,
      districtCode: district ? region : null,
      industryCode: null,
      sizeClass: null,
      registeredOn: null,
      qualifications: [],
      sample: false,
      version: null,
      createdAt: null,
      updatedAt: null,
      unregistered: true,
    };
  }

  // Only an absent value means "none": an empty string is a code that names nothing.
  // Inside a transaction, look through it (`tx`): the embedded database has a single connection, so
  // a loader query beside an open transaction would wait for that transaction forever.
  async function requireDomain(code: string | null | undefined, field: string, tx?: Queryable) {
    if (code == null) return null;
    const domain = tx ? (await referenceStore.domainsByCodes(tx, [code]))[0] : await loaders.domainByCode.load(code);
    if (!domain) throw errors.badInput(field, { zh: `重点领域不存在：${code}`, en: `No such domain: ${code}` });
    return domain;
  }

  async function requireDistrict(code: string | null | undefined, field: string, tx?: Queryable) {
    if (code == null) return null;
    const district = tx ? (await referenceStore.districtsByCodes(tx, [code]))[0] : await loaders.districtByCode.load(code);
    if (!district) throw errors.badInput(field, { zh: `区(市)不存在：${code}`, en: `No such district: ${code}` });
    return district;
  }

  /** Checks the shape of a unit as it would be after a create or an update. */
  async function validateUnitShape(
    tx: Queryable,
    unit: Omit<CreateUnitInput, 'code'> & { id?: string },
    { isCommandOffice = false }: { isCommandOffice?: boolean } = {},
  ) {
    if (unit.kind === 'COMMAND_OFFICE' && !isCommandOffice) {
      throw errors.badInput('kind', {
        zh: '市指挥部办公室只有一个，不能新增或改为该类别',
        en: 'There is exactly one command office; no unit can be made one',
      });
    }
    if ((unit.kind === 'LEAD' || unit.kind === 'RESPONSIBLE') && !unit.domainCode) {
      throw errors.badInput('domainCode', {
        zh: '牵头单位和主责单位必须属于一个重点领域',
        en: 'Lead and responsible units must belong to a domain',
      });
    }
    if ((unit.kind === 'DISTRICT' || unit.kind === 'FUNCTION_ZONE') && !unit.districtCode) {
      throw errors.badInput('districtCode', {
        zh: '区(市)和功能区单位必须指明所在区(市)',
        en: 'District and function-zone units must name their district',
      });
    }
    await requireDomain(unit.domainCode, 'domainCode', tx);
    await requireDistrict(unit.districtCode, 'districtCode', tx);
    if (unit.parentId != null) {
      const [parent] = await unitStore.byIds(tx, [unit.parentId]);
      if (!parent)
        throw errors.badInput('parentId', { zh: `上级单位不存在：${unit.parentId}`, en: `No such parent unit: ${unit.parentId}` });
      if (unit.id && (unit.parentId === unit.id || (await unitStore.isAncestor(tx, unit.parentId, unit.id)))) {
        throw errors.badInput('parentId', { zh: '上级单位不能是自己或下级单位', en: 'A unit cannot sit under itself or its own sub-unit' });
      }
    }
  }

  async function recordChange(tx: Queryable, entity: string, key: string, action: string, before: object | null, after: object | null) {
    await changeStore.append(tx, {
      entity,
      entityKey: key,
      action,
      actorSubject: viewer.subject!,
      actorRole: viewer.role,
      actorUnitId: viewer.unitId,
      before: before ? snapshot(before) : null,
      after: after ? snapshot(after) : null,
    });
  }

  function uniqueConflict(error: unknown, message: Bilingual): never {
    if (sqlState(error) === SqlState.UNIQUE_VIOLATION) throw errors.conflict(message);
    throw error;
  }

  function staleVersion(what: Bilingual, version: number): never {
    throw errors.conflict(
      {
        zh: `${what.zh}已被他人修改（当前版本 ${version}）`,
        en: `The ${what.en.toLowerCase()} changed meanwhile (now version ${version})`,
      },
      { currentVersion: version },
    );
  }

  const leadTaken = (domainCode: string | null | undefined): Bilingual => ({
    zh: `重点领域 ${domainCode} 已有牵头单位，请先调整原牵头单位`,
    en: `Domain ${domainCode} already has a lead unit; change that one first`,
  });

  /** The unit, locked for the rest of the transaction; NOT_FOUND when the id names nothing. */
  const lockUnit = async (tx: Queryable, id: string): Promise<UnitRow> => {
    const current = await unitStore.lock(tx, id);
    if (!current) throw errors.notFound(UNIT, id);
    return current;
  };

  return {
    viewer: () => viewer,
    viewerUnit: () => access.viewerUnit(),

    // ---- reference data (public) ----
    async campaign() {
      const [campaign] = await referenceStore.campaign(db);
      if (!campaign) throw errors.serviceUnavailable({ zh: '参考数据尚未载入', en: 'Reference data is not loaded yet' });
      return campaign;
    },
    campaignSteps: () => referenceStore.steps(db),
    stepDeadlines: (stepCode: string) => loaders.deadlinesByStep.load(stepCode),
    observerTeams: () => referenceStore.observerTeams(db),
    environments: () => referenceStore.environments(db),
    problemSources: () => referenceStore.problemSources(db),
    domains: () => referenceStore.domains(db),
    domain: (code: string) => loaders.domainByCode.load(code),
    districts: () => referenceStore.districts(db),
    district: (code: string) => loaders.districtByCode.load(code),
    districtUnit: (code: string) => loaders.districtUnitByDistrict.load(code),
    industries: () => referenceStore.industries(db),
    industry: (code: string) => loaders.industryByCode.load(code.slice(0, 1)),
    async commandOffice() {
      const [unit] = await unitStore.commandOffice(db);
      if (!unit) throw errors.serviceUnavailable({ zh: '参考数据尚未载入', en: 'Reference data is not loaded yet' });
      return unit;
    },

    // ---- units (public reads) ----
    unitById: (id: string) => loaders.unitById.load(id),
    async unit(args: { id?: string | null; code?: string | null }) {
      if (Boolean(args.id) === Boolean(args.code)) {
        throw errors.badInput('id', { zh: '请给出 id 或 code 中的一个', en: 'Give exactly one of id or code' });
      }
      return args.id ? loaders.unitById.load(args.id) : loaders.unitByCode.load(args.code!);
    },
    async units(rawFilter: unknown, page: PageArgs) {
      const filter = parseInput(unitFilter, rawFilter ?? {});
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeIntegerCursor(page.after) : null;
      const count = countBeside(page.counted, () => unitStore.count(db, filter));
      const rows = await unitStore.page(db, filter, size + 1, after);
      for (const row of rows) loaders.unitById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.position], count, after !== null);
    },
    domainUnits: (domainCode: string) => loaders.activeUnitsByDomain.load(domainCode),
    async leadUnit(domainCode: string) {
      const lead = (await loaders.activeUnitsByDomain.load(domainCode)).find((unit) => unit.kind === 'LEAD');
      if (!lead)
        throw errors.serviceUnavailable({ zh: `重点领域 ${domainCode} 缺少牵头单位`, en: `Domain ${domainCode} has no lead unit` });
      return lead;
    },
    async unitChanges(unitId: string, page: PageArgs) {
      await access.authorize('READ_UNIT_CHANGES');
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeIntegerCursor(page.after) : null;
      const count = countBeside(page.counted, () => changeStore.count(db, 'unit', unitId));
      const rows = await changeStore.page(db, 'unit', unitId, size + 1, after);
      return toConnection(rows, size, (row) => [row.id], count, after !== null);
    },

    // ---- units (command office writes) ----
    async createUnit(rawInput: unknown) {
      await access.authorize('CREATE_UNIT');
      const unit = (await access.mayShapeUnit(parseInput(createUnitInput, rawInput)))!;
      return db
        .transaction(async (tx) => {
          await validateUnitShape(tx, unit);
          const row = await unitStore.insert(tx, {
            code: unit.code,
            name: unit.name,
            aliases: unit.aliases ?? [],
            kind: unit.kind,
            level: unit.level,
            domainCode: unit.domainCode ?? null,
            districtCode: unit.districtCode ?? null,
            parentId: unit.parentId ?? null,
          });
          await recordChange(tx, 'unit', row.id, 'create', null, row);
          return row;
        })
        .catch((error: unknown) =>
          uniqueConflict(
            error,
            unit.kind === 'LEAD'
              ? {
                  zh: `单位代码 ${unit.code} 已存在，或${leadTaken(unit.domainCode).zh}`,
                  en: `Unit code ${unit.code} exists, or ${leadTaken(unit.domainCode).en}`,
                }
              : { zh: `单位代码已存在：${unit.code}`, en: `Unit code already exists: ${unit.code}` },
          ),
        );
    },

    async updateUnit(id: string, rawInput: unknown) {
      await access.authorize('UPDATE_UNIT');
      const input = parseInput(updateUnitInput, rawInput);
      // Who may shape which unit is asked before the transaction, on the unit as it stands.
      const before = await unitBefore(id);
      const pick = <K extends keyof typeof input & keyof UnitRow>(key: K) => (input[key] === undefined ? before[key] : input[key]);
      await access.mayShapeUnit(
        {
          kind: input.kind ?? before.kind,
          level: input.level ?? before.level,
          domainCode: pick('domainCode'),
          districtCode: pick('districtCode'),
          parentId: pick('parentId'),
        },
        before,
      );
      return db
        .transaction(async (tx) => {
          const current = await lockUnit(tx, id);
          await access.authorize('UPDATE_UNIT', current);
          if (input.expectedVersion != null && input.expectedVersion !== current.version) staleVersion(UNIT, current.version);
          if (current.version !== before.version) staleVersion(UNIT, current.version);
          if (current.kind === 'COMMAND_OFFICE' && input.kind && input.kind !== 'COMMAND_OFFICE') {
            throw errors.badInput('kind', { zh: '市指挥部办公室的类别不能修改', en: "The command office's kind cannot change" });
          }
          const next = {
            id,
            name: input.name ?? current.name,
            kind: input.kind ?? current.kind,
            level: input.level ?? current.level,
            domainCode: input.domainCode === undefined ? current.domainCode : input.domainCode,
            districtCode: input.districtCode === undefined ? current.districtCode : input.districtCode,
            parentId: input.parentId === undefined ? current.parentId : input.parentId,
            aliases: input.aliases ?? current.aliases,
          };
          // The command office keeps its kind, but its domain, district and parent are checked like any unit's.
          await validateUnitShape(tx, next, { isCommandOffice: current.kind === 'COMMAND_OFFICE' });
          const { id: _id, ...values } = next;
          const row = await unitStore.update(tx, id, current.version, values);
          if (!row) throw errors.conflict({ zh: '单位已被他人修改', en: 'The unit changed meanwhile' });
          await recordChange(tx, 'unit', id, 'update', current, row);
          return row;
        })
        .catch((error: unknown) => uniqueConflict(error, leadTaken(input.domainCode)));
    },

    async archiveUnit(id: string, rawReason: unknown) {
      await access.authorize('ARCHIVE_UNIT');
      const why = parseInput(archiveReason, rawReason, 'reason');
      const before = await unitBefore(id);
      await access.mayShapeUnit(null, before);
      return db.transaction(async (tx) => {
        const current = await lockUnit(tx, id);
        await access.authorize('ARCHIVE_UNIT', current);
        if (current.kind === 'COMMAND_OFFICE' || current.code === COMMAND_OFFICE_CODE) {
          throw errors.invalidTransition({ zh: '市指挥部办公室不能归档', en: 'The command office cannot be archived' }, 'ACTIVE');
        }
        if (current.kind === 'LEAD') {
          throw errors.invalidTransition(
            {
              zh: '牵头单位不能直接归档，请先把牵头职责交给另一单位',
              en: 'A lead unit cannot be archived; hand its domain to another unit first',
            },
            'ACTIVE',
          );
        }
        const row = await unitStore.update(tx, id, current.version, { archivedAt: now() });
        if (!row) throw errors.conflict({ zh: '单位已被他人修改', en: 'The unit changed meanwhile' });
        await recordChange(tx, 'unit', id, 'archive', current, { ...row, reason: why });
        return row;
      });
    },

    // ---- enterprises ----
    async enterprise(rawCode: string) {
      const scope = await access.enterpriseScope();
      const row = await loaders.enterpriseByCode.load(normalizeCreditCode(rawCode));
      return row && canSeeEnterprise(scope, row) ? row : null;
    },
    /**
     * For `_entities`: null when the caller may not see it, without failing the whole plan. A
     * well-formed code the registry lacks still resolves (registered: false), its district taken
     * from the code's region code.
     */
    async enterpriseReference(code: string) {
      const scope = await access.enterpriseScopeOrNone();
      const row = (await loaders.enterpriseByCode.load(code)) ?? (await unregistered(normalizeCreditCode(code)));
      return row && canSeeEnterprise(scope, row) ? row : null;
    },
    async enterprises(rawFilter: unknown, page: PageArgs) {
      const scope = await access.enterpriseScope();
      const filter = parseInput(enterpriseFilter, rawFilter ?? {});
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
      if (scope.kind === 'self') {
        const own = await loaders.enterpriseByCode.load(scope.creditCode);
        const rows = own && (!after || own.creditCode > after) ? [own] : [];
        return toConnection(
          rows,
          size,
          (row) => [row.creditCode],
          async () => (own ? 1 : 0),
          after !== null,
        );
      }
      const query = { ...filter, onlyDistrict: scope.kind === 'district' ? scope.districtCode : null };
      const count = countBeside(page.counted, () => enterpriseStore.count(db, query));
      const rows = await enterpriseStore.page(db, query, size + 1, after);
      return toConnection(rows, size, (row) => [row.creditCode], count, after !== null);
    },
    /** Credit codes (and names) only, in pages of ENTERPRISE_CODE_PAGE: the bulk path of other slices (policy notices, automatic grants). */
    async enterpriseCodes(rawFilter: unknown, rawAfter: string | null | undefined) {
      const scope = await access.enterpriseScope();
      const filter = parseInput(enterpriseFilter, rawFilter ?? {});
      const after = rawAfter ? String(decodeCursor(rawAfter, 1)[0]) : null;
      const answer = (rows: { code: string; name: string }[], hasNextPage: boolean) => ({
        codes: rows.map((row) => row.code),
        names: rows.map((row) => row.name),
        hasNextPage,
        endCursor: rows.length ? encodeCursor([rows[rows.length - 1]?.code]) : null,
      });
      if (scope.kind === 'self') {
        const rows =
          after && after >= scope.creditCode
            ? []
            : await enterpriseStore.named(db, { ...filter, onlyCreditCode: scope.creditCode }, 1, null);
        return answer(rows, false);
      }
      const query = { ...filter, onlyDistrict: scope.kind === 'district' ? scope.districtCode : null };
      const rows = await enterpriseStore.named(db, query, ENTERPRISE_CODE_PAGE + 1, after);
      return answer(rows.slice(0, ENTERPRISE_CODE_PAGE), rows.length > ENTERPRISE_CODE_PAGE);
    },
    async upsertEnterprise(rawInput: unknown) {
      await access.authorize('WRITE_ENTERPRISE');
      const input = parseInput(upsertEnterpriseInput(beijingDate(now())), rawInput);
      await requireDistrict(input.districtCode, 'districtCode');
      if (!(await loaders.industryByCode.load(input.industryCode.slice(0, 1)))) {
        throw errors.badInput('industryCode', {
          zh: '行业代码须符合 GB/T 4754-2017，如 C、C13 或 C131',
          en: 'The industry code must follow GB/T 4754-2017, e.g. C, C13 or C131',
        });
      }
      const { expectedVersion, registeredOn, qualifications, ...given } = input;
      return db.transaction(async (tx) => {
        const current = await enterpriseStore.lock(tx, given.creditCode);
        // Omitted profile fields keep what the registry already says.
        const values = {
          ...given,
          registeredOn: registeredOn === undefined ? (current?.registeredOn ?? null) : registeredOn,
          qualifications: qualifications ?? current?.qualifications ?? [],
        };
        if (!current) {
          if (expectedVersion != null) throw errors.notFound({ zh: '市场主体', en: 'Enterprise' }, values.creditCode);
          const created = await enterpriseStore.insert(tx, values);
          if (!created)
            throw errors.conflict({ zh: '该市场主体刚被他人登记，请重试', en: 'Someone registered this entity meanwhile; retry' });
          await recordChange(tx, 'enterprise', values.creditCode, 'create', null, created);
          return created;
        }
        if (expectedVersion != null && expectedVersion !== current.version) staleVersion({ zh: '市场主体', en: 'Entity' }, current.version);
        // Sample rows become real the moment the registry owner confirms them.
        const updated = await enterpriseStore.update(tx, values.creditCode, { ...values, sample: false });
        await recordChange(tx, 'enterprise', values.creditCode, 'update', current, updated);
        return updated;
      });
    },
  };
}

export type UnitsService = ReturnType<typeof createUnitsService>;
