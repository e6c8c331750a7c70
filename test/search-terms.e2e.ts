/**
 * One definition of the search terms in two languages: the kit's `termsOf` (TypeScript, what the
 * policies slice writes) and `searchTermsFunctionSql` (SQL, what the issues slice's generated
 * column computes) give the same terms for any text, on the PostgreSQL server and on embedded
 * PGlite alike; and the issues migration creates exactly the kit's function.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, rowsOf, type DatabaseHandle } from '../db/client.ts';
import { documentNumberKey, documentNumberKeySql, searchTermsFunctionSql, termsOf } from '../platform/search-text.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const MIGRATION = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'db', 'migrations', 'issues', '0014_search_terms.sql');

let server: TestDatabase;
let pglite: DatabaseHandle;
beforeAll(async () => {
  server = await createTestDatabase();
  pglite = server.kind === 'pglite' ? server.handle : await openPglite();
  for (const handle of new Set([server.handle, pglite])) {
    await handle.owner().execute(sql.raw('create schema scratch'));
    await handle.owner().execute(sql.raw(searchTermsFunctionSql('scratch')));
  }
});
afterAll(async () => {
  if (pglite && pglite !== server?.handle) await pglite.close();
  await server?.drop();
});

/** Characters that exercise every rule: Han of several blocks, full-width and upper-case letters, other scripts, digits, punctuation. */
const character = fc.constantFrom(...'改造补助政策税〇𠀀𪚥﨎ＡＢａ１２ABcdz059éÉДжかカ한 ，。、（）《》!?\'"\\:*&|-_/\t\n'.match(/./gsu)!);
const text = fc.oneof(fc.string({ unit: character, maxLength: 40 }), fc.constant('a'.repeat(70) + ' 智能化改造设备投资补助'));

async function sqlTerms(handle: DatabaseHandle, value: string): Promise<string[]> {
  const [row] = rowsOf<{ terms: string[] }>(
    await handle.owner().execute(sql`select tsvector_to_array(scratch.search_terms(${value})) as terms`),
  );
  return [...row!.terms].sort();
}

describe('the search terms in TypeScript and in SQL', () => {
  it('are the same for any text, on the server and on PGlite', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        const expected = [...termsOf(value)].sort();
        expect(await sqlTerms(server.handle, value), value).toEqual(expected);
        expect(await sqlTerms(pglite, value), value).toEqual(expected);
      }),
      { numRuns: 150, seed: 20261206 },
    );
  });

  it('read a document number the same in TypeScript and in SQL, on the server and on PGlite', async () => {
    const number = fc.string({ unit: fc.constantFrom(...'青政发号样例〔〕[]［］()（）【】〖〗 　0123ＡaB'.match(/./gsu)!), maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(number, async (value) => {
        for (const handle of new Set([server.handle, pglite])) {
          const [row] = rowsOf<{ key: string }>(
            await handle
              .owner()
              .execute(sql`select ${sql.raw(documentNumberKeySql('value'))} as key from (select ${value}::text as value) as given`),
          );
          expect(row!.key, value).toBe(documentNumberKey(value));
        }
      }),
      { numRuns: 100, seed: 20261207 },
    );
  });

  it('are created by the issues migration exactly as the kit defines them', () => {
    expect(fs.readFileSync(MIGRATION, 'utf8')).toContain(`${searchTermsFunctionSql('issues')};`);
  });
});
