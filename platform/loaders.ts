/**
 * DataLoader helpers. Loaders are built per request (in the context factory), never at module
 * level, so one caller's data never leaks into another's cache.
 */
import DataLoader from 'dataloader';
import type { DirectorySource } from './directory.ts';
import { present } from './invariant.ts';

/** A loader whose batch function returns rows in any order; results come back in key order. */
export function keyedLoader<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map(rows.map((row) => [keyOf(row), row]));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}

/** A loader for one-to-many: every key gets the (possibly empty) list of rows that belong to it. */
export function groupedLoader<K, V>(fetch: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K): DataLoader<K, V[]> {
  return new DataLoader<K, V[]>(async (keys) => {
    const rows = await fetch(keys);
    const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const row of rows) groups.get(keyOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** Figures asked for a unit, a domain (its active units, from the directory) or the whole city ('ALL'). */
export interface FiguresKey<P> {
  kind: 'unit' | 'domain' | 'all';
  key: string;
  period: P | null;
  /** The optional parts the operation selected (the slice names them): batched apart, handed to `fetch`. */
  parts?: string;
}

/**
 * Per-request figures loader: whatever the number of units or domains one request asks for (the
 * gateway's `_entities` call hands them over at once), one `fetch` per (kind, period, parts). `fetch` gets
 * the unit ids with the key each counts under — a domain's units under its code — or null for the
 * whole city, and answers per key; a key it does not answer gets `empty`.
 */
export function figuresLoader<S, P extends { from: Date; to: Date }>(
  fetch: (groups: { unitId: string; key: string }[] | null, period: P | null, parts: string | undefined) => Promise<Map<string, S>>,
  empty: S,
  directory: DirectorySource,
): DataLoader<FiguresKey<P>, S, string> {
  const periodKey = (period: P | null) => (period ? `${period.from.getTime()}/${period.to.getTime()}` : 'all-time');
  const batchOf = (k: FiguresKey<P>) => `${k.kind}|${periodKey(k.period)}|${k.parts ?? '*'}`;
  return new DataLoader<FiguresKey<P>, S, string>(
    async (keys) => {
      const batches = new Map<string, FiguresKey<P>[]>();
      for (const key of keys) {
        const batch = batchOf(key);
        const list = batches.get(batch);
        if (list) list.push(key);
        else batches.set(batch, [key]);
      }
      const results = new Map<string, S>();
      for (const [batch, batchKeys] of batches) {
        const { kind, period, parts } = present(batchKeys[0], 'the first key of a batch');
        let groups: { unitId: string; key: string }[] | null = null;
        if (kind === 'unit') groups = batchKeys.map((k) => ({ unitId: k.key, key: k.key }));
        if (kind === 'domain') {
          const dir = await directory.current();
          groups = batchKeys.flatMap((k) => dir.unitsOfDomain(k.key).map((unit) => ({ unitId: unit.id, key: k.key })));
        }
        const figures = groups && groups.length === 0 ? new Map<string, S>() : await fetch(groups, period, parts);
        for (const k of batchKeys) results.set(`${batch}|${k.key}`, figures.get(k.key) ?? empty);
      }
      return keys.map((k) => results.get(`${batchOf(k)}|${k.key}`) ?? empty);
    },
    { cacheKeyFn: (k) => `${batchOf(k)}|${k.key}` },
  );
}
