// The web UI's only way to the server: the same /api/v1/* the docs describe. Mutating requests
// carry `X-Faultline-CSRF: 1` (a header a cross-site form cannot set, so the admin endpoint's CSRF
// check can tell the UI from a forged request); GET /api/v1/session says whether this viewer may
// change anything (a 404, from a Faultline without admin auth, means it may).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Reply<T> {
  readonly body: T;
  /** The URL answered, after redirects (an issue merged away answers as the issue it went into). */
  readonly url: string;
}

async function send<T>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Faultline-CSRF'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const reason = (parsed as { error?: string } | undefined)?.error ?? (text.trim() || response.statusText);
    throw new ApiError(response.status, `${response.status}: ${reason}`);
  }
  return { body: parsed as T, url: response.url };
}

export const get = <T>(path: string) => send<T>('GET', path);
export const patch = <T>(path: string, body: unknown) => send<T>('PATCH', path, body);
export const post = <T>(path: string, body: unknown) => send<T>('POST', path, body);

export type Access = 'read' | 'write';

/** What this viewer may do: `write` unless the session says `read`. */
export async function sessionAccess(): Promise<Access> {
  try {
    const { body } = await get<{ access?: string }>('/api/v1/session');
    return body?.access === 'read' ? 'read' : 'write';
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return 'write';
    throw error;
  }
}

export interface GroupSummary {
  readonly id: string;
  readonly service: string;
  readonly type: string;
  readonly title: string;
  readonly culprit: string;
  readonly level: string;
  readonly state: 'unresolved' | 'resolved' | 'ignored';
  readonly regressed: boolean;
  readonly count: number;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly releases: readonly string[];
  readonly environments: readonly string[];
  readonly histogram?: readonly number[];
}

export interface Frame {
  readonly function: string;
  readonly module: string;
  readonly line: number;
  readonly column: number;
  readonly in_app: boolean;
}

export interface SampleEvent {
  readonly id: string;
  readonly timestamp: string;
  readonly level: string;
  readonly environment: string;
  readonly release: string;
  readonly trace_id: string;
  readonly span_id: string;
  readonly message: string;
  readonly stacktrace: string;
  readonly handled: boolean;
  readonly span_name: string;
  readonly http: { readonly method: string; readonly route: string; readonly status_code: number; readonly url_path: string };
  readonly attributes: Readonly<Record<string, string>>;
}

export interface GroupDetail extends GroupSummary {
  readonly fingerprint: string;
  readonly resolved_in_release: string;
  readonly merged_ids: readonly string[];
  readonly frames: readonly Frame[];
  readonly samples: readonly SampleEvent[];
}

export interface Histogram {
  readonly range: '24h' | '14d';
  readonly bucket_seconds: number;
  readonly buckets: readonly { readonly start: string; readonly count: number; readonly releases: Readonly<Record<string, number>> }[];
  readonly releases: readonly { readonly release: string; readonly count: number }[];
}
