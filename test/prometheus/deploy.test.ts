// The deployment files in deploy/ say what Faultline needs: the Kubernetes manifest's config is
// valid Faultline config, its probes hit the health endpoints, the image runs as non-root with a
// healthcheck, and the Collector snippet fans traces and logs out to Faultline and the backend.
// (The Dockerfile is not built here: tests have no container engine.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig } from '../helpers/config.js';
import { REPO_ROOT } from '../helpers/prometheus.js';

const read = (path: string) => readFileSync(join(REPO_ROOT, 'deploy', path), 'utf8');

describe('deploy/kubernetes.yaml', () => {
  const documents = parseAllDocuments(read('kubernetes.yaml')).map((document) => document.toJS());
  const byKind = (kind: string) => documents.find((document) => document.kind === kind);

  it('carries an otel-config.yaml that Faultline accepts', () => {
    const loaded = parseConfig(byKind('ConfigMap').data['otel-config.yaml'], {});
    assert.ok(loaded.ok, JSON.stringify(!loaded.ok && loaded.problems));
    // The probes below need the health_check extension, which serves only when listed.
    assert.deepEqual(loaded.config.service.extensions, ['health_check']);
  });

  it('probes /health/live and /health/ready on the admin port and asks to be scraped', () => {
    const pod = byKind('Deployment').spec.template;
    const container = pod.spec.containers[0];
    assert.equal(container.livenessProbe.httpGet.path, '/health/live');
    assert.equal(container.readinessProbe.httpGet.path, '/health/ready');
    assert.equal(container.ports.find((port: { name: string }) => port.name === container.livenessProbe.httpGet.port).containerPort, 9464);
    assert.equal(pod.metadata.annotations['prometheus.io/scrape'], 'true');
    assert.equal(pod.metadata.annotations['prometheus.io/port'], '9464');
    assert.equal(pod.spec.securityContext.runAsNonRoot, true);
  });

  it('serves 4317, 4318 and 9464', () => {
    assert.deepEqual(byKind('Service').spec.ports.map((port: { port: number }) => port.port), [4317, 4318, 9464]);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('builds in stages and runs as a non-root user with a healthcheck on /health/live', () => {
    assert.ok(dockerfile.match(/^FROM /gm)!.length >= 2);
    assert.match(dockerfile, /^USER (?!root)\S+/m);
    assert.match(dockerfile, /^HEALTHCHECK .*\n?.*\/health\/live/m);
    assert.match(dockerfile, /^EXPOSE 4317 4318 9464$/m);
  });

  it('builds the native addon of the default SQLite store that --ignore-scripts skips', () => {
    const deps = dockerfile.slice(dockerfile.indexOf(' AS deps'), dockerfile.lastIndexOf('\nFROM '));
    assert.match(deps, /npm ci [^\n]*--ignore-scripts[^\n]*&& npm rebuild better-sqlite3/);
  });
});

describe('deploy/faultline.service', () => {
  it('runs the faultline bin as its own user', () => {
    const unit = read('faultline.service');
    const bin = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).bin.faultline;
    assert.match(unit, new RegExp(`^ExecStart=.*${bin.replace(/\./g, '\\.')} run --config `, 'm'));
    assert.match(unit, /^User=faultline$/m);
  });
});

describe('deploy/otel-collector-fanout.yaml', () => {
  it('sends traces and logs to Faultline and to the existing backend', () => {
    const config = parse(read('otel-collector-fanout.yaml'));
    for (const signal of ['traces', 'logs']) {
      assert.deepEqual(config.service.pipelines[signal].exporters, ['otlp/backend', 'otlp/faultline']);
    }
    assert.equal(config.exporters['otlp/faultline'].endpoint, 'faultline:4317');
  });
});
