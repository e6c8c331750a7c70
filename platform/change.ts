/**
 * The one way a slice changes a row by its rules. `changeRow` runs, in ONE transaction:
 *
 *   1. load     the row, locked (`SELECT … FOR UPDATE`) or as read for a version-guarded write;
 *               missing, or hidden from the caller (`visible`): NOT_FOUND — nobody learns that a
 *               row they may not see exists;
 *   2. version  the caller's `expectedVersion`, when given, must be the row's: otherwise CONFLICT
 *               with `currentVersion` (and `currentState`);
 *   3. authorize the slice's access module asks its rules table (`access.assert…`) on the row as
 *               this transaction has it, so its state and the caller's standing are the ones written on;
 *   4. write    compute the next state and write it; nothing written (a version-guarded UPDATE that
 *               matched no row: someone else won the race) is CONFLICT;
 *   5. record   append the event (history, change log) beside the write;
 *   6. finish   optionally, what else belongs to the same change (refresh a derived column, read
 *               the row back), returning the row as the caller gets it.
 *
 * Any throw rolls all of it back. `createRow` is the same for a row that does not exist yet, and
 * `orCreate` makes `changeRow` an upsert (a missing row is created — unless the caller named a version).
 *
 * The slice supplies the steps; the kit keeps their order, the transaction and the coded errors.
 * What needs the network (the directory, another slice's API) is asked before `changeRow`, never
 * inside a step: on the embedded database a transaction holds the only connection. The kit knows
 * no slice: rows, keys, events and the transaction type are the slice's.
 */
import { errors, type Bilingual } from './errors.ts';
import { invariant } from './invariant.ts';

/** Anything that runs work in one transaction (a drizzle database; a fake in unit tests). */
export interface Transactional<Tx> {
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** What the kit needs to know of one kind of row, once per kind (a unit, an issue, an application). */
export interface RowKind<Row, Tx> {
  /** What the row is called in NOT_FOUND and CONFLICT messages: `{ zh: '单位', en: 'Unit' }`. */
  noun: Bilingual;
  /** Inside the transaction: the row by its key, locked or as read; null/undefined when there is none. */
  load(tx: Tx, key: string): Promise<Row | null | undefined>;
  /** Whether the caller may know the row exists (default: yes). May throw (e.g. UNAUTHENTICATED). */
  visible?(row: Row, tx: Tx): boolean | Promise<boolean>;
  /** The row's version, compared with a caller's `expectedVersion`. */
  version?(row: Row): number;
  /** The row's state as the API names it (`ASSIGNED`), for CONFLICT's `currentState`. */
  state?(row: Row): string;
  /** The state as a person reads it (`已派单`), in CONFLICT's Chinese message; default: `state`. */
  stateName?(row: Row): string;
}

/** One change of an existing row: the steps of `changeRow`, supplied by the slice's use case. */
export interface RowChange<Row, Written, Tx> {
  /** The row's key, as the caller gave it (named in NOT_FOUND). */
  key: string;
  /** The version the caller last read; absent or null: not compared. */
  expectedVersion?: number | null;
  /** Throws the coded refusal unless the caller may make this change to `row` (the slice's `access.assert…`). */
  authorize(row: Row, tx: Tx): void | Promise<void>;
  /** Computes the next state from `row` and writes it; returns what was written, or nothing when the write lost a race. */
  write(tx: Tx, row: Row): Promise<Written | null | undefined>;
  /** Appends the event that says what happened, from `before` to `after`. */
  record(tx: Tx, before: Row, after: Written): Promise<unknown>;
  /** After the event: the rest of the change and the answer (default: what `write` returned). */
  finish?(tx: Tx, after: Written, before: Row): Promise<Written>;
  /** An upsert: a missing row is created by these steps instead of NOT_FOUND (never when `expectedVersion` is given). */
  orCreate?: RowCreation<Written, Tx>;
}

/** One creation of a row: the steps of `createRow`. */
export interface RowCreation<Written, Tx> {
  /** Throws the coded refusal unless the caller may create it (the slice's `access.assert…`). */
  authorize(tx: Tx): void | Promise<void>;
  /** Writes the new row; returns it, or nothing when one with its key exists (a concurrent creation). */
  write(tx: Tx): Promise<Written | null | undefined>;
  /** The CONFLICT message when `write` returns nothing. */
  exists?: Bilingual;
  /** Appends the event that says it was created. */
  record(tx: Tx, after: Written): Promise<unknown>;
  /** After the event: the rest of the creation and the answer (default: what `write` returned). */
  finish?(tx: Tx, after: Written): Promise<Written>;
}

/** CONFLICT for a caller who acted on an older version than the row now has. */
export function versionConflict(noun: Bilingual, version: number, state?: { state: string; name?: string }) {
  if (!state) {
    return errors.conflict(
      {
        zh: `${noun.zh}已被他人修改（当前版本 ${version}）`,
        en: `The ${noun.en.toLowerCase()} changed meanwhile (now version ${version})`,
      },
      { currentVersion: version },
    );
  }
  return errors.conflict(
    {
      zh: `${noun.zh}已被他人更新（当前版本 ${version}，状态“${state.name ?? state.state}”）`,
      en: `The ${noun.en.toLowerCase()} changed meanwhile (now version ${version}, ${state.state})`,
    },
    { currentVersion: version, currentState: state.state },
  );
}

/** CONFLICT for a version-guarded write that matched nothing: someone else changed the row at the same moment. */
export function lostRace(noun: Bilingual, currentState?: string) {
  return errors.conflict(
    {
      zh: `${noun.zh}已被他人同时更新，请刷新后重试`,
      en: `Someone else changed the ${noun.en.toLowerCase()} at the same moment; reload and retry`,
    },
    currentState === undefined ? {} : { currentState },
  );
}

function stateOf<Row>(kind: RowKind<Row, unknown>, row: Row): { state: string; name?: string } | undefined {
  if (!kind.state) return undefined;
  return { state: kind.state(row), name: kind.stateName?.(row) };
}

async function created<Written, Tx>(tx: Tx, noun: Bilingual, creation: RowCreation<Written, Tx>): Promise<Written> {
  await creation.authorize(tx);
  const after = await creation.write(tx);
  if (after === null || after === undefined) {
    throw errors.conflict(creation.exists ?? { zh: `${noun.zh}已存在`, en: `The ${noun.en.toLowerCase()} exists already` });
  }
  await creation.record(tx, after);
  return creation.finish ? creation.finish(tx, after) : after;
}

/** Changes one existing row by the slice's rules, in one transaction (steps above). Returns the row as changed. */
export function changeRow<Row, Written, Tx>(
  db: Transactional<Tx>,
  kind: RowKind<Row, Tx>,
  change: RowChange<Row, Written, Tx>,
): Promise<Written> {
  return db.transaction(async (tx) => {
    const row = await kind.load(tx, change.key);
    if (row === null || row === undefined || (kind.visible && !(await kind.visible(row, tx)))) {
      if ((row === null || row === undefined) && change.orCreate && change.expectedVersion == null) {
        return created(tx, kind.noun, change.orCreate);
      }
      throw errors.notFound(kind.noun, change.key);
    }
    if (change.expectedVersion != null) {
      invariant(kind.version, `a ${kind.noun.en} without a version cannot be compared with expectedVersion`);
      const version = kind.version(row);
      if (version !== change.expectedVersion) throw versionConflict(kind.noun, version, stateOf(kind, row));
    }
    await change.authorize(row, tx);
    const after = await change.write(tx, row);
    if (after === null || after === undefined) throw lostRace(kind.noun, stateOf(kind, row)?.state);
    await change.record(tx, row, after);
    return change.finish ? change.finish(tx, after, row) : after;
  });
}

/** Creates one row by the slice's rules, in one transaction: authorize, write, record, finish. */
export function createRow<Written, Tx>(
  db: Transactional<Tx>,
  kind: Pick<RowKind<unknown, Tx>, 'noun'>,
  creation: RowCreation<Written, Tx>,
): Promise<Written> {
  return db.transaction((tx) => created(tx, kind.noun, creation));
}
