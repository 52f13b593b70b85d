// The replicas deployment fits together: the Faultline config inside kubernetes-replicas.yaml is
// valid (Faultline's own loader, as `faultline validate` runs it) and keeps groups in PostgreSQL,
// every variable it needs comes from the pod, the probes hit the health endpoints, and the
// Collector gateway routes traces and logs by trace id to the headless Service, on the port the
// replicas' OTLP/gRPC receiver listens on. The trial PostgreSQL answers where the URL points.
// Static checks only: no Collector binary or Kubernetes cluster is available to tests (no
// network), so nothing here proves the Collector accepts the gateway file; validate it with the
// otelcol-contrib you deploy.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../helpers/config.js';

const DEPLOY = fileURLToPath(new URL('../../../deploy/', import.meta.url));

// Kubernetes and Collector YAML is read as plain data (`any`).
const documentsOf = (file: string): any[] => parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8')).map((document) => document.toJS());
const portOf = (endpoint: string) => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));

const manifest = documentsOf('kubernetes-replicas.yaml');
const one = (kind: string, predicate: (document: any) => boolean = () => true) => {
  const found = manifest.filter((document) => document.kind === kind && predicate(document));
  assert.equal(found.length, 1, `one ${kind} expected, found ${found.length}`);
  return found[0];
};
const deployment = one('Deployment');
const pod = deployment.spec.template;
const container = pod.spec.containers[0];
const configText: string = one('ConfigMap').data['otel-config.yaml'];
const rawConfig = parse(configText);
const headless = one('Service', (service) => service.spec.clusterIP === 'None');
const api = one('Service', (service) => service.spec.clusterIP !== 'None');
const containerPort = (name: string) => container.ports.find((port: { name: string }) => port.name === name).containerPort;

/** `${env:NAME}` references without a default: the pod must set each. */
const requiredVariables = [...configText.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((match) => match[1]);
const podVariables = new Map<string, any>(container.env.map((variable: any) => [variable.name, variable]));

describe('deploy/kubernetes-replicas.yaml', () => {
  it('carries an otel-config.yaml that Faultline accepts, with every variable it needs set by the pod', () => {
    for (const name of requiredVariables) assert.ok(podVariables.has(name), `${name} is used by the config but not set in the pod`);
    const env = Object.fromEntries(requiredVariables.map((name) => [name, 'dummy-value']));
    const loaded = parseConfig(configText, env);
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    assert.deepEqual(loaded.config.service.extensions, ['health_check']);
  });

  it('keeps groups in PostgreSQL, with the password from a Secret and never in the file', () => {
    const loaded = parseConfig(configText, { FAULTLINE_DB_PASSWORD: 'dummy-value' });
    assert.ok(loaded.ok);
    const storage = loaded.config.service.storage;
    assert.equal(storage.engine, 'postgres');
    assert.equal(storage.engine === 'postgres' && new URL(storage.url).password, 'dummy-value');
    assert.match(rawConfig.service.storage.postgres.url, /^postgres:\/\/[^:]+:\$\{env:FAULTLINE_DB_PASSWORD\}@/);
    assert.ok(podVariables.get('FAULTLINE_DB_PASSWORD').valueFrom.secretKeyRef.name);
    assert.equal(manifest.some((document) => document.kind === 'Secret'), false, 'a Secret in the manifest would reset the password at each apply');
  });

  it('runs several replicas of one pod that mounts this ConfigMap', () => {
    assert.ok(deployment.spec.replicas >= 2);
    const configVolume = pod.spec.volumes.find((volume: any) => volume.configMap !== undefined);
    assert.equal(configVolume.configMap.name, one('ConfigMap').metadata.name);
    assert.deepEqual(container.args, ['run', '--config', '/etc/faultline/otel-config.yaml']);
  });

  it('probes /health/live and /health/ready on the admin port the config listens on, as the single instance does', () => {
    const single = documentsOf('kubernetes.yaml').find((document) => document.kind === 'Deployment').spec.template.spec.containers[0];
    assert.equal(container.livenessProbe.httpGet.path, '/health/live');
    assert.equal(container.readinessProbe.httpGet.path, '/health/ready');
    assert.deepEqual(container.livenessProbe, single.livenessProbe);
    assert.deepEqual(container.readinessProbe, single.readinessProbe);
    assert.equal(containerPort(container.readinessProbe.httpGet.port), 9464);
    assert.equal(portOf(rawConfig.service.telemetry.metrics.address), 9464);
    assert.equal(pod.metadata.annotations['prometheus.io/port'], '9464');
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
  });

  it('gives the gateway a headless Service on the port of the OTLP/gRPC receiver, and the API and the report port a Service of their own', () => {
    const grpcPort = portOf(rawConfig.receivers.otlp.protocols.grpc.endpoint);
    assert.deepEqual(headless.spec.selector, pod.metadata.labels);
    assert.deepEqual(headless.spec.ports.map((port: any) => [port.port, containerPort(port.targetPort)]), [[grpcPort, grpcPort]]);
    assert.deepEqual(api.spec.selector, pod.metadata.labels);
    assert.deepEqual(api.spec.ports.map((port: any) => containerPort(port.targetPort)), [9464, portOf(rawConfig.receivers.report.endpoint)]);
  });
});

describe('deploy/otel-collector-gateway.yaml', () => {
  const gateway = parse(readFileSync(join(DEPLOY, 'otel-collector-gateway.yaml'), 'utf8'));
  const isLoadBalancing = (id: string) => ['loadbalancing', 'load_balancing'].includes(id.split('/')[0]);

  it('sends traces and logs through one loadbalancing exporter routed by trace id', () => {
    const ids = ['traces', 'logs'].map((signal) => gateway.service.pipelines[signal].exporters);
    for (const exporters of ids) assert.equal(exporters.length, 1);
    assert.ok(isLoadBalancing(ids[0][0]));
    assert.equal(ids[1][0], ids[0][0]);
    // Set explicitly: newer Collectors route logs by `service` unless told otherwise.
    assert.equal(gateway.exporters[ids[0][0]].routing_key, 'traceID');
  });

  it('resolves the headless Service of kubernetes-replicas.yaml and sends to its port, the replicas\' gRPC receiver port', () => {
    const exporter = Object.entries(gateway.exporters).find(([id]) => isLoadBalancing(id))![1] as any;
    const dns = exporter.resolver.dns;
    assert.equal(dns.hostname.split('.')[0], headless.metadata.name);
    assert.match(dns.hostname, /^[^.]+\.observability\.svc\.cluster\.local$/); // the namespace kubernetes-replicas.yaml names
    assert.equal(Number(dns.port), headless.spec.ports[0].port);
    assert.equal(Number(dns.port), portOf(rawConfig.receivers.otlp.protocols.grpc.endpoint));
    assert.equal(exporter.sending_queue.enabled, true);
    assert.equal(exporter.retry_on_failure.enabled, true);
  });
});

describe('deploy/kubernetes-postgres-trial.yaml', () => {
  it('answers where the replicas\' URL points, as the user and database it names, with the same Secret', () => {
    const trial = documentsOf('kubernetes-postgres-trial.yaml');
    const url = new URL(rawConfig.service.storage.postgres.url.replace(/\$\{env:[^}]+\}/, 'password'));
    const service = trial.find((document) => document.kind === 'Service');
    assert.equal(service.metadata.name, url.hostname);
    assert.equal(service.spec.ports[0].port, Number(url.port));
    const env = new Map<string, any>(trial.find((document) => document.kind === 'Deployment').spec.template.spec.containers[0].env.map((variable: any) => [variable.name, variable]));
    assert.equal(env.get('POSTGRES_USER').value, url.username);
    assert.equal(env.get('POSTGRES_DB').value, url.pathname.slice(1));
    assert.deepEqual(env.get('POSTGRES_PASSWORD').valueFrom.secretKeyRef, podVariables.get('FAULTLINE_DB_PASSWORD').valueFrom.secretKeyRef);
  });
});
