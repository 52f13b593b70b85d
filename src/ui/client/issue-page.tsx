// One issue: GET /api/v1/groups/:id (an id merged away answers as the issue it went into, and the
// URL follows), its chart by release (GET …/histogram), the stack with in-app frames emphasised
// and library frames folded, the sample events, and the actions through PATCH /api/v1/groups/:id.

import { useState } from 'preact/hooks';
import { get, patch, type Access, type Frame, type GroupDetail, type Histogram, type SampleEvent } from './api.js';
import { count } from './format.js';
import { Link, navigate, Problem, ReleaseChart, StateBadge, Time, useLoad } from './parts.js';

export function IssuePage(props: { id: string; access: Access; traceUrl: string }) {
  const path = `/api/v1/groups/${encodeURIComponent(props.id)}`;
  const [loaded, setGroup] = useLoad(props.id, async () => {
    const reply = await get<GroupDetail>(path);
    // Merged away: show the address of the issue it went into.
    if (reply.body.id !== props.id) navigate(`/ui/issues/${encodeURIComponent(reply.body.id)}`, true);
    return reply.body;
  });
  if (loaded.state === 'loading') return <p class="muted">Loading…</p>;
  if (loaded.state === 'error') return <Problem message={loaded.message} />;
  const group = loaded.value;
  const latest = group.samples[0];
  return (
    <article class="issue">
      <p class="crumbs">
        <Link href="/ui/">Issues</Link> / {group.service}
      </p>
      <h1 class="issue-heading">{group.title}</h1>
      <p class="culprit">{group.culprit}</p>
      <div class="facts">
        <StateBadge state={group.state} regressed={group.regressed} />
        <span class={`level level-${group.level}`}>{group.level}</span>
        <span>
          <b>{count(group.count)}</b> events
        </span>
        <span>
          first seen <Time iso={group.first_seen} />
        </span>
        <span>
          last seen <Time iso={group.last_seen} />
        </span>
        {group.state === 'resolved' && group.resolved_in_release && <span>resolved in {group.resolved_in_release}</span>}
      </div>
      <Actions group={group} path={path} access={props.access} onChange={setGroup} />

      <div class="columns">
        <div class="main-column">
          {latest && (
            <section>
              <h2>Message</h2>
              <pre class="message">{latest.message || '(no message)'}</pre>
              {(latest.http.route || latest.span_name) && (
                <p>
                  <span class="muted">Route</span>{' '}
                  <code>
                    {latest.http.method} {latest.http.route || latest.span_name}
                  </code>
                  {latest.http.status_code > 0 && <span class="muted"> → {latest.http.status_code}</span>}
                </p>
              )}
            </section>
          )}
          <HistogramSection path={path} />
          <section>
            <h2>Stack trace</h2>
            {group.frames.length === 0 ? <p class="muted">No frames.</p> : <Frames frames={group.frames} />}
            {latest?.stacktrace && (
              <details class="raw">
                <summary>Raw stack trace</summary>
                <pre>{latest.stacktrace}</pre>
              </details>
            )}
          </section>
          <section>
            <h2>Sample events</h2>
            {group.samples.length === 0 && <p class="muted">No samples kept.</p>}
            {group.samples.map((sample, index) => (
              <Sample sample={sample} open={index === 0} traceUrl={props.traceUrl} />
            ))}
          </section>
        </div>
        <aside class="side-column">
          <h2>Releases</h2>
          <ul class="plain">{group.releases.length === 0 ? <li class="muted">none</li> : [...group.releases].reverse().map((release) => <li>{release}</li>)}</ul>
          <h2>Environments</h2>
          <ul class="plain">{group.environments.length === 0 ? <li class="muted">none</li> : group.environments.map((environment) => <li>{environment}</li>)}</ul>
          <h2>Id</h2>
          <p>
            <code>{group.id}</code>
          </p>
          {group.merged_ids.length > 0 && <p class="muted">Merged into it: {group.merged_ids.join(', ')}</p>}
        </aside>
      </div>
    </article>
  );
}

function Actions(props: { group: GroupDetail; path: string; access: Access; onChange(group: GroupDetail): void }) {
  const { group } = props;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState('');
  const [release, setRelease] = useState('');
  const [target, setTarget] = useState('');
  const readOnly = props.access === 'read';

  async function act(body: Record<string, string>, done: string) {
    setBusy(true);
    setMessage('');
    try {
      const { body: changed } = await patch<GroupDetail>(props.path, body);
      props.onChange(changed);
      setMessage(done);
      if (changed.id !== group.id) navigate(`/ui/issues/${encodeURIComponent(changed.id)}`);
    } catch (error) {
      setMessage((error as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const disabled = busy || readOnly;
  return (
    <div class="actions">
      {group.state !== 'resolved' && (
        <button type="button" disabled={disabled} onClick={() => act({ state: 'resolved' }, 'Resolved.')}>
          Resolve
        </button>
      )}
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (release !== '') void act({ state: 'resolved', in_release: release }, `Resolved in ${release}.`);
        }}
      >
        <label>
          <span class="visually-hidden">Release</span>
          <select value={release} onChange={(event) => setRelease((event.target as HTMLSelectElement).value)} disabled={disabled}>
            <option value="">release…</option>
            {[...group.releases].reverse().map((value) => (
              <option value={value}>{value}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={disabled || release === ''}>
          Resolve in release
        </button>
      </form>
      {group.state !== 'ignored' && (
        <button type="button" disabled={disabled} onClick={() => act({ state: 'ignored' }, 'Ignored.')}>
          Ignore
        </button>
      )}
      {group.state !== 'unresolved' && (
        <button type="button" disabled={disabled} onClick={() => act({ state: 'unresolved' }, 'Unresolved.')}>
          Unresolve
        </button>
      )}
      <form
        class="inline"
        onSubmit={(event) => {
          event.preventDefault();
          if (target.trim() !== '') void act({ merge_into: target.trim() }, `Merged into ${target.trim()}.`);
        }}
      >
        <label>
          <span class="visually-hidden">Issue id to merge into</span>
          <input value={target} onInput={(event) => setTarget((event.target as HTMLInputElement).value)} placeholder="issue id" size={14} disabled={disabled} />
        </label>
        <button type="submit" disabled={disabled || target.trim() === ''}>
          Merge into
        </button>
      </form>
      <span class="action-status" role="status">
        {readOnly ? 'Read-only access: actions are off.' : message}
      </span>
    </div>
  );
}

function HistogramSection(props: { path: string }) {
  const [range, setRange] = useState<'24h' | '14d'>('14d');
  const [loaded] = useLoad(`${props.path}:${range}`, () => get<Histogram>(`${props.path}/histogram?range=${range}`).then((reply) => reply.body));
  return (
    <section>
      <div class="section-head">
        <h2>Events over time</h2>
        <div class="segmented" role="group" aria-label="Chart range">
          {(['24h', '14d'] as const).map((value) => (
            <button type="button" aria-pressed={range === value} onClick={() => setRange(value)}>
              {value}
            </button>
          ))}
        </div>
      </div>
      {loaded.state === 'error' && <Problem message={loaded.message} />}
      <div class="chart-box">
        {loaded.state === 'ok' && (
          <ReleaseChart
            buckets={loaded.value.buckets}
            releases={[...loaded.value.releases].sort((a, b) => b.count - a.count).map((entry) => entry.release)}
          />
        )}
      </div>
    </section>
  );
}

/** Newest call first; runs of library frames fold into one line that opens. */
function Frames(props: { frames: readonly Frame[] }) {
  const ordered = [...props.frames].reverse();
  const runs: { inApp: boolean; frames: Frame[] }[] = [];
  for (const frame of ordered) {
    const last = runs.at(-1);
    if (last !== undefined && last.inApp === frame.in_app) last.frames.push(frame);
    else runs.push({ inApp: frame.in_app, frames: [frame] });
  }
  return (
    <ol class="frames">
      {runs.map((run) =>
        run.inApp ? (
          run.frames.map((frame) => <FrameLine frame={frame} />)
        ) : (
          <li class="library-run">
            <details>
              <summary>
                {run.frames.length} library frame{run.frames.length === 1 ? '' : 's'}
              </summary>
              <ol class="frames">
                {run.frames.map((frame) => (
                  <FrameLine frame={frame} />
                ))}
              </ol>
            </details>
          </li>
        ),
      )}
    </ol>
  );
}

function FrameLine(props: { frame: Frame }) {
  const { frame } = props;
  return (
    <li class={frame.in_app ? 'frame in-app' : 'frame'}>
      <span class="function">{frame.function || '(anonymous)'}</span> <span class="muted">in</span> <span class="module">{frame.module}</span>
      {frame.line > 0 && (
        <span class="position">
          :{frame.line}
          {frame.column > 0 ? `:${frame.column}` : ''}
        </span>
      )}
    </li>
  );
}

function Sample(props: { sample: SampleEvent; open: boolean; traceUrl: string }) {
  const { sample } = props;
  const traceLink = props.traceUrl !== '' && sample.trace_id !== '' ? props.traceUrl.replaceAll('{trace_id}', sample.trace_id) : '';
  const attributes = Object.entries(sample.attributes);
  return (
    <details class="sample" open={props.open}>
      <summary>
        <Time iso={sample.timestamp} /> · {sample.release || 'no release'} · {sample.environment || 'no environment'}
        {sample.handled ? ' · handled' : ''}
      </summary>
      <dl class="pairs">
        <dt>Trace</dt>
        <dd>
          {sample.trace_id === '' ? (
            <span class="muted">none</span>
          ) : traceLink === '' ? (
            <code>{sample.trace_id}</code>
          ) : (
            <a href={traceLink} target="_blank" rel="noopener noreferrer" class="trace-link">
              <code>{sample.trace_id}</code>
            </a>
          )}
        </dd>
        {sample.span_name && (
          <>
            <dt>Span</dt>
            <dd>{sample.span_name}</dd>
          </>
        )}
        {sample.http.url_path && (
          <>
            <dt>Path</dt>
            <dd>
              <code>{sample.http.url_path}</code>
            </dd>
          </>
        )}
        {attributes.map(([key, value]) => (
          <>
            <dt>{key}</dt>
            <dd>
              <code>{value}</code>
            </dd>
          </>
        ))}
      </dl>
    </details>
  );
}
