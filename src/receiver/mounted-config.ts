// What the config of a receiver that may mount on the OTLP/HTTP port (HttpMounts: sentry, report)
// shares: its `endpoint` key ('' = the OTLP/HTTP port, host:port = a listener of its own), that
// listener for the port-clash checks, and the link step: one of a type per OTLP/HTTP listener, and
// an OTLP/HTTP listener that will run to mount on.

import type { Listener } from '../component.js';
import { parseEndpoint } from '../config/endpoints.js';
import { isMap, scalar, type ConfigProblem, type Type } from '../config/schema.js';
import type { ComponentConfig, FaultlineConfig } from '../config/types.js';
import type { OtlpReceiverConfig } from './otlp/config.js';

/** A mounting receiver's `endpoint`: '' for the OTLP/HTTP listener, or host:port of its own. */
export const endpointOrMounted: Type<string> = scalar('host:port, or "" for the OTLP/HTTP listener', (value) =>
  typeof value === 'string' && (value === '' || parseEndpoint(value) !== null) ? value : undefined,
);

/** Its own listener, when the raw body names an endpoint (for the port-clash checks). */
export function ownListeners(body: unknown, path: string): Listener[] {
  if (!isMap(body) || typeof body.endpoint !== 'string' || body.endpoint === '') return [];
  return [{ path: `${path}.endpoint`, protocol: 'http', endpoint: body.endpoint }];
}

/**
 * The link step of a mounting receiver of `type`: with `endpoint: ''` it is a problem when another
 * receiver of the type already mounts there (one per port: same paths), or when no otlp receiver
 * with protocols.http is listed in a pipeline (no port to serve on). `what`: its name in messages
 * ('the report receiver'), `serves`: what it mounts ('reports').
 */
export function linkMounted<C extends ComponentConfig & { readonly endpoint: string }>(
  config: C,
  configured: FaultlineConfig,
  path: string,
  names: { readonly what: string; readonly serves: string },
): C | ConfigProblem[] {
  if (config.endpoint !== '') return config;
  const sharing = [...configured.receivers.values()].filter((r) => r.type === config.type && (r as ComponentConfig & { endpoint: string }).endpoint === '');
  if (sharing[0] !== undefined && sharing[0].id !== config.id) {
    return [{ path: `${path}.endpoint`, message: `expected host:port: ${sharing[0].id} already serves ${names.serves} on the OTLP/HTTP port` }];
  }
  const pipelines = Object.values(configured.service.pipelines).filter((pipeline) => pipeline !== null);
  const listed = (id: string) => pipelines.some((pipeline) => pipeline.receivers.includes(id));
  for (const [id, receiver] of configured.receivers as ReadonlyMap<string, ComponentConfig>) {
    if (receiver.type === 'otlp' && (receiver as OtlpReceiverConfig).http !== null && listed(id)) return config;
  }
  return [{ path: `${path}.endpoint`, message: `expected host:port: with no endpoint ${names.what} serves on the OTLP/HTTP port, and no otlp receiver with protocols.http is in a pipeline` }];
}
