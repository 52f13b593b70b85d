// alertmanager channel keys: urls (one or more Alertmanager base URLs; every one gets every alert,
// as HA pairs need), generator_url (the link each alert carries back to Faultline).

import { list, withDefault } from '../../config/schema.js';
import { httpUrl } from '../channel-values.js';

export const ALERTMANAGER_DEFAULTS = { generatorUrl: 'http://localhost:9464/api/v1/alerts' } as const;

export interface AlertmanagerSettings {
  readonly type: 'alertmanager';
  readonly urls: readonly string[];
  readonly generatorUrl: string;
}

export const ALERTMANAGER_FIELDS = {
  urls: list(httpUrl, (items, path, problems) => {
    if (items.length === 0) problems.push({ path, message: 'expected at least one Alertmanager URL' });
  }),
  generator_url: withDefault(httpUrl, ALERTMANAGER_DEFAULTS.generatorUrl),
};

export function alertmanagerSettings(decoded: { urls: readonly string[]; generator_url: string }): AlertmanagerSettings {
  return { type: 'alertmanager', urls: decoded.urls, generatorUrl: decoded.generator_url };
}
