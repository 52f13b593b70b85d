// The config of a channel whose only key of its own is `url` (an http(s) URL that is itself a
// secret, as Slack's and Discord's webhook URLs are): a URL-only channel's config.ts is one line
// of urlChannel('<type>').

import { httpUrl } from './channel-values.js';

export interface UrlChannelSettings<T extends string> {
  readonly type: T;
  readonly url: string;
}

/** The own keys of a URL-only channel type and how they become its settings (a ChannelKeys, see config.ts). */
export function urlChannel<T extends string>(type: T) {
  return {
    fields: { url: httpUrl },
    settings: (decoded: { url: string }): UrlChannelSettings<T> => ({ type, url: decoded.url }),
  };
}
