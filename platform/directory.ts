/**
 * The unit directory as other subgraphs see it. A subgraph never reads the units subgraph's
 * tables; it asks the units subgraph's public API (through federation's owner, not the database),
 * and keeps a short-lived copy. Permissions that depend on the organisation ("a lead unit sees its
 * domain's issues") are decided on this copy, never on data a caller sent in a representation.
 */
import { errors } from './errors.ts';

/** The slice that owns the organisation: every other slice reads the directory from its API. */
export const DIRECTORY_SLICE = 'units';

export interface DirectoryUnit {
  id: string;
  code: string;
  name: string;
  kind: string;
  level: string;
  domainCode: string | null;
  districtCode: string | null;
  archived: boolean;
}

export class Directory {
  readonly units = new Map<string, DirectoryUnit>();
  readonly districts: Set<string>;
  private readonly domainUnits = new Map<string, DirectoryUnit[]>();

  constructor(units: DirectoryUnit[], districts: string[], readonly domains: string[]) {
    this.districts = new Set(districts);
    for (const unit of units) {
      this.units.set(unit.id, unit);
      if (unit.domainCode && !unit.archived) {
        const list = this.domainUnits.get(unit.domainCode) ?? [];
        list.push(unit);
        this.domainUnits.set(unit.domainCode, list);
      }
    }
  }

  unit(id: string): DirectoryUnit | null {
    return this.units.get(id) ?? null;
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
}

export interface DirectorySource {
  /** The directory, at most `ttl` old. */
  current(): Promise<Directory>;
  /** A unit, refreshing once if it is unknown (it may have been created a moment ago). */
  unit(id: string): Promise<DirectoryUnit | null>;
}

const DIRECTORY_QUERY = /* GraphQL */ `
  query Directory($after: String) {
    districts { code }
    domains { code }
    units(first: 100, after: $after, filter: { includeArchived: true }) {
      pageInfo { hasNextPage endCursor }
      edges { node { id code name kind level archived domain { code } district { code } } }
    }
  }
`;

interface DirectoryPage {
  districts: { code: string }[];
  domains: { code: string }[];
  units: {
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: Omit<DirectoryUnit, 'domainCode' | 'districtCode'> & { domain: { code: string } | null; district: { code: string } | null } }[];
  };
}

async function fetchDirectory(url: string, timeoutMs: number): Promise<Directory> {
  const units: DirectoryUnit[] = [];
  let districts: string[] = [];
  let domains: string[] = [];
  let after: string | null = null;
  do {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: DIRECTORY_QUERY, variables: { after } }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { data?: DirectoryPage; errors?: { message: string }[] };
    if (!body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
    districts = body.data.districts.map((d) => d.code);
    domains = body.data.domains.map((d) => d.code);
    for (const { node } of body.data.units.edges) {
      units.push({
        id: node.id,
        code: node.code,
        name: node.name,
        kind: node.kind,
        level: node.level,
        archived: node.archived,
        domainCode: node.domain?.code ?? null,
        districtCode: node.district?.code ?? null,
      });
    }
    after = body.data.units.pageInfo.hasNextPage ? body.data.units.pageInfo.endCursor : null;
  } while (after);
  return new Directory(units, districts, domains);
}

/** Reads the directory from the units subgraph at `url`, cached for `ttlMs`. */
export function remoteDirectory(options: { url: string | (() => string); ttlMs: number; timeoutMs?: number; now?: () => number }): DirectorySource {
  const url = typeof options.url === 'function' ? options.url : () => options.url as string;
  const now = options.now ?? Date.now;
  let cached: { directory: Directory; at: number } | undefined;
  let loading: Promise<Directory> | undefined;

  const load = (): Promise<Directory> =>
    (loading ??= fetchDirectory(url(), options.timeoutMs ?? 5_000)
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
      throw errors.serviceUnavailable({
        zh: '单位目录暂不可用（单位子图无法访问），请稍后重试',
        en: `The unit directory is unavailable (units subgraph unreachable: ${(error as Error).message}); retry shortly`,
      });
    }
  };

  return {
    current,
    async unit(id) {
      const found = (await current()).unit(id);
      if (found || (cached && now() - cached.at < 1_000)) return found;
      return (await load().catch(() => current())).unit(id);
    },
  };
}

/** A fixed directory (sample data, unit tests). */
export function staticDirectory(directory: Directory): DirectorySource {
  return { current: async () => directory, unit: async (id) => directory.unit(id) };
}
