/**
 * The unit directory as other subgraphs see it. A subgraph never reads the tables of the slice that
 * owns the organisation (the one whose registry entry `provides: ['directory']` — today units; the
 * kit names no slice); it asks that slice's public API (through federation's owner, not the database),
 * and keeps a short-lived copy. Permissions that depend on the organisation ("a lead unit sees its
 * domain's issues", "a district sees its streets' issues") are decided on this copy, never on data
 * a caller sent in a representation.
 *
 * Two rules keep the copy honest without an HTTP call where one must not be:
 * - the caller's own unit is confirmed fresh (`unit(id, { fresh: true })`) on every request that
 *   acts, before any transaction opens: archiving a unit takes effect at once in every slice;
 * - a unit the copy does not know (created a moment ago) is fetched by itself and merged into the
 *   copy, so whoever asks next finds it — again before, never inside, a transaction.
 * A slice that needs the directory during a transaction takes a snapshot (`current()`) before it.
 */
import { errors } from './errors.ts';
import { tracedCall } from './tracing.ts';

export interface DirectoryUnit {
  id: string;
  code: string;
  name: string;
  kind: string;
  level: string;
  domainCode: string | null;
  districtCode: string | null;
  /** The unit above it (a street's district); null at the top. */
  parentId?: string | null;
  archived: boolean;
}

/** Kinds of unit that answer for an area (区内事区内办): they dispatch within their subtree. */
const AREA_UNIT_KINDS = ['DISTRICT', 'FUNCTION_ZONE'];

export class Directory {
  readonly units = new Map<string, DirectoryUnit>();
  readonly districts: Set<string>;
  private readonly domainUnits = new Map<string, DirectoryUnit[]>();
  private readonly childrenOf = new Map<string, DirectoryUnit[]>();

  /** A directory of these units, district codes and domain codes. */
  static of(organisation: { units: DirectoryUnit[]; districts: string[]; domains: string[] }): Directory {
    return new Directory(organisation.units, organisation.districts, organisation.domains);
  }

  constructor(
    units: DirectoryUnit[],
    districts: string[],
    readonly domains: string[],
  ) {
    this.districts = new Set(districts);
    for (const unit of units) {
      this.units.set(unit.id, unit);
      if (unit.domainCode && !unit.archived) {
        const list = this.domainUnits.get(unit.domainCode) ?? [];
        list.push(unit);
        this.domainUnits.set(unit.domainCode, list);
      }
      if (unit.parentId) {
        const list = this.childrenOf.get(unit.parentId) ?? [];
        list.push(unit);
        this.childrenOf.set(unit.parentId, list);
      }
    }
  }

  unit(id: string): DirectoryUnit | null {
    return this.units.get(id) ?? null;
  }

  /** A copy that knows `unit` as it is now (added, or replacing the older entry). */
  withUnit(unit: DirectoryUnit): Directory {
    const units = [...this.units.values()].filter((known) => known.id !== unit.id);
    return new Directory([...units, unit], [...this.districts], this.domains);
  }

  /** Active units of a domain (lead and responsible alike). */
  unitsOfDomain(domainCode: string): DirectoryUnit[] {
    return this.domainUnits.get(domainCode) ?? [];
  }

  /** The domain a unit leads, if it is an active lead unit. */
  domainLedBy(unitId: string): string | null {
    const unit = this.unit(unitId);
    return unit && !unit.archived && unit.kind === 'LEAD' ? unit.domainCode : null;
  }

  /** Every unit below `unitId` (streets, towns, villages), archived ones included: their records stay. */
  descendants(unitId: string): DirectoryUnit[] {
    const found: DirectoryUnit[] = [];
    const seen = new Set<string>([unitId]);
    const queue = [...(this.childrenOf.get(unitId) ?? [])];
    for (let unit = queue.shift(); unit; unit = queue.shift()) {
      if (seen.has(unit.id)) continue;
      seen.add(unit.id);
      found.push(unit);
      queue.push(...(this.childrenOf.get(unit.id) ?? []));
    }
    return found;
  }

  /** Whether `unitId` is `ancestorId` itself or lies below it. */
  isWithin(unitId: string, ancestorId: string): boolean {
    const seen = new Set<string>();
    for (let current: string | null | undefined = unitId; current && !seen.has(current); current = this.unit(current)?.parentId) {
      if (current === ancestorId) return true;
      seen.add(current);
    }
    return false;
  }

  /** Whether the unit answers for an area (a district or function zone, active). */
  isAreaUnit(unitId: string): boolean {
    const unit = this.unit(unitId);
    return Boolean(unit && !unit.archived && AREA_UNIT_KINDS.includes(unit.kind));
  }

  /** The active unit standing for a district's government (区市), if any. */
  districtUnit(districtCode: string): DirectoryUnit | null {
    for (const unit of this.units.values()) {
      if (unit.kind === 'DISTRICT' && unit.districtCode === districtCode && !unit.archived) return unit;
    }
    return null;
  }
}

export interface DirectorySource {
  /** The directory, at most `ttl` old (with every unit fetched singly since merged in). */
  current(): Promise<Directory>;
  /**
   * One unit. From the copy unless `fresh` is asked for or the copy does not know it; then it is
   * fetched by itself (one small query) and merged into the copy. Never call it inside a transaction.
   */
  unit(id: string, options?: { fresh?: boolean }): Promise<DirectoryUnit | null>;
}

const UNIT_FIELDS = 'id code name kind level archived parent { id } domain { code } district { code }';

export const DIRECTORY_QUERY = /* GraphQL */ `
  query Directory($after: String) {
    districts { code }
    domains { code }
    units(first: 100, after: $after, filter: { includeArchived: true }) {
      pageInfo { hasNextPage endCursor }
      edges { node { ${UNIT_FIELDS} } }
    }
  }
`;

export const UNIT_QUERY = /* GraphQL */ `
  query DirectoryUnit($id: ID!) { unit(id: $id) { ${UNIT_FIELDS} } }
`;

type UnitNode = Omit<DirectoryUnit, 'domainCode' | 'districtCode' | 'parentId'> & {
  domain: { code: string } | null;
  district: { code: string } | null;
  parent: { id: string } | null;
};

interface DirectoryPage {
  districts: { code: string }[];
  domains: { code: string }[];
  units: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: UnitNode }[] };
}

const toUnit = (node: UnitNode): DirectoryUnit => ({
  id: node.id,
  code: node.code,
  name: node.name,
  kind: node.kind,
  level: node.level,
  archived: node.archived,
  domainCode: node.domain?.code ?? null,
  districtCode: node.district?.code ?? null,
  parentId: node.parent?.id ?? null,
});

async function ask<T>(url: string, query: string, variables: Record<string, unknown>, timeoutMs: number): Promise<T> {
  // In the trace of the request that needed it (platform/tracing.ts).
  const response = await tracedCall('ask directory', { 'url.full': url }, (trace) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...trace },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    }),
  );
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  // Any error makes the answer no answer: `unit: null` beside an error means the units subgraph
  // could not read it (its database away), not that the unit does not exist.
  if (!body.data || body.errors?.length) throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
  return body.data;
}

async function fetchDirectory(url: string, timeoutMs: number): Promise<Directory> {
  const units: DirectoryUnit[] = [];
  let districts: string[];
  let domains: string[];
  let after: string | null = null;
  do {
    const page: DirectoryPage = await ask<DirectoryPage>(url, DIRECTORY_QUERY, { after }, timeoutMs);
    districts = page.districts.map((d) => d.code);
    domains = page.domains.map((d) => d.code);
    for (const { node } of page.units.edges) units.push(toUnit(node));
    after = page.units.pageInfo.hasNextPage ? page.units.pageInfo.endCursor : null;
  } while (after);
  return new Directory(units, districts, domains);
}

const unavailable = (error: unknown) =>
  errors.serviceUnavailable({
    zh: '单位目录暂不可用（单位子图无法访问），请稍后重试',
    en: `The unit directory is unavailable (units subgraph unreachable: ${(error as Error).message}); retry shortly`,
  });

/** Reads the directory from the units subgraph at `url`, cached for `ttlMs`. */
export function remoteDirectory(options: {
  url: string | (() => string);
  ttlMs: number;
  timeoutMs?: number;
  now?: () => number;
}): DirectorySource {
  const url = typeof options.url === 'function' ? options.url : () => options.url as string;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let cached: { directory: Directory; at: number } | undefined;
  let loading: Promise<Directory> | undefined;

  const load = (): Promise<Directory> =>
    (loading ??= fetchDirectory(url(), timeoutMs)
      .then((directory) => {
        cached = { directory, at: now() };
        return directory;
      })
      .finally(() => {
        loading = undefined;
      }));

  const current = async (): Promise<Directory> => {
    if (cached && now() - cached.at <= options.ttlMs) return cached.directory;
    try {
      return await load();
    } catch (error) {
      // A stale copy beats refusing everyone while the units subgraph restarts.
      if (cached) return cached.directory;
      throw unavailable(error);
    }
  };

  /** One unit straight from the units API, merged into the copy (which keeps its age). */
  const fetchOne = async (id: string): Promise<DirectoryUnit | null> => {
    const data = await ask<{ unit: UnitNode | null }>(url(), UNIT_QUERY, { id }, timeoutMs);
    if (!data.unit) return null;
    const unit = toUnit(data.unit);
    if (cached) cached = { directory: cached.directory.withUnit(unit), at: cached.at };
    return unit;
  };

  return {
    current,
    async unit(id, { fresh = false } = {}) {
      const directory = await current();
      const known = directory.unit(id);
      if (known && !fresh) return known;
      try {
        return await fetchOne(id);
      } catch (error) {
        // The units subgraph is away: a known unit as last seen, rather than refusing everyone.
        if (known) return known;
        throw unavailable(error);
      }
    },
  };
}

/** A fixed directory (sample data, unit tests). */
export function staticDirectory(directory: Directory): DirectorySource {
  return { current: async () => directory, unit: async (id) => directory.unit(id) };
}
