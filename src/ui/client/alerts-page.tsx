// Alerts: GET /api/v1/alerts (every rule with its groups; every channel with its circuit, queue and
// delivery outcomes) and a test notification per channel through POST /api/v1/alerts/test.

import { useState } from 'preact/hooks';
import { ApiError, get, post, type Access } from './api.js';
import { count, duration } from './format.js';
import { Problem, Time, useLoad } from './parts.js';

interface AlertGroup {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
  readonly value: number;
  readonly last_notified_at: string | null;
  readonly cooldown_until: string | null;
  readonly active_since: string | null;
}

interface Rule {
  readonly exporter: string;
  readonly name: string;
  readonly type: string;
  readonly severity: string;
  readonly threshold: number;
  readonly window_seconds: number;
  readonly cooldown_seconds: number;
  readonly channels: readonly string[];
  readonly groups: readonly AlertGroup[];
}

interface Channel {
  readonly exporter: string;
  readonly name: string;
  readonly type: string;
  readonly circuit: string;
  readonly queued: number;
  readonly outcomes: Readonly<Record<'delivered' | 'rejected' | 'error', number>>;
  readonly last: { readonly outcome: string; readonly at: string | null; readonly reason: string } | null;
}

interface AlertsReply {
  readonly rules: readonly Rule[];
  readonly channels?: readonly Channel[];
}

/** Alerts are not configured when the API is not served. */
async function loadAlerts(): Promise<AlertsReply | null> {
  try {
    return (await get<AlertsReply>('/api/v1/alerts')).body;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function AlertsPage(props: { access: Access }) {
  const [loaded, , reload] = useLoad('alerts', loadAlerts);
  if (loaded.state === 'loading') return <p class="muted">Loading…</p>;
  if (loaded.state === 'error') return <Problem message={loaded.message} />;
  if (loaded.value === null) {
    return (
      <section>
        <h1>Alerts</h1>
        <p>No alerts exporter is configured: see exporters.alerts in docs/config.md.</p>
      </section>
    );
  }
  const { rules, channels = [] } = loaded.value;
  return (
    <section>
      <h1>Alerts</h1>
      <h2>Rules</h2>
      {rules.length === 0 && <p class="muted">No rules.</p>}
      {rules.map((rule) => (
        <RuleCard rule={rule} />
      ))}
      <h2>Channels</h2>
      <div class="scroll">
        <table class="channels">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Type</th>
              <th scope="col">Circuit</th>
              <th scope="col" class="num">
                Queued
              </th>
              <th scope="col">Delivered / rejected / errors</th>
              <th scope="col">Latest attempt</th>
              <th scope="col">
                <span class="visually-hidden">Test</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {channels.map((channel) => (
              <ChannelRow channel={channel} access={props.access} onTested={reload} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RuleCard(props: { rule: Rule }) {
  const { rule } = props;
  return (
    <div class="card" data-rule={rule.name}>
      <h3>
        {rule.name} <span class={`badge severity-${rule.severity}`}>{rule.severity}</span>
      </h3>
      <p class="muted">
        {rule.type} · threshold {rule.threshold} · window {duration(rule.window_seconds)} · cooldown {duration(rule.cooldown_seconds)} · to {rule.channels.join(', ') || 'no channel'}
      </p>
      {rule.groups.length === 0 ? (
        <p class="muted">No groups evaluated yet.</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">State</th>
                <th scope="col" class="num">
                  Value
                </th>
                <th scope="col">Last notified</th>
                <th scope="col">Cooldown until</th>
              </tr>
            </thead>
            <tbody>
              {rule.groups.map((group) => (
                <tr>
                  <td>
                    {Object.entries(group.labels)
                      .map(([key, value]) => `${key}=${value}`)
                      .join(' ') || '(all)'}
                  </td>
                  <td>
                    <span class={`badge alert-${group.state}`}>{group.state}</span>
                  </td>
                  <td class="num">{Number.isInteger(group.value) ? count(group.value) : group.value.toPrecision(3)}</td>
                  <td>
                    <Time iso={group.last_notified_at} />
                  </td>
                  <td>
                    <Time iso={group.cooldown_until} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ChannelRow(props: { channel: Channel; access: Access; onTested(): void }) {
  const { channel } = props;
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  async function test() {
    setBusy(true);
    setStatus('Sending…');
    try {
      await post('/api/v1/alerts/test', { channel: channel.name });
      setStatus('Test notification delivered.');
    } catch (error) {
      setStatus(`Not delivered: ${(error as Error).message}`);
    } finally {
      setBusy(false);
      props.onTested();
    }
  }
  return (
    <tr data-channel={channel.name}>
      <td>{channel.name}</td>
      <td>{channel.type}</td>
      <td>
        <span class={`badge circuit-${channel.circuit}`}>{channel.circuit.replace('_', '-')}</span>
      </td>
      <td class="num">{count(channel.queued)}</td>
      <td>
        {count(channel.outcomes.delivered)} / {count(channel.outcomes.rejected)} / {count(channel.outcomes.error)}
      </td>
      <td>
        {channel.last === null ? (
          <span class="muted">none yet</span>
        ) : (
          <>
            {channel.last.outcome} <Time iso={channel.last.at} />
            {channel.last.reason && <div class="muted small">{channel.last.reason}</div>}
          </>
        )}
      </td>
      <td>
        <button type="button" onClick={test} disabled={busy || props.access === 'read'}>
          Send test notification
        </button>
        <div class="small" role="status">
          {status}
        </div>
      </td>
    </tr>
  );
}
