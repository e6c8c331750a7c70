/**
 * The holds of demands this process is attempting right now (use-cases/demands.ts `hold`), at most
 * one per demand. When 57 institutions claim one demand at the same instant, the first to get here
 * tries in the database; the others wait for its outcome holding nothing — no connection, no
 * transaction, no statement — and are judged on the row it committed (held: CONFLICT), as they would
 * be on the locked row. Only if it failed (refused, or left the demand open) does the next one try.
 *
 * This is a saving of one process, not the rule that makes one winner: replicas do not share it,
 * and between them the database decides (the row lock, `SKIP LOCKED`, the committed row). Its own
 * module, so the context can hold it without importing a use case.
 */

export interface HoldsInFlight<Row> {
  /** The attempt on `demandId` in flight in this process, if any. */
  current(demandId: string): Promise<Row> | undefined;
  /** Runs `attempt` as the one in flight for `demandId` (forgotten once it settles). */
  run(demandId: string, attempt: () => Promise<Row>): Promise<Row>;
}

export function createHoldsInFlight<Row>(): HoldsInFlight<Row> {
  const running = new Map<string, Promise<Row>>();
  return {
    current: (demandId) => running.get(demandId),
    run(demandId, attempt) {
      const pending = attempt();
      running.set(demandId, pending);
      // Forgotten before anyone waiting on it resumes (this handler is the first attached), so the
      // first of them to find it failed becomes the next one in flight.
      const forget = () => {
        if (running.get(demandId) === pending) running.delete(demandId);
      };
      pending.then(forget, forget);
      return pending;
    },
  };
}
