/**
 * The image's HEALTHCHECK: exit code 0 when the service of this container answers `/ready`
 * within 3 s, else 1. It runs every few seconds, so it loads nothing of the platform: the port is
 * PORT (one service per container), else GATEWAY_PORT (the one-process platform), else 4000; the
 * address is HOST unless that means every interface.
 */
const { PORT, GATEWAY_PORT, HOST } = process.env;
const port = PORT || GATEWAY_PORT || '4000';
const host = !HOST || HOST === '0.0.0.0' ? '127.0.0.1' : HOST === '::' ? '[::1]' : HOST.includes(':') ? `[${HOST}]` : HOST;
try {
  const response = await fetch(`http://${host}:${port}/ready`, { signal: AbortSignal.timeout(3_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
