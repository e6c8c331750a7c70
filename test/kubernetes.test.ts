/**
 * deploy/kubernetes/ checked offline, as no cluster runs here: every manifest against the
 * Kubernetes JSON schema that kubernetes-models ships (a wrong type or a missing required field
 * is refused), the files equal to what deploy/kubernetes/generate.ts writes from the registry, and
 * what issue #23 asks of them — per slice a Deployment (readiness /ready, liveness /health,
 * requests and limits, its own role only), Service, HorizontalPodAutoscaler and PodDisruptionBudget
 * and a place in the NetworkPolicy; the gateway with nothing of the database; a migration Job;
 * Secrets as templates without a real value.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FRONTEND_LABEL, IMAGE, PROMETHEUS_LABEL, here, render, workload } from '../deploy/kubernetes/generate.ts';
import { envPrefix } from '../platform/env.ts';
import { slices } from '../subgraphs/registry.ts';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

function yamlFiles(dir = here, under = ''): string[] {
  return fs.readdirSync(path.join(dir, under), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(under, entry.name);
    if (entry.isDirectory()) return yamlFiles(dir, relative);
    return entry.name.endsWith('.yaml') ? [relative] : [];
  });
}

const read = (file: string): K8sObject[] =>
  parseAllDocuments(fs.readFileSync(path.join(here, file), 'utf8')).map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS() as K8sObject;
  });

const objects = () =>
  yamlFiles()
    .filter((file) => file !== 'kustomization.yaml')
    .flatMap((file) => read(file).map((object) => ({ file, object })));
const find = (kind: string, name: string) => objects().find(({ object }) => object.kind === kind && object.metadata.name === name)?.object;

/** The kubernetes-models class for an object's apiVersion and kind, and its schema validation. */
async function validate(object: unknown): Promise<void> {
  const { apiVersion, kind } = object as K8sObject;
  const module = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = module[kind];
  if (!Model) throw new Error(`no model for ${apiVersion} ${kind}`);
  new Model(object).validate();
}

describe('deploy/kubernetes', () => {
  it('is what generate.ts writes from the registry, file for file (npm run deploy:kubernetes)', () => {
    const rendered = render();
    expect(yamlFiles().sort()).toEqual(Object.keys(rendered).sort());
    for (const [file, text] of Object.entries(rendered)) expect(fs.readFileSync(path.join(here, file), 'utf8'), file).toBe(text);
  });

  it('validates every object against the Kubernetes JSON schemas, which refuse a broken one', async () => {
    const all = objects();
    expect(all.length).toBeGreaterThan(slices.length * 4);
    for (const { file, object } of all)
      await expect(validate(object), `${file}: ${object.kind} ${object.metadata.name}`).resolves.toBeUndefined();
    const deployment = structuredClone(find('Deployment', workload('units')));
    deployment!.spec.replicas = 'two';
    await expect(validate(deployment)).rejects.toThrow(/replicas must be integer/);
    const job = structuredClone(find('Job', 'yingshang-migrate'));
    delete job!.spec.template;
    await expect(validate(job)).rejects.toThrow(/template/);
  });

  it('applies with kustomize: every manifest but the Secrets’ template and the release Job, in one namespace', () => {
    const [kustomization] = read('kustomization.yaml');
    expect(kustomization?.namespace).toBe('yingshang');
    const resources = (kustomization as unknown as { resources: string[] }).resources;
    for (const file of resources) expect(fs.existsSync(path.join(here, file)), file).toBe(true);
    expect(resources).not.toContain('secrets.template.yaml');
    expect(resources).not.toContain('migrate-job.yaml');
    for (const slice of slices) expect(resources).toContain(`subgraphs/${slice.name}.yaml`);
  });

  it('runs every registered slice as a Deployment probed on /ready and /health, with its Service, autoscaler, disruption budget and its own role only', () => {
    for (const slice of slices) {
      const name = workload(slice.name);
      const deployment = find('Deployment', name);
      expect(deployment, `no Deployment for ${slice.name}`).toBeDefined();
      const pod = deployment!.spec.template;
      const [container] = pod.spec.containers;
      expect(container.command).toEqual(['node', 'bin/subgraph.js', slice.name]);
      expect(container.readinessProbe.httpGet.path).toBe('/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health');
      expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      const env = Object.fromEntries(container.env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));
      expect(env[`${envPrefix(slice.name)}_DATABASE_URL_FILE`]).toBe('/run/secrets/database/url');
      expect(Object.keys(env).filter((key) => /DATABASE/.test(key) && key !== 'DATABASE_POOL_MAX')).toEqual([
        `${envPrefix(slice.name)}_DATABASE_URL_FILE`,
      ]);
      const secrets = pod.spec.volumes.filter((volume: any) => volume.secret).map((volume: any) => volume.secret.secretName);
      expect(secrets.sort()).toEqual(['yingshang-auth', `yingshang-${slice.name}-database`]);
      // The Service is named as SUBGRAPH_URL_TEMPLATE names the subgraph, and selects the pods.
      const service = find('Service', slice.name);
      expect(service?.spec.selector).toEqual(deployment!.spec.selector.matchLabels);
      expect(pod.metadata.labels).toMatchObject(deployment!.spec.selector.matchLabels);
      expect(find('HorizontalPodAutoscaler', name)?.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
      expect(find('PodDisruptionBudget', name)?.spec.selector.matchLabels).toEqual(deployment!.spec.selector.matchLabels);
    }
    const config = find('ConfigMap', 'yingshang-config');
    expect(config?.data.SUBGRAPH_URL_TEMPLATE).toBe('http://{name}:4000/graphql');
  });

  it('tells every slice its HorizontalPodAutoscaler’s maxReplicas as MAX_REPLICAS, so the start’s pool check counts what can run', () => {
    for (const slice of slices) {
      const name = workload(slice.name);
      const [container] = find('Deployment', name)!.spec.template.spec.containers;
      const env = Object.fromEntries(container.env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));
      const hpa = find('HorizontalPodAutoscaler', name)!;
      expect(Number(env.MAX_REPLICAS), slice.name).toBe(hpa.spec.maxReplicas);
      expect(hpa.spec.maxReplicas, slice.name).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
      expect(Number(env.DATABASE_POOL_MAX), slice.name).toBeGreaterThan(0);
    }
  });

  it('runs the gateway the same way, with nothing of the database', () => {
    const name = workload('gateway');
    const deployment = find('Deployment', name);
    const [container] = deployment!.spec.template.spec.containers;
    expect(container.command).toEqual(['node', 'bin/gateway.js']);
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(JSON.stringify(deployment)).not.toMatch(/DATABASE|database|owner/);
    for (const kind of ['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) expect(find(kind, name), kind).toBeDefined();
  });

  it('lets only the gateway, the subgraphs themselves and labelled bureau frontends reach a subgraph', () => {
    expect(find('NetworkPolicy', 'yingshang-default-deny-ingress')?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    const policy = find('NetworkPolicy', 'yingshang-subgraphs-ingress');
    const [selector] = policy!.spec.podSelector.matchExpressions;
    expect([...selector.values].sort()).toEqual(slices.map((slice) => workload(slice.name)).sort());
    const [rule, ...more] = policy!.spec.ingress;
    expect(more).toEqual([]);
    expect(rule.from).toEqual([
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': workload('gateway') } } },
      { podSelector: policy!.spec.podSelector },
      { namespaceSelector: {}, podSelector: { matchLabels: { [FRONTEND_LABEL]: 'true' } } },
    ]);
    // Every subgraph pod is selected by the policy's label.
    for (const slice of slices) {
      const labels = find('Deployment', workload(slice.name))!.spec.template.metadata.labels;
      expect(selector.values).toContain(labels[selector.key]);
    }
  });

  it('migrates in a Job of its own, as the owner, once', () => {
    const job = find('Job', 'yingshang-migrate');
    const spec = job!.spec.template.spec;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.containers[0].command).toEqual(['node', 'bin/migrate.js']);
    expect(spec.volumes.filter((volume: any) => volume.secret).map((volume: any) => volume.secret.secretName)).toEqual(['yingshang-owner']);
    // The owner roles.sql creates may not change a role's password (no CREATEROLE): the Job sets
    // none, and the roles' passwords stay with the administrator (docs/DEPLOYMENT.md §7).
    expect(spec.containers[0].env).toEqual([{ name: 'DATABASE_URL_FILE', value: '/run/secrets/owner/database_url' }]);
    expect(Object.keys(find('Secret', 'yingshang-owner')!.stringData)).toEqual(['database_url']);
    expect(find('Secret', 'yingshang-owner')!.stringData.database_url).toMatch(/^postgres:\/\/yingshang_owner:/);
    // The owner's Secret is mounted nowhere else.
    const mounting = objects().filter(({ object }) => JSON.stringify(object).includes('"secretName":"yingshang-owner"'));
    expect(mounting.map(({ object }) => object.kind)).toEqual(['Job']);
  });

  it('keeps Secrets as templates: no real value, one per slice', () => {
    const secrets = read('secrets.template.yaml');
    expect(secrets.map((secret) => secret.metadata.name).sort()).toEqual(
      ['yingshang-auth', 'yingshang-owner', ...slices.map((slice) => `yingshang-${slice.name}-database`)].sort(),
    );
    for (const secret of secrets) {
      expect(secret.data, secret.metadata.name).toBeUndefined();
      for (const value of Object.values(secret.stringData as Record<string, string>))
        expect(value === '' || value.includes('REPLACE-ME')).toBe(true);
    }
    // No other file holds a Secret.
    expect(objects().filter(({ object, file }) => object.kind === 'Secret' && file !== 'secrets.template.yaml')).toEqual([]);
  });

  it('runs every container of the image unprivileged, read-only, with a command the image has', () => {
    for (const { object } of objects()) {
      const spec = object.spec?.template?.spec;
      if (!spec) continue;
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      for (const container of spec.containers) {
        expect(container.image).toBe(IMAGE);
        expect(container.securityContext).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(fs.existsSync(path.join(root, container.command[1].replace(/\.js$/, '.ts'))), container.command[1]).toBe(true);
      }
    }
  });

  it('serves each pod’s metrics on METRICS_PORT to the pods labelled as Prometheus only, and sends traces nowhere until a collector is named (issue #27)', () => {
    const config = find('ConfigMap', 'yingshang-config') as unknown as { data: Record<string, string> };
    expect(config.data.METRICS_PORT).toBe('9464');
    expect(config.data.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('');
    expect(Number(config.data.OTEL_TRACES_SAMPLER_ARG)).toBeLessThanOrEqual(0.1);
    expect(config.data.METRICS_TOKEN).toBeUndefined();
    for (const name of ['gateway', ...slices.map((slice) => slice.name)]) {
      const deployment = find('Deployment', workload(name))!;
      const ports = deployment.spec.template.spec.containers[0].ports as { name: string; containerPort: number }[];
      expect(ports, name).toContainEqual({ name: 'metrics', containerPort: 9464 });
      expect(deployment.spec.template.metadata.annotations['prometheus.io/port'], name).toBe('9464');
    }
    const policy = find('NetworkPolicy', 'yingshang-metrics-ingress')!;
    expect(policy.spec.podSelector.matchExpressions[0].values.sort()).toEqual(
      ['gateway', ...slices.map((slice) => slice.name)].map(workload).sort(),
    );
    expect(policy.spec.ingress).toEqual([
      {
        from: [{ namespaceSelector: {}, podSelector: { matchLabels: { [PROMETHEUS_LABEL]: 'true' } } }],
        ports: [{ protocol: 'TCP', port: 9464 }],
      },
    ]);
    // The public ports stay as they were: nobody but the platform and the frontends reaches a subgraph's.
    const subgraphs = find('NetworkPolicy', 'yingshang-subgraphs-ingress')!;
    expect(subgraphs.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 4000 }]);
  });
});
