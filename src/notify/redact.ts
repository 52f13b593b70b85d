// Channel URLs, keys and passwords are secrets: a Slack or Discord webhook URL is its own
// credential. Every reason a notifier reports (so every log line, metric and API answer built from
// it) passes through here first.

/** scheme://host[:port] only: path, query and credentials often carry the token. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}/[redacted]`;
  } catch {
    return '[redacted url]';
  }
}

/** Replaces every occurrence of each secret (and each URL's path) in `text`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    const replacement = /^https?:\/\//.test(secret) ? redactUrl(secret) : '[redacted]';
    redacted = redacted.split(secret).join(replacement);
    // fetch and URL parsing may echo a URL in its normalised form.
    if (URL.canParse(secret)) {
      const normalised = new URL(secret).href;
      if (normalised !== secret) redacted = redacted.split(normalised).join(replacement);
    }
  }
  return redacted;
}

/** A thrown value as a short reason with every secret removed. */
export function reasonOf(error: unknown, secrets: readonly string[]): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const message = error instanceof Error ? `${error.message}${cause}` : String(error);
  return redactText(message, secrets).slice(0, 500);
}
