/** A clock tests can set and move, handed to the platform as its `now`. */
export class TestClock {
  private current: Date;

  constructor(start: string | Date = '2023-09-28T10:00:00+08:00') {
    this.current = new Date(start);
  }

  now = (): Date => new Date(this.current);

  set(instant: string | Date): void {
    this.current = new Date(instant);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
