/**
 * The kit's one way to change a row (platform/change.ts), without a database: a fake transaction
 * that keeps what was written only when the work returns, and steps that log their order. What the
 * database adds (locks, the version-guarded UPDATE) is proven by the slices' e2e tests.
 */
import { describe, expect, it } from 'vitest';
import { changeRow, createRow, lostRace, versionConflict, type RowKind, type Transactional } from '../platform/change.ts';
import { errors } from '../platform/errors.ts';
import { invariant, InvariantError, present } from '../platform/invariant.ts';

interface Note {
  id: string;
  text: string;
  status: 'OPEN' | 'CLOSED';
  version: number;
  hidden?: boolean;
}

/** A table of notes and an event log; a transaction works on copies and commits them only if the work returns. */
function fakeDb(initial: Note[] = []) {
  const state = { rows: new Map(initial.map((row) => [row.id, row])), events: [] as string[] };
  type Tx = { rows: Map<string, Note>; events: string[]; log: string[] };
  const log: string[] = [];
  const db: Transactional<Tx> = {
    async transaction(work) {
      const tx: Tx = { rows: new Map(state.rows), events: [...state.events], log };
      const result = await work(tx);
      state.rows = tx.rows;
      state.events = tx.events;
      return result;
    },
  };
  const kind: RowKind<Note, Tx> = {
    noun: { zh: '便签', en: 'Note' },
    load: async (tx, id) => (tx.log.push('load'), tx.rows.get(id)),
    visible: (row) => !row.hidden,
    version: (row) => row.version,
    state: (row) => row.status,
    stateName: (row) => (row.status === 'OPEN' ? '进行中' : '已关闭'),
  };
  /** Closes a note: the whole change, each step logged. */
  const close = (id: string, options: { expectedVersion?: number | null; allowed?: boolean; race?: boolean; failRecord?: boolean } = {}) =>
    changeRow(db, kind, {
      key: id,
      expectedVersion: options.expectedVersion,
      authorize: (row, tx) => {
        tx.log.push('authorize');
        if (options.allowed === false) throw errors.forbidden({ zh: '不可', en: 'No' });
        if (row.status !== 'OPEN') throw errors.invalidTransition({ zh: '已关闭', en: 'Closed' }, row.status);
      },
      write: async (tx, row) => {
        tx.log.push('write');
        if (options.race) return undefined;
        const next: Note = { ...row, status: 'CLOSED', version: row.version + 1 };
        tx.rows.set(row.id, next);
        return next;
      },
      record: async (tx, before, after) => {
        tx.log.push('record');
        if (options.failRecord) throw new Error('the event store is away');
        tx.events.push(`${before.status}→${after.status}`);
      },
    });
  return { db, kind, state, log, close };
}

const coded = (code: string, extensions: Record<string, unknown> = {}) => ({ extensions: { code, ...extensions } });

describe('changeRow', () => {
  it('loads, authorizes, writes and records in that order, in one transaction, and answers the written row', async () => {
    const { state, log, close } = fakeDb([{ id: 'a', text: 'x', status: 'OPEN', version: 1 }]);
    await expect(close('a', { expectedVersion: 1 })).resolves.toEqual({ id: 'a', text: 'x', status: 'CLOSED', version: 2 });
    expect(log).toEqual(['load', 'authorize', 'write', 'record']);
    expect(state.events).toEqual(['OPEN→CLOSED']);
  });

  it('answers NOT_FOUND for a missing row and for one the caller may not see, alike', async () => {
    const { close, log } = fakeDb([{ id: 'h', text: 'x', status: 'OPEN', version: 1, hidden: true }]);
    await expect(close('nothing')).rejects.toMatchObject(coded('NOT_FOUND', { id: 'nothing' }));
    await expect(close('h')).rejects.toMatchObject(coded('NOT_FOUND', { id: 'h' }));
    expect(log).toEqual(['load', 'load']);
  });

  it('refuses a stale expectedVersion with CONFLICT, the current version and state, before asking who may', async () => {
    const { close, state, log } = fakeDb([{ id: 'a', text: 'x', status: 'OPEN', version: 3 }]);
    const refusal = close('a', { expectedVersion: 2, allowed: false });
    await expect(refusal).rejects.toMatchObject(coded('CONFLICT', { currentVersion: 3, currentState: 'OPEN' }));
    await expect(refusal).rejects.toMatchObject({ extensions: { messageZh: '便签已被他人更新（当前版本 3，状态“进行中”）' } });
    expect(log).toEqual(['load']);
    expect(state.rows.get('a')?.version).toBe(3);
  });

  it('writes nothing when the caller may not, and lets the access module’s coded refusal through', async () => {
    const { close, state } = fakeDb([
      { id: 'a', text: 'x', status: 'OPEN', version: 1 },
      { id: 'c', text: 'x', status: 'CLOSED', version: 1 },
    ]);
    await expect(close('a', { allowed: false })).rejects.toMatchObject(coded('FORBIDDEN'));
    await expect(close('c')).rejects.toMatchObject(coded('INVALID_TRANSITION', { currentState: 'CLOSED' }));
    expect(state.rows.get('a')?.status).toBe('OPEN');
    expect(state.events).toEqual([]);
  });

  it('turns a write that lost its race into CONFLICT, and records nothing', async () => {
    const { close, state, log } = fakeDb([{ id: 'a', text: 'x', status: 'OPEN', version: 1 }]);
    await expect(close('a', { race: true })).rejects.toMatchObject(coded('CONFLICT', { currentState: 'OPEN' }));
    expect(log).toEqual(['load', 'authorize', 'write']);
    expect(state.events).toEqual([]);
  });

  it('keeps the write and its event together: a failing record rolls the write back', async () => {
    const { close, state } = fakeDb([{ id: 'a', text: 'x', status: 'OPEN', version: 1 }]);
    await expect(close('a', { failRecord: true })).rejects.toThrow('the event store is away');
    expect(state.rows.get('a')).toMatchObject({ status: 'OPEN', version: 1 });
  });

  it('answers what `finish` returns, after the event', async () => {
    const { db, kind, log } = fakeDb([{ id: 'a', text: 'x', status: 'OPEN', version: 1 }]);
    const answer = await changeRow(db, kind, {
      key: 'a',
      authorize: () => undefined,
      write: async (_tx, row) => ({ ...row, text: 'y' }),
      record: async (tx) => void tx.log.push('record'),
      finish: async (tx, after, before) => (tx.log.push('finish'), { ...after, text: `${before.text}→${after.text}` }),
    });
    expect(answer.text).toBe('x→y');
    expect(log.slice(-2)).toEqual(['record', 'finish']);
  });

  it('creates a missing row through `orCreate`, but not when the caller named a version', async () => {
    const { db, kind, state } = fakeDb();
    const upsert = (expectedVersion?: number) =>
      changeRow(db, kind, {
        key: 'n',
        expectedVersion,
        authorize: () => undefined,
        write: async (_tx, row) => ({ ...row, version: row.version + 1 }),
        record: async (tx) => void tx.events.push('update'),
        orCreate: {
          authorize: () => undefined,
          write: async (tx) => {
            const row: Note = { id: 'n', text: 'new', status: 'OPEN', version: 1 };
            tx.rows.set('n', row);
            return row;
          },
          record: async (tx) => void tx.events.push('create'),
        },
      });
    await expect(upsert(1)).rejects.toMatchObject(coded('NOT_FOUND'));
    await expect(upsert()).resolves.toMatchObject({ id: 'n', version: 1 });
    expect(state.events).toEqual(['create']);
  });

  it('refuses to compare a version with a kind that has none (a bug, not the caller’s doing)', async () => {
    const { db, kind } = fakeDb([{ id: 'a', text: 'x', status: 'OPEN', version: 1 }]);
    const unversioned = { ...kind, version: undefined };
    const change = changeRow(db, unversioned, {
      key: 'a',
      expectedVersion: 1,
      authorize: () => undefined,
      write: async (_, row) => row,
      record: async () => undefined,
    });
    await expect(change).rejects.toBeInstanceOf(InvariantError);
  });
});

describe('createRow', () => {
  it('authorizes, writes and records; a concurrent creation of the same key is CONFLICT with the message given', async () => {
    const { db, kind, state } = fakeDb();
    const create = (allowed = true) =>
      createRow(db, kind, {
        authorize: () => {
          if (!allowed) throw errors.forbidden();
        },
        write: async (tx) => {
          if (tx.rows.has('n')) return null;
          const row: Note = { id: 'n', text: 'new', status: 'OPEN', version: 1 };
          tx.rows.set('n', row);
          return row;
        },
        exists: { zh: '便签已存在', en: 'The note exists' },
        record: async (tx, after) => void tx.events.push(`create ${after.id}`),
      });
    await expect(create(false)).rejects.toMatchObject(coded('FORBIDDEN'));
    await expect(create()).resolves.toMatchObject({ id: 'n' });
    await expect(create()).rejects.toMatchObject({ extensions: { code: 'CONFLICT', messageEn: 'The note exists' } });
    expect(state.events).toEqual(['create n']);
  });
});

describe('the coded conflicts and the invariant', () => {
  it('names the version (and the state, when the kind has one) in both languages', () => {
    expect(versionConflict({ zh: '单位', en: 'Unit' }, 4).extensions).toMatchObject({
      code: 'CONFLICT',
      currentVersion: 4,
      messageZh: '单位已被他人修改（当前版本 4）',
      messageEn: 'The unit changed meanwhile (now version 4)',
    });
    expect(lostRace({ zh: '问题', en: 'Issue' }, 'ASSIGNED').extensions).toMatchObject({ code: 'CONFLICT', currentState: 'ASSIGNED' });
  });

  it('throws an internal error where a value that cannot be missing is', () => {
    expect(present(0, 'a count')).toBe(0);
    expect(() => present(null, 'the caller’s unit')).toThrow(/the caller’s unit is missing/);
    expect(() => invariant(false, 'never')).toThrow(InvariantError);
  });
});
