/** The cursors of this slice's lists ordered by a date and an id (contests by `heldOn`, tasks and milestones by `dueOn`). */
import { errors } from '../../../platform/errors.ts';
import { isUuid } from '../../../platform/input.ts';
import { decodeCursor } from '../../../platform/pagination.ts';
import { isValidDate } from '../../../platform/scalars.ts';

/** A cursor of (date, id); BAD_USER_INPUT on `after` for anything else. */
export function dateCursor(cursor: string): { date: string; id: string } {
  const [date, id] = decodeCursor(cursor, 2);
  if (typeof date !== 'string' || !isValidDate(date) || typeof id !== 'string' || !isUuid(id)) {
    throw errors.badInput('after', { zh: '分页游标无效', en: 'Invalid pagination cursor' });
  }
  return { date, id };
}
