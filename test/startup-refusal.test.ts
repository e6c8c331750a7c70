/**
 * How a start that cannot go on ends (platform/entry.ts `startupRefusal`): what the operator can fix —
 * the configuration, a port, the database's address, login, existence or its full connection slots —
 * is one bilingual line; anything else is left to be reported as a bug.
 */
import { describe, expect, it } from 'vitest';
import { startupRefusal } from '../platform/entry.ts';

const withCode = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`failed: ${code}`), { code, ...extra });

describe('a start-up refusal', () => {
  it('says in one line, in Chinese and English, what the operator can fix', () => {
    const cases: [Error, RegExp][] = [
      [withCode('EADDRINUSE', { syscall: 'listen', port: 4000 }), /端口 4000 已被占用.*Port 4000 is already in use/],
      [withCode('ECONNREFUSED', { address: '127.0.0.1', port: 5432 }), /无法连接数据库 127\.0\.0\.1:5432.*Cannot reach the database/],
      [withCode('28P01'), /数据库拒绝登录.*refused the login/],
      [withCode('3D000'), /数据库不存在.*does not exist/],
      // A server whose connection slots are all taken: an operator's matter, not a bug of the platform.
      [withCode('53300'), /数据库连接已满.*no free connection slots.*DATABASE_POOL_MAX/],
      // As drizzle throws it: the driver's error is the cause of its own.
      [new Error('Failed query: select 1', { cause: withCode('53300') }), /数据库连接已满/],
    ];
    for (const [error, line] of cases) {
      const refusal = startupRefusal(error);
      expect(refusal, error.message).toMatch(line);
      expect(refusal).not.toContain('\n');
    }
  });

  it('leaves anything else to be reported as a bug', () => {
    expect(startupRefusal(new TypeError('x is not a function'))).toBeNull();
    expect(startupRefusal(withCode('42P01'))).toBeNull();
  });
});
