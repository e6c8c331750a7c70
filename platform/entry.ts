/**
 * How every command of the platform ends when it cannot start (`npm start`, `start:gateway`,
 * `start:subgraph`, `db:migrate`, `seed:sample`): a refusal a person can act on is one line in
 * Chinese and English saying what to do, and exit code 1 — a port in use, the embedded database's
 * folder held by another process, a setting out of range, a database that does not answer. Only
 * what nobody foresaw prints its stack (it is a bug), also with exit code 1.
 */
import { databaseUnavailable, DataDirInUse } from '../db/client.ts';
import { ConfigurationError } from './env.ts';

interface SystemError extends Error {
  code?: string;
  port?: number;
  address?: string;
  syscall?: string;
}

/** The one line for an error a person can act on, or null for one nobody foresaw (also bin/token.ts's). */
export function startupRefusal(error: unknown): string | null {
  if (error instanceof ConfigurationError) {
    if (error.zh) return `配置有误：${error.zh}（见 README「配置」） / Configuration error: ${error.message} (see README › Configuration)`;
    return `配置有误，请按 README「配置」一节修改环境变量 / Configuration error: ${error.message} (see README › Configuration)`;
  }
  if (error instanceof DataDirInUse) return error.message;
  // Drizzle wraps the driver's error (DrizzleQueryError, its `cause`): the code is on the innermost one that has it.
  const system = codedCause(error) as SystemError;
  if (system?.syscall === 'listen' && system.code === 'EADDRINUSE') {
    return (
      `端口 ${system.port} 已被占用（另一份平台正在运行？）：停止它，或设置 PORT_OFFSET（如 PORT_OFFSET=100）把全部端口整体移开 / ` +
      `Port ${system.port} is already in use (another copy running?): stop it, or set PORT_OFFSET (e.g. PORT_OFFSET=100) to move every port`
    );
  }
  if (system?.syscall === 'listen' && system.code === 'EACCES') {
    return `无权监听端口 ${system.port}：改用 1024 以上的端口（PORT_OFFSET 或 <NAME>_PORT） / No permission to listen on port ${system.port}: use a port above 1024 (PORT_OFFSET or <NAME>_PORT)`;
  }
  if (system?.syscall === 'listen' && system.code === 'EADDRNOTAVAIL') {
    return `本机没有地址 ${system.address}：检查 HOST / This machine has no address ${system.address}: check HOST`;
  }
  if (
    system?.code === 'ECONNREFUSED' ||
    system?.code === 'ENOTFOUND' ||
    system?.code === 'EAI_AGAIN' ||
    system?.code === 'CONNECT_TIMEOUT'
  ) {
    const where = system.address ? `${system.address}${system.port ? `:${system.port}` : ''}` : '';
    return `无法连接数据库 ${where}：启动 PostgreSQL，或检查 DATABASE_URL / Cannot reach the database ${where}: start PostgreSQL, or check DATABASE_URL`;
  }
  if (system?.code === '28P01' || system?.code === '28000') {
    return `数据库拒绝登录：检查 DATABASE_URL 或 <NAME>_DATABASE_URL 中的用户和密码 / The database refused the login: check the user and password in DATABASE_URL or <NAME>_DATABASE_URL (${system.message})`;
  }
  if (system?.code === '53300') {
    return (
      `数据库连接已满（max_connections）：减少其他连接，调小 DATABASE_POOL_MAX，或调大服务器的 max_connections / ` +
      `The database has no free connection slots (max_connections): close other connections, lower DATABASE_POOL_MAX, or raise the server's max_connections (${system.message})`
    );
  }
  if (system?.code === '3D000') {
    return `数据库不存在：先创建它，或检查 DATABASE_URL / The database does not exist: create it, or check DATABASE_URL (${system.message})`;
  }
  return null;
}

/** The error itself, or the first of its causes that carries a code (a system or SQLSTATE code). */
function codedCause(error: unknown): unknown {
  const seen = new Set<unknown>();
  for (
    let current = error;
    current && typeof current === 'object' && !seen.has(current);
    current = (current as { cause?: unknown }).cause
  ) {
    seen.add(current);
    if (typeof (current as { code?: unknown }).code === 'string') return current;
  }
  return error;
}

/**
 * A query the database dropped (terminated, restarting, full) whose promise nobody awaited any more
 * must not end a running process: its request was already answered SERVICE_UNAVAILABLE or its round
 * retried. It is logged in one line; any other unhandled rejection is a bug and ends the process, as
 * Node does by default.
 */
function surviveDroppedQueries(): void {
  process.on('unhandledRejection', (reason) => {
    if (databaseUnavailable(reason)) {
      console.error(
        JSON.stringify({
          level: 40,
          msg: `数据库连接中断，未等待的查询已放弃 / a dropped query nobody awaited: ${(reason as Error).message}`,
        }),
      );
      return;
    }
    throw reason;
  });
}

/** Runs a command's body; a refusal ends it in one line with exit code 1 (a bug, with its stack). */
export async function runEntry(body: () => Promise<void>): Promise<void> {
  surviveDroppedQueries();
  try {
    await body();
  } catch (error) {
    const line = startupRefusal(error);
    if (line) console.error(line);
    else console.error('启动失败（程序错误）/ Start-up failed (a bug):', error);
    process.exit(1);
  }
}
