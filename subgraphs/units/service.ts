/**
 * Rules and permissions of the units subgraph. The only caller of its data access; resolvers only
 * parse arguments and map rows.
 *
 * Who may do what:
 * - reading the organisation (campaign, domains, units, districts): everyone, anonymous included;
 * - writing units: the command office only;
 * - reading enterprises: the command office, city-level units (they serve the whole city), district
 *   and function-zone units for enterprises in their district, and an enterprise for itself;
 * - writing enterprises: the command office and 市市场监管局, the registry's owner.
 */
import { Role, requireRole, requireSignedIn, type Viewer } from '../shared/auth.ts';
import { errors, type Bilingual } from '../shared/errors.ts';
import { text } from '../shared/validation.ts';
import { decodeCursor, decodeIntegerCursor, pageSize, toConnection, type PageArgs } from '../shared/pagination.ts';
import { creditCodeProblem, creditCodeProblemMessages, normalizeCreditCode } from '../shared/credit-code.ts';
import { sqlState, SqlState, type Db, type Queryable } from '../../db/client.ts';
import { COMMAND_OFFICE_CODE, ENTERPRISE_REGISTRY_OWNER_CODE } from '../../db/reference/organisation.ts';
import type { UnitsLoaders } from './loaders.ts';
import {
  changeStore,
  enterpriseStore,
  referenceStore,
  unitStore,
  type EnterpriseQuery,
  type EnterpriseRow,
  type UnitQuery,
  type UnitRow,
} from './store.ts';

export interface UnitsServiceDeps {
  db: Db;
  viewer: Viewer;
  loaders: UnitsLoaders;
  maxPageSize: number;
}

export interface CreateUnitInput {
  code: string;
  name: string;
  kind: UnitRow['kind'];
  level: UnitRow['level'];
  domainCode?: string | null;
  districtCode?: string | null;
  parentId?: string | null;
  aliases?: string[] | null;
}

export type UpdateUnitInput = Partial<Omit<CreateUnitInput, 'code'>> & { expectedVersion?: number | null };

export interface UpsertEnterpriseInput {
  creditCode: string;
  name: string;
  districtCode: string;
  industryCode: string;
  sizeClass: EnterpriseRow['sizeClass'];
  expectedVersion?: number | null;
}

const UNIT = { zh: '单位', en: 'Unit' };
const MANAGE_UNITS: Bilingual = { zh: '管理单位目录（仅市指挥部办公室）', en: 'manage the unit directory (command office only)' };
const UNIT_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const INDUSTRY_CODE = /^([A-T])(\d{2}(\d{1,2})?)?$/;
const MAX_NAME_LENGTH = 120;

/** What a viewer may see of the enterprise directory. */
type EnterpriseScope = { kind: 'all' } | { kind: 'district'; districtCode: string } | { kind: 'self'; creditCode: string } | { kind: 'none' };

function cleanAliases(aliases: string[] | null | undefined): string[] {
  return [...new Set((aliases ?? []).map((alias) => alias.trim()).filter(Boolean))];
}

function snapshot(row: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(row)) as Record<string, unknown>;
}

export function createUnitsService({ db, viewer, loaders, maxPageSize }: UnitsServiceDeps) {
  async function viewerUnit(): Promise<UnitRow | null> {
    return viewer.unitId ? loaders.unitById.load(viewer.unitId) : null;
  }

  async function activeViewerUnit(): Promise<UnitRow> {
    const unit = await viewerUnit();
    if (!unit || unit.archivedAt) {
      throw errors.forbidden({ zh: '令牌中的单位不存在或已归档', en: "The token's unit does not exist or is archived" });
    }
    return unit;
  }

  async function requireCommandOffice(action: Bilingual): Promise<void> {
    requireRole(viewer, [Role.COMMAND_OFFICE], action);
    await activeViewerUnit();
  }

  async function enterpriseScope(): Promise<EnterpriseScope> {
    switch (viewer.role) {
      case Role.COMMAND_OFFICE:
        return { kind: 'all' };
      case Role.ENTERPRISE:
        return { kind: 'self', creditCode: viewer.enterprise! };
      case Role.UNIT_ADMIN:
      case Role.UNIT_STAFF: {
        const unit = await viewerUnit();
        if (!unit || unit.archivedAt) return { kind: 'none' };
        // District and zone units serve the enterprises of their own district; city bureaus serve the city.
        if (unit.level === 'CITY' && unit.kind !== 'DISTRICT' && unit.kind !== 'FUNCTION_ZONE') return { kind: 'all' };
        return unit.districtCode ? { kind: 'district', districtCode: unit.districtCode } : { kind: 'none' };
      }
      default:
        return { kind: 'none' };
    }
  }

  function visible(scope: EnterpriseScope, row: EnterpriseRow): boolean {
    if (scope.kind === 'all') return true;
    if (scope.kind === 'district') return row.districtCode === scope.districtCode;
    if (scope.kind === 'self') return row.creditCode === scope.creditCode;
    return false;
  }

  async function requireEnterpriseReader(): Promise<EnterpriseScope> {
    requireSignedIn(viewer);
    const scope = await enterpriseScope();
    if (scope.kind === 'none') {
      throw errors.forbidden({ zh: '无权查看市场主体信息', en: 'You may not read the market-entity directory' });
    }
    return scope;
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
      if (!parent) throw errors.badInput('parentId', { zh: `上级单位不存在：${unit.parentId}`, en: `No such parent unit: ${unit.parentId}` });
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

  const leadTaken = (domainCode: string | null | undefined): Bilingual => ({
    zh: `重点领域 ${domainCode} 已有牵头单位，请先调整原牵头单位`,
    en: `Domain ${domainCode} already has a lead unit; change that one first`,
  });

  return {
    viewer: () => viewer,
    viewerUnit,

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
    async units(filter: UnitQuery, page: PageArgs) {
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeIntegerCursor(page.after) : null;
      const rows = await unitStore.page(db, filter, size + 1, after);
      for (const row of rows) loaders.unitById.prime(row.id, row);
      return toConnection(rows, size, (row) => [row.position], () => unitStore.count(db, filter), after !== null);
    },
    domainUnits: (domainCode: string) => loaders.activeUnitsByDomain.load(domainCode),
    async leadUnit(domainCode: string) {
      const unitsOfDomain = await loaders.activeUnitsByDomain.load(domainCode);
      const lead = unitsOfDomain.find((unit) => unit.kind === 'LEAD');
      if (!lead) throw errors.serviceUnavailable({ zh: `重点领域 ${domainCode} 缺少牵头单位`, en: `Domain ${domainCode} has no lead unit` });
      return lead;
    },
    async unitChanges(unitId: string, page: PageArgs) {
      await requireCommandOffice({ zh: '查看单位变更记录', en: "read a unit's change history" });
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? decodeIntegerCursor(page.after) : null;
      const rows = await changeStore.page(db, 'unit', unitId, size + 1, after);
      return toConnection(rows, size, (row) => [row.id], () => changeStore.count(db, 'unit', unitId), after !== null);
    },

    // ---- units (command office writes) ----
    async createUnit(input: CreateUnitInput) {
      await requireCommandOffice(MANAGE_UNITS);
      const code = input.code.trim();
      if (!UNIT_CODE.test(code)) {
        throw errors.badInput('code', {
          zh: '单位代码须为大写英文字母开头，由大写字母、数字和下划线组成（2–64 位）',
          en: 'A unit code is 2–64 upper-case letters, digits or underscores, starting with a letter',
        });
      }
      const unit = {
        ...input,
        code,
        name: text('name', input.name, { zh: '单位名称', en: 'Unit name' }, MAX_NAME_LENGTH),
        aliases: cleanAliases(input.aliases),
      };
      return db
        .transaction(async (tx) => {
          await validateUnitShape(tx, unit);
          const row = await unitStore.insert(tx, {
            code: unit.code,
            name: unit.name,
            aliases: unit.aliases,
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
              ? { zh: `单位代码 ${code} 已存在，或${leadTaken(unit.domainCode).zh}`, en: `Unit code ${code} exists, or ${leadTaken(unit.domainCode).en}` }
              : { zh: `单位代码已存在：${code}`, en: `Unit code already exists: ${code}` },
          ),
        );
    },

    async updateUnit(id: string, input: UpdateUnitInput) {
      await requireCommandOffice(MANAGE_UNITS);
      return db
        .transaction(async (tx) => {
          const current = await unitStore.lock(tx, id);
          if (!current) throw errors.notFound(UNIT, id);
          if (current.archivedAt) throw errors.invalidTransition({ zh: '单位已归档，不能修改', en: 'The unit is archived and cannot be changed' }, 'ARCHIVED');
          if (input.expectedVersion != null && input.expectedVersion !== current.version) {
            throw errors.conflict(
              { zh: `单位已被他人修改（当前版本 ${current.version}）`, en: `The unit changed meanwhile (now version ${current.version})` },
              { currentVersion: current.version },
            );
          }
          if (current.kind === 'COMMAND_OFFICE' && input.kind && input.kind !== 'COMMAND_OFFICE') {
            throw errors.badInput('kind', { zh: '市指挥部办公室的类别不能修改', en: "The command office's kind cannot change" });
          }
          const next = {
            id,
            name: input.name === undefined ? current.name : text('name', input.name, { zh: '单位名称', en: 'Unit name' }, MAX_NAME_LENGTH),
            kind: input.kind ?? current.kind,
            level: input.level ?? current.level,
            domainCode: input.domainCode === undefined ? current.domainCode : input.domainCode,
            districtCode: input.districtCode === undefined ? current.districtCode : input.districtCode,
            parentId: input.parentId === undefined ? current.parentId : input.parentId,
            aliases: input.aliases === undefined || input.aliases === null ? current.aliases : cleanAliases(input.aliases),
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

    async archiveUnit(id: string, reason: string) {
      await requireCommandOffice(MANAGE_UNITS);
      const why = text('reason', reason, { zh: '归档原因', en: 'Reason' }, MAX_NAME_LENGTH);
      return db.transaction(async (tx) => {
        const current = await unitStore.lock(tx, id);
        if (!current) throw errors.notFound(UNIT, id);
        if (current.archivedAt) throw errors.invalidTransition({ zh: '单位已归档', en: 'The unit is already archived' }, 'ARCHIVED');
        if (current.kind === 'COMMAND_OFFICE' || current.code === COMMAND_OFFICE_CODE) {
          throw errors.invalidTransition({ zh: '市指挥部办公室不能归档', en: 'The command office cannot be archived' }, 'ACTIVE');
        }
        if (current.kind === 'LEAD') {
          throw errors.invalidTransition(
            { zh: '牵头单位不能直接归档，请先把牵头职责交给另一单位', en: 'A lead unit cannot be archived; hand its domain to another unit first' },
            'ACTIVE',
          );
        }
        const row = await unitStore.update(tx, id, current.version, { archivedAt: new Date() });
        if (!row) throw errors.conflict({ zh: '单位已被他人修改', en: 'The unit changed meanwhile' });
        await recordChange(tx, 'unit', id, 'archive', current, { ...row, reason: why });
        return row;
      });
    },

    // ---- enterprises ----
    async enterprise(rawCode: string) {
      const scope = await requireEnterpriseReader();
      const row = await loaders.enterpriseByCode.load(normalizeCreditCode(rawCode));
      return row && visible(scope, row) ? row : null;
    },
    /** For `_entities`: null when the caller may not see it, without failing the whole plan. */
    async enterpriseReference(code: string) {
      const scope = viewer.role === 'ANONYMOUS' ? ({ kind: 'none' } as const) : await enterpriseScope();
      const row = await loaders.enterpriseByCode.load(code);
      return row && visible(scope, row) ? row : null;
    },
    async enterprises(filter: Omit<EnterpriseQuery, 'onlyDistrict'>, page: PageArgs) {
      const scope = await requireEnterpriseReader();
      const size = pageSize(page.first, maxPageSize);
      const after = page.after ? String(decodeCursor(page.after, 1)[0]) : null;
      if (scope.kind === 'self') {
        const own = await loaders.enterpriseByCode.load(scope.creditCode);
        const rows = own && (!after || own.creditCode > after) ? [own] : [];
        return toConnection(rows, size, (row) => [row.creditCode], async () => (own ? 1 : 0), after !== null);
      }
      const query: EnterpriseQuery = { ...filter, onlyDistrict: scope.kind === 'district' ? scope.districtCode : null };
      const rows = await enterpriseStore.page(db, query, size + 1, after);
      return toConnection(rows, size, (row) => [row.creditCode], () => enterpriseStore.count(db, query), after !== null);
    },
    async upsertEnterprise(input: UpsertEnterpriseInput) {
      requireSignedIn(viewer);
      const isRegistryOwner =
        (viewer.role === Role.UNIT_ADMIN || viewer.role === Role.UNIT_STAFF) &&
        (await viewerUnit())?.code === ENTERPRISE_REGISTRY_OWNER_CODE;
      if (viewer.role === Role.COMMAND_OFFICE) await activeViewerUnit();
      else if (!isRegistryOwner || (await viewerUnit())?.archivedAt) {
        throw errors.forbidden({
          zh: '只有市指挥部办公室和市市场监管局可以登记市场主体',
          en: 'Only the command office and 市市场监管局 may write the market-entity registry',
        });
      }
      const creditCode = normalizeCreditCode(input.creditCode);
      const problem = creditCodeProblem(creditCode);
      if (problem) throw errors.badInput('creditCode', creditCodeProblemMessages[problem]);
      const name = text('name', input.name, { zh: '企业名称', en: 'Enterprise name' }, MAX_NAME_LENGTH);
      await requireDistrict(input.districtCode, 'districtCode');
      const industryCode = input.industryCode.trim().toUpperCase();
      if (!INDUSTRY_CODE.test(industryCode) || !(await loaders.industryByCode.load(industryCode.slice(0, 1)))) {
        throw errors.badInput('industryCode', {
          zh: '行业代码须符合 GB/T 4754-2017，如 C、C13 或 C131',
          en: 'The industry code must follow GB/T 4754-2017, e.g. C, C13 or C131',
        });
      }
      const values = { creditCode, name, districtCode: input.districtCode, industryCode, sizeClass: input.sizeClass };
      return db.transaction(async (tx) => {
        const current = await enterpriseStore.lock(tx, creditCode);
        if (!current) {
          if (input.expectedVersion != null) throw errors.notFound({ zh: '市场主体', en: 'Enterprise' }, creditCode);
          const created = await enterpriseStore.insert(tx, values);
          if (!created) throw errors.conflict({ zh: '该市场主体刚被他人登记，请重试', en: 'Someone registered this entity meanwhile; retry' });
          await recordChange(tx, 'enterprise', creditCode, 'create', null, created);
          return created;
        }
        if (input.expectedVersion != null && input.expectedVersion !== current.version) {
          throw errors.conflict(
            { zh: `市场主体已被他人修改（当前版本 ${current.version}）`, en: `The entity changed meanwhile (now version ${current.version})` },
            { currentVersion: current.version },
          );
        }
        // Sample rows become real the moment the registry owner confirms them.
        const updated = await enterpriseStore.update(tx, creditCode, { ...values, sample: false });
        await recordChange(tx, 'enterprise', creditCode, 'update', current, updated);
        return updated;
      });
    },
  };
}

export type UnitsService = ReturnType<typeof createUnitsService>;
