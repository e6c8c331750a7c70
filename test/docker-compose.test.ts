/**
 * docker-compose.yml is a start path too: every service that runs the gateway must switch off
 * @apollo/gateway's usage telemetry, or a container in the city's network would try to phone home.
 *
 * The file is read the way Compose itself reads it (test/support/compose.ts: anchors, merge keys,
 * interpolation, later files over earlier ones, list-or-map `environment`) and checked against the
 * Compose Specification's JSON schema, so no Compose binary is needed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { slices } from '../subgraphs/registry.ts';
import { parse } from 'yaml';
import { envPrefix } from '../platform/env.ts';
import { loadCompose, type ComposeService } from './support/compose.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const composeFile = path.join(root, 'docker-compose.yml');
const portsFile = path.join(root, 'docker-compose.subgraph-ports.yml');
/**
 * What an operator must set in the environment; the keys and passwords are files (Compose
 * `secrets:`), never variables, so nothing in the environment lets anyone sign tokens.
 */
const required = {
  JWT_ISSUER: 'https://id.qingdao.example',
  JWT_AUDIENCE: 'qingdao-yingshang',
};
/** Variables that would hold a secret's value: only their `_FILE` variants may appear. */
const SECRET_VALUE =
  /^(JWT_SECRET|DOWNLOAD_LINK_SECRET|DATABASE_URL|DATABASE_ROLE_PASSWORD|POSTGRES_PASSWORD|PGPASSWORD|[A-Z0-9_]+_DATABASE_URL)$/;
const OWNER_SECRETS = ['database_url', 'database_role_password', 'postgres_password'];

/** The services as Compose resolves them; nothing from the test's own environment fills in a ${VARIABLE}. */
function composeServices(files = [composeFile], variables: Record<string, string> = required): Record<string, ComposeService> {
  return loadCompose(files, variables).services;
}

/** The secrets a service mounts, by name (short or long syntax). */
const secretsOf = (service: ComposeService): string[] =>
  ((service.secrets as (string | { source: string })[] | undefined) ?? []).map((entry) =>
    typeof entry === 'string' ? entry : entry.source,
  );

/** A service of the optional `observability` profile (Prometheus, Jaeger). */
const observabilityTool = (service: ComposeService): boolean =>
  Array.isArray(service.profiles) && (service.profiles as unknown[]).includes('observability');

const words = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(' ') : (value ?? ''));

/** `npm start` (the whole platform), `npm run start:gateway`, or a gateway entry file run directly. */
function startsGateway(name: string, service: ComposeService): boolean {
  const command = `${words(service.entrypoint)} ${words(service.command)}`;
  return (
    /\bgateway\b/i.test(name) ||
    /gateway\/(index|main)\.ts/.test(command) ||
    /\bstart:gateway\b/.test(command) ||
    /\bnpm\s+(run\s+)?start(?![:\w-])/.test(command)
  );
}

describe('docker-compose.yml', () => {
  it('exists and is valid for the Compose Specification, alone and with the ports file', () => {
    expect(fs.existsSync(composeFile)).toBe(true);
    expect(() => composeServices()).not.toThrow();
    expect(() => composeServices([composeFile, portsFile])).not.toThrow();
  });

  it('is checked against the specification: a misspelt key or a wrong type is refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
    try {
      const text = fs.readFileSync(composeFile, 'utf8');
      const misspelt = path.join(dir, 'misspelt.yml');
      fs.writeFileSync(misspelt, text.replace('restart: unless-stopped', 'restrat: unless-stopped'));
      expect(() => composeServices([misspelt])).toThrow(/restrat|additional/);
      const wrongType = path.join(dir, 'wrong-type.yml');
      fs.writeFileSync(wrongType, text.replace('replicas: 2', 'replicas: [2]'));
      expect(() => composeServices([wrongType])).toThrow(/replicas/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('switches off Apollo telemetry in every service that starts the gateway', () => {
    const services = composeServices();
    const gateways = Object.entries(services).filter(([name, service]) => startsGateway(name, service));
    expect(gateways.length, `no service starts the gateway among: ${Object.keys(services).join(', ')}`).toBeGreaterThan(0);
    for (const [name, service] of gateways) {
      expect(String(service.environment?.APOLLO_TELEMETRY_DISABLED ?? ''), `service ${name}`).toMatch(/^(1|true)$/);
    }
  });

  it('runs every registered slice as a service of its own, and publishes no port but the gateway’s (the observability tools: to this host only)', () => {
    const services = composeServices() as Record<string, ComposeService & { ports?: unknown[] }>;
    for (const slice of slices) {
      expect(services[slice.name], `no service for the slice ${slice.name}`).toBeDefined();
      expect(words(services[slice.name]!.command)).toMatch(new RegExp(`^node bin/subgraph\\.js ${slice.name}$`));
    }
    const published = Object.entries(services)
      .filter(([, service]) => service.ports?.length && !observabilityTool(service))
      .map(([name]) => name);
    expect(published).toEqual(['gateway']);
    for (const [name, service] of Object.entries(services).filter(([, service]) => observabilityTool(service)))
      for (const port of service.ports ?? []) expect(String(port), name).toMatch(/^127\.0\.0\.1:/);
  });

  it('publishes every registered slice’s port when asked, with docker-compose.subgraph-ports.yml', () => {
    const services = composeServices([composeFile, portsFile]) as Record<string, ComposeService & { ports?: unknown[] }>;
    for (const slice of slices) expect(services[slice.name]?.ports?.length, `no port for ${slice.name}`).toBeGreaterThan(0);
  });

  it('runs two replicas of every slice behind a gateway that balances over them, one when its port is published', () => {
    const services = composeServices();
    for (const slice of slices) expect(services[slice.name]?.deploy?.replicas, slice.name).toBeGreaterThanOrEqual(2);
    expect(String(services.gateway?.environment?.SUBGRAPH_REPLICAS_FROM_DNS)).toMatch(/^(1|true)$/);
    const published = composeServices([composeFile, portsFile]);
    for (const slice of slices) expect(published[slice.name]?.deploy?.replicas, slice.name).toBe(1);
  });

  it('tells every slice its replicas as MAX_REPLICAS, alone and with the ports file, so the start’s pool check counts what runs', () => {
    for (const files of [[composeFile], [composeFile, portsFile]]) {
      const services = composeServices(files);
      for (const slice of slices) {
        const service = services[slice.name]!;
        expect(Number(service.environment?.MAX_REPLICAS), `${slice.name} (${files.length} files)`).toBe(service.deploy?.replicas);
        expect(Number(service.environment?.DATABASE_POOL_MAX), slice.name).toBeGreaterThan(0);
      }
    }
  });

  it('refuses to start without the issuer and the audience', () => {
    for (const missing of Object.keys(required)) {
      const { [missing]: _left, ...rest } = required as Record<string, string>;
      expect(() => composeServices([composeFile], rest), missing).toThrow(new RegExp(missing));
    }
  });

  it('sets no development mode, and no key with a default, in any service: the key is a file the operator makes', () => {
    for (const [name, service] of Object.entries(composeServices())) {
      expect(service.environment?.DEVELOPMENT_MODE ?? null, name).toBeNull();
      expect(service.environment?.JWT_SECRET, name).toBeUndefined();
      if (service.environment && 'JWT_SECRET_FILE' in service.environment)
        expect(service.environment.JWT_SECRET_FILE, name).toBe('/run/secrets/jwt_secret');
    }
  });

  it('lets the gateway believe x-forwarded-for of no one but a front proxy the operator names, and a subgraph of the gateway only (issue #20)', () => {
    const services = composeServices();
    // Trusting every private address would let any client on the network forge its address.
    expect(services.gateway?.environment?.TRUSTED_PROXIES ?? '').toBe('');
    for (const slice of slices) expect(services[slice.name]?.environment?.SUBGRAPH_TRUSTED_PROXIES, slice.name).toBe('gateway');
    const withProxy = loadCompose([composeFile], { ...required, TRUSTED_PROXIES: '10.0.0.5' });
    expect(withProxy.services.gateway?.environment?.TRUSTED_PROXIES).toBe('10.0.0.5');
  });

  it('is Compose v2: no obsolete `version:` in either file', () => {
    for (const file of [composeFile, portsFile]) expect(parse(fs.readFileSync(file, 'utf8'))).not.toHaveProperty('version');
  });

  it('holds no secret in any environment: each is a file under /run/secrets that the service mounts and the project declares', () => {
    const project = loadCompose([composeFile, portsFile], required);
    const declared = project.secrets as Record<string, { file?: string }>;
    for (const [name, service] of Object.entries(project.services)) {
      const mounted = secretsOf(service);
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        expect(key, `${name} has the secret ${key} in its environment`).not.toMatch(SECRET_VALUE);
        if (!key.endsWith('_FILE')) continue;
        const secret = /^\/run\/secrets\/([a-z0-9_]+)$/.exec(value ?? '')?.[1];
        expect(secret, `${name}: ${key}=${value}`).toBeDefined();
        expect(mounted, `${name} mounts ${secret}`).toContain(secret);
      }
      for (const secret of mounted)
        expect(declared[secret]?.file, `secret ${secret} is declared with its file`).toMatch(/\/secrets\/[a-z0-9_]+$/);
    }
    // Where the files are is the operator's to choose.
    const elsewhere = loadCompose([composeFile], { ...required, SECRETS_DIR: '/etc/yingshang' });
    expect((elsewhere.secrets as Record<string, { file: string }>).jwt_secret?.file).toBe('/etc/yingshang/jwt_secret');
  });

  it('migrates once, as the owner, in a one-shot service every slice waits for', () => {
    const services = composeServices();
    const migrate = services.migrate as ComposeService;
    expect(words(migrate.command)).toBe('node bin/migrate.js');
    expect(migrate.restart).toBe('no');
    expect(migrate.healthcheck).toEqual({ disable: true });
    expect(migrate.environment?.DATABASE_URL_FILE).toBe('/run/secrets/database_url');
    expect(migrate.environment?.DATABASE_ROLE_PASSWORD_FILE).toBe('/run/secrets/database_role_password');
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const slice of slices)
      expect(services[slice.name]?.depends_on, slice.name).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    // Nobody else migrates: no other service is given the owner.
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate' || name === 'postgres' || name === 'backup') continue;
      for (const secret of OWNER_SECRETS) expect(secretsOf(service), `${name} holds ${secret}`).not.toContain(secret);
    }
  });

  it('serves each slice as its own role only: its own URL file, no other slice’s', () => {
    const services = composeServices();
    for (const slice of slices) {
      const service = services[slice.name] as ComposeService;
      const own = `${slice.name.replace(/[^a-z0-9]+/g, '_')}_database_url`;
      expect(service.environment?.[`${envPrefix(slice.name)}_DATABASE_URL_FILE`], slice.name).toBe(`/run/secrets/${own}`);
      expect(secretsOf(service).filter((secret) => /database|postgres/.test(secret))).toEqual([own]);
      expect(service.environment?.LOAD_SAMPLE_DATA, slice.name).toBe('false');
    }
  });

  it('gives the gateway nothing of the database, and starts it once every subgraph is ready', () => {
    const gateway = composeServices().gateway as ComposeService;
    expect(Object.keys(gateway.environment ?? {}).filter((key) => /DATABASE|^PG|POSTGRES/.test(key))).toEqual([]);
    expect(secretsOf(gateway).sort()).toEqual(['download_link_secret', 'jwt_secret']);
    expect(gateway.depends_on).toEqual(Object.fromEntries(slices.map((slice) => [slice.name, { condition: 'service_healthy' }])));
  });

  it('checks every serving container by its readiness (/ready), and PostgreSQL by pg_isready', () => {
    const services = composeServices();
    const healthcheck = fs.readFileSync(path.join(root, 'bin/healthcheck.ts'), 'utf8');
    expect(healthcheck).toMatch(/\/ready`/);
    for (const name of [...slices.map((slice) => slice.name), 'gateway'])
      expect((services[name]?.healthcheck as { test: string[] }).test, name).toEqual(['CMD', 'node', 'bin/healthcheck.js']);
    expect(words((services.postgres?.healthcheck as { test: string[] }).test)).toMatch(/pg_isready/);
  });

  it('sets a CPU and memory limit on every service, alone and with the ports file', () => {
    for (const files of [[composeFile], [composeFile, portsFile]]) {
      for (const [name, service] of Object.entries(composeServices(files))) {
        const limits = (service.deploy?.resources as { limits?: { cpus?: string; memory?: string } } | undefined)?.limits;
        expect(Number(limits?.cpus), `${name} cpus`).toBeGreaterThan(0);
        expect(limits?.memory, `${name} memory`).toMatch(/^\d+[MG]$/);
      }
    }
  });

  it('runs images pinned to a release, PostgreSQL on the major version the tests run on', () => {
    const services = composeServices();
    for (const name of ['postgres', 'backup']) expect(services[name]?.image, name).toMatch(/^postgres:15\.\d+-bookworm$/);
    expect(services.backup?.image).toBe(services.postgres?.image);
  });

  it('backs up only when asked (profile backup): pg_dump on a schedule into a volume of its own', () => {
    const project = loadCompose([composeFile], required);
    const backup = project.services.backup as ComposeService;
    expect(backup.profiles).toEqual(['backup']);
    for (const [name, service] of Object.entries(project.services))
      if (name !== 'backup' && !observabilityTool(service)) expect(service.profiles, name).toBeUndefined();
    const script = words(backup.command);
    expect(script).toMatch(/pg_dump --format=custom/);
    expect(script).toMatch(/sleep "\$BACKUP_INTERVAL_SECONDS"/);
    expect(backup.volumes).toEqual(['backups:/backups']);
    expect(project.volumes).toHaveProperty('backups');
    expect(secretsOf(backup)).toEqual(['postgres_password']);
  });

  it('serves every service’s metrics on METRICS_PORT, unpublished, and sends spans nowhere unless OTEL_EXPORTER_OTLP_ENDPOINT is set (issue #27)', () => {
    const services = composeServices();
    for (const name of ['gateway', ...slices.map((slice) => slice.name)]) {
      const service = services[name] as ComposeService & { ports?: unknown[] };
      expect(service.environment?.METRICS_PORT, name).toBe('9464');
      expect(
        (service.ports ?? []).map(String).filter((port) => port.includes('9464')),
        name,
      ).toEqual([]);
      expect(service.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? '', name).toBe('');
      expect(service.environment?.METRICS_TOKEN, name).toBeUndefined();
    }
    const traced = loadCompose([composeFile], { ...required, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318' });
    expect(traced.services.gateway?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://jaeger:4318');
  });

  it('adds Prometheus, scraping every replica of every registered slice and the gateway, and Jaeger, only with the observability profile', () => {
    const project = loadCompose([composeFile], required);
    const prometheus = project.services.prometheus as ComposeService & { volumes?: string[]; image?: string };
    const jaeger = project.services.jaeger as ComposeService & { image?: string };
    expect(prometheus.profiles).toEqual(['observability']);
    expect(jaeger.profiles).toEqual(['observability']);
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(jaeger.image).toMatch(/^jaegertracing\/jaeger:\d+\.\d+\.\d+$/);
    const mounted = (prometheus.volumes ?? []).map(String);
    expect(mounted).toContain('./deploy/observability/prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(mounted).toContain('./deploy/observability/alerts.yml:/etc/prometheus/alerts.yml:ro');
    const config = parse(fs.readFileSync(path.join(root, 'deploy/observability/prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; dns_sd_configs: { names: string[]; type: string; port: number }[] }[];
    };
    expect(config.rule_files).toEqual(['/etc/prometheus/alerts.yml']);
    for (const name of ['gateway', ...slices.map((slice) => slice.name)]) {
      const job = config.scrape_configs.find((candidate) => candidate.job_name === name);
      expect(job, `no scrape job for ${name}`).toBeDefined();
      expect(job!.dns_sd_configs).toEqual([{ names: [name], type: 'A', port: 9464 }]);
    }
    const alerts = parse(fs.readFileSync(path.join(root, 'deploy/observability/alerts.yml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    };
    const rules = alerts.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.alert)).toEqual(expect.arrayContaining(['ErrorRateHigh', 'OperationSlow', 'DatabasePoolWaiting']));
  });
});
