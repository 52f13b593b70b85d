// Rules that span sections: pipelines and service.extensions name configured components, traces
// and logs pipelines have a receiver and an exporter, no two listeners share a port, and
// self-tracing does not export into Faultline's own receiver. They read the raw tree leniently
// (anything malformed is the schema's problem, reported once there), so these problems are
// listed even when other parts of the file are wrong.

import type { ComponentTable } from '../component.js';
import { ADMIN_DEFAULTS } from './defaults.js';
import { endpointsClash, isOwnHost, parseEndpoint, type Endpoint } from './endpoints.js';
import { isMap, joinPath, type ConfigProblem } from './schema.js';

const SIGNALS = ['traces', 'logs', 'metrics'] as const;
const KINDS = [
  ['receivers', 'receiver'],
  ['processors', 'processor'],
  ['exporters', 'exporter'],
] as const;

interface Listener extends Endpoint {
  readonly path: string;
  readonly protocol: 'grpc' | 'http' | 'admin';
}

export function crossCheck(tree: unknown, problems: ConfigProblem[], table: ComponentTable): void {
  const root = isMap(tree) ? tree : {};
  const service = isMap(root.service) ? root.service : {};
  checkPipelines(root, service, problems);
  checkOneIdentity(service, problems);
  checkReferences(service.extensions, 'service.extensions', 'extension', root.extensions, problems);
  const listeners = collectListeners(root, service, table);
  checkPortClashes(listeners, problems);
  checkSelfTraceLoop(service, listeners, problems);
}

function checkPipelines(
  root: Record<string, unknown>,
  service: Record<string, unknown>,
  problems: ConfigProblem[],
): void {
  if (isMalformed(service.pipelines)) return;
  const pipelines = isMap(service.pipelines) ? service.pipelines : {};
  if (!SIGNALS.some((signal) => signal in pipelines)) {
    problems.push({ path: 'service.pipelines', message: 'expected at least one of traces, logs, metrics' });
  }
  for (const signal of SIGNALS) {
    if (!(signal in pipelines) || isMalformed(pipelines[signal])) continue;
    const pipeline = isMap(pipelines[signal]) ? pipelines[signal] : {};
    const path = `service.pipelines.${signal}`;
    for (const [key, kind] of KINDS) {
      const listed = pipeline[key];
      const required = key === 'receivers' || (key === 'exporters' && signal !== 'metrics');
      if (required && (listed === undefined || listed === null || (Array.isArray(listed) && listed.length === 0))) {
        problems.push({ path: joinPath(path, key), message: `expected at least one ${kind}` });
      }
      checkReferences(listed, joinPath(path, key), kind, root[key], problems);
    }
  }
}

/**
 * The records of one trace arrive through the traces and the logs pipeline: both must fold them in
 * the same identity processor, listed in both or in neither (then both run the implicit one).
 */
function checkOneIdentity(service: Record<string, unknown>, problems: ConfigProblem[]): void {
  const pipelines = isMap(service.pipelines) ? service.pipelines : {};
  const identityOf = (signal: 'traces' | 'logs') => {
    const pipeline = pipelines[signal];
    const listed = isMap(pipeline) && Array.isArray(pipeline.processors) ? pipeline.processors : [];
    return listed.find((id): id is string => typeof id === 'string' && (id === 'identity' || id.startsWith('identity/'))) ?? '';
  };
  if (!isMap(pipelines.traces) || !isMap(pipelines.logs)) return;
  const traces = identityOf('traces');
  const logs = identityOf('logs');
  if (traces !== logs) {
    const describe = (id: string) => (id === '' ? 'none (the implicit one)' : `"${id}"`);
    problems.push({
      path: 'service.pipelines.logs.processors',
      message: `the traces pipeline lists identity processor ${describe(traces)} and the logs pipeline ${describe(logs)}; list the same one in both, since the spans and logs of one trace must be folded together`,
    });
  }
}

/** Present but not a map: the schema reports it, so the rules here skip it. */
function isMalformed(value: unknown): boolean {
  return value !== undefined && value !== null && !isMap(value);
}

function checkReferences(
  listed: unknown,
  path: string,
  kind: string,
  section: unknown,
  problems: ConfigProblem[],
): void {
  if (!Array.isArray(listed)) return;
  const configured = isMap(section) ? Object.keys(section) : [];
  listed.forEach((id, index) => {
    if (typeof id !== 'string' || id === '' || configured.includes(id)) return;
    const known = configured.length === 0 ? 'none' : configured.join(', ');
    problems.push({ path: `${path}[${index}]`, message: `${kind} "${id}" is not configured; configured: ${known}` });
  });
}

/** Every socket Faultline would listen on, with defaults applied; malformed ones are skipped. */
function collectListeners(root: Record<string, unknown>, service: Record<string, unknown>, table: ComponentTable): Listener[] {
  const listeners: Listener[] = [];
  const add = (path: string, protocol: Listener['protocol'], value: unknown, fallback: string): void => {
    const endpoint = parseEndpoint(value === undefined ? fallback : typeof value === 'string' ? value : '');
    if (endpoint !== null) listeners.push({ ...endpoint, path, protocol });
  };
  const receivers = isMap(root.receivers) ? root.receivers : {};
  for (const [id, receiver] of Object.entries(receivers)) {
    const factory = table.receivers.find((candidate) => candidate.type === id.split('/')[0]);
    for (const asked of factory?.listeners?.(receiver, `receivers.${id}`) ?? []) add(asked.path, asked.protocol, asked.endpoint, '');
  }
  const telemetry = isMap(service.telemetry) ? service.telemetry : {};
  const metrics = isMap(telemetry.metrics) ? telemetry.metrics : {};
  add('service.telemetry.metrics.address', 'admin', metrics.address, ADMIN_DEFAULTS.endpoint);
  return listeners;
}

function checkPortClashes(listeners: readonly Listener[], problems: ConfigProblem[]): void {
  listeners.forEach((listener, index) => {
    const earlier = listeners.slice(0, index).find((other) => endpointsClash(other, listener));
    if (earlier !== undefined) {
      problems.push({ path: listener.path, message: `port ${listener.port} is already used by ${earlier.path}` });
    }
  });
}

function checkSelfTraceLoop(
  service: Record<string, unknown>,
  listeners: readonly Listener[],
  problems: ConfigProblem[],
): void {
  const telemetry = isMap(service.telemetry) ? service.telemetry : {};
  const traces = isMap(telemetry.traces) ? telemetry.traces : {};
  if (typeof traces.endpoint !== 'string' || !URL.canParse(traces.endpoint)) return;
  const url = new URL(traces.endpoint);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const loop = listeners.find(
    (listener) =>
      listener.protocol === 'http' && listener.port !== 0 && listener.port === port && isOwnHost(url.hostname, listener.host),
  );
  if (loop !== undefined) {
    problems.push({
      path: 'service.telemetry.traces.endpoint',
      message: `would export Faultline's own traces into its own receiver (port ${port}); point it at another collector`,
    });
  }
}
