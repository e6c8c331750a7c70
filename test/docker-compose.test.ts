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
import { loadCompose, type ComposeService } from './support/compose.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const composeFile = path.join(root, 'docker-compose.yml');
const portsFile = path.join(root, 'docker-compose.subgraph-ports.yml');
/** What an operator must set; nothing has a default that would let anyone sign tokens. */
const required = {
  POSTGRES_PASSWORD: 'owner-password',
  DATABASE_ROLE_PASSWORD: 'serving-password',
  JWT_SECRET: 'p3X9vQ2mL8rT4wZ1nB6yK0cF5hJ7sD2gA9eR4tU8iO1qW3xV6bN0mC5kL7jH2fG4',
  JWT_ISSUER: 'https://id.qingdao.example',
  JWT_AUDIENCE: 'qingdao-yingshang',
};

/** The services as Compose resolves them; nothing from the test's own environment fills in a ${VARIABLE}. */
function composeServices(files = [composeFile], variables: Record<string, string> = required): Record<string, ComposeService> {
  return loadCompose(files, variables).services;
}

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

  it('runs every registered slice as a service of its own, and publishes no port but the gateway’s', () => {
    const services = composeServices() as Record<string, ComposeService & { ports?: unknown[] }>;
    for (const slice of slices) {
      expect(services[slice.name], `no service for the slice ${slice.name}`).toBeDefined();
      expect(words(services[slice.name]!.command)).toMatch(new RegExp(`bin/subgraph\\.ts ${slice.name}$`));
    }
    const published = Object.entries(services)
      .filter(([, service]) => service.ports?.length)
      .map(([name]) => name);
    expect(published).toEqual(['gateway']);
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

  it('refuses to start without the signing key, the issuer, the audience and the passwords', () => {
    for (const missing of Object.keys(required)) {
      const { [missing]: _left, ...rest } = required as Record<string, string>;
      expect(() => composeServices([composeFile], rest), missing).toThrow(new RegExp(missing));
    }
  });

  it('sets no development mode, and no empty default for a key, in any service', () => {
    for (const [name, service] of Object.entries(composeServices())) {
      expect(service.environment?.DEVELOPMENT_MODE ?? null, name).toBeNull();
      if (service.environment && 'JWT_SECRET' in service.environment)
        expect(service.environment.JWT_SECRET, name).toBe(required.JWT_SECRET);
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
});
