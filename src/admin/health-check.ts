// The `health_check` extension (extensions.health_check): when service.extensions lists it, the
// admin endpoint serves /health, /health/live and /health/ready. It has no keys.

import type { ExtensionFactory } from '../component.js';
import { map, object, type ComponentType } from '../config/schema.js';

export interface HealthCheckExtensionConfig {
  readonly type: 'health_check';
  readonly id: string;
}

export const HEALTH_CHECK_DEFAULTS: Omit<HealthCheckExtensionConfig, 'type' | 'id'> = {};

export const healthCheckExtensionType: ComponentType<HealthCheckExtensionConfig> = map(object({}), () => (id: string) => ({
  type: 'health_check',
  id,
}));

export const healthCheckExtensionFactory: ExtensionFactory<HealthCheckExtensionConfig> = {
  type: 'health_check',
  defaults: HEALTH_CHECK_DEFAULTS,
  schema: healthCheckExtensionType,
};
