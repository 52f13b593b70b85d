// What the config of a receiver that may mount on the OTLP/HTTP port (HttpMounts: sentry, report)
// shares: its `endpoint` key ('' = the OTLP/HTTP port, host:port = a listener of its own), that
// listener for the port-clash checks, and the check that an OTLP/HTTP listener will run to mount on.

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
 * For a receiver mounted on the OTLP/HTTP port (`endpoint: ''`): a problem unless an otlp receiver
 * with protocols.http is listed in a pipeline (else there would be no port to serve on).
 */
export function checkMountable(configured: FaultlineConfig, path: string, what: string): ConfigProblem[] {
  const pipelines = Object.values(configured.service.pipelines).filter((pipeline) => pipeline !== null);
  const listed = (id: string) => pipelines.some((pipeline) => pipeline.receivers.includes(id));
  for (const [id, receiver] of configured.receivers as ReadonlyMap<string, ComponentConfig>) {
    if (receiver.type === 'otlp' && (receiver as OtlpReceiverConfig).http !== null && listed(id)) return [];
  }
  return [{ path: `${path}.endpoint`, message: `expected host:port: with no endpoint ${what} on the OTLP/HTTP port, and no otlp receiver with protocols.http is in a pipeline` }];
}
