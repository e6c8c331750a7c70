/**
 * The platform settings every benchmark starts with: development tokens, no sample data, and time
 * limits long enough to measure a slow query instead of refusing it (each overridable from the
 * environment), since a benchmark's job is to report how long something takes.
 */
export function benchPlatformEnv(): Record<string, string> {
  return {
    DEVELOPMENT_MODE: 'true',
    LOAD_SAMPLE_DATA: 'false',
    EXECUTION_TIMEOUT_MS: process.env.EXECUTION_TIMEOUT_MS ?? '300000',
    SUBGRAPH_TIMEOUT_MS: process.env.SUBGRAPH_TIMEOUT_MS ?? '300000',
    STATEMENT_TIMEOUT_MS: process.env.STATEMENT_TIMEOUT_MS ?? '300000',
    REQUEST_TIMEOUT_MS: process.env.REQUEST_TIMEOUT_MS ?? '300000',
  };
}
