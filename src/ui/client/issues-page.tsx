// The issues list: GET /api/v1/groups with the filters, sort and page the URL holds (so a link
// shares the view), each row with a chart of its events over 24 h or 14 d. The service, environment
// and release boxes suggest the values of GET /api/v1/groups/facets (every value seen in the last
// 14 days, not only this page's); the level is a select of the levels the API takes, fixed so that
// its width does not change when the values arrive.

import { useRef } from 'preact/hooks';
import { get, type GroupSummary } from './api.js';
import { count } from './format.js';
import { Link, navigate, Problem, Sparkline, StateBadge, Time, useLoad } from './parts.js';

const PAGE = 25;
const TEXT_FILTERS = [
  ['service', 'Service'],
  ['environment', 'Environment'],
  ['release', 'Release'],
] as const;
const LEVELS = ['debug', 'info', 'warning', 'error', 'fatal', 'critical'];

/** Values offered per text filter, most recently seen first. */
const SUGGESTED = 100;

type FacetsReply = Readonly<Record<(typeof TEXT_FILTERS)[number][0], readonly { readonly value: string }[]>>;

interface ListReply {
  readonly groups: readonly GroupSummary[];
  readonly total: number;
  readonly offset: number;
  readonly next_offset: number | null;
}

/** The API query of the page's URL: the filters as they are, plus the page size and the chart. */
function apiQuery(params: URLSearchParams): string {
  const query = new URLSearchParams();
  for (const name of ['q', 'service', 'environment', 'release', 'state', 'level', 'sort', 'offset']) {
    const value = params.get(name);
    if (value) query.set(name, value);
  }
  query.set('limit', String(PAGE));
  query.set('histogram', params.get('range') === '14d' ? '14d' : '24h');
  return query.toString();
}

export function IssuesPage(props: { search: string }) {
  const params = new URLSearchParams(props.search);
  const [loaded] = useLoad(props.search, () => get<ListReply>(`/api/v1/groups?${apiQuery(params)}`).then((reply) => reply.body));
  const [facets] = useLoad('facets', () => get<FacetsReply>(`/api/v1/groups/facets?limit=${SUGGESTED}`).then((reply) => reply.body));
  const form = useRef<HTMLFormElement>(null);
  const range = params.get('range') === '14d' ? '14d' : '24h';

  /** Puts the form's values into the URL (from the first page), which reloads the list. */
  function apply(changes: Record<string, string> = {}) {
    const next = new URLSearchParams();
    const data = new FormData(form.current!);
    for (const [name, value] of data) if (typeof value === 'string' && value.trim() !== '') next.set(name, value.trim());
    for (const [name, value] of Object.entries(changes)) value === '' ? next.delete(name) : next.set(name, value);
    const text = next.toString();
    navigate(`/ui/${text === '' ? '' : `?${text}`}`);
  }

  function page(offset: number) {
    const next = new URLSearchParams(props.search);
    if (offset === 0) next.delete('offset');
    else next.set('offset', String(offset));
    navigate(`/ui/?${next}`);
  }

  const groups = loaded.state === 'ok' ? loaded.value.groups : [];
  const suggestions = (name: (typeof TEXT_FILTERS)[number][0]) => (facets.state === 'ok' ? facets.value[name].map((entry) => entry.value) : []);

  return (
    <section>
      <h1>Issues</h1>
      <form
        ref={form}
        class="filters"
        role="search"
        key={props.search}
        onSubmit={(event) => {
          event.preventDefault();
          apply();
        }}
      >
        <label class="grow">
          <span>Search</span>
          <input type="search" name="q" defaultValue={params.get('q') ?? ''} placeholder="Title or culprit" />
        </label>
        {TEXT_FILTERS.map(([name, label]) => (
          <label>
            <span>{label}</span>
            <input name={name} defaultValue={params.get(name) ?? ''} list={`${name}-seen`} size={10} />
            <datalist id={`${name}-seen`}>
              {suggestions(name).map((value) => (
                <option value={value} />
              ))}
            </datalist>
          </label>
        ))}
        <label>
          <span>State</span>
          <select name="state" defaultValue={params.get('state') ?? ''} onChange={() => apply()}>
            <option value="">any</option>
            <option value="unresolved">unresolved</option>
            <option value="resolved">resolved</option>
            <option value="ignored">ignored</option>
          </select>
        </label>
        <label>
          <span>Level</span>
          <select name="level" defaultValue={params.get('level') ?? ''} onChange={() => apply()}>
            <option value="">any</option>
            {LEVELS.map((level) => (
              <option value={level}>{level}</option>
            ))}
          </select>
        </label>
        <label>
          <span>Sort</span>
          <select name="sort" defaultValue={params.get('sort') ?? ''} onChange={() => apply()}>
            <option value="">last seen</option>
            <option value="first_seen">first seen</option>
            <option value="count">events</option>
          </select>
        </label>
        <input type="hidden" name="range" value={params.get('range') ?? ''} />
        <button type="submit">Filter</button>
      </form>

      <div class="list-head">
        <p class="muted" aria-live="polite">
          {loaded.state === 'ok' &&
            (loaded.value.total === 0
              ? 'No issues match.'
              : `${count(loaded.value.offset + 1)}–${count(loaded.value.offset + groups.length)} of ${count(loaded.value.total)} issues`)}
          {loaded.state === 'loading' && 'Loading…'}
        </p>
        <div class="segmented" role="group" aria-label="Chart range">
          {(['24h', '14d'] as const).map((value) => (
            <button type="button" aria-pressed={range === value} onClick={() => apply({ range: value === '24h' ? '' : value })}>
              {value}
            </button>
          ))}
        </div>
      </div>
      {loaded.state === 'error' && <Problem message={loaded.message} />}

      <table class="issues">
        <thead>
          <tr>
            <th scope="col">Issue</th>
            <th scope="col" class="chart-col">
              Events, {range}
            </th>
            <th scope="col" class="num">
              Events
            </th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
            <th scope="col">State</th>
            <th scope="col">Releases</th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.id} data-issue={group.id}>
              <td class="issue-cell">
                <Link href={`/ui/issues/${encodeURIComponent(group.id)}`} class="issue-title">
                  {group.title}
                </Link>
                <div class="culprit">{group.culprit || <span class="muted">no culprit</span>}</div>
                <div class="meta">
                  <span class={`level level-${group.level}`}>{group.level}</span> <span>{group.service}</span>
                  {group.environments.length > 0 && <span> · {group.environments.join(', ')}</span>}
                </div>
              </td>
              <td class="chart-col">
                <Sparkline counts={group.histogram ?? []} label={`${group.histogram?.reduce((a, b) => a + b, 0) ?? 0} events in ${range}`} />
              </td>
              <td class="num">{count(group.count)}</td>
              <td>
                <Time iso={group.first_seen} />
              </td>
              <td>
                <Time iso={group.last_seen} />
              </td>
              <td>
                <StateBadge state={group.state} regressed={group.regressed} />
              </td>
              <td class="releases">{group.releases.slice(-3).reverse().join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>

      {loaded.state === 'ok' && loaded.value.total > PAGE && (
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={loaded.value.offset === 0} onClick={() => page(Math.max(0, loaded.value.offset - PAGE))}>
            ← Previous
          </button>
          <button type="button" disabled={loaded.value.next_offset === null} onClick={() => page(loaded.value.next_offset ?? 0)}>
            Next →
          </button>
        </nav>
      )}
    </section>
  );
}
