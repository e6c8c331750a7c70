import { describe, expect, it } from 'vitest';
import { buildSchema, graphql } from 'graphql';
import { countBeside, pageArgs, type PageArgs } from '../platform/pagination.ts';

describe('counting beside the page', () => {
  it('starts the count at once when the operation asks for it, and only when read otherwise', async () => {
    let started = 0;
    const count = () => {
      started++;
      return Promise.resolve(7);
    };
    const beside = countBeside(true, count);
    expect(started).toBe(1);
    expect(await beside()).toBe(7);
    expect(await beside()).toBe(7);
    expect(started).toBe(1);

    const lazy = countBeside(false, count);
    expect(started).toBe(1);
    expect(await lazy()).toBe(7);
    expect(started).toBe(2);
  });

  it('a count that fails before anyone reads it is not an unhandled rejection, and the reader still sees the failure', async () => {
    const unhandled: unknown[] = [];
    const listen = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', listen);
    try {
      const beside = countBeside(true, () => Promise.reject(new Error('statement timeout')));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      await expect(beside()).rejects.toThrow('statement timeout');
    } finally {
      process.off('unhandledRejection', listen);
    }
  });

  it('knows whether totalCount is selected, through fragments and inline fragments too', async () => {
    const schema = buildSchema(`
      type Connection { totalCount: Int! edges: [Int!]! }
      type Query { list(first: Int, after: String): Connection! }
    `);
    const seen: PageArgs[] = [];
    const run = async (source: string) => {
      const result = await graphql({
        schema,
        source,
        rootValue: {
          list: (args: { first?: number; after?: string }, _context: unknown, info: Parameters<typeof pageArgs>[1]) => {
            seen.push(pageArgs(args, info));
            return { totalCount: 0, edges: [] };
          },
        },
      });
      expect(result.errors).toBeUndefined();
      return seen.at(-1)!;
    };
    expect(await run('{ list(first: 5) { edges } }')).toEqual({ first: 5, after: undefined, counted: false });
    expect(await run('{ list(first: 5, after: "x") { totalCount } }')).toEqual({ first: 5, after: 'x', counted: true });
    expect((await run('{ list { ...F } } fragment F on Connection { totalCount }')).counted).toBe(true);
    expect((await run('{ list { ... on Connection { totalCount } } }')).counted).toBe(true);
    expect((await run('{ list { ...F } } fragment F on Connection { edges }')).counted).toBe(false);
  });
});
