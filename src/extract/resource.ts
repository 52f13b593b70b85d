// The service identity every event carries, read once per resource, not once per span.

import type { Attributes } from '../otlp/types.js';
import { stringAttribute } from './attributes.js';

export interface ServiceIdentity {
  readonly service: string;
  readonly serviceVersion: string;
  readonly environment: string;
}

/** A resource without service.name is `unknown_service`, as the SDKs name it; never dropped. */
export function serviceIdentity(resource: Attributes): ServiceIdentity {
  return {
    service: stringAttribute(resource, 'service.name') || 'unknown_service',
    serviceVersion: stringAttribute(resource, 'service.version'),
    environment:
      stringAttribute(resource, 'deployment.environment.name') || stringAttribute(resource, 'deployment.environment'),
  };
}
