/**
 * The Kubernetes manifests of deploy/kubernetes/, written from the registry: one Deployment,
 * Service, HorizontalPodAutoscaler and PodDisruptionBudget per slice, the gateway's, the
 * NetworkPolicies naming every slice, the migration Job and the Secrets' templates. Each object is
 * built with kubernetes-models (typed: a misspelt field does not compile) and validated against the
 * Kubernetes JSON schema it ships; the YAML is then plain, for `kubectl apply -k deploy/kubernetes`.
 *   npm run deploy:kubernetes            writes the files
 *   npm run deploy:kubernetes -- --check fails when a committed file differs (test/kubernetes.test.ts)
 * A new slice: a line in subgraphs/registry.ts, then this command; nothing here changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { stringify } from 'yaml';
import { envPrefix } from '../../platform/env.ts';
import { slices } from '../../subgraphs/registry.ts';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const NAMESPACE = 'yingshang';
export const IMAGE = 'qingdao-yingshang:0.1.0';
const PORT = 4000;
/** METRICS_PORT: Prometheus reads /metrics here; the service's own port refuses it (docs/OPERATIONS.md). */
const METRICS_PORT = 9464;
/**
 * The autoscalers' bounds. A subgraph's MAX_REPLICAS is its HPA's maxReplicas, so the start's pool
 * check (MAX_REPLICAS × DATABASE_POOL_MAX against the role's CONNECTION LIMIT) counts what can run;
 * the roles' SQL is generated with the same figure (docs/DEPLOYMENT.md, Kubernetes).
 */
export const REPLICAS = { min: 2, subgraphMax: 4, gatewayMax: 8 };
/** DATABASE_POOL_MAX of each subgraph (the platform's default), set where it can be tuned. */
export const POOL_MAX = 10;
/** The label a bureau's frontend carries to reach the subgraphs directly (any namespace). */
export const FRONTEND_LABEL = 'yingshang.qingdao.gov.cn/bureau-frontend';
/** Pods (in any namespace) carrying this label set to "true" may scrape every service's METRICS_PORT: the city's Prometheus. */
export const PROMETHEUS_LABEL = 'yingshang.qingdao.gov.cn/prometheus';
const PART_OF = { 'app.kubernetes.io/part-of': 'qingdao-yingshang' };

export type Manifest = { validate(): void; toJSON(): unknown };

/** `issues` → `yingshang-issues`: the Deployment, Service, HPA and PDB of a slice. */
export const workload = (name: string) => `yingshang-${name}`;
const labels = (name: string, component: 'subgraph' | 'gateway' | 'migration') => ({
  'app.kubernetes.io/name': workload(name),
  'app.kubernetes.io/component': component,
  ...PART_OF,
});
const secretVolume = (name: string, secret: string) => ({ name, secret: { secretName: secret, defaultMode: 0o440 } });

/** What every container of the platform runs with: unprivileged, read-only, no capability. */
function container(name: string, command: string[], extra: Partial<IContainer>): IContainer {
  return {
    name,
    image: IMAGE,
    command,
    envFrom: [{ configMapRef: { name: 'yingshang-config' } }],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    ...extra,
  };
}

function podSpec(containers: IContainer[], volumes: IPodSpec['volumes'], extra: Partial<IPodSpec> = {}): IPodSpec {
  return {
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    // STOP_TIMEOUT_MS (10 s) plus the endpoints' removal.
    terminationGracePeriodSeconds: 30,
    containers,
    volumes: [{ name: 'tmp', emptyDir: {} }, ...(volumes ?? [])],
    ...extra,
  };
}

/** A serving Deployment: readiness on /ready, liveness on /health, a budget per replica. */
function serving(
  name: string,
  component: 'subgraph' | 'gateway',
  command: string[],
  env: IContainer['env'],
  secretMounts: [string, string, string][],
  maxReplicas: number,
) {
  const selector = { 'app.kubernetes.io/name': workload(name) };
  const probe = (pathname: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path: pathname, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  const deployment = new Deployment({
    metadata: { name: workload(name), labels: labels(name, component) },
    spec: {
      replicas: REPLICAS.min,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels(name, component),
          // For a Prometheus that discovers pods by annotation; the network policy lets only PROMETHEUS_LABEL pods in.
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/path': '/metrics' },
        },
        spec: podSpec(
          [
            container(name, command, {
              ports: [
                { name: 'http', containerPort: PORT },
                { name: 'metrics', containerPort: METRICS_PORT },
              ],
              env: [{ name: 'PORT', value: String(PORT) }, ...(env ?? [])],
              // docs/PERFORMANCE.md measures a replica on a quarter of a CPU; it may burst to one.
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              startupProbe: probe('/health', 2, 60),
              readinessProbe: probe('/ready', 5, 3),
              livenessProbe: probe('/health', 10, 3),
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...secretMounts.map(([volume, mountPath]) => ({ name: volume, mountPath, readOnly: true })),
              ],
            }),
          ],
          secretMounts.map(([volume, , secret]) => secretVolume(volume, secret)),
        ),
      },
    },
  });
  const service = new Service({
    metadata: { name: component === 'subgraph' ? name : workload(name), labels: labels(name, component) },
    // A subgraph's Service is headless: its name resolves to every ready replica, and the gateway
    // balances its requests over them (SUBGRAPH_REPLICAS_FROM_DNS), new ones within 10 s.
    spec: {
      ...(component === 'subgraph' ? { clusterIP: 'None' } : {}),
      selector,
      ports: [{ name: 'http', port: PORT, targetPort: 'http' }],
    },
  });
  const hpa = new HorizontalPodAutoscaler({
    metadata: { name: workload(name), labels: labels(name, component) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload(name) },
      minReplicas: REPLICAS.min,
      maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    },
  });
  const pdb = new PodDisruptionBudget({
    metadata: { name: workload(name), labels: labels(name, component) },
    spec: { minAvailable: 1, selector: { matchLabels: selector } },
  });
  return [deployment, service, hpa, pdb];
}

const sliceSecret = (name: string) => `yingshang-${name}-database`;

/** Ingress: the gateway from anywhere, the subgraphs from the platform and the bureau frontends, METRICS_PORT from Prometheus. */
function networkPolicies(names: readonly string[]): Manifest[] {
  const subgraphPods = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: names.map(workload) }] };
  return [
    new NetworkPolicy({
      metadata: { name: 'yingshang-default-deny-ingress', labels: PART_OF },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    }),
    new NetworkPolicy({
      metadata: { name: 'yingshang-gateway-ingress', labels: PART_OF },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': workload('gateway') } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ protocol: 'TCP', port: PORT }] }],
      },
    }),
    new NetworkPolicy({
      metadata: { name: 'yingshang-subgraphs-ingress', labels: PART_OF },
      // The subgraphs answer the gateway, each other (the unit directory, a slice reading another's
      // figures) and the bureau frontends labelled FRONTEND_LABEL=true; nobody else.
      spec: {
        podSelector: subgraphPods,
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { podSelector: { matchLabels: { 'app.kubernetes.io/name': workload('gateway') } } },
              { podSelector: subgraphPods },
              { namespaceSelector: {}, podSelector: { matchLabels: { [FRONTEND_LABEL]: 'true' } } },
            ],
            ports: [{ protocol: 'TCP', port: PORT }],
          },
        ],
      },
    }),
    new NetworkPolicy({
      metadata: { name: 'yingshang-metrics-ingress', labels: PART_OF },
      // Every service's METRICS_PORT, to the pods labelled PROMETHEUS_LABEL=true only.
      spec: {
        podSelector: { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['gateway', ...names].map(workload) }] },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ namespaceSelector: {}, podSelector: { matchLabels: { [PROMETHEUS_LABEL]: 'true' } } }],
            ports: [{ protocol: 'TCP', port: METRICS_PORT }],
          },
        ],
      },
    }),
  ];
}

export function manifests(names: readonly string[] = slices.map((slice) => slice.name)): Record<string, Manifest[]> {
  const files: Record<string, Manifest[]> = {};
  files['namespace.yaml'] = [new Namespace({ metadata: { name: NAMESPACE, labels: PART_OF } })];
  files['config.yaml'] = [
    new ConfigMap({
      metadata: { name: 'yingshang-config', labels: PART_OF },
      // Settings, no secret (those are files from the Secrets, `<NAME>_FILE`). Set the issuer, the
      // audience and the JWKS of the city's identity provider, and PUBLIC_URL, before applying.
      data: {
        NODE_ENV: 'production',
        APOLLO_TELEMETRY_DISABLED: '1',
        LOG_FORMAT: 'json',
        LOAD_SAMPLE_DATA: 'false',
        EXPLORER: 'false',
        JWT_ISSUER: 'https://id.example.invalid/realms/qingdao',
        JWT_AUDIENCE: 'qingdao-yingshang',
        JWT_JWKS_URL: 'https://id.example.invalid/realms/qingdao/protocol/openid-connect/certs',
        PUBLIC_URL: 'https://yingshang.example.invalid',
        SUBGRAPH_URL_TEMPLATE: `http://{name}:${PORT}/graphql`,
        SUBGRAPH_REPLICAS_FROM_DNS: 'true',
        // The subgraphs believe x-forwarded-for from the gateway's pods only (a headless Service
        // resolving to them); the gateway believes nobody until its ingress is named here.
        SUBGRAPH_TRUSTED_PROXIES: 'yingshang-gateway-pods',
        TRUSTED_PROXIES: '',
        METRICS_PORT: String(METRICS_PORT),
        // Traces go nowhere until the city's collector is named here (e.g. http://otel-collector.monitoring:4318).
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        // A tenth of new traces: recording every one costs ~10% more CPU per request (docs/OPERATIONS.md).
        OTEL_TRACES_SAMPLER_ARG: '0.1',
      },
    }),
  ];
  const authMount: [string, string, string] = ['auth', '/run/secrets/auth', 'yingshang-auth'];
  const authEnv = [
    { name: 'JWT_SECRET_FILE', value: '/run/secrets/auth/jwt_secret' },
    { name: 'DOWNLOAD_LINK_SECRET_FILE', value: '/run/secrets/auth/download_link_secret' },
  ];
  const [gatewayDeployment, ...gatewayRest] = serving(
    'gateway',
    'gateway',
    ['node', 'bin/gateway.js'],
    authEnv,
    [authMount],
    REPLICAS.gatewayMax,
  );
  files['gateway.yaml'] = [
    gatewayDeployment as Manifest,
    ...gatewayRest,
    new Service({
      metadata: { name: 'yingshang-gateway-pods', labels: labels('gateway', 'gateway') },
      spec: { clusterIP: 'None', selector: { 'app.kubernetes.io/name': workload('gateway') }, ports: [{ name: 'http', port: PORT }] },
    }),
  ];
  for (const name of names) {
    files[`subgraphs/${name}.yaml`] = serving(
      name,
      'subgraph',
      ['node', 'bin/subgraph.js', name],
      [
        ...authEnv,
        { name: `${envPrefix(name)}_DATABASE_URL_FILE`, value: '/run/secrets/database/url' },
        { name: 'MAX_REPLICAS', value: String(REPLICAS.subgraphMax) },
        { name: 'DATABASE_POOL_MAX', value: String(POOL_MAX) },
      ],
      [authMount, ['database', '/run/secrets/database', sliceSecret(name)]],
      REPLICAS.subgraphMax,
    );
  }
  files['network-policy.yaml'] = networkPolicies(names);
  files['migrate-job.yaml'] = [
    new Job({
      metadata: { name: 'yingshang-migrate', labels: labels('migrate', 'migration') },
      spec: {
        backoffLimit: 3,
        activeDeadlineSeconds: 900,
        ttlSecondsAfterFinished: 3600,
        template: {
          metadata: { labels: labels('migrate', 'migration') },
          spec: podSpec(
            [
              // As the owner roles.sql creates (no CREATEROLE): the roles and their passwords are the
              // administrator's (npm run db:roles-sql, --rotate), so no DATABASE_ROLE_PASSWORD here.
              container('migrate', ['node', 'bin/migrate.js'], {
                env: [{ name: 'DATABASE_URL_FILE', value: '/run/secrets/owner/database_url' }],
                resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                volumeMounts: [
                  { name: 'tmp', mountPath: '/tmp' },
                  { name: 'owner', mountPath: '/run/secrets/owner', readOnly: true },
                ],
              }),
            ],
            [secretVolume('owner', 'yingshang-owner')],
            { restartPolicy: 'Never' },
          ),
        },
      },
    }),
  ];
  const placeholder = 'REPLACE-ME';
  files['secrets.template.yaml'] = [
    new Secret({
      metadata: { name: 'yingshang-owner', labels: PART_OF },
      type: 'Opaque',
      stringData: { database_url: `postgres://yingshang_owner:${placeholder}@postgres.example.invalid:5432/yingshang` },
    }),
    new Secret({
      metadata: { name: 'yingshang-auth', labels: PART_OF },
      type: 'Opaque',
      // With JWT_JWKS_URL both may stay empty (no links then, unless download_link_secret is set).
      stringData: { jwt_secret: '', download_link_secret: '' },
    }),
    ...names.map(
      (name) =>
        new Secret({
          metadata: { name: sliceSecret(name), labels: PART_OF },
          type: 'Opaque',
          stringData: {
            url: `postgres://yingshang_${name.replace(/[^a-z0-9]+/g, '_')}:${placeholder}@postgres.example.invalid:5432/yingshang`,
          },
        }),
    ),
  ];
  return files;
}

const HEADER: Record<string, string> = {
  'migrate-job.yaml':
    'The release step, before the Deployments of a new image: kubectl apply -f migrate-job.yaml, then\n' +
    'kubectl wait --for=condition=complete job/yingshang-migrate (delete the finished Job before the next release).',
  'secrets.template.yaml':
    'A template, never applied as it is: fill in a copy outside the repository (or create the same Secrets\n' +
    'with kubectl create secret generic / your secret manager). Passwords in URLs percent-encoded.',
};

/** The files' text: the kustomization and every manifest, validated first. */
export function render(names?: readonly string[]): Record<string, string> {
  const files = manifests(names);
  const out: Record<string, string> = {};
  for (const [file, documents] of Object.entries(files)) {
    for (const document of documents) document.validate();
    const header = [`Generated by deploy/kubernetes/generate.ts from subgraphs/registry.ts: npm run deploy:kubernetes.`, HEADER[file] ?? '']
      .filter(Boolean)
      .join('\n')
      .split('\n')
      .map((line) => `# ${line}`)
      .join('\n');
    out[file] = `${header}\n${documents.map((document) => stringify(JSON.parse(JSON.stringify(document)))).join('---\n')}`;
  }
  const resources = Object.keys(files).filter((file) => file !== 'migrate-job.yaml' && file !== 'secrets.template.yaml');
  out['kustomization.yaml'] =
    '# Generated by deploy/kubernetes/generate.ts: kubectl apply -k deploy/kubernetes (after the Secrets and the migration Job).\n' +
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: NAMESPACE,
      resources,
      images: [{ name: IMAGE.split(':')[0], newName: IMAGE.split(':')[0], newTag: IMAGE.split(':')[1] }],
    });
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [file, text] of Object.entries(render())) {
    const target = path.join(here, file);
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : null;
    if (current === text) continue;
    if (check) stale.push(file);
    else {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, text);
      console.log(`wrote deploy/kubernetes/${file}`);
    }
  }
  if (stale.length) {
    console.error(`deploy/kubernetes is out of date (${stale.join(', ')}): npm run deploy:kubernetes`);
    process.exit(1);
  }
}
